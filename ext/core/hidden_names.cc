#include "ext/core/hidden_names.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ext/core/area.h"
#include "ext/core/connection.h"
#include "ext/core/sql.h"
#include "ext/core/sql_normalize.h"
#include "ext/core/status_macros.h"

namespace doctor {
namespace {

// SQLite's eponymous table-valued functions that the extension's SQL reads, besides pragma_*.
constexpr const char* kSqliteFunctions[] = {"json_each", "json_tree"};

bool IsSqliteFunction(const std::string& lower) {
  if (absl::StartsWith(lower, "pragma_")) return true;
  for (const char* name : kSqliteFunctions) {
    if (lower == name) return true;
  }
  return false;
}

// `c` may be null: a private connection, where the extension's tables are not registered.
bool IsOwnTable(const Connection* c, const std::string& lower) {
  if (c == nullptr) return false;
  for (const Area* area : c->areas()) {
    for (const TableSpec& t : area->tables) {
      if (lower == t.name) return true;
    }
  }
  return false;
}

// The candidate names `sql` reads, lower-cased. A name before '.' is a schema's (or an alias's),
// and EXPLAIN reads nothing (query_plan.h plans the application's own SQL, whatever its names).
std::vector<std::string> NamedCandidates(const Connection* c, absl::string_view sql) {
  std::vector<Token> tokens;
  for (const Token& t : TokenizeSql(sql)) {
    if (t.kind != TokenKind::kSpace && t.kind != TokenKind::kComment) tokens.push_back(t);
  }
  std::vector<std::string> named;
  if (!tokens.empty() && absl::EqualsIgnoreCase(tokens[0].text, "EXPLAIN")) return named;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    // The extension names these bare; a user's name it pastes is always quoted (QuoteIdentifier):
    // a table the user named so is theirs to read.
    if (t.kind != TokenKind::kWord) continue;
    if (i + 1 < tokens.size() && tokens[i + 1].text == ".") continue;
    std::string lower = absl::AsciiStrToLower(t.text);
    if (!IsSqliteFunction(lower) && !IsOwnTable(c, lower)) continue;
    if (std::find(named.begin(), named.end(), lower) == named.end()) named.push_back(lower);
  }
  return named;
}

// Whether `schema` (empty: any schema, as SQLite resolves an unqualified name) holds a table,
// view or virtual table named `name` (an eponymous one is in no schema). It asks the schema SQLite
// already holds in memory: preparing a statement reads no file and takes no lock (PRAGMA
// table_list, or a read of sqlite_schema, would begin a read transaction on every attached
// database of a caller inside BEGIN ... COMMIT).
absl::StatusOr<bool> HoldsName(sqlite3* db, const std::string& schema, const std::string& name) {
  const std::string qualified = schema.empty() ? name : absl::StrCat(schema, ".", name);
  const std::string sql = absl::StrCat(
      "SELECT 1 FROM ", schema.empty() ? "" : absl::StrCat(QuoteIdentifier(schema), "."),
      QuoteIdentifier(name));
  sqlite3_stmt* stmt = nullptr;
  // NO_VTAB: without a table of that name the prepare fails instead of finding the function.
  const int rc = sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_NO_VTAB, &stmt, nullptr);
  sqlite3_finalize(stmt);
  if (rc == SQLITE_OK) return true;
  if (rc == SQLITE_NOMEM) return absl::ResourceExhaustedError("out of memory");
  // Anything but "no such table" (a virtual table refused by NO_VTAB, a view that does not
  // compile) is something by that name.
  return !absl::EqualsIgnoreCase(sqlite3_errmsg(db), absl::StrCat("no such table: ", qualified));
}

absl::Status Refusal(sqlite3* db, const std::string& schema, const std::string& name) {
  // table_column_metadata finds tables and virtual tables, not views.
  const bool table = sqlite3_table_column_metadata(db, schema.c_str(), name.c_str(), nullptr,
                                                   nullptr, nullptr, nullptr, nullptr,
                                                   nullptr) == SQLITE_OK;
  const char* type = table ? "table" : "view";
  const std::string what = IsSqliteFunction(name)
                               ? absl::StrCat("SQLite's table-valued function ", name)
                               : absl::StrCat("sqlite-doctor's table ", name);
  return absl::FailedPreconditionError(absl::StrCat(
      schema, ".", name, " is a ", type, " named like ", what, ": SQLite resolves the name to the ",
      type, " first, so sqlite-doctor would read its rows as its own; rename the ", type,
      table ? " (ALTER TABLE RENAME TO)" : " (DROP VIEW and CREATE VIEW)",
      " to examine this database"));
}

}  // namespace

absl::Status CheckNothingHidden(sqlite3* db, absl::string_view sql) {
  const std::vector<std::string> named = NamedCandidates(Connection::Find(db), sql);
  for (const std::string& name : named) {
    ASSIGN_OR_RETURN(bool anywhere, HoldsName(db, "", name));
    if (!anywhere) continue;
    // Which schema, for the error.
    ASSIGN_OR_RETURN(Rows schemas, Query(db, "PRAGMA database_list"));  // takes no lock either
    for (const Row& s : schemas) {
      const std::string schema = s[1].AsText();
      ASSIGN_OR_RETURN(bool holds, HoldsName(db, schema, name));
      if (holds) return Refusal(db, schema, name);
    }
    return Refusal(db, "main", name);
  }
  return absl::OkStatus();
}

}  // namespace doctor
