// Running the extension's own SQL on a connection. Statements run inside Connection's
// InternalScope, so query timing does not count them. User text only ever enters as a bound
// parameter or through QuoteIdentifier / QuoteLiteral, never pasted.
//
// Example:
//   ASSIGN_OR_RETURN(Rows rows, Query(conn, "SELECT name FROM pragma_table_list WHERE schema = ?",
//                                     {Value(schema)}));
#ifndef DOCTOR_CORE_SQL_H_
#define DOCTOR_CORE_SQL_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ext/core/connection.h"
#include "ext/core/value.h"

namespace doctor {

// All rows of one statement (trailing text after it is an error), with `params` bound 1..n.
absl::StatusOr<Rows> Query(Connection& connection, absl::string_view sql,
                           absl::Span<const Value> params = {});
// Same on a bare sqlite3* (for code that has no Connection, e.g. a sidecar database).
absl::StatusOr<Rows> Query(sqlite3* db, absl::string_view sql, absl::Span<const Value> params = {});
// Runs every statement of `sql` (no parameters); stops at the first error.
absl::Status Exec(Connection& connection, absl::string_view sql);
absl::Status Exec(sqlite3* db, absl::string_view sql);
// Runs SQL the user wrote (a migration's statements, a journal replayed, a script compared) as
// Exec does, except that its names are the user's: an application's own table named like one of
// the extension's (a `query_stats` of page hits) is its to write. Query and Exec refuse SQL whose
// names such a table hides (hidden_names.h): that guards the extension's own SQL.
absl::Status ExecUserSql(Connection& connection, absl::string_view sql);
absl::Status ExecUserSql(sqlite3* db, absl::string_view sql);
// Runs one statement with `params` bound 1..n, for its effect (rows it returns are dropped).
absl::Status ExecOne(Connection& connection, absl::string_view sql,
                     absl::Span<const Value> params);

// The connection's schemas in order: main, temp (listed even before anything created it, as SQL
// can always name it), then the attached ones.
absl::StatusOr<std::vector<std::string>> AttachedSchemas(Connection& connection);
// `wanted` as the connection spells it (schema names are case-insensitive, as in SQL: 'MAIN' is
// main), or a NotFound error naming the attached schemas. Every object taking a schema argument
// resolves it here.
absl::StatusOr<std::string> ResolveSchema(Connection& connection, const std::string& wanted);

// Binds a Value to parameter `index` (1-based).
int BindValue(sqlite3_stmt* stmt, int index, const Value& value);
// Reads column `i` of the current row as a Value.
Value ColumnValue(sqlite3_stmt* stmt, int i);

// "name" with embedded quotes doubled: safe to place in SQL as an identifier.
std::string QuoteIdentifier(absl::string_view name);
// 'text' with embedded quotes doubled: safe to place in SQL as a string literal.
std::string QuoteLiteral(absl::string_view text);
// A value as SQL text that reads back as the same value: an integer as written, a real with the
// digits it needs to round-trip (absl::StrCat keeps 6: 1.2345678 became 1.23457) and ".0" when it
// has no point, infinities as 9e999 / -9e999 (StrCat's "inf" reads as a column name), text
// through QuoteLiteral (as CAST(X'..' AS TEXT) when it holds a NUL byte, which would end the SQL
// text inside the quotes), a blob as X'..', NULL as NULL.
std::string SqlLiteral(const Value& v);
// SQL handed to the user to run (a fix_sql or index_sql column): ends with ';', so that the rows
// of a query, written one after another, are a script the shell runs as it is
// (`sqlite3 app.db "SELECT fix_sql FROM doctor_report" | sqlite3 app.db`). Trailing whitespace
// goes; the ';' goes on a line of its own when the last line holds a `--` comment.
std::string AsScriptStatement(absl::string_view sql);

}  // namespace doctor

#endif  // DOCTOR_CORE_SQL_H_
