#include "ext/timing/stats.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "ext/timing/histogram.h"
#include "gtest/gtest.h"

namespace doctor::timing {
namespace {

TEST(Histogram, BucketBounds) {
  EXPECT_EQ(BucketOfUs(0), 0);
  EXPECT_EQ(BucketOfUs(0.999), 0);
  EXPECT_EQ(BucketOfUs(1.0), 1);       // 1 µs
  EXPECT_EQ(BucketOfUs(1.414), 1);
  EXPECT_EQ(BucketOfUs(1.415), 2);     // sqrt(2) µs
  EXPECT_EQ(BucketOfUs(2.0), 3);       // 2 µs
  EXPECT_EQ(BucketOfUs(1e3), 20);      // 1 ms = 2^9.97 µs: half-octave 19.93
  EXPECT_EQ(BucketOfUs(1e12), kBuckets - 1);
  for (int i = 1; i < kBuckets - 1; ++i) {
    EXPECT_EQ(BucketOfUs(BucketLowMs(i) * 1e3 * 1.0001), i) << i;
    EXPECT_EQ(BucketOfUs(BucketHighMs(i) * 1e3 * 0.9999), i) << i;
  }
}

double Exact(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::max(1.0, std::ceil(p * v.size())));
  return v[rank - 1];
}

// p50/p95/p99 estimated from the histogram fall within one bucket of the exact percentiles.
TEST(Histogram, PercentilesWithinOneBucket) {
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    std::lognormal_distribution<double> dist(std::log(0.05 * (round + 1)), 1.0 + round * 0.1);
    std::vector<double> ms;
    Counters c;
    const int n = 50 + round * 500;
    for (int i = 0; i < n; ++i) {
      double v = dist(rng);
      ms.push_back(v);
      ++c.buckets[BucketOfUs(v * 1e3)];
    }
    c.calls = n;
    c.min_ms = *std::min_element(ms.begin(), ms.end());
    c.max_ms = *std::max_element(ms.begin(), ms.end());
    for (double p : {0.5, 0.95, 0.99}) {
      double exact = Exact(ms, p);
      double estimate = Percentile(c.buckets, c.calls, p, c.min_ms, c.max_ms);
      EXPECT_LE(std::abs(BucketOfUs(estimate * 1e3) - BucketOfUs(exact * 1e3)), 1)
          << "round " << round << " p" << p << " exact " << exact << " estimate " << estimate;
    }
  }
}

// After a min/max-only reset min_ms/max_ms are those of the runs since, the histogram keeps every
// run: percentiles are not clamped to them. Before, p50 of 1,000 runs of 100 ms read 1 ms after
// one run of 1 ms, and 1 ms runs read 100 ms after one run of 100 ms.
TEST(Histogram, PercentilesIgnoreMinMaxOfPartOfTheRuns) {
  for (const auto& [old_ms, new_ms] : {std::pair{100.0, 1.0}, std::pair{1.0, 100.0}}) {
    Counters c;
    for (int i = 0; i < 1000; ++i) c.AddTime(old_ms, 0);
    c.ForgetMinMax();
    c.AddTime(new_ms, 0);
    ASSERT_TRUE(c.has_minmax());
    EXPECT_EQ(c.min_ms, new_ms);
    for (double p : {0.5, 0.95}) {
      EXPECT_EQ(BucketOfUs(c.PercentileMs(p) * 1e3), BucketOfUs(old_ms * 1e3))
          << "p" << p << " of runs of " << old_ms << " ms: " << c.PercentileMs(p);
    }
  }
  // min/max of every run still bound the estimate: one run reads as itself.
  Counters one;
  one.AddTime(3.3, 0);
  EXPECT_EQ(one.PercentileMs(0.5), 3.3);
  EXPECT_EQ(one.PercentileMs(0.99), 3.3);
}

TEST(Histogram, SparklineAndFormat) {
  Buckets b{};
  EXPECT_EQ(Sparkline(b), "");
  b[BucketOfUs(50)] = 1;   // 50 µs
  b[BucketOfUs(400)] = 8;  // 400 µs
  std::string line = Sparkline(b);
  EXPECT_NE(line.find("█"), std::string::npos) << line;
  EXPECT_NE(line.find("▁"), std::string::npos) << line;
  EXPECT_EQ(line.rfind("45µs ", 0), 0u) << line;
  EXPECT_EQ(FormatMs(0.0008), "0.8µs");
  EXPECT_EQ(FormatMs(12.44), "12.4ms");
  EXPECT_EQ(FormatMs(3210), "3.21s");
}

Sample At(double ms, int64_t at = 1000) {
  Sample s;
  s.ms = ms;
  s.at_ms = at;
  s.rows = 1;
  s.vm_steps = 10;
  return s;
}

TEST(Stats, RecordsAndMerges) {
  Stats s;
  uint32_t db = s.DbIndex("/x.db");
  EXPECT_EQ(s.DbIndex("/x.db"), db);
  for (int i = 1; i <= 4; ++i) s.Record({42, db}, "SELECT ?", "SELECT 1", At(i), 100);
  auto snap = s.Snapshot();
  ASSERT_EQ(snap.size(), 1u);
  const Counters& c = snap[0].counters;
  EXPECT_EQ(c.calls, 4);
  EXPECT_DOUBLE_EQ(c.total_ms, 10);
  EXPECT_DOUBLE_EQ(c.min_ms, 1);
  EXPECT_DOUBLE_EQ(c.max_ms, 4);
  EXPECT_DOUBLE_EQ(c.mean_ms(), 2.5);
  EXPECT_NEAR(c.stddev_ms(), std::sqrt(1.25), 1e-9);
  EXPECT_EQ(c.rows, 4);
  EXPECT_EQ(c.vm_steps, 40);
  Counters twice = c;
  twice.Merge(c);
  EXPECT_EQ(twice.calls, 8);
  EXPECT_DOUBLE_EQ(twice.mean_ms(), 2.5);
  EXPECT_NEAR(twice.stddev_ms(), std::sqrt(1.25), 1e-9);
}

// Counts read from other processes' files must never overflow a sum (signed overflow is undefined
// behaviour): a merge saturates.
TEST(Stats, MergeSaturatesInsteadOfOverflowing) {
  Counters a, b;
  a.AddRun(1.0, 1, 1, 0, 0, 0);
  b.AddRun(2.0, 1, 1, 0, 0, 0);
  a.calls = INT64_MAX - 1;
  a.rows = INT64_MAX;
  a.Merge(b);
  EXPECT_EQ(a.calls, INT64_MAX);
  EXPECT_EQ(a.rows, INT64_MAX);
  EXPECT_EQ(a.vm_steps, 2);
}

TEST(Stats, BoundedEvictsLeastUsedAndCounts) {
  Stats s;
  uint32_t db = s.DbIndex("/x.db");
  for (int i = 0; i < 10; ++i) s.Record({1, db}, "hot", "hot", At(1), 100);
  for (int q = 2; q < 400; ++q) s.Record({q, db}, "cold", "cold", At(1), 100);
  StatsInfo info = s.Info();
  EXPECT_LE(info.entries, 100);
  EXPECT_GE(info.evictions, 300);
  bool hot_kept = false;
  for (const auto& e : s.Snapshot()) hot_kept |= e.query_id == 1;
  EXPECT_TRUE(hot_kept);
}

// Each statement's plan is captured at its first run (SwitchPlan makes its entry) while the run
// waits in its connection until the next fold: under eviction pressure those empty entries went
// first and their runs made them again, each counted as an eviction (tools/bench_timing_memory:
// 1,287,379 evictions for 10^6 distinct statements, 4,846 entries left). An eviction is a query's
// figures let go: distinct statements = entries + evictions.
TEST(Stats, AnEntryWithoutRunsIsNoEviction) {
  Stats s;
  uint32_t db = s.DbIndex("/x.db");
  int64_t plan_id = 1;
  for (int batch = 0; batch < 8; ++batch) {
    for (int q = batch * 50; q < batch * 50 + 50; ++q) {
      s.SwitchPlan({q, db}, "SELECT ?", "SELECT 1", ++plan_id, 100);
    }
    for (int q = batch * 50; q < batch * 50 + 50; ++q) {
      s.Record({q, db}, "SELECT ?", "SELECT 1", At(1), 100);
    }
  }
  StatsInfo info = s.Info();
  EXPECT_LE(info.entries, 100);
  EXPECT_EQ(info.entries + info.evictions, 400);
}

// Memory per entry with short texts stays under 1 KB (documented in README.md) and the reported
// memory grows linearly with entries.
TEST(Stats, MemoryPerEntry) {
  Stats s;
  uint32_t db = s.DbIndex("/x.db");
  for (int q = 0; q < 1000; ++q) {
    s.Record({q, db}, "SELECT * FROM users WHERE id = ?", "SELECT * FROM users WHERE id = 1",
             At(1), 5000);
  }
  StatsInfo info = s.Info();
  EXPECT_EQ(info.entries, 1000);
  const int64_t per_entry = info.memory_bytes / info.entries;
  EXPECT_GT(per_entry, 600);
  EXPECT_LT(per_entry, 1024);
  EXPECT_EQ(Stats::EntryBytes(10, 10), Stats::EntryBytes(1, 1));  // short strings stay inline
}

TEST(Stats, TextsAreCut) {
  Stats s;
  uint32_t db = s.DbIndex("/x.db");
  std::string huge(100000, 'x');
  s.Record({1, db}, huge, huge, At(1), 10);
  auto snap = s.Snapshot();
  EXPECT_LE(snap[0].query.size(), Stats::kMaxText + 4);
}

TEST(Stats, FlushTakesAndRestores) {
  Stats s;
  uint32_t db = s.DbIndex("/x.db");
  s.DbIndex("/y.db");
  s.Record({1, db}, "q", "e", At(2), 10);
  s.Record({1, db}, "q", "e", At(4), 10);
  auto taken = s.TakeForFlush("/x.db");
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].counters.calls, 2);
  EXPECT_EQ(s.Snapshot()[0].counters.calls, 0);
  EXPECT_TRUE(s.TakeForFlush("/x.db").empty());
  EXPECT_TRUE(s.TakeForFlush("/y.db").empty());
  s.Record({1, db}, "q", "e", At(1), 10);
  s.Restore(taken);
  const Counters c = s.Snapshot()[0].counters;
  EXPECT_EQ(c.calls, 3);
  EXPECT_DOUBLE_EQ(c.min_ms, 1);
  EXPECT_DOUBLE_EQ(c.max_ms, 4);
}

// A BUSY run whose extended code is known only after it was folded (RefineBusy): a correction
// (busy_refined) moves it from BUSY to its code, at most what the figures hold under BUSY (never
// a negative count, errors stays the sum), waits with later runs for the figures that hold it,
// and two corrections merge into one.
TEST(Stats, BusyCorrectionsMoveAtMostWhatIsUnderBusy) {
  Sample failed = At(5, 1000);
  failed.error = true;
  Counters runs;
  for (int i = 0; i < 3; ++i) runs.Add(failed);
  Counters c1, c2;
  c1.busy_refined[kBusySnapshot] = 2;
  c1.first_seen_ms = c1.last_seen_ms = 7;
  c2.busy_refined[kBusySnapshot] = 1;
  c2.busy_refined[kBusyTimeout] = 2;
  c2.first_seen_ms = c2.last_seen_ms = 6;
  Counters both = c1;
  both.Merge(c2);
  EXPECT_TRUE(both.IsCorrection());
  EXPECT_EQ(both.calls, 0);
  EXPECT_EQ(both.errors, 0);
  EXPECT_EQ(both.busy_refined[kBusySnapshot], 3);
  EXPECT_EQ(both.busy_refined[kBusyTimeout], 2);
  EXPECT_EQ(both.first_seen_ms, 6);
  EXPECT_EQ(both.last_seen_ms, 7);
  runs.Merge(both);  // 5 moves, 3 runs under BUSY
  EXPECT_EQ(runs.calls, 3);
  EXPECT_EQ(runs.errors, 3);
  EXPECT_EQ(runs.ErrorsJson(), "{\"BUSY_SNAPSHOT\": 3}");
  EXPECT_EQ(runs.busy_refined[kBusyTimeout], 2);  // waits for runs under BUSY
  // A correction first, runs after (the flusher wrote the run; the application ran it again).
  Counters later = both;
  Counters one;
  one.Add(failed);
  later.Merge(one);
  EXPECT_EQ(later.calls, 1);
  EXPECT_EQ(later.ErrorsJson(), "{\"BUSY_SNAPSHOT\": 1}");
  EXPECT_EQ(later.first_seen_ms, 6);  // the corrected run's end, before the new run's
  EXPECT_EQ(later.last_seen_ms, 1000);
  Counters ok;
  ok.Add(At(9));
  Counters waiting = both;
  waiting.Merge(ok);
  EXPECT_EQ(waiting.ErrorsJson(), "{}");
  EXPECT_EQ(waiting.busy_refined[kBusySnapshot], 3);  // kept for the store's row
  // The store's row (runs) merged into that entry: the moves apply there.
  Counters row;
  for (int i = 0; i < 4; ++i) row.Add(failed);
  waiting.Merge(row);
  EXPECT_EQ(waiting.calls, 5);
  EXPECT_EQ(waiting.errors, 4);
  EXPECT_EQ(waiting.ErrorsJson(), "{\"BUSY_SNAPSHOT\": 3, \"BUSY_TIMEOUT\": 1}");
  // Nothing to move is nothing moved.
  Counters none;
  none.Add(At(1));
  none.Merge(c1);
  EXPECT_EQ(none.ErrorsJson(), "{}");
  EXPECT_EQ(none.errors, 0);
}

// In the process store a correction never makes an entry, never counts as a call, goes to the
// next flush, and is dropped when its run came before a reset, here or of the store.
TEST(Stats, BusyCorrectionsFollowTheirRunsOnly) {
  Stats s;
  const uint32_t db = s.DbIndex("/x.db");
  Counters move;
  move.busy_refined[kBusySnapshot] = 1;
  move.first_seen_ms = move.last_seen_ms = 10;
  s.Merge({2, db}, "q2", "e", move, 10);  // no entry: nothing
  EXPECT_TRUE(s.Snapshot().empty());
  Sample failed = At(1, 10);
  failed.error = true;
  s.Record({1, db}, "q", "e", failed, 10);
  EXPECT_EQ(s.TakeForFlush("/x.db").size(), 1u);  // the run goes to the store
  s.Merge({1, db}, "q", "e", move, 10);
  EXPECT_EQ(s.DbsWithNews({}), std::vector<std::string>{"/x.db"});
  std::vector<EntrySnapshot> taken = s.TakeForFlush("/x.db");
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].counters.calls, 0);
  EXPECT_EQ(taken[0].counters.busy_refined[kBusySnapshot], 1);
  s.Restore(taken);  // a failed flush: kept
  EXPECT_EQ(s.Snapshot()[0].counters.busy_refined[kBusySnapshot], 1);
  EXPECT_EQ(s.Snapshot()[0].counters.calls, 0);
  // A reset: a plain BUSY run after it keeps its code when a move of an older run arrives.
  s.Reset(20);
  s.Record({1, db}, "q", "e", At(1, 25), 10);
  Sample busy = At(1, 26);
  busy.error = true;
  s.Record({1, db}, "q", "e", busy, 10);
  s.Merge({1, db}, "q", "e", move, 10);
  EXPECT_EQ(s.Snapshot()[0].counters.ErrorsJson(), "{\"BUSY\": 1}");
  // The same after the store's reset (DropBefore) for another database.
  const uint32_t other = s.DbIndex("/y.db");
  s.DropBefore("/y.db", 30);
  busy.at_ms = 35;
  s.Record({1, other}, "q", "e", busy, 10);
  move.first_seen_ms = move.last_seen_ms = 28;
  s.Merge({1, other}, "q", "e", move, 10);
  for (const EntrySnapshot& e : s.Snapshot()) {
    EXPECT_EQ(e.counters.ErrorsJson(), "{\"BUSY\": 1}") << e.db;
    EXPECT_FALSE(e.counters.HasBusyRefined()) << e.db;
  }
}

TEST(Stats, SlowRingBounded) {
  Stats s;
  for (int i = 0; i < 10; ++i) s.RecordSlow({i, 200.0, 1, "SELECT 1", "", "/x.db", 1, 0}, 3);
  auto slow = s.SlowSnapshot();
  ASSERT_EQ(slow.size(), 3u);
  EXPECT_EQ(slow.back().at_ms, 9);
  s.Reset(5);
  EXPECT_TRUE(s.SlowSnapshot().empty());
  EXPECT_EQ(s.Info().since_ms, 5);
}

}  // namespace
}  // namespace doctor::timing
