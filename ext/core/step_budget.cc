#include "ext/core/step_budget.h"

#include "ext/core/private_db.h"
#include "ext/core/sql.h"

namespace doctor {
namespace {

// Called every 100 VM steps by PrivateDb's progress handler: stops once the ticks are spent.
int SpendTick(void* ticks) { return --*static_cast<int64_t*>(ticks) < 0 ? 1 : 0; }

struct Finalizer {
  sqlite3_stmt* stmt = nullptr;
  ~Finalizer() { sqlite3_finalize(stmt); }
};

// Steps the prepared statement until done or over the budget.
StepCount Step(sqlite3* db, PrivateDb* private_db, sqlite3_stmt* stmt, int64_t budget) {
  StepCount out;
  int64_t ticks = budget / 100 + 1;
  const bool hook = private_db != nullptr && PrivateDb::HasProgressHandler();
  if (hook) private_db->SetProgressHook(SpendTick, &ticks);
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_VM_STEP, 0) > budget) {
      rc = SQLITE_INTERRUPT;
      ticks = -1;
      break;
    }
  }
  if (hook) private_db->SetProgressHook(nullptr, nullptr);
  out.steps = sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_VM_STEP, 0);
  if (rc == SQLITE_INTERRUPT && ticks < 0) {
    out.capped = true;
  } else if (rc != SQLITE_DONE) {
    out.error = sqlite3_errmsg(db);
    out.code = rc & 0xff;
  }
  return out;
}

}  // namespace

StepCount RunWithStepBudget(sqlite3* db, PrivateDb* private_db, absl::string_view sql,
                            absl::Span<const Value> params, int64_t budget, Writes writes) {
  if (private_db != nullptr) {
    // Stopped work stays stopped: not even the prepare of the next statement of a long workload.
    if (absl::Status stop = private_db->CheckInterrupted(); !stop.ok()) {
      StepCount out;
      out.error = std::string(stop.message());
      return out;
    }
  }
  Finalizer f;
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &f.stmt, nullptr) !=
          SQLITE_OK ||
      f.stmt == nullptr) {
    StepCount out;
    out.error = f.stmt == nullptr && sqlite3_errcode(db) == SQLITE_OK ? "empty statement"
                                                                      : sqlite3_errmsg(db);
    return out;
  }
  const int parameters = sqlite3_bind_parameter_count(f.stmt);
  for (int i = 0; i < parameters && i < static_cast<int>(params.size()); ++i) {
    BindValue(f.stmt, i + 1, params[i]);
  }
  const bool roll_back = writes == Writes::kRolledBack && !sqlite3_stmt_readonly(f.stmt);
  if (roll_back) {
    if (absl::Status opened = Exec(db, "SAVEPOINT doctor_step_budget"); !opened.ok()) {
      StepCount out;
      out.parameters = parameters;
      out.error = std::string(opened.message());
      return out;
    }
  }
  StepCount out = Step(db, private_db, f.stmt, budget);
  out.parameters = parameters;
  sqlite3_finalize(f.stmt);
  f.stmt = nullptr;
  if (roll_back) {
    // Also after an error or the budget: the savepoint never outlives the call.
    sqlite3_exec(db, "ROLLBACK TO doctor_step_budget; RELEASE doctor_step_budget", nullptr,
                 nullptr, nullptr);
  }
  return out;
}

}  // namespace doctor
