#include "ext/core/sql.h"

#include <cmath>
#include <cstdlib>
#include <optional>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "ext/core/hidden_names.h"
#include "ext/core/status_macros.h"

namespace doctor {
namespace {

absl::Status SqlError(sqlite3* db, int rc, absl::string_view sql) {
  if (rc == SQLITE_NOMEM) return absl::ResourceExhaustedError("out of memory");
  std::string text(sql.substr(0, 80));
  return absl::InternalError(
      absl::StrCat(sqlite3_errmsg(db), " (in: ", text, sql.size() > 80 ? "..." : "", ")"));
}

absl::StatusOr<Rows> RunQuery(sqlite3* db, absl::string_view sql, absl::Span<const Value> params) {
  RETURN_IF_ERROR(CheckNothingHidden(db, sql));
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, &tail);
  if (rc != SQLITE_OK) return SqlError(db, rc, sql);
  if (stmt == nullptr) return Rows{};
  const size_t used = static_cast<size_t>(tail - sql.data());
  if (used < sql.size()) {
    sqlite3_stmt* extra = nullptr;
    rc = sqlite3_prepare_v2(db, tail, static_cast<int>(sql.size() - used), &extra, nullptr);
    sqlite3_finalize(extra);
    if (rc != SQLITE_OK || extra != nullptr) {
      sqlite3_finalize(stmt);
      return absl::InvalidArgumentError("expected one statement, got more");
    }
  }
  Rows rows;
  absl::Status status;
  for (size_t i = 0; i < params.size() && status.ok(); ++i) {
    rc = BindValue(stmt, static_cast<int>(i) + 1, params[i]);
    if (rc != SQLITE_OK) status = SqlError(db, rc, sql);
  }
  while (status.ok() && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    Row row;
    int n = sqlite3_column_count(stmt);
    row.reserve(n);
    for (int i = 0; i < n; ++i) row.push_back(ColumnValue(stmt, i));
    rows.push_back(std::move(row));
  }
  if (status.ok() && rc != SQLITE_DONE) status = SqlError(db, rc, sql);
  sqlite3_finalize(stmt);
  if (!status.ok()) return status;
  return rows;
}

// `own`: the extension's SQL, whose names a table of the examined database must not hide.
absl::Status RunExec(sqlite3* db, absl::string_view sql, bool own = true) {
  if (own) RETURN_IF_ERROR(CheckNothingHidden(db, sql));
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return absl::OkStatus();
  std::string message = error ? error : sqlite3_errstr(rc);
  sqlite3_free(error);
  if (rc == SQLITE_NOMEM) return absl::ResourceExhaustedError("out of memory");
  return absl::InternalError(message);
}

}  // namespace

int BindValue(sqlite3_stmt* stmt, int index, const Value& value) {
  struct Visitor {
    sqlite3_stmt* stmt;
    int index;
    int operator()(std::monostate) const { return sqlite3_bind_null(stmt, index); }
    int operator()(int64_t v) const { return sqlite3_bind_int64(stmt, index, v); }
    int operator()(double v) const { return sqlite3_bind_double(stmt, index, v); }
    int operator()(const std::string& v) const {
      return sqlite3_bind_text64(stmt, index, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
    int operator()(const Blob& v) const {
      return sqlite3_bind_blob64(stmt, index, v.bytes.data(), v.bytes.size(), SQLITE_TRANSIENT);
    }
  };
  return std::visit(Visitor{stmt, index}, value.storage());
}

Value ColumnValue(sqlite3_stmt* stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER:
      return Value(static_cast<int64_t>(sqlite3_column_int64(stmt, i)));
    case SQLITE_FLOAT:
      return Value(sqlite3_column_double(stmt, i));
    case SQLITE_TEXT:
      return Value(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)),
                               sqlite3_column_bytes(stmt, i)));
    case SQLITE_BLOB: {
      const void* p = sqlite3_column_blob(stmt, i);
      return Value(Blob{std::string(p ? static_cast<const char*>(p) : "",
                                    sqlite3_column_bytes(stmt, i))});
    }
    default:
      return Value::Null();
  }
}

absl::StatusOr<Rows> Query(Connection& connection, absl::string_view sql,
                           absl::Span<const Value> params) {
  Connection::InternalScope internal(connection);
  return RunQuery(connection.db(), sql, params);
}

absl::StatusOr<Rows> Query(sqlite3* db, absl::string_view sql, absl::Span<const Value> params) {
  return RunQuery(db, sql, params);
}

absl::Status Exec(Connection& connection, absl::string_view sql) {
  Connection::InternalScope internal(connection);
  return RunExec(connection.db(), sql);
}

absl::Status Exec(sqlite3* db, absl::string_view sql) { return RunExec(db, sql); }

absl::Status ExecUserSql(Connection& connection, absl::string_view sql) {
  Connection::InternalScope internal(connection);
  return RunExec(connection.db(), sql, /*own=*/false);
}

absl::Status ExecUserSql(sqlite3* db, absl::string_view sql) {
  return RunExec(db, sql, /*own=*/false);
}

absl::Status ExecOne(Connection& connection, absl::string_view sql,
                     absl::Span<const Value> params) {
  return Query(connection, sql, params).status();
}

absl::StatusOr<std::vector<std::string>> AttachedSchemas(Connection& connection) {
  ASSIGN_OR_RETURN(Rows rows,
                   Query(connection, "SELECT name FROM pragma_database_list ORDER BY seq"));
  std::vector<std::string> names;
  for (const Row& row : rows) names.push_back(row[0].AsText());
  // temp is listed only once something created it; list it always, so the row count does not
  // depend on whether a temp table was ever made.
  bool has_temp = false;
  for (const std::string& name : names) has_temp |= name == "temp";
  if (!has_temp) names.insert(names.begin() + (names.empty() ? 0 : 1), "temp");
  return names;
}

absl::StatusOr<std::string> ResolveSchema(Connection& connection, const std::string& wanted) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, AttachedSchemas(connection));
  for (const std::string& name : names) {
    if (absl::EqualsIgnoreCase(name, wanted)) return name;
  }
  return absl::NotFoundError(absl::StrCat("unknown schema '", wanted,
                                          "'; attached: ", absl::StrJoin(names, ", ")));
}

std::string QuoteIdentifier(absl::string_view name) {
  return absl::StrCat("\"", absl::StrReplaceAll(name, {{"\"", "\"\""}}), "\"");
}

std::string QuoteLiteral(absl::string_view text) {
  return absl::StrCat("'", absl::StrReplaceAll(text, {{"'", "''"}}), "'");
}

std::string SqlLiteral(const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v.storage())) return absl::StrCat(*i);
  if (const auto* d = std::get_if<double>(&v.storage())) {
    if (std::isnan(*d)) return "NULL";  // SQLite stores none; NaN reads back as NULL
    if (std::isinf(*d)) return *d > 0 ? "9e999" : "-9e999";
    std::string text;
    for (int digits = 15; digits <= 17; ++digits) {
      text = absl::StrFormat("%.*g", digits, *d);
      if (std::strtod(text.c_str(), nullptr) == *d) break;
    }
    if (text.find_first_of(".e") == std::string::npos) text += ".0";  // 2.0 stays a real
    return text;
  }
  if (const auto* s = std::get_if<std::string>(&v.storage())) {
    if (s->find('\0') == std::string::npos) return QuoteLiteral(*s);
    return absl::StrCat("CAST(X'", absl::BytesToHexString(*s), "' AS TEXT)");
  }
  if (const auto* b = std::get_if<Blob>(&v.storage())) {
    return absl::StrCat("X'", absl::BytesToHexString(b->bytes), "'");
  }
  return "NULL";
}

std::string AsScriptStatement(absl::string_view sql) {
  sql = absl::StripTrailingAsciiWhitespace(sql);
  if (sql.empty() || absl::EndsWith(sql, ";")) return std::string(sql);
  const size_t line = sql.rfind('\n');
  const absl::string_view last = line == absl::string_view::npos ? sql : sql.substr(line + 1);
  return absl::StrCat(sql, absl::StrContains(last, "--") ? "\n;" : ";");
}

}  // namespace doctor
