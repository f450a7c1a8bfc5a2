// The columns of the WAL area's tables, declared once with a one-line doc each: wal.cc hands them
// to SQL (TableSpec::column_list), each table's code fills rows by these names (RowBuilder), and
// doctor_help_columns and the README's column tables show the docs.
#ifndef DOCTOR_WAL_WAL_COLUMNS_H_
#define DOCTOR_WAL_WAL_COLUMNS_H_

#include "ext/core/area.h"

namespace doctor::wal {

inline constexpr Column kWalHealthColumns[] = {
    {"schema", "TEXT", "The database's schema name (main, temp, an attached name)."},
    {"file", "TEXT", "Its file ('' for in-memory and temp databases)."},
    {"journal_mode", "TEXT", "PRAGMA journal_mode: wal, delete, memory, ..."},
    {"page_size", "INTEGER", "PRAGMA page_size, in bytes."},
    {"wal_bytes", "INTEGER", "Size of the -wal file in bytes (stat; 0 when absent)."},
    {"wal_frames", "INTEGER", "Frames of the valid WAL: the wal-index header's mxFrame."},
    {"backfilled_frames", "INTEGER", "Frames already copied into the database (nBackfill)."},
    {"pending_frames", "INTEGER", "wal_frames - backfilled_frames: frames not yet checkpointed."},
    {"readers", "INTEGER", "Read-lock slots (READ0..READ4) held now by some connection."},
    {"oldest_reader_frame", "INTEGER",
     "The oldest snapshot among those readers (its read mark; 0 for READ0)."},
    {"autocheckpoint", "INTEGER",
     "This connection's PRAGMA wal_autocheckpoint in frames (0: off, or a wal hook of its own); "
     "each connection has its own, the application's may differ."},
    {"journal_size_limit", "INTEGER", "PRAGMA journal_size_limit in bytes (-1: no limit)."},
    {"synchronous", "TEXT",
     "This connection's PRAGMA synchronous: OFF, NORMAL, FULL or EXTRA (per connection too)."},
    {"checkpoints", "INTEGER",
     "Checkpoints this process ran (doctor_checkpoint) or saw between two reads of wal_health."},
    {"last_checkpoint_at", "TEXT", "When the last of them ran or was seen (ISO-8601 UTC)."},
    {"last_checkpoint_ms", "REAL", "How long it took in ms (NULL when it was only seen)."},
    {"commits_since_checkpoint", "INTEGER",
     "Commits since that checkpoint ran or was seen (NULL until this process saw one); a "
     "checkpoint only seen may be older, so then a lower bound."},
    {"status", "TEXT", "ok | warn | critical | n/a."},
    {"advice", "TEXT", "One sentence per problem found; NULL when there is none."},
};

inline constexpr Column kWalCheckpointsColumns[] = {
    {"at", "TEXT", "When it ran or was seen (ISO-8601 UTC)."},
    {"schema", "TEXT", "The schema name it ran on."},
    {"mode", "TEXT", "PASSIVE | FULL | RESTART | TRUNCATE, or observed (seen by wal_health)."},
    {"ms", "REAL", "How long it took in ms (NULL when observed)."},
    {"busy", "INTEGER", "1 when it ended with SQLITE_BUSY."},
    {"log_frames", "INTEGER", "Frames in the WAL, as sqlite3_wal_checkpoint_v2 returned them."},
    {"checkpointed_frames", "INTEGER", "Frames checkpointed, as it returned them."},
    {"wal_bytes_after", "INTEGER", "Size of the -wal file afterwards, in bytes."},
    {"file", "TEXT", "The database file."},
};

inline constexpr Column kLockStatsColumns[] = {
    {"file", "TEXT",
     "The database file; NULL on the one row of files forgotten to stay bounded."},
    {"schema", "TEXT",
     "The asking connection's name for the file; NULL when it does not have it open."},
    {"connections", "INTEGER", "Open connections of this process that have the file open."},
    {"counting", "INTEGER", "Of them, those whose busy handler is doctor's counting one."},
    {"timeout_ms", "INTEGER", "The largest busy timeout among the counting connections."},
    {"busy_waits", "INTEGER", "Lock waits: the busy handler called with count 0."},
    {"busy_retries", "INTEGER", "Sleeps that were followed by a retry."},
    {"wait_ms", "REAL", "Time slept in all waits, in ms (sum over connections)."},
    {"longest_wait_ms", "REAL", "The longest single wait in ms (all its sleeps)."},
    {"busy_errors", "INTEGER", "Waits that gave up: SQLITE_BUSY went back to the caller."},
    {"writer", "TEXT",
     "Who holds the write lock now: this connection | this process | another process | held | "
     "none; NULL when it cannot be told."},
    {"writer_pid", "INTEGER", "The write-lock holder's process id, when known."},
};

inline constexpr Column kLockStatsConnectionsColumns[] = {
    {"connection", "INTEGER",
     "The connection's number in this process (1, 2, ... in opening order)."},
    {"this_connection", "INTEGER", "1 for the connection asking."},
    {"file", "TEXT", "Its main database file ('' for in-memory)."},
    {"files", "INTEGER", "How many file databases it has open (main and attached)."},
    {"handler", "TEXT",
     "doctor (counting; doctor's handler is in force) | application (its own handler or none, "
     "left alone)."},
    {"timeout_ms", "INTEGER", "The busy timeout of doctor's handler (NULL for application)."},
    {"busy_waits", "INTEGER", "Its lock waits, over all its databases."},
    {"busy_retries", "INTEGER", "Its sleeps followed by a retry."},
    {"wait_ms", "REAL", "Its time slept, in ms."},
    {"longest_wait_ms", "REAL", "Its longest single wait, in ms."},
    {"busy_errors", "INTEGER", "Its waits that gave up with SQLITE_BUSY."},
};

inline constexpr Column kOpenTransactionsColumns[] = {
    {"connection", "INTEGER", "The connection's number (as in lock_stats_connections)."},
    {"this_connection", "INTEGER", "1 for the connection asking."},
    {"schema", "TEXT",
     "A schema the transaction holds a lock on; NULL when it has begun but read nothing yet."},
    {"file", "TEXT", "That schema's file ('' for in-memory and temp)."},
    {"state", "TEXT", "read | write (sqlite3_txn_state) | none (begun, nothing read yet)."},
    {"mode", "TEXT", "deferred | immediate | exclusive: how it began (SAVEPOINT: deferred)."},
    {"upgraded", "INTEGER", "1 when it read before it wrote (a deferred transaction upgraded)."},
    {"age_ms", "REAL", "Time since the statement that began it ended, in ms."},
    {"started_at", "TEXT", "When that was (ISO-8601 UTC)."},
    {"begin_statement", "TEXT",
     "The statement that began it, normalized (as written when stats_share_examples is on)."},
    {"first_statement", "TEXT", "The first statement run inside it, the same way."},
};

inline constexpr Column kKnownIssuesColumns[] = {
    {"issue", "TEXT", "Stable id: wal_reset_bug | no_progress_handler."},
    {"affected", "INTEGER",
     "1 when that SQLite has it; NULL when it depends on a build not known (a version given)."},
    {"sqlite_version", "TEXT",
     "The version asked about: the SQLite in use (sqlite3_libversion_number), or the argument."},
    {"summary", "TEXT", "What goes wrong."},
    {"fix", "TEXT", "What to upgrade to, or do."},
    {"url", "TEXT", "Where it is documented."},
};

}  // namespace doctor::wal

#endif  // DOCTOR_WAL_WAL_COLUMNS_H_
