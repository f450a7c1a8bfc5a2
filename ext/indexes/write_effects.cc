#include "ext/indexes/write_effects.h"

#include <cstdint>
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

}  // namespace

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
