// doctor_known_issues: the known problems of the SQLite library that loaded the extension
// (known_issues.h decides; this reads the version and build), or with a version argument, of a
// SQLite of that version another process runs (doctor_report asks it for the versions recorded
// beside the application's query plans): its build is not known, so affected is NULL for an
// issue of the build.
#include "absl/strings/str_cat.h"
#include "ext/core/status_macros.h"
#include "ext/core/table_rows.h"
#include "ext/wal/known_issues.h"
#include "ext/wal/wal_columns.h"
#include "ext/wal/wal_internal.h"

namespace doctor::wal {

namespace {

SqliteBuild RunningSqlite() {
  SqliteBuild build;
  build.version_number = sqlite3_libversion_number();
  // better-sqlite3 compiles the progress handler out: its api slot is then empty.
  // Without compile-option diagnostics (OMIT_COMPILEOPTION_DIAGS) that slot is empty too.
  build.progress_handler =
      sqlite3_api->progress_handler != nullptr &&
      (sqlite3_api->compileoption_used == nullptr ||
       sqlite3_compileoption_used("OMIT_PROGRESS_CALLBACK") == 0);
  return build;
}

}  // namespace

absl::StatusOr<Rows> KnownIssuesTable(TableCall& call) {
  SqliteBuild build = RunningSqlite();
  if (!call.args().Missing(0)) {
    ASSIGN_OR_RETURN(const std::string text, call.args().Text(0, "version"));
    const std::optional<int> number = VersionNumber(text);
    if (!number) {
      return absl::InvalidArgumentError(absl::StrCat(
          "version '", text, "' is not a SQLite version such as '3.40.1'"));
    }
    if (*number != build.version_number) build = {*number, std::nullopt};
  }
  RowBuilder rows(kKnownIssuesColumns);
  for (const KnownIssue& k : KnownIssues(build)) {
    rows.NewRow();
    rows.Set("issue", k.issue);
    if (k.affected.has_value()) rows.Set("affected", *k.affected ? 1 : 0);
    rows.Set("sqlite_version", VersionText(build.version_number));
    rows.Set("summary", k.summary);
    rows.Set("fix", k.fix);
    rows.Set("url", k.url);
  }
  return rows.Finish();
}

}  // namespace doctor::wal
