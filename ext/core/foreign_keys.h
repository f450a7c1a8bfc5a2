// Foreign keys whose child columns lead no index: the one home for the question every area asks
// (index_lint's fk_without_index, migrate_check's fk_without_index for the keys a migration adds,
// and the temporary indexes of migrate_check's dry run). Without such an index every delete or
// key update of a parent row scans the child table (ON DELETE / ON UPDATE actions, and the
// check that no child row still refers to it).
//
// An index serves a foreign key when its first key columns are the key's child columns, in any
// order, and it is not partial: an index created with CREATE INDEX, or the one behind a UNIQUE or
// PRIMARY KEY constraint (a WITHOUT ROWID table's primary key included). A one-column key on an
// INTEGER PRIMARY KEY column (the rowid) is served too.
//
// Example:
//   CREATE TABLE posts(id INTEGER PRIMARY KEY, user_id INT REFERENCES users ON DELETE CASCADE);
//   ForeignKeysWithoutIndex(db, "main")
//     == {{.table = "posts", .columns = {"user_id"}, .parent = "users",
//          .on_delete = "CASCADE", .on_update = "NO ACTION"}}
#ifndef DOCTOR_CORE_FOREIGN_KEYS_H_
#define DOCTOR_CORE_FOREIGN_KEYS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ext/core/sqlite.h"

namespace doctor {

class Connection;

struct UnindexedForeignKey {
  std::string table;                 // the child table, as the schema spells it
  std::vector<std::string> columns;  // its child columns, in the key's order
  std::string parent;                // the parent table
  std::string on_delete, on_update;  // as pragma_foreign_key_list says: CASCADE, NO ACTION, ...
};

// True when the first columns of `key` (an index's key columns, lower case, "" for an
// expression) are exactly `columns` (lower case) in any order: such an index serves the key.
bool LeadsWithColumns(const std::vector<std::string>& key, const std::vector<std::string>& columns);

// Every foreign key of the ordinary tables of `schema` ("main", an attached name) that no index
// serves, in table order (sqlite_schema's), then key order. Errors name the schema.
absl::StatusOr<std::vector<UnindexedForeignKey>> ForeignKeysWithoutIndex(sqlite3* db,
                                                                         const std::string& schema);
// The same on the caller's connection, as the extension's own statements (timing leaves them out).
absl::StatusOr<std::vector<UnindexedForeignKey>> ForeignKeysWithoutIndex(Connection& connection,
                                                                         const std::string& schema);

// The first foreign key of the ordinary tables of `schema` whose parent table does not exist, as
// "child -> parent"; "" when there is none. With foreign_keys on, SQLite refuses to prepare any
// write of such a child ("no such table: main.parent"): its application runs with them off.
absl::StatusOr<std::string> ForeignKeyToMissingTable(Connection& connection,
                                                     const std::string& schema);

}  // namespace doctor

#endif  // DOCTOR_CORE_FOREIGN_KEYS_H_
