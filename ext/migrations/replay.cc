#include "ext/migrations/replay.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
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

// What the migration did that changed a query's plan: ("drops", index), ("changes", index),
// ("rebuilds", table), or empty when none of these explains it.
std::pair<std::string, std::string> CauseOf(const QueryPlan& before, const SchemaMoves& moves) {
  for (const std::string& index : moves.dropped_indexes) {
    if (before.UsesIndex(index)) return {"drops", index};
  }
  for (const std::string& index : moves.changed_indexes) {
    if (before.UsesIndex(index)) return {"changes", index};
  }
  for (const PlanStep& step : before.steps) {
    const std::string table = absl::AsciiStrToLower(step.table);
    if (moves.rebuilt_tables.count(table) > 0) return {"rebuilds", table};
  }
  return {"", ""};
}

std::string Share(double share) {
  return share >= 0.005 ? absl::StrFormat("%.0f%% of measured time", 100 * share)
                        : "<1% of measured time";
}

// How the values of a query's parameters were chosen, for the detail.
std::string ParameterNote(const HotQuery& q, const QueryCost& cost) {
  if (!q.assumed.empty()) return absl::StrCat(" (with ", q.assumed, ")");
  if (cost.parameters == 0) return "";
  return " (its parameters bound to NULL)";
}

// "SELECT ... goes from <plan> to <plan>, 92 -> 196,307 steps", or why it no longer runs.
std::string Movement(const HotQuery& q, const QueryCost& before, const QueryCost& after) {
  std::string query = Excerpt(q.sql, 80);
  while (!query.empty() && query.back() == ';') query.pop_back();
  if (!after.ran) {
    return absl::StrCat(query, " no longer runs after the migration: ", after.error);
  }
  return absl::StrCat(query, " goes from ", PlanText(before.plan), " to ", PlanText(after.plan),
                      ", ", Steps(before), " -> ", Steps(after), " steps",
                      ParameterNote(q, before));
}

bool Regressed(const QueryCost& before, const QueryCost& after) {
  return !after.ran || (after.capped && !before.capped) ||
         after.steps > 2 * std::max<int64_t>(before.steps, 1);
}

// How bad a change is, for picking the worst of a group: a failure, else the steps added.
double Badness(const QueryCost& before, const QueryCost& after) {
  if (!after.ran) return 1e18;
  return static_cast<double>(after.steps - before.steps) + (after.capped ? 1e17 : 0);
}

// One finding for the queries `members` (indexes into the arrays) changed by one cause.
Finding Group(const std::pair<std::string, std::string>& cause, const std::vector<size_t>& members,
              const std::vector<HotQuery>& q, const std::vector<QueryCost>& before,
              const std::vector<QueryCost>& after) {
  double share = 0;
  bool regressed = false;
  size_t worst = members.front();
  for (size_t i : members) {
    share += q[i].share;
    regressed = regressed || Regressed(before[i], after[i]);
    if (Badness(before[i], after[i]) > Badness(before[worst], after[worst])) worst = i;
  }
  const std::string movement = Movement(q[worst], before[worst], after[worst]);
  std::string detail, object;
  if (cause.first.empty()) {
    object = Excerpt(q[worst].sql, 80);
    while (!object.empty() && object.back() == ';') object.pop_back();
    detail = absl::StrCat("hot query (", Share(share), ") ", movement);
  } else {
    object = cause.second;
    const char* use = cause.first == "rebuilds" ? "read by" : "used by";
    detail = members.size() == 1
                 ? absl::StrCat(cause.first, " ", object, ", ", use, " this hot query (",
                                Share(share), "): ", movement)
                 : absl::StrCat(cause.first, " ", object, ", ", use, " ", members.size(),
                                " hot queries whose plan changes (", Share(share),
                                "); the worst: ", movement);
  }
  return Finding{regressed ? "warning" : "info", "plan_change", object, std::move(detail)};
}

}  // namespace

absl::StatusOr<std::vector<HotQuery>> ReadHotQueries(Connection& caller) {
  absl::StatusOr<Rows> rows = Query(
      caller,
      "SELECT query, example, total_ms, query_id FROM query_stats WHERE db = "
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
      HotQuery q;
      q.sql = sql;
      q.share = r[2].AsDouble();  // its total_ms until divided below
      q.query_id = r[3].is_null() ? 0 : r[3].AsInt();
      out.push_back(std::move(q));
    }
  }
  for (HotQuery& q : out) q.share = measured_ms > 0 ? q.share / measured_ms : 0;
  return out;
}

// A write that its representative values (replay_params.h) make break a UNIQUE or FOREIGN KEY
// constraint ran as far as its plan goes: the values were picked from the data before the
// migration (a parent row the migration deletes, a key it inserts), so the failure is about
// them, not the statement. Counted as a failure, a migration that deleted duplicate projects
// (and, through ON DELETE CASCADE, the task the replayed INSERT INTO comments had picked) was
// said to make that INSERT "no longer run".
bool FailsOnItsValuesOnly(const std::string& error) {
  return absl::StartsWith(error, "FOREIGN KEY constraint failed") ||
         absl::StartsWith(error, "UNIQUE constraint failed");
}

absl::StatusOr<std::vector<QueryCost>> MeasureQueries(sqlite3* db, PrivateDb* private_db,
                                                      const std::vector<HotQuery>& queries) {
  std::vector<QueryCost> out;
  for (const HotQuery& q : queries) {
    QueryCost cost;
    absl::StatusOr<QueryPlan> plan = ExplainQueryPlan(db, q.sql, q.params);
    if (!plan.ok()) {
      // "no such table: t (in: EXPLAIN QUERY PLAN ...)": the query is named in the detail already.
      const std::string message(plan.status().message());
      cost.error = message.substr(0, message.find(" (in: "));
      out.push_back(std::move(cost));
      continue;
    }
    cost.plan = *std::move(plan);
    RETURN_IF_ERROR(Exec(db, "SAVEPOINT doctor_replay"));
    StepCount run = RunWithStepBudget(db, private_db, q.sql, q.params, kReplayStepBudget);
    RETURN_IF_ERROR(Exec(db, "ROLLBACK TO doctor_replay; RELEASE doctor_replay"));
    if (private_db != nullptr) RETURN_IF_ERROR(private_db->CheckInterrupted());
    cost.parameters = run.parameters;
    if (!run.error.empty() && !FailsOnItsValuesOnly(run.error)) {
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
                                 const std::vector<QueryCost>& after, const SchemaMoves& moves) {
  // Causes in the order of their first query (the hottest first); a query without a cause is
  // a group of its own.
  std::vector<std::pair<std::pair<std::string, std::string>, std::vector<size_t>>> groups;
  for (size_t i = 0; i < queries.size() && i < before.size() && i < after.size(); ++i) {
    if (!before[i].ran) continue;  // nothing to compare with
    if (after[i].ran && PlanText(before[i].plan) == PlanText(after[i].plan)) continue;
    std::pair<std::string, std::string> cause = CauseOf(before[i].plan, moves);
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto& g) { return !cause.first.empty() && g.first == cause; });
    if (it == groups.end()) {
      groups.push_back({cause, {i}});
    } else {
      it->second.push_back(i);
    }
  }
  std::vector<Finding> out;
  for (const auto& [cause, members] : groups) {
    out.push_back(Group(cause, members, queries, before, after));
  }
  return out;
}

}  // namespace doctor::migrations
