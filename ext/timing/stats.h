// The per-process statistics of query timing: one entry per (query id, database file), bounded,
// and the ring of slow statements. Pure C++ (no SQLite): the trace glue feeds it samples.
//
// Every counter is additive (counts, sums, sums of squares, min/max, histogram buckets), so the
// counters of many processes merge exactly (see sidecar.h).
//
// Example:
//   Stats& s = Stats::Global();
//   s.Record(key, texts, sample);            // from the trace callback, under the store's mutex
//   for (const EntrySnapshot& e : s.Snapshot()) ...
#ifndef DOCTOR_TIMING_STATS_H_
#define DOCTOR_TIMING_STATS_H_

#include <algorithm>
#include <cstdint>
#include <deque>
#include <limits>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "ext/timing/histogram.h"

namespace doctor::timing {

struct Sample;

// Failed runs that the trace API shows (trace.h says exactly which): a step that returned
// SQLITE_BUSY or one of its extended codes.
enum ErrorCode { kBusy, kBusyRecovery, kBusySnapshot, kBusyTimeout, kErrorCodes };
// "BUSY", "BUSY_RECOVERY", "BUSY_SNAPSHOT", "BUSY_TIMEOUT".
const char* ErrorCodeName(int code);
// The ErrorCode of an extended SQLite result code of the BUSY family (kBusy for any other).
ErrorCode ErrorCodeOf(int extended_result_code);

// The additive counters of one query shape.
struct Counters {
  int64_t calls = 0;
  double total_ms = 0;
  double sumsq_ms = 0;  // sum of squared durations, for the standard deviation
  double min_ms = 0;    // meaningful when calls > 0 and has_minmax()
  double max_ms = 0;
  int64_t rows = 0;
  int64_t vm_steps = 0;
  int64_t fullscan_steps = 0;
  int64_t sorts = 0;
  int64_t autoindexes = 0;
  int64_t errors = 0;  // failed runs (also counted in calls, with their time and 0 rows)
  int64_t errors_by[kErrorCodes] = {};  // the same by result code
  double lock_wait_ms = 0;  // time doctor's busy handler slept during the runs (also in total_ms)
  int64_t first_seen_ms = 0;  // unix time in milliseconds
  int64_t last_seen_ms = 0;
  Buckets buckets{};
  // Failed runs already counted under BUSY in figures folded before these (the process's entry,
  // the store's row) whose extended code became known only later (RefineBusy in
  // trace_after_run.cc): busy_refined[code] of them move from errors_by[kBusy] to errors_by[code]
  // when these counters merge with figures that have them under BUSY, at most as many as those
  // have (ApplyBusyRefined). [kBusy] stays 0. Never stored: a store's row holds none.
  int64_t busy_refined[kErrorCodes] = {};

  void Merge(const Counters& other);
  void Add(const Sample& s);
  // One run, without its time of day (the trace callback keeps that apart): the hot path.
  void AddRun(double ms, int64_t rows, int64_t vm_steps, int64_t fullscan_steps, int64_t sorts,
              int64_t autoindexes) {
    AddTime(ms, rows);
    this->vm_steps += vm_steps;
    this->fullscan_steps += fullscan_steps;
    this->sorts += sorts;
    this->autoindexes += autoindexes;
  }
  // The part of AddRun without the VM counters (the trace callback adds those as it reads them).
  void AddTime(double ms, int64_t rows) {
    if (calls == 0) {
      min_ms = ms;
      max_ms = ms;
    } else {  // branch-free: minsd/maxsd
      min_ms = ms < min_ms ? ms : min_ms;
      max_ms = ms > max_ms ? ms : max_ms;
    }
    ++calls;
    total_ms += ms;
    sumsq_ms += ms * ms;
    this->rows += rows;
    ++buckets[BucketOfUs(ms * 1000.0)];  // a product: a division would cost ~15 cycles here
  }
  // Marks the run just added as failed with `code` (its rows must have been 0).
  void MarkFailed(ErrorCode code) {
    ++errors;
    ++errors_by[code];
  }
  // {"BUSY_SNAPSHOT": 55}, "{}" when no run failed.
  std::string ErrorsJson() const;
  // A correction with no run of its own, for a run already counted and folded, which SQLite
  // settled after that run's end: its rows (a RETURNING write reset before its last row:
  // ReadChanges in trace_after_run.cc) or its BUSY code (busy_refined: RefineBusy). first_seen_ms
  // and last_seen_ms are that run's end. It merges only into figures that hold runs (the entry of
  // its shape, the store's row), never makes a row of its own and never counts as a call.
  bool IsCorrection() const { return calls == 0 && (rows > 0 || HasBusyRefined()); }
  // Runs, or a correction: something a fold or a flush carries (else an empty entry).
  bool HasFigures() const { return calls > 0 || IsCorrection(); }
  bool HasBusyRefined() const {
    int64_t any = 0;
    for (int i = 0; i < kErrorCodes; ++i) any |= busy_refined[i];
    return any != 0;
  }
  // Moves what busy_refined can from errors_by[kBusy] (never below 0; errors stays the sum).
  void ApplyBusyRefined();
  double mean_ms() const { return calls ? total_ms / calls : 0.0; }
  // False after a min/max-only reset (query_stats_reset('minmax')) until the next run: min_ms is
  // +inf and max_ms -inf, the identities of min and max, so runs and Merge need no test for it.
  bool has_minmax() const { return min_ms <= max_ms; }
  // The p-th percentile from the histogram, clamped to min_ms and max_ms when they are the
  // histogram's extremes (not after a min/max-only reset that left older runs outside them).
  double PercentileMs(double p) const;
  void ForgetMinMax() {
    min_ms = std::numeric_limits<double>::infinity();
    max_ms = -std::numeric_limits<double>::infinity();
  }
  // Population standard deviation, as pg_stat_statements' stddev_exec_time.
  double stddev_ms() const;

 private:
  // Merge's part for `o` with runs; `correction`: these counters were a correction before.
  void AddRuns(const Counters& o, bool correction);
};

// One finished statement run.
struct Sample {
  double ms = 0;
  int64_t rows = 0;
  int64_t vm_steps = 0;
  int64_t fullscan_steps = 0;
  int64_t sorts = 0;
  int64_t autoindexes = 0;
  bool error = false;
  int64_t at_ms = 0;  // unix time in milliseconds
};

inline void Counters::Add(const Sample& s) {
  if (calls == 0) first_seen_ms = s.at_ms;
  last_seen_ms = s.at_ms;
  AddRun(s.ms, s.error ? 0 : s.rows, s.vm_steps, s.fullscan_steps, s.sorts, s.autoindexes);
  if (s.error) MarkFailed(kBusy);
}

struct Key {
  int64_t query_id;
  uint32_t db;  // index into the store's database names
  bool operator==(const Key& o) const { return query_id == o.query_id && db == o.db; }
  template <typename H>
  friend H AbslHashValue(H h, const Key& k) {
    return H::combine(std::move(h), k.query_id, k.db);
  }
};

// The runs of one query shape under its current plan (plan_history.h): which plan, and the
// figures of the runs since that plan became current (additive, like Counters).
struct PlanFigures {
  int64_t plan_id = 0;  // 0: no plan captured yet
  int64_t calls = 0;
  double total_ms = 0;
  int64_t vm_steps = 0;
  void Add(const PlanFigures& o) {
    calls += o.calls;
    total_ms += o.total_ms;
    vm_steps += o.vm_steps;
  }
};

struct EntrySnapshot {
  int64_t query_id;
  std::string db;
  std::string query;
  std::string example;
  Counters counters;
  PlanFigures plan = {};  // this process's runs under its current plan (not in sidecars)
  // When the store row's statistics started (unix ms; 0: not from a store, first_seen_ms is).
  int64_t stats_since_ms = 0;
  // The last min/max-only reset that reached this entry (unix ms; 0: none).
  int64_t minmax_reset_ms = 0;

  // When the figures started (query_stats' stats_since): stats_since_ms, else first_seen_ms.
  int64_t StatsSinceMs() const {
    return stats_since_ms > 0 ? stats_since_ms : counters.first_seen_ms;
  }
  // When min_ms/max_ms started (minmax_since): StatsSinceMs(), or the last min/max-only reset
  // when that is later. Only runs at or after it are in min_ms/max_ms.
  int64_t MinMaxSinceMs() const { return std::max(StatsSinceMs(), minmax_reset_ms); }
};

struct SlowQuery {
  int64_t at_ms;
  double ms;
  int64_t query_id;
  std::string sql;
  std::string params;  // expanded SQL; empty unless slow_params was on
  std::string db;
  int64_t vm_steps;
  int64_t fullscan_steps;
  std::string query;  // normalized text: what a shared store keeps unless examples are shared
  uint64_t seq = 0;   // set by RecordSlow: increasing, so a flush knows what it has written
  int64_t process = 0;  // for rows read from a store: the process that wrote it (0: this one)
};

struct StatsInfo {
  int64_t entries;
  int64_t evictions;
  int64_t memory_bytes;
  int64_t since_ms;  // creation or last reset, unix ms
  int64_t slow_entries;
};

class Stats {
 public:
  // Texts stored with a new entry are cut to this many bytes (a "…" marks the cut).
  static constexpr size_t kMaxText = 4096;

  // The one store of this process.
  static Stats& Global();

  Stats();

  // The small integer for a database file name (interned; the store keeps at most 4096 names,
  // later ones share the last slot "(other)").
  uint32_t DbIndex(absl::string_view db);

  // A caller's cached handle to the entry of one key, so the hot path skips the hash lookup. It
  // is valid while the store's generation is unchanged: entries never move (node map) and only
  // vanish on eviction or reset, which bump the generation.
  struct Hint {
    const void* entry = nullptr;
    uint64_t generation = 0;
  };

  // Adds a sample to the entry of `key`, creating it (with the normalized text and one raw
  // example) when new; evicts the least used entries first when `max_entries` is reached.
  // `hint` (optional) must always be used with the same key.
  void Record(const Key& key, absl::string_view query, absl::string_view example,
              const Sample& sample, int64_t max_entries, Hint* hint = nullptr);
  // Adds the counters a connection gathered for `key` (Counters::Merge), creating the entry like
  // Record does. A correction (Counters::IsCorrection) creates nothing: it is dropped when the
  // entry is gone (evicted, reset) or its run came before the last reset.
  void Merge(const Key& key, absl::string_view query, absl::string_view example,
             const Counters& counters, int64_t max_entries, Hint* hint = nullptr);
  // Appends to the slow ring, keeping at most `max_slow` entries.
  void RecordSlow(SlowQuery slow, int64_t max_slow);

  std::vector<EntrySnapshot> Snapshot() const;
  // Every database file name seen so far.
  std::vector<std::string> DbNames() const;
  std::vector<SlowQuery> SlowSnapshot() const;
  // The slow entries of database `db` recorded after sequence number `after_seq`, oldest first.
  std::vector<SlowQuery> SlowSince(absl::string_view db, uint64_t after_seq) const;
  // The database files with counts not yet taken for a flush, or slow entries after the
  // sequence number `slow_written` has for them (one pass: the flusher's idle turns stay cheap).
  std::vector<std::string> DbsWithNews(
      const absl::flat_hash_map<std::string, uint64_t>& slow_written) const;
  // Drops what this process counted for database `db` before `unix_ms` (a reset in another
  // process): counters whose first pending run is older, and slow entries that ended before it.
  void DropBefore(absl::string_view db, int64_t unix_ms);
  StatsInfo Info() const;
  void Reset(int64_t now_ms);
  // A min/max-only reset: forgets min_ms and max_ms (Counters::ForgetMinMax) of the counters of
  // database `db` (every database when empty) whose first pending run is at or before `unix_ms`; calls
  // and sums stay. With `db` empty, Snapshot's entries carry `unix_ms` as minmax_reset_ms.
  void ForgetMinMaxBefore(absl::string_view db, int64_t unix_ms);
  // In a child of fork(): drops the counters not yet flushed and the slow entries of every
  // database for which `shared` is true (the parent flushes them; the child must not add them
  // to the store again). Entries stay, with their usage.
  void DropInheritedByFork(bool (*shared)(const std::string& db));
  // Held across fork() (store_flusher.cc), so that the child never inherits it locked.
  void LockForFork() ABSL_EXCLUSIVE_LOCK_FUNCTION(mu_) { mu_.Lock(); }
  void UnlockAfterFork() ABSL_UNLOCK_FUNCTION(mu_) { mu_.Unlock(); }

  // For the sidecar flush: hands out the counters of every entry of database `db` with calls
  // since the last take, and zeroes them (the entries and their usage stay), each with its runs
  // under its current plan (EntrySnapshot::plan, not zeroed). `Restore` puts
  // counters back when a flush failed.
  std::vector<EntrySnapshot> TakeForFlush(absl::string_view db);
  void Restore(const std::vector<EntrySnapshot>& taken);

  // Plan history (plan_history.h): makes `plan_id` the current plan of the entry of `key`
  // (created like Merge does when missing) and returns the figures of the runs under the
  // previous one since it became current.
  PlanFigures SwitchPlan(const Key& key, absl::string_view query, absl::string_view example,
                         int64_t plan_id, int64_t max_entries);

  // The approximate heap bytes of one entry with the given text sizes (documented, tested).
  static int64_t EntryBytes(size_t query_bytes, size_t example_bytes);

 private:
  struct Entry {
    std::string query;
    std::string example;
    Counters counters;
    int64_t usage = 0;  // calls ever, kept across flushes: eviction picks the smallest
    PlanFigures plan;   // runs under the current plan (plan_history.h); not flushed
  };
  void EvictLocked(int64_t max_entries) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string DbNameLocked(uint32_t index) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int64_t DroppedBeforeLocked(uint32_t db) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  absl::node_hash_map<Key, Entry> entries_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 1;
  std::vector<std::string> dbs_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, uint32_t> db_index_ ABSL_GUARDED_BY(mu_);
  std::deque<SlowQuery> slow_ ABSL_GUARDED_BY(mu_);
  int64_t evictions_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t text_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t since_ms_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t minmax_reset_ms_ ABSL_GUARDED_BY(mu_) = 0;
  // The last Reset (0: none) and, per database index, the last reset of its store that DropBefore
  // applied: corrections (Counters::IsCorrection) of runs before them are dropped.
  int64_t reset_ms_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<uint32_t, int64_t> dropped_before_ ABSL_GUARDED_BY(mu_);
  uint64_t slow_seq_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace doctor::timing

#endif  // DOCTOR_TIMING_STATS_H_
