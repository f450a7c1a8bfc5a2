#include "ext/migrations/violations.h"

#include <atomic>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"

namespace doctor::migrations {
namespace {

std::atomic<int64_t> violation_checks{0};

bool IsMismatch(const absl::Status& s) {
  return absl::StrContains(s.message(), "foreign key mismatch");
}

bool Unchecked(const std::vector<MismatchedForeignKey>& unchecked, const ForeignKey& k) {
  for (const MismatchedForeignKey& m : unchecked) {
    if (m.key.table == k.table && m.key.id == k.id) return true;
  }
  return false;
}

// `what` of the rows of `k`'s child that violate it: no NULL in their key and no parent row
// whose columns equal it. `+child.x` has no affinity, so the comparison gives the child value
// the parent column's affinity and compares with the parent column's collation, as SQLite's
// lookup in the parent's index does (a key SQLite can use has an index with those collations).
absl::StatusOr<std::string> RowsViolatingSql(sqlite3* c, const ForeignKey& k,
                                             const std::string& what) {
  std::vector<std::string> parent_columns = k.parent_columns;
  ASSIGN_OR_RETURN(Rows parent, Query(c,
                                      "SELECT name FROM main.sqlite_schema WHERE type = 'table' "
                                      "AND name = ?1 COLLATE NOCASE",
                                      {Value(k.parent)}));
  if (!parent.empty() && parent_columns.empty()) {
    ASSIGN_OR_RETURN(Rows pk, Query(c,
                                    "SELECT name FROM pragma_table_info(?1, 'main') WHERE pk > 0 "
                                    "ORDER BY pk",
                                    {Value(parent[0][0].AsText())}));
    for (const Row& r : pk) parent_columns.push_back(r[0].AsText());
  }
  if (!parent.empty() && parent_columns.size() != k.columns.size()) {
    return absl::InternalError(absl::StrCat("the foreign key ", ForeignKeyName(k),
                                            " does not match its parent's primary key"));
  }
  std::vector<std::string> not_null, equal;
  for (size_t i = 0; i < k.columns.size(); ++i) {
    const std::string child = absl::StrCat("\"child\".", QuoteIdentifier(k.columns[i]));
    not_null.push_back(absl::StrCat(child, " IS NOT NULL"));
    if (!parent.empty()) {
      equal.push_back(absl::StrCat("\"parent\".", QuoteIdentifier(parent_columns[i]), " = +",
                                   child));
    }
  }
  std::string sql = absl::StrCat("SELECT ", what, " FROM main.", QuoteIdentifier(k.table),
                                 " AS \"child\" WHERE ", absl::StrJoin(not_null, " AND "));
  if (!parent.empty()) {  // a missing parent: every such row violates, as SQLite reports it
    absl::StrAppend(&sql, " AND NOT EXISTS (SELECT 1 FROM main.",
                    QuoteIdentifier(parent[0][0].AsText()), " AS \"parent\" WHERE ",
                    absl::StrJoin(equal, " AND "), ")");
  }
  return sql;
}

// One child table with PRAGMA foreign_key_check(table); when SQLite cannot check it, its keys
// one by one.
absl::Status CheckTable(sqlite3* c, const std::string& table, ForeignKeyCheck* out) {
  absl::StatusOr<Rows> rows = Query(c,
                                    "SELECT parent, count(*) FROM pragma_foreign_key_check(?1, "
                                    "'main') GROUP BY 1",
                                    {Value(table)});
  if (rows.ok()) {
    for (const Row& r : *rows) out->counts[{table, r[0].AsText()}] += r[1].AsInt();
    return absl::OkStatus();
  }
  if (!IsMismatch(rows.status())) return rows.status();
  ASSIGN_OR_RETURN(std::vector<MismatchedForeignKey> mismatched,
                   MismatchedForeignKeys(c, "main", table));
  ASSIGN_OR_RETURN(std::vector<ForeignKey> keys, ForeignKeysOf(c, "main", table));
  if (mismatched.empty()) {
    // SQLite sees a mismatch that MismatchedForeignKeys does not: none of the table's keys is
    // checked rather than one unchecked silently.
    for (const ForeignKey& k : keys) {
      out->unchecked.push_back(MismatchedForeignKey{
          k, absl::StrCat("SQLite says: ", rows.status().message()),
          absl::StrCat("make every foreign key of ", table, " reference PRIMARY KEY or UNIQUE "
                       "columns of its parent (rebuild ", table, ")")});
    }
    return absl::OkStatus();
  }
  for (const ForeignKey& k : keys) {
    if (Unchecked(mismatched, k)) continue;
    ASSIGN_OR_RETURN(std::string sql, RowsViolatingSql(c, k, "count(*)"));
    ASSIGN_OR_RETURN(Rows n, Query(c, sql));
    if (!n.empty() && n[0][0].AsInt() > 0) out->counts[{table, k.parent}] += n[0][0].AsInt();
  }
  for (MismatchedForeignKey& m : mismatched) out->unchecked.push_back(std::move(m));
  return absl::OkStatus();
}

}  // namespace

int64_t ViolationChecksRun() { return violation_checks.load(std::memory_order_relaxed); }

absl::StatusOr<ForeignKeyCheck> CheckForeignKeys(sqlite3* c) {
  violation_checks.fetch_add(1, std::memory_order_relaxed);
  ForeignKeyCheck out;
  absl::StatusOr<Rows> rows = Query(c, "SELECT \"table\", parent, count(*) "
                                       "FROM pragma_foreign_key_check GROUP BY 1, 2");
  if (rows.ok()) {
    for (const Row& r : *rows) out.counts[{r[0].AsText(), r[1].AsText()}] = r[2].AsInt();
    return out;
  }
  if (!IsMismatch(rows.status())) return rows.status();
  ASSIGN_OR_RETURN(Rows tables, Query(c,
                                      "SELECT name FROM main.sqlite_schema WHERE type = 'table' "
                                      "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid"));
  for (const Row& t : tables) RETURN_IF_ERROR(CheckTable(c, t[0].AsText(), &out));
  return out;
}

std::string ViolationName(const std::pair<std::string, std::string>& child_parent) {
  return absl::StrCat(child_parent.first, " -> ", child_parent.second);
}

absl::StatusOr<std::vector<Value>> ViolatingRows(sqlite3* c, const std::string& child,
                                                 const std::string& parent, int64_t limit) {
  std::vector<Value> out;
  absl::StatusOr<Rows> rows = Query(c,
                                    "SELECT rowid FROM pragma_foreign_key_check(?1, 'main') "
                                    "WHERE parent = ?2 LIMIT ?3",
                                    {Value(child), Value(parent), Value(limit)});
  if (rows.ok()) {
    for (const Row& r : *rows) out.push_back(r[0]);
    return out;
  }
  if (!IsMismatch(rows.status())) return rows.status();
  ASSIGN_OR_RETURN(std::vector<MismatchedForeignKey> mismatched,
                   MismatchedForeignKeys(c, "main", child));
  ASSIGN_OR_RETURN(std::vector<ForeignKey> keys, ForeignKeysOf(c, "main", child));
  ASSIGN_OR_RETURN(Rows without_rowid, Query(c,
                                             "SELECT wr FROM pragma_table_list WHERE schema = "
                                             "'main' AND name = ?1",
                                             {Value(child)}));
  const bool rowid = without_rowid.empty() || without_rowid[0][0].AsInt() == 0;
  for (const ForeignKey& k : keys) {
    if (k.parent != parent || Unchecked(mismatched, k)) continue;
    if (static_cast<int64_t>(out.size()) >= limit) break;
    ASSIGN_OR_RETURN(std::string sql, RowsViolatingSql(c, k, rowid ? "\"child\".rowid" : "NULL"));
    ASSIGN_OR_RETURN(Rows r, Query(c, absl::StrCat(sql, " LIMIT ?1"),
                                   {Value(limit - static_cast<int64_t>(out.size()))}));
    for (const Row& row : r) out.push_back(row[0]);
  }
  return out;
}

std::string MismatchConsequences(const MismatchedForeignKey& m) {
  const ForeignKey& k = m.key;
  return absl::StrCat(
      "(", m.why, "): SQLite cannot use this foreign key, so PRAGMA foreign_key_check fails on ",
      k.table, " (\"foreign key mismatch\") and the rows of this key are not checked for "
      "violations (other foreign keys still are); with foreign_keys on, every INSERT into ",
      k.table, " and every DELETE or key UPDATE of ", k.parent, " fails the same way. To fix it, ",
      m.fix);
}

}  // namespace doctor::migrations
