#include "ext/migrations/replay.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ext/core/extension_objects.h"
#include "ext/core/sql.h"
#include "ext/core/sql_normalize.h"
#include "ext/core/statement_kind.h"
#include "ext/core/status_macros.h"
#include "ext/core/step_budget.h"
#include "ext/migrations/sql_text.h"

namespace doctor::migrations {
namespace {

// 196307 -> "196,307"; a capped run -> "> 5,000,000".
std::string Steps(const QueryCost& cost) {
  std::string digits = absl::StrCat(cost.steps);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return cost.capped ? absl::StrCat("> ", out) : out;
}

// The first index of `plan` that the migration dropped ("" for none).
std::string DroppedIndexUsed(const QueryPlan& plan, const std::set<std::string>& dropped) {
  for (const std::string& index : dropped) {
    if (plan.UsesIndex(index)) return index;
  }
  return "";
}

Finding PlanChange(const HotQuery& q, const QueryCost& before, const QueryCost& after,
                   const std::set<std::string>& dropped) {
  const std::string index = DroppedIndexUsed(before.plan, dropped);
  const std::string share = q.share >= 0.005
                                ? absl::StrFormat("%.0f%% of measured time", 100 * q.share)
                                : "<1% of measured time";
  std::string query = Excerpt(q.sql, 80);
  while (!query.empty() && query.back() == ';') query.pop_back();
  std::string detail =
      index.empty() ? absl::StrCat("hot query (", share, ") ", query)
                    : absl::StrCat("drops ", index, ", used by this hot query (", share, "): ",
                                   query);
  const bool fails = !after.ran;
  if (fails) {
    absl::StrAppend(&detail, " no longer runs after the migration: ", after.error);
  } else {
    absl::StrAppend(&detail, " goes from ", PlanText(before.plan), " to ", PlanText(after.plan),
                    ", ", Steps(before), " -> ", Steps(after), " steps",
                    before.null_parameters ? " (its parameters bound to NULL)" : "");
  }
  const bool slower = (after.capped && !before.capped) ||
                      after.steps > 2 * std::max<int64_t>(before.steps, 1);
  return Finding{fails || slower ? "warning" : "info", "plan_change", index.empty() ? query : index,
                 std::move(detail)};
}

}  // namespace

absl::StatusOr<std::vector<HotQuery>> ReadHotQueries(Connection& caller) {
  absl::StatusOr<Rows> rows = Query(
      caller,
      "SELECT query, example, total_ms FROM query_stats WHERE db = "
      "(SELECT CASE WHEN file = '' THEN ':memory:' ELSE file END FROM pragma_database_list "
      "WHERE name = 'main') ORDER BY total_ms DESC");
  std::vector<HotQuery> out;
  if (!rows.ok()) return out;  // the timing area is not built in, or not readable here
  double measured_ms = 0;  // the application's time: the doctor's own calls left out
  for (const Row& r : *rows) {
    const std::string sql(absl::StripTrailingAsciiWhitespace(
        RunnableQuery(r[0].AsText(), r[1].is_null() ? "" : r[1].AsText())));
    if (CallsTheExtension(caller, sql)) continue;
    measured_ms += r[2].AsDouble();
    if (IsPlannable(KindOfStatement(sql)) && out.size() < static_cast<size_t>(kMostHotQueries)) {
      out.push_back({sql, r[2].AsDouble()});  // share: its total_ms until divided below
    }
  }
  for (HotQuery& q : out) q.share = measured_ms > 0 ? q.share / measured_ms : 0;
  return out;
}

absl::StatusOr<std::vector<QueryCost>> MeasureQueries(sqlite3* db, PrivateDb* private_db,
                                                      const std::vector<HotQuery>& queries) {
  std::vector<QueryCost> out;
  for (const HotQuery& q : queries) {
    QueryCost cost;
    absl::StatusOr<QueryPlan> plan = ExplainQueryPlan(db, q.sql);
    if (!plan.ok()) {
      // "no such table: t (in: EXPLAIN QUERY PLAN ...)": the query is named in the detail already.
      const std::string message(plan.status().message());
      cost.error = message.substr(0, message.find(" (in: "));
      out.push_back(std::move(cost));
      continue;
    }
    cost.plan = *std::move(plan);
    RETURN_IF_ERROR(Exec(db, "SAVEPOINT doctor_replay"));
    StepCount run = RunWithStepBudget(db, private_db, q.sql, {}, kReplayStepBudget);
    RETURN_IF_ERROR(Exec(db, "ROLLBACK TO doctor_replay; RELEASE doctor_replay"));
    if (private_db != nullptr) RETURN_IF_ERROR(private_db->CheckInterrupted());
    cost.null_parameters = run.parameters > 0;
    if (!run.error.empty()) {
      cost.error = run.error;
    } else {
      cost.ran = true;
      cost.steps = run.steps;
      cost.capped = run.capped;
    }
    out.push_back(std::move(cost));
  }
  return out;
}

std::vector<Finding> PlanChanges(const std::vector<HotQuery>& queries,
                                 const std::vector<QueryCost>& before,
                                 const std::vector<QueryCost>& after,
                                 const std::set<std::string>& dropped_indexes) {
  std::vector<Finding> out;
  for (size_t i = 0; i < queries.size() && i < before.size() && i < after.size(); ++i) {
    if (!before[i].ran) continue;  // nothing to compare with
    if (after[i].ran && PlanText(before[i].plan) == PlanText(after[i].plan)) continue;
    out.push_back(PlanChange(queries[i], before[i], after[i], dropped_indexes));
  }
  return out;
}

}  // namespace doctor::migrations
