// Known problems of every SQLite seen on the database (doctor_known_issues): the one running the
// report and the ones the application's processes ran, as query_stats records beside the plans
// they captured (plan_sqlite, plan_captured: this process's and, through the store, the others').
//
// Before, only the reader's SQLite was judged: the report run from Debian's sqlite3 shell (3.40.1)
// warned of the WAL-reset bug and said nothing of the application's better-sqlite3 (3.53.2,
// fixed), and the other way round it missed the warning. Whose version matters for that bug is
// what its fix says (SQLite 3.51.3's walCheckpoint checks the WAL's salt before it copies): the
// SQLite of the connection that checkpoints. So each affected version is named with who runs it
// and what of theirs is at risk, beside the versions seen that are not affected.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/hidden_names.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/report/area_findings.h"

namespace doctor::report {
namespace {

// One SQLite version seen on the database, and by whom.
struct SeenSqlite {
  std::string version;
  bool this_connection = false;
  int64_t plans = 0;  // query plans of this database its processes captured
  std::string first_captured, last_captured;
};

std::string Who(const SeenSqlite& s) {
  std::string processes;
  if (s.plans > 0) {
    processes = absl::StrCat("application processes that captured ", s.plans, " query plan",
                             s.plans == 1 ? "" : "s", " of this database ");
    if (s.last_captured == s.first_captured) {
      absl::StrAppend(&processes, "at ", s.first_captured);
    } else {
      absl::StrAppend(&processes, "between ", s.first_captured, " and ", s.last_captured);
    }
  }
  if (!s.this_connection) return processes;
  return processes.empty() ? "this connection" : absl::StrCat("this connection and ", processes);
}

// Who, in an advice: "this connection's process", "the application processes that run SQLite
// 3.45.1", or both.
std::string WhoToUpgrade(const SeenSqlite& s) {
  const std::string processes =
      absl::StrCat("the application processes that run SQLite ", s.version);
  if (!s.this_connection) return processes;
  return s.plans > 0 ? absl::StrCat("this connection's process and ", processes)
                     : "this connection's process";
}

// The versions: this connection's first, then those recorded with the captured plans of the
// database bound to ?1, the most recently seen first.
absl::StatusOr<std::vector<SeenSqlite>> SeenVersions(Connection& c, const std::string& schema) {
  ASSIGN_OR_RETURN(Rows own, Query(c, "SELECT sqlite_version()"));
  std::vector<SeenSqlite> seen = {{own[0][0].AsText(), true}};
  if (!HasTable(c, "query_stats")) return seen;
  // An application's own query_stats hides ours (the timing step says so): this connection's
  // SQLite is still judged, as index_lint still checks all but unused indexes.
  absl::Status hidden = CheckNothingHidden(c.db(), "SELECT * FROM query_stats");
  if (absl::IsFailedPrecondition(hidden)) return seen;
  RETURN_IF_ERROR(hidden);
  ASSIGN_OR_RETURN(Rows rows,
                   Query(c,
                         absl::StrCat("SELECT plan_sqlite, count(*), min(plan_captured), "
                                      "max(plan_captured) FROM query_stats WHERE db = ",
                                      kFileOfSchemaSql,
                                      " AND plan_sqlite IS NOT NULL GROUP BY plan_sqlite "
                                      "ORDER BY max(plan_captured) DESC"),
                         {Value(schema)}));
  for (const Row& r : rows) {
    SeenSqlite s{r[0].AsText(), false, r[1].AsInt(), r[2].AsText(), r[3].AsText()};
    if (s.version == seen[0].version) {
      s.this_connection = true;
      seen[0] = s;
    } else {
      seen.push_back(s);
    }
  }
  return seen;
}

struct Verdict {
  bool affected = false;
  std::string summary, fix, url;
};

using Issues = std::vector<std::pair<std::string, Verdict>>;

// doctor_known_issues' rows for one version, by issue: only those decided (an issue of a build
// is not known for another process's SQLite); none for a text that is not a version (the store
// is written by other processes: doctor_known_issues checks it, and one bad row costs only its
// own findings, not the report).
absl::StatusOr<Issues> IssuesOf(Connection& c, const std::string& version) {
  Issues issues;
  absl::StatusOr<Rows> rows = Query(c,
                                    "SELECT issue, affected, summary, fix, url FROM "
                                    "doctor_known_issues(?1) WHERE affected IS NOT NULL",
                                    {Value(version)});
  if (!rows.ok() && absl::StrContains(rows.status().message(), "is not a SQLite version")) {
    return issues;
  }
  if (!rows.ok()) return rows.status();
  for (const Row& r : *rows) {
    issues.push_back({r[0].AsText(),
                      {r[1].AsInt() != 0, r[2].AsText(), r[3].AsText(), r[4].AsText()}});
  }
  return issues;
}

// For the WAL-reset bug: the other versions seen and whose checkpoints are at risk, as the fix
// decides (a checkpoint by an affected SQLite; the writers' SQLite does not matter).
std::string WalResetContext(const std::vector<SeenSqlite>& seen,
                            const std::vector<bool>& affected, size_t i) {
  std::vector<std::string> others;
  for (size_t j = 0; j < seen.size(); ++j) {
    if (j == i) continue;
    others.push_back(absl::StrCat("SQLite ", seen[j].version, " (", Who(seen[j]), ") ",
                                  affected[j] ? "has it too" : "does not"));
  }
  if (others.empty()) return "";  // this connection's alone: the summary says who is at risk
  std::string text =
      absl::StrCat(" Also seen on this database: ", absl::StrJoin(others, "; "), ".");
  std::vector<std::string> at_risk;
  if (seen[i].this_connection) {
    at_risk.push_back("from this connection, PRAGMA wal_checkpoint, doctor_checkpoint (a fix of "
                      "this report may run one) and the automatic one after its own commits "
                      "(reading from here is not at risk)");
  }
  if (seen[i].plans > 0) {
    at_risk.push_back(absl::StrCat("in the application processes of SQLite ", seen[i].version,
                                   ", the automatic one after their commits and any they run"));
  }
  absl::StrAppend(&text, " So checkpoints run by SQLite ", seen[i].version,
                  " are at risk, whatever SQLite the writers run: ", absl::StrJoin(at_risk, "; "),
                  ".");
  if (!seen[i].this_connection && !affected[0]) {
    absl::StrAppend(&text, " Checkpoints run from this connection (SQLite ", seen[0].version,
                    ") are not.");
  }
  return text;
}

}  // namespace

absl::Status AddKnownIssueFindings(Connection& c, const std::string& schema,
                                   std::vector<Finding>& out) {
  if (!HasTable(c, "doctor_known_issues")) return absl::OkStatus();
  ASSIGN_OR_RETURN(Rows mode, Query(c, absl::StrCat("PRAGMA ", QuoteIdentifier(schema),
                                                    ".journal_mode")));
  const bool wal = !mode.empty() && mode[0][0].AsText() == "wal";
  ASSIGN_OR_RETURN(const std::vector<SeenSqlite> recorded, SeenVersions(c, schema));
  std::vector<SeenSqlite> seen;  // those that are versions: this connection's first
  std::vector<Issues> issues;
  for (const SeenSqlite& s : recorded) {
    ASSIGN_OR_RETURN(Issues of_version, IssuesOf(c, s.version));
    if (of_version.empty()) continue;
    seen.push_back(s);
    issues.push_back(std::move(of_version));
  }
  if (seen.empty() || !seen[0].this_connection) return absl::OkStatus();
  for (size_t i = 0; i < seen.size(); ++i) {
    for (const auto& [issue, verdict] : issues[i]) {
      if (!verdict.affected) continue;
      const bool wal_bug = issue == "wal_reset_bug";
      std::string context;
      if (wal_bug) {
        std::vector<bool> affected(seen.size(), false);
        for (size_t j = 0; j < seen.size(); ++j) {
          for (const auto& [other_issue, v] : issues[j]) {
            if (other_issue == issue) affected[j] = v.affected;
          }
        }
        context = WalResetContext(seen, affected, i);
      }
      out.push_back({"sqlite", wal_bug && wal ? Severity::kWarn : Severity::kInfo,
                     absl::StrCat("SQLite ", seen[i].version),
                     absl::StrCat("SQLite ", seen[i].version, ", run by ", Who(seen[i]),
                                  ", has this problem: ", verdict.summary, context, " (",
                                  verdict.url, ")"),
                     absl::StrCat("for ", WhoToUpgrade(seen[i]), ": ", verdict.fix), std::nullopt,
                     wal_bug && wal ? 1.0 : 0.0});
    }
  }
  return absl::OkStatus();
}

}  // namespace doctor::report
