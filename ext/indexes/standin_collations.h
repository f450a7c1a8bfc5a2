// The application's own collations on the advisor's private connections (the scratch copy and the
// constraint probe's mirror).
//
// A COLLATE name the application registers on its connection (`s TEXT COLLATE rev`) is unknown to
// a private connection. The copy's CREATE TABLE then failed and fell back to the columns' names
// alone (every column BINARY), and the mirror declared such a column BINARY: `s GLOB ?` on a
// `COLLATE rev` column was advised `t(s)`, an index in rev order that SQLite never uses for a
// GLOB (its range needs a BINARY index: `t(s COLLATE BINARY)`), measured on a copy where it did.
// With a stand-in of each such name, registered when SQLite first asks for it, the copy and the
// mirror keep the declared collation: plans and candidates follow it as on the user's
// connection; the stand-in orders and compares bytes as BINARY does, so costs are counted in
// that order (the application's comparison function cannot be called from here).
//
// Example:
//   UseStandInCollations(scratch_db);  // before its CREATE TABLE statements
#ifndef DOCTOR_INDEXES_STANDIN_COLLATIONS_H_
#define DOCTOR_INDEXES_STANDIN_COLLATIONS_H_

#include "ext/core/sqlite.h"

namespace doctor::indexes {

// On `db`, any collation it is asked for and does not have gets a BINARY-ordered stand-in.
void UseStandInCollations(sqlite3* db);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_STANDIN_COLLATIONS_H_
