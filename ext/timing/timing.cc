// The SQL face of query timing: query_stats, slow_queries, query_stats_info, query_stats_reset(),
// query_stats_flush(), query_trace_forward() and the settings. The logic lives in stats.h
// (counters), histogram.h (percentiles, sparkline), trace.h (the trace callback) and sidecar.h
// (cross-process flush).
#include "ext/timing/timing.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "ext/core/function.h"
#include "ext/core/query_plan.h"
#include "ext/core/sql.h"
#include "ext/core/sql_normalize.h"
#include "ext/core/statement_kind.h"
#include "ext/core/status_macros.h"
#include "ext/core/table.h"
#include "ext/core/time.h"
#include "ext/timing/settings.h"
#include "ext/timing/sidecar.h"
#include "ext/timing/stats.h"
#include "ext/timing/trace.h"

namespace doctor {
namespace timing {
namespace {

// A time of day as ISO-8601 UTC; NULL when never set.
Value TimeOfDay(int64_t unix_ms) {
  if (unix_ms <= 0) return Value::Null();
  return Value(IsoTime(unix_ms));
}

// The plan of `sql` on this connection as "SCAN t; SEARCH u USING INDEX ...", or NULL. Only
// statements whose EXPLAIN QUERY PLAN has no effect at prepare time are planned (never PRAGMA,
// ATTACH, transaction control or DDL); EXPLAIN only prepares, it never runs them.
Value ComputePlan(Connection& connection, absl::string_view sql) {
  if (!IsPlannable(KindOfStatement(sql))) return Value::Null();
  absl::StatusOr<QueryPlan> plan = ExplainQueryPlan(connection, sql);
  if (!plan.ok() || plan->empty()) return Value::Null();  // e.g. INSERT ... VALUES: nothing
  return Value(PlanText(*plan));
}

// Plans are computed when query_stats or slow_queries is read, and kept per connection until its
// schema changes (PRAGMA schema_version), so reading the tables again does not prepare every
// statement again. Bounded: cleared beyond kMaxPlans.
class PlanCache : public AreaState {
 public:
  explicit PlanCache(Connection& connection) : connection_(connection) {}

  // Call once per read: drops the plans when the schema changed since the last read.
  void Refresh() {
    auto rows = Query(connection_, "PRAGMA schema_version");
    int64_t version = (rows.ok() && !rows->empty()) ? rows->front()[0].AsInt() : -1;
    if (version != schema_version_ || version < 0) plans_.clear();
    schema_version_ = version;
  }
  Value Plan(absl::string_view sql) {
    const uint64_t key = Fnv1a64(sql);
    auto it = plans_.find(key);
    if (it != plans_.end()) return it->second;
    if (plans_.size() >= kMaxPlans) plans_.clear();
    Value plan = ComputePlan(connection_, sql);
    plans_.emplace(key, plan);
    return plan;
  }

 private:
  static constexpr size_t kMaxPlans = 20000;
  Connection& connection_;
  int64_t schema_version_ = -1;
  absl::flat_hash_map<uint64_t, Value> plans_;
};

// Adds `e` to `all`, merging it with an entry of the same query and database already there.
void MergeInto(EntrySnapshot e, std::vector<EntrySnapshot>* all,
               absl::flat_hash_map<std::pair<int64_t, std::string>, size_t>* index) {
  auto [it, fresh] = index->try_emplace(std::make_pair(e.query_id, e.db), all->size());
  if (fresh) {
    if (e.counters.calls > 0) all->push_back(std::move(e));
    return;
  }
  EntrySnapshot& into = (*all)[it->second];
  into.counters.Merge(e.counters);
  // Sidecars keep no literal example unless shared (stats_share_examples): take ours.
  if (into.example.empty()) into.example = std::move(e.example);
}

// Process memory merged with the sidecars of every database file this process has seen and of
// this connection's own database. A damaged sidecar fails the read on its own database's
// connections only (the error names the file); elsewhere it is left out.
absl::StatusOr<std::vector<EntrySnapshot>> Merged(Connection& connection) {
  std::vector<EntrySnapshot> mine = FoldedStats().Snapshot();
  std::vector<std::string> dbs = Stats::Global().DbNames();
  const std::string& own = connection.State<TimingState>().db_name();
  if (std::find(dbs.begin(), dbs.end(), own) == dbs.end()) dbs.push_back(own);
  absl::flat_hash_map<std::pair<int64_t, std::string>, size_t> index;
  std::vector<EntrySnapshot> all;
  for (const std::string& db : dbs) {
    absl::StatusOr<std::vector<EntrySnapshot>> side = ReadSidecar(db);
    if (!side.ok()) {
      if (db == own) return side.status();
      continue;
    }
    for (EntrySnapshot& e : *side) MergeInto(std::move(e), &all, &index);
  }
  for (EntrySnapshot& e : mine) MergeInto(std::move(e), &all, &index);
  std::sort(all.begin(), all.end(), [](const EntrySnapshot& a, const EntrySnapshot& b) {
    return a.counters.total_ms > b.counters.total_ms;
  });
  return all;
}

absl::StatusOr<Rows> QueryStats(TableCall& call) {
  Connection& connection = call.connection();
  ASSIGN_OR_RETURN(std::vector<EntrySnapshot> entries, Merged(connection));
  const std::string& own = connection.State<TimingState>().db_name();
  PlanCache& plans = connection.State<PlanCache>();
  plans.Refresh();
  Rows rows;
  rows.reserve(entries.size());
  for (const EntrySnapshot& e : entries) {
    const Counters& c = e.counters;
    rows.push_back({
        e.query_id, e.query, e.example, e.db, c.calls, c.total_ms, c.min_ms, c.max_ms,
        c.mean_ms(), c.stddev_ms(),
        Percentile(c.buckets, c.calls, 0.50, c.min_ms, c.max_ms),
        Percentile(c.buckets, c.calls, 0.95, c.min_ms, c.max_ms),
        Percentile(c.buckets, c.calls, 0.99, c.min_ms, c.max_ms),
        Sparkline(c.buckets), c.rows, c.vm_steps, c.fullscan_steps, c.sorts, c.autoindexes,
        // Failed runs by code: only what the trace API shows (README, "errors").
        c.ErrorsJson(), TimeOfDay(c.first_seen_ms), TimeOfDay(c.last_seen_ms),
        e.db == own ? plans.Plan(e.example.empty() ? e.query : e.example) : Value::Null(),
    });
  }
  return rows;
}

absl::StatusOr<Rows> SlowQueries(TableCall& call) {
  Connection& connection = call.connection();
  const std::string& own = connection.State<TimingState>().db_name();
  PlanCache& plans = connection.State<PlanCache>();
  plans.Refresh();
  Rows rows;
  std::vector<SlowQuery> slow = Stats::Global().SlowSnapshot();
  for (auto it = slow.rbegin(); it != slow.rend(); ++it) {  // most recent first
    const SlowQuery& s = *it;
    rows.push_back({TimeOfDay(s.at_ms), s.ms, s.query_id, s.sql,
                    s.params.empty() ? Value::Null() : Value(s.params), s.db, s.vm_steps,
                    s.fullscan_steps,
                    s.db == own ? plans.Plan(s.sql) : Value::Null()});
  }
  return rows;
}

absl::StatusOr<Rows> Info(TableCall& call) {
  TimingState& state = call.connection().State<TimingState>();
  StatsInfo info = FoldedStats().Info();
  // This read is itself a statement of the connection: when our callback still holds the
  // connection's trace slot and timing is on, it is being timed right now.
  const char* status = !kTimingOn.On()        ? "off"
                       : !state.installed()   ? "not installed"
                       : state.timing_now()   ? "active"
                                              : "replaced";
  const std::string& db = state.db_name();
  return Rows{{info.entries, info.evictions, info.memory_bytes,
               info.entries ? Value(info.memory_bytes / info.entries) : Value::Null(),
               TimeOfDay(info.since_ms), Value(std::string(status) == "active"), status,
               info.slow_entries, kStatsMax.Get(), db,
               HasSidecar(db) ? Value(SidecarPath(db)) : Value::Null()}};
}

// Clears this process's figures, then the sidecar of every database file it has seen and of this
// connection's database; only this connection's own sidecar can fail the call.
absl::StatusOr<Value> Reset(FunctionCall& call) {
  DiscardPendingSamples();
  Stats::Global().Reset(UnixMs());
  std::vector<std::string> dbs = Stats::Global().DbNames();
  dbs.push_back(call.connection().State<TimingState>().db_name());
  std::sort(dbs.begin(), dbs.end());
  dbs.erase(std::unique(dbs.begin(), dbs.end()), dbs.end());
  const std::string& own = call.connection().State<TimingState>().db_name();
  absl::Status own_status;
  for (const std::string& db : dbs) {
    absl::Status status = ResetSidecar(db);
    if (db == own) own_status = status;
  }
  RETURN_IF_ERROR(own_status);
  return Value("ok");
}

absl::StatusOr<Value> Flush(FunctionCall& call) {
  // Every database is tried; only this connection's own sidecar can fail the call (the error
  // names it): another database's counters that could not be written stay in memory.
  const std::string& own = call.connection().State<TimingState>().db_name();
  int64_t written = 0;
  absl::Status own_status;
  for (const std::string& db : Stats::Global().DbNames()) {
    if (!HasSidecar(db)) continue;
    absl::StatusOr<int64_t> n = FlushDb(db, kExplicitBusyMs);
    if (n.ok()) written += *n;
    if (db == own) own_status = n.status();
  }
  RETURN_IF_ERROR(own_status);
  return Value(written);
}

// For C/C++ applications: `SELECT query_trace_forward(?1, ?2, ?3)` with ?1 the mask, ?2 a
// sqlite3_trace_v2-style callback and ?3 its context, both bound with sqlite3_bind_pointer and
// the types "doctor_trace_callback" / "doctor_trace_context". NULL callback removes it.
absl::StatusOr<Value> Forward(FunctionCall& call) {
  ASSIGN_OR_RETURN(int64_t mask, call.args().Int(0, "mask"));
  void* callback = call.args().size() > 1
                       ? sqlite3_value_pointer(call.args().raw(1), "doctor_trace_callback")
                       : nullptr;
  void* context = call.args().size() > 2
                      ? sqlite3_value_pointer(call.args().raw(2), "doctor_trace_context")
                      : nullptr;
  if (call.args().size() > 1 && !call.args().Missing(1) && callback == nullptr) {
    return absl::InvalidArgumentError(
        "callback must be bound with sqlite3_bind_pointer(..., \"doctor_trace_callback\", ...)");
  }
  TimingState& state = call.connection().State<TimingState>();
  state.SetForward(static_cast<unsigned>(mask),
                   reinterpret_cast<int (*)(unsigned, void*, void*, void*)>(callback), context);
  return Value(callback ? "forwarding" : "not forwarding");
}

absl::Status Attach(Connection& connection) {
  return connection.State<TimingState>().Install();
}

const FunctionSpec kFunctions[] = {
    {"query_stats_reset", 0, 0, Trust::kDirectOnly, Reset, "query_stats_reset() -> TEXT",
     "Clears this process's query statistics and slow-query log, and the figures in the "
     "<db>-doctor sidecar of every database file it has seen."},
    {"query_stats_flush", 0, 0, Trust::kDirectOnly, Flush, "query_stats_flush() -> INTEGER",
     "Adds this process's query statistics since its last flush into the <db>-doctor sidecar "
     "of each database file; returns the number of query shapes written."},
    {"query_trace_forward", 1, 3, Trust::kDirectOnly, Forward,
     "query_trace_forward(mask INTEGER [, callback POINTER, context POINTER]) -> TEXT",
     "For C/C++ applications: a sqlite3_trace_v2 callback of their own that the extension's "
     "trace callback calls for the events in mask (pointers bound with sqlite3_bind_pointer)."},
};

const TableSpec kTables[] = {
    {"query_stats",
     "query_id INTEGER, query TEXT, example TEXT, db TEXT, calls INTEGER, total_ms REAL, "
     "min_ms REAL, max_ms REAL, mean_ms REAL, stddev_ms REAL, p50_ms REAL, p95_ms REAL, "
     "p99_ms REAL, histogram TEXT, rows INTEGER, vm_steps INTEGER, fullscan_steps INTEGER, "
     "sorts INTEGER, autoindexes INTEGER, errors TEXT, first_seen TEXT, last_seen TEXT, "
     "plan TEXT",
     {},
     true,
     QueryStats,
     "SELECT * FROM query_stats",
     "One row per normalized query (per database file): calls, time (total, min, max, mean, "
     "stddev, p50/p95/p99 in ms), a latency sparkline, rows, VM counters and the query plan; "
     "this process's memory merged with the <db>-doctor sidecars."},
    {"slow_queries",
     "at TEXT, ms REAL, query_id INTEGER, sql TEXT, params TEXT, db TEXT, vm_steps INTEGER, "
     "fullscan_steps INTEGER, plan TEXT",
     {},
     true,
     SlowQueries,
     "SELECT * FROM slow_queries",
     "The most recent statements slower than slow_ms (newest first, at most slow_max): when, "
     "how long, the SQL as written, bound values when slow_params is on, and the plan."},
    {"query_stats_info",
     "entries INTEGER, evictions INTEGER, memory_bytes INTEGER, bytes_per_entry INTEGER, "
     "since TEXT, timing_active INTEGER, status TEXT, slow_entries INTEGER, stats_max INTEGER, "
     "db TEXT, store TEXT",
     {},
     true,
     Info,
     "SELECT * FROM query_stats_info",
     "One row about query timing: entries, evictions, memory, since when, whether timing is "
     "active on this connection (status: active | off | replaced | not installed), and the "
     "path of this database's <db>-doctor sidecar (store; NULL for in-memory databases)."},
};

Setting* const kSettings[] = {&kTimingOn,  &kStatsMax,    &kSlowMs,           &kSlowMax,
                              &kSlowParams, &kStatsFlushS, &kStatsShareExamples};

}  // namespace

std::vector<QueryErrors> ProcessQueryErrors() {
  std::vector<QueryErrors> out;
  for (const EntrySnapshot& e : FoldedStats().Snapshot()) {
    if (e.counters.errors == 0) continue;
    QueryErrors q{e.query_id, e.query, e.db, KindOfStatement(e.query), {}};
    for (int code = 0; code < kErrorCodes; ++code) {
      if (e.counters.errors_by[code] > 0) {
        q.by_code.emplace_back(ErrorCodeName(code), e.counters.errors_by[code]);
      }
    }
    out.push_back(std::move(q));
  }
  return out;
}

}  // namespace timing

const Area kTimingArea = {"timing", timing::kFunctions, timing::kTables, timing::kSettings,
                          timing::Attach};

}  // namespace doctor
