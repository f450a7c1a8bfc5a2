// Schema step of the scratch copy: reads the user's tables (columns, collations, primary key,
// existing indexes) and creates them on the copy; indexes, views and triggers are created after
// the sample rows (so triggers do not fire while copying).
#ifndef DOCTOR_INDEXES_SCRATCH_SCHEMA_H_
#define DOCTOR_INDEXES_SCRATCH_SCHEMA_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ext/core/connection.h"
#include "ext/indexes/scratch.h"

namespace doctor::indexes {

// One row of the user's sqlite_schema (objects with SQL text, internal ones left out).
struct SchemaObject {
  std::string type, name, table, sql;
};

absl::StatusOr<std::vector<SchemaObject>> ReadSchemaObjects(Connection& user);

// Every table of the user's main schema (virtual ones included), sorted by name, with its
// columns and existing indexes; with `only` (lower-case names), those among them, and the others
// go to `left_out` (by name, rows not counted). Row counts are left for the sample step.
absl::StatusOr<std::vector<TableInfo>> ReadTables(Connection& user,
                                                  const std::vector<SchemaObject>& objects,
                                                  const std::set<std::string>* only = nullptr,
                                                  std::vector<LeftOutTable>* left_out = nullptr);

// Creates `t` on `db` with its CREATE TABLE text; a table that cannot be created there (a
// virtual table's module or an application collation missing) becomes a plain table with the
// same columns.
absl::Status CreateTable(sqlite3* db, const TableInfo& t,
                         const std::vector<SchemaObject>& objects);

// Creates the indexes, views and triggers that can be created on `db` (those that need the
// application's own functions are left out); with `only` (lower-case names of the tables and
// views copied), the views among them and the indexes and triggers on them.
void CreateDependentObjects(sqlite3* db, const std::vector<SchemaObject>& objects,
                            const std::set<std::string>* only = nullptr);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_SCRATCH_SCHEMA_H_
