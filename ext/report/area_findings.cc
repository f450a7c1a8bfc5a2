#include "ext/report/area_findings.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/migrations/folder.h"

namespace doctor::report {
namespace {

bool HasTable(Connection& c, const char* name) {
  for (const Area* area : c.areas()) {
    for (const TableSpec& t : area->tables) {
      if (strcmp(t.name, name) == 0) return true;
    }
  }
  return false;
}

// True when the statement calls one of the extension's own functions or tables: the user's
// call of doctor_report or migrate_dir is not a query to tune.
bool CallsTheExtension(Connection& c, const std::string& sql) {
  for (absl::string_view word : absl::StrSplit(sql, absl::ByAnyChar(" \t\n(),;.\"'`[]"),
                                               absl::SkipEmpty())) {
    for (const Area* area : c.areas()) {
      for (const FunctionSpec& f : area->functions) {
        if (absl::EqualsIgnoreCase(word, f.name)) return true;
      }
      for (const TableSpec& t : area->tables) {
        if (absl::EqualsIgnoreCase(word, t.name)) return true;
      }
    }
  }
  return false;
}

// True when an EXPLAIN QUERY PLAN ("SCAN t; SEARCH u USING ...") reads some table whole.
bool ScansAWholeTable(const std::string& plan) {
  for (absl::string_view step : absl::StrSplit(plan, "; ")) {
    if (absl::StartsWith(step, "SCAN ") && !absl::StrContains(step, " USING ") &&
        !absl::StrContains(step, "VIRTUAL TABLE") && !absl::StartsWith(step, "SCAN CONSTANT")) {
      return true;
    }
  }
  return false;
}

Severity SeverityOf(const std::string& status) {
  return status == "critical" ? Severity::kCritical : status == "warn" ? Severity::kWarn
                                                                       : Severity::kInfo;
}

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

absl::Status CheckWal(Connection& c, const std::string& schema, std::vector<Finding>& out) {
  if (!HasTable(c, "wal_health")) return absl::OkStatus();
  ASSIGN_OR_RETURN(Rows rows, Query(c,
                                    "SELECT file, status, advice, wal_bytes, pending_frames, "
                                    "readers FROM wal_health(?1) WHERE status IN ('warn', "
                                    "'critical')",
                                    {Value(schema)}));
  for (const Row& r : rows) {
    const bool can_checkpoint = r[4].AsInt() > 0 && r[5].AsInt() == 0;
    out.push_back({"wal", SeverityOf(r[1].AsText()), r[0].AsText(), r[2].AsText(),
                   can_checkpoint ? "checkpoint now; keep read transactions short"
                                  : "find and end the long-lived reader (SELECT * FROM wal_health)",
                   can_checkpoint ? std::optional<std::string>(absl::StrCat(
                                        "SELECT doctor_checkpoint('TRUNCATE', ",
                                        QuoteLiteral(schema), ")"))
                                  : std::nullopt,
                   r[3].AsDouble()});
  }
  return absl::OkStatus();
}

absl::Status CheckLocks(Connection& c, const std::string& schema, std::vector<Finding>& out) {
  if (!HasTable(c, "lock_stats")) return absl::OkStatus();
  // lock_stats has one row per database file (each read of it also refreshes this connection's
  // handler state, so it is read once).
  ASSIGN_OR_RETURN(Rows rows, Query(c,
                                    "SELECT file, busy_errors, busy_waits, longest_wait_ms, "
                                    "coalesce(timeout_ms, 0), connections, counting FROM lock_stats "
                                    "WHERE file = (SELECT file FROM pragma_database_list WHERE name = ?1)",
                                    {Value(schema)}));
  for (const Row& r : rows) {
    const int64_t errors = r[1].AsInt();
    if (errors > 0 || r[2].AsInt() > 0) {
      const bool no_timeout = r[4].AsInt() == 0;
      out.push_back({"locks", errors > 0 ? Severity::kWarn : Severity::kInfo, r[0].AsText(),
                     absl::StrFormat("%d SQLITE_BUSY errors reached the application after %d busy "
                                     "waits; the longest wait was %.1f ms",
                                     errors, r[2].AsInt(), r[3].AsDouble()),
                     no_timeout ? "set a busy timeout so writers wait instead of failing"
                                : "shorten write transactions, or raise the busy timeout",
                     no_timeout ? std::optional<std::string>("PRAGMA busy_timeout = 5000")
                                : std::nullopt,
                     static_cast<double>(errors)});
    }
    // Doctor's handler was asked for (counting > 0) but some connections replaced it: their
    // waits are invisible, so the counts above understate the contention.
    const int64_t connections = r[5].AsInt(), counting = r[6].AsInt();
    if (counting > 0 && counting < connections) {
      out.push_back({"locks", Severity::kInfo, r[0].AsText(),
                     absl::StrFormat("lock_stats counts the busy waits of %d of the %d "
                                     "connections to this file in this process; the others' "
                                     "waits and SQLITE_BUSY errors are not counted",
                                     counting, connections),
                     "the connections whose handler is not doctor's (SELECT * FROM "
                     "lock_stats_connections WHERE handler <> 'doctor') set their own busy "
                     "timeout after loading; leave busy handling to "
                     "doctor_set('busy_timeout_ms', N)",
                     std::nullopt, static_cast<double>(connections - counting)});
    }
  }
  return absl::OkStatus();
}

absl::Status CheckTiming(Connection& c, const std::string& schema, std::vector<Finding>& out) {
  if (!HasTable(c, "query_stats")) return absl::OkStatus();
  ASSIGN_OR_RETURN(Rows info, Query(c, "SELECT status FROM query_stats_info"));
  if (!info.empty() && info[0][0].AsText() != "active") {
    out.push_back({"timing", Severity::kWarn, "query_stats",
                   absl::StrCat("query timing is not active on this connection: ", info[0][0].AsText()),
                   "turn it on with SELECT doctor_set('timing', 'on'), or reload the extension",
                   std::nullopt, 0});
  }
  ASSIGN_OR_RETURN(Rows slow_ms, Query(c, "SELECT value FROM doctor_config WHERE name = 'slow_ms'"));
  const double threshold = slow_ms.empty() ? 100 : slow_ms[0][0].AsDouble();
  // The queries that cost the most: slow on average, or scanning whole tables call after call.
  // `plan` is the plan now, so a query whose scan an index has since fixed drops out.
  ASSIGN_OR_RETURN(Rows rows,
                   Query(c,
                         "SELECT query_id, query, calls, total_ms, mean_ms, p95_ms, "
                         "fullscan_steps / calls, example, plan FROM query_stats "
                         "WHERE db = (SELECT file FROM pragma_database_list WHERE name = ?1) "
                         "AND (mean_ms >= ?2 OR (calls >= 10 AND fullscan_steps / calls >= 1000)) "
                         "ORDER BY total_ms DESC LIMIT 50",
                         {Value(schema), Value(threshold)}));
  const bool advisor = HasTable(c, "index_advise");
  int reported = 0;
  for (const Row& r : rows) {
    const bool slow = r[4].AsDouble() >= threshold;
    const bool scans = ScansAWholeTable(r[8].AsText());
    if ((!slow && !scans) || CallsTheExtension(c, r[1].AsText()) || reported >= 10) continue;
    ++reported;
    std::optional<std::string> fix;
    if (advisor && scans) {
      // The advisor's first index for this one statement, if it finds one that pays.
      absl::StatusOr<Rows> advice =
          Query(c, "SELECT index_sql FROM index_advise(?1) LIMIT 1", {Value(r[7].AsText())});
      if (advice.ok() && !advice->empty()) fix = (*advice)[0][0].AsText();
    }
    std::string finding = absl::StrFormat(
        "query %s ran %d times, %.1f ms in all (mean %.2f ms, p95 %.2f ms)%s: %s",
        r[0].AsText(), r[2].AsInt(), r[3].AsDouble(), r[4].AsDouble(), r[5].AsDouble(),
        scans && r[6].AsInt() >= 1000 ? absl::StrCat("; each call scans ", r[6].AsInt(), " rows")
                                      : "",
        r[1].AsText().substr(0, 160));
    out.push_back({"timing", slow ? Severity::kWarn : Severity::kInfo, r[0].AsText(),
                   std::move(finding),
                   fix ? "create the index the advisor measured for it"
                       : scans ? "ask for an index: SELECT * FROM index_advise() (the captured workload)"
                               : "it is slow without scanning a whole table: look at its plan and "
                                 "the rows it returns",
                   fix, r[3].AsDouble()});
  }
  return absl::OkStatus();
}

absl::Status CheckIndexes(Connection& c, const std::string& schema, std::vector<Finding>& out) {
  // index_lint covers main; foreign keys without an index are the schema checks' already.
  if (!HasTable(c, "index_lint") || schema != "main") return absl::OkStatus();
  ASSIGN_OR_RETURN(Rows rows, Query(c,
                                    "SELECT kind, table_name, index_name, finding, fix_sql FROM "
                                    "index_lint WHERE kind <> 'fk_without_index'"));
  for (const Row& r : rows) {
    const std::string kind = r[0].AsText();
    const bool redundant = kind == "duplicate" || kind == "prefix";
    out.push_back({"indexes", redundant ? Severity::kWarn : Severity::kInfo,
                   r[2].is_null() ? r[1].AsText() : r[2].AsText(),
                   absl::StrCat(kind, ": ", r[3].AsText()),
                   redundant ? "drop it: every write pays for it and no query needs it"
                             : "check whether the application needs it; drop it if not",
                   r[4].is_null() ? std::nullopt : std::optional<std::string>(r[4].AsText()),
                   redundant ? 2.0 : 1.0});
  }
  return absl::OkStatus();
}

absl::Status CheckMigrations(Connection& c, const std::string& folder, std::vector<Finding>& out) {
  if (!HasTable(c, "migration_status")) return absl::OkStatus();
  ASSIGN_OR_RETURN(Rows rows, Query(c,
                                    "SELECT name, status, note FROM migration_status(?1) WHERE "
                                    "status <> 'applied'",
                                    {Value(folder)}));
  if (rows.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(migrations::Folder files, migrations::ReadFolder(folder));
  for (const Row& r : rows) {
    const std::string name = r[0].AsText(), status = r[1].AsText();
    if (status != "pending") {
      out.push_back({"migrations", Severity::kWarn, name,
                     absl::StrCat("migration ", name, " is ", status,
                                  status == "changed" ? " (its file differs from what was applied)"
                                                      : " (applied, but its file is gone)",
                                  r[2].is_null() ? "" : absl::StrCat(": ", r[2].AsText())),
                     "restore the file as applied; add a new migration for new changes",
                     std::nullopt, 1});
      continue;
    }
    const migrations::MigrationFile* file = nullptr;
    for (const auto& f : files.files) {
      if (f.name == name) file = &f;
    }
    int risks = 0;
    if (file != nullptr) {
      ASSIGN_OR_RETURN(Rows findings, Query(c,
                                            "SELECT severity, kind, object, detail FROM "
                                            "migrate_check(?1) WHERE severity IN ('warning', "
                                            "'error')",
                                            {Value(file->text)}));
      for (const Row& f : findings) {
        ++risks;
        const bool fails = f[1].AsText() == "statement_failed";
        out.push_back({"migrations", f[0].AsText() == "error" ? Severity::kCritical : Severity::kWarn,
                       name,
                       absl::StrCat("pending migration ", name, fails ? " fails on this database: "
                                                                      : absl::StrCat(" (", f[1].AsText(), "): "),
                                    f[3].AsText()),
                       fails ? "if the database already has this change (made before migrations "
                               "were journaled), mark it applied with migrate_baseline"
                             : "review it with SELECT * FROM migrate_check(...) before running "
                               "migrate_dir",
                       fails ? std::optional<std::string>(absl::StrCat(
                                   "SELECT migrate_baseline(", QuoteLiteral(folder), ", ",
                                   QuoteLiteral(name), ")"))
                             : std::nullopt,
                       10});
      }
    }
    if (risks == 0) {
      out.push_back({"migrations", Severity::kInfo, name,
                     absl::StrCat("migration ", name, " is pending; its dry run found no risk"),
                     "apply it with migrate_dir",
                     absl::StrCat("SELECT migrate_dir(", QuoteLiteral(folder), ")"), 0});
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status AddAreaFindings(Connection& c, const std::string& schema,
                             const std::optional<std::string>& migrations,
                             std::vector<Finding>& findings) {
  RETURN_IF_ERROR(CheckLitestream(c, schema, findings));
  RETURN_IF_ERROR(CheckWal(c, schema, findings));
  RETURN_IF_ERROR(CheckLocks(c, schema, findings));
  RETURN_IF_ERROR(CheckTiming(c, schema, findings));
  RETURN_IF_ERROR(CheckIndexes(c, schema, findings));
  if (migrations) RETURN_IF_ERROR(CheckMigrations(c, *migrations, findings));
  return absl::OkStatus();
}

}  // namespace doctor::report
