#include "ext/timing/store_flusher.h"

#include <pthread.h>

#include <algorithm>

#include <cstdlib>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ext/core/time.h"
#include "ext/timing/plan_history.h"
#include "ext/timing/settings.h"
#include "ext/timing/sidecar.h"
#include "ext/timing/stats.h"
#include "ext/timing/store_plan_changes.h"
#include "ext/timing/store_slow.h"
#include "ext/timing/trace.h"

namespace doctor::timing {
namespace {

// Longest the thread sleeps before it looks at stats_share_ms again.
constexpr double kPollMs = 250;

// One run of the thread: its own stop flag, so a thread still stopping never sees the flag of
// the next one.
struct Run {
  bool stop = false;
  std::thread thread;
};

struct Flusher {
  absl::Mutex mu;
  absl::CondVar wake;
  int users ABSL_GUARDED_BY(mu) = 0;
  Run* run ABSL_GUARDED_BY(mu) = nullptr;
  bool exit_hook ABSL_GUARDED_BY(mu) = false;
  bool exiting ABSL_GUARDED_BY(mu) = false;
  // A forked child: the connections it inherited are the parent's (users restarts at 0 there).
  bool forked_child ABSL_GUARDED_BY(mu) = false;
};

Flusher& TheFlusher() {
  static Flusher* flusher = new Flusher;  // never destroyed: the atexit hook uses it
  return *flusher;
}

// A background turn never waits for the store (busy timeout 0: failures retry next turn). The
// final flush of a closing or exiting process has no next turn: it waits as an explicit
// query_stats_flush() does, since processes that exit together (a cluster shutting down) flush at
// the same moment and would otherwise lose their last counts to each other's lock.
void FlushAll(int busy_ms = kBackgroundBusyMs) {
  for (const std::string& db : DbsToFlush()) {
    (void)FlushDb(db, busy_ms);
  }
}

void Loop(Run* run) {
  Flusher& f = TheFlusher();
  double last_flush = MonotonicMs();
  f.mu.Lock();
  while (!run->stop) {
    // Wakes at least every kPollMs, so a changed stats_share_ms applies within that.
    const int64_t every_ms = kStatsShareMs.Get();
    const double due = every_ms > 0 ? last_flush + static_cast<double>(every_ms) : 0;
    const double wait = every_ms > 0 ? std::min<double>(due - MonotonicMs(), kPollMs) : kPollMs;
    if (wait > 0) f.wake.WaitWithTimeout(&f.mu, absl::Milliseconds(wait));
    if (run->stop || every_ms <= 0 || MonotonicMs() < due) continue;
    f.mu.Unlock();
    last_flush = MonotonicMs();
    FlushAll();
    f.mu.Lock();
  }
  f.mu.Unlock();
  if (kStatsShareMs.Get() > 0) FlushAll(kExplicitBusyMs);  // a closing or exiting process's last
}

// Stops the current run, if any, and waits for its thread.
void StopLocked(Flusher& f) ABSL_EXCLUSIVE_LOCKS_REQUIRED(f.mu) {
  Run* run = f.run;
  if (run == nullptr) return;
  f.run = nullptr;
  run->stop = true;
  f.wake.SignalAll();
  f.mu.Unlock();
  if (run->thread.joinable() && run->thread.get_id() != std::this_thread::get_id()) {
    run->thread.join();
  } else if (run->thread.joinable()) {
    run->thread.detach();  // never: the thread closes no timed connection
  }
  delete run;
  f.mu.Lock();
}

void StartLocked(Flusher& f) ABSL_EXCLUSIVE_LOCKS_REQUIRED(f.mu) {
  Run* run = new Run;
  run->thread = std::thread(Loop, run);
  f.run = run;
}

// fork(): the child has none of the parent's threads. The flusher's mutex and the store's are
// held across the fork (so neither is copied in a locked state, nor a flush half done). The
// child starts no thread here: most forks are followed by exec (Node's child_process, a shell),
// and a thread started between fork and exec is wasted work that ThreadSanitizer even forbids.
// A child that goes on (a pre-forking server's worker) gets its own flusher with the first
// connection it opens, as SQLite asks (a connection must not be carried across fork()), and its
// last counts are flushed at exit. The counts the parent had not flushed at the fork stay the
// parent's: the child drops its copy of them (trace.h, DropCountsInheritedByFork).
// The child is another process in the store: its own token (store_slow.h) and none of the
// parent's plan history or written plan changes (the parent shares those under its token).
void PrepareFork() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  TheFlusher().mu.Lock();
  StoreMutex().Lock();
  PlanHistory::Global().LockForFork();  // before Stats: Observe holds it while switching plans
  LockTimingForFork();
}
void ParentAfterFork() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  UnlockTimingAfterFork();
  PlanHistory::Global().UnlockAfterFork();
  StoreMutex().Unlock();
  TheFlusher().mu.Unlock();
}
void ChildAfterFork() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  UnlockTimingAfterFork();
  PlanHistory::Global().UnlockAfterFork();
  DropCountsInheritedByFork();
  PlanHistory::Global().Reset();
  ForgetWrittenPlanChanges();
  RenewProcessTokenAfterFork();
  StoreMutex().Unlock();
  Flusher& f = TheFlusher();
  // The parent's Run is left alone: its thread is not in this process (never joined, never freed).
  f.run = nullptr;
  // The inherited connections are the parent's, so the close of the child's own last connection
  // is its final flush: a child that ends with _exit() (Python multiprocessing's 'fork' workers)
  // runs no exit handler, and the inherited connections kept its flusher in use (its counts were
  // lost). Closing an inherited connection in the child then finds users at 0 and does nothing.
  f.users = 0;
  f.forked_child = true;
  f.mu.Unlock();
}

void StopAtExit() {
  Flusher& f = TheFlusher();
  absl::MutexLock lock(&f.mu);
  f.exiting = true;
  if (f.run == nullptr && (f.users > 0 || f.forked_child) && kStatsShareMs.Get() > 0) {
    FlushAll(kExplicitBusyMs);  // a forked child that opened no connection of its own: no thread
    return;
  }
  StopLocked(f);
}

}  // namespace

void AcquireStoreFlusher() {
  Flusher& f = TheFlusher();
  absl::MutexLock lock(&f.mu);
  ++f.users;
  // Running already, or exiting; in a forked child none runs until its first own connection.
  if (f.run != nullptr || f.exiting) return;
  if (!f.exit_hook) {
    f.exit_hook = true;
    std::atexit(StopAtExit);  // runs at exit, or when the library is unloaded (already stopped)
    pthread_atfork(PrepareFork, ParentAfterFork, ChildAfterFork);  // removed at unload too
  }
  StartLocked(f);
}

void ReleaseStoreFlusher() {
  Flusher& f = TheFlusher();
  absl::MutexLock lock(&f.mu);
  if (f.users == 0 || --f.users > 0) return;
  StopLocked(f);
}

bool StoreFlusherRunning() {
  Flusher& f = TheFlusher();
  absl::MutexLock lock(&f.mu);
  return f.run != nullptr;
}

}  // namespace doctor::timing
