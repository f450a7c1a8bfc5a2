// Search phase of the advisor: prunes the candidates to those the planner picks when it may
// choose among all of them (plus their prefixes and the candidates FK actions and triggers need,
// which EXPLAIN QUERY PLAN does not show), then runs the greedy selection (select.h) over the
// measured costs.
//
// Example:
//   PruneCandidates(scratch, items, &pool);  costs.PoolRenumbered();
//   std::vector<Choice> chosen = SearchIndexes(pool, items, costs, options);
#ifndef DOCTOR_INDEXES_SEARCH_H_
#define DOCTOR_INDEXES_SEARCH_H_

#include <set>
#include <string>
#include <vector>

#include "ext/indexes/advise_options.h"
#include "ext/indexes/candidate_pool.h"
#include "ext/indexes/cost_cache.h"
#include "ext/indexes/scratch.h"
#include "ext/indexes/select.h"
#include "ext/indexes/workload.h"

namespace doctor::indexes {

// Keeps the candidates worth measuring and renumbers the pool (bundles included). A pool of 12
// or fewer is kept whole.
void PruneCandidates(Scratch& scratch, const std::vector<WorkloadItem>& items,
                     CandidatePool* pool);

// Takes the candidates named `names` out of the pool and renumbers it (bundles included). Call
// CostCache::PoolRenumbered before: it drops what is built by the ids it was built under.
void LeaveOutCandidates(const std::set<std::string>& names, CandidatePool* pool);

// The statements as the selection sees them: weight and tables.
std::vector<WorkloadStatement> SelectionView(const std::vector<WorkloadItem>& items);

// The chosen candidates, in the order they were added; `cut`: which of max_indexes and
// budget_bytes kept out one that would still pay (kCutCount | kCutBudget bits, 0: none).
std::vector<Choice> SearchIndexes(const CandidatePool& pool,
                                  const std::vector<WorkloadItem>& items, CostCache& costs,
                                  const AdviseOptions& options, int* cut = nullptr);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_SEARCH_H_
