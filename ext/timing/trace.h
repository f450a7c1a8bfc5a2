// Statement timing on one connection: the sqlite3_trace_v2 callback and its per-connection state.
//
// How it works:
//   - STMT event: a statement starts its run. Take our own monotonic clock (PROFILE's own
//     nanoseconds have 1 ms granularity on unix in SQLite 3.40) and remember (stmt, start).
//     A STMT for a statement that is already running is a trigger sub-program ("-- TRIGGER t"):
//     ignored, its time belongs to the statement that fired it. The extension's own statements
//     (Connection::internal()) are not timed.
//   - ROW event: one more row returned by a running statement (counted as `rows` of reads).
//   - PROFILE event: the run ended (SQLITE_DONE, an error, or a reset/finalize before the end).
//     Elapsed = now - start. The statement's shape comes from a small per-connection cache keyed
//     by the sqlite3_stmt pointer (checked against its SQL text on a statement's first run, when
//     the address may be recycled from a finalized statement), so a prepared statement is
//     normalized once, not on every run. The VM counters are deltas of sqlite3_stmt_status since
//     the start of the run. The run is added to the cached statement's pending counters, which
//     readers fold into the process-wide Stats (FoldedStats), and goes to the slow ring when slow
//     enough. Nothing here prepares or runs SQL on the connection.
#ifndef DOCTOR_TIMING_TRACE_H_
#define DOCTOR_TIMING_TRACE_H_

#include <sched.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "ext/core/connection.h"
#include "ext/core/setting.h"
#include "ext/core/statement_kind.h"
#include "ext/core/transaction_watch.h"
#include "ext/timing/clock.h"
#include "ext/timing/stats.h"

namespace doctor::timing {

class TimingState : public AreaState {
 public:
  explicit TimingState(Connection& connection);

  // Installs the trace callback (once); a no-op for the extension's own sidecar connections.
  absl::Status Install();
  bool installed() const { return installed_; }
  // True while a statement of this connection is being timed (used by query_stats_info, which
  // is itself such a statement when our callback is still the connection's trace callback).
  bool timing_now() const { return in_flight_count_ > 0; }
  const std::string& db_name() const { return db_name_; }
  ~TimingState() override;

  // For C/C++ applications: a trace callback of their own, called by ours for the events in
  // its mask (sqlite3_trace_v2 has one slot per connection). nullptr removes it.
  void SetForward(unsigned mask, int (*callback)(unsigned, void*, void*, void*), void* context);

 private:
  struct Cached;
  struct Running {
    sqlite3_stmt* stmt;
    // The statement's cache slot when it was known at the start (its `last` counters are the
    // start values); nullptr when the end must look it up (counters[1..3] then hold the start
    // values). A slot that changes statement detaches the runs that point to it (DetachRuns).
    Cached* slot;
    int64_t start_ticks;  // TraceClockNow()
    int64_t rows;
    double lock_wait_start;  // Connection::lock_wait_ms() when the run started
    // VM_STEP, FULLSCAN_STEP, SORT, AUTOINDEX when the run started ([1..3]: only without slot).
    uint32_t counters[4];
    // First run of this sqlite3_stmt (VM_STEP was 0): its address may be a recycled one, so the
    // cache must check the SQL text; later runs of the same statement trust the pointer.
    bool fresh;
  };
  // Fields the hot path touches come first, so a run touches few cache lines of its slot.
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool is_dml = false;
    // Which of FULLSCAN_STEP, SORT and AUTOINDEX (bits 1 << 1..3) the statement's program may
    // move: read at the end of each run. All of them until a plan captured after the statement was
    // prepared shows only constrained SEARCHes (PlanMovesNoScanCounters); all again as soon as it
    // is re-prepared (REPREPARE is read at the end of every run) or the slot changes statement.
    uint8_t moving = kAllMoving;
    bool is_transaction_control = false;  // for TransactionWatch::AfterRun
    int64_t sets_busy_timeout = -1;  // N >= 0 for PRAGMA busy_timeout = N (Connection hook)
    // The statement's counters at the end of its last observed run: the start values of its next
    // run, so a known statement reads only VM_STEP when it starts.
    uint32_t last[4] = {0, 0, 0, 0};
    int64_t pending_first_ticks = 0;  // when the first and last pending samples ended
    int64_t pending_last_ticks = 0;
    // Samples not yet in the process store (under pending_lock_): the hot path adds here without
    // the store's mutex; readers fold them in first (FoldedStats).
    Counters pending;
    // The rows its last run counted: a write retried after a schema change (OnUntrackedProfile)
    // replaces its attempt's count (the previous statement's changes) with its own.
    int64_t last_rows = 0;
    std::string raw;  // the statement's SQL, to notice a pointer reused by another statement
    std::string query;
    int64_t query_id = 0;
    Stats::Hint hint;  // the statement's entry in the store, for folding
    StatementKind kind = StatementKind::kOther;
    // SQLITE_STMTSTATUS_REPREPARE at the end of its last observed run (kRecheck: unknown, so the
    // next run ends with a plan check).
    uint32_t reprepares = 0;
    uint64_t plan_epoch = 0;  // plan_epoch_ when its plan was last known or queued
    // SQLITE_STMTSTATUS_RUN when a re-prepare was last seen (0: none seen). A statement
    // re-prepared at two runs in a row is re-prepared by its bindings (CheckPlan).
    uint32_t runs_at_reprepare = 0;
  };
  // A shape computed for a statement's text: reused when the application prepares the same text
  // again (ORMs prepare per query), so normalization is paid once per distinct text.
  struct Shape {
    std::string query;
    int64_t query_id;
    bool is_write;  // INSERT, REPLACE, UPDATE, DELETE (WITH ... included): KindOfStatement
    StatementKind kind;
    bool is_transaction_control;  // BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE
    int64_t sets_busy_timeout;    // BusyTimeoutPragmaValue clamped to >= 0, or -1
  };
  // A statement whose plan is to be captured at the connection's next statement start.
  struct PlanToCapture {
    int64_t query_id;
    std::string raw;
    std::string query;
    // What to EXPLAIN: `raw`, or for a re-prepared program (compiled with the values bound when
    // it was re-prepared) the statement with its values (sqlite3_expanded_sql).
    std::string explain_sql;
  };
  static constexpr uint8_t kAllMoving = (1 << SQLITE_STMTSTATUS_FULLSCAN_STEP) |
                                        (1 << SQLITE_STMTSTATUS_SORT) |
                                        (1 << SQLITE_STMTSTATUS_AUTOINDEX);
  static constexpr uint32_t kRecheck = ~uint32_t{0};  // Cached::reprepares
  static constexpr size_t kMaxPlanQueue = 16;        // statements waiting for their plan
  static constexpr size_t kMaxCapturesPerStart = 4;  // EXPLAINs at one statement start
  static constexpr size_t kMaxPlanned = 512;         // per connection: query id -> epoch
  static constexpr size_t kMaxShapes = 512;

  // The hot path: one call per event of every statement the application runs. What the common
  // case (a cached statement, nothing nested) does not need is kept out of line and cold.
  static int Callback(unsigned event, void* context, void* p, void* x);
  static int CallbackAndForward(unsigned event, void* context, void* p, void* x);
  // The handlers return the callback's result (always 0), so Callback tail-calls them; a ROW
  // event of the innermost statement is counted in Callback itself.
  int OnStmt(sqlite3_stmt* stmt);
  int OnProfile(sqlite3_stmt* stmt);  // with a run in flight
  // Out of line, so the common case keeps few registers: a STMT event with a run in flight (or
  // any other reason to check), and a PROFILE event of a statement that is not the innermost.
  ABSL_ATTRIBUTE_NOINLINE ABSL_ATTRIBUTE_COLD int OnOtherStmt(sqlite3_stmt* stmt);
  ABSL_ATTRIBUTE_NOINLINE ABSL_ATTRIBUTE_COLD int OnOuterProfile(sqlite3_stmt* stmt,
                                                                 int64_t end_ticks);
  ABSL_ATTRIBUTE_ALWAYS_INLINE inline void StartRun(Running& r, sqlite3_stmt* stmt);
  ABSL_ATTRIBUTE_ALWAYS_INLINE inline void FinishRun(const Running& run, int64_t end_ticks);
  // A ROW event of a statement that is not the innermost running one (statements interleaved).
  ABSL_ATTRIBUTE_NOINLINE ABSL_ATTRIBUTE_COLD int OnOuterRow(sqlite3_stmt* stmt);
  // ROW and PROFILE events with no run in flight. Besides statements that started before the
  // load or while timing was off, they come from SQLite's retry after SQLITE_SCHEMA: the trace
  // reported the first attempt (which met the new schema) as the run, and the retry with the
  // re-prepared program sends no STMT event. The retry's rows, VM steps and scan counters are
  // added to that run (its time stays the attempt's: there is no start to measure from).
  ABSL_ATTRIBUTE_NOINLINE ABSL_ATTRIBUTE_COLD int OnUntrackedRow(sqlite3_stmt* stmt);
  ABSL_ATTRIBUTE_NOINLINE ABSL_ATTRIBUTE_COLD int OnUntrackedProfile(sqlite3_stmt* stmt);
  // Whether a STMT event starts a timed run (timing on), when something runs already or the
  // common case does not apply (triggers, the extension's own statements, a stale cache).
  ABSL_ATTRIBUTE_NOINLINE ABSL_ATTRIBUTE_COLD bool Admit(sqlite3_stmt* stmt);
  // The start values of FULLSCAN_STEP, SORT and AUTOINDEX, for a statement not in the cache.
  ABSL_ATTRIBUTE_NOINLINE ABSL_ATTRIBUTE_COLD void ReadStartCounters(Running& r);
  // Removes the run of a statement that is not the innermost one; false when none is running.
  ABSL_ATTRIBUTE_NOINLINE ABSL_ATTRIBUTE_COLD bool TakeOuterRun(sqlite3_stmt* stmt, Running* run);
  // A run whose step returned SQLITE_BUSY*: counted as failed (kBusy until RefineBusy knows the
  // extended code), with 0 rows.
  ABSL_ATTRIBUTE_NOINLINE ABSL_ATTRIBUTE_COLD void MarkBusy(Cached& c);
  // At the connection's next statement start: the extended BUSY code, when the connection's
  // error code still holds one (see the README, "errors"); moved in the slot's pending counters,
  // or, when they were folded meanwhile, by a correction (Counters::busy_refined) to the entry
  // the run went to, and from there to the store.
  ABSL_ATTRIBUTE_NOINLINE ABSL_ATTRIBUTE_COLD void RefineBusy();
  // A write with RETURNING reset (or finalized) before its last row, as better-sqlite3's get()
  // does: its PROFILE comes before SQLite sets sqlite3_changes(), which then still holds the
  // previous statement's count. The run counts the rows handed so far until the connection's
  // next statement start, where ReadChanges adds the rest of its own sqlite3_changes().
  ABSL_ATTRIBUTE_NOINLINE ABSL_ATTRIBUTE_COLD void MarkChangesUnread(Cached& c, int64_t counted,
                                                                     int64_t end_ticks);
  ABSL_ATTRIBUTE_NOINLINE ABSL_ATTRIBUTE_COLD void ReadChanges();
  // At the end of a run whose program may move FULLSCAN_STEP, SORT or AUTOINDEX (or was
  // re-prepared): reads those counters and adds their growth to the pending samples (under
  // pending_lock_). Returns the run's FULLSCAN_STEP growth.
  ABSL_ATTRIBUTE_NOINLINE ABSL_ATTRIBUTE_COLD int64_t AddMovingCounters(Cached& c,
                                                                          sqlite3_stmt* stmt);
  // The schema or the statistics changed: folds every pending sample, then moves plan_epoch_.
  void AdvancePlanEpoch();
  // Plan history (plan_history.h): whether the statement may plan differently now (first run,
  // re-prepared, DDL or ANALYZE on this connection); queues its plan capture when so.
  // `reprepares`: its SQLITE_STMTSTATUS_REPREPARE now, which every caller has just read.
  ABSL_ATTRIBUTE_NOINLINE ABSL_ATTRIBUTE_COLD void CheckPlan(Cached& c, sqlite3_stmt* stmt,
                                                             uint32_t reprepares);
  // At a statement start with nothing running: EXPLAIN QUERY PLAN of the queued statements on
  // this connection (as the extension's own statements), handed to the plan history.
  ABSL_ATTRIBUTE_NOINLINE ABSL_ATTRIBUTE_COLD void CapturePlans();
  // After a plan of `raw` that cannot move FULLSCAN_STEP, SORT or AUTOINDEX: the cached
  // statements with that text stop reading them (Cached::moving).
  void StopReadingScanCounters(const std::string& raw);
  // At a re-prepare: true when the statement was also re-prepared at its previous run
  // (SQLITE_STMTSTATUS_RUN), as SQLite does when the run binds a value its plan depends on.
  bool ReprepareAtConsecutiveRuns(Cached& c, sqlite3_stmt* stmt);
  // The text CheckPlan queues for EXPLAIN (PlanToCapture::explain_sql), at most
  // kMaxExplainText bytes of values.
  std::string ExplainText(const Cached& c, sqlite3_stmt* stmt);
  static constexpr int kMaxExplainText = 64 * 1024;
  ABSL_ATTRIBUTE_NOINLINE ABSL_ATTRIBUTE_COLD void RecordSlow(const Cached& c, sqlite3_stmt* stmt,
                                                              double ms, int64_t end_ticks,
                                                              int64_t vm_steps,
                                                              int64_t fullscan_steps);
  Cached& Lookup(sqlite3_stmt* stmt, bool fresh) {
    Cached& slot = cache_[SlotOf(stmt)];
    if (slot.stmt == stmt && !fresh) return slot;  // the same live statement as last time
    return Relookup(slot, stmt, fresh);
  }
  ABSL_ATTRIBUTE_NOINLINE ABSL_ATTRIBUTE_COLD Cached& Relookup(Cached& slot, sqlite3_stmt* stmt,
                                                               bool fresh);
  // The slot of a run that had none at its start, with the run's start counters in its `last`.
  ABSL_ATTRIBUTE_NOINLINE ABSL_ATTRIBUTE_COLD Cached& SlotAtEnd(const Running& run);
  // Before `slot` (or, with nullptr, every slot) changes statement: the runs in flight that use
  // its `last` counters as their start values get a copy of them.
  void DetachRuns(const Cached* slot);
  // Folds (or, with discard, drops) every slot's pending samples. Takes pending_lock_.
  void FoldPending(bool discard);
  void FoldSlotLocked(Cached& slot, const TraceTimeOfDay& time_of_day);
  void LockPending() {
    while (pending_lock_.exchange(true, std::memory_order_acquire)) sched_yield();
  }
  void UnlockPending() { pending_lock_.store(false, std::memory_order_release); }
  friend Stats& FoldedStats();
  friend void DiscardPendingSamples();
  friend void DropCountsInheritedByFork();
  static uint32_t StmtCounter(sqlite3_stmt* stmt, int op) {
    return static_cast<uint32_t>(sqlite3_stmt_status(stmt, op, 0));
  }
  // A counter's growth during one run: it only grows, unless the application reset it meanwhile.
  static int64_t CounterDelta(uint32_t start, uint32_t end) {
    return end >= start ? end - start : end;
  }
  static size_t SlotOf(sqlite3_stmt* stmt) {
    return (reinterpret_cast<uintptr_t>(stmt) >> 4) % kCacheSlots;
  }

  // Copies of the settings the hot path reads, re-read when Setting::Generation() moves.
  void SyncSettings() {
    if (settings_generation_ != Setting::Generation()) RefreshSettings();
  }
  ABSL_ATTRIBUTE_NOINLINE ABSL_ATTRIBUTE_COLD void RefreshSettings();

  // The members every event reads come first, next to the innermost runs.
  size_t in_flight_count_ = 0;
  // Non-zero when the next STMT event must leave the common path: the cache is stale
  // (kStaleCache), or a BUSY run waits for its extended code (kBusyToRefine).
  // kTimingOff: the setting `timing` is off (the statement is not timed).
  // kChangesToRead: a cut RETURNING run waits for its sqlite3_changes() (MarkChangesUnread).
  static constexpr uint8_t kStaleCache = 1, kBusyToRefine = 2, kPlanToCapture = 4, kTimingOff = 8,
                           kChangesToRead = 16;
  uint8_t attention_ = 0;
  const Cached* busy_slot_ = nullptr;  // the slot of that run
  const Cached* changes_slot_ = nullptr;  // the slot of the cut RETURNING run
  int64_t changes_counted_ = 0;           // the rows it counted so far
  int64_t changes_end_ticks_ = 0;         // when it ended (TraceClockNow)
  // Rows returned by a statement with no run in flight (OnUntrackedRow), until its PROFILE.
  sqlite3_stmt* untracked_stmt_ = nullptr;
  int64_t untracked_rows_ = 0;
  bool installed_ = false;
  double slow_ms_ = 0;           // slow_ms
  uint64_t settings_generation_ = ~uint64_t{0};
  // Guards every slot's `pending` and a slot's identity (stmt, texts, key, hint) against readers
  // on other threads. A spin lock: it is held for a few dozen instructions, and a mutex would
  // cost the hot path as much as the process store's own.
  std::atomic<bool> pending_lock_{false};
  Connection& connection_;
  // Statements running now, innermost last (a statement may run SQL in a user function).
  static constexpr size_t kMaxInFlight = 64;
  std::array<Running, kMaxInFlight> in_flight_;
  static constexpr size_t kCacheSlots = 64;
  std::array<Cached, kCacheSlots> cache_;
  sqlite3* const db_;
  TransactionWatch txn_watch_;  // this connection's open transaction, for open_transactions
  std::string db_name_;
  uint32_t db_index_ = 0;
  absl::flat_hash_map<std::string, Shape> shapes_;
  // Plan capture: bumped when the schema may have changed for this connection's statements; a
  // query id is planned again when its epoch here is older (or the history was reset).
  uint64_t plan_epoch_ = 1;
  uint64_t plan_history_generation_ = 0;
  absl::flat_hash_map<int64_t, uint64_t> planned_;
  std::vector<PlanToCapture> plan_queue_;
  unsigned forward_mask_ = 0;
  int (*forward_)(unsigned, void*, void*, void*) = nullptr;
  void* forward_context_ = nullptr;
  // The BUSY run waiting for its extended code (MarkBusy): its shape, and when it ended
  // (TraceClockNow), for the correction RefineBusy sends when the run was folded meanwhile.
  int64_t busy_query_id_ = 0;
  int64_t busy_end_ticks_ = 0;
};

// The process store with the pending samples of every connection folded in: what readers use.
Stats& FoldedStats();
// fork() (the store flusher's fork handlers, after the store's mutex): LockTimingForFork holds
// the registry of connections and the process store across the fork, so the child never inherits
// them locked; UnlockTimingAfterFork releases them. In the child, DropCountsInheritedByFork then
// drops the counts the parent had not flushed yet (pending samples, Stats counters and slow
// entries of databases with a store): the parent flushes them, the child must not count them again.
void LockTimingForFork();
void UnlockTimingAfterFork();
void DropCountsInheritedByFork();
// Drops every connection's pending samples (query_stats_reset).
void DiscardPendingSamples();


}  // namespace doctor::timing

#endif  // DOCTOR_TIMING_TRACE_H_
