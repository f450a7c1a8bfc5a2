// lock_stats and doctor's counting busy handler.
//
// The handler is installed only when the user opts in with doctor_set('busy_timeout_ms', N)
// (N >= 0): on every connection that loads the extension afterwards (attach), and on connections
// already loaded the next time they use wal_health, lock_stats or doctor_checkpoint. It replaces
// the connection's busy handler (SQLite keeps one per connection) with one that behaves exactly
// like sqlite3_busy_timeout(db, N) and counts. If the application later calls
// sqlite3_busy_timeout / sqlite3_busy_handler or runs PRAGMA busy_timeout, its handler replaces
// ours and counting stops (lock_stats shows handler = 'application').
#include <atomic>
#include <chrono>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "ext/core/sql.h"
#include "ext/wal/busy.h"
#include "ext/wal/wal_internal.h"

namespace doctor::wal {
namespace {

class BusyState;

struct StateRegistry {
  absl::Mutex mu;
  absl::flat_hash_set<BusyState*> states ABSL_GUARDED_BY(mu);
  int64_t next_id ABSL_GUARDED_BY(mu) = 1;
};

StateRegistry& Registry() {
  static StateRegistry* r = new StateRegistry;  // never destroyed
  return *r;
}

// Per connection; registered process-wide so that lock_stats lists every connection.
class BusyState : public AreaState {
 public:
  explicit BusyState(Connection& c) {
    const char* f = sqlite3_db_filename(c.db(), "main");
    file_ = f ? f : "";
    StateRegistry& r = Registry();
    absl::MutexLock lock(&r.mu);
    id_ = r.next_id++;
    r.states.insert(this);
  }
  ~BusyState() override {
    StateRegistry& r = Registry();
    absl::MutexLock lock(&r.mu);
    r.states.erase(this);
  }

  BusyStats stats;
  std::atomic<bool> installed{false};
  std::atomic<int64_t> timeout_ms{0};  // used while the setting is back at -1
  std::atomic<bool> replaced{false};   // the application installed its own handler since

  const std::string& file() const { return file_; }
  int64_t id() const { return id_; }

 private:
  std::string file_;
  int64_t id_ = 0;
};

int BusyCallback(void* arg, int count) {
  auto* state = static_cast<BusyState*>(arg);
  int64_t timeout = kBusyTimeoutMs.Get();
  if (timeout < 0) timeout = state->timeout_ms.load();
  const int delay = BusyDelayMs(count, timeout);
  if (delay <= 0) {
    state->stats.OnCall(count, 0, /*gave_up=*/true);
    return 0;
  }
  const auto start = std::chrono::steady_clock::now();
  sqlite3_sleep(delay);
  const double slept =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  state->stats.OnCall(count, slept, /*gave_up=*/false);
  return 1;
}

}  // namespace

void EnsureBusyHandler(Connection& connection) {
  BusyState& state = connection.State<BusyState>();
  const int64_t timeout = kBusyTimeoutMs.Get();
  if (timeout < 0) return;
  state.timeout_ms = timeout;
  if (state.installed.exchange(true)) return;
  sqlite3_busy_handler(connection.db(), BusyCallback, &state);
}

absl::Status Attach(Connection& connection) {
  EnsureBusyHandler(connection);
  return absl::OkStatus();
}

absl::StatusOr<Rows> LockStats(TableCall& call) {
  Connection& c = call.connection();
  EnsureBusyHandler(c);
  BusyState& mine = c.State<BusyState>();
  // PRAGMA busy_timeout reads 0 while a custom handler (ours) is installed, and the timeout once
  // sqlite3_busy_timeout replaced it.
  if (mine.installed) {
    auto rows = Query(c, "PRAGMA busy_timeout");
    if (rows.ok() && !rows->empty() && (*rows)[0][0].AsInt() > 0) mine.replaced = true;
  }
  Rows out;
  StateRegistry& r = Registry();
  absl::MutexLock lock(&r.mu);
  for (BusyState* s : r.states) {
    const BusyCounters k = s->stats.Snapshot();
    const char* handler = !s->installed ? "application" : (s->replaced ? "application" : "doctor");
    const int64_t timeout = kBusyTimeoutMs.Get() >= 0 ? kBusyTimeoutMs.Get() : s->timeout_ms.load();
    out.push_back({s->file(), s->id(), s == &mine, handler,
                   s->installed ? Value(timeout) : Value::Null(), k.waits, k.retries, k.wait_ms,
                   k.longest_wait_ms, k.busy_errors});
  }
  return out;
}

}  // namespace doctor::wal
