#include "ext/timing/trace.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "ext/core/sql_normalize.h"
#include "ext/core/statement_kind.h"
#include "ext/timing/clock.h"
#include "ext/timing/plan_history.h"
#include "ext/timing/settings.h"
#include "ext/timing/sidecar.h"
#include "ext/timing/store_flusher.h"
#include "ext/timing/stats.h"

namespace doctor::timing {
namespace {

// Every TimingState of the process, so readers can fold their pending samples.
absl::Mutex registry_mu(absl::kConstInit);
std::vector<TimingState*>& Registry() ABSL_EXCLUSIVE_LOCKS_REQUIRED(registry_mu) {
  static auto* states = new std::vector<TimingState*>;  // never destroyed, like the store
  return *states;
}

constexpr unsigned kEvents = SQLITE_TRACE_STMT | SQLITE_TRACE_PROFILE | SQLITE_TRACE_ROW;
constexpr int kCounterOps[4] = {SQLITE_STMTSTATUS_VM_STEP, SQLITE_STMTSTATUS_FULLSCAN_STEP,
                                SQLITE_STMTSTATUS_SORT, SQLITE_STMTSTATUS_AUTOINDEX};

// The name of a connection's main database for the statistics: its file, or ":memory:" for
// in-memory, temp and memdb-VFS databases (`file:/x?vfs=memdb` names "/x" but has no file there:
// it must get no sidecar).
std::string DatabaseName(sqlite3* db) {
  const char* file = sqlite3_db_filename(db, "main");
  if (file == nullptr || file[0] == '\0') return ":memory:";
  sqlite3_vfs* vfs = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_VFS_POINTER, &vfs) == SQLITE_OK &&
      vfs != nullptr && vfs->zName != nullptr && std::strcmp(vfs->zName, "memdb") == 0) {
    return ":memory:";
  }
  return file;
}

}  // namespace


TimingState::TimingState(Connection& connection)
    : connection_(connection),
      db_(connection.db()),
      txn_watch_(connection.db(), connection.number()) {
  db_name_ = DatabaseName(db_);
  db_index_ = Stats::Global().DbIndex(db_name_);
  CalibrateTraceClock();
  absl::MutexLock lock(&registry_mu);
  Registry().push_back(this);
}

TimingState::~TimingState() {
  {
    absl::MutexLock lock(&registry_mu);
    FoldPending(/*discard=*/false);
    auto& states = Registry();
    states.erase(std::find(states.begin(), states.end(), this));
  }
  // The last timed connection stops the store's flusher (after a final flush) before SQLite
  // can unload the library: this runs in the connection's close, before its dlclose.
  if (installed_ && HasSidecar(db_name_)) ReleaseStoreFlusher();
}

void TimingState::FoldSlotLocked(Cached& slot, const TraceTimeOfDay& time_of_day) {
  if (slot.pending.calls == 0) return;
  slot.pending.first_seen_ms = time_of_day.UnixMs(slot.pending_first_ticks);
  slot.pending.last_seen_ms = time_of_day.UnixMs(slot.pending_last_ticks);
  Stats::Global().Merge(Key{slot.query_id, db_index_}, slot.query, slot.raw, slot.pending,
                        kStatsMax.Get(), &slot.hint);
  slot.pending = Counters();
}

void TimingState::FoldPending(bool discard) {
  if (discard) {
    LockPending();
    for (Cached& slot : cache_) slot.pending = Counters();
    UnlockPending();
    return;
  }
  const TraceTimeOfDay time_of_day;  // read once for every slot
  LockPending();
  for (Cached& slot : cache_) FoldSlotLocked(slot, time_of_day);
  UnlockPending();
}

Stats& FoldedStats() {
  absl::MutexLock lock(&registry_mu);
  for (TimingState* state : Registry()) state->FoldPending(/*discard=*/false);
  return Stats::Global();
}

void DiscardPendingSamples() {
  absl::MutexLock lock(&registry_mu);
  for (TimingState* state : Registry()) state->FoldPending(/*discard=*/true);
}

void LockTimingForFork() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  registry_mu.Lock();
  Stats::Global().LockForFork();
}

void UnlockTimingAfterFork() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  Stats::Global().UnlockAfterFork();
  registry_mu.Unlock();
}

void DropCountsInheritedByFork() {
  absl::MutexLock lock(&registry_mu);
  for (TimingState* state : Registry()) {
    // A thread that held the spin lock at the fork is not in this process.
    state->pending_lock_.store(false, std::memory_order_relaxed);
    if (HasSidecar(state->db_name_)) state->FoldPending(/*discard=*/true);
  }
  Stats::Global().DropInheritedByFork(&HasSidecar);
}

absl::Status TimingState::Install() {
  if (installed_) return absl::OkStatus();
  int rc = sqlite3_trace_v2(db_, kEvents | forward_mask_,
                            forward_ ? &TimingState::CallbackAndForward : &TimingState::Callback,
                            this);
  if (rc != SQLITE_OK) {
    return absl::InternalError(std::string("cannot install the trace callback: ") +
                               sqlite3_errstr(rc));
  }
  installed_ = true;
  if (HasSidecar(db_name_)) AcquireStoreFlusher();  // in-memory databases have nothing to share
  return absl::OkStatus();
}

void TimingState::SetForward(unsigned mask, int (*callback)(unsigned, void*, void*, void*),
                             void* context) {
  forward_ = callback;
  forward_context_ = context;
  forward_mask_ = callback ? mask : 0;
  attention_ |= kStaleCache;  // statements may have run unobserved while another callback held the slot
  // Events the application wants beyond ours (e.g. SQLITE_TRACE_CLOSE) need the mask widened.
  if (installed_) {
    sqlite3_trace_v2(db_, kEvents | forward_mask_,
                     callback ? &TimingState::CallbackAndForward : &TimingState::Callback, this);
  }
}

int TimingState::Callback(unsigned event, void* context, void* p, void*) {
  auto* self = static_cast<TimingState*>(context);
  auto* stmt = static_cast<sqlite3_stmt*>(p);
  // Every call below is a tail call, so this function needs no stack frame.
  if (event == SQLITE_TRACE_ROW) {  // the most frequent event: once per row returned
    const size_t n = self->in_flight_count_;
    if (n == 0) return self->OnUntrackedRow(stmt);
    Running& innermost = self->in_flight_[n - 1];
    if (innermost.stmt != stmt) return self->OnOuterRow(stmt);
    ++innermost.rows;
    return 0;
  }
  if (event == SQLITE_TRACE_STMT) return self->OnStmt(stmt);
  if (event == SQLITE_TRACE_PROFILE) {
    // Nothing timed is running when timing is off or the statement started before the load.
    if (self->in_flight_count_ > 0) return self->OnProfile(stmt);
    return self->OnUntrackedProfile(stmt);
  }
  return 0;
}

int TimingState::CallbackAndForward(unsigned event, void* context, void* p, void* x) {
  if ((event & kEvents) != 0) Callback(event, context, p, x);
  auto* self = static_cast<TimingState*>(context);
  if (self->forward_ != nullptr && (self->forward_mask_ & event) != 0) {
    self->forward_(event, self->forward_context_, p, x);
  }
  return 0;
}

void TimingState::RefreshSettings() {
  settings_generation_ = Setting::Generation();  // first: a change from now on moves it again
  if (kTimingOn.On()) {
    attention_ &= ~kTimingOff;
  } else {
    attention_ |= kTimingOff;
  }
  slow_ms_ = static_cast<double>(kSlowMs.Get());
  // query_stats_reset emptied the plan history (it moves the settings' generation too): every
  // cached statement ends its next run with a plan check, which plans it again.
  if (PlanHistory::Global().generation() != plan_history_generation_) {
    for (Cached& c : cache_) c.reprepares = kRecheck;
  }
}

bool TimingState::Admit(sqlite3_stmt* stmt) {
  if (attention_ & kBusyToRefine) RefineBusy();
  if (attention_ & kChangesToRead) ReadChanges();
  for (size_t i = 0; i < in_flight_count_; ++i) {
    if (in_flight_[i].stmt == stmt) return false;  // a trigger sub-program of a running statement
  }
  if (connection_.internal()) return false;
  // Nothing of the application runs now (a trigger or a statement stepped inside another one
  // has a run in flight): EXPLAIN on this connection here is as safe as between two statements.
  if ((attention_ & kPlanToCapture) && in_flight_count_ == 0) CapturePlans();
  if (attention_ & kStaleCache) {
    DetachRuns(nullptr);
    for (Cached& c : cache_) c.stmt = nullptr;
  }
  attention_ = plan_queue_.empty() ? 0 : kPlanToCapture;
  if (in_flight_count_ == kMaxInFlight) {  // PROFILEs were lost: forget the oldest
    std::move(in_flight_.begin() + 1, in_flight_.end(), in_flight_.begin());
    --in_flight_count_;
  }
  return true;
}

void TimingState::StartRun(Running& r, sqlite3_stmt* stmt) {
  r.stmt = stmt;
  r.rows = 0;
  r.lock_wait_start = connection_.lock_wait_ms();
  r.counters[0] = StmtCounter(stmt, SQLITE_STMTSTATUS_VM_STEP);
  // VM_STEP is 0 only before a statement's first run (it is added when each step returns).
  r.fresh = r.counters[0] == 0;
  Cached& slot = cache_[SlotOf(stmt)];
  if (slot.stmt == stmt && !r.fresh) {
    r.slot = &slot;  // its `last` counters are this run's start values
  } else {
    r.slot = nullptr;
    ReadStartCounters(r);
  }
  r.start_ticks = TraceClockNow();
}

int TimingState::OnStmt(sqlite3_stmt* stmt) {
  SyncSettings();
  // The common case: timing on, nothing else running, the cache fresh, a statement of the
  // application.
  if (in_flight_count_ != 0 || attention_ != 0 || connection_.internal()) {
    if (attention_ & kTimingOff) {
      // Statements run while timing is off are not seen: a recycled statement address could
      // then look like a known one, so the cache starts over when timing comes back.
      attention_ |= kStaleCache;
      return 0;
    }
    return OnOtherStmt(stmt);
  }
  in_flight_count_ = 1;
  StartRun(in_flight_[0], stmt);
  return 0;
}

int TimingState::OnOtherStmt(sqlite3_stmt* stmt) {
  if (Admit(stmt)) StartRun(in_flight_[in_flight_count_++], stmt);
  return 0;
}

void TimingState::DetachRuns(const Cached* slot) {
  for (size_t i = 0; i < in_flight_count_; ++i) {
    Running& r = in_flight_[i];
    if (r.slot == nullptr || (slot != nullptr && r.slot != slot)) continue;
    std::memcpy(&r.counters[1], &r.slot->last[1], 3 * sizeof r.counters[0]);
    r.slot = nullptr;
  }
}

TimingState::Cached& TimingState::SlotAtEnd(const Running& run) {
  Cached& c = Lookup(run.stmt, run.fresh);
  std::memcpy(&c.last[1], &run.counters[1], 3 * sizeof run.counters[0]);
  return c;
}

void TimingState::ReadStartCounters(Running& r) {
  for (int i = 1; i < 4; ++i) {
    r.counters[i] = StmtCounter(r.stmt, kCounterOps[i]);
  }
}

int TimingState::OnOuterRow(sqlite3_stmt* stmt) {
  for (size_t i = in_flight_count_ - 1; i-- > 0;) {
    if (in_flight_[i].stmt == stmt) {
      ++in_flight_[i].rows;
      break;
    }
  }
  return 0;
}

TimingState::Cached& TimingState::Relookup(Cached& slot, sqlite3_stmt* stmt, bool fresh) {
  const char* sql = sqlite3_sql(stmt);
  if (sql == nullptr) sql = "";
  if (slot.stmt == stmt && slot.raw == sql) {
    // A statement's first run (its address recycled): its plan is checked against 0 re-prepares
    // (a re-prepare during this first run met a changed schema).
    if (fresh) {
      slot.reprepares = 0;
      slot.runs_at_reprepare = 0;
      slot.moving = kAllMoving;  // another statement object: its program is not known yet
      CheckPlan(slot, stmt, StmtCounter(stmt, SQLITE_STMTSTATUS_REPREPARE));
    }
    return slot;
  }
  std::string raw = sql;
  auto it = shapes_.find(raw);
  if (it == shapes_.end()) {
    if (shapes_.size() >= kMaxShapes) shapes_.clear();  // bounded; refilled by the hot texts
    std::string query = NormalizeSql(raw);
    const int64_t id = QueryId(query);
    // Classified once per distinct text, like the normalization.
    const StatementKind kind = KindOfStatement(raw);
    const std::optional<int64_t> busy_timeout =
        kind == StatementKind::kPragma ? BusyTimeoutPragmaValue(raw) : std::nullopt;
    it = shapes_.emplace(raw, Shape{std::move(query), id, IsWrite(kind), kind,
                                    IsTransactionControl(kind),
                                    busy_timeout ? std::max<int64_t>(*busy_timeout, 0) : -1})
             .first;
  }
  // Writes count the rows they changed; everything else the rows it returned.
  const bool is_dml = it->second.is_write && !sqlite3_stmt_readonly(stmt);
  DetachRuns(&slot);
  LockPending();
  // The slot's samples belong to its previous statement.
  if (slot.pending.calls > 0) FoldSlotLocked(slot, TraceTimeOfDay());
  slot.stmt = stmt;
  slot.raw = std::move(raw);
  slot.query = it->second.query;
  slot.query_id = it->second.query_id;
  slot.is_dml = is_dml;
  slot.is_transaction_control = it->second.is_transaction_control;
  slot.sets_busy_timeout = it->second.sets_busy_timeout;
  slot.hint = Stats::Hint();
  slot.kind = it->second.kind;
  const uint32_t reprepares = StmtCounter(stmt, SQLITE_STMTSTATUS_REPREPARE);
  slot.reprepares = fresh ? 0 : reprepares;
  slot.moving = kAllMoving;
  slot.plan_epoch = 0;
  slot.runs_at_reprepare = 0;
  UnlockPending();
  CheckPlan(slot, stmt, reprepares);  // new to the slot: planned unless known in this epoch
  return slot;
}

bool TimingState::TakeOuterRun(sqlite3_stmt* stmt, Running* run) {
  size_t i = in_flight_count_;
  while (i > 0 && in_flight_[i - 1].stmt != stmt) --i;
  if (i == 0) return false;  // it started while timing was off or before the extension was loaded
  *run = in_flight_[i - 1];
  std::move(in_flight_.begin() + i, in_flight_.begin() + in_flight_count_,
            in_flight_.begin() + (i - 1));
  --in_flight_count_;
  return true;
}

void TimingState::FinishRun(const Running& run, int64_t end_ticks) {
  sqlite3_stmt* const stmt = run.stmt;
  Cached& c = ABSL_PREDICT_TRUE(run.slot != nullptr) ? *run.slot : SlotAtEnd(run);
  const double ms = TraceTicksToMs(end_ticks - run.start_ticks);
  // A step that returned SQLITE_BUSY* leaves the statement running (it may be stepped again);
  // any other end halts it. A PROFILE of a running statement with no row yet is such a step (a
  // reset or finalize after rows also PROFILEs a running statement, but after a ROW event).
  const bool busy = run.rows == 0 && sqlite3_stmt_busy(stmt);
  // A write that handed rows (RETURNING) and still runs was reset before its last row: its own
  // sqlite3_changes() is set after this event (MarkChangesUnread).
  const bool changes_unread = c.is_dml && run.rows > 0 && sqlite3_stmt_busy(stmt);
  const int64_t counted_rows =
      busy || changes_unread ? run.rows : c.is_dml ? sqlite3_changes(db_) : run.rows;
  // A re-prepare (a schema change, ANALYZE, a bound value the plan depends on) happens at a
  // run's start, so this run ran the new program: the runs before it go to the previous plan
  // (CheckPlan folds them first), and every counter of this one is read.
  auto* const stmt_status = sqlite3_api->stmt_status;
  const uint32_t reprepares = stmt_status(stmt, SQLITE_STMTSTATUS_REPREPARE, 0);
  if (ABSL_PREDICT_FALSE(reprepares != c.reprepares)) {
    c.moving = kAllMoving;
    CheckPlan(c, stmt, reprepares);
  }
  LockPending();
  // first_seen/last_seen: kept as clock readings here, converted when folded.
  if (c.pending.calls == 0) c.pending_first_ticks = end_ticks;
  c.pending_last_ticks = end_ticks;
  c.pending.AddTime(ms, counted_rows);
  c.last_rows = counted_rows;
  c.pending.lock_wait_ms += connection_.lock_wait_ms() - run.lock_wait_start;
  // VM_STEP's start value was read at the start. The other counters are read only when the
  // program may move them (Cached::moving); their start values are the ends of the previous run.
  const uint32_t now = stmt_status(stmt, SQLITE_STMTSTATUS_VM_STEP, 0);
  c.pending.vm_steps += CounterDelta(run.counters[0], now);
  c.last[0] = now;
  const int64_t fullscan_steps = c.moving != 0 ? AddMovingCounters(c, stmt) : 0;
  UnlockPending();
  txn_watch_.AfterRun(c.is_transaction_control, c.query, c.raw);
  if (c.sets_busy_timeout >= 0) connection_.AfterBusyTimeoutPragma(c.sets_busy_timeout);
  if (busy) MarkBusy(c);
  if (changes_unread) MarkChangesUnread(c, counted_rows, end_ticks);
  if (ms >= slow_ms_) {
    RecordSlow(c, stmt, ms, end_ticks, CounterDelta(run.counters[0], c.last[0]), fullscan_steps);
  }
}

int64_t TimingState::AddMovingCounters(Cached& c, sqlite3_stmt* stmt) {
  uint32_t now = StmtCounter(stmt, SQLITE_STMTSTATUS_FULLSCAN_STEP);
  const int64_t fullscan_steps = CounterDelta(c.last[1], now);
  c.pending.fullscan_steps += fullscan_steps;
  c.last[1] = now;
  now = StmtCounter(stmt, SQLITE_STMTSTATUS_SORT);
  c.pending.sorts += CounterDelta(c.last[2], now);
  c.last[2] = now;
  now = StmtCounter(stmt, SQLITE_STMTSTATUS_AUTOINDEX);
  c.pending.autoindexes += CounterDelta(c.last[3], now);
  c.last[3] = now;
  return fullscan_steps;
}

int TimingState::OnProfile(sqlite3_stmt* stmt) {
  const int64_t end_ticks = TraceClockNow();
  // A run is counted when timing was on at its start (OnStmt reads the settings).
  const size_t innermost = in_flight_count_ - 1;  // Callback checked that a run is in flight
  if (in_flight_[innermost].stmt != stmt) return OnOuterProfile(stmt, end_ticks);
  in_flight_count_ = innermost;  // usually the innermost statement ends
  FinishRun(in_flight_[innermost], end_ticks);
  return 0;
}

int TimingState::OnOuterProfile(sqlite3_stmt* stmt, int64_t end_ticks) {
  Running run;
  if (TakeOuterRun(stmt, &run)) FinishRun(run, end_ticks);
  return 0;
}

}  // namespace doctor::timing
