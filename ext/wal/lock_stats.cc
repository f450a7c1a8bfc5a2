// lock_stats, lock_stats_connections and doctor's counting busy handler.
//
// The handler is installed only when the user opts in with doctor_set('busy_timeout_ms', N)
// (N >= 0): on every connection that loads the extension afterwards (attach), and on connections
// already loaded the next time they use wal_health, lock_stats, lock_stats_connections or
// doctor_checkpoint. It replaces the connection's busy handler (SQLite keeps one per connection)
// with one that behaves exactly like sqlite3_busy_timeout(db, N) and counts. If the application
// later calls sqlite3_busy_timeout / sqlite3_busy_handler or runs PRAGMA busy_timeout, its handler
// replaces ours and counting stops (noticed through PRAGMA busy_timeout, see below).
//
// Which file a wait is on: SQLite's busy callback is told nothing but a retry count. At the first
// call of a wait (count 0) the handler, on the connection's own thread, lists the connection's
// file databases (sqlite3_db_name, sqlite3_db_filename). One file: that one. Several: the ones
// this connection is not writing (sqlite3_txn_state) whose write lock someone holds (the VFS's
// xCheckReservedLock for rollback journals, the -shm WRITE byte for WAL, both only queried); if
// exactly one, that one; else the one this connection is writing, if exactly one; else main.
// All counts go to LockRegistry (per file and per connection), process-wide.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "ext/core/sql.h"
#include "ext/core/time.h"
#include "ext/wal/busy.h"
#include "ext/wal/lock_registry.h"
#include "ext/wal/shm_locks.h"
#include "ext/wal/wal_internal.h"

namespace doctor::wal {
namespace {

struct FileDb {
  std::string schema;
  std::string file;
};

// The connection's databases backed by a file (not temp, not in-memory), main first. Only on the
// connection's own thread.
std::vector<FileDb> FileDatabases(sqlite3* db) {
  std::vector<FileDb> out;
  auto add = [&](const char* schema) {
    if (absl::EqualsIgnoreCase(schema, "temp")) return;
    const char* file = sqlite3_db_filename(db, schema);
    if (file == nullptr || *file == '\0') return;
    for (const FileDb& f : out) {
      if (f.file == file) return;  // the same file attached twice
    }
    out.push_back({schema, file});
  };
  if (SqliteAtLeast(3039000)) {  // sqlite3_db_name
    for (int i = 0; i < 125; ++i) {  // SQLITE_MAX_ATTACHED is at most 125
      const char* schema = sqlite3_db_name(db, i);
      if (schema == nullptr) break;
      add(schema);
    }
  } else {
    add("main");
  }
  return out;
}

std::vector<std::string> FilesOf(const std::vector<FileDb>& dbs) {
  std::vector<std::string> files;
  for (const FileDb& f : dbs) files.push_back(f.file);
  return files;
}

// Someone (another connection or process) holds the write lock of this database. Queries only.
bool WriterHolds(sqlite3* db, const FileDb& f) {
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(db, f.schema.c_str(), SQLITE_FCNTL_FILE_POINTER, &file) == SQLITE_OK &&
      file != nullptr && file->pMethods != nullptr && file->pMethods->xCheckReservedLock) {
    int reserved = 0;  // a rollback-journal writer (RESERVED or more)
    if (file->pMethods->xCheckReservedLock(file, &reserved) == SQLITE_OK && reserved) return true;
  }
  auto locks = ProbeShmLocks(f.file + "-shm");  // a WAL writer: fails when there is no -shm
  return locks.ok() && locks->lock[kWriteLock].held();
}

// The file the wait starting now is on (see the top of the file).
std::string PinWait(sqlite3* db, const std::vector<FileDb>& dbs) {
  if (dbs.empty()) return "";
  if (dbs.size() == 1) return dbs[0].file;
  std::vector<const FileDb*> blocked, writing;
  for (const FileDb& f : dbs) {
    if (sqlite3_txn_state(db, f.schema.c_str()) == SQLITE_TXN_WRITE) {
      writing.push_back(&f);
    } else if (WriterHolds(db, f)) {
      blocked.push_back(&f);
    }
  }
  if (blocked.size() == 1) return blocked[0]->file;
  if (blocked.empty() && writing.size() == 1) return writing[0]->file;
  return dbs[0].file;
}

// Per connection; its counts live in LockRegistry, which outlives it.
class BusyState : public AreaState {
 public:
  explicit BusyState(Connection& c) : db_(c.db()) {
    const char* main = sqlite3_db_filename(db_, "main");
    id_ = LockRegistry::Get().Register(main ? main : "");
  }
  ~BusyState() override { LockRegistry::Get().Unregister(id_); }

  sqlite3* db() const { return db_; }
  int64_t id() const { return id_; }

  // Only on the connection's own thread (attach, its busy handler, its own SQL calls).
  std::string wait_file;
  bool installed = false;
  bool replaced = false;     // the application installed its own handler since
  int64_t timeout_ms = 0;    // used while the setting is back at -1

 private:
  sqlite3* const db_;
  int64_t id_ = 0;
};

int BusyCallback(void* arg, int count) {
  auto* state = static_cast<BusyState*>(arg);
  LockRegistry& registry = LockRegistry::Get();
  if (count == 0) {
    const std::vector<FileDb> dbs = FileDatabases(state->db());
    registry.SetFiles(state->id(), FilesOf(dbs));
    state->wait_file = PinWait(state->db(), dbs);
  }
  int64_t timeout = kBusyTimeoutMs.Get();
  if (timeout < 0) timeout = state->timeout_ms;
  const int delay = BusyDelayMs(count, timeout);
  if (delay <= 0) {
    registry.OnBusyCall(state->id(), state->wait_file, count, 0, /*gave_up=*/true);
    return 0;
  }
  const double start = MonotonicMs();
  sqlite3_sleep(delay);
  const double slept = MonotonicMs() - start;
  registry.OnBusyCall(state->id(), state->wait_file, count, slept, /*gave_up=*/false);
  return 1;
}

// Installs the handler if asked to and publishes the connection's files and handler state.
// `check_replaced`: ask PRAGMA busy_timeout whether the application took the handler back (it
// reads 0 while a custom handler such as ours is installed; the timeout once
// sqlite3_busy_timeout or PRAGMA busy_timeout replaced it). Runs SQL: not from attach.
BusyState& Refresh(Connection& connection, bool check_replaced) {
  BusyState& state = connection.State<BusyState>();
  const int64_t timeout = kBusyTimeoutMs.Get();
  if (timeout >= 0) {
    state.timeout_ms = timeout;
    if (!state.installed) {
      state.installed = true;
      state.replaced = false;
      sqlite3_busy_handler(connection.db(), BusyCallback, &state);
    }
  }
  if (check_replaced && state.installed && !state.replaced) {
    auto rows = Query(connection, "PRAGMA busy_timeout");
    if (rows.ok() && !rows->empty() && (*rows)[0][0].AsInt() > 0) state.replaced = true;
  }
  LockRegistry& registry = LockRegistry::Get();
  registry.SetFiles(state.id(), FilesOf(FileDatabases(connection.db())));
  const bool counting = state.installed && !state.replaced;
  registry.SetHandler(state.id(), counting,
                      counting ? std::optional<int64_t>(state.timeout_ms) : std::nullopt);
  return state;
}

Value OptInt(const std::optional<int64_t>& v) { return v ? Value(*v) : Value::Null(); }

}  // namespace

void EnsureBusyHandler(Connection& connection) { Refresh(connection, /*check_replaced=*/true); }

absl::Status Attach(Connection& connection) {
  Refresh(connection, /*check_replaced=*/false);
  return absl::OkStatus();
}

absl::StatusOr<Rows> LockStats(TableCall& call) {
  Connection& c = call.connection();
  Refresh(c, /*check_replaced=*/true);
  const std::vector<FileDb> mine = FileDatabases(c.db());
  Rows out;
  for (const LockRegistry::FileRow& r : LockRegistry::Get().Files()) {
    Value schema = Value::Null();
    for (const FileDb& f : mine) {
      if (r.file && f.file == *r.file) schema = Value(f.schema);
    }
    const BusyCounters& k = r.counters;
    out.push_back({r.file ? Value(*r.file) : Value::Null(), schema, r.connections, r.counting,
                   OptInt(r.timeout_ms), k.waits, k.retries, k.wait_ms, k.longest_wait_ms,
                   k.busy_errors});
  }
  return out;
}

absl::StatusOr<Rows> LockStatsConnections(TableCall& call) {
  Connection& c = call.connection();
  const BusyState& me = Refresh(c, /*check_replaced=*/true);
  Rows out;
  for (const LockRegistry::ConnectionRow& r : LockRegistry::Get().Connections()) {
    const BusyCounters& k = r.counters;
    out.push_back({r.id, r.id == me.id() ? 1 : 0, r.main_file, r.files,
                   r.counting ? "doctor" : "application", OptInt(r.timeout_ms), k.waits,
                   k.retries, k.wait_ms, k.longest_wait_ms, k.busy_errors});
  }
  return out;
}

}  // namespace doctor::wal
