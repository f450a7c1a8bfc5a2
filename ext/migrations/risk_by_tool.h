// What each finding of migrate_check means under each tool that may run the migration: our
// migrate() / migrate_dir, and Drizzle's own migrator (drizzle-orm's migrate(), drizzle-kit
// migrate). They differ on foreign keys: migrate_dir turns them off around its transaction when a
// migration asks for PRAGMA foreign_keys=OFF (drizzle-kit's table rebuilds), while Drizzle's
// migrator runs every migration inside one transaction, where SQLite ignores that PRAGMA, with
// foreign keys on (better-sqlite3's default): there a rebuild's DROP TABLE deletes every child
// row through ON DELETE CASCADE, or fails on a RESTRICT / NO ACTION key.
//
// Example: for a drizzle-kit rebuild of `users` with 4 rows in posts (ON DELETE CASCADE),
//   table_rebuild users | migrate_dir: "rebuilt with foreign keys off ...: no child row deleted"
//                       | drizzle: "deletes 4 row(s) of posts through ON DELETE CASCADE ..."
//   plus a warning row drizzle_cascade posts for teams that keep Drizzle's migrator.
#ifndef DOCTOR_MIGRATIONS_RISK_BY_TOOL_H_
#define DOCTOR_MIGRATIONS_RISK_BY_TOOL_H_

#include <string>
#include <vector>

#include "ext/migrations/check.h"

namespace doctor::migrations {

// Fills `migrate_dir` and `drizzle` of every finding, and appends a finding for what happens only
// under Drizzle's migrator (drizzle_cascade, drizzle_fails). `drizzle`: the findings of a dry run
// as Drizzle's migrator runs it, or nullptr when that is how migrate_dir runs it too.
// `fk_guard`: migrate_dir turns foreign keys off around this migration.
void DescribePerTool(const std::vector<std::string>& statements, bool fk_guard,
                     const std::vector<Finding>* drizzle, std::vector<Finding>* findings);

}  // namespace doctor::migrations

#endif  // DOCTOR_MIGRATIONS_RISK_BY_TOOL_H_
