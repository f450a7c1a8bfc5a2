// doctor_known_issues: the known problems of the SQLite library that loaded the extension
// (known_issues.h decides; this reads the version and build).
#include "ext/wal/known_issues.h"
#include "ext/wal/wal_internal.h"

namespace doctor::wal {

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

absl::StatusOr<Rows> KnownIssuesTable(TableCall&) {
  const SqliteBuild build = RunningSqlite();
  Rows rows;
  for (const KnownIssue& k : KnownIssues(build)) {
    rows.push_back({k.issue, k.affected ? 1 : 0, VersionText(build.version_number), k.summary,
                    k.fix, k.url});
  }
  return rows;
}

}  // namespace doctor::wal
