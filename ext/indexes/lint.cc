#include "ext/indexes/lint.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ext/indexes/index_def.h"
#include "ext/indexes/scratch.h"
#include "ext/core/sql.h"
#include "ext/core/status_macros.h"

namespace doctor::indexes {
namespace {

// An index that enforces a constraint (UNIQUE, PRIMARY KEY) cannot simply be dropped.
bool Droppable(const IndexDef& d) {
  return !d.unique && !absl::StartsWith(d.name, "sqlite_autoindex_");
}

std::string Drop(const IndexDef& d) { return absl::StrCat("DROP INDEX ", Ident(d.name)); }

// True when the first columns of `d` are exactly `cols` (in any order): it serves FK lookups.
bool Leads(const IndexDef& d, const std::vector<std::string>& cols) {
  if (d.parts.size() < cols.size() || !d.where.empty()) return false;
  for (size_t i = 0; i < cols.size(); ++i) {
    bool found = false;
    for (const std::string& c : cols) found |= absl::EqualsIgnoreCase(d.parts[i].column, c);
    if (!found) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<Rows> Lint(Connection& connection) {
  ScratchOptions so;
  so.sample_rows = 20000;
  so.analyze_sample = true;  // selectivity needs statistics
  ASSIGN_OR_RETURN(std::unique_ptr<Scratch> scratch, Scratch::Build(connection, so));
  Rows out;
  auto add = [&](const char* kind, const std::string& table, const std::string& index,
                 std::string finding, std::string fix) {
    // Migration journals are read by migration tools, never by the captured workload.
    if (absl::string_view(kind) == "unused" &&
        (table == "doctor_migrations" || table == "__drizzle_migrations")) {
      return;
    }
    out.push_back({Value(kind), Value(table), index.empty() ? Value::Null() : Value(index),
                   Value(std::move(finding)), Value(std::move(fix))});
  };

  // Captured queries, when the timing area has some.
  std::vector<std::string> captured;
  {
    auto rows = Query(connection, "SELECT query FROM query_stats LIMIT 1000");
    if (rows.ok()) {
      for (const Row& r : *rows) captured.push_back(r[0].AsText());
    }
  }
  std::string plans;
  for (const std::string& q : captured) {
    auto rows = Query(connection, absl::StrCat("EXPLAIN QUERY PLAN ", q));
    if (!rows.ok()) continue;
    for (const Row& r : *rows) absl::StrAppend(&plans, r[3].AsText(), "\n");
  }

  for (const TableInfo& t : scratch->tables()) {
    if (t.is_virtual) continue;
    // FK child columns.
    std::map<int64_t, std::vector<std::string>> fks;
    std::map<int64_t, std::string> parents;
    auto fk_rows = Query(scratch->db(),
                         "SELECT id, \"from\", \"table\", on_delete, on_update FROM "
                         "pragma_foreign_key_list(?) ORDER BY id, seq",
                         {Value(t.name)});
    if (fk_rows.ok()) {
      for (const Row& r : *fk_rows) {
        fks[r[0].AsInt()].push_back(r[1].AsText());
        parents[r[0].AsInt()] = absl::StrCat(r[2].AsText(), " (ON DELETE ", r[3].AsText(),
                                             ", ON UPDATE ", r[4].AsText(), ")");
      }
    }
    std::vector<std::vector<std::string>> fk_cols;
    for (const auto& [id, cols] : fks) {
      fk_cols.push_back(cols);
      bool covered = false;
      for (const IndexDef& d : t.indexes) covered |= Leads(d, cols);
      // The primary key of a WITHOUT ROWID table or an INTEGER PRIMARY KEY serves too.
      if (cols.size() == 1 && t.integer_pk) {
        int c = t.Column(cols[0]);
        covered |= c >= 0 && t.columns[c].pk == 1;
      }
      if (covered) continue;
      IndexDef fix{t.name, {}, ""};
      for (const std::string& c : cols) fix.parts.push_back({c});
      add("fk_without_index", t.name, "",
          absl::StrCat("foreign key (", absl::StrJoin(cols, ", "), ") -> ", parents[id],
                       " has no index on the child columns: every delete or key update of a "
                       "parent row scans ",
                       t.real_rows, " rows of ", t.name),
          fix.Ddl());
    }
    // Duplicates and prefixes.
    for (const IndexDef& a : t.indexes) {
      if (!Droppable(a)) continue;
      bool reported = false;
      for (const IndexDef& b : t.indexes) {
        if (&a == &b || reported || !IsPrefixOf(a, b)) continue;
        const bool same = a.parts.size() == b.parts.size();
        // Of two identical droppable indexes, report the one with the larger name only.
        if (same && Droppable(b) && a.name < b.name) continue;
        add(same ? "duplicate" : "prefix", t.name, a.name,
            same ? absl::StrCat(a.name, " has the same key as ", b.name, " (", a.ColumnsText(), ")")
                 : absl::StrCat(a.name, " (", a.ColumnsText(), ") is a prefix of ", b.name, " (",
                                b.ColumnsText(), "), which serves the same lookups"),
            Drop(a));
        reported = true;
      }
      if (reported) continue;
      // Low selectivity: the full key still matches >= 10% of the rows.
      auto stat = Query(scratch->db(), "SELECT stat FROM sqlite_stat1 WHERE idx = ?",
                        {Value(a.name)});
      if (a.where.empty() && stat.ok() && !stat->empty()) {
        std::vector<std::string> words = absl::StrSplit((*stat)[0][0].AsText(), ' ');
        double rows = 0, per_key = 0;
        if (words.size() > a.parts.size() && absl::SimpleAtod(words[0], &rows) &&
            absl::SimpleAtod(words[a.parts.size()], &per_key) && rows >= 100 &&
            per_key / rows >= 0.1) {
          add("low_selectivity", t.name, a.name,
              absl::StrCat(a.name, " (", a.ColumnsText(), "): each key value matches about ",
                           static_cast<int64_t>(per_key), " of ", static_cast<int64_t>(rows),
                           " rows; a scan is about as fast, and every write pays for it (for a "
                           "rare value, a partial index serves better)"),
              Drop(a));
          continue;
        }
      }
      // Unused by the captured workload (an index that serves a foreign key is kept).
      if (!captured.empty() && !absl::StrContains(plans, absl::StrCat("INDEX ", a.name, " ")) &&
          !absl::StrContains(plans, absl::StrCat("INDEX ", a.name, "\n"))) {
        bool serves_fk = false;
        for (const auto& cols : fk_cols) serves_fk |= Leads(a, cols);
        if (!serves_fk) {
          add("unused", t.name, a.name,
              absl::StrCat(a.name, " is used by none of the ", captured.size(),
                           " captured queries in query_stats"),
              Drop(a));
        }
      }
    }
  }
  return out;
}

}  // namespace doctor::indexes
