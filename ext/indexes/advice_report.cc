#include "ext/indexes/advice_report.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
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

// "statement 3", "statements 1-3, 7, 10-3000": runs of consecutive numbers as ranges, so a
// workload cut short after its 1,000th statement gets one short line.
std::string StatementNumbers(const std::vector<size_t>& numbers) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < numbers.size();) {
    size_t j = i;
    while (j + 1 < numbers.size() && numbers[j + 1] == numbers[j] + 1) ++j;
    parts.push_back(j == i ? absl::StrCat(numbers[i]) : absl::StrCat(numbers[i], "-", numbers[j]));
    i = j + 1;
  }
  return absl::StrCat(numbers.size() == 1 ? "statement " : "statements ",
                      absl::StrJoin(parts, ", "));
}

}  // namespace

double BenefitShare(double saved, double base_total) {
  if (!(base_total > 0) || !(saved > 0)) return 0;
  return std::min(1.0, saved / base_total);
}

void ReportLimits(const std::vector<WorkloadItem>& items, const CandidatePool& pool,
                  const CostCache& costs, int64_t step_cap, double time_limit_s,
                  AdviceResult* result) {
  std::vector<size_t> capped, cut, bounded;  // statement numbers, from 1
  std::string bound;  // the first memory-bound stop's error (Scratch::Run says which bound)
  for (size_t s = 0; s < items.size(); ++s) {
    StatementResult& r = result->statements[s];
    if (items[s].capped) {
      capped.push_back(s + 1);
      r.limit = absl::StrCat("stopped at the step cap (", step_cap,
                             " VM steps on the sample) before it finished: its cost is a lower "
                             "bound and indexes for it may be missing");
    } else if (items[s].over_memory) {
      bounded.push_back(s + 1);
      if (bound.empty()) bound = items[s].error;
      r.limit = absl::StrCat(items[s].error, ": its cost is a lower bound and indexes for it may "
                             "be missing");
    } else if (costs.cut_by_time().count(static_cast<int>(s))) {
      cut.push_back(s + 1);
      r.limit = absl::StrFormat(
          "not every candidate was measured for it: the search reached its time limit (%g s of "
          "CPU)", time_limit_s);
    }
  }
  if (!capped.empty()) {
    result->limits.push_back(absl::StrCat(
        StatementNumbers(capped), " stopped at the step cap (", step_cap,
        " VM steps on the sample): not fully advised (options: step_cap)"));
  }
  if (!bounded.empty()) {
    result->limits.push_back(
        absl::StrCat(StatementNumbers(bounded), " ", bound, ": not fully advised"));
  }
  if (!cut.empty()) {
    result->limits.push_back(absl::StrFormat(
        "the search reached its time limit (%g s of CPU) before measuring every candidate for "
        "%s: the set is the best found so far (options: time_limit_s)",
        time_limit_s, StatementNumbers(cut)));
  }
  if (pool.unbuildable > 0) {
    result->limits.push_back(absl::StrCat(
        pool.unbuildable, " candidate index", pool.unbuildable == 1 ? " was" : "es were",
        " left out: its CREATE INDEX does not prepare on this schema (first: ",
        pool.first_unbuildable, ")"));
  }
  if (pool.truncated) {
    result->limits.push_back(absl::StrCat("candidates were capped at ", result->candidates,
                                          ": some statements' candidates were not considered"));
  }
}

std::string PlanTextOf(sqlite3* db, const std::string& sql, const std::vector<Value>& params) {
  auto plan = ExplainQueryPlan(db, sql, params);
  return plan.ok() ? PlanText(*plan) : "";
}

std::vector<StatementResult> BaselineResults(Scratch& scratch,
                                             const std::vector<WorkloadItem>& items,
                                             CostCache& costs) {
  std::vector<StatementResult> out;
  // By text and bound values: a repeated statement plans alike.
  std::map<std::string, std::string> plans;
  for (size_t s = 0; s < items.size(); ++s) {
    StatementResult r;
    r.sql = items[s].sql;
    r.weight = items[s].weight;
    r.assumed = items[s].assumed;
    r.source = items[s].source;
    const std::string key = items[s].PlanKey();
    auto plan = plans.find(key);
    if (plan == plans.end()) {
      plan = plans.emplace(key, PlanTextOf(scratch.db(), items[s].sql, items[s].params)).first;
    }
    r.plan_before = plan->second;
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
    result->statements[s].plan_after = PlanTextOf(scratch.db(), items[s].sql, items[s].params);
  }
  for (const Choice& c : chosen) {
    Recommendation rec;
    rec.index = pool.indexes[c.candidate];  // named by the schema's IndexNamer
    rec.benefit = BenefitShare(c.benefit, base_total);
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
