#include "ext/core/query_plan.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "ext/core/connection.h"
#include "ext/core/private_db.h"
#include "ext/core/sql.h"
#include "ext/core/statement_kind.h"
#include "ext/core/status_macros.h"

namespace doctor {
namespace {

// The index name after a "USING [COVERING ]INDEX " marker: up to " (" (the constraints) or the
// end of the detail. SQLite prints names unquoted.
std::string IndexNameAfter(absl::string_view rest) {
  size_t end = rest.find(" (");
  return std::string(end == absl::string_view::npos ? rest : rest.substr(0, end));
}

std::string TrimStatement(absl::string_view sql) {
  absl::string_view s = absl::StripAsciiWhitespace(sql);
  while (!s.empty() && (s.back() == ';' || absl::ascii_isspace(static_cast<unsigned char>(s.back())))) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

}  // namespace

bool PlanStep::ScansWholeTable() const {
  if (verb != "SCAN" || !index.empty() || primary_key || automatic) return false;
  if (table == "CONSTANT") return false;  // SCAN CONSTANT ROW
  return !absl::StrContains(detail, " VIRTUAL TABLE ");
}

bool QueryPlan::UsesIndex(absl::string_view name) const {
  for (const PlanStep& s : steps) {
    if (!s.index.empty() && absl::EqualsIgnoreCase(s.index, name)) return true;
  }
  return false;
}

bool QueryPlan::ScansIndexInOrder(absl::string_view name) const {
  for (const PlanStep& s : steps) {
    if (s.verb == "SCAN" && !s.index.empty() && absl::EqualsIgnoreCase(s.index, name)) return true;
  }
  return false;
}

bool QueryPlan::ScansAWholeTable() const {
  std::vector<bool> subquery_read(steps.size(), false);
  for (size_t i = 0; i < steps.size(); ++i) {
    absl::string_view rest = steps[i].detail;
    if (!absl::ConsumePrefix(&rest, "CO-ROUTINE ") && !absl::ConsumePrefix(&rest, "MATERIALIZE ")) {
      continue;
    }
    for (size_t j = steps.size(); j-- > i + 1;) {
      if (steps[j].verb == "SCAN" && steps[j].index.empty() && steps[j].table == rest &&
          !subquery_read[j]) {
        subquery_read[j] = true;
        break;
      }
    }
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    if (subquery_read[i] || absl::StartsWith(steps[i].table, "(")) continue;
    if (steps[i].ScansWholeTable()) return true;
  }
  return false;
}

PlanStep ParsePlanDetail(absl::string_view detail) {
  PlanStep step;
  step.detail = std::string(detail);
  absl::string_view rest = detail;
  if (absl::ConsumePrefix(&rest, "SCAN ")) {
    step.verb = "SCAN";
  } else if (absl::ConsumePrefix(&rest, "SEARCH ")) {
    step.verb = "SEARCH";
  } else {
    return step;
  }
  size_t space = rest.find(' ');
  step.table = std::string(rest.substr(0, space));
  for (const char* marker : {" USING COVERING INDEX ", " USING INDEX "}) {
    size_t at = detail.find(marker);
    if (at == absl::string_view::npos) continue;
    step.index = IndexNameAfter(detail.substr(at + strlen(marker)));
    step.covering = absl::StrContains(marker, "COVERING");
    break;
  }
  step.automatic = absl::StrContains(detail, " USING AUTOMATIC ");
  step.primary_key = absl::StrContains(detail, " USING INTEGER PRIMARY KEY") ||
                     absl::StrContains(detail, " USING PRIMARY KEY");
  return step;
}

QueryPlan ParsePlanText(absl::string_view text) {
  QueryPlan plan;
  if (text.empty()) return plan;
  int id = 0;
  for (absl::string_view part : absl::StrSplit(text, "; ")) {
    PlanStep step = ParsePlanDetail(part);
    step.id = ++id;
    plan.steps.push_back(std::move(step));
  }
  return plan;
}

namespace {

// The plan of `sql` on a second, read-only connection to `db`'s main file, through the same VFS
// (it sees what is committed there, and the same schema unless the caller's own transaction
// changed it), with the caller's foreign_keys setting: a write's plan shows the child lookups of
// its ON DELETE / ON UPDATE actions only with foreign keys on (before, a DELETE planned here
// showed none of its cascade's scans). An error where there is no file to open: an in-memory,
// temp or memdb database.
absl::StatusOr<QueryPlan> ExplainOnSecondConnection(sqlite3* db, absl::string_view sql,
                                                    absl::Span<const Value> params) {
  const char* file = sqlite3_db_filename(db, "main");
  sqlite3_vfs* vfs = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_VFS_POINTER, &vfs) != SQLITE_OK ||
      vfs == nullptr || vfs->zName == nullptr || file == nullptr || file[0] == '\0' ||
      absl::string_view(vfs->zName) == "memdb") {
    return absl::UnavailableError(
        "not planned: planning a write here would reset changes(), and the database has no file "
        "to plan it on");
  }
  sqlite3* second = nullptr;
  int rc;
  {
    OwnConnectionScope own;  // not timed, nothing registered on it
    rc = sqlite3_open_v2(file, &second, SQLITE_OPEN_READONLY, vfs->zName);
  }
  int foreign_keys = 0;
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &foreign_keys);
  if (rc == SQLITE_OK) {
    sqlite3_db_config(second, SQLITE_DBCONFIG_ENABLE_FKEY, foreign_keys, nullptr);
  }
  absl::StatusOr<QueryPlan> plan =
      rc == SQLITE_OK ? ExplainQueryPlan(second, sql, params)
                      : absl::UnavailableError(absl::StrCat("not planned: ", sqlite3_errstr(rc)));
  sqlite3_close_v2(second);
  return plan;
}

}  // namespace

absl::StatusOr<QueryPlan> ExplainQueryPlan(sqlite3* db, absl::string_view sql,
                                           absl::Span<const Value> params) {
  // EXPLAIN only prepares, but a PRAGMA, ATTACH, BEGIN... acts when prepared: planning a
  // captured `PRAGMA foreign_keys = OFF` would turn the caller's foreign keys off.
  if (!IsPlannable(KindOfStatement(sql))) {
    return absl::InvalidArgumentError(
        "not planned: only queries and writes are (other statements act when prepared)");
  }
  ASSIGN_OR_RETURN(Rows rows,
                   Query(db, absl::StrCat("EXPLAIN QUERY PLAN ", TrimStatement(sql)), params));
  QueryPlan plan;
  for (const Row& r : rows) {
    if (r.size() < 4) continue;
    PlanStep step = ParsePlanDetail(r[3].AsText());
    step.id = static_cast<int>(r[0].AsInt());
    step.parent = static_cast<int>(r[1].AsInt());
    plan.steps.push_back(std::move(step));
  }
  return plan;
}

absl::StatusOr<QueryPlan> ExplainQueryPlan(Connection& connection, absl::string_view sql,
                                           absl::Span<const Value> params) {
  Connection::InternalScope internal(connection);
  sqlite3* db = connection.db();
  // EXPLAIN of an INSERT, UPDATE or DELETE is compiled to count changes, and its end sets
  // sqlite3_changes() to 0: the count the caller's last write left (`SELECT changes()`, a
  // driver's `changes`) would be lost. Such a write is planned elsewhere.
  if (IsWrite(KindOfStatement(sql)) && sqlite3_changes64(db) != 0) {
    return ExplainOnSecondConnection(db, sql, params);
  }
  return ExplainQueryPlan(db, sql, params);
}

std::string PlanText(const QueryPlan& plan) {
  std::vector<absl::string_view> details;
  details.reserve(plan.steps.size());
  for (const PlanStep& s : plan.steps) details.push_back(s.detail);
  return absl::StrJoin(details, "; ");
}

}  // namespace doctor
