// lock_stats and lock_stats_connections: what LockRegistry counted, per file and per connection,
// and who holds each file's write lock now. Reading either first brings the asking connection's
// busy handler and files up to date (SyncBusyHandler, busy_handler.cc).
#include <unistd.h>

#include <string>
#include <vector>

#include "ext/core/table_rows.h"
#include "ext/wal/lock_registry.h"
#include "ext/wal/shm_locks.h"
#include "ext/wal/wal_columns.h"
#include "ext/wal/wal_internal.h"

namespace doctor::wal {
namespace {

// Who holds a file's write lock at this moment: lock_stats' writer and writer_pid.
struct Writer {
  Value who = Value::Null();  // this connection | this process | another process | held | none
  Value pid = Value::Null();
};

// Asked without taking anything: the asking connection's own transaction state; for WAL the
// -shm WRITE byte (F_GETLK names another process's pid, F_OFD_GETLK sees this process's); for a
// rollback journal the asking connection's VFS (xCheckReservedLock: held or not, no pid).
Writer WriterOf(sqlite3* db, const std::string& file, const FileDb* mine) {
  if (mine != nullptr && sqlite3_txn_state(db, mine->schema.c_str()) == SQLITE_TXN_WRITE) {
    return {Value("this connection"), Value(static_cast<int64_t>(getpid()))};
  }
  auto locks = ProbeShmLocks(file + "-shm");
  if (locks.ok()) {
    const LockHolder& w = locks->lock[kWriteLock];
    if (w.by_other_process) {
      return {Value("another process"),
              w.other_pid > 0 ? Value(static_cast<int64_t>(w.other_pid)) : Value::Null()};
    }
    if (w.by_this_process) return {Value("this process"), Value(static_cast<int64_t>(getpid()))};
    return locks->own_locks_visible ? Writer{Value("none"), Value::Null()} : Writer{};
  }
  sqlite3_file* handle = nullptr;
  if (mine == nullptr ||
      sqlite3_file_control(db, mine->schema.c_str(), SQLITE_FCNTL_FILE_POINTER, &handle) !=
          SQLITE_OK ||
      handle == nullptr || handle->pMethods == nullptr ||
      handle->pMethods->xCheckReservedLock == nullptr) {
    return {};
  }
  int reserved = 0;
  if (handle->pMethods->xCheckReservedLock(handle, &reserved) != SQLITE_OK) return {};
  return {Value(reserved ? "held" : "none"), Value::Null()};
}

// The busy counters, named alike in lock_stats and lock_stats_connections.
void SetCounters(RowBuilder& rows, const BusyCounters& k) {
  rows.Set("busy_waits", k.waits);
  rows.Set("busy_retries", k.retries);
  rows.Set("wait_ms", k.wait_ms);
  rows.Set("longest_wait_ms", k.longest_wait_ms);
  rows.Set("busy_errors", k.busy_errors);
}

}  // namespace

absl::Status Attach(Connection& connection) {
  Connection::SetBusyTimeoutHook(AfterApplicationBusyTimeout);
  SyncBusyHandler(connection);
  return absl::OkStatus();
}

absl::StatusOr<Rows> LockStats(TableCall& call) {
  const std::vector<FileDb> mine = SyncBusyHandler(call.connection()).files;
  RowBuilder rows(kLockStatsColumns);
  for (const LockRegistry::FileRow& r : LockRegistry::Get().Files()) {
    const FileDb* own = nullptr;
    for (const FileDb& f : mine) {
      if (r.file && f.file == *r.file) own = &f;
    }
    const Writer writer = r.file ? WriterOf(call.db(), *r.file, own) : Writer{};
    rows.NewRow();
    rows.Set("file", Opt(r.file));
    if (own != nullptr) rows.Set("schema", own->schema);
    rows.Set("connections", r.connections);
    rows.Set("counting", r.counting);
    rows.Set("timeout_ms", Opt(r.timeout_ms));
    SetCounters(rows, r.counters);
    rows.Set("writer", writer.who);
    rows.Set("writer_pid", writer.pid);
  }
  return rows.Finish();
}

absl::StatusOr<Rows> LockStatsConnections(TableCall& call) {
  const int64_t me = SyncBusyHandler(call.connection()).id;
  RowBuilder rows(kLockStatsConnectionsColumns);
  for (const LockRegistry::ConnectionRow& r : LockRegistry::Get().Connections()) {
    rows.NewRow();
    rows.Set("connection", r.id);
    rows.Set("this_connection", r.id == me ? 1 : 0);
    rows.Set("file", r.main_file);
    rows.Set("files", r.files);
    rows.Set("handler", r.counting ? "doctor" : "application");
    rows.Set("timeout_ms", Opt(r.timeout_ms));
    SetCounters(rows, r.counters);
  }
  return rows.Finish();
}

}  // namespace doctor::wal
