// query_stats_buckets_merge(stores) and slow_queries_merge(stores): the hourly buckets and the
// slow rings of <db>-doctor stores copied from several machines (store_merge.h), beside
// query_stats_merge. Same argument, same checks (read-only, each file checked like the live
// store, every value validated), bounded by stats_max and slow_max.
//   SELECT cur.query, prev.mean_ms, cur.mean_ms FROM query_stats_buckets_merge(:stores) cur
//     JOIN query_stats_buckets_merge(:stores) prev USING (query_id, db)
//    WHERE cur.hours_ago = 0 AND prev.hours_ago = 1;
//   SELECT at, ms, sql, store FROM slow_queries_merge(:stores);
#include "ext/core/status_macros.h"
#include "ext/core/table_rows.h"
#include "ext/timing/settings.h"
#include "ext/timing/store_merge.h"
#include "ext/timing/tables.h"

namespace doctor::timing {

const Column kBucketsMergeColumns[] = {
    {"query_id", "INTEGER", "The id of the query shape (as in query_stats)."},
    {"query", "TEXT", "The normalized text."},
    {"db", "TEXT",
     "The database's file name without its directory: hours of the same file name merge."},
    {"hour", "TEXT",
     "Start of the hour on the clock of the machine that wrote it, ISO-8601 UTC: the same hour "
     "of every store merges."},
    {"hours_ago", "INTEGER",
     "Hours before the newest hour in any of the stores (0: that hour, the one of their latest "
     "write; 1: the hour before), on the stores' own clocks: the reader's clock and when the "
     "stores were copied do not matter."},
    {"sources", "INTEGER", "How many of the stores had this hour of this query."},
    {"calls", "INTEGER", "Runs in that hour, in all stores."},
    {"total_ms", "REAL", "Wall time of those runs, ms."},
    {"mean_ms", "REAL", "Mean run in that hour, ms."},
    {"min_ms", "REAL", "Fastest run in that hour in any store, ms."},
    {"max_ms", "REAL", "Slowest run in that hour in any store, ms."},
    {"p95_ms", "REAL", "95th percentile from the merged histogram (within one bucket), ms."},
};

const Column kSlowMergeColumns[] = {
    {"at", "TEXT", "When the statement ended, ISO-8601 UTC."},
    {"ms", "REAL", "How long it ran, ms."},
    {"query_id", "INTEGER", "The id of its query shape."},
    {"sql", "TEXT", "The normalized text (the statement as written when its store shared examples)."},
    {"db", "TEXT", "The database's file name without its directory."},
    {"vm_steps", "INTEGER", "Virtual machine steps of this run."},
    {"fullscan_steps", "INTEGER", "Full-scan steps of this run."},
    {"process", "INTEGER", "The token of the process that ran it, as its store recorded it."},
    {"store", "TEXT", "The store it was read from, as named in stores."},
};

absl::StatusOr<Rows> QueryStatsBucketsMerge(TableCall& call) {
  ASSIGN_OR_RETURN(std::string arg, call.args().Text(0, "stores"));
  ASSIGN_OR_RETURN(std::vector<std::string> paths, ParseStorePaths(arg));
  ASSIGN_OR_RETURN(std::vector<MergedBucket> merged, MergeStoreBuckets(paths, kStatsMax.Get()));
  // Newest first: the newest hour of all the stores is hours_ago 0.
  const int64_t newest_hour = merged.empty() ? 0 : merged.front().row.hour;
  RowBuilder rows(kBucketsMergeColumns);
  for (const MergedBucket& m : merged) {
    rows.NewRow();
    SetBucketColumns(rows, m.row, newest_hour);
    rows.Set("sources", m.sources);
  }
  return rows.Finish();
}

absl::StatusOr<Rows> SlowQueriesMerge(TableCall& call) {
  ASSIGN_OR_RETURN(std::string arg, call.args().Text(0, "stores"));
  ASSIGN_OR_RETURN(std::vector<std::string> paths, ParseStorePaths(arg));
  ASSIGN_OR_RETURN(std::vector<MergedSlow> merged, MergeStoreSlow(paths, kSlowMax.Get()));
  RowBuilder rows(kSlowMergeColumns);
  for (const MergedSlow& m : merged) {
    const SlowQuery& s = m.slow;
    rows.NewRow();
    rows.Set("at", TimeOfDay(s.at_ms));
    rows.Set("ms", s.ms);
    rows.Set("query_id", s.query_id);
    rows.Set("sql", s.sql);
    rows.Set("db", s.db);
    rows.Set("vm_steps", s.vm_steps);
    rows.Set("fullscan_steps", s.fullscan_steps);
    rows.Set("process", s.process);
    rows.Set("store", m.store);
  }
  return rows.Finish();
}

}  // namespace doctor::timing
