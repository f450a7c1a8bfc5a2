// The sidecar file `<db>-doctor`: query statistics flushed by every process that uses a database,
// so that query_stats read anywhere (e.g. the sqlite3 shell) shows the merged view. The user's
// database file is never written. How the file is opened without trusting it: sidecar_file.h.
//
// Schema of the sidecar (a plain SQLite database; exactly this, see sidecar_file.h):
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
//     PRIMARY KEY (query_id, db)) WITHOUT ROWID;
//   CREATE TABLE doctor_sidecar(key TEXT PRIMARY KEY, value);  -- ('format', 1)
//
// A flush hands over what this process counted since its previous flush (the in-memory counters
// are then zeroed) and adds it to the sidecar's row inside one BEGIN IMMEDIATE transaction: sums
// and counts add, min/max combine, so flushes from any number of processes merge exactly. The
// least used rows beyond stats_max are deleted, so the file stays bounded. Every value read back
// is checked (types, ranges, finite times, the histogram adding up to calls): a row that fails
// makes the read fail with an error naming the file.
#ifndef DOCTOR_TIMING_SIDECAR_H_
#define DOCTOR_TIMING_SIDECAR_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ext/timing/sidecar_file.h"
#include "ext/timing/stats.h"

namespace doctor::timing {

// Busy timeouts: an explicit call (query_stats_flush, query_stats_reset, a read) may wait a
// little for another process's lock; the periodic flush, which runs at statement time on the
// application's thread, never waits (it skips and tries again at the next interval).
constexpr int kExplicitBusyMs = 1000;
constexpr int kReadBusyMs = 250;
constexpr int kStatementTimeBusyMs = 0;

// True for a database name that has a sidecar: a file (not ":memory:", temp, memdb, "(other)").
bool HasSidecar(const std::string& db);

// Flushes this process's counters of database file `db` into its sidecar; returns how many query
// shapes were written. On failure the counters stay in memory for the next flush.
absl::StatusOr<int64_t> FlushDb(const std::string& db, int busy_ms);

// Every entry in the sidecar of `db` (the most used stats_max); empty when there is no sidecar.
absl::StatusOr<std::vector<EntrySnapshot>> ReadSidecar(const std::string& db);

// Deletes the figures of the sidecar of `db` (query_stats_reset); nothing when there is none.
absl::Status ResetSidecar(const std::string& db);

// Called after each timed statement: flushes every database file when stats_flush_s is set and
// that many seconds passed since the last periodic flush (one thread does it, without waiting for
// locks; errors are ignored, the counters stay in memory for the next flush).
void MaybePeriodicFlush();

}  // namespace doctor::timing

#endif  // DOCTOR_TIMING_SIDECAR_H_
