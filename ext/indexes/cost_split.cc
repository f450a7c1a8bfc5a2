// Writes measured by table (cost_cache.h). A write that reads and writes only its own table
// (FK actions aside) and fires no trigger costs its baseline plus, for each table it touches, what
// that table's indexes add or save: the statement's own search and index upkeep depend only on
// its table's indexes, and each FK action (the child lookups and the cascaded deletes or
// updates, themselves with their own children) runs a plan on one child table, row by row in
// rowid order whatever indexes exist (SQLite collects the rows first when FK actions run), so
// its cost depends only on that table's indexes.
//
// Why: a cascading DELETE without its child's index costs ~1M steps on the sample, and the search
// tries ~100 sets of indexes on the parent table. Each share is measured once, with every other
// table's candidates built (so the child lookups are cheap) and that context's own share known:
// one run per new set of one table, instead of one per new set of all of them.
// DOCTOR_INDEXES_WHOLE_WRITES=1 in the environment measures every set whole (to compare).
#include <algorithm>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "ext/indexes/cost_cache.h"

namespace doctor::indexes {

bool CostCache::SplitsByTable(int s) {
  if (!split_writes_) return false;
  if (splits_.size() != items_.size()) splits_.assign(items_.size(), -1);
  if (splits_[s] >= 0) return splits_[s] == 1;
  const WorkloadItem& item = items_[s];
  bool splits = !item.written.empty() && item.tables.size() >= 2 && item.error.empty() &&
                !item.capped;
  const TableInfo* written = splits ? scratch_.FindTable(item.written) : nullptr;
  splits = written != nullptr && !written->is_virtual && !scratch_.HasTriggers(item.tables);
  if (splits) {
    std::set<std::string> direct;
    splits = scratch_.DirectTables(item.sql, &direct).ok() &&
             direct == std::set<std::string>{item.written};
  }
  splits_[s] = splits ? 1 : 0;
  if (trace_ && !item.written.empty()) {
    fprintf(stderr, "write s=%d measured %s\n", s, splits ? "by table" : "whole");
  }
  return splits;
}

std::vector<int> CostCache::CandidatesOn(const std::string& table) const {
  std::vector<int> out;
  for (size_t c = 0; c < pool_.indexes.size(); ++c) {
    if (absl::AsciiStrToLower(pool_.indexes[c].table) == table && !broken_.count(c)) {
      out.push_back(static_cast<int>(c));
    }
  }
  return out;
}

double CostCache::SplitCost(int s, const std::vector<int>& config) {
  std::map<std::string, std::vector<int>> by_table;
  for (int c : config) by_table[absl::AsciiStrToLower(pool_.indexes[c].table)].push_back(c);
  double total = Cost(s, {});
  for (auto& [table, ids] : by_table) {
    std::sort(ids.begin(), ids.end());
    double delta = 0;
    if (!TableDelta(s, table, ids, &delta)) return -1;
    total += delta;
  }
  return std::max(0.0, total);
}

bool CostCache::TableDelta(int s, const std::string& table, const std::vector<int>& ids,
                           double* delta) {
  auto key = std::make_tuple(s, table, ids);
  if (!deltas_.count(key)) {
    // The context: every other table with all its candidates, whose shares are known.
    if (!MeasureFullShares(s)) return false;
  }
  auto it = deltas_.find(key);
  if (it != deltas_.end()) {
    *delta = it->second;
    return true;
  }
  std::vector<int> config = ids;
  double context = 0;
  for (const std::string& other : items_[s].tables) {
    if (other == table) continue;
    const std::vector<int> all = CandidatesOn(other);
    if (all.empty()) continue;
    auto share = deltas_.find(std::make_tuple(s, other, all));
    if (share == deltas_.end()) return false;
    context += share->second;
    config.insert(config.end(), all.begin(), all.end());
  }
  std::sort(config.begin(), config.end());
  double steps = 0;
  if (!RunWith(s, config, &steps)) return false;
  *delta = steps - Cost(s, {}) - context;
  deltas_[key] = *delta;
  return true;
}

bool CostCache::MeasureFullShares(int s) {
  // The written table last, each with the candidates of those measured before it: a child's
  // share comes first and is measured with its parent scanned once, the parent's with the
  // child's lookups served (not with each parent row scanning the child).
  std::vector<std::string> order;
  for (const std::string& t : items_[s].tables) {
    if (t != items_[s].written) order.push_back(t);
  }
  order.push_back(items_[s].written);
  std::vector<int> context;
  double known = 0;
  for (const std::string& table : order) {
    const std::vector<int> all = CandidatesOn(table);
    if (all.empty()) continue;
    auto key = std::make_tuple(s, table, all);
    if (!deltas_.count(key)) {
      std::vector<int> config = context;
      config.insert(config.end(), all.begin(), all.end());
      std::sort(config.begin(), config.end());
      double steps = 0;
      if (!RunWith(s, config, &steps)) return false;
      deltas_[key] = steps - Cost(s, {}) - known;
    }
    known += deltas_[key];
    context.insert(context.end(), all.begin(), all.end());
  }
  return true;
}

bool CostCache::RunWith(int s, const std::vector<int>& config, double* steps) {
  auto known = cache_.find({s, config});
  if (known != cache_.end()) {
    *steps = known->second;
    return known->second < 1e18;
  }
  Cost(s, {});  // the baseline first: measuring it changes what is built
  if (!Ensure(items_[s].tables, config)) return false;
  bool whole = false;
  *steps = Run(s, config, &whole);
  if (whole) {
    cache_[{s, config}] = *steps;
  } else {
    splits_[s] = 0;  // a share would be wrong: measured whole from now on
  }
  return whole;
}

}  // namespace doctor::indexes
