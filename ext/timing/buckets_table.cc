// query_stats_buckets: per query shape and hour, from the shared stores (store_buckets.h) and
// this process's counts not flushed yet (attributed to the hour of their last run). Answers
// "what got slower in the last hour against the hour before":
//   SELECT cur.query, prev.mean_ms, cur.mean_ms FROM query_stats_buckets cur
//     JOIN query_stats_buckets prev USING (query_id, db)
//    WHERE cur.hours_ago = 0 AND prev.hours_ago = 1 ORDER BY cur.mean_ms / prev.mean_ms DESC;
// In-memory databases have no store, hence no buckets.
#include <algorithm>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "ext/core/status_macros.h"
#include "ext/core/table_rows.h"
#include "ext/core/time.h"
#include "ext/timing/histogram.h"
#include "ext/timing/sidecar.h"
#include "ext/timing/tables.h"
#include "ext/timing/trace.h"

namespace doctor::timing {
namespace {

using BucketKey = std::tuple<int64_t, std::string, int64_t>;  // query id, db, hour

void MergeBucket(BucketRow b, std::vector<BucketRow>* all,
                 absl::flat_hash_map<BucketKey, size_t>* index) {
  auto [it, fresh] = index->try_emplace(BucketKey{b.query_id, b.db, b.hour}, all->size());
  if (fresh) {
    all->push_back(std::move(b));
  } else {
    (*all)[it->second].counters.Merge(b.counters);
  }
}

absl::StatusOr<std::vector<BucketRow>> MergedBuckets(Connection& connection,
                                                     UnreadStores* unread) {
  const std::string& own = connection.State<TimingState>().db_name();
  std::vector<std::string> dbs = Stats::Global().DbNames();
  if (std::find(dbs.begin(), dbs.end(), own) == dbs.end()) dbs.push_back(own);
  std::vector<BucketRow> all;
  absl::flat_hash_map<BucketKey, size_t> index;
  absl::MutexLock lock(&StoreMutex());  // no flush between the stores and memory
  for (const std::string& db : dbs) {
    absl::StatusOr<StoreContents> side = ReadSidecar(db, kStoreBuckets);
    if (!side.ok()) {  // locked, or damaged elsewhere: this process's hours only, said so
      if (db == own && !StoreLocked(side.status())) return side.status();
      unread->insert_or_assign(db, std::string(side.status().message()));
      continue;
    }
    for (BucketRow& b : side->buckets) MergeBucket(std::move(b), &all, &index);
  }
  for (const EntrySnapshot& e : FoldedStats().Snapshot()) {
    if (e.counters.calls == 0 || !HasSidecar(e.db)) continue;
    MergeBucket(BucketRow{e.query_id, e.db, e.query, e.counters.last_seen_ms / kBucketMs,
                          e.counters},
                &all, &index);
  }
  return all;
}

}  // namespace

const Column kBucketsColumns[] = {
    {"query_id", "INTEGER", "The id of the query shape (as in query_stats)."},
    {"query", "TEXT", "The normalized text."},
    {"db", "TEXT", "Database file."},
    {"hour", "TEXT", "Start of the hour, ISO-8601 UTC."},
    {"hours_ago", "INTEGER", "0 for the current hour, 1 for the hour before, ..."},
    {"calls", "INTEGER", "Runs in that hour."},
    {"total_ms", "REAL", "Wall time of those runs, ms."},
    {"mean_ms", "REAL", "Mean run in that hour, ms."},
    {"min_ms", "REAL", "Fastest run in that hour, ms."},
    {"max_ms", "REAL", "Slowest run in that hour, ms."},
    {"p95_ms", "REAL", "95th percentile in that hour (within one histogram bucket), ms."},
    {"store_error", "TEXT",
     "NULL when the hour includes its database's shared store; else why that store could not "
     "be read (e.g. locked by another process): this process's unflushed counts only."},
};

absl::StatusOr<Rows> QueryStatsBuckets(TableCall& call) {
  UnreadStores unread;
  ASSIGN_OR_RETURN(std::vector<BucketRow> buckets, MergedBuckets(call.connection(), &unread));
  std::sort(buckets.begin(), buckets.end(), [](const BucketRow& a, const BucketRow& b) {
    return std::tie(b.hour, a.query_id, a.db) < std::tie(a.hour, b.query_id, b.db);
  });
  const int64_t now_hour = UnixMs() / kBucketMs;
  RowBuilder rows(kBucketsColumns);
  for (const BucketRow& b : buckets) {
    rows.NewRow();
    SetBucketColumns(rows, b, now_hour);
    if (auto it = unread.find(b.db); it != unread.end()) rows.Set("store_error", it->second);
  }
  return rows.Finish();
}

void SetBucketColumns(RowBuilder& rows, const BucketRow& b, int64_t now_hour) {
  const Counters& c = b.counters;
  rows.Set("query_id", b.query_id);
  rows.Set("query", b.query);
  rows.Set("db", b.db);
  rows.Set("hour", IsoTime(b.hour * kBucketMs));
  rows.Set("hours_ago", now_hour - b.hour);
  rows.Set("calls", c.calls);
  rows.Set("total_ms", c.total_ms);
  rows.Set("mean_ms", c.mean_ms());
  if (c.has_minmax()) {  // else NULL: no run since a min/max-only reset
    rows.Set("min_ms", c.min_ms);
    rows.Set("max_ms", c.max_ms);
  }
  rows.Set("p95_ms", c.PercentileMs(0.95));
}

}  // namespace doctor::timing
