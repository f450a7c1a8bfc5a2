#include "ext/indexes/candidates.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ext/core/sql_normalize.h"

namespace doctor::indexes {
namespace {

bool HasColumn(const std::vector<KeyPart>& parts, const std::string& column) {
  for (const KeyPart& p : parts) {
    if (absl::EqualsIgnoreCase(p.column, column)) return true;
  }
  return false;
}

void Add(std::vector<IndexDef>* out, std::set<std::string>* seen, const std::string& table,
         std::vector<KeyPart> parts, const std::string& where, size_t max_columns) {
  if (parts.empty() || parts.size() > max_columns) return;
  IndexDef d{table, std::move(parts), where};
  if (seen->insert(d.Key()).second) out->push_back(std::move(d));
}

// The candidates of one scan; the ranked constraints the families share.
class ScanCandidates {
 public:
  ScanCandidates(const Scan& scan, const std::function<double(const std::string&)>& distinct,
                 const CandidateOptions& options)
      : scan_(scan), distinct_(distinct), options_(options) {
    // Equality columns, one per column, most selective first (ties by name for stability).
    for (const ScanConstraint& c : scan.constraints) {
      std::vector<const ScanConstraint*>& list = c.eq ? eq_ : range_;
      bool dup = false;
      for (const ScanConstraint* o : list) dup |= absl::EqualsIgnoreCase(o->column, c.column);
      if (!dup) list.push_back(&c);
    }
    for (const ScanConstraint* c : eq_) ranked_.push_back({distinct(c->column), c});
    std::stable_sort(ranked_.begin(), ranked_.end(), [](const auto& a, const auto& b) {
      if (a.first != b.first) return a.first > b.first;
      return absl::AsciiStrToLower(a.second->column) < absl::AsciiStrToLower(b.second->column);
    });
  }

  std::vector<IndexDef> Run() {
    Family(nullptr, "");
    if (options_.allow_partial) {
      PartialFamily();
      predicate_ = nullptr;
      for (const std::string& where : scan_.predicates) Family(nullptr, where);
    }
    return std::move(out_);
  }

 private:
  std::vector<KeyPart> EqParts(const ScanConstraint* except) const {
    std::vector<KeyPart> parts;
    for (const auto& [d, c] : ranked_) {
      if (c != except) parts.push_back({c->column, c->collation});
    }
    return parts;
  }

  // ORDER BY parts after the equality columns (a column fixed by equality adds nothing). When
  // every term is DESC the index is built ascending and scanned backwards.
  std::vector<KeyPart> WithOrder(std::vector<KeyPart> parts) const {
    bool all_desc = !scan_.order_by.empty();
    for (const ScanOrder& o : scan_.order_by) all_desc &= o.desc;
    for (const ScanOrder& o : scan_.order_by) {
      if (HasColumn(parts, o.column)) continue;
      parts.push_back({o.column, "", all_desc ? false : o.desc});
    }
    return parts;
  }

  // Covering: the scan's other columns appended, when they are few and not the whole row nor
  // most of its bytes (a copy of the table is no index: a document column read back is
  // fetched from the row). A partial index's predicate column is known already.
  std::vector<KeyPart> Covering(std::vector<KeyPart> parts) const {
    if (scan_.table_columns > 0 && scan_.used_columns.size() >= scan_.table_columns) return {};
    size_t added = 0;
    double added_bytes = 0;
    for (const std::string& c : scan_.used_columns) {
      if (HasColumn(parts, c) ||
          (predicate_ != nullptr && absl::EqualsIgnoreCase(predicate_->column, c))) {
        continue;
      }
      parts.push_back({c});
      ++added;
      auto b = scan_.column_bytes.find(absl::AsciiStrToLower(c));
      if (b != scan_.column_bytes.end()) added_bytes += b->second;
    }
    double row_bytes = 0;
    for (const auto& [column, bytes] : scan_.column_bytes) row_bytes += bytes;
    if (row_bytes > 0 && added_bytes > row_bytes / 2) return {};
    return added > 0 && added <= 3 ? parts : std::vector<KeyPart>{};
  }

  void Emit(const std::vector<KeyPart>& base, const std::string& where) {
    Add(&out_, &seen_, scan_.table, base, where, options_.max_columns);
    if (options_.allow_covering) {
      Add(&out_, &seen_, scan_.table, Covering(base), where, options_.max_columns);
    }
  }

  void Family(const ScanConstraint* except, const std::string& where) {
    std::vector<KeyPart> base = EqParts(except);
    if (!base.empty()) Emit(base, where);
    size_t ranges = 0;
    for (const ScanConstraint* r : range_) {
      if (HasColumn(base, r->column) || ranges++ >= 2) continue;
      std::vector<KeyPart> parts = base;
      parts.push_back({r->column, r->collation});
      Emit(parts, where);
    }
    if (!scan_.order_by.empty()) Emit(WithOrder(base), where);
    if (base.empty() && range_.empty() && scan_.order_by.empty() && except != nullptr) {
      Emit({{except->column, except->collation}}, where);
    }
  }

  // The most selective constant equality becomes the predicate of a partial index.
  void PartialFamily() {
    const ScanConstraint* best = nullptr;
    for (const ScanConstraint* c : eq_) {
      if (c->constant.empty() || c->constant_share > options_.partial_max_share ||
          distinct_(c->column) > options_.partial_max_distinct) {
        continue;
      }
      if (best == nullptr || c->constant_share < best->constant_share) best = c;
    }
    if (best == nullptr) return;
    std::string col = ReadableIdentifier(best->column);
    if (!best->collation.empty()) absl::StrAppend(&col, " COLLATE ", ReadableIdentifier(best->collation));
    predicate_ = best;
    Family(best, absl::StrCat(col, " = ", best->constant));
  }

  const Scan& scan_;
  const std::function<double(const std::string&)>& distinct_;
  const CandidateOptions& options_;
  std::vector<const ScanConstraint*> eq_, range_;
  std::vector<std::pair<double, const ScanConstraint*>> ranked_;
  std::vector<IndexDef> out_;
  std::set<std::string> seen_;
  const ScanConstraint* predicate_ = nullptr;  // the partial family's predicate column
};

}  // namespace

std::vector<IndexDef> CandidatesForScan(const Scan& scan,
                                        const std::function<double(const std::string&)>& distinct,
                                        const CandidateOptions& options) {
  return ScanCandidates(scan, distinct, options).Run();
}

}  // namespace doctor::indexes
