// The captured workload's findings: the queries that cost the most (slow on average, or reading a
// whole table call after call), each with the advisor's index when it finds one that pays.
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ext/core/extension_objects.h"
#include "ext/core/foreign_keys.h"
#include "ext/core/query_plan.h"
#include "ext/core/sql.h"
#include "ext/core/sql_normalize.h"
#include "ext/core/statement_kind.h"
#include "ext/core/status_macros.h"
#include "ext/core/text.h"
#include "ext/report/area_findings.h"
#include "ext/report/index_fixes.h"
#include "ext/report/plan_finding.h"
#include "ext/report/schema_checks.h"

namespace doctor::report {
namespace {

// At most this many query findings: the rest are in query_stats.
constexpr int kMostQueries = 10;
// A query that steps this many rows per call in full scans reads a table (or an index) whole.
constexpr int64_t kScannedRows = 1000;
// A query whose calls each run this many VM steps reads that many rows somehow (walking most of an
// index, a join's inner loop) though no table is scanned whole: listed and asked for an index like
// a scan. WordPress's revision list (post_parent, post_type, post_status through an index on
// post_type: 93,260 steps, 51 ms a call) and featured-posts join (297,114 steps, 39 ms) were in no
// finding at the default slow_ms of 100: index_advise gives each an index that costs a few hundred.
constexpr int64_t kHeavySteps = 10 * kScannedRows;
// A query that reads whole tables (or runs kHeavySteps a call) warns, fast as each run may be,
// once its runs took this many times slow_ms in all: the shop app's cart lookup (2,837 rows read
// a call, 11.9 ms each, 400 calls: 4.7 s, the most of any query) was `info`, below every warning
// about the database.
constexpr double kScanTotalOfSlow = 10;

// True when the plan (query_stats' text form) reads some table whole.
bool ScansAWholeTable(const std::string& plan_text) {
  return ParsePlanText(plan_text).ScansAWholeTable();
}

// One row of the query_stats read below, by name.
struct QueryRow {
  std::string id, query, example;
  int64_t calls = 0, rows_scanned_per_call = 0;  // per run that did not fail
  int64_t failed = 0;                             // runs that failed (query_stats' errors)
  double total_ms = 0, mean_ms = 0, p95_ms = 0;
  std::string plan;
  double lock_wait_ms = 0;  // of total_ms, waiting in doctor's busy handler
  // `plan` is the one its runs had (captured as they ran: plan_id is set); else it is this
  // connection's plan now, which says nothing of the runs (the timing area plans no write when it
  // runs, since EXPLAIN of a write resets the application's changes()).
  bool plan_captured = false;
  int64_t steps_per_call = 0;  // VM steps, per run that did not fail
  // Its plan changed while these figures were summed (they mix plans): when (empty: it did
  // not), and the runs with the new plan (plan_changes' latest row for it).
  std::string changed_at;
  int64_t new_calls = 0;
  double new_mean_ms = 0, new_steps = 0;
  bool plan_changed() const { return !changed_at.empty(); }
};

// "ran 20 times", with " (10 failed)" when runs failed.
std::string RunsText(const QueryRow& q) {
  return absl::StrCat("ran ", q.calls, q.calls == 1 ? " time" : " times",
                      q.failed > 0 ? absl::StrCat(" (", q.failed, " failed)") : "");
}

// A statement that spent at least half its time waiting for a lock is slow because of whoever
// held the lock, not because of its plan.
bool MostlyWaited(const QueryRow& q) {
  return q.lock_wait_ms > 0 && q.lock_wait_ms * 2 >= q.total_ms;
}

Finding WaitingFinding(const QueryRow& q) {
  return {"locks", Severity::kWarn, q.id,
          absl::StrFormat("query %s %s, %.1f ms in all, %.1f ms of it waiting for a "
                          "lock held by another connection (busy handler): %s",
                          q.id, RunsText(q), q.total_ms, q.lock_wait_ms, Utf8Prefix(q.query, 160)),
          "it is slow because it waits for the write lock, not because of its plan: shorten the "
          "transactions that hold it (SELECT * FROM open_transactions WHERE state = 'write'; "
          "lock_stats.writer_pid names another process holding it now), and begin transactions "
          "that write IMMEDIATE so they queue for the lock instead of failing on upgrade",
          std::nullopt, q.lock_wait_ms};
}

// index_advise's options for the report's queries. Without statistics the advisor plans as the
// database does today, with none; but the report's fixes then end with ANALYZE
// (AnalyzeAfterIndexFixes), after which the planner picks with statistics, so the indexes are
// measured as they will be planned: as after ANALYZE. On a WordPress database without
// sqlite_stat1, running every fix of two reports in turn (each fix, then the workload again) took
// the workload from 1,889,609 VM steps to 1,673,578 planned without statistics, to 1,134,003
// measured as after ANALYZE.
std::string AdviseOptionsFor(bool analyzed_after) {
  return analyzed_after ? R"({"statistics": "sample"})" : "{}";
}

// The advisor's indexes for this one statement, if it finds any that pay: the first (the
// statement's own finding's fix) and the others it measured with it in `further`; `not_advised`
// is why it could not advise the statement at all ("it reads aux.a, a table of the attached
// database 'aux' ..."), as its error says. The further ones were once left to the next report:
// on a WordPress port the second index of the featured-posts query, wp_posts(post_status,
// post_type, ID, post_date), took five other queries from 1,889,609 to 3,193,634 VM steps (a
// comments join 88 -> 672,031). Two causes, both fixed: the copy dropped the database's
// sqlite_stat4 (scratch_statistics.cc), and a further index's finding, of impact 0, sorted after
// the ANALYZE of the fixes, so the index was built without statistics (AnalyzeAfterIndexFixes
// now moves an ANALYZE fix after every CREATE INDEX fix). Now, 12 runs a
// round at slow_ms 100: 1,865,679 -> 1,139,377 VM steps after one round of fixes, and none left
// for the next (first index only: -> 1,172,296 -> 1,139,345).
std::optional<std::string> AdvisedIndex(Connection& c, const QueryRow& q, bool analyzed_after,
                                        std::string* not_advised,
                                        std::vector<std::string>* further) {
  if (!HasTable(c, "index_advise")) return std::nullopt;
  absl::StatusOr<Rows> advice =
      Query(c, "SELECT index_sql FROM index_advise(?1, ?2) WHERE index_sql IS NOT NULL",
            {Value(RunnableQuery(q.query, q.example)),
             Value(AdviseOptionsFor(analyzed_after))});
  if (!advice.ok()) {
    constexpr absl::string_view kWhy = " not advised: ";
    const std::string message(advice.status().message());
    const size_t at = message.find(kWhy);
    if (at != std::string::npos) {
      *not_advised = message.substr(at + kWhy.size());
      // Query's own " (in: SELECT ...)" names our statement, not theirs.
      const size_t in = not_advised->rfind(" (in: SELECT index_sql");
      if (in != std::string::npos) not_advised->resize(in);
    }
    return std::nullopt;
  }
  if (advice->empty()) return std::nullopt;
  for (size_t i = 1; i < advice->size(); ++i) further->push_back((*advice)[i][0].AsText());
  return (*advice)[0][0].AsText();
}

// The advisor's further indexes for a listed query (a join's second table, a DELETE's own table
// after its cascade child's): each its own fix, so one run of the fixes leaves none of them for
// the next report.
void AddFurtherIndexes(const QueryRow& q, const std::vector<std::string>& further,
                       std::vector<Finding>& out) {
  for (const std::string& index_sql : further) {
    const std::optional<IndexShape> shape = ParseCreateIndex(index_sql);
    out.push_back({"timing", Severity::kInfo, shape ? shape->name : index_sql,
                   absl::StrFormat("query %s: the advisor measured this index together with "
                                   "the one of its own finding: %s",
                                   q.id, Utf8Prefix(q.query, 160)),
                   "create it with that one", index_sql, q.total_ms});  // beside its query
  }
}

// The queries past the first kMostQueries that are slow or read many rows call after call get
// their indexes too, from one index_advise over them all: one finding per index it recommends. Before,
// they got none until the queries above were fixed, so every fix of one report once left the
// next report with new CREATE INDEX fixes (a 32-statement Sakila workload: 5 more in the second
// report). Statements the copy cannot run leave them without one (an info finding says which).
void AddOverflowIndexes(Connection& c, const std::vector<const QueryRow*>& rest,
                        bool analyzed_after, std::vector<Finding>& out) {
  if (rest.empty() || !HasTable(c, "index_advise")) return;
  std::string workload, ids;
  double total_ms = 0;
  for (const QueryRow* q : rest) {
    absl::StrAppend(&workload, workload.empty() ? "" : ";\n", RunnableQuery(q->query, q->example));
    absl::StrAppend(&ids, ids.empty() ? "" : ", ", q->id);
    total_ms += q->total_ms;
  }
  const std::string which = absl::StrCat(
      rest.size(), rest.size() == 1 ? " more query" : " more queries", " past the first ",
      kMostQueries, rest.size() == 1 ? " is" : " are",
      " slow or read many rows call after call (", ids, ")");
  absl::StatusOr<Rows> advice = Query(
      c,
      "SELECT index_sql, statements, benefit FROM index_advise(?1, ?2) WHERE index_sql IS NOT "
      "NULL",
      {Value(workload), Value(AdviseOptionsFor(analyzed_after))});
  if (!advice.ok()) {
    out.push_back({"timing", Severity::kInfo, "query_stats",
                   absl::StrCat(which, "; the index advisor could not advise them together: ",
                                advice.status().message()),
                   "ask for indexes statement by statement: SELECT * FROM index_advise('<query>')",
                   std::nullopt, 0});
    return;
  }
  for (const Row& r : *advice) {
    const std::optional<IndexShape> shape = ParseCreateIndex(r[0].AsText());
    out.push_back({"timing", Severity::kInfo, shape ? shape->name : r[0].AsText(),
                   absl::StrFormat("%s; this index serves %d of them (%.0f%% of their VM steps "
                                   "on the sample)",
                                   which, r[1].AsInt(), 100 * r[2].AsDouble()),
                   "create the index the advisor measured for them", r[0].AsText(),
                   total_ms * r[2].AsDouble()});
  }
}

// `asked`: the advisor was asked for it (and `fix` is what it found). `warn`: slow, or costly in
// all.
Finding QueryFinding(const QueryRow& q, bool warn, bool scans, std::optional<std::string> fix,
                     const std::string& not_advised, bool asked) {
  // Figures that mix plans say nothing of the rows the plan scans now.
  const std::string scanned =
      q.plan_changed() ? absl::StrFormat("; its plan changed at %s (since then %d runs, mean %.2f "
                                       "ms, %.0f VM steps each)",
                                       q.changed_at, q.new_calls, q.new_mean_ms, q.new_steps)
      : scans && q.rows_scanned_per_call >= kScannedRows
          ? absl::StrCat("; each call scans ", q.rows_scanned_per_call, " rows")
      : q.steps_per_call >= kHeavySteps
          ? absl::StrCat("; each call runs ", q.steps_per_call, " VM steps")
          : "";
  std::string finding = absl::StrFormat(
      "query %s %s, %.1f ms in all (mean %.2f ms, p95 %.2f ms)%s: %s", q.id, RunsText(q),
      q.total_ms, q.mean_ms, q.p95_ms, scanned, Utf8Prefix(q.query, 160));
  const std::string advice =
      fix                    ? "create the index the advisor measured for it"
      : !not_advised.empty() ? absl::StrCat("the index advisor cannot advise it: ", not_advised)
      // Asked, the advisor found no index that pays: sending the reader to ask it again was
      // circular (a recursive CTE's `SCAN n` is read whole and no index serves it).
      : scans && asked ? "the index advisor finds no index that pays for it: look at its plan "
                         "and the rows it reads"
      : scans ? "ask for an index: SELECT * FROM index_advise() (the captured workload)"
      : asked ? "it is slow without scanning a whole table, and the index advisor finds no index "
                "that pays for it: look at its plan and the rows it returns"
              : "it is slow without scanning a whole table: look at its plan and the rows it "
                "returns";
  return {"timing",  warn ? Severity::kWarn : Severity::kInfo,
          q.id,      std::move(finding),
          advice,    std::move(fix),
          q.total_ms};
}

// A statement whose runs scanned whole tables while its plan now reads none, and for which the
// advisor finds no index that pays (a DELETE whose ON DELETE CASCADE children got their index):
// an index built since serves it, and its figures are mostly of runs from before. Its plan was not
// captured when it ran, so the runs since the index cannot be told apart: the finding says the
// fix is in place instead of calling it slow from the old runs (before: "warn ... ask for an
// index" after every fix of the previous report, for as long as the old runs dominated the mean).
// A query (its plan captured as it ran) is the same case, told exactly: every run so far had the
// captured plan, which read tables whole, and none ran since an index changed it (no plan change
// recorded). Before, such a query stayed "slow without scanning a whole table" (a Drizzle
// relational query after its report's index was built) or "the index advisor finds no index".
Finding AlreadyIndexedFinding(const QueryRow& q, const std::string& plan_now) {
  return {"timing", Severity::kInfo, q.id,
          absl::StrFormat("query %s %s, %.1f ms in all (mean %.2f ms, p95 %.2f ms); its runs "
                          "scanned %d rows per call, but its plan now reads no table whole (%s) "
                          "and no index would make it cheaper: %s",
                          q.id, RunsText(q), q.total_ms, q.mean_ms, q.p95_ms,
                          q.rows_scanned_per_call, Utf8Prefix(plan_now, 300),
                          Utf8Prefix(q.query, 160)),
          q.plan_captured
              ? absl::StrCat("nothing to index: an index built since serves it (already "
                             "applied); every run so far had the plan it ran with before (",
                             Utf8Prefix(q.plan, 200),
                             "), so these figures are of the runs before it: its next runs, or "
                             "SELECT query_stats_reset() to start the figures over, show what it "
                             "costs now")
              : "nothing to index: an index built since serves it (already applied), so these "
                "figures are mostly of the runs before it; its next runs show what it costs now "
                "(the plan a write ran with is not recorded, so the runs since cannot be told "
                "apart)",
          std::nullopt, 0};
}

// True when the plan shows every scan its runs can make: no trigger on a table it reads or writes
// (EXPLAIN QUERY PLAN shows no trigger's statements) and no foreign key without an index (it shows
// the first level of a write's ON DELETE / ON UPDATE actions, not their cascades).
absl::StatusOr<bool> PlanShowsEveryScan(Connection& c, const std::string& schema,
                                        const std::string& plan_now) {
  ASSIGN_OR_RETURN(std::vector<UnindexedForeignKey> unindexed, ForeignKeysWithoutIndex(c, schema));
  if (!unindexed.empty()) return false;
  for (const PlanStep& step : ParsePlanText(plan_now).steps) {
    if (step.table.empty()) continue;
    ASSIGN_OR_RETURN(Rows triggers,
                     Query(c, absl::StrCat("SELECT count(*) FROM ", QuoteIdentifier(schema),
                                           ".sqlite_schema WHERE type = 'trigger' AND "
                                           "lower(tbl_name) = lower(?1)"),
                           {Value(step.table)}));
    if (!triggers.empty() && triggers[0][0].AsInt() > 0) return false;
  }
  return true;
}

absl::Status CheckTimingActive(Connection& c, std::vector<Finding>& out) {
  ASSIGN_OR_RETURN(Rows info, Query(c, "SELECT status, store_error FROM query_stats_info"));
  if (info.empty()) return absl::OkStatus();
  if (!info[0][1].is_null()) {  // e.g. locked by another process: the figures are ours only
    out.push_back({"timing", Severity::kWarn, "query_stats",
                   absl::StrCat("the shared store could not be read, so the query findings use "
                                "this process's figures only: ",
                                info[0][1].AsText()),
                   "read again when no process holds a long transaction on the store",
                   std::nullopt, 0});
  }
  const std::string status = info[0][0].AsText();
  if (status == "active") return absl::OkStatus();
  // Turned off on purpose (doctor_set): a tool reading the report, as sqlite-doctor's command
  // line does to keep its own statements out of the statistics, reads the other processes'
  // figures from the store. Only an accidental stop ('replaced', 'not installed') warns: before,
  // every `npx sqlite-doctor report` warned of itself and `--fail-on warn` failed on it.
  if (status == "off") {
    out.push_back({"timing", Severity::kInfo, "query_stats",
                   "query timing is off in this process (doctor_set('timing', 'off')): its own "
                   "statements are not counted; the figures are those other processes recorded "
                   "in the shared store",
                   "turn it on with SELECT doctor_set('timing', 'on') where the application's "
                   "statements run",
                   std::nullopt, 0});
    return absl::OkStatus();
  }
  out.push_back(
      {"timing", Severity::kWarn, "query_stats",
       absl::StrCat("query timing is not active on this connection: ", status),
       "turn it on with SELECT doctor_set('timing', 'on'), or reload the extension", std::nullopt,
       0});
  return absl::OkStatus();
}

// The queries that cost the most: slow on average, or scanning whole tables call after call.
// query_stats' `plan` is the one the application ran with; PlanNow replaces it with the plan on
// this connection now, so a query whose scan an index has since fixed drops out.
absl::StatusOr<std::vector<QueryRow>> CostlyQueries(Connection& c, const std::string& schema,
                                                    double slow_ms) {
  const std::string sql = absl::StrCat(
      // A failed run (BUSY at its first step, say) scanned nothing: the scans are per run that
      // did not fail.
      "WITH q AS (SELECT *, ", kFailedRunsSql, " AS failed FROM query_stats "
      "WHERE db = ", kFileOfSchemaSql, "), "
      // Its plan changed while its figures were summed: they mix plans.
      // (max() picks the latest row's other columns.)
      "changed AS MATERIALIZED (SELECT query_id, max(at) AS at, new_calls, "
      "new_mean_ms, new_steps FROM plan_changes GROUP BY query_id) "
      "SELECT q.query_id, query, example, calls, "
      "fullscan_steps / max(calls - failed, 1) AS scanned, total_ms, mean_ms, "
      "p95_ms, plan, lock_wait_ms, failed, ch.at, ch.new_calls, "
      "ch.new_mean_ms, ch.new_steps, plan_id IS NOT NULL, "
      "vm_steps / max(calls - failed, 1) AS steps FROM q LEFT JOIN changed ch "
      "ON ch.query_id = q.query_id AND ch.at >= q.stats_since "
      "WHERE mean_ms >= ?2 OR (calls - failed >= 10 AND (scanned >= ?3 OR steps >= ?4)) "
      "ORDER BY total_ms DESC LIMIT 50");
  ASSIGN_OR_RETURN(Rows rows, Query(c, sql, {Value(schema), Value(slow_ms), Value(kScannedRows),
                                             Value(kHeavySteps)}));
  std::vector<QueryRow> queries;
  for (const Row& r : rows) {
    QueryRow q{r[0].AsText(), r[1].AsText(), r[2].AsText(), r[3].AsInt(), r[4].AsInt(),
               r[10].AsInt(), r[5].AsDouble(), r[6].AsDouble(), r[7].AsDouble(),
               r[8].AsText(), r[9].AsDouble()};
    q.plan_captured = r[15].AsInt() != 0;
    q.steps_per_call = r[16].AsInt();
    if (!r[11].is_null()) {
      q.changed_at = r[11].AsText();
      q.new_calls = r[12].AsInt();
      q.new_mean_ms = r[13].AsDouble();
      q.new_steps = r[14].AsDouble();
    }
    queries.push_back(std::move(q));
  }
  return queries;
}

// Plan changes of this database's queries that made them more than twice as costly
// (plan_changes, recorded by the timing area from the application's own plans).
absl::Status AddPlanRegressions(Connection& c, const std::string& schema,
                                std::vector<Finding>& out) {
  if (!HasTable(c, "plan_changes")) return absl::OkStatus();
  ASSIGN_OR_RETURN(Rows rows,
                   Query(c,
                         // Only while the regressed plan is still the query's plan.
                         "WITH now AS MATERIALIZED (SELECT query_id, plan_id FROM query_stats "
                         "WHERE plan_id IS NOT NULL) "
                         "SELECT query_id, query, at, cause, old_plan, new_plan, "
                         "coalesce(dropped_indexes, ''), old_mean_ms, new_mean_ms, old_steps, "
                         "new_steps, new_calls, coalesce(fix, ''), max(new_calls) "
                         "FROM plan_changes p "
                         "WHERE regression AND db = (SELECT CASE file WHEN '' THEN ':memory:' "
                         "ELSE file END FROM pragma_database_list WHERE name = ?1) AND new_plan_id IN (SELECT plan_id FROM now "
                         "WHERE now.query_id = p.query_id) "
                         // One finding per change of plan, not one per process that saw it
                         // (plan_changes has a row per process): the one with the most runs.
                         "GROUP BY query_id, old_plan_id, new_plan_id LIMIT ?2",
                         {Value(schema), Value(kMostQueries)}));
  for (const Row& r : rows) {
    // The regressed plan is the application's last capture; its fix (CREATE INDEX, ANALYZE) run
    // from here gives the old plan back before the application runs the query again: the plan on
    // this connection now says so (before, the finding stayed until then, its fix then ANALYZE;).
    absl::StatusOr<QueryPlan> now = ExplainQueryPlan(c, RunnableQuery(r[1].AsText(), ""));
    if (now.ok() && !now->empty() && PlanText(*now) == r[4].AsText()) continue;
    PlanRegression p{r[0].AsText(),   r[1].AsText(),   r[2].AsText(),  r[3].AsText(),
                     r[4].AsText(),   r[5].AsText(),   r[6].AsText(),  r[7].AsDouble(),
                     r[8].AsDouble(), r[9].AsDouble(), r[10].AsDouble(), r[11].AsInt(),
                     r[12].AsText()};
    for (const PlanStep& step : ParsePlanText(p.old_plan).steps) {
      if (!step.index.empty()) {
        p.old_index = step.index;
        break;
      }
    }
    out.push_back(PlanRegressionFinding(p));
  }
  return absl::OkStatus();
}

// The plan of the query on this connection now (query_stats' plan when it cannot be planned).
std::string PlanNow(Connection& c, const QueryRow& q) {
  absl::StatusOr<QueryPlan> plan = ExplainQueryPlan(c, RunnableQuery(q.query, q.example));
  return plan.ok() && !plan->empty() ? PlanText(*plan) : q.plan;
}

}  // namespace

absl::Status AddQueryFindings(Connection& c, const std::string& schema, std::vector<Finding>& out) {
  if (!HasTable(c, "query_stats")) return absl::OkStatus();
  RETURN_IF_ERROR(CheckTimingActive(c, out));
  ASSIGN_OR_RETURN(Rows slow_ms,
                   Query(c, "SELECT value FROM doctor_config WHERE name = 'slow_ms'"));
  const double threshold = slow_ms.empty() ? 100 : slow_ms[0][0].AsDouble();
  ASSIGN_OR_RETURN(std::vector<QueryRow> queries, CostlyQueries(c, schema, threshold));
  RETURN_IF_ERROR(AddPlanRegressions(c, schema, out));
  ASSIGN_OR_RETURN(const bool has_statistics, HasStatistics(c, schema));
  int reported = 0, heavy_asked = 0;
  std::vector<const QueryRow*> rest;  // past kMostQueries, slow or scanning: advised together
  for (const QueryRow& q : queries) {
    // A query or a write is a statement to tune; a slow CREATE INDEX or PRAGMA is not.
    if (!IsAdvisable(KindOfStatement(q.query)) || CallsTheExtension(c, q.query)) continue;
    bool slow = q.mean_ms >= threshold;
    // A full scan of an index (SCAN t USING COVERING INDEX i) reads every row too; its plan step
    // names an index, so while the plan is the one the application ran, its measured full-scan
    // steps say whether it scans (an index scan that ORDER BY ... LIMIT stops early does not);
    // not when its plan changed while they were summed (they are mostly the old plan's).
    const std::string plan_now = PlanNow(c, q);
    bool scans_table = ScansAWholeTable(plan_now);
    // Its plan changed while the figures were summed: the runs since then say what it costs now
    // (a whole table of 30 rows read by the new plan is no finding because the old one read
    // 3,000 for each call).
    // Its VM steps are its runs' (all of one plan unless the plan changed meanwhile): they say
    // nothing of the plan now when that differs from the captured one (an index built since).
    const bool steps_of_plan_now = !q.plan_captured || plan_now == q.plan;
    bool heavy = steps_of_plan_now && q.steps_per_call >= kHeavySteps;
    if (q.plan_changed() && q.new_calls > 0) {
      slow = q.new_mean_ms >= threshold;
      scans_table = scans_table && q.new_steps >= kScannedRows;
      heavy = steps_of_plan_now && q.new_steps >= kHeavySteps;
    }
    const bool figures_scan = q.rows_scanned_per_call >= kScannedRows;
    const bool scans = scans_table || (q.plan_captured && !q.plan_changed() &&
                                       plan_now == q.plan && figures_scan);
    // Its runs scanned and its plan now does not, and no plan says which of them ran with which
    // (a write's plan is not captured): an index built since, or a scan the plan does not show
    // (a trigger's, a grandchild's of ON DELETE CASCADE): the advisor, which measures those,
    // tells.
    const bool scanned_before = !scans && !q.plan_captured && figures_scan;
    // Its runs all had the captured plan, which scanned (measured), and its plan now reads no
    // table whole: fixed since, nothing it ran with yet.
    const bool fixed_since = q.plan_captured && !q.plan_changed() && figures_scan &&
                             !scans_table && plan_now != q.plan && ScansAWholeTable(q.plan);
    if (!slow && !scans && !scanned_before && !heavy) continue;
    // Heavy alone, the advisor often finds nothing (an aggregate over many rows): such a query is
    // asked alone up to kMostQueries times, then with the rest, so the report stays bounded.
    const bool heavy_only = !slow && !scans && !scanned_before;
    if (reported >= kMostQueries || (heavy_only && heavy_asked >= kMostQueries)) {
      if (!MostlyWaited(q)) rest.push_back(&q);
      continue;
    }
    if (MostlyWaited(q)) {
      ++reported;
      out.push_back(WaitingFinding(q));
      continue;
    }
    // A slow query that reads no table whole is asked too: walking most of an index (a
    // low-selectivity one, or one picked for its order) costs as much as a scan, and its plan
    // step names an index. Before, WordPress's revision list (`post_parent = ? AND post_type = ?
    // AND post_status = ? ORDER BY post_date DESC`, read through (post_type, post_status,
    // post_date, ID): 101,495 VM steps, 47 ms a call) was "slow without scanning a whole table"
    // with no fix, while index_advise of the same statement gave one that costs 578.
    std::string not_advised;
    if (heavy_only) ++heavy_asked;
    std::vector<std::string> further;
    std::optional<std::string> fix =
        AdvisedIndex(c, q, !has_statistics, &not_advised, &further);
    if (fixed_since && !fix && not_advised.empty()) {  // and no index would make it cheaper now
      ++reported;
      out.push_back(AlreadyIndexedFinding(q, plan_now));
      continue;
    }
    // An index read whole that no other index would spare (a GROUP BY over every row through
    // its covering index) is how the query has to run: a finding only when it is slow.
    if (!slow && !scans_table && !fix) continue;
    ++reported;
    bool already_indexed = false;
    if (scanned_before && !fix && not_advised.empty()) {
      ASSIGN_OR_RETURN(already_indexed, PlanShowsEveryScan(c, schema, plan_now));
    }
    if (already_indexed) {
      out.push_back(AlreadyIndexedFinding(q, plan_now));
      continue;
    }
    const bool asked = HasTable(c, "index_advise");
    const bool reads_whole = scans || scanned_before;
    const bool warn =
        slow || ((reads_whole || heavy) && q.total_ms >= kScanTotalOfSlow * threshold);
    out.push_back(QueryFinding(q, warn, reads_whole, std::move(fix), not_advised, asked));
    AddFurtherIndexes(q, further, out);
  }
  AddOverflowIndexes(c, rest, !has_statistics, out);
  return absl::OkStatus();
}

}  // namespace doctor::report
