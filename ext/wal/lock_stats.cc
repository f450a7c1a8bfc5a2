// lock_stats and lock_stats_connections: what LockRegistry counted, per file and per connection,
// and who holds each file's write lock now. Reading either first brings the asking connection's
// busy handler and files up to date (SyncBusyHandler, busy_handler.cc).
#include <unistd.h>

#include <string>
#include <vector>

#include "ext/wal/lock_registry.h"
#include "ext/wal/shm_locks.h"
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

}  // namespace

absl::Status Attach(Connection& connection) {
  SyncBusyHandler(connection);
  return absl::OkStatus();
}

absl::StatusOr<Rows> LockStats(TableCall& call) {
  const std::vector<FileDb> mine = SyncBusyHandler(call.connection()).files;
  Rows out;
  for (const LockRegistry::FileRow& r : LockRegistry::Get().Files()) {
    const FileDb* own = nullptr;
    for (const FileDb& f : mine) {
      if (r.file && f.file == *r.file) own = &f;
    }
    const Writer writer = r.file ? WriterOf(call.db(), *r.file, own) : Writer{};
    const BusyCounters& k = r.counters;
    out.push_back({r.file ? Value(*r.file) : Value::Null(), own ? Value(own->schema) : Value::Null(),
                   r.connections, r.counting, Opt(r.timeout_ms), k.waits, k.retries, k.wait_ms,
                   k.longest_wait_ms, k.busy_errors, writer.who, writer.pid});
  }
  return out;
}

absl::StatusOr<Rows> LockStatsConnections(TableCall& call) {
  const int64_t me = SyncBusyHandler(call.connection()).id;
  Rows out;
  for (const LockRegistry::ConnectionRow& r : LockRegistry::Get().Connections()) {
    const BusyCounters& k = r.counters;
    out.push_back({r.id, r.id == me ? 1 : 0, r.main_file, r.files,
                   r.counting ? "doctor" : "application", Opt(r.timeout_ms), k.waits,
                   k.retries, k.wait_ms, k.longest_wait_ms, k.busy_errors});
  }
  return out;
}

}  // namespace doctor::wal
