#include "ext/indexes/advice_report.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "ext/core/query_plan.h"
#include "ext/indexes/search.h"

namespace doctor::indexes {
namespace {

// The statements `chosen` helps: taking it out of the final set makes them dearer.
std::vector<int> HelpedStatements(const std::vector<WorkloadItem>& items,
                                  const CandidatePool& pool,
                                  const std::vector<WorkloadStatement>& ws,
                                  const std::vector<int>& config, int chosen, CostCache& costs) {
  std::vector<int> without;
  for (int k : config) {
    if (k != chosen) without.push_back(k);
  }
  std::vector<int> out;
  const std::string table = absl::AsciiStrToLower(pool.indexes[chosen].table);
  for (size_t s = 0; s < items.size(); ++s) {
    if (!ws[s].tables.count(table)) continue;
    const int id = static_cast<int>(s);
    if (costs.Cost(id, Relevant(pool.indexes, without, ws[s])) >
        costs.Cost(id, Relevant(pool.indexes, config, ws[s]))) {
      out.push_back(id);
    }
  }
  return out;
}

}  // namespace

std::string PlanTextOf(sqlite3* db, const std::string& sql) {
  auto plan = ExplainQueryPlan(db, sql);
  return plan.ok() ? PlanText(*plan) : "";
}

std::vector<StatementResult> BaselineResults(Scratch& scratch,
                                             const std::vector<WorkloadItem>& items,
                                             CostCache& costs) {
  std::vector<StatementResult> out;
  for (size_t s = 0; s < items.size(); ++s) {
    StatementResult r;
    r.sql = items[s].sql;
    r.weight = items[s].weight;
    r.plan_before = PlanTextOf(scratch.db(), items[s].sql);
    r.cost_before = static_cast<int64_t>(costs.Cost(static_cast<int>(s), {}));
    r.error = items[s].error;  // set by the baseline measurement
    out.push_back(std::move(r));
  }
  return out;
}

void ReportChosen(Scratch& scratch, const std::vector<WorkloadItem>& items,
                  const CandidatePool& pool, const std::vector<Choice>& chosen, CostCache& costs,
                  AdviceResult* result) {
  const std::vector<WorkloadStatement> ws = SelectionView(items);
  // Final state: exactly the chosen indexes built; plans and costs after.
  std::vector<int> config;
  for (const Choice& c : chosen) config.push_back(c.candidate);
  double base_total = 0;
  for (size_t s = 0; s < items.size(); ++s) {
    base_total += items[s].weight * result->statements[s].cost_before;
  }
  for (size_t s = 0; s < items.size(); ++s) {
    std::vector<int> relevant = Relevant(pool.indexes, config, ws[s]);
    result->statements[s].cost_after =
        static_cast<int64_t>(costs.Cost(static_cast<int>(s), relevant));
    costs.Ensure(ws[s].tables, relevant);
    result->statements[s].plan_after = PlanTextOf(scratch.db(), items[s].sql);
  }
  for (const Choice& c : chosen) {
    Recommendation rec;
    rec.index = pool.indexes[c.candidate];
    rec.index.name = rec.index.StableName();
    rec.benefit = base_total > 0 ? c.benefit / base_total : 0;
    rec.bytes = pool.bytes[c.candidate];
    rec.statements = HelpedStatements(items, pool, ws, config, c.candidate, costs);
    result->recommendations.push_back(std::move(rec));
  }
  std::stable_sort(result->recommendations.begin(), result->recommendations.end(),
                   [](const Recommendation& a, const Recommendation& b) {
                     return a.benefit > b.benefit;
                   });
}

}  // namespace doctor::indexes
