#include "ext/indexes/select.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "absl/strings/ascii.h"

namespace doctor::indexes {

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

// Weighted cost of the statements touching any of `tables` (all statements when empty).
double WeightedCost(const std::vector<IndexDef>& candidates,
                    const std::vector<WorkloadStatement>& statements, const CostOracle& cost,
                    const std::vector<int>& config, const std::set<std::string>& tables) {
  double total = 0;
  for (size_t s = 0; s < statements.size(); ++s) {
    bool touches = tables.empty();
    for (const std::string& t : tables) touches |= statements[s].tables.count(t) > 0;
    if (!touches) continue;
    total += statements[s].weight *
             cost(static_cast<int>(s), Relevant(candidates, config, statements[s]));
  }
  return total;
}

bool Contains(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

std::vector<Choice> GreedySelect(const std::vector<IndexDef>& candidates,
                                 const std::vector<double>& bytes,
                                 const std::vector<WorkloadStatement>& statements,
                                 const CostOracle& cost, const SelectOptions& options,
                                 const std::vector<std::vector<int>>& bundles) {
  std::vector<Choice> chosen;
  std::vector<int> config;
  const double base_total = WeightedCost(candidates, statements, cost, {}, {});
  if (base_total <= 0) return chosen;
  const double min_gain = options.min_gain * base_total;
  double used_bytes = 0;
  std::vector<bool> dead(candidates.size(), false);  // useless alone: skipped as a single move
  // Moves: every candidate alone, then the bundles (indexes that only pay together).
  std::vector<std::vector<int>> moves;
  for (size_t c = 0; c < candidates.size(); ++c) moves.push_back({static_cast<int>(c)});
  for (const auto& b : bundles) {
    if (b.size() >= 2) moves.push_back(b);
  }

  // Lazy greedy: a move's last score bounds its score now (adding indexes rarely makes another
  // one pay more), so each round measures moves in order of their bound and stops as soon as
  // the best measured score beats every remaining bound. Moves whose statements just got an
  // index and that were useless before are measured again (a join's other side).
  const double kUnknown = std::numeric_limits<double>::infinity();
  std::vector<double> bound(moves.size(), kUnknown);
  while (true) {
    int best = -1;
    double best_score = 0, best_benefit = 0;
    std::vector<int> best_replaces;
    std::vector<size_t> order(moves.size());
    for (size_t m = 0; m < moves.size(); ++m) order[m] = m;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return bound[a] > bound[b]; });
    for (size_t m : order) {
      if (best >= 0 && bound[m] < best_score) break;
      const std::vector<int>& move = moves[m];
      if (move.size() == 1 && dead[move[0]]) continue;
      if (static_cast<int>(config.size() + move.size()) > options.max_indexes) continue;
      bool skip = false;
      std::vector<int> replaces;
      double move_bytes = 0;
      std::set<std::string> tables;
      for (int c : move) {
        if (Contains(config, c)) skip = true;
        // A chosen index that this one extends is replaced; one that extends this one makes
        // it redundant.
        for (int k : config) {
          if (IsPrefixOf(candidates[c], candidates[k])) skip = true;
          if (IsPrefixOf(candidates[k], candidates[c]) && !Contains(replaces, k)) replaces.push_back(k);
        }
        move_bytes += bytes[c];
        tables.insert(absl::AsciiStrToLower(candidates[c].table));
      }
      if (skip) {
        if (move.size() == 1) dead[move[0]] = true;
        bound[m] = 0;
        continue;
      }
      double freed = 0;
      for (int k : replaces) freed += bytes[k];
      if (options.budget_bytes > 0 && used_bytes - freed + move_bytes > options.budget_bytes) {
        continue;
      }
      std::vector<int> next;
      for (int k : config) {
        if (!Contains(replaces, k)) next.push_back(k);
      }
      next.insert(next.end(), move.begin(), move.end());
      const double before = WeightedCost(candidates, statements, cost, config, tables);
      const double after = WeightedCost(candidates, statements, cost, next, tables);
      const double benefit = before - after;
      if (benefit < min_gain) {
        if (config.empty() && move.size() == 1) dead[move[0]] = true;
        bound[m] = 0;
        continue;
      }
      const double score = benefit / std::max(1.0, move_bytes - freed);
      bound[m] = score;
      if (best < 0 || score > best_score) {
        best = static_cast<int>(m);
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
          chosen.erase(it);
          break;
        }
      }
    }
    if (getenv("DOCTOR_INDEXES_TRACE")) {
      fprintf(stderr, "pick move %d (%zu) benefit %.0f score %g replaces %zu\n", best,
              moves[best].size(), best_benefit, best_score, best_replaces.size());
    }
    std::set<std::string> changed;
    for (int c : moves[best]) {
      config.push_back(c);
      used_bytes += bytes[c];
      chosen.push_back({c, best_benefit / static_cast<double>(moves[best].size())});
      changed.insert(absl::AsciiStrToLower(candidates[c].table));
    }
    // A candidate useless alone may pay now that a statement it shares has a new index (a join
    // whose other side just got one): look at it again.
    for (size_t m = 0; m < moves.size(); ++m) {
      if (bound[m] > 0) continue;
      bool shares = false;
      for (int c : moves[m]) {
        const std::string table = absl::AsciiStrToLower(candidates[c].table);
        for (const WorkloadStatement& st : statements) {
          if (!st.tables.count(table)) continue;
          for (const std::string& t : changed) shares |= st.tables.count(t) > 0;
        }
      }
      if (!shares) continue;
      bound[m] = kUnknown;
      for (int c : moves[m]) dead[c] = false;
    }
  }

  // Drop what the rest of the set has made useless; the benefit of each that stays is what
  // removing it would cost.
  for (size_t i = 0; i < chosen.size();) {
    std::vector<int> without;
    for (int k : config) {
      if (k != chosen[i].candidate) without.push_back(k);
    }
    const std::set<std::string> table = {
        absl::AsciiStrToLower(candidates[chosen[i].candidate].table)};
    const double with_cost = WeightedCost(candidates, statements, cost, config, table);
    const double without_cost = WeightedCost(candidates, statements, cost, without, table);
    if (getenv("DOCTOR_INDEXES_TRACE")) {
      fprintf(stderr, "final %d: without %.0f with %.0f\n", chosen[i].candidate, without_cost,
              with_cost);
    }
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

}  // namespace doctor::indexes
