#include "ext/core/foreign_keys.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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
  ASSIGN_OR_RETURN(const std::vector<MismatchedForeignKey> unusable,
                   MismatchedForeignKeys(db, schema));
  std::set<std::pair<std::string, int64_t>> unusable_keys;  // lower-case table, key id
  for (const MismatchedForeignKey& m : unusable) {
    unusable_keys.insert({absl::AsciiStrToLower(m.key.table), m.key.id});
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
      if (unusable_keys.count({absl::AsciiStrToLower(table), id}) > 0) continue;
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
  // NOT IN a list read once (SQLite builds an index of it), not a NOT EXISTS that read the
  // schema again for each key: that was 1.7 s of CPU on a schema of 3,000 tables with a key
  // each, for every index_advise and index_whatif.
  ASSIGN_OR_RETURN(Rows rows,
                   Query(connection.db(),
                         absl::StrCat("SELECT m.name, f.\"table\" FROM ", s, ".sqlite_schema m, "
                                      "pragma_foreign_key_list(m.name, ?1) f WHERE m.type = "
                                      "'table' AND lower(f.\"table\") NOT IN (SELECT "
                                      "lower(p.name) FROM ", s, ".sqlite_schema p WHERE p.type = "
                                      "'table') LIMIT 1"),
                         {Value(schema)}));
  if (rows.empty()) return std::string();
  return absl::StrCat(rows[0][0].AsText(), " -> ", rows[0][1].AsText());
}

std::string ForeignKeyName(const ForeignKey& key) {
  std::string out = absl::StrCat(key.table, "(", absl::StrJoin(key.columns, ", "), ") -> ",
                                 key.parent);
  if (!key.parent_columns.empty()) {
    absl::StrAppend(&out, "(", absl::StrJoin(key.parent_columns, ", "), ")");
  }
  return out;
}

namespace {

// Keys from rows of (table, id, from, table, to, on_delete, on_update) in key order, each key's
// columns in a run.
std::vector<ForeignKey> KeysOfRows(const Rows& rows) {
  std::vector<ForeignKey> keys;
  for (const Row& r : rows) {
    if (keys.empty() || keys.back().table != r[0].AsText() || keys.back().id != r[1].AsInt()) {
      ForeignKey k;
      k.table = r[0].AsText();
      k.id = r[1].AsInt();
      k.parent = r[3].AsText();
      k.on_delete = r[5].AsText();
      k.on_update = r[6].AsText();
      keys.push_back(std::move(k));
    }
    keys.back().columns.push_back(r[2].AsText());
    if (!r[4].is_null()) keys.back().parent_columns.push_back(r[4].AsText());
  }
  return keys;
}

}  // namespace

absl::StatusOr<std::vector<ForeignKey>> ForeignKeysOf(sqlite3* db, const std::string& schema,
                                                      const std::string& table) {
  ASSIGN_OR_RETURN(Rows rows, Query(db,
                                    "SELECT ?1, id, \"from\", \"table\", \"to\", on_delete, "
                                    "on_update FROM pragma_foreign_key_list(?1, ?2) "
                                    "ORDER BY id, seq",
                                    {Value(table), Value(schema)}));
  return KeysOfRows(rows);
}

absl::StatusOr<std::vector<ForeignKey>> ForeignKeysOf(Connection& connection,
                                                      const std::string& schema,
                                                      const std::string& table) {
  Connection::InternalScope internal(connection);
  return ForeignKeysOf(connection.db(), schema, table);
}

absl::StatusOr<std::vector<ForeignKey>> ForeignKeysOfSchema(sqlite3* db,
                                                            const std::string& schema) {
  // One query for the keys of every table.
  ASSIGN_OR_RETURN(Rows rows, Query(db,
                                    absl::StrCat("SELECT m.name, f.id, f.\"from\", f.\"table\", "
                                                 "f.\"to\", f.on_delete, f.on_update FROM ",
                                                 QuoteIdentifier(schema),
                                                 ".sqlite_schema m, pragma_foreign_key_list("
                                                 "m.name, ?1) f WHERE m.type = 'table' AND "
                                                 "m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                                                 "ORDER BY m.rowid, f.id, f.seq"),
                                    {Value(schema)}));
  return KeysOfRows(rows);
}

absl::StatusOr<std::vector<ForeignKey>> ForeignKeysOfSchema(Connection& connection,
                                                            const std::string& schema) {
  Connection::InternalScope internal(connection);
  return ForeignKeysOfSchema(connection.db(), schema);
}

namespace {

// What sqlite3FkLocateIndex looks at in a parent table.
struct ParentTable {
  std::string kind;  // "table", or "view" / "virtual table" (never a parent); "" when missing
  std::string rowid_alias;  // its INTEGER PRIMARY KEY column, lower case; "" when none
  std::vector<std::string> primary_key;       // lower case, in key order
  std::map<std::string, std::string> collation;  // column (lower case) -> its own collation
  struct UniqueIndex {
    std::string name;
    bool primary_key = false, partial = false;
    std::vector<std::string> columns;     // key columns, lower case ("" for an expression)
    std::vector<std::string> collations;  // of each key column in the index
  };
  std::vector<UniqueIndex> unique;
};

// `kind` and `spelled`: as sqlite_schema has the parent ("" when it has none).
absl::StatusOr<ParentTable> ReadParent(sqlite3* db, const std::string& schema,
                                       const std::string& kind, const std::string& spelled) {
  ParentTable p;
  p.kind = kind;
  if (p.kind != "table") return p;
  ASSIGN_OR_RETURN(Rows columns, Query(db,
                                       "SELECT name, pk, upper(type) FROM pragma_table_xinfo(?1, "
                                       "?2) ORDER BY pk, cid",
                                       {Value(spelled), Value(schema)}));
  std::string integer_key;
  for (const Row& c : columns) {
    const std::string column = c[0].AsText();
    const char* collation = nullptr;
    if (sqlite3_table_column_metadata(db, schema.c_str(), spelled.c_str(), column.c_str(), nullptr,
                                      &collation, nullptr, nullptr, nullptr) != SQLITE_OK) {
      collation = nullptr;
    }
    p.collation[absl::AsciiStrToLower(column)] =
        absl::AsciiStrToUpper(collation != nullptr ? collation : "BINARY");
    if (c[1].AsInt() == 0) continue;
    p.primary_key.push_back(absl::AsciiStrToLower(column));
    if (c[2].AsText() == "INTEGER") integer_key = absl::AsciiStrToLower(column);
  }
  ASSIGN_OR_RETURN(Rows indexes, Query(db,
                                       "SELECT name, origin = 'pk', partial FROM "
                                       "pragma_index_list(?1, ?2) WHERE \"unique\" ORDER BY seq",
                                       {Value(spelled), Value(schema)}));
  bool primary_key_index = false;
  for (const Row& i : indexes) {
    ParentTable::UniqueIndex u;
    u.name = i[0].AsText();
    u.primary_key = i[1].AsInt() != 0;
    u.partial = i[2].AsInt() != 0;
    primary_key_index = primary_key_index || u.primary_key;
    ASSIGN_OR_RETURN(Rows key, Query(db,
                                     "SELECT cid, lower(name), upper(coll) FROM "
                                     "pragma_index_xinfo(?1, ?2) WHERE key ORDER BY seqno",
                                     {Value(u.name), Value(schema)}));
    for (const Row& k : key) {
      u.columns.push_back(k[0].AsInt() < 0 || k[1].is_null() ? "" : k[1].AsText());
      u.collations.push_back(k[2].AsText());
    }
    p.unique.push_back(std::move(u));
  }
  // The one INTEGER PRIMARY KEY column is the rowid, unless the key has an index of its own
  // (WITHOUT ROWID, or INTEGER PRIMARY KEY DESC).
  if (p.primary_key.size() == 1 && !integer_key.empty() && !primary_key_index) {
    p.rowid_alias = integer_key;
  }
  return p;
}

std::string TableColumns(const std::string& table, const std::vector<std::string>& columns) {
  return absl::StrCat(table, "(", absl::StrJoin(columns, ", "), ")");
}

// Why SQLite cannot use `k` (sqlite3FkLocateIndex) and how to fix it; false when it can, or
// its parent is missing.
bool Mismatch(const ForeignKey& k, const ParentTable& p, std::string* why, std::string* fix) {
  if (p.kind.empty()) return false;
  const std::string rebuild = absl::StrCat(" (rebuild ", k.table, ")");
  if (p.kind != "table") {
    *why = absl::StrCat(k.parent, " is a ", p.kind, ": a foreign key's parent must be a table");
    *fix = absl::StrCat("make the key reference a table", rebuild);
    return true;
  }
  const size_t n = k.columns.size();
  const bool implicit = k.parent_columns.empty();
  std::vector<std::string> want, quoted;
  for (const std::string& c : k.parent_columns) {
    want.push_back(absl::AsciiStrToLower(c));
    quoted.push_back(QuoteIdentifier(c));
  }
  if (n == 1 && !p.rowid_alias.empty() && (implicit || want[0] == p.rowid_alias)) return false;
  std::string near;  // a UNIQUE index on these columns that SQLite still cannot use
  for (const ParentTable::UniqueIndex& u : p.unique) {
    if (u.columns.size() != n) continue;
    if (implicit) {
      if (u.primary_key && !u.partial) return false;
      continue;
    }
    bool same_columns = true;
    for (const std::string& c : u.columns) {
      same_columns = same_columns && !c.empty() &&
                     std::find(want.begin(), want.end(), c) != want.end();
    }
    if (!same_columns) continue;
    bool same_collations = true;
    for (size_t i = 0; i < n && same_collations; ++i) {
      auto own = p.collation.find(u.columns[i]);
      if (own == p.collation.end() || own->second == u.collations[i]) continue;
      same_collations = false;
      if (near.empty()) {
        near = absl::StrCat("the UNIQUE index ", u.name, " on ", TableColumns(k.parent, u.columns),
                            " compares ", u.columns[i], " with collation ", u.collations[i],
                            ", the column's own is ", own->second);
      }
    }
    if (u.partial) {
      if (near.empty()) {
        near = absl::StrCat("the UNIQUE index ", u.name, " on ",
                            TableColumns(k.parent, k.parent_columns), " is partial");
      }
      continue;
    }
    if (same_collations) return false;
  }
  if (implicit) {
    *why = p.primary_key.empty()
               ? absl::StrCat(k.parent, " has no PRIMARY KEY, which REFERENCES ", k.parent,
                              " without columns names")
               : absl::StrCat("the PRIMARY KEY of ", k.parent, " has ", p.primary_key.size(),
                              " column(s), the foreign key ", n);
    *fix = absl::StrCat("name the columns it references, REFERENCES ", k.parent,
                        "(column), PRIMARY KEY or UNIQUE columns of ", k.parent, rebuild,
                        ", or give ", k.parent, " a PRIMARY KEY of ", n, " column(s)");
    return true;
  }
  for (size_t i = 0; i < want.size(); ++i) {
    if (p.collation.count(want[i]) == 0) {
      *why = absl::StrCat(k.parent, " has no column ", k.parent_columns[i]);
      *fix = absl::StrCat("make the key reference columns of ", k.parent,
                          " that are its PRIMARY KEY or UNIQUE", rebuild);
      return true;
    }
  }
  *why = !near.empty() ? near
                       : absl::StrCat(TableColumns(k.parent, k.parent_columns),
                                      " is neither the PRIMARY KEY of ", k.parent, " nor UNIQUE");
  *fix = absl::StrCat(
      "make ", TableColumns(k.parent, k.parent_columns), " UNIQUE (CREATE UNIQUE INDEX ",
      QuoteIdentifier(absl::StrCat(k.parent, "_", absl::StrJoin(k.parent_columns, "_"), "_unique")),
      " ON ", QuoteIdentifier(k.parent), "(", absl::StrJoin(quoted, ", "),
      "), once its values are unique), or make the key reference the PRIMARY KEY of ", k.parent,
      rebuild);
  return true;
}

}  // namespace

absl::StatusOr<std::vector<MismatchedForeignKey>> MismatchedForeignKeys(
    sqlite3* db, const std::string& schema, const std::string& table) {
  // Every table and view by name, read once (a pragma_table_list per parent made a schema of
  // 1,000 tables take seconds).
  absl::StatusOr<Rows> objects = Query(
      db, absl::StrCat("SELECT name, CASE WHEN type = 'view' THEN 'view' WHEN rootpage = 0 THEN "
                       "'virtual table' ELSE 'table' END FROM ", QuoteIdentifier(schema),
                       ".sqlite_schema WHERE type IN ('table', 'view') ORDER BY rowid"));
  if (!objects.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read the tables of schema '", schema,
                                                   "': ", objects.status().message()));
  }
  std::map<std::string, std::pair<std::string, std::string>> by_name;  // lower -> kind, name
  for (const Row& r : *objects) {
    by_name[absl::AsciiStrToLower(r[0].AsText())] = {r[1].AsText(), r[0].AsText()};
  }
  std::vector<ForeignKey> keys;
  if (!table.empty()) {
    ASSIGN_OR_RETURN(keys, ForeignKeysOf(db, schema, table));
  } else {
    ASSIGN_OR_RETURN(keys, ForeignKeysOfSchema(db, schema));
  }
  std::map<std::string, ParentTable> parents;  // lower-case name -> what it offers
  std::vector<MismatchedForeignKey> out;
  for (ForeignKey& k : keys) {
    const std::string parent = absl::AsciiStrToLower(k.parent);
    auto it = parents.find(parent);
    if (it == parents.end()) {
      auto known = by_name.find(parent);
      ParentTable p;
      if (known != by_name.end()) {
        ASSIGN_OR_RETURN(p, ReadParent(db, schema, known->second.first, known->second.second));
      }
      it = parents.emplace(parent, std::move(p)).first;
    }
    std::string why, fix;
    if (Mismatch(k, it->second, &why, &fix)) {
      out.push_back(MismatchedForeignKey{std::move(k), std::move(why), std::move(fix)});
    }
  }
  return out;
}

absl::StatusOr<std::vector<MismatchedForeignKey>> MismatchedForeignKeys(Connection& connection,
                                                                        const std::string& schema) {
  Connection::InternalScope internal(connection);
  return MismatchedForeignKeys(connection.db(), schema);
}

}  // namespace doctor
