// Whether a statement's own text calls a function at top level, decided from the core tokenizer.
// Pure C++, no SQLite.
//
// Why: SQLite 3.40 lets CHECK constraints (and, depending on version and trusted_schema, other
// schema placements) call SQLITE_DIRECTONLY functions. function.cc therefore refuses a
// DIRECTONLY call unless a running statement calls the function itself; a call that no running
// statement makes comes from the schema (a CHECK, DEFAULT, generated column, view, trigger, index
// expression or partial-index WHERE). A word grep of the text is not enough: a table named
// `doctor_set`, `INSERT INTO doctor_set(x) ...`, a string literal or a comment mentioning the name
// would open the door to a planted schema.
//
// The rule: a word or quoted-name token equal to `name` (any case) followed by `(` is a call,
// unless it stands where a name is not a call:
//   - after INTO, TABLE, VIEW, INDEX, TRIGGER, ON, REFERENCES, FROM, JOIN, UPDATE or `.`
//     (a table, or `schema.table(...)`; `JOIN t ON f(...)` is refused too, on the safe side);
//   - a CTE name: `name(cols) AS (`, `AS MATERIALIZED (`, `AS NOT MATERIALIZED (`;
//   - anywhere in a CREATE statement, except the SELECT of CREATE TABLE ... AS SELECT (the only
//     CREATE that runs expressions as it is executed).
// String literals, comments and everything after the statement's first `;` never count.
//
// Example:
//   CallsAtTopLevel("SELECT doctor_set('timing', 'on')", "doctor_set") == true
//   CallsAtTopLevel("INSERT INTO doctor_set(x) VALUES (1)", "doctor_set") == false
//   CallsAtTopLevel("INSERT INTO notes VALUES ('doctor_set(1)')", "doctor_set") == false
#ifndef DOCTOR_CORE_TOP_LEVEL_CALL_H_
#define DOCTOR_CORE_TOP_LEVEL_CALL_H_

#include "absl/strings/string_view.h"

namespace doctor {

bool CallsAtTopLevel(absl::string_view sql, absl::string_view name);

}  // namespace doctor

#endif  // DOCTOR_CORE_TOP_LEVEL_CALL_H_
