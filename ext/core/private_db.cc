#include "ext/core/private_db.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ext/core/time.h"

namespace doctor {

Setting kWorkTimeoutMs = Setting::Int(
    "work_timeout_ms", 60000, 0, 86400000,
    "Longest that work on a private connection (index_advise, index_whatif, index_lint, "
    "migrate_check, schema_diff) may run before it stops with an error; 0: no limit.");

namespace {

constexpr int kProgressPeriod = 100;     // VM steps between progress callbacks
constexpr int kClockEvery = 10;          // callbacks between clock reads (1000 VM steps)
constexpr double kCallerCheckMs = 50;    // at most this often is the caller's interrupt probed

using IsInterruptedFn = int (*)(sqlite3*);

// sqlite3_is_interrupted (3.41.0) where the loaded SQLite has it. Our headers are 3.40.1, whose
// sqlite3_api_routines ends with value_encoding (3.40.0); 3.41.0 appended is_interrupted right
// after it, and the struct only ever grows at its end.
IsInterruptedFn IsInterruptedApi() {
  if (!SqliteAtLeast(3041000)) return nullptr;
  return *reinterpret_cast<const IsInterruptedFn*>(&sqlite3_api->value_encoding + 1);
}

thread_local int opening_own_connection = 0;

}  // namespace

OwnConnectionScope::OwnConnectionScope() { ++opening_own_connection; }
OwnConnectionScope::~OwnConnectionScope() { --opening_own_connection; }
bool OpeningOwnConnection() { return opening_own_connection > 0; }

bool PrivateDb::HasProgressHandler() { return sqlite3_api->progress_handler != nullptr; }

PrivateDb::PrivateDb(Connection& caller, int64_t timeout_ms)
    : caller_(caller),
      timeout_ms_(timeout_ms),
      deadline_(timeout_ms > 0 ? MonotonicMs() + static_cast<double>(timeout_ms) : 0) {}

absl::StatusOr<std::unique_ptr<PrivateDb>> PrivateDb::Open(Connection& caller,
                                                           const std::string& path,
                                                           const PrivateDbOptions& options) {
  const int64_t timeout = options.timeout_ms >= 0 ? options.timeout_ms : kWorkTimeoutMs.Get();
  std::unique_ptr<PrivateDb> p(new PrivateDb(caller, timeout));
  int rc;
  {
    OwnConnectionScope own;
    rc = sqlite3_open_v2(path.c_str(), &p->db_, options.flags, nullptr);
  }
  if (rc != SQLITE_OK) {
    std::string message = p->db_ != nullptr ? sqlite3_errmsg(p->db_) : "out of memory";
    return absl::UnavailableError(message);  // the destructor closes the half-open handle
  }
  // Without it the caller's interrupt is only seen through sqlite3_is_interrupted.
  if (sqlite3_prepare_v2(caller.db(), "SELECT 1", -1, &p->probe_, nullptr) != SQLITE_OK) {
    p->probe_ = nullptr;
  }
  if (HasProgressHandler() && !options.force_watchdog) {
    sqlite3_progress_handler(p->db_, kProgressPeriod, Progress, p.get());
  } else if (timeout > 0 || IsInterruptedApi() != nullptr) {
    p->watchdog_ = std::thread(&PrivateDb::Watch, p.get());
  }
  return p;
}

PrivateDb::~PrivateDb() {
  if (watchdog_.joinable()) {
    {
      absl::MutexLock lock(&mu_);
      watchdog_done_ = true;
    }
    watchdog_.join();
  }
  if (db_ != nullptr) sqlite3_close_v2(db_);
  if (probe_ != nullptr) sqlite3_finalize(probe_);
  absl::Status stop;
  {
    absl::MutexLock lock(&mu_);
    stop = stop_;
  }
  if (!stop.ok()) caller_.RecordStop(stop);
}

void PrivateDb::SetProgressHook(int (*hook)(void*), void* arg) {
  hook_ = hook;
  hook_arg_ = arg;
}

int PrivateDb::Progress(void* arg) {
  auto* p = static_cast<PrivateDb*>(arg);
  if (p->stopped_.load(std::memory_order_relaxed)) return 1;
  if (p->hook_ != nullptr && p->hook_(p->hook_arg_) != 0) return 1;
  if (++p->ticks_ % kClockEvery != 0) return 0;
  return p->CheckInterrupted().ok() ? 0 : 1;
}

bool PrivateDb::CallerInterrupted() {
  if (IsInterruptedFn is_interrupted = IsInterruptedApi()) return is_interrupted(caller_.db()) != 0;
  if (probe_ == nullptr) return false;
  // While one of the caller's statements is active (the one calling us), SQLite keeps its
  // interrupt flag and every statement stepped on it fails at once with SQLITE_INTERRUPT.
  Connection::InternalScope internal(caller_);
  const int rc = sqlite3_step(probe_);
  sqlite3_reset(probe_);
  return rc == SQLITE_INTERRUPT;
}

absl::Status PrivateDb::CheckInterrupted() {
  if (!stopped_.load(std::memory_order_acquire)) {
    const double now = MonotonicMs();
    if (deadline_ > 0 && now >= deadline_) {
      Stop(TimedOut());
    } else if (now >= next_caller_check_) {
      next_caller_check_ = now + kCallerCheckMs;
      if (CallerInterrupted()) Stop(absl::CancelledError("interrupted"));
    }
  }
  if (!stopped_.load(std::memory_order_acquire)) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  return stop_;
}

constexpr absl::string_view kTimedOutMark = " ms (work_timeout_ms) and was stopped";

absl::Status PrivateDb::TimedOut() const {
  return absl::DeadlineExceededError(absl::StrCat("took longer than ", timeout_ms_, kTimedOutMark));
}

bool IsWorkTimeoutMessage(absl::string_view message) {
  return absl::StrContains(message, kTimedOutMark);
}

void PrivateDb::AddStopContext(absl::string_view where) {
  if (!stopped_.load(std::memory_order_acquire)) return;
  absl::MutexLock lock(&mu_);
  if (!stop_.ok()) stop_ = absl::Status(stop_.code(), absl::StrCat(stop_.message(), where));
}

void PrivateDb::Stop(absl::Status why) {
  absl::MutexLock lock(&mu_);
  if (stop_.ok()) stop_ = std::move(why);
  stopped_.store(true, std::memory_order_release);
}

// The watchdog, for SQLites without a progress handler: at the deadline, or once the caller is
// interrupted, it interrupts the private db, and again every 50 ms after that (SQLite clears the
// flag when no statement is active, and the work may start another).
void PrivateDb::Watch() {
  const IsInterruptedFn is_interrupted = IsInterruptedApi();
  absl::MutexLock lock(&mu_);
  while (!watchdog_done_) {
    const double now = MonotonicMs();
    if (stop_.ok() && deadline_ > 0 && now >= deadline_) {
      stop_ = TimedOut();
    } else if (stop_.ok() && is_interrupted != nullptr && is_interrupted(caller_.db()) != 0) {
      stop_ = absl::CancelledError("interrupted");
    }
    double wait = kCallerCheckMs;
    if (!stop_.ok()) {
      stopped_.store(true, std::memory_order_release);
      sqlite3_interrupt(db_);
    } else if (deadline_ > 0) {
      wait = std::max(1.0, std::min(wait, deadline_ - now));
    }
    mu_.AwaitWithTimeout(absl::Condition(&watchdog_done_), absl::Milliseconds(wait));
  }
}

}  // namespace doctor
