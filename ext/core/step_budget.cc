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

}  // namespace

StepCount RunWithStepBudget(sqlite3* db, PrivateDb* private_db, absl::string_view sql,
                            absl::Span<const Value> params, int64_t budget) {
  StepCount out;
  Finalizer f;
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &f.stmt, nullptr) !=
          SQLITE_OK ||
      f.stmt == nullptr) {
    out.error = f.stmt == nullptr && sqlite3_errcode(db) == SQLITE_OK ? "empty statement"
                                                                      : sqlite3_errmsg(db);
    return out;
  }
  out.parameters = sqlite3_bind_parameter_count(f.stmt);
  for (int i = 0; i < out.parameters && i < static_cast<int>(params.size()); ++i) {
    BindValue(f.stmt, i + 1, params[i]);
  }
  int64_t ticks = budget / 100 + 1;
  const bool hook = private_db != nullptr && PrivateDb::HasProgressHandler();
  if (hook) private_db->SetProgressHook(SpendTick, &ticks);
  int rc;
  while ((rc = sqlite3_step(f.stmt)) == SQLITE_ROW) {
    if (sqlite3_stmt_status(f.stmt, SQLITE_STMTSTATUS_VM_STEP, 0) > budget) {
      rc = SQLITE_INTERRUPT;
      ticks = -1;
      break;
    }
  }
  if (hook) private_db->SetProgressHook(nullptr, nullptr);
  out.steps = sqlite3_stmt_status(f.stmt, SQLITE_STMTSTATUS_VM_STEP, 0);
  if (rc == SQLITE_INTERRUPT && ticks < 0) {
    out.capped = true;
  } else if (rc != SQLITE_DONE) {
    out.error = sqlite3_errmsg(db);
  }
  return out;
}

}  // namespace doctor
