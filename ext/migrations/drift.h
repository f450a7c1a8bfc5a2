// schema_drift: the live schema against what the applied migrations produce.
//
// How it works: first the journal's schema hashes (drift_hashes.h): when they prove the live
// schema is what the migrations left, that is the answer (no replay). Otherwise the journal's applied migrations (the latest doctor_migrations row of each name
// that is not reverted, in the order they were applied, with the text that ran) are replayed on
// an empty in-memory database; both schemas are read as normalized facts (schema.h) and
// compared. An object only in the live schema is `extra` (an index created by hand, as index
// advice asks), one only in the replay is `missing` (dropped by hand), one in both with other
// facts is `changed`. Each row carries the SQL of a migration that would record the live state,
// and for an index the line of a Drizzle schema that declares it (so `drizzle-kit generate`
// records it instead of `drizzle-kit push` proposing to drop it).
//
// Example: an index added by hand to the Drizzle fixture app:
//   extra | index | posts_title | index (title collate binary)
//         | CREATE INDEX posts_title ON posts(title);
//         | index('posts_title').on(t.title)
#ifndef DOCTOR_MIGRATIONS_DRIFT_H_
#define DOCTOR_MIGRATIONS_DRIFT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ext/core/sqlite.h"
#include "ext/migrations/drift_hashes.h"
#include "ext/migrations/folder.h"
#include "ext/migrations/plan.h"
#include "ext/migrations/schema.h"

namespace doctor::migrations {

struct Drift {
  std::string drift;    // extra | missing | changed | unreplayable
  std::string type;     // table | index | view | trigger ("" for unreplayable)
  std::string name;
  std::string detail;
  std::string fix_sql;  // a migration recording the live state
  std::string drizzle;  // index: the Drizzle schema line; else ""
  std::string since;    // where the journal's hashes first show a change (drift_hashes.h), or ""
};

// Where a new migration recording the drift goes in `folder`, in its layout: plain and
// drizzle-kit `<path>/NNNN_record_drift.sql` (NNNN one past the last migration's number; a
// drizzle-kit folder also needs the tag in meta/_journal.json), Drizzle 1.0
// `<path>/<YYYYMMDDHHMMSS of now_ms, UTC>_record_drift/migration.sql`.
// Example: NewMigrationPath({kPlain, "/m", files 0001_a, 0002_b}, now) == "/m/0003_record_drift.sql"
std::string NewMigrationPath(const Folder& folder, int64_t now_ms);

// What schema_drift replays: `journal` (doctor_migrations, in apply order) followed by the
// migrations only Drizzle's migrator applied (no doctor_migrations row, in __drizzle_migrations),
// in the folder's order, with their files' text. `plan` is MakePlan's for the folder. A Drizzle-
// applied migration whose file was edited since cannot be replayed (the text that ran is not
// known): its name goes to `edited` (the first one) and the list stops before it.
// Example: a database migrated by drizzle-kit migrate alone has an empty journal and two adopted
// items: the result is their two files, so its tables are not "in no migration".
std::vector<JournalRow> ReplayList(const std::vector<JournalRow>& journal,
                                   const std::vector<PlanItem>& plan, std::string* edited);

// The most the replay's scratch database may hold: the journal's SQL comes from the database
// file, and `INSERT ... WITH RECURSIVE ... zeroblob(...)` in it would otherwise fill the host's
// memory (2 GB from a 150-byte row) until work_timeout_ms. A real schema replays in far less.
inline constexpr int64_t kReplayScratchBytes = int64_t{256} << 20;

// Bounds an empty scratch database for a replay of SQL it cannot trust: no ATTACH, at most
// kReplayScratchBytes of pages, no value over 64 MiB.
void BoundReplayScratch(sqlite3* scratch);

// `live`: the caller's connection (read only); `scratch`: an empty private database for the
// replay (core PrivateDb, so the caller can interrupt it). `journal`: LoadJournal's rows;
// `chain`: LoadHashChain's. When the chain's hashes prove the live schema is what the migrations
// produce, nothing is replayed and there is no row. `replaying`, when given, gets the name of the
// migration whose replay failed (or was stopped), else stays as it is.
absl::StatusOr<std::vector<Drift>> SchemaDrift(sqlite3* live, sqlite3* scratch, FactCache* cache,
                                               const std::vector<JournalRow>& journal,
                                               const std::vector<HashLink>& chain,
                                               std::string* replaying = nullptr);

}  // namespace doctor::migrations

#endif  // DOCTOR_MIGRATIONS_DRIFT_H_
