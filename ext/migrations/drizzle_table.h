// __drizzle_migrations, kept the way Drizzle's own SQLite migrators keep it, so that a project can
// switch between Drizzle's migrator and migrate_dir in either direction. The table is the one the
// setting drizzle_table names (DrizzleTable(), plan.h): Drizzle's `migrationsTable` option.
//
// Two formats, chosen by the folder's layout:
//   drizzle-kit folders (meta/_journal.json), Drizzle 0.45's migrator:
//     CREATE TABLE "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL,
//                                          created_at numeric)
//     rows (hash, created_at): id stays NULL (SERIAL is no INTEGER PRIMARY KEY in SQLite).
//   folder-per-migration (<timestamp>_<name>/migration.sql), Drizzle 1.0's migrator:
//     CREATE TABLE "__drizzle_migrations" (id INTEGER PRIMARY KEY, hash text NOT NULL,
//                                          created_at numeric, name text, applied_at TEXT)
//     rows (hash, created_at, name, applied_at): hash = sha256 hex of migration.sql, created_at
//     = FolderMillis(folder name), name = the folder's name, applied_at = the time it ran as
//     JavaScript's toISOString() ("2026-01-31T12:00:00.123Z"). Drizzle 1.0 decides pending by
//     name alone. A 0.45 table met with this layout is upgraded as Drizzle 1.0 does it (ALTER
//     TABLE ADD COLUMN name, applied_at; names backfilled by MatchUnnamedRows, applied_at NULL).
#ifndef DOCTOR_MIGRATIONS_DRIZZLE_TABLE_H_
#define DOCTOR_MIGRATIONS_DRIZZLE_TABLE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ext/core/connection.h"
#include "ext/core/value.h"
#include "ext/migrations/folder.h"
#include "ext/migrations/plan.h"

namespace doctor::migrations {

// The exact DDL each Drizzle version runs for a table of that name (whitespace included:
// sqlite_schema keeps it; the name quoted as Drizzle's sql.identifier quotes it).
std::string DrizzleTableDdl(absl::string_view table);    // 0.45, drizzle-kit folders
std::string DrizzleV1TableDdl(absl::string_view table);  // 1.0, folder per migration

// Every row (empty when the table does not exist), in id order; name and applied_at stay unset
// for a 0.45 table.
absl::StatusOr<std::vector<DrizzleRow>> LoadDrizzle(Connection& c);

// Creates the table in the format of the folder's layout when it is missing. For the
// folder-per-migration layout, upgrades a 0.45 table exactly as Drizzle 1.0's migrator does; like
// Drizzle it refuses (changing nothing) when a row matches no migration of the folder.
// Call inside the run's transaction.
absl::Status EnsureDrizzleTable(Connection& c, const Folder& folder);

// One row to record. `name` set: Drizzle 1.0's four columns (folder layout), else 0.45's two.
struct DrizzleEntry {
  std::string hash;
  std::optional<int64_t> created_at;
  std::optional<std::string> name;
  Value applied_at;  // text to record; NULL means now
};
absl::Status InsertDrizzleRow(Connection& c, const DrizzleEntry& e);

// The entry Drizzle's migrator would record for a file of the folder.
DrizzleEntry DrizzleEntryOf(const Folder& folder, const MigrationFile& f);

}  // namespace doctor::migrations

#endif  // DOCTOR_MIGRATIONS_DRIZZLE_TABLE_H_
