// doctor_migrations, the journal of what ran: its DDL, reading it, and journaling a migration
// without running it (migrate_baseline, or adopting what Drizzle's migrator applied).
#ifndef DOCTOR_MIGRATIONS_JOURNAL_H_
#define DOCTOR_MIGRATIONS_JOURNAL_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ext/core/connection.h"
#include "ext/migrations/folder.h"
#include "ext/migrations/plan.h"

namespace doctor::migrations {

// CREATE TABLE / INDEX IF NOT EXISTS of doctor_migrations.
absl::Status EnsureJournal(Connection& c);

// Whether main has the journal table `name` (doctor_migrations, or Drizzle's). Anything else by
// that name is an error naming it: a view (a database prepared by someone else could make it a
// recursive CTE that never ends, and reading the journal would run it), a virtual table.
absl::StatusOr<bool> JournalTableExists(Connection& c, const std::string& name);

// The journal as the planner wants it: the latest row per name (empty when the table does not
// exist); __drizzle_migrations is read by LoadDrizzle (drizzle_table.h).
absl::StatusOr<std::vector<JournalRow>> LoadJournal(Connection& c);

// Journals `f` without running it, with `kind` baseline (marked applied) or adopted (Drizzle's
// migrator applied it), and schema_before = schema_after = `schema`. `drizzle_row`: also record
// it in Drizzle's table.
absl::Status JournalOnly(Connection& c, const Folder& folder, const MigrationFile& f,
                         const std::string& source, const std::string& kind,
                         const std::string& schema, bool drizzle_row);

}  // namespace doctor::migrations

#endif  // DOCTOR_MIGRATIONS_JOURNAL_H_
