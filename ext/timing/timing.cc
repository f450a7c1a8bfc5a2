// The SQL face of query timing: the registration of query_stats, slow_queries, query_stats_info
// (tables.h), query_stats_reset(), query_stats_flush(), query_trace_forward() and the settings.
// The logic lives in stats.h (counters), histogram.h (percentiles, sparkline), trace.h (the trace
// callback) and sidecar.h (cross-process flush).
#include "ext/timing/timing.h"

#include <algorithm>

#include "ext/core/function.h"
#include "ext/core/statement_kind.h"
#include "ext/core/status_macros.h"
#include "ext/core/table.h"
#include "ext/core/time.h"
#include "ext/timing/plan_history.h"
#include "ext/timing/settings.h"
#include "ext/timing/sidecar.h"
#include "ext/timing/stats.h"
#include "ext/timing/tables.h"
#include "ext/timing/trace.h"

namespace doctor {
namespace timing {
namespace {

// Clears this process's figures, then the sidecar of every database file it has seen and of this
// connection's database; only this connection's own sidecar can fail the call.
absl::StatusOr<Value> Reset(FunctionCall& call) {
  DiscardPendingSamples();
  Stats::Global().Reset(UnixMs());
  PlanHistory::Global().Reset();
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
    {"query_stats", nullptr, {}, true, QueryStats, "SELECT * FROM query_stats",
     "One row per normalized query (per database file): calls, time (total, min, max, mean, "
     "stddev, p50/p95/p99 in ms), a latency sparkline, rows, VM counters, failed runs by code "
     "and the query plan; this process's memory merged with the <db>-doctor sidecars.",
     kQueryStatsColumns},
    {"slow_queries", nullptr, {}, true, SlowQueries, "SELECT * FROM slow_queries",
     "The most recent statements slower than slow_ms (newest first, at most slow_max): when, "
     "how long, the SQL as written, bound values when slow_params is on, and the plan.",
     kSlowQueriesColumns},
    {"query_stats_info", nullptr, {}, true, Info, "SELECT * FROM query_stats_info",
     "One row about query timing: entries, evictions, memory, since when, whether timing is "
     "active on this connection (status: active | off | replaced | not installed), and the "
     "path of this database's <db>-doctor sidecar (store; NULL for in-memory databases).",
     kInfoColumns},
    {"plan_changes", nullptr, {}, true, PlanChanges, "SELECT * FROM plan_changes WHERE regression",
     "Every change of a query's plan seen in this process (most recent first, at most 256): old "
     "and new plan as the application's SQLite planned them, when, what happened between (a "
     "journaled migration, ANALYZE, a new SQLite version), mean latency and VM steps per run "
     "before and after, and for a regression (> 2x worse) the fix.",
     kPlanChangesColumns},
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
