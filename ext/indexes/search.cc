#include "ext/indexes/search.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ext/core/query_plan.h"

namespace doctor::indexes {
namespace {

// Passes of "keep what the planner picks" (> 1 repeats it among those it passed over; one pass
// measured as good on the benchmarks).
constexpr int kPrunePasses = 1;

// Builds `remaining` together and moves the ones some statement's plan uses into `keep`;
// returns those no plan uses.
std::vector<int> KeepPicked(Scratch& scratch, const std::vector<WorkloadItem>& items,
                            const CandidatePool& pool, const std::vector<int>& remaining,
                            std::set<int>* keep) {
  std::vector<IndexDef> defs;
  for (int c : remaining) defs.push_back(pool.indexes[c]);
  scratch.AddIndexes(defs);
  std::vector<QueryPlan> plans;
  // Each statement is planned as SQLite runs it: with its values bound (re-prepared on bind),
  // so a partial index that a bound value satisfies counts, as it does in the measurement.
  std::set<std::string> explained;
  for (const WorkloadItem& item : items) {
    std::string key = item.sql;
    for (const Value& v : item.params) absl::StrAppend(&key, "\x1f", v.AsText());
    if (!explained.insert(key).second) continue;
    auto plan = ExplainQueryPlan(scratch.db(), item.sql, item.params);
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
  for (const IndexDef& d : defs) scratch.ParkIndex(d);
  scratch.ReloadSchema().IgnoreError();
  return next;
}

// The pool restricted to `keep`, renumbered.
CandidatePool Renumbered(const CandidatePool& pool, const std::set<int>& keep) {
  std::map<int, int> renumber;
  CandidatePool out;
  out.truncated = pool.truncated;
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
  for (int pass = 0; pass < kPrunePasses && !remaining.empty(); ++pass) {
    remaining = KeepPicked(scratch, items, *pool, remaining, &keep);
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
                                  const AdviseOptions& options) {
  SelectOptions sopts;
  sopts.max_indexes = options.max_indexes;
  sopts.budget_bytes = options.budget_bytes;
  return GreedySelect(
      pool.indexes, pool.bytes, SelectionView(items),
      [&costs](int s, const std::vector<int>& config) { return costs.Cost(s, config); }, sopts,
      pool.bundles);
}

}  // namespace doctor::indexes
