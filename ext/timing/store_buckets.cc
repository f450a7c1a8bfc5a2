#include "ext/timing/store_buckets.h"

#include "absl/strings/str_cat.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/timing/settings.h"
#include "ext/timing/store_values.h"

namespace doctor::timing {
namespace {

// calls, total_ms, min_ms, max_ms, histogram at columns `first`.. of `r`, checked.
absl::Status ReadHourCounters(const Row& r, size_t first, Counters* c) {
  RETURN_IF_ERROR(ReadCount(r[first], "calls", &c->calls));
  if (c->calls == 0) return OutOfRange("calls", r[first]);
  RETURN_IF_ERROR(ReadMs(r[first + 1], "total_ms", &c->total_ms));
  RETURN_IF_ERROR(ReadMinMax(r[first + 2], r[first + 3], c));
  return ReadHistogram(r[first + 4], c->calls, &c->buckets);
}

// A flush adds a shape's runs to the hour of their last run, in the transaction that moves the
// shape's last_seen_ms to at least that run: no bucket is later than its shape's last run. That
// bound also keeps hour x kBucketMs within int64 (a hostile hour of 2^53 overflowed it).
absl::Status CheckHour(int64_t hour, const Value& shape_last_seen) {
  int64_t last_seen = 0;
  RETURN_IF_ERROR(ReadCount(shape_last_seen, "last_seen_ms", &last_seen));
  if (hour > last_seen / kBucketMs) {
    return absl::OutOfRangeError(absl::StrCat("hour ", hour, " is later than its query's last run (",
                                              "last_seen_ms ", last_seen, ")"));
  }
  return absl::OkStatus();
}

absl::Status WriteBucket(SidecarDb& side, const EntrySnapshot& t) {
  const int64_t hour = t.counters.last_seen_ms / kBucketMs;
  ASSIGN_OR_RETURN(Rows existing,
                   side.Run(
                         "SELECT calls, total_ms, min_ms, max_ms, substr(histogram, 1, 4096)"
                         " FROM doctor_query_buckets WHERE query_id = ? AND db = ? AND hour = ?",
                         {Value(t.query_id), Value(t.db), Value(hour)}));
  Counters c;
  c.calls = t.counters.calls;
  c.total_ms = t.counters.total_ms;
  c.min_ms = t.counters.min_ms;
  c.max_ms = t.counters.max_ms;
  c.buckets = t.counters.buckets;
  if (!existing.empty()) {
    Counters old;
    absl::Status status = ReadHourCounters(existing.front(), 0, &old);
    if (!status.ok()) {
      return absl::Status(status.code(), absl::StrCat("bucket of query_id ", t.query_id, " hour ",
                                                      hour, ": ", status.message()));
    }
    c.Merge(old);
  }
  return side.Run(
               "INSERT OR REPLACE INTO doctor_query_buckets"
               " (query_id, db, hour, calls, total_ms, min_ms, max_ms, histogram)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               {Value(t.query_id), Value(t.db), Value(hour), Value(c.calls), Value(c.total_ms),
                MinValue(c), MaxValue(c), Value(HistogramJson(c.buckets))})
      .status();
}

}  // namespace

absl::Status WriteBuckets(SidecarDb& side, const std::vector<EntrySnapshot>& taken) {
  for (const EntrySnapshot& t : taken) RETURN_IF_ERROR(WriteBucket(side, t));
  return absl::OkStatus();
}

absl::Status PruneBuckets(SidecarDb& side, int64_t now_ms, bool evicted) {
  // Old hours go once per hour (a scan of the table); the pruned hour is kept in the store.
  const int64_t oldest = now_ms / kBucketMs - kBucketHours;
  ASSIGN_OR_RETURN(int64_t pruned, side.Key("buckets_pruned_to"));
  if (pruned < oldest) {
    RETURN_IF_ERROR(
        side.Run("DELETE FROM doctor_query_buckets WHERE hour <= ?", {Value(oldest)}).status());
    RETURN_IF_ERROR(side.SetKey("buckets_pruned_to", oldest));
  }
  if (!evicted) return absl::OkStatus();
  return Exec(side.db(),
              "DELETE FROM doctor_query_buckets AS b WHERE NOT EXISTS (SELECT 1 FROM"
              " doctor_query_stats s WHERE s.query_id = b.query_id AND s.db = b.db)");
}

absl::StatusOr<std::vector<BucketRow>> ReadBuckets(SidecarDb& side, int64_t limit) {
  std::vector<BucketRow> out;
  if (!side.has_tables()) return out;
  absl::StatusOr<Rows> rows = Query(
      side.db(),
      "SELECT b.query_id, substr(b.db, 1, 4096), substr(s.query, 1, 4100), b.hour, b.calls,"
      " b.total_ms, b.min_ms, b.max_ms, substr(b.histogram, 1, 4096), s.last_seen_ms"
      " FROM doctor_query_buckets b JOIN doctor_query_stats s USING (query_id, db)"
      " ORDER BY b.hour DESC LIMIT ?",
      {Value(limit)});
  if (!rows.ok()) return side.Named(rows.status());
  out.reserve(rows->size());
  for (const Row& r : *rows) {
    BucketRow b;
    absl::Status status = ReadInteger(r[0], "query_id", &b.query_id);
    if (status.ok()) status = ReadCount(r[3], "hour", &b.hour);
    if (status.ok()) status = ReadHourCounters(r, 4, &b.counters);
    if (status.ok()) status = CheckHour(b.hour, r[9]);
    if (!status.ok()) {
      return side.Named(absl::Status(
          status.code(), absl::StrCat("bucket of query_id ", b.query_id, ": ", status.message())));
    }
    b.db = r[1].AsText();
    b.query = r[2].AsText();
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace doctor::timing
