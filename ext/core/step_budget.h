// Running one statement to measure its cost in VM steps (SQLITE_STMTSTATUS_VM_STEP, which is
// deterministic for a given plan and data), stopped after a step budget so a slow statement
// cannot hang the caller. The rows it returns are dropped; a write is kept unless the caller asks
// for Writes::kRolledBack (the statement then runs inside a savepoint that is rolled back).
// The one home of "run this and count its steps": index_advise's scratch copy measures candidate
// indexes with it, migrate_check's replay measures hot queries.
//
// Example:
//   StepCount cost = RunWithStepBudget(scratch->db(), scratch.get(), "SELECT * FROM t WHERE a = 1",
//                                      {}, /*budget=*/2000000);
//   if (cost.error.empty() && !cost.capped) Use(cost.steps);
#ifndef DOCTOR_CORE_STEP_BUDGET_H_
#define DOCTOR_CORE_STEP_BUDGET_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ext/core/sqlite.h"
#include "ext/core/value.h"

namespace doctor {

class PrivateDb;

// What becomes of a statement's changes.
enum class Writes { kKept, kRolledBack };

struct StepCount {
  int64_t steps = 0;   // VM steps the statement took (up to the budget when capped)
  bool capped = false;  // stopped by the budget
  int parameters = 0;   // the statement's parameter count (those beyond `params` were NULL)
  std::string error;    // set when it did not prepare or failed while running
  int code = 0;         // SQLite's result code of that failure (SQLITE_FULL, SQLITE_TOOBIG, ...)
};

// Runs `sql` (one statement) on `db` with `params` bound 1..n. With `private_db` (the PrivateDb
// that owns `db`) and a SQLite that has a progress handler, the budget stops the statement
// inside a step; otherwise it is checked between rows only (the PrivateDb's deadline still
// applies). A statement stopped by anything but the budget (the caller's interrupt, the
// PrivateDb's deadline) is an error, not `capped`. With Writes::kRolledBack, a statement that
// writes runs inside SAVEPOINT doctor_step_budget, rolled back and released before returning.
StepCount RunWithStepBudget(sqlite3* db, PrivateDb* private_db, absl::string_view sql,
                            absl::Span<const Value> params, int64_t budget,
                            Writes writes = Writes::kKept);

}  // namespace doctor

#endif  // DOCTOR_CORE_STEP_BUDGET_H_
