#include "ext/advisor/select.h"

#include <algorithm>

#include "absl/strings/ascii.h"

namespace doctor::advisor {

std::vector<int> Relevant(const std::vector<IndexDef>& candidates, const std::vector<int>& config,
                          const WorkloadStatement& statement) {
  std::vector<int> out;
  for (int id : config) {
    if (statement.tables.count(absl::AsciiStrToLower(candidates[id].table))) out.push_back(id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

double WeightedCost(const std::vector<IndexDef>& candidates,
                    const std::vector<WorkloadStatement>& statements, const CostOracle& cost,
                    const std::vector<int>& config, const std::string& table) {
  double total = 0;
  for (size_t s = 0; s < statements.size(); ++s) {
    if (!table.empty() && !statements[s].tables.count(table)) continue;
    total += statements[s].weight *
             cost(static_cast<int>(s), Relevant(candidates, config, statements[s]));
  }
  return total;
}

}  // namespace

std::vector<Choice> GreedySelect(const std::vector<IndexDef>& candidates,
                                 const std::vector<double>& bytes,
                                 const std::vector<WorkloadStatement>& statements,
                                 const CostOracle& cost, const SelectOptions& options) {
  std::vector<Choice> chosen;
  std::vector<int> config;
  const double base_total = WeightedCost(candidates, statements, cost, {}, "");
  if (base_total <= 0) return chosen;
  const double min_gain = options.min_gain * base_total;
  double used_bytes = 0;
  std::vector<bool> dead(candidates.size(), false);  // never useful again

  while (static_cast<int>(config.size()) < options.max_indexes) {
    int best = -1;
    double best_score = 0, best_benefit = 0;
    std::vector<int> best_replaces;
    for (size_t c = 0; c < candidates.size(); ++c) {
      if (dead[c] || std::find(config.begin(), config.end(), c) != config.end()) continue;
      // A chosen index that is a prefix of this one is replaced; one this is a prefix of makes
      // it redundant.
      bool redundant = false;
      std::vector<int> replaces;
      for (int k : config) {
        if (IsPrefixOf(candidates[c], candidates[k])) redundant = true;
        if (IsPrefixOf(candidates[k], candidates[c])) replaces.push_back(k);
      }
      if (redundant) {
        dead[c] = true;
        continue;
      }
      double freed = 0;
      for (int k : replaces) freed += bytes[k];
      if (options.budget_bytes > 0 && used_bytes - freed + bytes[c] > options.budget_bytes) {
        continue;
      }
      const std::string table = absl::AsciiStrToLower(candidates[c].table);
      std::vector<int> next;
      for (int k : config) {
        if (std::find(replaces.begin(), replaces.end(), k) == replaces.end()) next.push_back(k);
      }
      next.push_back(static_cast<int>(c));
      const double before = WeightedCost(candidates, statements, cost, config, table);
      const double after = WeightedCost(candidates, statements, cost, next, table);
      const double benefit = before - after;
      if (benefit < min_gain) {
        if (config.empty()) dead[c] = true;  // useless alone: skip it in later rounds
        continue;
      }
      const double score = benefit / std::max(1.0, bytes[c] - freed);
      if (best < 0 || score > best_score) {
        best = static_cast<int>(c);
        best_score = score;
        best_benefit = benefit;
        best_replaces = replaces;
      }
    }
    if (best < 0) break;
    for (int k : best_replaces) {
      config.erase(std::find(config.begin(), config.end(), k));
      used_bytes -= bytes[k];
      for (auto it = chosen.begin(); it != chosen.end(); ++it) {
        if (it->candidate == k) {
          best_benefit += it->benefit;
          chosen.erase(it);
          break;
        }
      }
    }
    config.push_back(best);
    used_bytes += bytes[best];
    chosen.push_back({best, best_benefit});
  }

  // Drop what the rest of the set has made useless.
  for (size_t i = 0; i < chosen.size();) {
    std::vector<int> without;
    for (int k : config) {
      if (k != chosen[i].candidate) without.push_back(k);
    }
    const std::string table = absl::AsciiStrToLower(candidates[chosen[i].candidate].table);
    const double with_cost = WeightedCost(candidates, statements, cost, config, table);
    const double without_cost = WeightedCost(candidates, statements, cost, without, table);
    if (without_cost - with_cost < min_gain) {
      config = without;
      chosen.erase(chosen.begin() + static_cast<long>(i));
    } else {
      chosen[i].benefit = without_cost - with_cost;
      ++i;
    }
  }
  return chosen;
}

}  // namespace doctor::advisor
