// What a run's end cannot settle at once, and the runs it did not see start: the extended code
// of a BUSY failure and the changes of a RETURNING write cut short (both read at the
// connection's next statement start), the retry of a statement re-prepared under a run that
// started before timing did, and the slow-query log. Split from trace.cc, which holds the rest of
// TimingState.
#include <string>
#include <utility>

#include "ext/timing/clock.h"
#include "ext/timing/settings.h"
#include "ext/timing/stats.h"
#include "ext/timing/trace.h"

namespace doctor::timing {

int TimingState::OnUntrackedRow(sqlite3_stmt* stmt) {
  if (untracked_stmt_ != stmt) {
    untracked_stmt_ = stmt;
    untracked_rows_ = 0;
  }
  ++untracked_rows_;
  return 0;
}

int TimingState::OnUntrackedProfile(sqlite3_stmt* stmt) {
  const int64_t rows = untracked_stmt_ == stmt ? untracked_rows_ : 0;
  untracked_stmt_ = nullptr;
  Cached& c = cache_[SlotOf(stmt)];
  // The retry of the statement's last run: it is known, timing is on, and it was re-prepared
  // since that run ended (its next run's end sees the same change and checks its plan). kRecheck
  // (after query_stats_reset) says nothing about a re-prepare: no retry is assumed then.
  if (c.stmt != stmt || (attention_ & (kTimingOff | kStaleCache)) != 0 ||
      c.reprepares == kRecheck ||
      StmtCounter(stmt, SQLITE_STMTSTATUS_REPREPARE) == c.reprepares) {
    return 0;
  }
  LockPending();
  if (c.pending.calls > 0) {  // else a reader folded the attempt meanwhile: leave it
    // A write's attempt counted sqlite3_changes(), which it did not move (the previous
    // statement's count): the retry's own changes replace it (set before its PROFILE).
    if (c.is_dml) {
      const int64_t changes = sqlite3_changes(db_);
      c.pending.rows += changes - c.last_rows;
      c.last_rows = changes;
    } else {
      c.pending.rows += rows;
    }
    const uint32_t now = StmtCounter(stmt, SQLITE_STMTSTATUS_VM_STEP);
    c.pending.vm_steps += CounterDelta(c.last[0], now);
    c.last[0] = now;
    c.moving = kAllMoving;  // the new program's
    AddMovingCounters(c, stmt);
  }
  UnlockPending();
  return 0;
}

void TimingState::MarkBusy(Cached& c) {
  LockPending();
  c.pending.MarkFailed(kBusy);
  busy_end_ticks_ = c.pending_last_ticks;  // the run's end: FinishRun has just set it
  UnlockPending();
  attention_ |= kBusyToRefine;  // the next STMT event takes Admit, which calls RefineBusy
  busy_slot_ = &c;
  busy_query_id_ = c.query_id;
}

// SQLite sets the connection's error code after the PROFILE event, from the step's result. It
// still holds it at the next statement start when the application's calls in between did not
// change it (a reset of the failed statement keeps it; a prepare or a bind clears it). Only a
// code of the BUSY family is taken: the run is known to have failed with one.
void TimingState::RefineBusy() {
  attention_ &= ~kBusyToRefine;
  const int code = sqlite3_extended_errcode(db_);
  if ((code & 0xff) != SQLITE_BUSY || code == SQLITE_BUSY) return;
  const ErrorCode refined = ErrorCodeOf(code);
  LockPending();
  Cached& c = cache_[busy_slot_ - cache_.data()];
  // The run is still in the slot's pending counters unless a reader or the flusher folded them
  // meanwhile (or the slot took another statement, which folds them too).
  const bool pending = c.query_id == busy_query_id_ && c.pending.errors_by[kBusy] > 0;
  if (pending) {
    --c.pending.errors_by[kBusy];
    ++c.pending.errors_by[refined];
  }
  UnlockPending();
  if (pending) return;
  // Folded: an application that pauses after the failure (a web request that failed, the next
  // one a second later) meets the flusher's turn (every stats_share_ms) nearly always, and the
  // run stayed BUSY in memory and in the store. The move follows as a correction to the entry the
  // run went to; it moves the run there, or waits there for the flush that merges it with the
  // store's row (Counters::busy_refined). Its time is the run's end: a reset since drops it.
  Counters correction;
  correction.busy_refined[refined] = 1;
  correction.first_seen_ms = correction.last_seen_ms = TraceTimeOfDay().UnixMs(busy_end_ticks_);
  Stats::Global().Merge(Key{busy_query_id_, db_index_}, "", "", correction, kStatsMax.Get(),
                        /*hint=*/nullptr);
}

void TimingState::MarkChangesUnread(Cached& c, int64_t counted, int64_t end_ticks) {
  attention_ |= kChangesToRead;  // the next STMT event takes Admit, which calls ReadChanges
  changes_slot_ = &c;
  changes_counted_ = counted;
  changes_end_ticks_ = end_ticks;
}

// Between the reset that ended the run and the next statement start nothing else sets the
// connection's change count: it is the run's own.
void TimingState::ReadChanges() {
  attention_ &= ~kChangesToRead;
  const int64_t changes = sqlite3_changes(db_);
  if (changes <= changes_counted_) return;
  LockPending();
  Cached& c = cache_[changes_slot_ - cache_.data()];
  const bool folded = c.pending.calls == 0;
  if (!folded) c.pending.rows += changes - changes_counted_;
  c.last_rows = changes;
  UnlockPending();
  if (!folded) return;
  // The flusher thread (every stats_share_ms) or a reader folded the run into the process's
  // figures meanwhile: an application idle after its write meets the flusher's turn nearly
  // always, and its runs kept only the rows they handed (3 rows for 3 claims of 100 jobs each).
  // The rest follows as a correction to the entry the run went to, and from there to the store.
  Counters correction;
  correction.rows = changes - changes_counted_;
  correction.first_seen_ms = correction.last_seen_ms =
      TraceTimeOfDay().UnixMs(changes_end_ticks_);
  Stats::Global().Merge(Key{c.query_id, db_index_}, c.query, c.raw, correction, kStatsMax.Get(),
                        /*hint=*/nullptr);
}

void TimingState::RecordSlow(const Cached& c, sqlite3_stmt* stmt, double ms, int64_t end_ticks,
                             int64_t vm_steps, int64_t fullscan_steps) {
  if (kSlowMax.Get() <= 0) return;
  SlowQuery slow{TraceTimeOfDay().UnixMs(end_ticks), ms, c.query_id, c.raw, "", db_name_, vm_steps,
                 fullscan_steps};
  slow.query = c.query;
  if (kSlowParams.On()) {
    if (char* expanded = sqlite3_expanded_sql(stmt)) {
      slow.params = expanded;
      sqlite3_free(expanded);
    }
  }
  Stats::Global().RecordSlow(std::move(slow), kSlowMax.Get());
}

}  // namespace doctor::timing
