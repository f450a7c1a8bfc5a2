#include "ext/report/area_findings.h"

#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "ext/core/hidden_names.h"
#include "ext/core/private_db.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/core/text.h"
#include "ext/core/statement_kind.h"
#include "ext/report/index_fixes.h"
#include "ext/report/schema_checks.h"
#include "ext/wal/health.h"

namespace doctor::report {
namespace {

// Litestream keeps a _litestream_seq table and drives checkpoints itself.
absl::Status CheckLitestream(Connection& c, const std::string& schema, std::vector<Finding>& out) {
  ASSIGN_OR_RETURN(Rows rows, Query(c,
                                    "SELECT count(*) FROM pragma_table_list WHERE schema = ?1 AND "
                                    "name = '_litestream_seq'",
                                    {Value(schema)}));
  if (rows.empty() || rows[0][0].AsInt() == 0) return absl::OkStatus();
  out.push_back({"wal", Severity::kInfo, schema,
                 "Litestream replicates this database (_litestream_seq is present): it holds a "
                 "read transaction and runs checkpoints itself, so a WAL that grows between its "
                 "syncs is expected",
                 "leave checkpoints to Litestream; run doctor_checkpoint only if it is stopped",
                 std::nullopt, 0});
  return absl::OkStatus();
}

// One finding per wal_health row that is not ok, its advice fitted to what the row says: a
// reader that pins frames is to be ended; more frames waiting than the autocheckpoint lets pile
// up, or a big WAL file, are a checkpoint's to fix; synchronous=OFF is a setting of the
// application's connections; the rest (a wal-index that cannot be read or does not agree with
// the WAL) says its own remedy. The advice used to be "find and end the long-lived reader" for
// every row without frames waiting (synchronous=OFF alone, a damaged wal-index, a 64 MB WAL
// already checkpointed, whose TRUNCATE was not offered), and the checkpoint for any row with a
// frame waiting.
absl::Status CheckWal(Connection& c, const std::string& schema, std::vector<Finding>& out) {
  if (!HasTable(c, "wal_health")) return absl::OkStatus();
  ASSIGN_OR_RETURN(Rows rows, Query(c,
                                    "SELECT file, status, advice, wal_bytes, "
                                    // A reader pins when the checkpoint already reached its
                                    // snapshot (wal_health's rule); a later one lets it copy.
                                    "coalesce(oldest_reader_frame < wal_frames AND "
                                    "oldest_reader_frame <= backfilled_frames, 0), "
                                    "coalesce(pending_frames > CASE WHEN autocheckpoint > 0 "
                                    "THEN autocheckpoint ELSE 1000 END OR wal_bytes >= ?2, 0), "
                                    "coalesce(synchronous = 'OFF', 0) "
                                    "FROM wal_health(?1) WHERE status IN ('warn', 'critical')",
                                    {Value(schema),
                                     // the WAL size from which wal_health says a TRUNCATE
                                     // gives space back
                                     Value(static_cast<int64_t>(wal::kBloatWalBytes))}));
  for (const Row& r : rows) {
    const bool pinned = r[4].AsInt() != 0;
    const bool can_checkpoint = !pinned && r[5].AsInt() != 0;
    std::vector<std::string> advice;
    if (pinned) advice.push_back("find and end the long-lived reader (SELECT * FROM wal_health)");
    if (can_checkpoint) advice.push_back("checkpoint now; keep read transactions short");
    if (r[6].AsInt() != 0) {
      advice.push_back(
          "set PRAGMA synchronous = NORMAL on the application's connections (each connection "
          "has its own setting)");
    }
    if (advice.empty()) advice.push_back("do what the finding says (SELECT * FROM wal_health)");
    out.push_back({"wal", SeverityOf(r[1].AsText()), r[0].AsText(), r[2].AsText(),
                   absl::StrJoin(advice, "; "),
                   can_checkpoint
                       ? std::optional<std::string>(CheckpointFixSql("TRUNCATE", schema))
                       : std::nullopt,
                   r[3].AsDouble()});
  }
  return absl::OkStatus();
}

// SQLITE_BUSY errors and lock waits that the application's processes recorded per statement
// (query_stats, the shared <db>-doctor store), for a report read in another process (the shell,
// `npx sqlite-doctor report`), where lock_stats counts only that process's own connections.
// lock_wait_ms only grows in doctor's busy handler: a statement that failed with SQLITE_BUSY and
// no counted wait either did not wait or waited in a handler that replaced doctor's (the sqlite3
// shell's `.timeout` typed after `.load` calls sqlite3_busy_timeout: it waited 1000 ms, and
// "after 0.0 ms of waiting" was false). Its wait is then said to be unknown, never 0.
absl::Status CheckRecordedLockWaits(Connection& c, const std::string& schema,
                                    std::vector<Finding>& out) {
  if (!HasTable(c, "query_stats")) return absl::OkStatus();
  ASSIGN_OR_RETURN(Rows rows,
                   Query(c,
                         absl::StrCat(
                         "WITH q AS (SELECT query, lock_wait_ms, max_ms, ", kPlainBusyErrorsSql,
                         " AS busy FROM query_stats WHERE db = ", kFileOfSchemaSql,
                         " AND (lock_wait_ms > 0 OR busy > 0) "
                         // A deferred upgrade's failures are CheckDeferredUpgrades' finding,
                         // its plain BUSY included when the statement never waited for a lock:
                         // no wait or timeout helps them. One that also waited may run outside
                         // such transactions too, and its BUSY be waits that gave up: an UPDATE
                         // run in autocommit with a busy timeout and in deferred transactions
                         // had its 6 BUSY after 150 ms waits left out of the count here, and
                         // called hopeless there.
                         "AND (coalesce(json_extract(errors, '$.BUSY_SNAPSHOT'), 0) = 0 "
                         "OR lock_wait_ms > 0)) "
                         "SELECT ", kFileOfSchemaSql, ", "
                         "sum(busy), sum(lock_wait_ms), count(*), "
                         "(SELECT query FROM q ORDER BY busy DESC, lock_wait_ms DESC LIMIT 1), "
                         // Failed with no wait counted, and the longest run of those (NULL
                         // after query_stats_reset('minmax')).
                         "sum(busy > 0 AND lock_wait_ms = 0), "
                         "max(CASE WHEN busy > 0 AND lock_wait_ms = 0 THEN max_ms END), "
                         // The statements the errors reached: the others only waited.
                         "sum(busy > 0) "
                         "FROM q"),  // one row, count 0 when none (no HAVING: SQLite 3.37)
                         {Value(schema)}));
  if (rows.empty() || rows[0][3].AsInt() == 0) return absl::OkStatus();
  const Row& r = rows[0];
  const int64_t errors = r[1].AsInt(), statements = r[3].AsInt(), uncounted = r[5].AsInt();
  // "56 errors over 4 statements" was said when 3 had failed and the fourth had only waited.
  const int64_t failed = r[7].AsInt(), only_waited = statements - failed;
  const double counted_ms = r[2].AsDouble();
  std::string waited;
  if (uncounted == 0) {
    waited = absl::StrCat(", after ", HumanDecimal(counted_ms, 1),
                          " ms of waiting for locks in all,");
  }
  std::string finding =
      failed == 0
          ? absl::StrFormat("no SQLITE_BUSY error reached the application; %d statement%s its "
                            "processes recorded (query_stats) waited %s ms for locks in all; the "
                            "most: %s",
                            statements, statements == 1 ? "" : "s",
                            HumanDecimal(counted_ms, 1), Utf8Prefix(r[4].AsText(), 120))
          : absl::StrFormat(
                "%d SQLITE_BUSY error%s reached the application%s over %d statement%s its "
                "processes recorded (query_stats)%s; the most: %s",
                errors, errors == 1 ? "" : "s", waited, failed, failed == 1 ? "" : "s",
                only_waited == 0
                    ? ""
                    : absl::StrFormat("; %d more statement%s waited for a lock and did not fail",
                                      only_waited, only_waited == 1 ? "" : "s"),
                Utf8Prefix(r[4].AsText(), 120));
  if (uncounted > 0) {
    absl::StrAppend(
        &finding,
        absl::StrFormat(
            ". How long they waited is not known: %d of these statements failed with no lock "
            "wait counted (%s%s). Either they did not wait (no busy timeout, or a read "
            "transaction that could not become a writer) or they waited in a busy handler that "
            "replaced doctor's, which counts only its own: a timeout set through the C API "
            "after loading the extension (sqlite3_busy_timeout, the sqlite3 shell's .timeout) or "
            "the application's own handler (sqlite3_busy_handler). PRAGMA busy_timeout = N run "
            "after loading is seen, and its waits are counted",
            uncounted,
            r[6].is_null() ? "the length of their runs is not known since the last "
                             "query_stats_reset('minmax')"
                           : absl::StrCat("their longest run took ",
                                          HumanDecimal(r[6].AsDouble(), 1), " ms, waits included"),
            counted_ms > 0
                ? absl::StrCat("; the waits counted add up to ", HumanDecimal(counted_ms, 1), " ms")
                : ""));
  }
  out.push_back(
      {"locks", errors > 0 ? Severity::kWarn : Severity::kInfo, r[0].AsText(), finding,
       "another connection held the write lock too long: commit write transactions (a "
       "worker's batch) every few hundred rows, begin them IMMEDIATE, or raise the busy "
       "timeout; SELECT query, lock_wait_ms, errors FROM query_stats WHERE lock_wait_ms > 0 "
       "(npx sqlite-doctor locks) lists them; the counts add up since the last "
       "SELECT query_stats_reset(), so reset them after a fix to count afresh",
       std::nullopt, static_cast<double>(errors)});
  return absl::OkStatus();
}

// Beside lock_stats' finding: the SQLITE_BUSY errors of statements that never waited for a lock
// (query_stats, every process), which lock_stats does not count (it counts an error after a
// wait in doctor's handler). A transaction that read first (db.transaction(), BEGIN DEFERRED)
// and finds the write lock taken when it writes fails at once: SQLite calls no busy handler for
// that upgrade. A Drizzle web process whose 3 such failures sat beside 1 wait that gave up was
// told "1 SQLITE_BUSY error reached the application". Statements with a BUSY_SNAPSHOT are
// CheckDeferredUpgrades' (with their plain BUSY), and one that also waited is left to the
// waits: no error is counted twice.
absl::Status CheckBusyWithoutWait(Connection& c, const std::string& schema,
                                  std::vector<Finding>& out) {
  if (!HasTable(c, "query_stats")) return absl::OkStatus();
  ASSIGN_OR_RETURN(Rows rows,
                   Query(c,
                         absl::StrCat(
                         "WITH q AS (SELECT query, ", kPlainBusyErrorsSql, " AS busy "
                         "FROM query_stats WHERE db = ", kFileOfSchemaSql,
                         " AND lock_wait_ms = 0 "
                         "AND coalesce(json_extract(errors, '$.BUSY_SNAPSHOT'), 0) = 0) "
                         "SELECT ", kFileOfSchemaSql, ", coalesce(sum(busy), 0), count(*), "
                         "(SELECT query FROM q WHERE busy > 0 ORDER BY busy DESC LIMIT 1) "
                         "FROM q WHERE busy > 0"),
                         {Value(schema)}));
  if (rows.empty() || rows[0][1].AsInt() == 0) return absl::OkStatus();
  const Row& r = rows[0];
  const int64_t errors = r[1].AsInt(), statements = r[2].AsInt();
  out.push_back(
      {"locks", Severity::kWarn, r[0].AsText(),
       absl::StrFormat(
           "%d more SQLITE_BUSY error%s reached the application over %d statement%s that never "
           "waited for a lock (query_stats, every process; lock_stats counts an error only after "
           "a wait); the most: %s. A transaction that reads first (BEGIN or BEGIN DEFERRED, what "
           "db.transaction() does) and finds the write lock taken when it writes fails at once: "
           "SQLite calls no busy handler for that, so no busy timeout helps (a connection with "
           "no busy timeout fails so too)",
           errors, errors == 1 ? "" : "s", statements, statements == 1 ? "" : "s",
           Utf8Prefix(r[3].AsText(), 120)),
       "begin transactions that write as IMMEDIATE: Drizzle db.transaction(fn, { behavior: "
       "'immediate' }); better-sqlite3 db.transaction(fn).immediate(); SQL BEGIN IMMEDIATE. "
       "Then SELECT query_stats_reset() to count afresh",
       std::nullopt, static_cast<double>(errors)});
  return absl::OkStatus();
}

absl::Status CheckLocks(Connection& c, const std::string& schema, std::vector<Finding>& out) {
  if (!HasTable(c, "lock_stats")) return CheckRecordedLockWaits(c, schema, out);
  const size_t before = out.size();
  // lock_stats has one row per database file (each read of it also refreshes this connection's
  // handler state, so it is read once).
  ASSIGN_OR_RETURN(Rows rows,
                   Query(c,
                         "SELECT file, busy_errors, busy_waits, longest_wait_ms, "
                         "coalesce(timeout_ms, 0) FROM lock_stats "
                         "WHERE file = (SELECT file FROM pragma_database_list WHERE name = ?1)",
                         {Value(schema)}));
  for (const Row& r : rows) {
    const int64_t errors = r[1].AsInt();
    if (errors > 0 || r[2].AsInt() > 0) {
      const bool no_timeout = r[4].AsInt() == 0;
      out.push_back(
          {"locks", errors > 0 ? Severity::kWarn : Severity::kInfo, r[0].AsText(),
           absl::StrFormat("%d SQLITE_BUSY error%s reached the application after %d busy "
                           "wait%s; the longest wait was %.1f ms",
                           errors, errors == 1 ? "" : "s", r[2].AsInt(),
                           r[2].AsInt() == 1 ? "" : "s", r[3].AsDouble()),
           no_timeout ? "set a busy timeout so writers wait instead of failing"
                      : "shorten write transactions, or raise the busy timeout",
           no_timeout ? std::optional<std::string>("PRAGMA busy_timeout = 5000") : std::nullopt,
           static_cast<double>(errors)});
    }
  }
  // None in this process: what the application's processes recorded.
  if (out.size() == before) return CheckRecordedLockWaits(c, schema, out);
  return CheckBusyWithoutWait(c, schema, out);
}

// Writes that failed with SQLITE_BUSY_SNAPSHOT (query_stats.errors): a deferred transaction read,
// another connection committed, and its upgrade to a writer could not succeed — no busy wait
// helps, only beginning the transaction IMMEDIATE. (A plain BUSY is lock contention, the
// lock_stats finding's; the timing area records BUSY_SNAPSHOT when the application's next
// statement on the connection was prepared before, as a driver's transaction does.)
absl::Status CheckDeferredUpgrades(Connection& c, const std::string& schema,
                                   std::vector<Finding>& out) {
  if (!HasTable(c, "query_stats")) return absl::OkStatus();
  ASSIGN_OR_RETURN(Rows rows,
                   Query(c,
                         absl::StrCat(
                         "SELECT query_id, query, calls, "
                         "coalesce(json_extract(errors, '$.BUSY_SNAPSHOT'), 0), "
                         "coalesce(json_extract(errors, '$.BUSY'), 0), lock_wait_ms "
                         "FROM query_stats WHERE db = ", kFileOfSchemaSql,
                         " AND errors IS NOT NULL AND errors <> '{}' ORDER BY total_ms DESC"),
                         {Value(schema)}));
  for (const Row& r : rows) {
    const int64_t snapshot = r[3].AsInt(), busy = r[4].AsInt();
    if (snapshot == 0 || !IsWrite(KindOfStatement(r[1].AsText()))) continue;
    // Its plain BUSY are the lock-wait finding's when it also waited (CheckRecordedLockWaits).
    const double waited_ms = r[5].AsDouble();
    const std::string failures =
        busy == 0 || waited_ms > 0 ? absl::StrFormat("%d of %d runs of this write failed with "
                                                     "SQLITE_BUSY_SNAPSHOT", snapshot, r[2].AsInt())
                                   : absl::StrFormat("%d of %d runs of this write failed with "
                                                     "SQLITE_BUSY_SNAPSHOT and %d with SQLITE_BUSY",
                                                     snapshot, r[2].AsInt(), busy);
    std::string finding = absl::StrFormat(
        "%s: %s. A transaction that reads first (BEGIN or BEGIN DEFERRED, what db.transaction() "
        "does) cannot become a writer once another connection has committed, and no busy "
        "timeout can help", failures, Utf8Prefix(r[1].AsText(), 120));
    if (busy > 0 && waited_ms > 0) {
      absl::StrAppend(&finding, absl::StrFormat(". Its %d SQLITE_BUSY failure%s, from runs that "
                                                "also waited %.1f ms for locks, %s counted with "
                                                "the lock waits",
                                                busy, busy == 1 ? "" : "s", waited_ms,
                                                busy == 1 ? "is" : "are"));
    }
    out.push_back(
        {"locks", Severity::kWarn, r[0].AsText(), finding,
         "begin transactions that write as IMMEDIATE: Drizzle db.transaction(fn, { behavior: "
         "'immediate' }); better-sqlite3 db.transaction(fn).immediate(); SQL BEGIN IMMEDIATE. "
         "Then SELECT query_stats_reset() to count afresh",
         std::nullopt, static_cast<double>(snapshot)});
  }
  return absl::OkStatus();
}

// index_lint's foreign-key index has the name the advisor gives the same index: the schema
// check's finding (it has the row counts) takes that statement (the last of lint's with its
// columns), so both name it one way. Each statement is parsed once: parsing both of every pair
// was 70% of doctor_report's time on a schema of 1,000 tables with 2,000 foreign keys (perf).
void AdoptLintNames(const std::vector<std::string>& lint_fixes, std::vector<Finding>& out) {
  std::vector<std::pair<IndexShape, const std::string*>> lint;
  for (const std::string& fix : lint_fixes) {
    if (std::optional<IndexShape> shape = ParseCreateIndex(fix)) lint.push_back({*shape, &fix});
  }
  if (lint.empty()) return;
  for (Finding& f : out) {
    if (f.area != "schema" || !f.fix_sql) continue;
    const std::optional<IndexShape> shape = ParseCreateIndex(*f.fix_sql);
    if (!shape) continue;
    for (const auto& [lint_shape, fix] : lint) {
      if (SameIndexColumns(*shape, lint_shape)) f.fix_sql = *fix;
    }
  }
}

absl::Status CheckIndexes(Connection& c, const std::string& schema, std::vector<Finding>& out,
                          std::vector<RedundantIndex>* redundant_indexes) {
  // index_lint covers main; foreign keys without an index are the schema checks' already.
  if (!HasTable(c, "index_lint") || schema != "main") return absl::OkStatus();
  absl::StatusOr<Rows> rows =
      Query(c, "SELECT kind, table_name, index_name, finding, fix_sql, covered_by FROM index_lint");
  if (!rows.ok() && IsWorkTimeoutMessage(rows.status().message())) {
    // A schema of tens of thousands of tables: lint's copy alone can outlast the budget. The
    // rest of the report still stands; what is missing says so, and how to get it.
    out.push_back({"indexes", Severity::kWarn, "index_lint",
                   absl::StrCat("index_lint could not finish, so this report has no duplicate, "
                                "prefix, unused or low-selectivity index findings: ",
                                rows.status().message()),
                   "run it alone with a larger budget: SELECT doctor_set('work_timeout_ms', 0); "
                   "SELECT * FROM index_lint;",
                   std::nullopt, 1.0});
    return absl::OkStatus();
  }
  if (!rows.ok()) return rows.status();
  std::vector<std::string> lint_fk_fixes;
  for (const Row& r : *rows) {
    const std::string kind = r[0].AsText();
    if (kind == "not_checked") {  // lint left a check out (its finding says which, and why)
      out.push_back({"indexes", Severity::kWarn, "index_lint", r[3].AsText(),
                     "rename that table to have this checked; every other index finding is "
                     "reported",
                     std::nullopt, 0});
      continue;
    }
    if (kind == "fk_without_index") {
      if (!r[4].is_null()) lint_fk_fixes.push_back(r[4].AsText());
      continue;
    }
    const bool redundant = kind == "duplicate" || kind == "prefix";
    if (!redundant && !r[2].is_null()) {
      // Dropping the only index of a foreign key would make the next report ask for it back.
      ASSIGN_OR_RETURN(bool serves,
                       IndexServesForeignKey(c, schema, r[1].AsText(), r[2].AsText()));
      if (serves) continue;
    }
    if (redundant && !r[2].is_null() && !r[5].is_null()) {
      redundant_indexes->push_back({out.size(), r[2].AsText(), r[5].AsText(), kind == "duplicate"});
    }
    out.push_back({"indexes", redundant ? Severity::kWarn : Severity::kInfo,
                   r[2].is_null() ? r[1].AsText() : r[2].AsText(),
                   absl::StrCat(kind, ": ", r[3].AsText()),
                   redundant ? "drop it: every write pays for it and no query needs it"
                             : "check whether the application needs it; drop it if not",
                   r[4].is_null() ? std::nullopt : std::optional<std::string>(r[4].AsText()),
                   redundant ? 2.0 : 1.0});
  }
  AdoptLintNames(lint_fk_fixes, out);
  return absl::OkStatus();
}

}  // namespace

std::string CheckpointFixSql(const char* mode, const std::string& schema) {
  return absl::StrCat("SELECT doctor_checkpoint('", mode, "', ", QuoteLiteral(schema), ", ",
                      kCheckpointWaitMs, ")");
}

bool HasTable(const Connection& c, const char* name) {
  for (const Area* area : c.areas()) {
    for (const TableSpec& t : area->tables) {
      if (strcmp(t.name, name) == 0) return true;
    }
  }
  return false;
}

Severity SeverityOf(const std::string& status) {
  return status == "critical" ? Severity::kCritical
         : status == "warn"   ? Severity::kWarn
                              : Severity::kInfo;
}

absl::Status AddAreaFindings(Connection& c, const std::string& schema,
                             const std::optional<std::string>& migrations,
                             std::vector<Finding>& findings) {
  // Each step with the extension's tables it reads. An application's own table of such a name (a
  // `lock_stats` of its own) hides ours, and Query refuses to read through it (hidden_names.h):
  // that step is left out with a finding saying so, and the others run. The whole report used to
  // fail with the refusal, for a name clash in one area.
  std::set<std::string> left_out;
  auto step = [&](const char* area, const char* reads, auto&& run) -> absl::Status {
    absl::Status hidden = CheckNothingHidden(c.db(), absl::StrCat("SELECT * FROM ", reads));
    if (absl::IsFailedPrecondition(hidden)) {
      if (left_out.insert(absl::StrCat(area, hidden.message())).second) {
        findings.push_back({area, Severity::kWarn, "doctor_report",
                            absl::StrCat(area, " findings left out: ", hidden.message()),
                            "rename it; every area whose tables it does not hide is reported",
                            std::nullopt, 0});
      }
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(hidden);
    return run();
  };
  RETURN_IF_ERROR(CheckLitestream(c, schema, findings));
  RETURN_IF_ERROR(step("wal", "wal_health", [&] { return CheckWal(c, schema, findings); }));
  constexpr char kLockTables[] =
      "lock_stats, lock_stats_connections, open_transactions, wal_health, query_stats";
  RETURN_IF_ERROR(step("locks", kLockTables, [&] { return CheckLocks(c, schema, findings); }));
  RETURN_IF_ERROR(
      step("locks", kLockTables, [&] { return AddLockFindings(c, schema, findings); }));
  RETURN_IF_ERROR(
      step("locks", kLockTables, [&] { return CheckDeferredUpgrades(c, schema, findings); }));
  // Also reads query_stats, when it is not hidden (the application's versions).
  RETURN_IF_ERROR(step("wal", "doctor_known_issues",
                       [&] { return AddKnownIssueFindings(c, schema, findings); }));
  RETURN_IF_ERROR(step("timing",
                       "query_stats, query_stats_info, slow_queries, plan_changes, "
                       "open_transactions, index_advise, index_whatif",
                       [&] { return AddQueryFindings(c, schema, findings); }));
  std::vector<RedundantIndex> redundant;
  // index_lint reads query_stats itself, for its unused check only: a table hiding it leaves
  // that check out (a not_checked row), not every index finding.
  RETURN_IF_ERROR(step("indexes", "index_lint, index_advise",
                       [&] { return CheckIndexes(c, schema, findings, &redundant); }));
  if (migrations) {
    constexpr char kMigrationTables[] =
        "migration_status, migrate_check, schema_drift, schema_diff, query_stats, index_whatif";
    RETURN_IF_ERROR(step("migrations", kMigrationTables,
                         [&] { return AddMigrationFindings(c, *migrations, findings); }));
    UnrecordedIndexes unrecorded;
    RETURN_IF_ERROR(step("migrations", kMigrationTables, [&] {
      return AddDriftFindings(c, *migrations, findings, &unrecorded);
    }));
    KeepWhatTheMigrationsCreate(redundant, unrecorded, findings);
  }
  return absl::OkStatus();
}

}  // namespace doctor::report
