// The checks a database expert makes on a schema, beyond the four areas: foreign keys that are
// not enforced, not indexed or that SQLite cannot use, primary keys, statistics, free space, and
// (deep) integrity.
#ifndef DOCTOR_REPORT_SCHEMA_CHECKS_H_
#define DOCTOR_REPORT_SCHEMA_CHECKS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ext/core/connection.h"
#include "ext/report/finding.h"

namespace doctor::report {

// True when the index's leading columns are the child columns of one of the table's foreign
// keys: dropping it would make every delete in the parent scan the table.
absl::StatusOr<bool> IndexServesForeignKey(Connection& connection, const std::string& schema,
                                           const std::string& table, const std::string& index);

// Findings for one attached schema ("main", "temp", or an ATTACH name). `deep` adds
// PRAGMA integrity_check, which reads the whole file.
absl::StatusOr<std::vector<Finding>> CheckSchema(Connection& connection, const std::string& schema,
                                                 bool deep);

// True when `schema` has sqlite_stat1 (the planner then uses statistics; without them, the
// report's fixes end with ANALYZE).
absl::StatusOr<bool> HasStatistics(Connection& connection, const std::string& schema);

// Ends `findings` (sorted, index fixes merged) with the ANALYZE that the indexes their fixes
// create need on a database without statistics: else the report after running the fixes asks
// for it ("no statistics (sqlite_stat1) for 2 indexes"), and the fixes take two rounds. On a
// database with statistics, each CREATE INDEX fix ends with the ANALYZE of its index instead.
absl::Status AnalyzeAfterIndexFixes(Connection& connection, const std::string& schema,
                                    std::vector<Finding>& findings);

// Adds to each CREATE INDEX fix (index fixes merged) the DROP INDEX of the existing indexes of
// `schema` whose key it extends (index_fixes.h, PrefixesOfIndexFixes), so that one run of the
// fixes leaves index_lint no prefix to report. `migrations`: a folder was given, whose migrations
// may create the index dropped (the advice says to drop it in a new migration then).
absl::Status DropPrefixesOfIndexFixes(Connection& connection, const std::string& schema,
                                      bool migrations, std::vector<Finding>& findings);

}  // namespace doctor::report

#endif  // DOCTOR_REPORT_SCHEMA_CHECKS_H_
