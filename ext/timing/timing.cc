// The SQL face of query timing: the registration of query_stats, slow_queries, query_stats_info
// (tables.h), query_stats_reset(), query_stats_flush(), query_trace_forward() and the settings.
// The logic lives in stats.h (counters), histogram.h (percentiles, sparkline), trace.h (the trace
// callback) and sidecar.h (cross-process flush).
#include "ext/timing/timing.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "ext/core/function.h"
#include "ext/core/statement_kind.h"
#include "ext/core/status_macros.h"
#include "ext/core/table.h"
#include "ext/core/time.h"
#include "ext/timing/plan_history.h"
#include "ext/timing/settings.h"
#include "ext/timing/sidecar.h"
#include "ext/timing/store_plan_changes.h"
#include "ext/timing/stats.h"
#include "ext/timing/tables.h"
#include "ext/timing/trace.h"

namespace doctor {
namespace timing {
namespace {

// The database files a reset covers: every one this process has seen and the connection's own.
std::vector<std::string> ResetDbs(FunctionCall& call) {
  std::vector<std::string> dbs = Stats::Global().DbNames();
  dbs.push_back(call.connection().State<TimingState>().db_name());
  std::sort(dbs.begin(), dbs.end());
  dbs.erase(std::unique(dbs.begin(), dbs.end()), dbs.end());
  return dbs;
}

// query_stats_reset('minmax'): forgets min_ms and max_ms of this process's figures and of the
// store of every database file it has seen (calls and sums stay); minmax_since becomes now.
absl::StatusOr<Value> ResetMinMax(FunctionCall& call) ABSL_EXCLUSIVE_LOCKS_REQUIRED(StoreMutex()) {
  FoldedStats();  // every connection's pending runs
  // Read after the fold: a folded run's first_seen (the trace clock's elapsed time, truncated
  // to whole ms, before the fold's own time of day) is never later than this, so every run
  // before the reset is forgotten (read before it, a run's first_seen could be 1 ms later).
  const int64_t now = UnixMs();
  Stats::Global().ForgetMinMaxBefore("", now);
  const std::string& own = call.connection().State<TimingState>().db_name();
  absl::Status own_status;
  for (const std::string& db : ResetDbs(call)) {
    absl::Status status = ResetSidecarMinMax(db, now);
    if (db == own) own_status = status;
  }
  RETURN_IF_ERROR(own_status);
  return Value("ok");
}

// Clears this process's figures, then the sidecar of every database file it has seen and of this
// connection's database; only this connection's own sidecar can fail the call.
absl::StatusOr<Value> Reset(FunctionCall& call) {
  absl::MutexLock lock(&StoreMutex());  // no flush in between: nothing older comes back
  if (call.args().size() > 0) {
    ASSIGN_OR_RETURN(std::string what, call.args().Text(0, "what"));
    if (what == "minmax") return ResetMinMax(call);
    if (what != "all") {
      return absl::InvalidArgumentError(
          absl::StrCat("what must be 'all' or 'minmax', got '", what.substr(0, 40), "'"));
    }
  }
  const int64_t now = UnixMs();
  DiscardPendingSamples();
  Stats::Global().Reset(now);
  PlanHistory::Global().Reset();
  ForgetWrittenPlanChanges();
  std::vector<std::string> dbs = ResetDbs(call);
  const std::string& own = call.connection().State<TimingState>().db_name();
  absl::Status own_status;
  for (const std::string& db : dbs) {
    absl::Status status = ResetSidecar(db, now);
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
    {"query_stats_reset", 0, 1, Trust::kDirectOnly, Reset,
     "query_stats_reset([what TEXT]) -> TEXT",
     "Clears the query statistics and slow-query log everywhere: this process's, the "
     "<db>-doctor store of every database file it has seen, and (at their next flush or read) "
     "every other process's counts from before the reset. what = 'minmax' clears only min_ms "
     "and max_ms the same way (as pg_stat_statements_reset(minmax_only => true)): calls and "
     "sums stay, minmax_since becomes now."},
    {"query_stats_flush", 0, 0, Trust::kDirectOnly, Flush, "query_stats_flush() -> INTEGER",
     "Adds this process's query statistics since its last flush into the shared <db>-doctor "
     "store of each database file now (the background flusher does it every stats_share_ms); "
     "returns the number of query shapes written."},
    {"query_trace_forward", 1, 3, Trust::kDirectOnly, Forward,
     "query_trace_forward(mask INTEGER [, callback POINTER, context POINTER]) -> TEXT",
     "For C/C++ applications: a sqlite3_trace_v2 callback of their own that the extension's "
     "trace callback calls for the events in mask (pointers bound with sqlite3_bind_pointer)."},
};

constexpr TableArg kStoresArg[] = {{"stores", true}};

const TableSpec kTables[] = {
    {"query_stats", nullptr, {}, true, QueryStats, "SELECT * FROM query_stats",
     "One row per normalized query (per database file): calls, time (total, min, max, mean, "
     "stddev, p50/p95/p99 in ms), a latency sparkline, rows, VM counters, failed runs by code "
     "and the query plan; the shared <db>-doctor stores (every process, live) merged with this "
     "process's unflushed counts.",
     kQueryStatsColumns},
    {"slow_queries", nullptr, {}, true, SlowQueries, "SELECT * FROM slow_queries",
     "The most recent statements slower than slow_ms (newest first, at most slow_max): when, "
     "how long, the SQL as written, bound values when slow_params is on, and the plan; other "
     "processes' slow statements from the shared <db>-doctor stores too.",
     kSlowQueriesColumns},
    {"query_stats_info", nullptr, {}, true, Info, "SELECT * FROM query_stats_info",
     "One row about query timing: entries, evictions, memory, since when, whether timing is "
     "active on this connection (status: active | off | replaced | not installed), and the "
     "path of this database's shared <db>-doctor store (NULL for in-memory databases), its "
     "evictions, last reset and error, and whether the background flusher runs.",
     kInfoColumns},
    {"plan_changes", nullptr, {}, true, PlanChanges, "SELECT * FROM plan_changes WHERE regression",
     "Every change of a query's plan seen in this process, and in other processes through the "
     "shared <db>-doctor store (most recent first, at most 256 of each): old and new plan as the application's SQLite planned them, when, what happened between (a "
     "journaled migration, ANALYZE, a new SQLite version), mean latency and VM steps per run "
     "before and after, and for a regression (> 2x worse) the fix.",
     kPlanChangesColumns},
    {"query_stats_buckets", nullptr, {}, true, QueryStatsBuckets,
     "SELECT * FROM query_stats_buckets",
     "Per query shape and hour (the last 24): calls, total, mean, min, max and p95, from the "
     "shared <db>-doctor stores and this process's unflushed counts; join hours_ago = 0 with 1 "
     "to see what got slower.",
     kBucketsColumns},
    {"query_stats_merge", nullptr, kStoresArg, true, QueryStatsMerge,
     "SELECT * FROM query_stats_merge(stores)",
     "The fleet view: <db>-doctor stores copied from several machines (stores: one path or a "
     "JSON array of paths), merged exactly per query and database file name: calls, sums, "
     "min/max, failed runs per code, histograms bucket by bucket (exact percentiles to the "
     "bucket), and sources, how many stores each row came from. Read-only; a bad store is an "
     "error naming it.",
     kMergeColumns},
    {"query_stats_buckets_merge", nullptr, kStoresArg, true, QueryStatsBucketsMerge,
     "SELECT * FROM query_stats_buckets_merge(stores)",
     "The hourly buckets of <db>-doctor stores copied from several machines (stores as in "
     "query_stats_merge), merged exactly per query, database file name and hour: calls, total, "
     "mean, min, max, p95 from the merged histogram, and sources. Read-only; a bad store is an "
     "error naming it.",
     kBucketsMergeColumns},
    {"slow_queries_merge", nullptr, kStoresArg, true, SlowQueriesMerge,
     "SELECT * FROM slow_queries_merge(stores)",
     "The slow statements of <db>-doctor stores copied from several machines (stores as in "
     "query_stats_merge): the newest slow_max of all their slow rings, newest first, each with "
     "the process that ran it and the store it came from. Read-only; a bad store is an error "
     "naming it.",
     kSlowMergeColumns},
};

Setting* const kSettings[] = {&kTimingOn,  &kStatsMax,    &kSlowMs,           &kSlowMax,
                              &kSlowParams, &kStatsShareMs, &kStatsShareExamples};

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
