#include "ext/indexes/structural.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "ext/core/query_plan.h"

namespace doctor::indexes {

namespace {

// pool.structural without the candidates the planner passes over: per statement and table with
// two or more, those its plan uses with all of the statement's entered (a statement repeated
// with the same values is planned once).
std::vector<std::pair<int, int>> PlannerPicks(Scratch& scratch,
                                              const std::vector<WorkloadItem>& items,
                                              const CandidatePool& pool) {
  std::map<int, std::vector<int>> by_statement;  // statement -> its candidates, in order
  for (const auto& [candidate, statement] : pool.structural) {
    std::vector<int>& list = by_statement[statement];
    if (std::find(list.begin(), list.end(), candidate) == list.end()) list.push_back(candidate);
  }
  std::map<std::string, std::set<int>> planned;  // PlanKey -> the candidates kept
  std::vector<std::pair<int, int>> out;
  for (const auto& [statement, candidates] : by_statement) {
    const WorkloadItem& item = items[statement];
    auto known = planned.find(item.PlanKey());
    if (known == planned.end()) {
      std::map<std::string, int> per_table;
      for (int c : candidates) ++per_table[absl::AsciiStrToLower(pool.indexes[c].table)];
      std::set<int> kept(candidates.begin(), candidates.end());
      bool several = false;
      for (const auto& [table, n] : per_table) several |= n >= 2;
      if (several) {
        std::vector<IndexDef> defs;
        for (int c : candidates) defs.push_back(pool.indexes[c]);
        scratch.AddIndexes(defs);
        auto plan = ExplainQueryPlan(scratch.db(), item.sql, item.params);
        for (const IndexDef& d : defs) scratch.DropIndex(d).IgnoreError();
        // A table whose candidates the plan uses keeps only those.
        std::set<std::string> used_tables;
        for (int c : candidates) {
          if (plan.ok() && plan->UsesIndex(pool.indexes[c].Name())) {
            used_tables.insert(absl::AsciiStrToLower(pool.indexes[c].table));
          }
        }
        for (int c : candidates) {
          const std::string table = absl::AsciiStrToLower(pool.indexes[c].table);
          if (per_table[table] >= 2 && used_tables.count(table) &&
              !plan->UsesIndex(pool.indexes[c].Name())) {
            kept.erase(c);
          }
        }
      }
      known = planned.emplace(item.PlanKey(), std::move(kept)).first;
    }
    for (int c : candidates) {
      if (known->second.count(c)) out.push_back({c, statement});
    }
  }
  return out;
}

}  // namespace

std::vector<Recommendation> StructuralAdvice(Scratch& scratch,
                                             const std::vector<WorkloadItem>& items,
                                             const CandidatePool& pool) {
  std::map<int, std::vector<int>> statements;  // candidate -> statements
  for (const auto& [candidate, statement] : PlannerPicks(scratch, items, pool)) {
    std::vector<int>& list = statements[candidate];
    if (std::find(list.begin(), list.end(), statement) == list.end()) list.push_back(statement);
  }
  std::vector<Recommendation> out;
  for (const auto& [candidate, list] : statements) {
    bool covered = false;
    for (const auto& [other, unused] : statements) {
      const IndexDef& a = pool.indexes[candidate];
      const IndexDef& b = pool.indexes[other];
      covered |= other != candidate && IsPrefixOf(a, b) && a.parts.size() < b.parts.size();
    }
    if (covered) continue;
    Recommendation rec;
    rec.index = pool.indexes[candidate];
    rec.bytes = pool.bytes[candidate];
    rec.statements = list;
    rec.basis = "structural";
    out.push_back(std::move(rec));
  }
  return out;
}

}  // namespace doctor::indexes
