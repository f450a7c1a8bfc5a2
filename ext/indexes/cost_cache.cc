#include "ext/indexes/cost_cache.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "ext/core/query_plan.h"
#include "ext/core/time.h"

namespace doctor::indexes {

CostCache::CostCache(Scratch& scratch, std::vector<WorkloadItem>& items,
                     const CandidatePool& pool, double time_limit_s)
    : scratch_(scratch), items_(items), pool_(pool), time_limit_s_(time_limit_s) {}

double CostCache::CpuSeconds() const { return ProcessCpuSeconds() - cpu_start_; }

void CostCache::PoolRenumbered() {
  for (int c : built_) scratch_.DropIndex(pool_.indexes[c]).IgnoreError();
  built_.clear();
  broken_.clear();
  for (auto it = cache_.begin(); it != cache_.end();) {
    it = it->first.second.empty() ? std::next(it) : cache_.erase(it);
  }
}

bool CostCache::Ensure(const std::set<std::string>& tables, const std::vector<int>& config) {
  for (auto it = built_.begin(); it != built_.end();) {
    if (tables.count(absl::AsciiStrToLower(pool_.indexes[*it].table)) &&
        std::find(config.begin(), config.end(), *it) == config.end()) {
      scratch_.DropIndex(pool_.indexes[*it]).IgnoreError();
      it = built_.erase(it);
    } else {
      ++it;
    }
  }
  for (int c : config) {
    if (built_.count(c)) continue;
    if (broken_.count(c) || !scratch_.AddIndex(pool_.indexes[c]).ok()) {
      broken_.insert(c);
      scratch_.DropIndex(pool_.indexes[c]).IgnoreError();
      return false;
    }
    built_.insert(c);
  }
  return true;
}

std::vector<int> CostCache::UsedByPlan(const WorkloadItem& item, const std::vector<int>& config) {
  auto plan = ExplainQueryPlan(scratch_.db(), item.sql);
  if (!plan.ok()) return config;
  std::vector<int> used;
  for (int k : config) {
    if (plan->UsesIndex(pool_.indexes[k].name)) used.push_back(k);
  }
  return used;
}

double CostCache::Cost(int s, const std::vector<int>& config) {
  auto key = std::make_pair(s, config);
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second;
  // >=: a limit of 0 cuts even where the CPU clock advances in ticks (Windows) and reads 0.
  if (!config.empty() && CpuSeconds() >= time_limit_s_) {
    cut_by_time_.insert(s);
    return Cost(s, {});
  }
  const double cost = Measure(s, config);
  cache_[key] = cost;
  return cost;
}

double CostCache::Measure(int s, const std::vector<int>& config) {
  WorkloadItem& item = items_[s];
  const double t0 = MonotonicMs();
  const bool built = Ensure(item.tables, config);
  const double t1 = MonotonicMs();
  if (built && !config.empty() && item.written.empty()) {
    // A query's plan that uses only some of the indexes costs what those alone cost: the
    // planner's best plan over more indexes that ignores the others is its best plan without
    // them too. EXPLAIN is far cheaper than running the statement.
    std::vector<int> used = UsedByPlan(item, config);
    if (used.size() < config.size()) return Cost(s, used);
  }
  double cost;
  if (!built) {
    cost = 1e18;  // an index that cannot be built is never chosen
  } else {
    // A configuration worse than twice the baseline is simply "worse": stop measuring there.
    const int64_t cap = config.empty() ? 0 : static_cast<int64_t>(2 * Cost(s, {})) + 10000;
    StepCount m = scratch_.Run(item.sql, item.params, cap);
    if (!m.error.empty() && config.empty()) item.error = m.error;
    if (m.capped && config.empty()) item.capped = true;
    cost = static_cast<double>(m.steps);
  }
  if (getenv("DOCTOR_INDEXES_TRACE")) {
    fprintf(stderr, "cost s=%d n=%zu build=%.1fms run=%.1fms steps=%.0f\n", s, config.size(),
            t1 - t0, MonotonicMs() - t1, cost);
  }
  return cost;
}

}  // namespace doctor::indexes
