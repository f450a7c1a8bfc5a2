#include "ext/wal/known_issues.h"

#include "absl/strings/str_cat.h"

namespace doctor::wal {

bool HasWalResetBug(int v) {
  if (v < 3007000 || v >= 3051003) return false;  // before WAL existed; fixed in 3.51.3
  if (v >= 3044006 && v < 3045000) return false;  // backported to 3.44.6
  if (v >= 3050007 && v < 3051000) return false;  // backported to 3.50.7
  return true;
}

std::string VersionText(int v) {
  return absl::StrCat(v / 1000000, ".", v / 1000 % 1000, ".", v % 1000);
}

std::vector<KnownIssue> KnownIssues(const SqliteBuild& build) {
  return {
      {"wal_reset_bug", HasWalResetBug(build.version_number),
       "SQLite 3.7.0 to 3.51.2 can corrupt a database in WAL mode when one connection's commit "
       "resets the WAL while another connection starts a checkpoint (the WAL-reset bug: a data "
       "race that needs two or more connections and tight timing).",
       "upgrade SQLite to 3.51.3 or later (on older branches: 3.50.7 or 3.44.6)",
       "https://sqlite.org/wal.html#walresetbug"},
      {"no_progress_handler", !build.progress_handler,
       "this SQLite is built without the progress handler (SQLITE_OMIT_PROGRESS_CALLBACK, as "
       "better-sqlite3 does): long statements cannot be stopped through it, only with "
       "sqlite3_interrupt.",
       "give long statements a deadline with sqlite3_interrupt (db.interrupt() where the driver "
       "has it), or use a build with the progress handler",
       "https://sqlite.org/compile.html#omit_progress_callback"},
  };
}

}  // namespace doctor::wal
