#include "ext/indexes/scratch_partners.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/sql.h"
#include "ext/core/time.h"
#include "ext/indexes/scratch_sample.h"

namespace doctor::indexes {
namespace {

int TableIndex(const std::vector<TableInfo>& tables, const std::string& name) {
  for (size_t i = 0; i < tables.size(); ++i) {
    if (absl::EqualsIgnoreCase(tables[i].name, name)) return static_cast<int>(i);
  }
  return -1;
}

// The tables a statement names (by name or alias), the table a column reference is of, and the
// equalities its USING and NATURAL joins stand for.
class Resolver {
 public:
  Resolver(const StatementJoins& st, const std::vector<TableInfo>& tables) : tables_(tables) {
    for (const std::string& w : st.words) {
      const int t = TableIndex(tables, w);
      if (t >= 0) present_.insert(t);
    }
    for (const auto& [word, alias] : st.aliases) {
      const int t = TableIndex(tables, word);
      if (t >= 0) aliases_[absl::AsciiStrToLower(alias)] = t;
    }
  }

  // The table an alias or a name stands for, -1 when none.
  int TableNamed(const std::string& qualifier) const {
    auto it = aliases_.find(absl::AsciiStrToLower(qualifier));
    return it != aliases_.end() ? it->second : TableIndex(tables_, qualifier);
  }

  int TableOf(const ColumnRef& r) const {
    if (!r.qualifier.empty()) {
      const int t = TableNamed(r.qualifier);
      return t >= 0 && tables_[t].Column(r.column) >= 0 ? t : -1;
    }
    int found = -1;
    for (int t : present_) {
      if (tables_[t].Column(r.column) < 0) continue;
      if (found >= 0) return -1;  // ambiguous
      found = t;
    }
    return found;
  }

  // As SQLite resolves them: each column of the join (NATURAL: each of the right table's) with
  // the leftmost table before it that has the column; none when a table before that one is not
  // known (a subquery), since it might be the one.
  std::vector<std::pair<ColumnRef, ColumnRef>> UsingEqualities(const UsingJoin& join) const {
    std::vector<std::pair<ColumnRef, ColumnRef>> out;
    const int right = TableNamed(join.right);
    if (right < 0) return out;
    std::vector<std::string> columns = join.columns;
    if (join.natural) {
      for (const ColumnInfo& c : tables_[right].columns) columns.push_back(c.name);
    }
    for (const std::string& c : columns) {
      if (tables_[right].Column(c) < 0) continue;
      for (const std::string& left : join.left) {
        const int t = TableNamed(left);
        if (t < 0) break;
        if (tables_[t].Column(c) < 0) continue;
        out.push_back({{left, c}, {join.right, c}});
        break;
      }
    }
    return out;
  }

 private:
  const std::vector<TableInfo>& tables_;
  std::set<int> present_;
  std::map<std::string, int> aliases_;
};

// Copies the parent rows of one link that the copy's child rows reach and it lacks.
int64_t CopyLink(Connection& user, sqlite3* db, const ParentLink& link, int64_t max_rows,
                 double deadline_ms, std::vector<TableInfo>* tables) {
  TableInfo& parent = (*tables)[link.parent];
  const std::string child = QuoteIdentifier((*tables)[link.child].name);
  std::vector<std::string> picked, not_null, keys, where;
  for (size_t i = 0; i < link.child_columns.size(); ++i) {
    const std::string c = absl::StrCat("c.", QuoteIdentifier(link.child_columns[i]));
    const std::string p = QuoteIdentifier(link.parent_columns[i]);
    picked.push_back(c);
    not_null.push_back(absl::StrCat(c, " IS NOT NULL"));
    keys.push_back(absl::StrCat("p.", p));
    where.push_back(absl::StrCat(p, " = ?"));
  }
  // The keys the copy's child rows reach and its parents lack: EXCEPT sorts once, where a lookup
  // per child row would scan (the copy has no CREATE UNIQUE INDEX yet). Read whole before a row
  // is added: the parent may be the child (a self-join).
  const std::string missing = absl::StrCat(
      "SELECT ", absl::StrJoin(picked, ", "), " FROM ", child, " AS c WHERE ",
      absl::StrJoin(not_null, " AND "), " EXCEPT SELECT ", absl::StrJoin(keys, ", "), " FROM ",
      QuoteIdentifier(parent.name), " AS p");
  const StoredColumns stored = StoredColumnsOf(parent);
  const std::string read =
      absl::StrCat("SELECT ", absl::StrJoin(stored.names, ", "), " FROM main.",
                   QuoteIdentifier(parent.name), " WHERE ", absl::StrJoin(where, " AND "));
  const std::string insert = absl::StrCat(
      "INSERT OR IGNORE INTO ", QuoteIdentifier(parent.name), "(",
      absl::StrJoin(stored.names, ", "), ") VALUES(", absl::StrJoin(stored.marks, ", "), ")");
  absl::StatusOr<Rows> wanted = Query(db, missing);
  Connection::InternalScope internal(user);
  Finalizer sel, ins;
  if (!wanted.ok() ||
      sqlite3_prepare_v2(user.db(), read.c_str(), -1, &sel.stmt, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db, insert.c_str(), -1, &ins.stmt, nullptr) != SQLITE_OK) {
    return 0;  // a join the copy cannot follow is simply not made consistent
  }
  const int ncols = static_cast<int>(stored.names.size());
  int64_t added = 0, looked_up = 0;
  for (const Row& key : *wanted) {
    if (added >= max_rows || ((++looked_up & 255) == 0 && MonotonicMs() > deadline_ms)) break;
    sqlite3_reset(sel.stmt);
    for (size_t i = 0; i < key.size(); ++i) BindValue(sel.stmt, static_cast<int>(i) + 1, key[i]);
    while (added < max_rows && sqlite3_step(sel.stmt) == SQLITE_ROW) {
      for (int i = 0; i < ncols; ++i) {
        sqlite3_bind_value(ins.stmt, i + 1, sqlite3_column_value(sel.stmt, i));
      }
      if (sqlite3_step(ins.stmt) == SQLITE_DONE && sqlite3_changes(db) > 0) ++added;
      sqlite3_reset(ins.stmt);
    }
  }
  parent.sample_rows += added;
  return added;
}

// The equalities between two uses of tables, child column first.
struct JoinedPair {
  int child = 0, parent = 0;
  std::vector<std::pair<std::string, std::string>> columns;
};

// Which use of `table` the reference is: its alias, or the table's name.
std::string UseOf(const ColumnRef& r, const TableInfo& table) {
  return absl::AsciiStrToLower(r.qualifier.empty() ? table.name : r.qualifier);
}

// The link of `child` to a key of `parent` that `columns` (child column, parent column) cover,
// if any; none when it only joins rows to themselves (a.id = b.id of one table).
std::optional<ParentLink> LinkOf(const std::vector<TableInfo>& tables, int child, int parent,
                                 const std::vector<std::pair<std::string, std::string>>& columns) {
  if (tables[child].is_virtual || tables[parent].is_virtual) return std::nullopt;
  std::vector<std::string> parent_side;
  for (const auto& c : columns) parent_side.push_back(c.second);
  ParentLink link{child, parent, {}, tables[parent].KeyWithin(parent_side)};
  if (link.parent_columns.empty()) return std::nullopt;
  bool itself = child == parent;
  for (const std::string& k : link.parent_columns) {
    for (const auto& c : columns) {
      if (absl::EqualsIgnoreCase(c.second, k)) {
        link.child_columns.push_back(c.first);
        itself = itself && absl::EqualsIgnoreCase(c.first, k);
        break;
      }
    }
  }
  if (itself) return std::nullopt;
  return link;
}

}  // namespace

std::vector<ParentLink> ParentLinks(const std::vector<StatementJoins>& joins,
                                    const std::vector<TableInfo>& tables) {
  std::vector<ParentLink> links;
  std::set<std::string> seen;
  for (const StatementJoins& st : joins) {
    const Resolver resolver(st, tables);
    std::vector<std::pair<ColumnRef, ColumnRef>> equalities = st.equalities;
    for (const UsingJoin& join : st.using_joins) {
      for (auto& e : resolver.UsingEqualities(join)) equalities.push_back(std::move(e));
    }
    // (child, parent) -> the equalities between them, child column first. Each is a use of a
    // table (its alias, or its name): a table used twice (t.from_emp = a.id, t.to_emp = b.id)
    // is two parents, a table joined to itself (e.manager_id = m.id) its own parent.
    std::map<std::pair<std::string, std::string>, JoinedPair> pairs;
    for (const auto& [left, right] : equalities) {
      const int a = resolver.TableOf(left), b = resolver.TableOf(right);
      if (a < 0 || b < 0) continue;
      const std::string use_a = UseOf(left, tables[a]), use_b = UseOf(right, tables[b]);
      JoinedPair& ab = pairs[{use_a, use_b}];
      ab.child = a, ab.parent = b;
      ab.columns.push_back({left.column, right.column});
      JoinedPair& ba = pairs[{use_b, use_a}];
      ba.child = b, ba.parent = a;
      ba.columns.push_back({right.column, left.column});
    }
    for (const auto& [uses, pair] : pairs) {
      std::optional<ParentLink> link = LinkOf(tables, pair.child, pair.parent, pair.columns);
      if (!link) continue;
      const std::string key =
          absl::AsciiStrToLower(absl::StrCat(link->child, ":", link->parent, ":",
                                             absl::StrJoin(link->child_columns, ","), ":",
                                             absl::StrJoin(link->parent_columns, ",")));
      if (seen.insert(key).second) links.push_back(*std::move(link));
    }
  }
  std::stable_sort(links.begin(), links.end(), [&](const ParentLink& a, const ParentLink& b) {
    return tables[a.child].real_rows > tables[b.child].real_rows;
  });
  return links;
}

std::set<std::string> UsingJoinTables(const std::string& sql,
                                      const std::vector<TableInfo>& tables) {
  std::set<std::string> out;
  for (const StatementJoins& st : JoinEqualities(sql)) {
    const Resolver resolver(st, tables);
    for (const UsingJoin& join : st.using_joins) {
      for (const auto& [left, right] : resolver.UsingEqualities(join)) {
        for (const ColumnRef* r : {&left, &right}) {
          const int t = resolver.TableOf(*r);
          if (t >= 0) out.insert(absl::AsciiStrToLower(tables[t].name));
        }
      }
    }
  }
  return out;
}

absl::StatusOr<int64_t> CopyJoinPartners(Connection& user, sqlite3* db,
                                         const std::vector<std::string>& workload,
                                         int64_t max_rows, double max_ms,
                                         std::vector<TableInfo>* tables) {
  std::vector<StatementJoins> joins;
  for (const std::string& sql : workload) {
    std::vector<StatementJoins> some = JoinEqualities(sql);
    joins.insert(joins.end(), some.begin(), some.end());
  }
  const double deadline = MonotonicMs() + max_ms;
  int64_t added = 0;
  for (const ParentLink& link : ParentLinks(joins, *tables)) {
    const TableInfo& parent = (*tables)[link.parent];
    if (parent.sample_rows >= parent.real_rows) continue;  // all there already
    if (added >= max_rows || MonotonicMs() > deadline) break;
    added += CopyLink(user, db, link, max_rows - added, deadline, tables);
  }
  return added;
}

}  // namespace doctor::indexes
