#include "ext/timing/trace.h"

#include <time.h>

#include <cstring>

#include "absl/strings/match.h"
#include "ext/core/sql_normalize.h"
#include "ext/timing/settings.h"
#include "ext/timing/sidecar.h"
#include "ext/timing/stats.h"

namespace doctor::timing {
namespace {

thread_local int opening_sidecar = 0;

constexpr unsigned kEvents = SQLITE_TRACE_STMT | SQLITE_TRACE_PROFILE | SQLITE_TRACE_ROW;
constexpr size_t kMaxInFlight = 64;
constexpr int kCounterOps[4] = {SQLITE_STMTSTATUS_VM_STEP, SQLITE_STMTSTATUS_FULLSCAN_STEP,
                                SQLITE_STMTSTATUS_SORT, SQLITE_STMTSTATUS_AUTOINDEX};

bool StartsWithKeyword(absl::string_view text, absl::string_view word) {
  return absl::StartsWith(text, word) &&
         (text.size() == word.size() || text[word.size()] == ' ' || text[word.size()] == '(');
}

}  // namespace

// Wall-clock milliseconds from a monotonic reading: one system clock read per process, not per
// statement (first_seen/last_seen/at only need millisecond precision).
int64_t UnixMsFromMonotonic(int64_t mono_ns) {
  static const int64_t base_unix_ms = NowUnixMs();
  static const int64_t base_mono_ns = MonotonicNs();
  return base_unix_ms + (mono_ns - base_mono_ns) / 1000000;
}

bool OpeningSidecar() { return opening_sidecar > 0; }
SidecarOpenScope::SidecarOpenScope() { ++opening_sidecar; }
SidecarOpenScope::~SidecarOpenScope() { --opening_sidecar; }

int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

TimingState::TimingState(Connection& connection)
    : connection_(connection), db_(connection.db()) {
  const char* file = sqlite3_db_filename(db_, "main");
  db_name_ = (file == nullptr || file[0] == '\0') ? ":memory:" : file;
  db_index_ = Stats::Global().DbIndex(db_name_);
  in_flight_.reserve(8);
}

absl::Status TimingState::Install() {
  if (installed_ || OpeningSidecar()) return absl::OkStatus();
  int rc = sqlite3_trace_v2(db_, kEvents, &TimingState::Callback, this);
  if (rc != SQLITE_OK) {
    return absl::InternalError(std::string("cannot install the trace callback: ") +
                               sqlite3_errstr(rc));
  }
  installed_ = true;
  return absl::OkStatus();
}

void TimingState::SetForward(unsigned mask, int (*callback)(unsigned, void*, void*, void*),
                             void* context) {
  forward_ = callback;
  forward_context_ = context;
  forward_mask_ = callback ? mask : 0;
  stale_cache_ = true;  // statements may have run unobserved while another callback held the slot
  // Events the application wants beyond ours (e.g. SQLITE_TRACE_CLOSE) need the mask widened.
  if (installed_) sqlite3_trace_v2(db_, kEvents | forward_mask_, &TimingState::Callback, this);
}

int TimingState::Callback(unsigned event, void* context, void* p, void* x) {
  auto* self = static_cast<TimingState*>(context);
  switch (event) {
    case SQLITE_TRACE_STMT:
      self->OnStmt(static_cast<sqlite3_stmt*>(p));
      break;
    case SQLITE_TRACE_ROW:
      self->OnRow(static_cast<sqlite3_stmt*>(p));
      break;
    case SQLITE_TRACE_PROFILE:
      self->OnProfile(static_cast<sqlite3_stmt*>(p));
      break;
    default:
      break;
  }
  if (self->forward_ != nullptr && (self->forward_mask_ & event) != 0) {
    self->forward_(event, self->forward_context_, p, x);
  }
  return 0;
}

void TimingState::OnStmt(sqlite3_stmt* stmt) {
  for (const Running& r : in_flight_) {
    if (r.stmt == stmt) return;  // a trigger sub-program of a running statement
  }
  if (!kTimingOn.On()) {
    // Statements run while timing is off are not seen: a recycled statement address could then
    // look like a known one, so the cache starts over when timing comes back.
    stale_cache_ = true;
    return;
  }
  if (connection_.internal()) return;
  if (stale_cache_) {
    for (Cached& c : cache_) c.stmt = nullptr;
    stale_cache_ = false;
  }
  if (in_flight_.size() >= kMaxInFlight) in_flight_.erase(in_flight_.begin());  // lost PROFILEs
  Running r{stmt, 0, 0, {}, false};
  r.counters[0] = static_cast<uint32_t>(sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_VM_STEP, 0));
  // VM_STEP is 0 only before a statement's first run (it is added when each step returns).
  r.fresh = r.counters[0] == 0;
  const Cached& slot = cache_[SlotOf(stmt)];
  if (slot.stmt == stmt && !r.fresh) {
    for (int i = 1; i < 4; ++i) r.counters[i] = slot.last[i];
  } else {
    for (int i = 1; i < 4; ++i) {
      r.counters[i] = static_cast<uint32_t>(sqlite3_stmt_status(stmt, kCounterOps[i], 0));
    }
  }
  r.start_ns = MonotonicNs();
  in_flight_.push_back(r);
}

void TimingState::OnRow(sqlite3_stmt* stmt) {
  for (size_t i = in_flight_.size(); i-- > 0;) {
    if (in_flight_[i].stmt == stmt) {
      ++in_flight_[i].rows;
      return;
    }
  }
}

size_t TimingState::SlotOf(sqlite3_stmt* stmt) {
  return (reinterpret_cast<uintptr_t>(stmt) >> 4) % kCacheSlots;
}

TimingState::Cached& TimingState::Lookup(sqlite3_stmt* stmt, bool fresh) {
  Cached& slot = cache_[SlotOf(stmt)];
  if (slot.stmt == stmt && !fresh) return slot;  // the same live statement as last time
  const char* sql = sqlite3_sql(stmt);
  if (sql == nullptr) sql = "";
  if (slot.stmt == stmt && slot.raw == sql) return slot;
  slot.stmt = stmt;
  slot.raw = sql;
  slot.hint = Stats::Hint();
  auto it = shapes_.find(slot.raw);
  if (it == shapes_.end()) {
    if (shapes_.size() >= kMaxShapes) shapes_.clear();  // bounded; refilled by the hot texts
    std::string query = NormalizeSql(slot.raw);
    const int64_t id = QueryId(query);
    it = shapes_.emplace(slot.raw, Shape{std::move(query), id}).first;
  }
  slot.query = it->second.query;
  slot.query_id = it->second.query_id;
  slot.is_dml = !sqlite3_stmt_readonly(stmt) &&
                (StartsWithKeyword(slot.query, "INSERT") || StartsWithKeyword(slot.query, "UPDATE") ||
                 StartsWithKeyword(slot.query, "DELETE") || StartsWithKeyword(slot.query, "REPLACE") ||
                 StartsWithKeyword(slot.query, "WITH"));
  return slot;
}

void TimingState::OnProfile(sqlite3_stmt* stmt) {
  const int64_t end_ns = MonotonicNs();
  Running run{nullptr, -1, 0, {}, true};
  for (size_t i = in_flight_.size(); i-- > 0;) {
    if (in_flight_[i].stmt == stmt) {
      run = in_flight_[i];
      if (i + 1 == in_flight_.size()) {
        in_flight_.pop_back();  // the usual case: the innermost statement ends
      } else {
        in_flight_.erase(in_flight_.begin() + i);
      }
      break;
    }
  }
  if (run.start_ns < 0 || !kTimingOn.On()) return;
  const int64_t elapsed_ns = end_ns - run.start_ns;
  const int64_t rows = run.rows;
  Cached& c = Lookup(stmt, run.fresh);
  int64_t delta[4];
  for (int i = 0; i < 4; ++i) {
    const uint32_t now = static_cast<uint32_t>(sqlite3_stmt_status(stmt, kCounterOps[i], 0));
    // The counters only grow during a run, unless the application reset them meanwhile.
    delta[i] = now >= run.counters[i] ? now - run.counters[i] : now;
    c.last[i] = now;
  }
  Sample s;
  s.ms = static_cast<double>(elapsed_ns) / 1e6;
  s.rows = c.is_dml ? sqlite3_changes(db_) : rows;
  s.vm_steps = delta[0];
  s.fullscan_steps = delta[1];
  s.sorts = delta[2];
  s.autoindexes = delta[3];
  s.at_ms = UnixMsFromMonotonic(end_ns);
  Stats& stats = Stats::Global();
  stats.Record(Key{c.query_id, db_index_}, c.query, c.raw, s, kStatsMax.Get(), &c.hint);
  if (s.ms >= static_cast<double>(kSlowMs.Get()) && kSlowMax.Get() > 0) {
    SlowQuery slow{s.at_ms, s.ms, c.query_id, c.raw, "", db_name_, s.vm_steps, s.fullscan_steps};
    if (kSlowParams.On()) {
      if (char* expanded = sqlite3_expanded_sql(stmt)) {
        slow.params = expanded;
        sqlite3_free(expanded);
      }
    }
    stats.RecordSlow(std::move(slow), kSlowMax.Get());
  }
  if (kStatsFlushS.Get() > 0) MaybePeriodicFlush();
}

}  // namespace doctor::timing
