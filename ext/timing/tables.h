// The tables of query timing (tables.cc): columns as declared (one doc each) and row producers.
#ifndef DOCTOR_TIMING_TABLES_H_
#define DOCTOR_TIMING_TABLES_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "ext/core/area.h"
#include "ext/core/table.h"
#include "ext/core/table_rows.h"
#include "ext/core/value.h"
#include "ext/timing/stats.h"
#include "ext/timing/store_buckets.h"

namespace doctor::timing {

extern const Column kQueryStatsColumns[30];
extern const Column kPlanChangesColumns[22];
extern const Column kSlowQueriesColumns[11];
extern const Column kInfoColumns[15];

// Per database file: why its store was left out of a read (locked by another process, or
// damaged on another database's connection); the read's rows of that database are this process's
// figures only and say so in their store_error column.
using UnreadStores = absl::flat_hash_map<std::string, std::string>;

// The database files a read covers: every one this process has seen and the connection's own.
std::vector<std::string> ReadDbs(Connection& connection);
// A time of day as ISO-8601 UTC; NULL when never set (unix_ms <= 0).
Value TimeOfDay(int64_t unix_ms);
// The figures of one entry, the columns query_stats and query_stats_merge share (calls through
// last_seen).
void SetCounterColumns(RowBuilder& rows, const Counters& c);

absl::StatusOr<Rows> QueryStats(TableCall& call);
absl::StatusOr<Rows> SlowQueries(TableCall& call);
absl::StatusOr<Rows> Info(TableCall& call);
absl::StatusOr<Rows> PlanChanges(TableCall& call);  // plan_tables.cc

// query_stats_buckets (buckets_table.cc).
extern const Column kBucketsColumns[12];
// The columns of one hourly bucket that query_stats_buckets and query_stats_buckets_merge share
// (query_id through p95_ms, without sources); hours_ago counts back from `now_hour`.
void SetBucketColumns(RowBuilder& rows, const BucketRow& b, int64_t now_hour);
absl::StatusOr<Rows> QueryStatsBuckets(TableCall& call);

// query_stats_merge: stores copied from several machines (merge_table.cc, store_merge.h).
extern const Column kMergeColumns[30];
absl::StatusOr<Rows> QueryStatsMerge(TableCall& call);
// Their hourly buckets and slow rings (merge_parts_table.cc).
extern const Column kBucketsMergeColumns[12];
extern const Column kSlowMergeColumns[9];
absl::StatusOr<Rows> QueryStatsBucketsMerge(TableCall& call);
absl::StatusOr<Rows> SlowQueriesMerge(TableCall& call);

}  // namespace doctor::timing

#endif  // DOCTOR_TIMING_TABLES_H_
