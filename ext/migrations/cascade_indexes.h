// Temporary indexes that make a dry run's ON DELETE/UPDATE cascades as cheap as a real
// application's would be once lint's advice is taken: without an index on a foreign key's child
// columns every parent row deleted scans the whole child table, so counting what Drizzle's
// migrator would delete by running it (DROP TABLE of a parent with 2,000 rows, 75,000 child rows)
// took 20 s of CPU. The indexes are created inside the dry run's savepoint and rolled back with
// it; they change no row the cascade reaches, only how fast it finds them.
#ifndef DOCTOR_MIGRATIONS_CASCADE_INDEXES_H_
#define DOCTOR_MIGRATIONS_CASCADE_INDEXES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ext/core/sqlite.h"

namespace doctor::migrations {

// Inside an open savepoint of `db`: an index on the child columns of every foreign key of the
// main schema that no index serves (core ForeignKeysWithoutIndex; named doctor_dry_run_fk_N).
// Returns their names; a table where one cannot be created is left as it is.
absl::StatusOr<std::vector<std::string>> IndexForeignKeysForDryRun(sqlite3* db);

}  // namespace doctor::migrations

#endif  // DOCTOR_MIGRATIONS_CASCADE_INDEXES_H_
