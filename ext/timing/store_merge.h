// The fleet view (issue 15 item 8): `<db>-doctor` stores copied from several machines (LiteFS,
// rqlite or libSQL replicas, a web process per host) merged exactly, as query_stats_merge shows
// them. Every counter of a store is additive, so the merge is exact: calls, sums, rows, VM
// counters and failed runs per code add up, min/max combine, histograms add bucket by bucket (so
// percentiles are those of one store that had seen every run, within one bucket of the exact
// value), first_seen, stats_since and minmax_since take the earliest, last_seen the latest.
//
// Rows merge per query_id and database *file name* (the directory is left out: the same database
// lives in different folders on different machines). Each store is read read-only with the
// checks of the live store (sidecar_file.h: no link, FIFO or device, a bounded regular file, only
// our schema, every value checked, a short busy timeout); any failure is an error naming the file,
// never a partial merge.
//
// Example:
//   ASSIGN_OR_RETURN(std::vector<std::string> paths, ParseStorePaths(R"(["a/app.db-doctor"])"));
//   ASSIGN_OR_RETURN(std::vector<MergedEntry> rows, MergeStores(paths, 5000));
#ifndef DOCTOR_TIMING_STORE_MERGE_H_
#define DOCTOR_TIMING_STORE_MERGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ext/timing/stats.h"
#include "ext/timing/store_buckets.h"

namespace doctor::timing {

// Most stores one call merges.
constexpr size_t kMaxMergeStores = 128;

// One merged query shape.
struct MergedEntry {
  int64_t query_id = 0;
  std::string db;       // the database's file name, without its directory
  std::string query;    // normalized text
  std::string example;  // a literal example, when a store shared one
  Counters counters;
  // The earliest of the sources' stats_since: no run before it is counted (a source whose
  // statistics started later, after a reset or an eviction there, adds only its runs since).
  int64_t stats_since_ms = 0;
  // The earliest of the sources' minmax_since (each: its stats_since, or its store's last
  // query_stats_reset('minmax') when later): min/max come from runs at or after it only; a source
  // whose min/max started later adds only its runs since. Equal to stats_since_ms when no store
  // had a min/max-only reset; a store not reset with the others pulls it back to its own start.
  int64_t minmax_since_ms = 0;
  int sources = 0;             // how many stores had the shape
  std::string plan;            // the most recently captured plan among the stores (format 3)
  int64_t plan_id = 0;         // 0: none captured
  int64_t plan_ms = 0;         // when that plan was last captured
  std::string plan_sqlite;     // the sqlite3_libversion() that planned it
};

// The `stores` argument: one path, or a JSON array of 1..kMaxMergeStores paths (a text that
// starts with '[').
absl::StatusOr<std::vector<std::string>> ParseStorePaths(absl::string_view arg);

// Reads every store (each at most `max_rows` query shapes: a bigger one is an error that says to
// raise stats_max) and merges them, sorted by total_ms, largest first. A store named twice, or
// two copies of one store (the same 'store_id'), is an error (runs would count twice).
absl::StatusOr<std::vector<MergedEntry>> MergeStores(const std::vector<std::string>& paths,
                                                     int64_t max_rows);

// One merged hour of one query shape (query_stats_buckets_merge).
struct MergedBucket {
  BucketRow row;    // row.db: the database's file name, without its directory
  int sources = 0;  // how many stores had this hour of the shape
};

// The hourly buckets of every store merged per query_id, database file name and hour (counts and
// sums add, min/max combine, histograms add), newest hour first. A store with more than
// max_rows x kBucketHours buckets, or a merge of more, is an error that says to raise stats_max.
absl::StatusOr<std::vector<MergedBucket>> MergeStoreBuckets(const std::vector<std::string>& paths,
                                                            int64_t max_rows);

// One slow statement of a store (slow_queries_merge): `slow.db` is the database's file name.
struct MergedSlow {
  SlowQuery slow;
  std::string store;  // the path of the store it came from
};

// The slow rings of every store (each at most `slow_max` rows read, every row written by any
// process), the newest `slow_max` of all, newest first. A slow statement is in one store only:
// nothing is added up.
absl::StatusOr<std::vector<MergedSlow>> MergeStoreSlow(const std::vector<std::string>& paths,
                                                       int64_t slow_max);

// "/srv/a/app.db" -> "app.db".
std::string DbFileName(absl::string_view db);

}  // namespace doctor::timing

#endif  // DOCTOR_TIMING_STORE_MERGE_H_
