// A private SQLite connection that does work on behalf of a caller's connection (index_advise's
// scratch copy, migrate_check's dry run, schema_diff's empty databases), and that stops when the
// caller is interrupted or a deadline passes.
//
// Example:
//   ASSIGN_OR_RETURN(std::unique_ptr<PrivateDb> scratch,
//                    PrivateDb::Open(call.connection(), ":memory:"));
//   RETURN_IF_ERROR(Exec(scratch->db(), sql));         // fails once stopped
//   RETURN_IF_ERROR(scratch->CheckInterrupted());       // between steps of a long loop
//
// How it stops the work:
//   - Where the loaded SQLite has a progress handler, one on the private db fails the running
//     statement (SQLITE_INTERRUPT) once the deadline has passed or the caller was interrupted.
//     The caller's interrupt is seen portably by stepping a cached `SELECT 1` on the caller's
//     db (at most every 50 ms): it returns SQLITE_INTERRUPT while the caller is interrupted and
//     one of its statements is active (ours is), or with sqlite3_is_interrupted (3.41+).
//   - better-sqlite3 compiles the progress handler out: there a watchdog thread calls
//     sqlite3_interrupt on the private db at the deadline, and when sqlite3_is_interrupted says
//     the caller was interrupted. The thread is stopped and joined before the db is closed.
//   - Between steps, CheckInterrupted() does the same checks.
// Once stopped it stays stopped, and at destruction the reason is recorded on the caller's
// Connection: the function or table adapter then returns it as the call's error ("interrupted"
// or "took longer than N ms (work_timeout_ms)") whatever the work itself returned, so a stopped
// run never yields a partial answer.
#ifndef DOCTOR_CORE_PRIVATE_DB_H_
#define DOCTOR_CORE_PRIVATE_DB_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "ext/core/connection.h"
#include "ext/core/setting.h"
#include "ext/core/sqlite.h"

namespace doctor {

// The deadline of work on a private connection, in milliseconds (0: none). Listed by the meta
// area so doctor_config shows it.
extern Setting kWorkTimeoutMs;

struct PrivateDbOptions {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  // -1: kWorkTimeoutMs. A test may force a value.
  int64_t timeout_ms = -1;
  // Tests only: use the watchdog thread even where the progress handler exists.
  bool force_watchdog = false;
};

// While one lives on this thread, the connection being opened is one of the extension's own (a
// PrivateDb, a <db>-doctor store): RegisterAreas registers nothing on it, so an auto-loaded
// sqlite-doctor (doctor_autoload(), or a host's sqlite3_auto_extension) does not time it and does
// not offer its functions to the SQL that runs there. That SQL may come from a database: a
// journal's migrations replayed by schema_drift, a store's captured queries run by the advisor.
// Through a doctor function it would reach the process (doctor_set, query_stats_reset) as if the
// user had called it at top level.
class OwnConnectionScope {
 public:
  OwnConnectionScope();
  ~OwnConnectionScope();
  OwnConnectionScope(const OwnConnectionScope&) = delete;
  OwnConnectionScope& operator=(const OwnConnectionScope&) = delete;
};
bool OpeningOwnConnection();

// Whether an error message (of one of the extension's own tables or functions, read back through
// SQL, where only the text survives) is work stopped at its work_timeout_ms deadline: what
// PrivateDb writes, recognised here beside it.
bool IsWorkTimeoutMessage(absl::string_view message);

class PrivateDb {
 public:
  // Opens `path` (":memory:" or a file) for work on behalf of `caller`.
  static absl::StatusOr<std::unique_ptr<PrivateDb>> Open(Connection& caller, const std::string& path,
                                                         const PrivateDbOptions& options = {});
  ~PrivateDb();
  PrivateDb(const PrivateDb&) = delete;
  PrivateDb& operator=(const PrivateDb&) = delete;

  sqlite3* db() const { return db_; }
  Connection& caller() const { return caller_; }

  // OK while the work may go on; otherwise why it must stop (sticky).
  absl::Status CheckInterrupted();

  // For code that needs its own progress callback on db() (a step budget): `hook` is called
  // from the private db's progress handler every 100 VM steps and stops the statement when it
  // returns non-zero. nullptr removes it. Only where the SQLite has a progress handler.
  void SetProgressHook(int (*hook)(void*), void* arg);

  static bool HasProgressHandler();

  // Adds where the work was when it was stopped (" while replaying migration 'x'") to the
  // reason the call fails with; nothing when the work was not stopped.
  void AddStopContext(absl::string_view where);

 private:
  PrivateDb(Connection& caller, int64_t timeout_ms);
  static int Progress(void* self);
  bool CallerInterrupted();
  absl::Status TimedOut() const;
  void Stop(absl::Status why);
  void Watch();

  Connection& caller_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* probe_ = nullptr;  // SELECT 1 on the caller's db
  const int64_t timeout_ms_;
  const double deadline_;         // MonotonicMs(); 0: none
  double next_caller_check_ = 0;
  int ticks_ = 0;
  int (*hook_)(void*) = nullptr;
  void* hook_arg_ = nullptr;

  absl::Mutex mu_;
  absl::Status stop_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> stopped_{false};
  bool watchdog_done_ ABSL_GUARDED_BY(mu_) = false;
  std::thread watchdog_;
};

}  // namespace doctor

#endif  // DOCTOR_CORE_PRIVATE_DB_H_
