#include "ext/report/report.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ext/core/function.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/core/table.h"
#include "ext/core/table_rows.h"
#include "ext/report/area_findings.h"
#include "ext/report/html_report.h"
#include "ext/report/index_fixes.h"
#include "ext/report/schema_checks.h"

namespace doctor {
namespace {

// doctor_report's columns, declared once: the vtab, doctor_help_columns and the README use them.
constexpr Column kReportColumns[] = {
    {"area", "TEXT",
     "The area that found it: timing | wal | locks | migrations | indexes | schema | sqlite (known "
     "problems of a SQLite seen on the database)."},
    {"severity", "TEXT", "critical | warn | info; most severe first, then by impact."},
    {"object", "TEXT", "What it is about: a table, index, query id, migration or file."},
    {"finding", "TEXT", "One plain sentence with the numbers."},
    {"advice", "TEXT", "What to do about it."},
    {"fix_sql", "TEXT", "SQL that fixes it, to review and run yourself, ending with ';' (the rows make a script); NULL when none applies."},
};

absl::StatusOr<Rows> Produce(TableCall& call) {
  ASSIGN_OR_RETURN(std::string wanted, call.args().TextOr(0, "schema", "main"));
  ASSIGN_OR_RETURN(std::string mode, call.args().TextOr(1, "mode", "quick"));
  if (mode != "quick" && mode != "deep") {
    return absl::InvalidArgumentError(
        absl::StrCat("argument 'mode' must be 'quick' or 'deep', got '", mode, "'"));
  }
  Connection& c = call.connection();
  ASSIGN_OR_RETURN(const std::string schema, ResolveSchema(c, wanted));
  ASSIGN_OR_RETURN(std::vector<report::Finding> findings,
                   report::CheckSchema(c, schema, mode == "deep"));
  std::optional<std::string> migrations;
  if (!call.args().Missing(2)) {
    ASSIGN_OR_RETURN(migrations, call.args().Text(2, "migrations"));
  }
  RETURN_IF_ERROR(report::AddAreaFindings(c, schema, migrations, findings));
  report::SortFindings(findings);
  report::MergeIndexFixes(findings);
  RETURN_IF_ERROR(report::WithholdHarmfulIndexFixes(c, schema, findings));
  RETURN_IF_ERROR(
      report::DropPrefixesOfIndexFixes(c, schema, migrations.has_value(), findings));
  RETURN_IF_ERROR(report::AnalyzeAfterIndexFixes(c, schema, findings));
  RowBuilder rows(kReportColumns);
  for (report::Finding& f : findings) {
    rows.NewRow();
    rows.Set("area", f.area);
    rows.Set("severity", report::SeverityName(f.severity));
    rows.Set("object", f.object);
    rows.Set("finding", f.finding);
    rows.Set("advice", f.advice);
    if (f.fix_sql) rows.Set("fix_sql", AsScriptStatement(*f.fix_sql));
  }
  return rows.Finish();
}

absl::StatusOr<Value> Html(FunctionCall& call) {
  ASSIGN_OR_RETURN(std::string schema, call.args().TextOr(0, "schema", "main"));
  std::optional<std::string> migrations;
  if (!call.args().Missing(1)) {
    ASSIGN_OR_RETURN(migrations, call.args().Text(1, "migrations"));
  }
  ASSIGN_OR_RETURN(std::string page, report::HtmlReport(call.connection(), schema, migrations));
  return Value(std::move(page));
}

// doctor_html is DIRECTONLY, not merely volatile: it reads what the DIRECTONLY tables read (the
// process's query statistics and lock counts, the -shm and WAL files, a migration folder), and
// as an innocuous function a view or trigger could hand all of that to whoever can write SQL.
const FunctionSpec kFunctions[] = {
    {"doctor_html", 0, 2, Trust::kDirectOnly, Html,
     "doctor_html([schema TEXT [, migrations TEXT]]) -> TEXT (HTML)",
     "One self-contained HTML page (no external assets, no network) of everything: findings with "
     "their fix SQL to copy, top queries (sortable) with latency histograms and plans, the slow "
     "log, the WAL and its checkpoints, lock waits, index advice with plans before and after, "
     "migrations. Arguments as for doctor_report."},
};

const TableArg kArgs[] = {{"schema", false}, {"mode", false}, {"migrations", false}};

const TableSpec kTables[] = {
    {"doctor_report", nullptr, kArgs, true, Produce,
     "SELECT * FROM doctor_report([schema TEXT [, mode TEXT [, migrations TEXT]]])",
     "Every finding of every area in one place, most severe first: area (timing | wal | locks | "
     "migrations | indexes | schema | sqlite), severity (critical | warn | info), object, "
     "finding, advice, fix_sql. schema defaults to 'main'; mode 'deep' adds PRAGMA "
     "integrity_check; migrations, a migration folder, adds its pending, changed and risky "
     "migrations (each dry-run).",
     kReportColumns},
};

}  // namespace

const Area kReportArea = {"report", kFunctions, kTables, {}, nullptr};

}  // namespace doctor
