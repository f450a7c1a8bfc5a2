#include "ext/indexes/candidate_pool.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ext/core/sql.h"
#include "ext/indexes/sql_text.h"
#include "ext/indexes/write_effects.h"

namespace doctor::indexes {
namespace {

// A constant as a partial-index predicate writes it (core SqlLiteral: a real keeps its digits,
// an infinity is 9e999). "" for a blob, NULL or text holding a NUL byte: never a predicate.
// Before, a real was written with 6 digits (`level = 1.23457` for 1.2345678: a predicate no query
// implies) and an infinity as `inf` ("no such column: inf" in limits).
std::string Literal(const Value& v) {
  if (v.is_null() || std::holds_alternative<Blob>(v.storage())) return "";
  if (std::holds_alternative<std::string>(v.storage()) &&
      v.AsText().find('\0') != std::string::npos) {
    return "";
  }
  return SqlLiteral(v);
}

// A value of `share` among `distinct` values that stands out as rare: under half an even share
// ('open' among mostly 'closed', what a poll asks for). Among evenly spread values the
// statement's value is one of many the application asks for, and a parameter's guess would be
// arbitrary.
bool StandsOutAsRare(double share, double distinct) { return share * distinct <= 0.5; }

}  // namespace

CandidateCollector::CandidateCollector(Connection& user, Scratch& scratch, Probe& probe,
                                       const AdviseOptions& options)
    : user_(user), scratch_(scratch), probe_(probe), options_(options),
      namer_(scratch.Namer()) {}

void CandidateCollector::AddStatement(WorkloadItem* item) {
  CandidateOptions copts;
  copts.allow_partial = options_.allow_partial;
  copts.allow_covering = options_.allow_covering;
  std::vector<ProbeScan> scans;
  // A LIKE / GLOB pattern that is a parameter is probed as the value guessed for it (probe_sql).
  const std::string& probed = item->probe_sql.empty() ? item->sql : item->probe_sql;
  if (!probe_.Capture(probed, &scans).ok()) {
    probe_.Capture(WithoutUpsert(probed), &scans).IgnoreError();
  }
  const size_t own_scans = scans.size();
  if (!item->written.empty()) {
    // The rows the write looks up by constant come first (ToScan copies them too, but later):
    // SeedCascades runs the write on the copy to find the parent rows it touches, and a parent
    // the sample lacks touched nothing, so none of its children were copied. Before,
    // `DELETE FROM p WHERE id = 3990` copied no child, and the third level of a cascade (Sakila's
    // film -> inventory -> rental -> payment) cost nothing on the copy: payment(rental_id),
    // 1,546,302 -> 734 VM steps on the data, was not advised.
    for (size_t i = 0; i < own_scans; ++i) {
      const TableInfo& t = scratch_.tables()[scans[i].table];
      for (const ProbeConstraint& pc : scans[i].constraints) {
        if (pc.has_value && pc.eq) scratch_.Seed(user_, t.name, t.columns[pc.column].name, pc.value);
      }
    }
    if (options_.foreign_keys) SeedCascades(user_, scratch_, *item);
    ProbeWriteEffects(scratch_, probe_, options_.foreign_keys, item, &scans);
  }
  // The first candidate of each of the statement's own scans of a table: together they form a
  // bundle (an OR with a branch per column needs an index per branch).
  std::map<std::string, std::set<int>> firsts;
  const std::map<std::string, std::vector<std::string>> rare =
      copts.allow_partial ? RareExpressionPredicates(*item)
                          : std::map<std::string, std::vector<std::string>>{};
  for (size_t i = 0; i < scans.size(); ++i) {
    const TableInfo& t = scratch_.tables()[scans[i].table];
    if (t.is_virtual) continue;
    Scan scan = ToScan(scans[i], t, *item);
    auto predicates = rare.find(t.name);
    if (i < own_scans && predicates != rare.end()) scan.predicates = predicates->second;
    auto distinct = [&](const std::string& c) { return scratch_.Distinct(t.name, c); };
    bool first = true;
    for (IndexDef& d : CandidatesForScan(scan, distinct, copts)) {
      int id = Add(d);
      if (id >= 0 && i >= own_scans) pool_.effects.insert(id);
      if (first && id >= 0 && i < own_scans) firsts[t.name].insert(id);

      first = false;
    }
  }
  // Also the lookups its writes run (trigger bodies, FK actions) on an empty table: .expert
  // advises the statements a trigger runs.
  for (size_t i = 0; i < scans.size(); ++i) {
    const TableInfo& t = scratch_.tables()[scans[i].table];
    if (!t.is_virtual && t.Unmeasured()) AddStructural(ToScan(scans[i], t, *item), t);
  }
  // A join: the widest first candidate of each table together (neither side may pay alone when
  // the values guessed for its parameters match no row of the join; the pair does).
  std::vector<int> join;
  for (const auto& [table, ids] : firsts) {
    std::vector<int> bundle(ids.begin(), ids.end());
    AddBundle(bundle);
    int widest = bundle[0];
    for (int id : bundle) {
      if (pool_.indexes[id].parts.size() > pool_.indexes[widest].parts.size()) widest = id;
    }
    join.push_back(widest);
  }
  AddBundle(join);
  ++statements_;
  AddExpressions(*item);
}

void CandidateCollector::AddExpressions(const WorkloadItem& item) {
  std::vector<ExpressionUse> uses = ExpressionPredicates(item.sql);
  for (ExpressionUse& e : OrderByExpressions(item.sql)) uses.push_back(std::move(e));
  for (const std::string& tn : item.tables) {
    const TableInfo* t = scratch_.FindTable(tn);
    if (t == nullptr || t->is_virtual) continue;
    std::vector<const ExpressionUse*> mine;
    for (const ExpressionUse& e : uses) {
      if (t->Column(e.column) >= 0) mine.push_back(&e);
    }
    for (const ExpressionUse* e : mine) {
      Add(IndexDef{t->name, {{e->expression, "", false, true}}, ""});
    }
    if (!options_.allow_partial) continue;
    for (const ExpressionUse* p : mine) {
      const std::string where = ExpressionPredicate(*t, *p, item);
      if (where.empty()) continue;
      for (const ExpressionUse* e : mine) {
        if (e->expression == p->expression) continue;
        Add(IndexDef{t->name, {{e->expression, "", false, true}}, where});
      }
    }
  }
}

std::map<std::string, std::vector<std::string>> CandidateCollector::RareExpressionPredicates(
    const WorkloadItem& item) {
  std::map<std::string, std::vector<std::string>> out;
  const std::vector<ExpressionUse> uses = ExpressionPredicates(item.sql);
  for (const std::string& tn : item.tables) {
    const TableInfo* t = scratch_.FindTable(tn);
    if (t == nullptr || t->is_virtual) continue;
    for (const ExpressionUse& e : uses) {
      if (t->Column(e.column) < 0) continue;
      std::string where = ExpressionPredicate(*t, e, item);
      if (!where.empty()) out[t->name].push_back(std::move(where));
    }
  }
  return out;
}

std::string CandidateCollector::ExpressionPredicate(const TableInfo& t, const ExpressionUse& use,
                                                    const WorkloadItem& item) {
  if (!use.equality) return "";
  std::string constant = use.literal;
  if (constant.empty()) {
    auto bound = item.expression_values.find(use.expression);
    if (bound != item.expression_values.end()) constant = Literal(bound->second);
  }
  if (constant.empty()) return "";
  const std::string where = absl::StrCat(use.expression, " = ", constant);
  auto rows = scratch_.SampleQuery(absl::StrCat("SELECT avg(CASE WHEN ", where, " THEN 1.0 ELSE ",
                                                "0.0 END), count(DISTINCT ", use.expression,
                                                ") FROM ", QuoteIdentifier(t.name)));
  const CandidateOptions limits;
  if (!rows.ok() || rows->empty() || (*rows)[0][0].is_null()) return "";
  const double share = (*rows)[0][0].AsDouble();
  const double distinct = static_cast<double>((*rows)[0][1].AsInt());
  if (share > limits.partial_max_share || distinct > limits.partial_max_distinct) return "";
  // Literal or parameter, the advice is the same.
  if (!StandsOutAsRare(share, distinct)) return "";
  return where;
}

void CandidateCollector::AddBundle(std::vector<int> bundle) {
  std::sort(bundle.begin(), bundle.end());
  if (bundle.size() >= 2 && bundle.size() <= 4 &&
      std::find(pool_.bundles.begin(), pool_.bundles.end(), bundle) == pool_.bundles.end()) {
    pool_.bundles.push_back(bundle);
  }
}

void CandidateCollector::AddStructural(const Scan& scan, const TableInfo& t) {
  // A lookup by a key of the table (a join's inner side on the parent's key) finds at most one
  // row: it needs no index, and one that leads with or appends the key is wasted.
  std::vector<std::string> equal;
  for (const ScanConstraint& c : scan.constraints) {
    if (c.eq && c.collation.empty()) equal.push_back(c.column);
  }
  if (!t.KeyWithin(equal).empty()) return;
  CandidateOptions plain;
  plain.allow_partial = false;
  plain.allow_covering = false;
  auto distinct = [&](const std::string& c) { return scratch_.Distinct(t.name, c); };
  const IndexDef* longest = nullptr;
  std::vector<IndexDef> defs = CandidatesForScan(scan, distinct, plain);
  for (const IndexDef& d : defs) {
    if (longest == nullptr || d.parts.size() > longest->parts.size()) longest = &d;
  }
  if (longest == nullptr) return;
  const int id = Add(*longest);
  if (id >= 0) pool_.structural.push_back({id, statements_});
}

ScanConstraint CandidateCollector::ToConstraint(const ProbeConstraint& pc, const TableInfo& t,
                                                const WorkloadItem& item) {
  const ColumnInfo& col = t.columns[pc.column];
  ScanConstraint c;
  c.column = col.name;
  c.eq = pc.eq;
  // The mirror declares the column's own collation, the application's too (stand-ins:
  // standin_collations.h), so a constraint in another one (a GLOB's BINARY range on a
  // `COLLATE rev` column) needs an index in that one.
  const std::string declared = col.collation.empty() ? "BINARY" : col.collation;
  if (!absl::EqualsIgnoreCase(pc.collation, declared)) c.collation = pc.collation;
  if (pc.has_value && pc.eq) {
    scratch_.Seed(user_, t.name, col.name, pc.value);
    c.constant = Literal(pc.value);
    if (!c.constant.empty()) c.constant_share = scratch_.Frequency(t.name, col.name, pc.value);
  } else if (pc.eq) {
    auto bound = item.column_values.find(
        absl::StrCat(absl::AsciiStrToLower(t.name), ".", absl::AsciiStrToLower(col.name)));
    if (bound != item.column_values.end()) {
      const double share = scratch_.Frequency(t.name, col.name, bound->second);
      if (StandsOutAsRare(share, scratch_.Distinct(t.name, col.name))) {
        c.constant = Literal(bound->second);
        c.constant_share = share;
      }
    }
  }
  return c;
}

Scan CandidateCollector::ToScan(const ProbeScan& ps, const TableInfo& t,
                                const WorkloadItem& item) {
  Scan scan;
  scan.table = t.name;
  scan.table_columns = t.columns.size() - (t.integer_pk ? 1 : 0);
  for (const ProbeConstraint& pc : ps.constraints) {
    if (pc.rowid) {
      if (pc.has_value && pc.eq) scratch_.Seed(user_, t.name, t.columns[pc.column].name, pc.value);
      continue;
    }
    scan.constraints.push_back(ToConstraint(pc, t, item));
  }
  for (const auto& [col, desc] : ps.order_by) scan.order_by.push_back({t.columns[col].name, desc});
  scratch_.AvgBytesOfColumns(t.name);
  for (const ColumnInfo& c : t.columns) {
    scan.column_bytes[absl::AsciiStrToLower(c.name)] = scratch_.AvgBytes(t.name, c.name);
  }
  for (size_t i = 0; i < t.columns.size() && i < 63; ++i) {
    if (!(ps.columns_used & (uint64_t{1} << i))) continue;
    if (t.integer_pk && t.columns[i].pk == 1) continue;
    scan.used_columns.push_back(t.columns[i].name);
  }
  return scan;
}

// A candidate whose CREATE INDEX does not even prepare on the copy (a name or an expression the
// advisor wrote wrongly) would fail to build and vanish from the advice unseen: it is left out
// here and counted, and the advice says so (ReportLimits).
bool CandidateCollector::Buildable(const IndexDef& d) {
  IndexDef probe = d;
  probe.name = "doctor_candidate_check";
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(scratch_.db(), probe.Ddl().c_str(), -1, &stmt, nullptr);
  sqlite3_finalize(stmt);
  if (rc == SQLITE_OK) return true;
  if (pool_.unbuildable++ == 0) {
    pool_.first_unbuildable = absl::StrCat(d.table, "(", d.ColumnsText(), ")",
                                           d.where.empty() ? "" : " WHERE " + d.where, ": ",
                                           sqlite3_errmsg(scratch_.db()));
  }
  return false;
}

int CandidateCollector::Add(IndexDef d) {
  const TableInfo* t = scratch_.FindTable(d.table);
  if (t == nullptr) return -1;
  // Every index of a rowid table ends with the rowid: an ascending rowid alias at the end of the
  // key (a GROUP BY or ORDER BY of it) adds nothing that the key without it does not give but
  // its bytes. WordPress's `ORDER BY post_date DESC, ID DESC` got (..., post_date, ID) (with
  // .expert too); the planner reads (..., post_date) in that order all the same.
  while (d.parts.size() > 1 && t->integer_pk && !d.unique) {
    const KeyPart& last = d.parts.back();
    const int column = last.expression ? -1 : t->Column(last.column);
    if (column < 0 || t->columns[column].pk != 1 || last.desc || !last.collation.empty()) break;
    d.parts.pop_back();
  }
  auto known = ids_.find(d.Key());
  if (known != ids_.end()) return known->second;
  if (pool_.size() >= options_.max_candidates) {
    pool_.truncated = true;
    return -1;
  }
  for (const IndexDef& existing : t->indexes) {
    if (IsPrefixOf(d, existing)) return -1;  // never recommend what exists
  }
  if (!seen_.insert(d.Key()).second) return -1;
  if (!Buildable(d)) return -1;
  double key_bytes = 0;
  for (const KeyPart& p : d.parts) {
    key_bytes += p.expression ? 8 : scratch_.AvgBytes(t->name, p.column);
  }
  double rows = static_cast<double>(t->PlannedRows());
  if (!d.where.empty()) {
    // A partial index holds only the matching rows: measure the share on the sample.
    const double share = scratch_.Share(t->name, d.where);
    if (share >= 0) rows *= share;
  }
  d.name = namer_.NameFor(d);
  pool_.bytes.push_back(EstimateIndexBytes(rows, key_bytes));
  ids_[d.Key()] = static_cast<int>(pool_.size());
  pool_.indexes.push_back(std::move(d));
  return static_cast<int>(pool_.size()) - 1;
}

}  // namespace doctor::indexes
