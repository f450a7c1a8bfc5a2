#include "ext/indexes/lint.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ext/core/foreign_keys.h"
#include "ext/core/hidden_names.h"
#include "ext/core/query_plan.h"
#include "ext/core/sql.h"
#include "ext/core/sql_normalize.h"
#include "ext/core/status_macros.h"
#include "ext/indexes/index_def.h"
#include "ext/indexes/scratch.h"
#include "ext/indexes/settings.h"

namespace doctor::indexes {
namespace {

// An index that enforces a constraint (UNIQUE, PRIMARY KEY) cannot simply be dropped.
bool Droppable(const IndexDef& d) {
  return !d.unique && !absl::StartsWith(d.name, "sqlite_autoindex_");
}

// Lint judges main's indexes; its fixes name main (QualifiedIdentifier says why).
constexpr char kSchema[] = "main";

std::string Drop(const IndexDef& d) {
  return absl::StrCat("DROP INDEX ", QualifiedIdentifier(kSchema, d.name));
}

// True when the first columns of `d` are exactly `cols` (in any order): it serves FK lookups.
bool Leads(const IndexDef& d, const std::vector<std::string>& cols) {
  if (d.parts.size() < cols.size() || !d.where.empty()) return false;
  for (size_t i = 0; i < cols.size(); ++i) {
    bool found = false;
    for (const std::string& c : cols) found |= absl::EqualsIgnoreCase(d.parts[i].column, c);
    if (!found) return false;
  }
  return true;
}

// The captured queries (query_stats of the timing area), their plans on the user's database,
// and how much traffic they stand for.
struct CapturedWorkload {
  size_t queries = 0;
  int64_t calls = 0;
  double hours = 0;  // from the first captured call to the last
  std::string first_seen, last_seen;
  std::vector<QueryPlan> plans;
  // Why query_stats was not read at all (an application's own table of that name hides the
  // timing area's: hidden_names.h), "" when it was or when there is none.
  std::string unreadable;

  bool Uses(const std::string& index) const {
    for (const QueryPlan& p : plans) {
      if (p.UsesIndex(index)) return true;
    }
    return false;
  }
  bool ScansInOrder(const std::string& index) const {
    for (const QueryPlan& p : plans) {
      if (p.ScansIndexInOrder(index)) return true;
    }
    return false;
  }
  // Enough traffic observed to call an index that no plan uses "unused" (settings.h).
  bool Enough() const {
    return calls >= kUnusedMinCalls.Get() &&
           static_cast<int64_t>(queries) >= kUnusedMinQueries.Get() &&
           hours >= static_cast<double>(kUnusedMinHours.Get());
  }
  std::string Observed() const {
    return absl::StrCat(queries, " captured queries in query_stats (", calls, " calls",
                        first_seen.empty() ? "" : absl::StrCat(" from ", first_seen, " to ",
                                                               last_seen),
                        absl::StrFormat(", %.1f hours)", hours));
  }
};

CapturedWorkload ReadCaptured(Connection& connection) {
  CapturedWorkload w;
  // An application's own query_stats (its log of queries, say) hides ours, and its rows must
  // never be read as captured traffic: only the checks that need them are left out, and a row
  // says so. Before, lint read nothing and said nothing, and doctor_report left out every index
  // finding for it.
  absl::Status hidden = CheckNothingHidden(connection.db(), "SELECT * FROM query_stats");
  if (!hidden.ok()) {
    w.unreadable = std::string(hidden.message());
    return w;
  }
  // The plan the application ran with, when the timing area captured it (plan_id): for a value
  // bound to `?` it is the plan of that value (a partial index it names), which the query's text
  // planned here without values cannot show. A stand-in query_stats may lack those columns.
  auto rows = Query(connection,
                    "SELECT query, CASE WHEN plan_id IS NOT NULL THEN plan END FROM query_stats "
                    "LIMIT 1000");
  if (!rows.ok()) rows = Query(connection, "SELECT query, NULL FROM query_stats LIMIT 1000");
  if (!rows.ok()) return w;
  w.queries = rows->size();
  for (const Row& r : *rows) {
    auto plan = ExplainQueryPlan(connection, r[0].AsText());
    if (plan.ok()) w.plans.push_back(*std::move(plan));
    // Both count: an index built since the application last ran the query is in today's plan.
    if (!r[1].is_null()) w.plans.push_back(ParsePlanText(r[1].AsText()));
  }
  // A query_stats without the time columns (an older or stand-in table) observed no time span.
  auto totals = Query(connection,
                      "SELECT total(calls), min(first_seen), max(last_seen), "
                      "(julianday(max(last_seen)) - julianday(min(first_seen))) * 24 "
                      "FROM query_stats");
  if (!totals.ok()) totals = Query(connection, "SELECT total(calls) FROM query_stats");
  if (totals.ok() && !totals->empty()) {
    const Row& t = (*totals)[0];
    w.calls = static_cast<int64_t>(t[0].AsDouble());
    if (t.size() == 4 && !t[3].is_null()) {
      w.first_seen = t[1].AsText();
      w.last_seen = t[2].AsText();
      w.hours = std::max(0.0, t[3].AsDouble());
    }
  }
  return w;
}

// The table's foreign keys (core's reader, on the copy); none when they cannot be read, so no
// index is kept for a key.
std::vector<ForeignKey> ForeignKeysOf(Scratch& scratch, const TableInfo& t) {
  absl::StatusOr<std::vector<ForeignKey>> keys = doctor::ForeignKeysOf(scratch.db(), "main", t.name);
  return keys.ok() ? *std::move(keys) : std::vector<ForeignKey>{};
}

// fk_without_index for the keys of table `table` (`rows` rows) among `unindexed` (core
// ForeignKeysWithoutIndex).
void FkFindings(const std::string& table, int64_t rows,
                const std::vector<UnindexedForeignKey>& unindexed, const IndexNamer& namer,
                std::vector<LintFinding>* out) {
  for (const UnindexedForeignKey& fk : unindexed) {
    if (!absl::EqualsIgnoreCase(fk.table, table)) continue;
    IndexDef fix{table, {}, ""};
    for (const std::string& c : fk.columns) fix.parts.push_back({c});
    fix.name = namer.NameFor(fix);
    out->push_back({"fk_without_index", table, "",
                    absl::StrCat("foreign key (", absl::StrJoin(fk.columns, ", "), ") -> ",
                                 fk.parent, " (ON DELETE ", fk.on_delete, ", ON UPDATE ",
                                 fk.on_update, ")",
                                 " has no index on the child columns: every delete or key update "
                                 "of a parent row scans ",
                                 rows, " rows of ", table),
                    fix.Ddl(kSchema)});
  }
}

// A duplicate or prefix finding for `a` (false when it has none).
bool RedundancyFinding(const TableInfo& t, const IndexDef& a, std::vector<LintFinding>* out) {
  for (const IndexDef& b : t.indexes) {
    if (&a == &b || !IsPrefixOf(a, b)) continue;
    const bool same = a.parts.size() == b.parts.size();
    // Of two identical droppable indexes, report the one with the larger name only.
    if (same && Droppable(b) && a.name < b.name) continue;
    out->push_back(
        {same ? "duplicate" : "prefix", t.name, a.name,
         same ? absl::StrCat(a.name, " has the same key as ", b.name, " (", a.ColumnsText(), ")")
              : absl::StrCat(a.name, " (", a.ColumnsText(), ") is a prefix of ", b.name, " (",
                             b.ColumnsText(), "), which serves the same lookups"),
         Drop(a), b.name});
    return true;
  }
  return false;
}

}  // namespace

RarestKey RarestKeyOf(Scratch& scratch, const TableInfo& t, const IndexDef& a) {
  RarestKey out;
  std::vector<std::string> cols, match;
  for (const KeyPart& p : a.parts) {
    if (p.expression && absl::StartsWith(p.column, "<expression")) return out;  // text unknown
    const std::string term =
        p.expression ? absl::StrCat("(", p.column, ")") : QuoteIdentifier(p.column);
    cols.push_back(term);
    match.push_back(absl::StrCat(term, " IS ?",
                                 p.collation.empty() ? "" : " COLLATE " + QuoteIdentifier(p.collation)));
  }
  const std::string table = QuoteIdentifier(t.name);
  auto rows = Query(scratch.db(), absl::StrCat("SELECT n * 1.0 / sum(n) OVER (), ",
                                               absl::StrJoin(cols, ", "), " FROM (SELECT count(*) "
                                               "AS n, ", absl::StrJoin(cols, ", "), " FROM ", table,
                                               " GROUP BY ", absl::StrJoin(cols, ", "),
                                               ") ORDER BY n LIMIT 1"));
  if (!rows.ok() || rows->empty() || (*rows)[0][0].is_null()) return out;
  out.share = (*rows)[0][0].AsDouble();
  const std::vector<Value> key((*rows)[0].begin() + 1, (*rows)[0].end());
  const std::string where = absl::StrCat(" WHERE ", absl::StrJoin(match, " AND "));
  bool columns_only = true;
  for (const KeyPart& p : a.parts) columns_only = columns_only && !p.expression;
  if (columns_only) {
    out.match = where;
    out.key = key;
  }
  const StepCount indexed = scratch.Run(
      absl::StrCat("SELECT * FROM ", table, " INDEXED BY ", QuoteIdentifier(a.name), where), key);
  const StepCount scan =
      scratch.Run(absl::StrCat("SELECT * FROM ", table, " NOT INDEXED", where), key);
  out.measured = indexed.error.empty() && scan.error.empty();
  out.lookup_pays = out.measured && !indexed.capped && 2 * indexed.steps < scan.steps;
  return out;
}

namespace {

// Low selectivity: the full key still matches >= 10% of the rows on average (the copy's
// statistics) and even its rarest value does, and a lookup of that value through the index saves
// less than half a scan's VM steps (RarestKeyOf); never an index that serves a foreign key (else
// dropping it brings back fk_without_index, and the advice oscillates), nor one a captured query
// reads in order (its GROUP BY / ORDER BY needs no sort: index_advise proposes such an index
// whatever its selectivity).
// The sample's rarest key matches at least 10% of your rows too (counted through your index, up
// to that many). A sample of evenly spaced rows aliases with rows assigned round-robin: products
// with category 'cat' || i % 20, every 10th of 2,000 sampled, showed 2 of the 20 categories, and
// lint called products_category low_selectivity ("about 977 of 2000 rows, and even the rarest
// matches 50%") for 100 rows per value; doctor_report dropped it and the next report asked for it
// back. True when it cannot be counted (an expression key): the sample's word stands.
// It must also match at least half the share it has on the sample: the lookup was measured there,
// and one of a tenth of the rows pays where one of all of them does not. WordPress's usermeta
// (10 meta_keys per user, in the same order for every user) sampled every 10th row: one key,
// "even the rarest matches 100%", and lint said DROP INDEX usermeta_meta_key for a key that
// matches 10% of the rows, whose lookup reads a tenth of a scan.
bool RarestKeyHoldsOnYourData(Connection& user, const TableInfo& t, const RarestKey& rarest) {
  if (rarest.match.empty() || t.real_rows <= 0) return true;
  const int64_t enough = std::max<int64_t>(
      (t.real_rows + 9) / 10,
      static_cast<int64_t>(std::ceil(rarest.share / 2 * static_cast<double>(t.real_rows))));
  absl::StatusOr<Rows> rows =
      Query(user, absl::StrCat("SELECT count(*) FROM (SELECT 1 FROM main.",
                               QuoteIdentifier(t.name), rarest.match, " LIMIT ", enough, ")"),
            rarest.key);
  if (!rows.ok() || rows->empty()) return true;
  return (*rows)[0][0].AsInt() >= enough;
}

bool SelectivityFinding(Connection& user, Scratch& scratch, const TableInfo& t, const IndexDef& a,
                        const std::vector<ForeignKey>& fks, const CapturedWorkload& captured,
                        std::vector<LintFinding>* out) {
  if (!a.where.empty() || captured.ScansInOrder(a.name)) return false;
  for (const ForeignKey& fk : fks) {
    if (Leads(a, fk.columns)) return false;
  }
  auto stat = Query(scratch.db(), "SELECT stat FROM sqlite_stat1 WHERE idx = ?", {Value(a.name)});
  if (!stat.ok() || stat->empty()) return false;
  std::vector<std::string> words = absl::StrSplit((*stat)[0][0].AsText(), ' ');
  double rows = 0, per_key = 0;
  if (words.size() <= a.parts.size() || !absl::SimpleAtod(words[0], &rows) ||
      !absl::SimpleAtod(words[a.parts.size()], &per_key) || rows < 100 || per_key / rows < 0.1) {
    return false;
  }
  const RarestKey rarest_key = RarestKeyOf(scratch, t, a);
  if (!rarest_key.LowSelectivity()) return false;  // the rule index_advise applies too
  if (!RarestKeyHoldsOnYourData(user, t, rarest_key)) return false;
  const double rarest = rarest_key.share;
  out->push_back({"low_selectivity", t.name, a.name,
                  absl::StrCat(a.name, " (", a.ColumnsText(), "): each key value matches about ",
                               static_cast<int64_t>(per_key), " of ",
                               static_cast<int64_t>(rows),
                               " rows, and even the rarest matches ",
                               static_cast<int64_t>(rarest * 100 + 0.5),
                               "%: a scan is about as fast, and every write pays for it"),
                  Drop(a)});
  return true;
}

// Unused by the captured workload (an index that serves a foreign key is kept).
void UnusedFinding(const TableInfo& t, const IndexDef& a, const std::vector<ForeignKey>& fks,
                   const CapturedWorkload& captured, std::vector<LintFinding>* out) {
  // Migration journals are read by migration tools, never by the captured workload.
  if (t.name == "doctor_migrations" || t.name == "__drizzle_migrations") return;
  // Too little observed to call anything unused: no DROP INDEX on one captured query.
  if (captured.queries == 0 || !captured.Enough() || captured.Uses(a.name)) return;
  for (const ForeignKey& fk : fks) {
    if (Leads(a, fk.columns)) return;
  }
  out->push_back({"unused", t.name, a.name,
                  absl::StrCat(a.name, " is used by none of the ", captured.Observed()),
                  Drop(a)});
}

}  // namespace

bool LintWouldCallUnselective(Scratch& scratch, const IndexDef& d) {
  const TableInfo* t = scratch.FindTable(d.table);
  if (t == nullptr || !d.where.empty() || d.unique) return false;
  for (const ForeignKey& fk : ForeignKeysOf(scratch, *t)) {
    if (Leads(d, fk.columns)) return false;
  }
  auto rows = Query(scratch.db(), absl::StrCat("SELECT count(*) FROM ", QuoteIdentifier(t->name)));
  if (!rows.ok() || rows->empty() || (*rows)[0][0].AsInt() < 100) return false;
  IndexDef check = d;
  check.name = "doctor_selectivity_check";
  if (!Exec(scratch.db(), check.Ddl()).ok()) return false;
  const bool low = RarestKeyOf(scratch, *t, check).LowSelectivity();
  Exec(scratch.db(), "DROP INDEX doctor_selectivity_check").IgnoreError();
  return low;
}

absl::StatusOr<std::vector<LintFinding>> Lint(Connection& connection, size_t* tables_copied) {
  ScratchOptions so;
  so.sample_rows = 20000;
  so.analyze_sample = true;  // selectivity needs statistics
  // The copy holds the tables with indexes to judge (and what they reach: scratch_scope.h); the
  // sample's share of each is as on a whole copy. A whole copy costs time quadratic in the
  // schema's tables (SQLite's work per CREATE): 61 s of lint on 20,000 tables.
  so.named_only = true;
  ASSIGN_OR_RETURN(Rows indexed, Query(connection,
                                       "SELECT DISTINCT tbl_name FROM main.sqlite_schema WHERE "
                                       "type = 'index' AND sql IS NOT NULL"));
  for (const Row& r : indexed) {
    so.also_named.push_back(absl::StrCat("SELECT 1 FROM ", QuoteIdentifier(r[0].AsText())));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Scratch> scratch, Scratch::Build(connection, so));
  if (tables_copied != nullptr) *tables_copied = scratch->tables().size();
  const CapturedWorkload captured = ReadCaptured(connection);
  const IndexNamer namer = scratch->Namer();
  // Of every table, read on your database (the copy may hold only some).
  ASSIGN_OR_RETURN(const std::vector<UnindexedForeignKey> unindexed,
                   ForeignKeysWithoutIndex(connection, "main"));
  std::vector<LintFinding> out;
  if (!captured.unreadable.empty()) {
    out.push_back({"not_checked", "", "",
                   absl::StrCat("unused indexes were not checked, and low_selectivity could not "
                                "spare an index a captured query reads in order: ",
                                captured.unreadable),
                   ""});
  }
  for (const LeftOutTable& t : scratch->left_out()) {
    if (!t.is_virtual) FkFindings(t.name, t.real_rows, unindexed, namer, &out);
  }
  for (const TableInfo& t : scratch->tables()) {
    if (t.is_virtual) continue;
    const std::vector<ForeignKey> fks = ForeignKeysOf(*scratch, t);
    FkFindings(t.name, t.real_rows, unindexed, namer, &out);
    for (const IndexDef& a : t.indexes) {
      if (!Droppable(a)) continue;
      if (RedundancyFinding(t, a, &out) ||
          SelectivityFinding(connection, *scratch, t, a, fks, captured, &out)) {
        continue;
      }
      UnusedFinding(t, a, fks, captured, &out);
    }
  }
  return out;
}

}  // namespace doctor::indexes
