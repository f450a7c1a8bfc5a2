// The workload replay of migrate_check: the application's hot queries (captured by the timing
// area in query_stats, top by total time) run on the dry run's database before the migration
// and again after it, inside the dry run's savepoint; each query whose plan changes (or that no
// longer prepares) becomes a `plan_change` finding with its share of the measured time, the plan
// before -> after, the VM steps before -> after, and the index the migration dropped when the
// plan before used it; one finding per cause (PlanChanges). Example detail:
//   "drops jobs_state, used by 3 hot queries whose plan changes (45% of measured time); the
//    worst: SELECT * FROM jobs WHERE state = ? goes from SEARCH jobs USING INDEX jobs_state
//    (state=?) to SCAN jobs, 92 -> 196,307 steps (with state = 'queued' (rarest))"
//
// How queries are run: the literal `example` of query_stats when there is one, else the
// normalized text, with HotQuery::params bound (replay_params.h chooses them; without them the
// parameters are NULL and the detail says so). Statements that are not queries or writes (core
// IsPlannable) or that call the extension are skipped. Each runs in a nested savepoint that is
// rolled back, with a step budget.
#ifndef DOCTOR_MIGRATIONS_REPLAY_H_
#define DOCTOR_MIGRATIONS_REPLAY_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ext/core/connection.h"
#include "ext/core/private_db.h"
#include "ext/core/query_plan.h"
#include "ext/core/sqlite.h"
#include "ext/migrations/check.h"

namespace doctor::migrations {

// At most this many hot queries are replayed, and each run stops after this many VM steps.
constexpr int kMostHotQueries = 20;
constexpr int64_t kReplayStepBudget = 5000000;

// The cost of one hot query on the dry run's database at one moment.
struct QueryCost {
  bool ran = false;     // prepared and ran (possibly capped)
  std::string error;    // why not
  QueryPlan plan;
  int64_t steps = 0;
  bool capped = false;  // stopped at kReplayStepBudget
  int parameters = 0;   // its parameter count (bound to HotQuery::params, the rest NULL)
};

// The hot queries of the caller's main database from query_stats (empty when the timing area
// is absent or has captured nothing for this file).
absl::StatusOr<std::vector<HotQuery>> ReadHotQueries(Connection& caller);

// Runs each query on `db` (inside its open savepoint) and returns the costs, in order.
// `private_db` owns `db` (for the step budget), or nullptr.
absl::StatusOr<std::vector<QueryCost>> MeasureQueries(sqlite3* db, PrivateDb* private_db,
                                                      const std::vector<HotQuery>& queries);

// What the migration did to the schema, for naming the cause of a plan change (lower case).
struct SchemaMoves {
  std::set<std::string> dropped_indexes;  // existed before, not after
  std::set<std::string> changed_indexes;  // in both, with other facts (dropped and recreated)
  std::set<std::string> rebuilt_tables;   // dropped and created again (a table rebuild)
};

// The plan_change findings, one per cause: each dropped or changed index the plans before used,
// each rebuilt table they read, with how many hot queries changed plan through it, their share
// of the measured time and the worst one's plan and steps before -> after; a query whose change
// has none of these causes gets a finding of its own. Queries whose plan text did not change and
// that still run are left out.
std::vector<Finding> PlanChanges(const std::vector<HotQuery>& queries,
                                 const std::vector<QueryCost>& before,
                                 const std::vector<QueryCost>& after, const SchemaMoves& moves);

}  // namespace doctor::migrations

#endif  // DOCTOR_MIGRATIONS_REPLAY_H_
