#include "ext/indexes/outside_main.h"

#include <cstdint>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ext/core/sql.h"
#include "ext/core/statement_kind.h"

namespace doctor::indexes {
namespace {

struct Finalize {
  sqlite3_stmt* stmt = nullptr;
  ~Finalize() { sqlite3_finalize(stmt); }
};

// "it reads aux.a, a table of the attached database 'aux' (only main ...)", "it writes tt, a temp
// table (only main is advised)".
std::string Describe(const std::string& schema, const std::string& name, const std::string& type,
                     absl::string_view verb) {
  const std::string what = type == "virtual" ? "virtual table" : type;
  if (absl::EqualsIgnoreCase(schema, "temp")) {
    return absl::StrCat("it ", verb, " ", name, ", a temp ", what, " (only main is advised)");
  }
  return absl::StrCat("it ", verb, " ", schema, ".", name, ", a ", what,
                      " of the attached database '", schema,
                      "' (only main is advised: open that database's file as main to advise it)");
}

// The b-trees the statement opens outside main (EXPLAIN's OpenRead / OpenWrite, whose P3 is the
// database's number): the first one's table, "" when it opens none.
std::string FirstBtreeOutsideMain(Connection& user, const std::string& statement) {
  // EXPLAIN prepares, and a PRAGMA acts when prepared: only what may be advised is looked at.
  const StatementKind kind = KindOfStatement(statement);
  if (!IsAdvisable(kind)) return "";
  // EXPLAIN of a write ends by setting sqlite3_changes() to 0: the caller's last count would be
  // lost (the copy's "no such table" still names an attached or temp table it writes).
  if (IsWrite(kind) && sqlite3_changes64(user.db()) != 0) return "";
  Finalize f;
  const std::string explain = absl::StrCat("EXPLAIN ", statement);
  if (sqlite3_prepare_v2(user.db(), explain.c_str(), -1, &f.stmt, nullptr) != SQLITE_OK ||
      f.stmt == nullptr) {
    return "";
  }
  int64_t db = 0, root = 0;
  bool writes = false;
  while (sqlite3_step(f.stmt) == SQLITE_ROW) {
    const char* op = reinterpret_cast<const char*>(sqlite3_column_text(f.stmt, 1));
    if (op == nullptr) continue;
    const std::string opcode = op;
    if (opcode != "OpenRead" && opcode != "OpenWrite" && opcode != "ReopenIdx") continue;
    const int64_t p3 = sqlite3_column_int64(f.stmt, 4);
    if (p3 == 0) continue;
    if (db == 0) {
      db = p3;
      root = sqlite3_column_int64(f.stmt, 3);
    }
    writes |= p3 == db && opcode == "OpenWrite";
  }
  if (db == 0) return "";
  auto schema = Query(user, "SELECT name FROM pragma_database_list WHERE seq = ?", {Value(db)});
  if (!schema.ok() || schema->empty()) return "";
  const std::string name = (*schema)[0][0].AsText();
  auto table = Query(user, absl::StrCat("SELECT tbl_name FROM ", QuoteIdentifier(name),
                                        ".sqlite_schema WHERE rootpage = ?"),
                     {Value(root)});
  if (!table.ok() || table->empty()) return "";
  return Describe(name, (*table)[0][0].AsText(), "table", writes ? "writes" : "reads");
}

// The object the copy's "no such table: x" names, when the user's connection has it outside
// main (a temp or attached view, a virtual table: no b-tree of theirs shows in EXPLAIN).
std::string NamedOutsideMain(Connection& user, const std::string& copy_error, bool write) {
  constexpr absl::string_view kMissing = "no such table: ";
  if (!absl::StartsWith(copy_error, kMissing)) return "";
  std::string name = copy_error.substr(kMissing.size());
  std::string schema;
  const size_t dot = name.find('.');
  if (dot != std::string::npos) {
    schema = name.substr(0, dot);
    name = name.substr(dot + 1);
  }
  auto rows = Query(user,
                    "SELECT schema, type FROM pragma_table_list WHERE name = ?1 COLLATE NOCASE "
                    "AND schema <> 'main' AND (?2 = '' OR schema = ?2 COLLATE NOCASE) LIMIT 1",
                    {Value(name), Value(schema)});
  if (!rows.ok() || rows->empty()) return "";
  // A write names it without saying whether it writes or reads it (no EXPLAIN told).
  return Describe((*rows)[0][0].AsText(), name, (*rows)[0][1].AsText(), write ? "uses" : "reads");
}

}  // namespace

bool HasObjectsOutsideMain(Connection& user) {
  auto rows = Query(user,
                    "SELECT 1 FROM pragma_table_list WHERE schema <> 'main' AND name NOT LIKE "
                    "'sqlite\\_%' ESCAPE '\\' LIMIT 1");
  return !rows.ok() || !rows->empty();  // unknown: ask for every statement
}

std::string OutsideMainReason(Connection& user, const std::string& statement,
                              const std::string& copy_error) {
  // The application's own statement, prepared (never run) on its connection: not its workload.
  Connection::InternalScope internal(user);
  std::string reason = FirstBtreeOutsideMain(user, statement);
  if (reason.empty() && !copy_error.empty()) {
    reason = NamedOutsideMain(user, copy_error, IsWrite(KindOfStatement(statement)));
  }
  return reason;
}

}  // namespace doctor::indexes
