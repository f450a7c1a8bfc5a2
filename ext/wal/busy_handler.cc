// doctor's counting busy handler: which connections get it, with which timeout, and the handler.
//
// Counted by default, with no change in behaviour. SQLite keeps one busy handler per connection.
// `PRAGMA busy_timeout` reads the timeout of SQLite's own handler (sqlite3_busy_timeout,
// better-sqlite3's `timeout`, Python's `timeout`) and 0 for anything else: no handler, or one
// installed with sqlite3_busy_handler (the application's, or doctor's). So, for each connection
// that loaded the extension, when it loads it and each time it reads wal_health, lock_stats,
// lock_stats_connections or runs doctor_checkpoint (never while a statement of the application
// runs):
//   - doctor_set('busy_timeout_ms', N >= 0) changed since this connection last looked (or it
//     just loaded after such a change): doctor's handler with N ms. doctor_set applies it to its
//     own connection at once (Setting::WithApply), and a handler of doctor's already in place
//     takes a new N at the start of its next wait.
//   - else PRAGMA busy_timeout reads T > 0: SQLite's own timeout handler is in force (first time,
//     or the application set a new timeout since): doctor's handler with T ms. It sleeps the same
//     schedule (busy.h), through the same VFS xSleep, and gives up at the same moment.
//   - else (0): doctor's handler if it was installed, otherwise the application's own handler or
//     none, left alone.
//   - the application runs `PRAGMA busy_timeout = N` (statement timing sees it end and calls
//     Connection::AfterBusyTimeoutPragma, on the connection's thread): N > 0 puts doctor's
//     handler back with N ms, so the usual "load the extension, then set busy_timeout" order is
//     counted too; N = 0 means no handler (SQLite removed every one).
// Known limit: once doctor's handler is in, PRAGMA busy_timeout reads 0 (sqlite3_busy_handler
// clears db->busyTimeout and no API sets it back), and an application that later installs its
// own handler with sqlite3_busy_handler, or turns waiting off with a timeout of 0, cannot be told
// from doctor's handler still being there (it is still shown as doctor's; its waits are not
// counted).
//
// Which file a wait is on: SQLite's busy callback is told nothing but a retry count. At the first
// call of a wait (count 0) the handler, on the connection's own thread, lists the connection's
// file databases (sqlite3_db_name, sqlite3_db_filename). One file: that one. Several: the ones
// this connection is not writing (sqlite3_txn_state) whose write lock someone holds (the VFS's
// xCheckReservedLock for rollback journals, the -shm WRITE byte for WAL, both only queried); if
// exactly one, that one; else the one this connection is writing, if exactly one; else main.
// All counts go to LockRegistry (per file and per connection), process-wide.
#include <string>
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

// Per connection; its counts live in LockRegistry, which outlives it. Only touched on the
// connection's own thread (attach, its busy handler, its own SQL calls).
class BusyState : public AreaState {
 public:
  explicit BusyState(Connection& c) : connection_(c), db_(c.db()) {
    const char* main = sqlite3_db_filename(db_, "main");
    id_ = LockRegistry::Get().Register(main ? main : "", c.number());
    // The VFS SQLite's own handler sleeps through (db->pVfs); sqlite3_sleep's if unknown.
    if (sqlite3_file_control(db_, "main", SQLITE_FCNTL_VFS_POINTER, &vfs_) != SQLITE_OK) {
      vfs_ = nullptr;
    }
  }
  ~BusyState() override { LockRegistry::Get().Unregister(id_); }

  sqlite3* db() const { return db_; }
  int64_t id() const { return id_; }
  Connection& connection() const { return connection_; }

  // Sleeps `ms` as sqliteDefaultBusyCallback does; returns the time actually slept.
  double Sleep(int ms) const {
    const double start = MonotonicMs();
    if (vfs_ != nullptr && vfs_->xSleep != nullptr) {
      vfs_->xSleep(vfs_, ms * 1000);
    } else {
      sqlite3_sleep(ms);
    }
    return MonotonicMs() - start;
  }

  std::string wait_file;
  bool installed = false;       // doctor's handler is the connection's (as far as can be told)
  int64_t timeout_ms = 0;       // its timeout
  int64_t applied_setting = -1;  // the busy_timeout_ms value last applied here
  bool pinned = false;          // a ScopedBusyTimeout with a timeout is in force: the setting waits
  bool own_call = false;        // doctor's own call waits (doctor_checkpoint): not counted

 private:
  Connection& connection_;  // owns this state
  sqlite3* const db_;
  sqlite3_vfs* vfs_ = nullptr;
  int64_t id_ = 0;
};

void PublishHandler(const BusyState& state) {
  LockRegistry::Get().SetHandler(
      state.id(), state.installed,
      state.installed ? std::optional<int64_t>(state.timeout_ms) : std::nullopt);
}

int BusyCallback(void* arg, int count) {
  auto* state = static_cast<BusyState*>(arg);
  LockRegistry& registry = LockRegistry::Get();
  if (count == 0) {
    const std::vector<FileDb> dbs = FileDatabases(state->db());
    registry.SetFiles(state->id(), FilesOf(dbs));
    state->wait_file = PinWait(state->db(), dbs);
    const int64_t setting = kBusyTimeoutMs.Get();  // a doctor_set since: from this wait on
    if (setting >= 0 && setting != state->applied_setting && !state->pinned) {
      state->timeout_ms = setting;
      state->applied_setting = setting;
      PublishHandler(*state);
    }
  }
  const int delay = BusyDelayMs(count, state->timeout_ms);
  if (state->own_call) {  // it reports its own wait (doctor_checkpoint's JSON, wal_checkpoints)
    if (delay <= 0) return 0;
    state->Sleep(delay);
    return 1;
  }
  if (delay <= 0) {
    registry.OnBusyCall(state->id(), state->wait_file, count, 0, /*gave_up=*/true);
    return 0;
  }
  const double slept = state->Sleep(delay);
  state->connection().AddLockWait(slept);  // the running statement's lock_wait_ms (timing)
  registry.OnBusyCall(state->id(), state->wait_file, count, slept, /*gave_up=*/false);
  return 1;
}

void Install(BusyState& state, int64_t timeout_ms) {
  sqlite3_busy_handler(state.db(), BusyCallback, &state);
  state.installed = true;
  state.timeout_ms = timeout_ms;
}

// PRAGMA busy_timeout: the timeout of SQLite's own handler, 0 for any other handler or none;
// -1 when it cannot be read.
int64_t SqliteBusyTimeout(Connection& connection) {
  auto rows = Query(connection, "PRAGMA busy_timeout");
  if (!rows.ok() || rows->empty() || (*rows)[0].empty()) return -1;
  return (*rows)[0][0].AsInt();
}

}  // namespace

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

BusyView SyncBusyHandler(Connection& connection) {
  BusyState& state = connection.State<BusyState>();
  const int64_t setting = kBusyTimeoutMs.Get();
  if (setting >= 0 && setting != state.applied_setting) {
    Install(state, setting);
  } else if (const int64_t sqlite_timeout = SqliteBusyTimeout(connection); sqlite_timeout > 0) {
    Install(state, sqlite_timeout);  // SQLite's own handler: the same wait, counted
  }
  state.applied_setting = setting;
  BusyView view;
  view.id = state.id();
  view.files = FileDatabases(connection.db());
  LockRegistry::Get().SetFiles(state.id(), FilesOf(view.files));
  PublishHandler(state);
  return view;
}

void AfterApplicationBusyTimeout(Connection& connection, int64_t timeout_ms) {
  // Never inside a ScopedBusyTimeout: that lives within one of doctor's own calls, whose
  // statements are internal and not timed, so no application PRAGMA ends meanwhile.
  BusyState& state = connection.State<BusyState>();
  if (timeout_ms > 0) {
    Install(state, timeout_ms);  // the same wait as SQLite's handler, counted
  } else {
    state.installed = false;  // busy_timeout = 0 removed every handler: none now
  }
  PublishHandler(state);
}

void ApplyBusyTimeoutSetting(Connection& caller) {
  BusyState& state = caller.State<BusyState>();
  const int64_t setting = kBusyTimeoutMs.Get();
  if (setting >= 0) Install(state, setting);
  state.applied_setting = setting;
  PublishHandler(state);
}

ScopedBusyTimeout::ScopedBusyTimeout(Connection& connection, std::optional<int64_t> timeout_ms) {
  BusyState& state = connection.State<BusyState>();
  if (!state.installed) return;  // the application's handler or none: it cannot be handed back
  state_ = &state;
  state.own_call = true;
  if (!timeout_ms) return;
  applied_ = true;
  saved_ms_ = state.timeout_ms;
  state.timeout_ms = *timeout_ms;
  state.pinned = true;
}

ScopedBusyTimeout::~ScopedBusyTimeout() {
  if (state_ == nullptr) return;
  auto* state = static_cast<BusyState*>(state_);
  state->own_call = false;
  if (!applied_) return;
  state->timeout_ms = saved_ms_;
  state->pinned = false;
}

}  // namespace doctor::wal
