// Scope step of the scratch copy (scratch.h): which of the user's tables a job's copy holds.
// Creating a table on the copy costs time in proportion to the tables already there (SQLite's
// schema change clears every table's foreign-key trigger cache), so a copy of the whole schema
// took time quadratic in its tables: 0.6 s of a 1 s index_advise of two statements on one table
// of a 3,000-table schema. A job's copy holds the tables its statements can reach instead:
//
//   - the tables and views the statements name (every name, quoted name or string of their
//     tokens that is one: an over-approximation), and what a view or a virtual table's
//     arguments name (fts5's content table), and the table of an index they name;
//   - for a table or view that may be written (every one the statements name, and those that
//     triggers and foreign-key actions write): what its triggers name (taken as written too),
//     its foreign-key parents (an insert looks its parent row up) and children (a delete looks
//     for child rows), and through a CASCADE / SET NULL / SET DEFAULT action the children's
//     own, as far as the actions go. A table only read needs neither: its triggers do not fire
//     and its keys are not checked (the copy still has its triggers: HasTriggers).
//
// A statement that names sqlite_schema, sqlite_sequence, dbstat or a pragma function reads the
// schema or its b-trees themselves: its job copies the whole schema, as does lint (no workload).
// What is measured does not depend on the scope: the sample's share of each table is computed
// over every table's rows, and the index names stay unique over the whole schema (Namer). When a
// statement still does not prepare for want of a table left out, the job copies the whole schema
// (Scratch::Build): never worse than before.
//
// Example:
//   CREATE TABLE a(id INTEGER PRIMARY KEY); CREATE TABLE b(a_id REFERENCES a); CREATE TABLE c(x);
//   ScopeOf(objects, keys, {"DELETE FROM a WHERE id = 1"}).names == {"a", "b"}
#ifndef DOCTOR_INDEXES_SCRATCH_SCOPE_H_
#define DOCTOR_INDEXES_SCRATCH_SCOPE_H_

#include <set>
#include <string>
#include <vector>

#include "ext/core/foreign_keys.h"
#include "ext/indexes/scratch_schema.h"

namespace doctor::indexes {

struct CopyScope {
  bool whole = false;           // copy every table
  std::string why_whole;        // for the trace: "names sqlite_schema"
  std::set<std::string> names;  // lower-case names of the tables and views to copy
};

// The scope of a job whose statements are `texts` (each one or more statements), over the
// user's schema `objects` (ReadSchemaObjects) and foreign keys `keys` (core
// ForeignKeysOfSchema). Pure: no SQLite.
CopyScope ScopeOf(const std::vector<SchemaObject>& objects, const std::vector<ForeignKey>& keys,
                  const std::vector<std::string>& texts);

// The lower-case names that `text`'s tokens spell (words, quoted names and strings, unquoted):
// a superset of the relations it names.
std::set<std::string> NamesIn(const std::string& text);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_SCRATCH_SCOPE_H_
