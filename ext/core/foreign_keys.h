// Foreign keys, the one home for what every area asks of them: which keys SQLite cannot use
// (MismatchedForeignKeys, below: migrate's violation checks and migrate_check's fk_mismatch), and
// which keys' child columns lead no index (index_lint's fk_without_index, migrate_check's
// fk_without_index for the keys a migration adds, and the temporary indexes of migrate_check's
// dry run). Without such an index every delete or
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

#include <cstdint>
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
// serves, in table order (sqlite_schema's), then key order, but those SQLite cannot use
// (MismatchedForeignKeys, below): no index makes such a key usable, so none is advised for it
// (index_lint, migrate_check, doctor_report and the dry run's cascade indexes ask here). Errors
// name the schema.
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

// A foreign key as pragma_foreign_key_list declares it.
struct ForeignKey {
  std::string table;                        // the child table, as the schema spells it
  int64_t id = 0;                           // pragma_foreign_key_list's id
  std::vector<std::string> columns;         // its child columns, in the key's order
  std::string parent;                       // the parent table, as the key names it
  std::vector<std::string> parent_columns;  // as the key names them; empty: the primary key
  std::string on_delete, on_update;         // as pragma_foreign_key_list says: CASCADE, ...
};

// "posts(author_email) -> users(email)"; "posts(user_id) -> users" for a key to the primary key.
std::string ForeignKeyName(const ForeignKey& key);

// A foreign key SQLite cannot use: no PRIMARY KEY or UNIQUE index of its parent is exactly its
// parent columns (with the columns' own collations, not partial), or they do not exist, or the
// parent is a view. SQLite lets such a key be created; then PRAGMA foreign_key_check fails for
// its table ("foreign key mismatch - "posts" referencing "users""), and with foreign_keys on so
// does every INSERT into the child and every DELETE or key UPDATE of the parent. A parent table
// that does not exist is no mismatch: foreign_key_check reports each child row as a violation.
// The test is SQLite's own (sqlite3FkLocateIndex in fkey.c), on what the pragmas show.
//
// Example:
//   CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT);
//   CREATE TABLE posts(id INTEGER PRIMARY KEY, author TEXT REFERENCES users(email));
//   MismatchedForeignKeys(db, "main")
//     == {{.key = {.table = "posts", .columns = {"author"}, .parent = "users",
//                  .parent_columns = {"email"}},
//          .why = "users(email) is neither the PRIMARY KEY of users nor UNIQUE",
//          .fix = "make users(email) UNIQUE (CREATE UNIQUE INDEX ...), or ..."}}
struct MismatchedForeignKey {
  ForeignKey key;
  std::string why;  // what SQLite does not find in the parent
  std::string fix;  // what to change, as a sentence that follows "To fix it, "
};

// The keys of `table` (every ordinary table of `schema` when empty, in sqlite_schema's order)
// that SQLite cannot use. Errors name the schema.
absl::StatusOr<std::vector<MismatchedForeignKey>> MismatchedForeignKeys(
    sqlite3* db, const std::string& schema, const std::string& table = "");
// The same on the caller's connection, as the extension's own statements (timing leaves them out).
absl::StatusOr<std::vector<MismatchedForeignKey>> MismatchedForeignKeys(Connection& connection,
                                                                        const std::string& schema);

// Every foreign key of `table`, in key order: the one reader of pragma_foreign_key_list for a
// table (index_lint, doctor_report, MismatchedForeignKeys).
absl::StatusOr<std::vector<ForeignKey>> ForeignKeysOf(sqlite3* db, const std::string& schema,
                                                      const std::string& table);
// The same on the caller's connection, as the extension's own statements (timing leaves them out).
absl::StatusOr<std::vector<ForeignKey>> ForeignKeysOf(Connection& connection,
                                                      const std::string& schema,
                                                      const std::string& table);

// Every foreign key of every ordinary table of `schema`, in table order (sqlite_schema's), then
// key order: one query (a schema of thousands of tables is read at once).
absl::StatusOr<std::vector<ForeignKey>> ForeignKeysOfSchema(sqlite3* db, const std::string& schema);
// The same on the caller's connection, as the extension's own statements (timing leaves them out).
absl::StatusOr<std::vector<ForeignKey>> ForeignKeysOfSchema(Connection& connection,
                                                            const std::string& schema);

}  // namespace doctor

#endif  // DOCTOR_CORE_FOREIGN_KEYS_H_
