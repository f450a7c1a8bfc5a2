// The WAL area's SQL glue, one file per object; wal.cc declares them to SQL.
#ifndef DOCTOR_WAL_WAL_INTERNAL_H_
#define DOCTOR_WAL_WAL_INTERNAL_H_

#include <optional>
#include <string>
#include <vector>

#include "ext/core/function.h"
#include "ext/core/setting.h"
#include "ext/core/table.h"
#include "ext/wal/wal_index.h"

namespace doctor::wal {

extern Setting kBusyTimeoutMs;
extern Setting kCheckpointHistory;

absl::StatusOr<Rows> WalHealth(TableCall& call);         // wal_health.cc
absl::StatusOr<Value> Checkpoint(FunctionCall& call);    // checkpoint.cc
absl::StatusOr<Rows> WalCheckpoints(TableCall& call);    // checkpoint.cc
absl::StatusOr<Rows> LockStats(TableCall& call);         // lock_stats.cc
absl::StatusOr<Rows> LockStatsConnections(TableCall& call);  // lock_stats.cc
absl::Status Attach(Connection& connection);             // lock_stats.cc
absl::StatusOr<Rows> KnownIssuesTable(TableCall& call);  // known_issues_sql.cc
absl::StatusOr<Rows> OpenTransactionsTable(TableCall& call);  // open_transactions.cc

// A database of the connection backed by a file (not temp, not in-memory).
struct FileDb {
  std::string schema;
  std::string file;
};
// The connection's file databases, main first. Only on the connection's own thread.
std::vector<FileDb> FileDatabases(sqlite3* db);

// What SyncBusyHandler found: the connection's number in lock_stats_connections and its files.
struct BusyView {
  int64_t id = 0;
  std::vector<FileDb> files;
};
// Gives the connection doctor's counting busy handler where that changes no behaviour or where
// doctor_set asked for it, and publishes its files and handler to lock_stats (busy_handler.cc,
// rules at its top). Runs PRAGMA busy_timeout on the connection: only from attach and doctor's
// own objects, never at statement time.
BusyView SyncBusyHandler(Connection& connection);
// The application's PRAGMA busy_timeout = N has just replaced the connection's busy handler
// (Connection::BusyTimeoutHook, called at the end of that statement's run on the connection's
// thread; runs no SQL): doctor's handler with N ms again, or none for 0.
void AfterApplicationBusyTimeout(Connection& connection, int64_t timeout_ms);
// doctor_set('busy_timeout_ms', N) on the calling connection: at once.
void ApplyBusyTimeoutSetting(Connection& caller);

// While alive, doctor's busy handler on the connection waits at most `timeout_ms` (nullopt: no
// change), then gets its own timeout back. Only where doctor's handler is in force (after
// SyncBusyHandler): the application's own handler cannot be read back, so it is left alone and
// applied() is false. The waits meanwhile are doctor's own call's, which reports them itself:
// they are not counted in lock_stats nor in the statement's lock_wait_ms.
//
// Example:
//   { ScopedBusyTimeout bounded(c, 100); sqlite3_wal_checkpoint_v2(...); }  // <= 100 ms of waits
class ScopedBusyTimeout {
 public:
  ScopedBusyTimeout(Connection& connection, std::optional<int64_t> timeout_ms);
  ~ScopedBusyTimeout();
  ScopedBusyTimeout(const ScopedBusyTimeout&) = delete;
  ScopedBusyTimeout& operator=(const ScopedBusyTimeout&) = delete;
  bool applied() const { return applied_; }

 private:
  void* state_ = nullptr;  // the connection's busy state (busy_handler.cc), when doctor's handler
  bool applied_ = false;
  int64_t saved_ms_ = 0;
};

// An optional as a SQL value: NULL when empty.
template <typename T>
Value Opt(const std::optional<T>& v) {
  return v ? Value(*v) : Value::Null();
}

// Shared by the objects (wal_sql.cc).
// The -wal file's size (0 when absent); nullopt when the database has no file.
std::optional<uint64_t> WalBytes(sqlite3* db, const std::string& schema);
// The wal-index header of the schema's database, read through SQLite's own shared-memory
// mapping (SQLITE_FCNTL_FILE_POINTER, then xShmMap of region 0 without extending it). Only call
// when the schema is in WAL mode, not in EXCLUSIVE locking mode, and has been read at least once
// (so the mapping exists). nullopt with `problem` set when it cannot be read or is not usable.
std::optional<WalIndex> ReadIndex(sqlite3* db, const std::string& schema, std::string* problem);
// The wal-index header of a schema in WAL mode (not EXCLUSIVE), after a one-row read that maps
// it, when it is usable and agrees with the WAL file's size; nullopt otherwise. Runs SQL.
std::optional<WalIndex> ReadTrustedIndex(Connection& connection, const std::string& schema);

}  // namespace doctor::wal

#endif  // DOCTOR_WAL_WAL_INTERNAL_H_
