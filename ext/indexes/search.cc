#include "ext/indexes/search.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ext/core/query_plan.h"

namespace doctor::indexes {
namespace {

// Passes of "keep what the planner picks". The second plans again, among the candidates the
// first passed over, the statements whose plan still sorts or scans: with every
// candidate built, a planner without statistics takes an equality index over an ORDER BY ...
// LIMIT one that costs a hundredth as much (app_jsondocs: `type = ? ORDER BY total DESC LIMIT
// 10`), which one pass never saw picked. Statements already planned well are not planned again.
constexpr int kPrunePasses = 2;

// A plan that leaves work an index could save: a sort (USE TEMP B-TREE) or a scan (of the table
// or of a whole index: `SCAN docs USING INDEX type` for a GROUP BY that a range could narrow).
bool LeavesWork(const QueryPlan& plan) {
  for (const PlanStep& step : plan.steps) {
    if (step.verb == "SCAN" || absl::StartsWith(step.detail, "USE TEMP B-TREE")) return true;
  }
  return false;
}

// Builds `remaining` together and moves the ones the plan of some statement in `replan` uses
// into `keep`; returns those no plan uses. `replan` is then what LeavesWork says of each plan.
std::vector<int> KeepPicked(Scratch& scratch, const std::vector<WorkloadItem>& items,
                            const CandidatePool& pool, const std::vector<int>& remaining,
                            std::set<int>* keep, std::vector<bool>* replan) {
  std::vector<IndexDef> defs;
  for (int c : remaining) defs.push_back(pool.indexes[c]);
  // Only their plans are read: most go into the schema unbuilt (scratch_unbuilt.cc), those an
  // earlier pass parked come back as they are, the others are built. `built`: those with a
  // b-tree, parked afterwards.
  std::vector<IndexDef> built;
  const bool entered = scratch.EnterForPlanning(defs, &built);
  if (!entered) {
    std::vector<IndexDef> build;
    for (const IndexDef& d : defs) {
      if (!scratch.UnparkIndex(d)) build.push_back(d);
    }
    scratch.ReloadSchema().IgnoreError();
    scratch.AddIndexes(build);
    built = defs;
  }
  std::vector<QueryPlan> plans;
  // Each statement is planned as SQLite runs it: with its values bound (re-prepared on bind),
  // so a partial index that a bound value satisfies counts, as it does in the measurement.
  std::map<std::string, bool> explained;  // by text and values: whether its plan leaves work
  for (size_t i = 0; i < items.size(); ++i) {
    if (!(*replan)[i]) continue;
    const WorkloadItem& item = items[i];
    const std::string key = item.PlanKey();
    auto seen = explained.find(key);
    if (seen != explained.end()) {
      (*replan)[i] = seen->second;
      continue;
    }
    auto plan = ExplainQueryPlan(scratch.db(), item.sql, item.params);
    (*replan)[i] = !plan.ok() || LeavesWork(*plan);
    explained[key] = (*replan)[i];
    if (plan.ok()) plans.push_back(*std::move(plan));
  }
  std::vector<int> next;
  for (size_t i = 0; i < remaining.size(); ++i) {
    bool used = false;
    for (const QueryPlan& p : plans) used = used || p.UsesIndex(defs[i].name);
    if (used) {
      keep->insert(remaining[i]);
    } else {
      next.push_back(remaining[i]);
    }
  }
  // Parked, not dropped: the search builds most of them again.
  if (entered) {
    scratch.RemoveUnbuilt();
    scratch.ReloadSchema().IgnoreError();
  }
  for (const IndexDef& d : built) scratch.ParkIndex(d);
  scratch.ReloadSchema().IgnoreError();
  return next;
}

// The pool restricted to `keep`, renumbered.
CandidatePool Renumbered(const CandidatePool& pool, const std::set<int>& keep) {
  std::map<int, int> renumber;
  CandidatePool out;
  out.truncated = pool.truncated;
  out.unbuildable = pool.unbuildable;
  out.first_unbuildable = pool.first_unbuildable;
  for (int c : keep) {
    renumber[c] = static_cast<int>(out.indexes.size());
    out.indexes.push_back(pool.indexes[c]);
    out.bytes.push_back(pool.bytes[c]);
    if (pool.effects.count(c)) out.effects.insert(renumber[c]);
  }
  for (const auto& b : pool.bundles) {
    std::vector<int> nb;
    for (int c : b) {
      if (renumber.count(c)) nb.push_back(renumber[c]);
    }
    if (nb.size() >= 2) out.bundles.push_back(nb);
  }
  return out;
}

}  // namespace

void LeaveOutCandidates(const std::set<std::string>& names, CandidatePool* pool) {
  std::set<int> keep;
  for (size_t c = 0; c < pool->size(); ++c) {
    if (names.count(pool->indexes[c].Name()) == 0) keep.insert(static_cast<int>(c));
  }
  *pool = Renumbered(*pool, keep);
}

void PruneCandidates(Scratch& scratch, const std::vector<WorkloadItem>& items,
                     CandidatePool* pool) {
  const bool trace = getenv("DOCTOR_INDEXES_TRACE") != nullptr;
  if (trace) {
    fprintf(stderr, "%zu candidates\n", pool->size());
    for (size_t c = 0; c < pool->size(); ++c) {
      fprintf(stderr, "  %zu %s %.0f\n", c, pool->indexes[c].Ddl().c_str(), pool->bytes[c]);
    }
  }
  if (pool->size() <= 12) return;
  std::set<int> keep = pool->effects;
  std::vector<int> remaining;
  for (size_t c = 0; c < pool->size(); ++c) {
    if (!keep.count(static_cast<int>(c))) remaining.push_back(static_cast<int>(c));
  }
  std::vector<bool> replan(items.size(), true);
  for (int pass = 0; pass < kPrunePasses && !remaining.empty(); ++pass) {
    remaining = KeepPicked(scratch, items, *pool, remaining, &keep, &replan);
  }
  // A kept covering or longer index keeps its prefixes too: the smaller one may pay better per
  // byte.
  for (int c : remaining) {
    for (int k : std::set<int>(keep)) {
      if (IsPrefixOf(pool->indexes[c], pool->indexes[k])) keep.insert(c);
    }
  }
  *pool = Renumbered(*pool, keep);
  if (trace) {
    fprintf(stderr, "pruned to %zu\n", pool->size());
    for (size_t c = 0; c < pool->size(); ++c) {
      fprintf(stderr, "  %zu %s %.0f\n", c, pool->indexes[c].Ddl().c_str(), pool->bytes[c]);
    }
  }
}

std::vector<WorkloadStatement> SelectionView(const std::vector<WorkloadItem>& items) {
  std::vector<WorkloadStatement> ws;
  for (const WorkloadItem& item : items) ws.push_back({item.weight, item.tables});
  return ws;
}

std::vector<Choice> SearchIndexes(const CandidatePool& pool,
                                  const std::vector<WorkloadItem>& items, CostCache& costs,
                                  const AdviseOptions& options, int* cut) {
  SelectOptions sopts;
  sopts.max_indexes = options.max_indexes;
  sopts.budget_bytes = options.budget_bytes;
  return GreedySelect(
      pool.indexes, pool.bytes, SelectionView(items),
      [&costs](int s, const std::vector<int>& config) { return costs.Cost(s, config); }, sopts,
      pool.bundles, cut);
}

}  // namespace doctor::indexes
