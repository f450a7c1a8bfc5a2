#include "ext/indexes/cost_cache.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "ext/core/query_plan.h"
#include "ext/core/time.h"

namespace doctor::indexes {
namespace {

// Two statements run alike: the same text with the same values bound (of the same types).
bool RunAlike(const WorkloadItem& a, const WorkloadItem& b) {
  if (a.sql != b.sql || a.params.size() != b.params.size()) return false;
  for (size_t i = 0; i < a.params.size(); ++i) {
    if (a.params[i].storage().index() != b.params[i].storage().index() ||
        a.params[i].AsText() != b.params[i].AsText()) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::vector<int> FirstAlike(const std::vector<WorkloadItem>& items) {
  std::vector<int> out;
  std::map<std::string, std::vector<int>> by_text;  // statements first seen, by text
  for (size_t s = 0; s < items.size(); ++s) {
    int first = static_cast<int>(s);
    std::vector<int>& seen = by_text[items[s].sql];
    for (int t : seen) {
      if (first == static_cast<int>(s) && RunAlike(items[t], items[s])) first = t;
    }
    if (first == static_cast<int>(s)) seen.push_back(first);
    out.push_back(first);
  }
  return out;
}

CostCache::CostCache(Scratch& scratch, std::vector<WorkloadItem>& items,
                     const CandidatePool& pool, double time_limit_s)
    : scratch_(scratch), items_(items), pool_(pool), time_limit_s_(time_limit_s),
      first_(FirstAlike(items)) {}

CostCache::~CostCache() {
  if (trace_) {
    fprintf(stderr, "cost cache: %d builds %.0fms CPU, %d runs %.0fms CPU\n", builds_,
            1000 * build_s_, runs_, 1000 * run_s_);
  }
}

double CostCache::CpuSeconds() const { return ProcessCpuSeconds() - cpu_start_; }

void CostCache::PoolRenumbered() {
  for (int c : built_) scratch_.DropIndex(pool_.indexes[c]).IgnoreError();
  built_.clear();
  broken_.clear();
  deltas_.clear();
  for (auto it = cache_.begin(); it != cache_.end();) {
    it = it->first.second.empty() ? std::next(it) : cache_.erase(it);
  }
}

bool CostCache::Ensure(const std::set<std::string>& tables, const std::vector<int>& config) {
  // Indexes leaving the set are parked and those coming back unparked (scratch_park.cc): one
  // schema reload instead of building each again.
  bool changed = false;
  for (auto it = built_.begin(); it != built_.end();) {
    if (tables.count(absl::AsciiStrToLower(pool_.indexes[*it].table)) &&
        std::find(config.begin(), config.end(), *it) == config.end()) {
      scratch_.ParkIndex(pool_.indexes[*it]);
      it = built_.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  for (int c : config) {
    if (!built_.count(c) && scratch_.UnparkIndex(pool_.indexes[c])) {
      built_.insert(c);
      changed = true;
    }
  }
  scratch_.ReloadSchema().IgnoreError();
  for (int c : config) {
    if (built_.count(c)) continue;
    if (broken_.count(c) || !scratch_.AddIndex(pool_.indexes[c]).ok()) {
      broken_.insert(c);
      scratch_.DropIndex(pool_.indexes[c]).IgnoreError();
      return false;
    }
    built_.insert(c);
    ++builds_;
    changed = true;
  }
  if (!changed) return true;
  // One order (by candidate id) whatever came before: a set costs the same each time.
  std::vector<IndexDef> in_order;
  for (int c : built_) {
    if (tables.count(absl::AsciiStrToLower(pool_.indexes[c].table))) {
      in_order.push_back(pool_.indexes[c]);
    }
  }
  scratch_.OrderIndexes(in_order);
  scratch_.ReloadSchema().IgnoreError();
  return true;
}

std::vector<int> CostCache::UsedByPlan(const WorkloadItem& item, const std::vector<int>& config) {
  auto plan = ExplainQueryPlan(scratch_.db(), item.sql, item.params);
  if (!plan.ok()) return config;
  std::vector<int> used;
  for (int k : config) {
    if (plan->UsesIndex(pool_.indexes[k].name)) used.push_back(k);
  }
  return used;
}

double CostCache::CostOfRepeat(int s, int same, const std::vector<int>& config) {
  const double cost = Cost(same, config);
  items_[s].error = items_[same].error;
  items_[s].capped = items_[same].capped;
  if (cut_by_time_.count(same)) cut_by_time_.insert(s);
  return cost;
}

double CostCache::Cost(int s, const std::vector<int>& config) {
  if (first_[s] != s) return CostOfRepeat(s, first_[s], config);
  auto key = std::make_pair(s, config);
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second;
  // >=: a limit of 0 cuts even where the CPU clock advances in ticks (Windows) and reads 0.
  if (!config.empty() && CpuSeconds() >= time_limit_s_) {
    cut_by_time_.insert(s);
    return Cost(s, {});
  }
  double cost = -1;
  if (!config.empty() && SplitsByTable(s)) cost = SplitCost(s, config);
  if (cost < 0) cost = Measure(s, config);
  cache_[key] = cost;
  return cost;
}

double CostCache::Measure(int s, const std::vector<int>& config) {
  WorkloadItem& item = items_[s];
  // The baseline first: measuring it changes what is built.
  if (!config.empty()) Cost(s, {});
  const double cpu0 = trace_ ? ProcessCpuSeconds() : 0;
  const bool built = Ensure(item.tables, config);
  if (trace_) build_s_ += ProcessCpuSeconds() - cpu0;
  if (built && !config.empty() && item.written.empty()) {
    // A query's plan that uses only some of the indexes costs what those alone cost: the
    // planner's best plan over more indexes that ignores the others is its best plan without
    // them too. EXPLAIN is far cheaper than running the statement. That plan is measured as
    // built (the next statement most likely needs the same set).
    std::vector<int> used = UsedByPlan(item, config);
    if (used.size() < config.size()) {
      auto it = cache_.find({s, used});
      if (it != cache_.end()) return it->second;
      const double cost = Run(s, config);
      cache_[{s, used}] = cost;
      return cost;
    }
  }
  // An index that cannot be built is never chosen.
  return built ? Run(s, config) : 1e18;
}

double CostCache::Run(int s, const std::vector<int>& config, bool* whole) {
  WorkloadItem& item = items_[s];
  // A configuration worse than twice the baseline is simply "worse": stop measuring there.
  const int64_t cap = config.empty() ? 0 : static_cast<int64_t>(2 * Cost(s, {})) + 10000;
  const double cpu0 = trace_ ? ProcessCpuSeconds() : 0;
  StepCount m = scratch_.Run(item.sql, item.params, cap);
  const double cpu = trace_ ? ProcessCpuSeconds() - cpu0 : 0;
  run_s_ += cpu;
  ++runs_;
  steps_run_ += static_cast<double>(m.steps);
  if (!m.error.empty() && config.empty()) item.error = m.error;
  if (m.capped && config.empty()) item.capped = true;
  if (Scratch::StoppedByMemoryBound(m) && config.empty()) item.over_memory = true;
  if (whole != nullptr) *whole = m.error.empty() && !m.capped;
  if (trace_) {
    fprintf(stderr, "cost s=%d n=%zu run=%.1fms CPU steps=%lld\n", s, config.size(),
            1000 * cpu, static_cast<long long>(m.steps));
  }
  return static_cast<double>(m.steps);
}

}  // namespace doctor::indexes
