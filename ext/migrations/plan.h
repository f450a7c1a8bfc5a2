// Deciding what a folder's migrations are relative to the journals (pure, no SQLite): applied,
// pending, changed (the file's checksum differs from what was applied), missing (applied, file
// gone). Pending is decided by content (name and checksum), never by a timestamp watermark: a
// drizzle entry older than the newest applied one is still pending, and flagged out of order.
#ifndef DOCTOR_MIGRATIONS_PLAN_H_
#define DOCTOR_MIGRATIONS_PLAN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ext/core/setting.h"
#include "ext/core/value.h"
#include "ext/migrations/folder.h"

namespace doctor::migrations {

// The name of Drizzle's migrations table: `__drizzle_migrations` unless the project gave
// Drizzle's migrator another (its `migrationsTable` option). Setting `drizzle_table`.
extern Setting kDrizzleTableSetting;
std::string DrizzleTable();

// The latest doctor_migrations row of one name.
struct JournalRow {
  std::string name;
  std::string checksum;
  std::string kind;  // apply | baseline | adopted | revert
  std::string sql;
  std::string source;
  Value applied_at;
  Value duration_ms;
  std::string origin;  // the file it was applied from ("" when given as text)
};

// One __drizzle_migrations row. Drizzle 0.45's table has (id, hash, created_at); Drizzle 1.0's
// adds name (the migration folder's name) and applied_at.
struct DrizzleRow {
  std::string hash;
  std::optional<int64_t> created_at;
  std::optional<std::string> name;  // nullopt: a 0.45 table, or a row its upgrade left unnamed
  Value id;                         // NULL in a 0.45 table (`id SERIAL PRIMARY KEY`)
  Value applied_at;
};

// Where a migration stands (migration_status.status is PlanStatusName).
enum class PlanStatus {
  kApplied,  // journaled, with the file's checksum (or the same text in other line endings)
  kPending,  // not applied yet
  kChanged,  // applied, and the file was edited since
  kMissing,  // applied from this folder, and the file is gone
  kError,    // the file cannot be used (MigrationFile::error)
};
const char* PlanStatusName(PlanStatus status);  // "applied", "pending", ...

struct PlanItem {
  std::string name;
  const MigrationFile* file = nullptr;  // nullptr for kMissing
  PlanStatus status = PlanStatus::kPending;
  std::string checksum;                 // the file's, else the journal's
  Value applied_at;
  Value duration_ms;
  std::string note;
  bool adopt = false;         // applied by Drizzle's migrator only: journal it in doctor_migrations
  bool drizzle_only = false;  // applied per doctor_migrations, absent from __drizzle_migrations
  // kChanged by Drizzle's migrator only: the file was edited after it ran, the text that ran is
  // not known (doctor_migrations has no row of it).
  bool drizzle_edited = false;
  // Folder layout: matched only by a row without a name, which Drizzle 1.0 ignores (it would run
  // the migration again): migrate_dir records a named row.
  bool drizzle_unnamed = false;
  // Pending, but it has no statements (a comment only): kError, which migrate_dir still reaches
  // in order and refuses there ("is empty"), and migrate_baseline journals like a pending one.
  bool empty = false;
  bool pending() const { return status == PlanStatus::kPending || empty; }
};

// Drizzle 1.0's upgrade of a 0.45 table (drizzle-orm up-migrations/sqlite, upToV1) names each
// row after a migration of the folder: the folders whose FolderMillis equals the row's created_at
// truncated to the second; one such folder is the match, several are told apart by hash, none
// falls back to the hash alone. Returns, per row of `drizzle`, the file or nullptr (unmatched).
std::vector<const MigrationFile*> MatchUnnamedRows(const Folder& folder,
                                                   const std::vector<DrizzleRow>& drizzle);

// `journal` holds the latest row per name; `drizzle` every __drizzle_migrations row. A journal
// row is `missing` only when it was applied from a file of this folder that is gone.
// __drizzle_migrations rows stand for a file: drizzle-kit layout, by hash (else by created_at ==
// the journal's `when`: changed); folder-per-migration layout, by name as Drizzle 1.0 decides,
// and rows without a name as MatchUnnamedRows.
std::vector<PlanItem> MakePlan(const Folder& folder, const std::vector<JournalRow>& journal,
                               const std::vector<DrizzleRow>& drizzle);

}  // namespace doctor::migrations

#endif  // DOCTOR_MIGRATIONS_PLAN_H_
