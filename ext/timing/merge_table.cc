// query_stats_merge(stores): the fleet view (store_merge.h). Stores copied from several machines,
// named by one path or a JSON array of paths, merged exactly; `sources` says how many stores each
// row came from. Reads files only (DIRECTONLY), read-only, each checked like the live store.
//   SELECT query, sources, calls, p95_ms FROM query_stats_merge('["a/app.db-doctor",
//     "b/app.db-doctor"]') ORDER BY total_ms DESC;
#include "ext/core/status_macros.h"
#include "ext/core/table_rows.h"
#include "ext/core/time.h"
#include "ext/timing/histogram.h"
#include "ext/timing/settings.h"
#include "ext/timing/store_merge.h"
#include "ext/timing/store_values.h"
#include "ext/timing/tables.h"

namespace doctor::timing {

const Column kMergeColumns[] = {
    {"query_id", "INTEGER", "FNV-1a 64 of query, as in query_stats."},
    {"query", "TEXT", "The normalized text."},
    {"example", "TEXT", "One statement as written, when a store shared it (stats_share_examples)."},
    {"db", "TEXT",
     "The database's file name without its directory: rows of the same file name merge."},
    {"sources", "INTEGER", "How many of the stores had this query."},
    {"calls", "INTEGER", "Runs in all stores."},
    {"total_ms", "REAL", "Wall time of all runs, ms."},
    {"min_ms", "REAL", "Fastest run in any store, ms."},
    {"max_ms", "REAL", "Slowest run in any store, ms."},
    {"mean_ms", "REAL", "Mean run, ms."},
    {"stddev_ms", "REAL", "Population standard deviation of all runs, ms."},
    {"p50_ms", "REAL", "Median from the merged histogram (within one bucket), ms."},
    {"p95_ms", "REAL", "95th percentile from the merged histogram, ms."},
    {"p99_ms", "REAL", "99th percentile from the merged histogram, ms."},
    {"histogram", "TEXT", "The merged latency histogram as a sparkline."},
    {"buckets", "TEXT", "The merged histogram's 62 bucket counts as a JSON array."},
    {"rows", "INTEGER", "Rows changed or returned, summed."},
    {"vm_steps", "INTEGER", "Virtual machine steps, summed."},
    {"fullscan_steps", "INTEGER", "Full-scan steps, summed."},
    {"sorts", "INTEGER", "Sorts, summed."},
    {"autoindexes", "INTEGER",
     "Rows inserted into automatic indexes (SQLITE_STMTSTATUS_AUTOINDEX), summed."},
    {"errors", "TEXT", "Failed runs by result code as JSON, summed per code."},
    {"lock_wait_ms", "REAL", "Of total_ms, time waiting for locks in doctor's busy handler."},
    {"first_seen", "TEXT", "Earliest first run, ISO-8601 UTC."},
    {"last_seen", "TEXT", "Latest last run, ISO-8601 UTC."},
    {"stats_since", "TEXT",
     "The earliest of the stores' stats_since: no run before it is counted, ISO-8601 UTC."},
    {"minmax_since", "TEXT",
     "The earliest of the stores' minmax_since (stats_since, or the store's last "
     "query_stats_reset('minmax') when later): min_ms and max_ms come from runs at or after it "
     "only, ISO-8601 UTC."},
    {"plan", "TEXT",
     "The plan an application's SQLite captured, the most recent among the stores (NULL when "
     "none did: format-2 stores, writes)."},
    {"plan_id", "INTEGER", "FNV-1a 64 of plan."},
    {"plan_sqlite", "TEXT", "The SQLite version (sqlite3_libversion) that planned it."},
};

absl::StatusOr<Rows> QueryStatsMerge(TableCall& call) {
  ASSIGN_OR_RETURN(std::string arg, call.args().Text(0, "stores"));
  ASSIGN_OR_RETURN(std::vector<std::string> paths, ParseStorePaths(arg));
  ASSIGN_OR_RETURN(std::vector<MergedEntry> merged, MergeStores(paths, kStatsMax.Get()));
  RowBuilder rows(kMergeColumns);
  for (const MergedEntry& e : merged) {
    const Counters& c = e.counters;
    rows.NewRow();
    rows.Set("query_id", e.query_id);
    rows.Set("query", e.query);
    rows.Set("example", e.example.empty() ? Value::Null() : Value(e.example));
    rows.Set("db", e.db);
    rows.Set("sources", e.sources);
    SetCounterColumns(rows, c);
    rows.Set("buckets", HistogramJson(c.buckets));
    rows.Set("stats_since", TimeOfDay(e.stats_since_ms));
    rows.Set("minmax_since", TimeOfDay(e.minmax_since_ms));
    if (e.plan_id != 0) {
      rows.Set("plan", e.plan);
      rows.Set("plan_id", e.plan_id);
      if (!e.plan_sqlite.empty()) rows.Set("plan_sqlite", e.plan_sqlite);
    }
  }
  return rows.Finish();
}

}  // namespace doctor::timing
