// Findings of the other areas, read through their SQL tables (the report depends on their SQL
// interface, not their code; a migration folder is read with the migrate area's folder reader).
// An area that is not built in is skipped.
#ifndef DOCTOR_REPORT_AREA_FINDINGS_H_
#define DOCTOR_REPORT_AREA_FINDINGS_H_

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ext/core/connection.h"
#include "ext/report/finding.h"

namespace doctor::report {

// `migrations`: a migration folder to check for pending, changed and risky migrations.
absl::Status AddAreaFindings(Connection& connection, const std::string& schema,
                             const std::optional<std::string>& migrations,
                             std::vector<Finding>& findings);

// The parts, one file each: the captured queries (query_findings.cc), locks and transactions
// (lock_findings.cc) and a migration folder
// (migration_findings.cc).
absl::Status AddQueryFindings(Connection& connection, const std::string& schema,
                              std::vector<Finding>& findings);
// Withholds the CREATE INDEX fix of a finding when, built with the report's other index fixes,
// it makes the captured workload dearer on the advisor's sample (harmful_fixes.cc).
absl::Status WithholdHarmfulIndexFixes(Connection& connection, const std::string& schema,
                                       std::vector<Finding>& findings);
absl::Status AddLockFindings(Connection& connection, const std::string& schema,
                             std::vector<Finding>& findings);
// The known problems of each SQLite seen on the database: this connection's and those of the
// processes that captured its query plans (known_issue_findings.cc).
absl::Status AddKnownIssueFindings(Connection& connection, const std::string& schema,
                                   std::vector<Finding>& findings);
absl::Status AddMigrationFindings(Connection& connection, const std::string& folder,
                                  std::vector<Finding>& findings);
// The indexes schema_drift finds in the database but in no applied migration (lower-case
// names). `checked` is false when drift could not be read (no migration applied yet, or the
// applied ones do not replay): then nothing is known of any index.
struct UnrecordedIndexes {
  bool checked = false;
  std::set<std::string> names;
};
// Objects that differ between the live schema and the folder's applied migrations
// (drift_findings.cc).
absl::Status AddDriftFindings(Connection& connection, const std::string& folder,
                              std::vector<Finding>& findings, UnrecordedIndexes* unrecorded);

// A duplicate or prefix finding of index_lint: its position in the findings, the index it drops
// and the one that stays (index_lint's covered_by).
struct RedundantIndex {
  size_t finding;
  std::string drop, keep;
  bool duplicate;  // the same key; else `drop` is a prefix of `keep`
};
// Of two duplicate indexes, index_lint drops the one with the larger name. With a migration
// folder the report knows better (redundant_index_drift.cc): when the migrations create that one
// and its twin is in no migration, it is the twin that goes (dropping it ends its drift too, and
// its drift finding is left out); an index the migrations create that must go is dropped in a
// new migration, which the advice says.
void KeepWhatTheMigrationsCreate(const std::vector<RedundantIndex>& redundant,
                                 const UnrecordedIndexes& unrecorded,
                                 std::vector<Finding>& findings);

// The file of the schema bound to ?1, as query_stats' `db` column names a database: the rows of
// the database being reported are `db = kFileOfSchemaSql`.
inline constexpr char kFileOfSchemaSql[] =
    "(SELECT file FROM pragma_database_list WHERE name = ?1)";

// A query_stats row's plain SQLITE_BUSY errors (BUSY and BUSY_TIMEOUT: not BUSY_SNAPSHOT, a
// deferred upgrade's) as an SQL expression over its `errors` JSON.
inline constexpr char kPlainBusyErrorsSql[] =
    "coalesce(json_extract(errors, '$.BUSY'), 0) + "
    "coalesce(json_extract(errors, '$.BUSY_TIMEOUT'), 0)";

// A query_stats row's failed runs as an SQL expression over its `errors` JSON: every failure it
// counts is of the SQLITE_BUSY family (BUSY, BUSY_SNAPSHOT, BUSY_RECOVERY, BUSY_TIMEOUT;
// ext/timing/README.md), so this is also its SQLITE_BUSY errors.
inline constexpr char kFailedRunsSql[] = "coalesce((SELECT sum(value) FROM json_each(errors)), 0)";

// True when an area built into this connection declares the table `name` (an area left out of
// the build is skipped, not an error).
bool HasTable(const Connection& connection, const char* name);

// How long a checkpoint that a finding's fix runs may wait. RESTART and TRUNCATE hold the write
// lock while they wait for readers: at 5000 ms, run beside a reader, the fix failed the writes of
// a web process with a 1 s busy timeout (SQLITE_BUSY), so it stays well under the timeouts
// applications use.
inline constexpr int kCheckpointWaitMs = 250;
// "SELECT doctor_checkpoint('TRUNCATE', 'main', 250);": a fix's checkpoint, its wait bounded.
std::string CheckpointFixSql(const char* mode, const std::string& schema);

// "critical" | "warn" | anything else (info), as the areas' status columns say it.
Severity SeverityOf(const std::string& status);

}  // namespace doctor::report

#endif  // DOCTOR_REPORT_AREA_FINDINGS_H_
