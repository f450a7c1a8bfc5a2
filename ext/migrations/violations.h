// Foreign-key violations: the one home for reading them (migrate()'s guard in apply.cc, the dry
// run's state before and after in dry_run.cc).
//
// How it works: PRAGMA foreign_key_check for the whole database first. It fails with "foreign
// key mismatch" when one key anywhere is a key SQLite cannot use (core MismatchedForeignKeys:
// its parent columns are no PRIMARY KEY or UNIQUE index; SQLite lets it be created). Then each
// child table is checked on its own (PRAGMA foreign_key_check(table)); in a table that has such
// a key, its other keys are counted by a query of their own, SQLite's test in SQL (a child row
// with no NULL in its key and no parent row whose columns equal the key values, each taking the
// parent column's affinity and collation, as the parent index's lookup does), and the keys SQLite
// cannot use are returned as `unchecked`: their rows cannot be checked, and are not counted.
#ifndef DOCTOR_MIGRATIONS_VIOLATIONS_H_
#define DOCTOR_MIGRATIONS_VIOLATIONS_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "ext/core/foreign_keys.h"
#include "ext/core/sqlite.h"
#include "ext/core/value.h"

namespace doctor::migrations {

// (child table, parent table) -> violating rows, as PRAGMA foreign_key_check names them. Bounded
// by the schema, however many rows violate.
using ViolationCounts = std::map<std::pair<std::string, std::string>, int64_t>;

struct ForeignKeyCheck {
  ViolationCounts counts;  // of every key that could be checked
  std::vector<MismatchedForeignKey> unchecked;  // keys SQLite cannot use: their rows not counted
};

// The foreign-key violations of `main`. It reads the whole database.
absl::StatusOr<ForeignKeyCheck> CheckForeignKeys(sqlite3* c);
// How many times CheckForeignKeys has run in this process (tests count the whole-database reads).
int64_t ViolationChecksRun();
// "child -> parent", as findings and errors name a foreign key's violations.
std::string ViolationName(const std::pair<std::string, std::string>& child_parent);
// The rowids (NULL for a WITHOUT ROWID table) of up to `limit` rows of `child` that violate one
// of its keys to `parent` (as CheckForeignKeys counted them).
absl::StatusOr<std::vector<Value>> ViolatingRows(sqlite3* c, const std::string& child,
                                                 const std::string& parent, int64_t limit);
// What a key SQLite cannot use means and how to fix it, after its name: "(why): ...".
std::string MismatchConsequences(const MismatchedForeignKey& k);

}  // namespace doctor::migrations

#endif  // DOCTOR_MIGRATIONS_VIOLATIONS_H_
