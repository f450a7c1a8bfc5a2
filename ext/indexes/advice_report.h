// Report phase of the advisor: what index_advise gives back. The baseline (plans and costs with
// no new index), and for the chosen set the plans and costs after, each recommendation's share
// of the workload's cost saved and the statements it helps (those that get dearer without it).
#ifndef DOCTOR_INDEXES_ADVICE_REPORT_H_
#define DOCTOR_INDEXES_ADVICE_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ext/indexes/candidate_pool.h"
#include "ext/indexes/cost_cache.h"
#include "ext/indexes/index_def.h"
#include "ext/indexes/scratch.h"
#include "ext/indexes/select.h"
#include "ext/indexes/workload.h"

namespace doctor::indexes {

struct StatementResult {
  std::string sql;
  double weight = 1;
  std::string plan_before, plan_after;  // core PlanText form
  int64_t cost_before = 0, cost_after = 0;
  std::string error;
  std::string limit;  // why it was not fully advised ("" when it was)
  std::string assumed;  // the values bound to its parameters, as text ("" when it has none)
  int source = 0;  // the workload statement it measures (WorkloadItem::source)
};

struct Recommendation {
  IndexDef index;
  double benefit = 0;     // share of the workload's weighted cost it saves (0..1)
  double bytes = 0;       // estimated size on the user's data
  std::vector<int> statements;  // ids into AdviceResult::statements it helps
  std::string basis = "measured";  // or "structural": proposed for an empty table (structural.h)
};

struct AdviceResult {
  std::vector<Recommendation> recommendations;
  std::vector<StatementResult> statements;
  int candidates = 0;
  // The limits that cut the advice short (step cap, time limit, candidate cap), one sentence
  // each; empty when the advice is complete.
  std::vector<std::string> limits;
};

// The share of the workload's weighted cost `saved` is of `base_total`, within 0..1 (a saving
// measured against a set that is dearer than the baseline can exceed the baseline itself).
double BenefitShare(double saved, double base_total);

// The plan of `sql` on `db` as text ("" when it cannot be planned), with `params` bound as
// SQLite runs it (re-prepared on bind: a partial index serves the value it names).
std::string PlanTextOf(sqlite3* db, const std::string& sql, const std::vector<Value>& params);

// Plans and costs of every statement with no new index.
std::vector<StatementResult> BaselineResults(Scratch& scratch,
                                             const std::vector<WorkloadItem>& items,
                                             CostCache& costs);

// Fills the after-plans and costs of result->statements and the recommendations (most
// beneficial first) for the chosen candidates.
void ReportChosen(Scratch& scratch, const std::vector<WorkloadItem>& items,
                  const CandidatePool& pool, const std::vector<Choice>& chosen, CostCache& costs,
                  AdviceResult* result);

// Says which statements the step cap or the time limit cut, and whether candidates were left
// out, in result->limits and each StatementResult::limit.
void ReportLimits(const std::vector<WorkloadItem>& items, const CandidatePool& pool,
                  const CostCache& costs, int64_t step_cap, double time_limit_s,
                  AdviceResult* result);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_ADVICE_REPORT_H_
