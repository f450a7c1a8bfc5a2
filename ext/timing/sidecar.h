// The shared store `<db>-doctor`: query statistics of every process that uses a database, added
// by each process's background flusher (store_flusher.h) every stats_share_ms, so that
// query_stats read anywhere (another process, the sqlite3 shell) shows the merged view live. The
// user's database file is never written. How the file is opened without trusting it:
// sidecar_file.h; the hourly buckets: store_buckets.h; the slow ring: store_slow.h.
//
// Schema (format 4; exactly this, see sidecar_file.h; format 3 lacks doctor_plan_changes, format 2
// doctor_query_plans too):
//   CREATE TABLE doctor_query_stats(
//     query_id INTEGER NOT NULL,   -- FNV-1a 64 of the normalized text, as a signed integer
//     db TEXT NOT NULL,            -- the database file as the flushing process named it
//     query TEXT NOT NULL,         -- normalized text
//     example TEXT,                -- one raw statement: NULL unless stats_share_examples is on
//     calls INTEGER, total_ms REAL, sumsq_ms REAL, min_ms REAL, max_ms REAL,
//     rows INTEGER, vm_steps INTEGER, fullscan_steps INTEGER, sorts INTEGER,
//     autoindexes INTEGER, errors INTEGER,   -- errors: 0, or a JSON object of counts by code
//     first_seen_ms INTEGER, last_seen_ms INTEGER,   -- unix time in milliseconds
//     histogram TEXT,              -- JSON array of the 62 bucket counts (histogram.h)
//     stats_since_ms INTEGER,      -- when this row's statistics started (its first flush)
//     PRIMARY KEY (query_id, db)) WITHOUT ROWID;
//   CREATE TABLE doctor_query_buckets(query_id, db, hour, calls, total_ms, min_ms, max_ms,
//     histogram, PRIMARY KEY (query_id, db, hour)) WITHOUT ROWID;    -- store_buckets.h
//   CREATE TABLE doctor_slow_queries(seq INTEGER PRIMARY KEY, process, at_ms, ms, query_id,
//     sql, db, vm_steps, fullscan_steps);                             -- store_slow.h
//   CREATE TABLE doctor_query_plans(query_id, db, plan_id, plan, sqlite, captured_ms,
//     PRIMARY KEY (query_id, db)) WITHOUT ROWID;                     -- store_plans.h
//   CREATE TABLE doctor_plan_changes(process, query_id, db, at_ms, query, ..., old_/new_ plan,
//     plan id, sqlite, figures, PRIMARY KEY (process, query_id, db, at_ms)) WITHOUT ROWID;
//                                                                     -- store_plan_changes.h
//   CREATE TABLE doctor_sidecar(key TEXT PRIMARY KEY, value);
//     -- ('format', 4), ('reset_at_ms', the last query_stats_reset), ('evictions', n),
//     -- ('minmax_reset_at_ms', the last query_stats_reset('minmax'); min_ms/max_ms NULL since),
//     -- ('store_id', random, new at each full reset: copies of one store are known as such)
//
// A flush hands over what this process counted since its previous flush (the in-memory counters
// are then zeroed) and adds it to the store's rows inside one BEGIN IMMEDIATE transaction: sums
// and counts add, min/max combine, so flushes from any number of processes merge exactly and
// nothing is counted twice. Counts that a process gathered before the store's last reset (by any
// process) are dropped, not added. Beyond stats_max rows the least used (fewest calls, then
// oldest) are deleted and counted ('evictions'). Every value read back is checked
// (store_values.h): a row that fails makes the read fail with an error naming the file.
//
// Threads: every flush, read and reset of a store holds StoreMutex(), so a reader in this
// process never sees counts that are neither in memory nor in the store (a flush in between).
#ifndef DOCTOR_TIMING_SIDECAR_H_
#define DOCTOR_TIMING_SIDECAR_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "ext/timing/plan_history.h"
#include "ext/timing/sidecar_file.h"
#include "ext/timing/stats.h"
#include "ext/timing/store_buckets.h"
#include "ext/timing/store_plans.h"

namespace doctor::timing {

// Busy timeouts: an explicit call (query_stats_flush, query_stats_reset) may wait a little for
// another process's lock, a read less; the background flusher never waits (a locked store is
// tried again at the next interval; only the store's own updates are delayed).
constexpr int kExplicitBusyMs = 1000;
constexpr int kReadBusyMs = 250;
constexpr int kBackgroundBusyMs = 0;

// True for the error of a store that another process held locked longer than the busy timeout
// (kAborted): a reader then shows this process's own figures with the error (query_stats'
// store_error) instead of failing.
inline bool StoreLocked(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAborted;
}

// Held by every flush, read and reset of a store in this process.
absl::Mutex& StoreMutex();

// True for a database name that has a store: a file (not ":memory:", temp, memdb, "(other)").
bool HasSidecar(const std::string& db);

// Flushes this process's counters and slow statements of database file `db` into its store;
// returns how many query shapes were written. On failure the counters stay in memory for the
// next flush.
absl::StatusOr<int64_t> FlushDb(const std::string& db, int busy_ms)
    ABSL_LOCKS_EXCLUDED(StoreMutex());

// The database files with something to flush (store_flusher.h's turns).
std::vector<std::string> DbsToFlush() ABSL_LOCKS_EXCLUDED(StoreMutex());

// What a read finds in the store of one database.
struct StoreContents {
  std::vector<EntrySnapshot> entries;  // the most used stats_max rows
  std::vector<StorePlan> plans;        // with entries: the plans their writers captured
  std::vector<SlowQuery> slow;         // other processes' slow statements, newest first
  std::vector<BucketRow> buckets;      // hourly figures
  std::vector<PlanChange> plan_changes;  // other processes' changes of plan, newest first
  int64_t reset_at_ms = 0;             // the store's last reset (0: never)
  int64_t minmax_reset_at_ms = 0;      // its last min/max-only reset (0: never)
  int64_t evictions = 0;               // rows dropped by stats_max since then
};
enum StorePart { kStoreEntries = 1, kStoreSlow = 2, kStoreBuckets = 4, kStorePlanChanges = 8 };

// Reads the parts of the store of `db` (empty when there is none) and drops what this process
// still holds in memory from before the store's last reset (a reset in another process).
absl::StatusOr<StoreContents> ReadSidecar(const std::string& db, int parts)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(StoreMutex());

// Empties the store of `db` (query_stats_reset) and records when, so that every process drops
// its older counts; nothing when there is no store.
absl::Status ResetSidecar(const std::string& db, int64_t now_ms)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(StoreMutex());

// A min/max-only reset of the store of `db` (query_stats_reset('minmax')): min_ms and max_ms of
// every row become NULL (until its next run), calls and sums stay, and 'minmax_reset_at_ms'
// tells every other process to forget the min/max of its counters from before `now_ms` (at its
// next flush or read). Nothing when there is no store.
absl::Status ResetSidecarMinMax(const std::string& db, int64_t now_ms)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(StoreMutex());

}  // namespace doctor::timing

#endif  // DOCTOR_TIMING_SIDECAR_H_
