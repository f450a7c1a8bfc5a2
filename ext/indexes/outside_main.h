// Statements the advisor cannot advise because they use a table outside `main`: the scratch copy
// (scratch.h) holds main's schema and rows only, so a statement that reads a table of an attached
// database or a temp table either does not prepare there ("no such table: aux.a") or, when a temp
// table shadows a main one of the same name, would be measured on the wrong table. Such a
// statement is skipped and named (index_advise's `limits`), never a reason to fail the workload.
//
// Example:
//   std::string why = OutsideMainReason(scratch.caller(), "SELECT * FROM aux.a WHERE x = 1");
//   // "it reads aux.a, a table of the attached database 'aux'"
#ifndef DOCTOR_INDEXES_OUTSIDE_MAIN_H_
#define DOCTOR_INDEXES_OUTSIDE_MAIN_H_

#include <string>

#include "ext/core/connection.h"

namespace doctor::indexes {

// Whether the user's connection has any table or view outside main (temp or attached): only then
// can a statement use one, and only then is OutsideMainReason worth asking for every statement.
bool HasObjectsOutsideMain(Connection& user);

// Why `statement` (one statement) uses something outside main on the user's connection ("it reads
// aux.a, a table of the attached database 'aux'", "it writes tt, a temp table"); "" when it uses
// main only or does not prepare there. `copy_error`, the copy's error for it when it did not
// prepare there, names a temp or attached view the statement's b-trees do not show.
std::string OutsideMainReason(Connection& user, const std::string& statement,
                              const std::string& copy_error = "");

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_OUTSIDE_MAIN_H_
