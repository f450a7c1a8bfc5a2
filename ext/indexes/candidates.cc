#include "ext/indexes/candidates.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

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

}  // namespace

std::vector<IndexDef> CandidatesForScan(const Scan& scan,
                                        const std::function<double(const std::string&)>& distinct,
                                        const CandidateOptions& options) {
  // Equality columns, one per column, most selective first (ties by name for stability).
  std::vector<const ScanConstraint*> eq, range;
  for (const ScanConstraint& c : scan.constraints) {
    std::vector<const ScanConstraint*>& list = c.eq ? eq : range;
    bool dup = false;
    for (const ScanConstraint* o : list) dup |= absl::EqualsIgnoreCase(o->column, c.column);
    if (!dup) list.push_back(&c);
  }
  std::vector<std::pair<double, const ScanConstraint*>> ranked;
  for (const ScanConstraint* c : eq) ranked.push_back({distinct(c->column), c});
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return absl::AsciiStrToLower(a.second->column) < absl::AsciiStrToLower(b.second->column);
  });

  auto eq_parts = [&](const ScanConstraint* except) {
    std::vector<KeyPart> parts;
    for (const auto& [d, c] : ranked) {
      if (c != except) parts.push_back({c->column, c->collation});
    }
    return parts;
  };
  // ORDER BY parts after the equality columns (a column fixed by equality adds nothing). When
  // every term is DESC the index is built ascending and scanned backwards.
  auto with_order = [&](std::vector<KeyPart> parts) {
    bool all_desc = !scan.order_by.empty();
    for (const ScanOrder& o : scan.order_by) all_desc &= o.desc;
    for (const ScanOrder& o : scan.order_by) {
      if (HasColumn(parts, o.column)) continue;
      parts.push_back({o.column, "", all_desc ? false : o.desc});
    }
    return parts;
  };
  // Covering: the scan's other columns appended, when they are few and not the whole row (a
  // copy of the table is no index). A partial index's predicate column is known already.
  auto covering = [&](std::vector<KeyPart> parts, const ScanConstraint* except) {
    if (scan.table_columns > 0 && scan.used_columns.size() >= scan.table_columns) return std::vector<KeyPart>{};
    size_t added = 0;
    for (const std::string& c : scan.used_columns) {
      if (HasColumn(parts, c) || (except != nullptr && absl::EqualsIgnoreCase(except->column, c))) {
        continue;
      }
      parts.push_back({c});
      ++added;
    }
    return added > 0 && added <= 3 ? parts : std::vector<KeyPart>{};
  };

  std::vector<IndexDef> out;
  std::set<std::string> seen;
  const ScanConstraint* predicate = nullptr;  // the partial family's predicate column
  auto emit = [&](const std::vector<KeyPart>& base, const std::string& where) {
    Add(&out, &seen, scan.table, base, where, options.max_columns);
    if (options.allow_covering) {
      Add(&out, &seen, scan.table, covering(base, predicate), where, options.max_columns);
    }
  };
  auto family = [&](const ScanConstraint* except, const std::string& where) {
    std::vector<KeyPart> base = eq_parts(except);
    if (!base.empty()) emit(base, where);
    size_t ranges = 0;
    for (const ScanConstraint* r : range) {
      if (HasColumn(base, r->column) || ranges++ >= 2) continue;
      std::vector<KeyPart> parts = base;
      parts.push_back({r->column, r->collation});
      emit(parts, where);
    }
    if (!scan.order_by.empty()) emit(with_order(base), where);
    if (base.empty() && range.empty() && scan.order_by.empty() && except != nullptr) {
      emit({{except->column, except->collation}}, where);
    }
  };
  family(nullptr, "");
  if (options.allow_partial) {
    // The most selective constant equality becomes the predicate of a partial index.
    const ScanConstraint* best = nullptr;
    for (const ScanConstraint* c : eq) {
      if (c->constant.empty() || c->constant_share > options.partial_max_share ||
          distinct(c->column) > options.partial_max_distinct) {
        continue;
      }
      if (best == nullptr || c->constant_share < best->constant_share) best = c;
    }
    if (best != nullptr) {
      std::string col = Ident(best->column);
      if (!best->collation.empty()) absl::StrAppend(&col, " COLLATE ", Ident(best->collation));
      predicate = best;
      family(best, absl::StrCat(col, " = ", best->constant));
    }
  }
  return out;
}

}  // namespace doctor::indexes
