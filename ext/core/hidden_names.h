// Names the extension's own SQL reads that a table or view of the examined database could hide.
//
// SQLite resolves a name in FROM to a table or view of any schema (temp, main, then the attached
// ones) before a table-valued function of that name: SQLite's `pragma_index_list`,
// `pragma_table_xinfo`, `json_each`, ..., and sqlite-doctor's own `index_lint`, `query_stats`,
// ... . A database prepared by someone else with a table named `index_lint(kind, table_name,
// index_name, finding, fix_sql)` would have had doctor_report present its rows as findings, fix
// SQL included; an empty `pragma_table_list` silently dropped the schema findings. So Query and
// Exec on a Connection (sql.h) refuse SQL that names a hidden function, with an error naming the
// table or view, instead of reading it. On a private connection (a scratch copy, a replay of a
// journal's migrations) only SQLite's names are checked: the extension's are not registered there.
//
// Example:
//   RETURN_IF_ERROR(CheckNothingHidden(db, "SELECT * FROM pragma_index_list(?1)"));
//   // "main.pragma_index_list is a table named like SQLite's table-valued function
//   //  pragma_index_list, which sqlite-doctor reads: ..."
//
// How it stays cheap and harmless: the SQL's names are looked at first (most statements name no
// candidate); each candidate is then looked up in each schema by preparing (never stepping) a
// statement with SQLITE_PREPARE_NO_VTAB, which asks the schema SQLite holds in memory: no file is
// read and no lock taken, so a caller inside BEGIN ... COMMIT gets no read transaction on its
// attached databases. sql.h's Query and Exec call it: every statement the extension runs.
#ifndef DOCTOR_CORE_HIDDEN_NAMES_H_
#define DOCTOR_CORE_HIDDEN_NAMES_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "ext/core/sqlite.h"

namespace doctor {

// OK unless `sql` names (bare, as the extension writes them: outside strings, comments and
// quotes, not as a schema) a table-valued function that a table or view of one of db's schemas
// hides; then a FailedPrecondition error naming it. A quoted name is a user's identifier the
// extension pasted (QuoteIdentifier), and SQL the user wrote runs through ExecUserSql unchecked.
// EXPLAIN is not checked: planning the application's own SQL reads no rows.
absl::Status CheckNothingHidden(sqlite3* db, absl::string_view sql);

}  // namespace doctor

#endif  // DOCTOR_CORE_HIDDEN_NAMES_H_
