#include "ext/indexes/scratch_partners.h"

#include <algorithm>
#include <map>
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

// The columns of a key of `t` (its rowid alias, or a PRIMARY KEY / UNIQUE constraint) that all
// appear in `columns`, in key order; empty when no key does.
std::vector<std::string> KeyWithin(const TableInfo& t, const std::vector<std::string>& columns) {
  auto named = [&](const std::string& c) {
    for (const std::string& x : columns) {
      if (absl::EqualsIgnoreCase(x, c)) return true;
    }
    return false;
  };
  for (const ColumnInfo& c : t.columns) {
    if (t.integer_pk && c.pk == 1 && named(c.name)) return {c.name};
  }
  for (const IndexDef& d : t.indexes) {
    // Only constraints: they exist on the copy while rows are copied (CREATE INDEX comes later).
    if (!d.unique || !d.where.empty() || d.parts.empty() ||
        !absl::StartsWithIgnoreCase(d.name, "sqlite_autoindex_")) {
      continue;
    }
    std::vector<std::string> key;
    for (const KeyPart& p : d.parts) {
      if (p.expression || !named(p.column)) break;
      key.push_back(p.column);
    }
    if (key.size() == d.parts.size()) return key;
  }
  return {};
}

// The tables a statement names (by name or alias) and the table a column reference is of.
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

  int TableOf(const ColumnRef& r) const {
    if (!r.qualifier.empty()) {
      auto it = aliases_.find(absl::AsciiStrToLower(r.qualifier));
      const int t = it != aliases_.end() ? it->second : TableIndex(tables_, r.qualifier);
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
  std::vector<std::string> picked, not_null, matched, where;
  for (size_t i = 0; i < link.child_columns.size(); ++i) {
    const std::string c = absl::StrCat("c.", QuoteIdentifier(link.child_columns[i]));
    const std::string p = QuoteIdentifier(link.parent_columns[i]);
    picked.push_back(c);
    not_null.push_back(absl::StrCat(c, " IS NOT NULL"));
    matched.push_back(absl::StrCat("p.", p, " = ", c));
    where.push_back(absl::StrCat(p, " = ?"));
  }
  const std::string missing = absl::StrCat(
      "SELECT DISTINCT ", absl::StrJoin(picked, ", "), " FROM ", child, " AS c WHERE ",
      absl::StrJoin(not_null, " AND "), " AND NOT EXISTS (SELECT 1 FROM ",
      QuoteIdentifier(parent.name), " AS p WHERE ", absl::StrJoin(matched, " AND "), ")");
  const StoredColumns stored = StoredColumnsOf(parent);
  const std::string read =
      absl::StrCat("SELECT ", absl::StrJoin(stored.names, ", "), " FROM main.",
                   QuoteIdentifier(parent.name), " WHERE ", absl::StrJoin(where, " AND "));
  const std::string insert = absl::StrCat(
      "INSERT OR IGNORE INTO ", QuoteIdentifier(parent.name), "(",
      absl::StrJoin(stored.names, ", "), ") VALUES(", absl::StrJoin(stored.marks, ", "), ")");
  Connection::InternalScope internal(user);
  Finalizer keys, sel, ins;
  if (sqlite3_prepare_v2(db, missing.c_str(), -1, &keys.stmt, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(user.db(), read.c_str(), -1, &sel.stmt, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db, insert.c_str(), -1, &ins.stmt, nullptr) != SQLITE_OK) {
    return 0;  // a join the copy cannot follow is simply not made consistent
  }
  const int nkeys = static_cast<int>(link.child_columns.size());
  const int ncols = static_cast<int>(stored.names.size());
  int64_t added = 0, looked_up = 0;
  while (added < max_rows && sqlite3_step(keys.stmt) == SQLITE_ROW) {
    if ((++looked_up & 255) == 0 && MonotonicMs() > deadline_ms) break;
    sqlite3_reset(sel.stmt);
    for (int i = 0; i < nkeys; ++i) {
      sqlite3_bind_value(sel.stmt, i + 1, sqlite3_column_value(keys.stmt, i));
    }
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

}  // namespace

std::vector<ParentLink> ParentLinks(const std::vector<StatementJoins>& joins,
                                    const std::vector<TableInfo>& tables) {
  std::vector<ParentLink> links;
  std::set<std::string> seen;
  for (const StatementJoins& st : joins) {
    const Resolver resolver(st, tables);
    // (child, parent) -> the equalities between them, child column first.
    std::map<std::pair<int, int>, std::vector<std::pair<std::string, std::string>>> pairs;
    for (const auto& [left, right] : st.equalities) {
      const int a = resolver.TableOf(left), b = resolver.TableOf(right);
      if (a < 0 || b < 0 || a == b) continue;
      pairs[{a, b}].push_back({left.column, right.column});
      pairs[{b, a}].push_back({right.column, left.column});
    }
    for (const auto& [tables_pair, columns] : pairs) {
      const auto [child, parent] = tables_pair;
      if (tables[child].is_virtual || tables[parent].is_virtual) continue;
      std::vector<std::string> parent_side;
      for (const auto& c : columns) parent_side.push_back(c.second);
      ParentLink link{child, parent, {}, KeyWithin(tables[parent], parent_side)};
      if (link.parent_columns.empty()) continue;
      for (const std::string& k : link.parent_columns) {
        for (const auto& c : columns) {
          if (absl::EqualsIgnoreCase(c.second, k)) {
            link.child_columns.push_back(c.first);
            break;
          }
        }
      }
      const std::string key =
          absl::AsciiStrToLower(absl::StrCat(child, ":", parent, ":",
                                             absl::StrJoin(link.child_columns, ","), ":",
                                             absl::StrJoin(link.parent_columns, ",")));
      if (seen.insert(key).second) links.push_back(std::move(link));
    }
  }
  std::stable_sort(links.begin(), links.end(), [&](const ParentLink& a, const ParentLink& b) {
    return tables[a.child].real_rows > tables[b.child].real_rows;
  });
  return links;
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
