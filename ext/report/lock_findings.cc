// Findings about locks and transactions, read through the WAL area's tables: long transactions
// (open_transactions), connections without a busy timeout on a shared WAL database, connections
// whose waits are not counted (lock_stats, lock_stats_connections), and checkpoint starvation
// (wal_checkpoints, wal_health).
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/core/text.h"
#include "ext/report/area_findings.h"

namespace doctor::report {
namespace {

// A transaction open this long is worth a finding.
constexpr double kLongTransactionMs = 1000;

// "begun by 'BEGIN', first statement 'SELECT ...'" for a finding.
std::string BegunBy(const Value& begin, const Value& first) {
  std::string out = absl::StrCat("begun by '", begin.is_null() ? "?" : begin.AsText(), "'");
  if (!first.is_null()) {
    absl::StrAppend(&out, ", first statement '", Utf8Prefix(first.AsText(), 120), "'");
  }
  return out;
}

absl::StatusOr<bool> IsWal(Connection& c, const std::string& schema) {
  ASSIGN_OR_RETURN(Rows mode, Query(c, absl::StrCat("PRAGMA ", QuoteIdentifier(schema),
                                                    ".journal_mode")));
  return !mode.empty() && mode[0][0].AsText() == "wal";
}

absl::Status CheckLongTransactions(Connection& c, const std::string& schema, bool wal,
                                   std::vector<Finding>& out) {
  if (!HasTable(c, "open_transactions")) return absl::OkStatus();
  ASSIGN_OR_RETURN(Rows rows,
                   Query(c,
                         absl::StrCat("SELECT connection, state, mode, age_ms, begin_statement, "
                                      "first_statement, file FROM open_transactions WHERE "
                                      "file = ",
                                      kFileOfSchemaSql,
                                      " AND state IN ('read', 'write') AND age_ms >= ?2"),
                         {Value(schema), Value(kLongTransactionMs)}));
  for (const Row& r : rows) {
    const bool write = r[1].AsText() == "write";
    if (!write && !wal) continue;  // a rollback-journal reader only blocks commits while it reads
    const std::string what = absl::StrFormat(
        "connection %d of this process has held a %s transaction (%s) for %.0f ms, %s",
        r[0].AsInt(), write ? "write" : "read", r[2].AsText(), r[3].AsDouble(),
        BegunBy(r[4], r[5]));
    out.push_back(
        {"locks", Severity::kWarn, r[6].AsText(),
         write ? absl::StrCat(what, ": it holds the write lock, so every other writer waits for "
                                    "it or fails with SQLITE_BUSY")
               : absl::StrCat(what, ": its snapshot pins the WAL, so checkpoints cannot go past "
                                    "it and the WAL grows"),
         "commit or roll it back sooner: do no slow work (network calls, user input, large "
         "computations) inside a transaction; SELECT * FROM open_transactions shows it",
         std::nullopt, r[3].AsDouble()});
  }
  return absl::OkStatus();
}

// Connections of this process to the schema's file that do not wait for locks the way SQLite's
// own busy timeout does (lock_stats_connections.handler 'application': PRAGMA busy_timeout read
// 0, so no handler at all or one of their own; or doctor's handler with a timeout of 0).
// On a WAL database used by several connections (in this process, or another process seen
// holding the write lock or a read lock), that is busy_timeout 0: writes fail at once. Else,
// when some connections count and others do not, their waits are missing from lock_stats.
absl::Status CheckUncountedConnections(Connection& c, const std::string& schema, bool wal,
                                       std::vector<Finding>& out) {
  if (!HasTable(c, "lock_stats") || !HasTable(c, "lock_stats_connections")) {
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(Rows files, Query(c,
                                     absl::StrCat("SELECT file, connections, counting, writer "
                                                  "FROM lock_stats WHERE file = ",
                                                  kFileOfSchemaSql),
                                     {Value(schema)}));
  if (files.empty()) return absl::OkStatus();
  const std::string file = files[0][0].AsText();
  const int64_t connections = files[0][1].AsInt(), counting = files[0][2].AsInt();
  ASSIGN_OR_RETURN(Rows zero, Query(c,
                                    "SELECT count(*), coalesce(sum(this_connection), 0) FROM "
                                    "lock_stats_connections WHERE file = ?1 "
                                    "AND (handler <> 'doctor' OR timeout_ms = 0)",
                                    {Value(file)}));
  const int64_t without = zero[0][0].AsInt();
  // Only the connection reading the report, alone in this process (e.g. the sqlite3 shell while
  // the application runs elsewhere): its timeout may not be the application's.
  const bool only_me = without == 1 && zero[0][1].AsInt() == 1 && connections == 1;
  int64_t readers = 0;
  if (wal && HasTable(c, "wal_health")) {
    ASSIGN_OR_RETURN(Rows health, Query(c, "SELECT coalesce(readers, 0) FROM wal_health(?1)",
                                        {Value(schema)}));
    if (!health.empty()) readers = health[0][0].AsInt();
  }
  const bool shared =
      connections >= 2 || files[0][3].AsText() == "another process" || readers > 0;
  // The reading connection, alone, opened read-only (`sqlite3 -readonly`, `?mode=ro`): it never
  // takes the write lock, so "a write fails at once" is not its risk. A WAL reader still calls
  // the busy handler when its read lock cannot be had: during a WAL recovery, or while another
  // connection holds the database exclusively (the last one closing checkpoints and removes
  // the WAL; locking_mode=EXCLUSIVE).
  const bool only_me_reading = only_me && sqlite3_db_readonly(c.db(), schema.c_str()) == 1;
  if (wal && shared && without > 0) {
    const std::string risk =
        only_me_reading
            ? "it is read-only, so it never waits for the write lock, but a read that finds the "
              "database being recovered (after a crash) or held exclusively (the last "
              "connection checkpointing and removing the WAL as it closes, locking_mode="
              "EXCLUSIVE) fails at once with SQLITE_BUSY (\"database is locked\") instead of "
              "waiting"
            : "a write that finds the write lock taken fails at once with SQLITE_BUSY "
              "(\"database is locked\") instead of waiting";
    out.push_back(
        {"locks", only_me ? Severity::kInfo : Severity::kWarn, file,
         absl::StrFormat(
             "%d of the %d connections of this process to this WAL database have a busy timeout "
             "of 0 (PRAGMA busy_timeout read 0: no busy handler, the default of node:sqlite and "
             "Bun, or a handler of their own) while other connections use it: %s%s",
             without, connections, risk,
             only_me ? " (it is the connection reading this report, which may not be the "
                       "application's)"
                     : ""),
         "give every connection a busy timeout: node:sqlite new DatabaseSync(path, { timeout: "
         "5000 }); Bun db.exec('PRAGMA busy_timeout = 5000'); better-sqlite3 and Python wait 5 s "
         "by default; SQL PRAGMA busy_timeout = 5000 (doctor then counts the waits)",
         "PRAGMA busy_timeout = 5000", static_cast<double>(without)});
    return absl::OkStatus();
  }
  // Doctor's handler was asked for (counting > 0) but some connections replaced it: their waits
  // are invisible, so the counts understate the contention.
  if (counting > 0 && counting < connections) {
    out.push_back({"locks", Severity::kInfo, file,
                   absl::StrFormat("lock_stats counts the busy waits of %d of the %d "
                                   "connections to this file in this process; the others' "
                                   "waits and SQLITE_BUSY errors are not counted",
                                   counting, connections),
                   "give the connections whose handler is not doctor's (SELECT * FROM "
                   "lock_stats_connections WHERE handler <> 'doctor') a busy timeout "
                   "(PRAGMA busy_timeout = 5000, or the driver's timeout option) instead of a "
                   "handler of their own: doctor counts SQLite's own timeout with the same "
                   "waits",
                   std::nullopt, static_cast<double>(connections - counting)});
  }
  return absl::OkStatus();
}

// Checkpoint starvation: the last checkpoints of the file (run by doctor_checkpoint or seen by
// wal_health) all stopped short of the end of the WAL while it kept growing, and frames still
// wait: readers always hold a snapshot older than the end.
absl::Status CheckCheckpointStarvation(Connection& c, const std::string& schema,
                                       std::vector<Finding>& out) {
  if (!HasTable(c, "wal_checkpoints") || !HasTable(c, "wal_health")) return absl::OkStatus();
  ASSIGN_OR_RETURN(Rows health, Query(c,
                                      "SELECT file, pending_frames, wal_frames, wal_bytes, "
                                      "readers FROM wal_health(?1) WHERE pending_frames > 0",
                                      {Value(schema)}));
  if (health.empty()) return absl::OkStatus();
  const std::string file = health[0][0].AsText();
  ASSIGN_OR_RETURN(Rows last, Query(c,
                                    "SELECT busy, log_frames, checkpointed_frames FROM "
                                    "wal_checkpoints WHERE file = ?1 ORDER BY rowid DESC LIMIT 3",
                                    {Value(file)}));
  int starved = 0;
  for (size_t i = 0; i < last.size(); ++i) {
    const Row& r = last[i];
    const bool incomplete = r[0].AsInt() != 0 || r[1].is_null() || r[2].is_null() ||
                            r[2].AsInt() < r[1].AsInt();
    // Newest first: each older one saw a smaller WAL.
    const bool grew = i == 0 || (!r[1].is_null() && r[1].AsInt() < last[i - 1][1].AsInt());
    if (!incomplete || !grew) break;
    ++starved;
  }
  if (starved < 2) return absl::OkStatus();
  out.push_back(
      {"wal", Severity::kWarn, file,
       absl::StrFormat("checkpoint starvation: the last %d checkpoints could not reach the end "
                       "of the WAL while it grew to %d frames (%d bytes), %d of them not yet in "
                       "the database; %d read locks are held now: readers keep snapshots older "
                       "than the end, so the WAL can only grow",
                       starved, health[0][2].AsInt(), health[0][3].AsInt(), health[0][1].AsInt(),
                       health[0][4].AsInt()),
       absl::StrFormat(
           "let the checkpoint find a moment with no old snapshot: end long read transactions "
           "(SELECT * FROM open_transactions WHERE state = 'read' in this process; wal_health "
           "names a reader in another process), keep reads short so readers do not overlap "
           "without a gap, then checkpoint with RESTART. While it waits for readers it holds the "
           "write lock, so the application's writes wait too: the fix waits at most %d ms, less "
           "than any busy timeout worth having; run it again when it returns busy",
           kCheckpointWaitMs),
       CheckpointFixSql("RESTART", schema),
       health[0][3].AsDouble()});
  return absl::OkStatus();
}

}  // namespace

absl::Status AddLockFindings(Connection& c, const std::string& schema,
                             std::vector<Finding>& out) {
  ASSIGN_OR_RETURN(const bool wal, IsWal(c, schema));
  RETURN_IF_ERROR(CheckLongTransactions(c, schema, wal, out));
  RETURN_IF_ERROR(CheckUncountedConnections(c, schema, wal, out));
  if (wal) RETURN_IF_ERROR(CheckCheckpointStarvation(c, schema, out));
  return absl::OkStatus();
}

}  // namespace doctor::report
