// Known problems of the SQLite library in use, decided from its version number and build: the
// facts behind doctor_known_issues. Pure: no SQLite calls (the glue passes what it read).
//
// Example:
//   for (const KnownIssue& k : KnownIssues({3040001, /*progress_handler=*/true}))
//     if (k.affected) ...   // wal_reset_bug: SQLite 3.40.1 is affected
#ifndef DOCTOR_WAL_KNOWN_ISSUES_H_
#define DOCTOR_WAL_KNOWN_ISSUES_H_

#include <string>
#include <vector>

namespace doctor::wal {

// What is known about the running SQLite.
struct SqliteBuild {
  int version_number = 0;         // sqlite3_libversion_number(), e.g. 3040001
  bool progress_handler = true;   // sqlite3_progress_handler exists (not OMIT_PROGRESS_CALLBACK)
};

struct KnownIssue {
  const char* issue;    // stable id: wal_reset_bug, no_progress_handler
  bool affected;        // the running SQLite has it
  const char* summary;  // what goes wrong
  const char* fix;      // what to upgrade to, or do
  const char* url;      // where it is documented
};

// Every issue doctor knows of, affected or not, in a fixed order.
std::vector<KnownIssue> KnownIssues(const SqliteBuild& build);

// The WAL-reset bug (sqlite.org/wal.html#walresetbug): SQLite 3.7.0 to 3.51.2, fixed in 3.51.3
// and backported to 3.44.6 and 3.50.7.
bool HasWalResetBug(int version_number);

// "3.40.1" from 3040001.
std::string VersionText(int version_number);

}  // namespace doctor::wal

#endif  // DOCTOR_WAL_KNOWN_ISSUES_H_
