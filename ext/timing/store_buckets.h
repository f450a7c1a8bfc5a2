// The time-bucketed figures of the shared store (as pg_stat_monitor's buckets): per query shape
// and database, one row per hour with calls, total, min, max and the latency histogram, so that
// "what got slower in the last hour against the hour before" is a join of two hours. Bounded:
// only the last kBucketHours hours, and only for shapes the store keeps (evicted shapes lose
// their buckets), i.e. at most stats_max x kBucketHours rows.
//
// A flush adds each shape's counts since the previous flush to the hour of its last run in that
// interval (with the flusher running every stats_share_ms, a second or so; a flush that waited
// for a locked store longer puts its whole interval in the hour it ends in).
#ifndef DOCTOR_TIMING_STORE_BUCKETS_H_
#define DOCTOR_TIMING_STORE_BUCKETS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ext/timing/sidecar_file.h"
#include "ext/timing/stats.h"

namespace doctor::timing {

constexpr int64_t kBucketMs = 3600 * 1000;
constexpr int64_t kBucketHours = 24;

// One hour of one query shape.
struct BucketRow {
  int64_t query_id = 0;
  std::string db;
  std::string query;
  int64_t hour = 0;  // unix ms / kBucketMs
  Counters counters;  // calls, total_ms, min_ms, max_ms and buckets only
};

// Adds the counters of `taken` to their hours (inside the flush's transaction).
absl::Status WriteBuckets(SidecarDb& side, const std::vector<EntrySnapshot>& taken);
// Deletes hours older than kBucketHours and, after an eviction, buckets of evicted shapes.
absl::Status PruneBuckets(SidecarDb& side, int64_t now_ms, bool evicted);
// The newest `limit` buckets of the store (stats_max x kBucketHours for a live read), values
// checked.
absl::StatusOr<std::vector<BucketRow>> ReadBuckets(SidecarDb& side, int64_t limit);

}  // namespace doctor::timing

#endif  // DOCTOR_TIMING_STORE_BUCKETS_H_
