#include "ext/core/foreign_keys.h"

#include <map>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ext/core/connection.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"

namespace doctor {
namespace {

using Columns = std::vector<std::string>;  // lower case

// The leading key columns of every non-partial index of `table` (lower case), and the rowid
// alias column ("" when there is none) as a one-column key.
absl::StatusOr<std::vector<Columns>> IndexKeys(sqlite3* db, const std::string& schema,
                                               const std::string& table) {
  ASSIGN_OR_RETURN(Rows rows, Query(db,
                                    "SELECT l.seq, lower(i.name) FROM pragma_index_list(?1, ?2) l, "
                                    "pragma_index_info(l.name, ?2) i WHERE NOT l.partial "
                                    "ORDER BY l.seq, i.seqno",
                                    {Value(table), Value(schema)}));
  std::map<int64_t, Columns> by_index;
  for (const Row& r : rows) by_index[r[0].AsInt()].push_back(r[1].is_null() ? "" : r[1].AsText());
  std::vector<Columns> out;
  for (auto& [seq, cols] : by_index) out.push_back(std::move(cols));
  // An INTEGER PRIMARY KEY column (the only primary key column) is the rowid.
  ASSIGN_OR_RETURN(Rows pk, Query(db,
                                  "SELECT lower(name), upper(type) FROM pragma_table_info(?1, ?2) "
                                  "WHERE pk > 0",
                                  {Value(table), Value(schema)}));
  if (pk.size() == 1 && pk[0][1].AsText() == "INTEGER") out.push_back({pk[0][0].AsText()});
  return out;
}

}  // namespace

bool LeadsWithColumns(const std::vector<std::string>& key, const std::vector<std::string>& columns) {
  if (key.size() < columns.size()) return false;
  std::set<std::string> lead(key.begin(), key.begin() + columns.size());
  return lead.size() == columns.size() && lead == std::set<std::string>(columns.begin(), columns.end());
}

absl::StatusOr<std::vector<UnindexedForeignKey>> ForeignKeysWithoutIndex(
    sqlite3* db, const std::string& schema) {
  absl::StatusOr<Rows> tables = Query(
      db, absl::StrCat("SELECT name FROM ", QuoteIdentifier(schema), ".sqlite_schema WHERE type = "
                       "'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid"));
  if (!tables.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read the tables of schema '", schema,
                                                   "': ", tables.status().message()));
  }
  std::vector<UnindexedForeignKey> out;
  for (const Row& t : *tables) {
    const std::string table = t[0].AsText();
    ASSIGN_OR_RETURN(Rows fks, Query(db,
                                     "SELECT id, \"from\", \"table\", on_delete, on_update FROM "
                                     "pragma_foreign_key_list(?1, ?2) ORDER BY id, seq",
                                     {Value(table), Value(schema)}));
    if (fks.empty()) continue;
    std::map<int64_t, UnindexedForeignKey> keys;
    for (const Row& r : fks) {
      UnindexedForeignKey& k = keys[r[0].AsInt()];
      k.table = table;
      k.columns.push_back(r[1].AsText());
      k.parent = r[2].AsText();
      k.on_delete = r[3].AsText();
      k.on_update = r[4].AsText();
    }
    ASSIGN_OR_RETURN(std::vector<Columns> indexed, IndexKeys(db, schema, table));
    for (auto& [id, k] : keys) {
      Columns want;
      for (const std::string& c : k.columns) want.push_back(absl::AsciiStrToLower(c));
      bool served = false;
      for (const Columns& key : indexed) served = served || LeadsWithColumns(key, want);
      if (!served) out.push_back(std::move(k));
    }
  }
  return out;
}

absl::StatusOr<std::vector<UnindexedForeignKey>> ForeignKeysWithoutIndex(Connection& connection,
                                                                         const std::string& schema) {
  Connection::InternalScope internal(connection);
  return ForeignKeysWithoutIndex(connection.db(), schema);
}

absl::StatusOr<std::string> ForeignKeyToMissingTable(Connection& connection,
                                                     const std::string& schema) {
  Connection::InternalScope internal(connection);
  const std::string s = QuoteIdentifier(schema);
  ASSIGN_OR_RETURN(Rows rows,
                   Query(connection.db(),
                         absl::StrCat("SELECT m.name, f.\"table\" FROM ", s, ".sqlite_schema m, "
                                      "pragma_foreign_key_list(m.name, ?1) f WHERE m.type = 'table' "
                                      "AND NOT EXISTS (SELECT 1 FROM ", s, ".sqlite_schema p WHERE "
                                      "p.type = 'table' AND lower(p.name) = lower(f.\"table\")) "
                                      "LIMIT 1"),
                         {Value(schema)}));
  if (rows.empty()) return std::string();
  return absl::StrCat(rows[0][0].AsText(), " -> ", rows[0][1].AsText());
}

}  // namespace doctor
