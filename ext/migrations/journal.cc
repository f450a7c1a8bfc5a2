#include "ext/migrations/journal.h"

#include "absl/strings/str_cat.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"
#include "ext/migrations/drizzle_table.h"

namespace doctor::migrations {
namespace {

constexpr char kJournalDdl[] =
    "CREATE TABLE IF NOT EXISTS doctor_migrations(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  checksum TEXT NOT NULL,      -- sha256 hex of the migration text\n"
    "  applied_at TEXT NOT NULL,    -- ISO-8601 UTC\n"
    "  duration_ms REAL,\n"
    "  statements INTEGER,\n"
    "  schema_before TEXT,          -- schema_hash() before\n"
    "  schema_after TEXT,           -- schema_hash() after\n"
    "  sql TEXT,                    -- the text that ran\n"
    "  source TEXT NOT NULL,        -- sql | dir | drizzle\n"
    "  kind TEXT NOT NULL DEFAULT 'apply',  -- apply | baseline | adopted | revert\n"
    "  origin TEXT                  -- the file it came from\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS doctor_migrations_name ON doctor_migrations(name, id);";

}  // namespace

absl::Status EnsureJournal(Connection& c) { return Exec(c, kJournalDdl); }

absl::StatusOr<bool> JournalTableExists(Connection& c, const std::string& name) {
  // SQLite matches names case-insensitively: a view __Drizzle_Migrations is what a read of
  // __drizzle_migrations would run.
  ASSIGN_OR_RETURN(Rows r, Query(c,
                                 "SELECT name, type FROM pragma_table_list "
                                 "WHERE schema = 'main' AND name = ?1 COLLATE NOCASE",
                                 {Value(name)}));
  if (r.empty()) return false;
  const std::string type = r[0][1].AsText();
  if (type == "table") return true;
  return absl::FailedPreconditionError(absl::StrCat(
      "main.", r[0][0].AsText(), " is a ", type == "virtual" ? "virtual table" : type,
      ", not a table: a migration journal must be a table (it is read and written as one); "
      "rename or drop it"));
}

absl::StatusOr<std::vector<JournalRow>> LoadJournal(Connection& c) {
  ASSIGN_OR_RETURN(bool exists, JournalTableExists(c, "doctor_migrations"));
  std::vector<JournalRow> out;
  if (!exists) return out;
  ASSIGN_OR_RETURN(Rows rows, Query(c,
                                    "SELECT name, checksum, kind, sql, source, applied_at, duration_ms, origin "
                                    "FROM doctor_migrations WHERE id IN "
                                    "(SELECT max(id) FROM doctor_migrations GROUP BY name) ORDER BY id"));
  for (const Row& r : rows) {
    out.push_back(JournalRow{r[0].AsText(), r[1].AsText(), r[2].AsText(), r[3].AsText(),
                             r[4].AsText(), r[5], r[6], r[7].AsText()});
  }
  return out;
}

absl::Status JournalOnly(Connection& c, const Folder& folder, const MigrationFile& f,
                         const std::string& source, const std::string& kind,
                         const std::string& schema, bool drizzle_row) {
  RETURN_IF_ERROR(EnsureJournal(c));
  ASSIGN_OR_RETURN(Rows inserted,
                   Query(c,
                         "INSERT INTO doctor_migrations(name, checksum, applied_at, duration_ms, "
                         "statements, schema_before, schema_after, sql, source, kind, origin) "
                         "VALUES(?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NULL, 0, ?3, ?3, "
                         "?4, ?5, ?6, ?7) RETURNING applied_at",
                         {Value(f.name), Value(f.checksum), Value(schema), Value(f.text),
                          Value(source), Value(kind), Value(f.path)}));
  if (drizzle_row) {
    RETURN_IF_ERROR(EnsureDrizzleTable(c, folder));
    DrizzleEntry e = DrizzleEntryOf(folder, f);
    if (!inserted.empty()) e.applied_at = inserted[0][0];
    RETURN_IF_ERROR(InsertDrizzleRow(c, e));
  }
  return absl::OkStatus();
}

}  // namespace doctor::migrations
