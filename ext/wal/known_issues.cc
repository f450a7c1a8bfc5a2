#include "ext/wal/known_issues.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

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

std::optional<int> VersionNumber(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '.');
  if (parts.size() < 3 || parts.size() > 4) return std::nullopt;
  int n[4] = {0, 0, 0, 0};
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].empty() || parts[i].size() > 3 ||
        parts[i].find_first_not_of("0123456789") != absl::string_view::npos ||
        !absl::SimpleAtoi(parts[i], &n[i])) {
      return std::nullopt;
    }
  }
  if (n[0] < 1 || n[0] > 9) return std::nullopt;
  return n[0] * 1000000 + n[1] * 1000 + n[2];
}

std::vector<KnownIssue> KnownIssues(const SqliteBuild& build) {
  std::optional<bool> no_progress_handler;
  if (build.progress_handler.has_value()) no_progress_handler = !*build.progress_handler;
  // Whose version matters, from the fix (SQLite 3.51.3's walCheckpoint): a checkpoint now
  // compares the WAL's salt after taking read lock 0 with the one it read at its start, and does
  // nothing when a writer reset the WAL in between. Writers reset it as they always did (new
  // salt, nBackfill 0), so the wrong nBackfill is written by an unfixed checkpointing connection
  // only, whatever SQLite the writers run.
  return {
      {"wal_reset_bug", HasWalResetBug(build.version_number),
       "SQLite 3.7.0 to 3.51.2 can corrupt a database in WAL mode when one connection's commit "
       "resets the WAL while another connection starts a checkpoint (the WAL-reset bug: a data "
       "race that needs two or more connections and tight timing). The fix is in the "
       "checkpoint, which now notices the reset: what is at risk is a checkpoint run by an "
       "affected SQLite, whatever SQLite the writers use. A connection checkpoints after its "
       "own commits once the WAL passes wal_autocheckpoint pages (1000 by default), and on "
       "PRAGMA wal_checkpoint or doctor_checkpoint; one that only reads checkpoints only at "
       "close as the last connection, which no other connection can race.",
       "upgrade the SQLite of every process that writes to or checkpoints this database to "
       "3.51.3 or later (on older branches: 3.50.7 or 3.44.6)",
       "https://sqlite.org/wal.html#walresetbug"},
      {"no_progress_handler", no_progress_handler,
       "this SQLite is built without the progress handler (SQLITE_OMIT_PROGRESS_CALLBACK, as "
       "better-sqlite3 does): long statements cannot be stopped through it, only with "
       "sqlite3_interrupt.",
       "give long statements a deadline with sqlite3_interrupt (db.interrupt() where the driver "
       "has it), or use a build with the progress handler",
       "https://sqlite.org/compile.html#omit_progress_callback"},
  };
}

}  // namespace doctor::wal
