#include "ext/indexes/scratch_schema.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/sql.h"
#include "ext/core/sql_normalize.h"
#include "ext/core/status_macros.h"

namespace doctor::indexes {
namespace {

std::string CreateSql(const std::vector<SchemaObject>& objects, const std::string& type,
                      const std::string& name) {
  std::string sql;
  for (const SchemaObject& o : objects) {
    if (o.type == type && absl::EqualsIgnoreCase(o.name, name)) sql = o.sql;
  }
  return sql;
}

// The table's CREATE TABLE text declares AUTOINCREMENT: its inserts read sqlite_sequence.
bool HasAutoincrement(const std::string& create) {
  for (const Token& t : TokenizeSql(create)) {
    if (t.kind == TokenKind::kWord && absl::EqualsIgnoreCase(t.text, "AUTOINCREMENT")) return true;
  }
  return false;
}

absl::Status ReadColumns(Connection& user, TableInfo* t) {
  ASSIGN_OR_RETURN(Rows cols, Query(user,
                                    "SELECT name, pk, hidden, type FROM pragma_table_xinfo(?, "
                                    "'main') ORDER BY cid",
                                    {Value(t->name)}));
  int pk_count = 0;
  std::string pk_type;
  for (const Row& c : cols) {
    ColumnInfo col;
    col.name = c[0].AsText();
    col.pk = static_cast<int>(c[1].AsInt());
    const int hidden = static_cast<int>(c[2].AsInt());
    if (hidden == 1) {  // a virtual table's hidden column
      t->hidden.push_back(col.name);
      continue;
    }
    col.generated = hidden >= 2;
    if (col.pk > 0) {
      ++pk_count;
      pk_type = c[3].AsText();
    }
    const char* coll = nullptr;
    if (!t->is_virtual &&
        sqlite3_table_column_metadata(user.db(), "main", t->name.c_str(), col.name.c_str(),
                                      nullptr, &coll, nullptr, nullptr, nullptr) == SQLITE_OK &&
        coll != nullptr && !absl::EqualsIgnoreCase(coll, "BINARY")) {
      col.collation = coll;
    }
    t->columns.push_back(std::move(col));
  }
  t->integer_pk = !t->without_rowid && pk_count == 1 && absl::EqualsIgnoreCase(pk_type, "INTEGER");
  return absl::OkStatus();
}

absl::StatusOr<IndexDef> ReadIndex(Connection& user, const TableInfo& t, const Row& listed,
                                   const std::vector<SchemaObject>& objects) {
  const std::string name = listed[0].AsText();
  ASSIGN_OR_RETURN(Rows parts, Query(user,
                                     "SELECT cid, name, desc, coll FROM "
                                     "pragma_index_xinfo(?, 'main') WHERE key ORDER BY seqno",
                                     {Value(name)}));
  std::vector<XinfoKeyColumn> key;
  for (const Row& p : parts) {
    XinfoKeyColumn c{static_cast<int>(p[0].AsInt()), p[1].AsText(), p[2].AsInt() != 0,
                     p[3].AsText(), ""};
    const int ci = t.Column(c.name);
    if (c.cid != -2 && ci >= 0) c.declared_collation = t.columns[ci].collation;
    key.push_back(std::move(c));
  }
  // Its CREATE INDEX text: a partial index's WHERE, an expression's text.
  std::string create_sql;
  for (const SchemaObject& o : objects) {
    if (o.type == "index" && o.name == name) create_sql = o.sql;
  }
  return ExistingIndex(t.name, name, listed[1].AsInt() != 0, key, create_sql);
}

}  // namespace

absl::StatusOr<std::vector<SchemaObject>> ReadSchemaObjects(Connection& user) {
  ASSIGN_OR_RETURN(Rows rows, Query(user,
                                    "SELECT type, name, tbl_name, sql FROM main.sqlite_schema "
                                    "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' "
                                    "ESCAPE '\\' ORDER BY rowid"));
  std::vector<SchemaObject> out;
  for (const Row& r : rows) {
    out.push_back({r[0].AsText(), r[1].AsText(), r[2].AsText(), r[3].AsText()});
  }
  return out;
}

absl::StatusOr<std::vector<TableInfo>> ReadTables(Connection& user,
                                                  const std::vector<SchemaObject>& objects,
                                                  const std::set<std::string>* only,
                                                  std::vector<LeftOutTable>* left_out) {
  ASSIGN_OR_RETURN(Rows list, Query(user,
                                    "SELECT name, type, wr FROM pragma_table_list "
                                    "WHERE schema = 'main' AND type IN ('table', 'virtual') "
                                    "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"));
  std::vector<TableInfo> tables;
  for (const Row& row : list) {
    TableInfo t;
    t.name = row[0].AsText();
    t.is_virtual = row[1].AsText() == "virtual";
    if (only != nullptr && only->count(absl::AsciiStrToLower(t.name)) == 0) {
      if (left_out != nullptr) {
        LeftOutTable out{t.name, t.is_virtual};
        out.autoincrement = !t.is_virtual && HasAutoincrement(CreateSql(objects, "table", t.name));
        left_out->push_back(std::move(out));
      }
      continue;
    }
    t.without_rowid = row[2].AsInt() != 0;  // SQLite's word, not a search of the CREATE text
    absl::Status columns = ReadColumns(user, &t);
    // A virtual table whose module this process has not loaded (a vec0 table of sqlite-vec, fts5
    // in a SQLite built without it) cannot be read here, nor used by any statement: it is left
    // out instead of failing the advice, the lint and the report over a table nothing can use.
    if (t.is_virtual && absl::StrContains(columns.message(), "no such module")) continue;
    RETURN_IF_ERROR(columns);
    ASSIGN_OR_RETURN(Rows idx, Query(user,
                                     "SELECT name, \"unique\", partial FROM "
                                     "pragma_index_list(?, 'main') ORDER BY name",
                                     {Value(t.name)}));
    for (const Row& i : idx) {
      ASSIGN_OR_RETURN(IndexDef d, ReadIndex(user, t, i, objects));
      t.indexes.push_back(std::move(d));
    }
    tables.push_back(std::move(t));
  }
  return tables;
}

absl::Status CreateTable(sqlite3* db, const TableInfo& t,
                         const std::vector<SchemaObject>& objects) {
  const std::string create = CreateSql(objects, "table", t.name);
  if (!create.empty() && sqlite3_exec(db, create.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK) {
    return absl::OkStatus();
  }
  std::vector<std::string> names;
  for (const ColumnInfo& c : t.columns) names.push_back(QuoteIdentifier(c.name));
  return Exec(db, absl::StrCat("CREATE TABLE ", QuoteIdentifier(t.name), "(",
                               absl::StrJoin(names, ", "), ")"));
}

void CreateDependentObjects(sqlite3* db, const std::vector<SchemaObject>& objects,
                            const std::set<std::string>* only) {
  for (const char* type : {"index", "view", "trigger"}) {
    for (const SchemaObject& o : objects) {
      if (o.type != type) continue;
      if (only != nullptr &&
          only->count(absl::AsciiStrToLower(o.type == "view" ? o.name : o.table)) == 0) {
        continue;
      }
      sqlite3_exec(db, o.sql.c_str(), nullptr, nullptr, nullptr);
    }
  }
}

}  // namespace doctor::indexes
