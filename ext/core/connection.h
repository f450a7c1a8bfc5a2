// The extension's view of one SQLite connection: the areas registered on it and their state.
//
// One Connection exists per sqlite3* that loaded the extension. Every function and module
// registration holds a reference, and SQLite drops those when the connection closes, so the
// Connection (and each area's state) lives exactly as long as the sqlite3* does. Loading the
// extension twice into one connection reuses the same Connection.
#ifndef DOCTOR_CORE_CONNECTION_H_
#define DOCTOR_CORE_CONNECTION_H_

#include <atomic>
#include <cstdint>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "ext/core/area.h"
#include "ext/core/sqlite.h"

namespace doctor {

// Base of an area's per-connection state.
class AreaState {
 public:
  virtual ~AreaState() = default;
};

class Connection {
 public:
  // The Connection for `db`, created on first use, with one reference taken for the caller.
  static Connection* Acquire(sqlite3* db, absl::Span<const Area* const> areas);
  // The Connection for `db` if the extension is loaded there, else nullptr (no reference taken).
  static Connection* Find(sqlite3* db);

  void Ref();
  void Unref();

  sqlite3* db() const { return db_; }
  absl::Span<const Area* const> areas() const { return areas_; }
  // The connection's number in this process: 1, 2, ... in the order connections loaded the
  // extension (lock_stats_connections.connection, open_transactions.connection).
  int64_t number() const { return number_; }

  // Time doctor's busy handler has slept on this connection in all, in ms. Added by the handler
  // (ext/wal) and read by statement timing around each run (ext/timing), both on the
  // connection's own thread: a statement's lock waits happen inside its step.
  void AddLockWait(double ms) { lock_wait_ms_ += ms; }
  double lock_wait_ms() const { return lock_wait_ms_; }

  // The application ran `PRAGMA busy_timeout = N` on this connection (seen by statement timing,
  // on the connection's own thread, when the statement's run ends): SQLite's own handler has
  // replaced doctor's counting one. The WAL area registers what to do (install its handler with
  // the same timeout again); nothing happens when it is not built in.
  using BusyTimeoutHook = void (*)(Connection& connection, int64_t timeout_ms);
  static void SetBusyTimeoutHook(BusyTimeoutHook hook);
  void AfterBusyTimeoutPragma(int64_t timeout_ms);

  // The area state of type T (an AreaState with a constructor taking Connection&), created on
  // first use and destroyed with the connection.
  template <typename T>
  T& State() {
    static const char key = 0;
    absl::MutexLock lock(&mu_);
    auto& slot = states_[&key];
    if (!slot) slot = std::make_unique<T>(*this);
    return static_cast<T&>(*slot);
  }

  // While an InternalScope is alive, statements on this connection are the extension's own, and
  // statement timing leaves them out.
  class InternalScope {
   public:
    explicit InternalScope(Connection& c) : c_(c) { c_.internal_.fetch_add(1); }
    ~InternalScope() { c_.internal_.fetch_sub(1); }
    InternalScope(const InternalScope&) = delete;
    InternalScope& operator=(const InternalScope&) = delete;

   private:
    Connection& c_;
  };
  bool internal() const { return internal_.load(std::memory_order_relaxed) > 0; }

  // Why work on a private connection for this caller was stopped (interrupted, deadline): set
  // by PrivateDb, taken by the function and table adapters at the end of each call, which then
  // return it as the call's error whatever the work returned.
  void RecordStop(absl::Status why);
  absl::Status TakeStop();

 private:
  Connection(sqlite3* db, absl::Span<const Area* const> areas, int64_t number)
      : db_(db), areas_(areas), number_(number) {}
  ~Connection() = default;

  sqlite3* const db_;
  const absl::Span<const Area* const> areas_;
  const int64_t number_;
  double lock_wait_ms_ = 0;  // only on the connection's own thread
  std::atomic<int> refs_{0};
  std::atomic<int> internal_{0};
  absl::Mutex mu_;
  absl::flat_hash_map<const void*, std::unique_ptr<AreaState>> states_ ABSL_GUARDED_BY(mu_);
  absl::Status stop_ ABSL_GUARDED_BY(mu_);
};

}  // namespace doctor

#endif  // DOCTOR_CORE_CONNECTION_H_
