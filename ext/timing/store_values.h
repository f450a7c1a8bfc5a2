// Values read from the shared store (`<db>-doctor`) are not trusted: each one is checked here
// before it becomes a figure (integer counts in [0, 2^53], times finite, non-negative and below
// 10^15 ms, histograms of exactly 62 counts). A value that fails gives an error naming the column
// and the value; the caller prefixes the file (SidecarDb::Named).
#ifndef DOCTOR_TIMING_STORE_VALUES_H_
#define DOCTOR_TIMING_STORE_VALUES_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ext/core/value.h"
#include "ext/timing/histogram.h"
#include "ext/timing/stats.h"

namespace doctor::timing {

// Counts read from a file stay below 2^53: exact as doubles, and far from int64 overflow when
// the figures of many processes add up (Counters::Merge saturates anyway).
constexpr int64_t kMaxStoreCount = int64_t{1} << 53;
// A duration or sum of durations in ms: finite, non-negative, below ~31,000 years.
constexpr double kMaxStoreMs = 1e15;

absl::Status OutOfRange(absl::string_view column, const Value& v);
absl::Status ReadCount(const Value& v, absl::string_view column, int64_t* out);
absl::Status ReadMs(const Value& v, absl::string_view column, double* out);
absl::Status ReadInteger(const Value& v, absl::string_view column, int64_t* out);  // any int64
// A JSON array of the 62 bucket counts adding up to `calls`.
absl::Status ReadHistogram(const Value& v, int64_t calls, Buckets* b);
// 0, or a JSON object of failed runs by code ({"BUSY_SNAPSHOT": 55}).
absl::Status ReadErrors(const Value& v, int64_t calls, Counters* c);
std::string HistogramJson(const Buckets& b);
// min_ms and max_ms: both times with min <= max, or both NULL after a min/max-only reset
// (Counters::ForgetMinMax); MinValue/MaxValue write them so.
absl::Status ReadMinMax(const Value& min, const Value& max, Counters* c);
inline Value MinValue(const Counters& c) { return c.has_minmax() ? Value(c.min_ms) : Value::Null(); }
inline Value MaxValue(const Counters& c) { return c.has_minmax() ? Value(c.max_ms) : Value::Null(); }

// The columns of doctor_query_stats a read takes, in the order ReadStoreEntry expects: texts are
// cut (a hostile row cannot make us allocate much).
inline constexpr const char* kStoreEntryColumns =
    "query_id, substr(db, 1, 4096), substr(query, 1, 4100), substr(example, 1, 4100), calls,"
    " total_ms, sumsq_ms, min_ms, max_ms, rows, vm_steps, fullscan_steps, sorts, autoindexes,"
    " errors, first_seen_ms, last_seen_ms, substr(histogram, 1, 4096), stats_since_ms,"
    " lock_wait_ms";
// One row of those columns, every value checked; the error names the row's query_id.
absl::StatusOr<EntrySnapshot> ReadStoreEntry(const Row& r);

}  // namespace doctor::timing

#endif  // DOCTOR_TIMING_STORE_VALUES_H_
