// Known problems of the SQLite library in use, decided from its version number and build: the
// facts behind doctor_known_issues. Pure: no SQLite calls (the glue passes what it read).
//
// Example:
//   for (const KnownIssue& k : KnownIssues({3040001, /*progress_handler=*/true}))
//     if (k.affected == true) ...   // wal_reset_bug: SQLite 3.40.1 is affected
#ifndef DOCTOR_WAL_KNOWN_ISSUES_H_
#define DOCTOR_WAL_KNOWN_ISSUES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace doctor::wal {

// What is known about a SQLite: the running one's version and build, or only the version of one
// another process ran (recorded beside its query plans): then its build is not known.
struct SqliteBuild {
  int version_number = 0;                      // sqlite3_libversion_number(), e.g. 3040001
  std::optional<bool> progress_handler = true;  // sqlite3_progress_handler exists (not
                                                // OMIT_PROGRESS_CALLBACK); nullopt: not known
};

struct KnownIssue {
  const char* issue;              // stable id: wal_reset_bug, no_progress_handler
  std::optional<bool> affected;   // that SQLite has it; nullopt when its build is not known
  const char* summary;            // what goes wrong
  const char* fix;                // what to upgrade to, or do
  const char* url;                // where it is documented
};

// Every issue doctor knows of, affected or not, in a fixed order.
std::vector<KnownIssue> KnownIssues(const SqliteBuild& build);

// The WAL-reset bug (sqlite.org/wal.html#walresetbug): SQLite 3.7.0 to 3.51.2, fixed in 3.51.3
// and backported to 3.44.6 and 3.50.7.
bool HasWalResetBug(int version_number);

// "3.40.1" from 3040001.
std::string VersionText(int version_number);
// 3040001 from "3.40.1", as sqlite3_libversion() spells it (a fourth part, as in 3.8.10.2, is a
// patch release of the third and is left out); nullopt for any other text.
std::optional<int> VersionNumber(absl::string_view text);

}  // namespace doctor::wal

#endif  // DOCTOR_WAL_KNOWN_ISSUES_H_
