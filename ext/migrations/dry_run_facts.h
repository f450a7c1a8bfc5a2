// What migrate_check's dry run reads between statements, and small facts it derives from the
// schema and the statements' text: row counts, the table a DML statement writes, a foreign key
// fact's columns (foreign-key violations: violations.h).
#ifndef DOCTOR_MIGRATIONS_DRY_RUN_FACTS_H_
#define DOCTOR_MIGRATIONS_DRY_RUN_FACTS_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ext/core/sqlite.h"
#include "ext/migrations/schema.h"

namespace doctor::migrations {

using Counts = std::map<std::string, int64_t>;  // table (lowercase) -> rows

// The rows of every ordinary table of `main` in `schema`.
absl::StatusOr<Counts> CountRows(sqlite3* c, const std::vector<SchemaObject>& schema);
// Virtual tables and the shadow tables their modules keep (an rtree's r_node, r_parent, r_rowid;
// fts5's f_data, ...), lowercase. Their rows change with the module's bookkeeping, never through
// a foreign key: CountRows leaves them out, so a DELETE FROM an rtree is no "cascade".
absl::StatusOr<std::set<std::string>> ModuleTables(sqlite3* c);
// The schema of `main`, as facts.
absl::StatusOr<std::vector<SchemaObject>> Snapshot(sqlite3* c, FactCache* cache);
// `sql` names `name` (normal form) as a word or quoted identifier.
bool MentionsName(const std::string& sql, const std::string& name);
// The table a DML statement writes directly ("" for anything else, or behind a WITH).
std::string DmlTarget(const std::string& sql);
// PRAGMAs that have no effect inside a transaction (the dry run's savepoint, migrate()'s).
const std::set<std::string>& NoEffectPragmas();
// Columns "a,b" of the foreign key fact "foreign key (a,b) references t(...) ...".
std::string FkColumns(const std::string& fact);

}  // namespace doctor::migrations

#endif  // DOCTOR_MIGRATIONS_DRY_RUN_FACTS_H_
