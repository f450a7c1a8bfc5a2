#include "ext/indexes/write_effects.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/sql.h"
#include "ext/indexes/sql_text.h"

namespace doctor::indexes {
namespace {

void ProbeTriggers(Scratch& scratch, Probe& probe, const std::string& written,
                   std::vector<ProbeScan>* scans) {
  auto triggers = Query(scratch.db(),
                        "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND "
                        "lower(tbl_name) = ?",
                        {Value(written)});
  if (!triggers.ok()) return;
  for (const Row& r : *triggers) {
    for (const std::string& body : TriggerBodyStatements(r[0].AsText())) {
      probe.Capture(body, scans).IgnoreError();
    }
  }
}

// Probes the lookups of `child`'s foreign keys into `parent`; true when an action of theirs
// changes the child's rows (so its own children are looked up in turn).
bool ProbeChildLookups(Scratch& scratch, Probe& probe, const std::string& child,
                       const std::string& parent, bool is_delete, bool* has_fk,
                       std::vector<ProbeScan>* scans) {
  auto fks = Query(scratch.db(),
                   "SELECT id, \"from\", on_delete, on_update FROM "
                   "pragma_foreign_key_list(?) WHERE lower(\"table\") = ? ORDER BY id, seq",
                   {Value(child), Value(parent)});
  *has_fk = fks.ok() && !fks->empty();
  if (!*has_fk) return false;
  std::map<int64_t, std::vector<std::string>> by_id;
  bool changes_child = false;
  for (const Row& r : *fks) {
    by_id[r[0].AsInt()].push_back(QuoteIdentifier(r[1].AsText()));
    const std::string action = r[is_delete ? 2 : 3].AsText();
    changes_child |= action == "CASCADE" || action == "SET NULL" || action == "SET DEFAULT";
  }
  for (const auto& [id, cols] : by_id) {
    std::string sql = absl::StrCat("SELECT 1 FROM ", QuoteIdentifier(child), " WHERE ",
                                   absl::StrJoin(cols, " = ? AND "), " = ?");
    probe.Capture(sql, scans).IgnoreError();
  }
  return changes_child;
}

// One single-column foreign key whose action changes its child's rows.
struct ChildKey {
  std::string child, column, parent_column;
};

std::vector<ChildKey> ChangingChildren(Scratch& scratch, const std::string& parent,
                                       bool is_delete) {
  std::vector<ChildKey> out;
  for (const TableInfo& child : scratch.tables()) {
    auto fks = Query(scratch.db(),
                     "SELECT \"from\", \"to\", on_delete, on_update FROM "
                     "pragma_foreign_key_list(?) WHERE lower(\"table\") = lower(?) AND id IN "
                     "(SELECT id FROM pragma_foreign_key_list(?) GROUP BY id HAVING count(*) = 1)",
                     {Value(child.name), Value(parent), Value(child.name)});
    if (!fks.ok()) continue;
    for (const Row& r : *fks) {
      const std::string action = r[is_delete ? 2 : 3].AsText();
      if (action != "CASCADE" && action != "SET NULL" && action != "SET DEFAULT") continue;
      std::string to = r[1].is_null() ? "" : r[1].AsText();
      if (to.empty()) {  // the parent's primary key (one column: the key has one)
        const TableInfo* p = scratch.FindTable(parent);
        to = p != nullptr ? p->PrimaryKey()[0] : "rowid";
      }
      out.push_back({child.name, r[0].AsText(), to});
    }
  }
  return out;
}

}  // namespace

void SeedCascades(Connection& user, Scratch& scratch, const WorkloadItem& item) {
  const bool is_delete = item.kind == StatementKind::kDelete;
  if (item.written.empty() || (!is_delete && item.kind != StatementKind::kUpdate)) return;
  struct Level {
    std::string table, column;
    std::vector<Value> values;
  };
  std::vector<Level> queue;
  for (const ChildKey& k : ChangingChildren(scratch, item.written, is_delete)) {
    std::vector<Value> v =
        scratch.TouchedValues(item.sql, item.params, item.written, k.parent_column, is_delete);
    if (!v.empty()) queue.push_back({k.child, k.column, std::move(v)});
  }
  // Breadth first, 3 levels: a child whose rows an action changes has its own children.
  for (size_t q = 0, level_end = queue.size(), depth = 0; q < queue.size() && depth < 3; ++q) {
    const Level level = queue[q];
    scratch.SeedAll(user, level.table, level.column, level.values, 1000);  // 200 parents' worth
    if (getenv("DOCTOR_INDEXES_TRACE") != nullptr) {
      fprintf(stderr, "cascade seed %s.%s: %zu values, depth %zu\n", level.table.c_str(),
              level.column.c_str(), level.values.size(), depth);
    }
    for (const ChildKey& k : ChangingChildren(scratch, level.table, true)) {
      const std::vector<std::string> marks(level.values.size(), "?");
      auto rows = Query(scratch.db(),
                        absl::StrCat("SELECT DISTINCT ", QuoteIdentifier(k.parent_column),
                                     " FROM ", QuoteIdentifier(level.table), " WHERE ",
                                     QuoteIdentifier(level.column), " IN (",
                                     absl::StrJoin(marks, ", "), ") LIMIT 200"),
                        level.values);
      if (!rows.ok() || rows->empty()) continue;
      std::vector<Value> next;
      for (const Row& r : *rows) next.push_back(r[0]);
      queue.push_back({k.child, k.column, std::move(next)});
    }
    if (q + 1 == level_end) {
      level_end = queue.size();
      ++depth;
    }
  }
}

void ProbeWriteEffects(Scratch& scratch, Probe& probe, bool foreign_keys, WorkloadItem* item,
                       std::vector<ProbeScan>* scans) {
  ProbeTriggers(scratch, probe, item->written, scans);
  // An INSERT changes no parent key: no FK action runs.
  if (!foreign_keys || item->kind == StatementKind::kInsert) return;
  const bool is_delete = item->kind == StatementKind::kDelete;
  // Parents whose rows change; a CASCADE / SET NULL / SET DEFAULT action changes the child's
  // rows too, so its own children are looked up in turn.
  std::vector<std::string> queue = {item->written};
  std::set<std::string> visited = {item->written};
  for (size_t q = 0; q < queue.size() && q < 32; ++q) {
    for (const TableInfo& child : scratch.tables()) {
      bool has_fk = false;
      const bool changes_child =
          ProbeChildLookups(scratch, probe, child.name, queue[q], is_delete, &has_fk, scans);
      if (!has_fk) continue;
      const std::string lower = absl::AsciiStrToLower(child.name);
      item->tables.insert(lower);
      if (changes_child && visited.insert(lower).second) queue.push_back(lower);
    }
  }
}

}  // namespace doctor::indexes
