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

// One run of the greedy selection; the state the rounds share.
class Greedy {
 public:
  Greedy(const std::vector<IndexDef>& candidates, const std::vector<double>& bytes,
         const std::vector<WorkloadStatement>& statements, const CostOracle& cost,
         const SelectOptions& options, const std::vector<std::vector<int>>& bundles)
      : candidates_(candidates), bytes_(bytes), statements_(statements), cost_(cost),
        options_(options), dead_(candidates.size(), false) {
    // Moves: every candidate alone, then the bundles (indexes that only pay together).
    for (size_t c = 0; c < candidates.size(); ++c) moves_.push_back({static_cast<int>(c)});
    for (const auto& b : bundles) {
      if (b.size() >= 2) moves_.push_back(b);
    }
    bound_.assign(moves_.size(), kUnknown);
  }

  std::vector<Choice> Run() {
    const double base_total = WeightedCost(candidates_, statements_, cost_, {}, {});
    if (base_total <= 0) return chosen_;
    // The bar an index must clear is a share of what the workload costs with the set chosen so
    // far: once the dearest statements are served, the rest of the workload is what remains.
    min_gain_ = options_.min_gain * base_total;
    while (Round()) {
      min_gain_ = options_.min_gain * WeightedCost(candidates_, statements_, cost_, config_, {});
    }
    DropUseless();
    cut_ = CutByLimits();
    return chosen_;
  }

  // Which limit kept out an index that would still pay: kCutCount, kCutBudget or both; 0 none.
  int cut() const { return cut_; }

 private:
  static constexpr double kUnknown = std::numeric_limits<double>::infinity();

  struct Scored {
    int move = -1;
    double score = 0, benefit = 0;
    std::vector<int> replaces;
  };

  // Measures move `m` against the current set; false when it cannot be added (bound_ updated).
  bool Score(size_t m, Scored* out, bool within_budget = true) {
    const std::vector<int>& move = moves_[m];
    bool skip = false;
    std::vector<int> replaces;
    double move_bytes = 0;
    std::set<std::string> tables;
    for (int c : move) {
      if (Contains(config_, c)) skip = true;
      // A chosen index that this one extends is replaced; one that extends this one makes it
      // redundant.
      for (int k : config_) {
        if (IsPrefixOf(candidates_[c], candidates_[k])) skip = true;
        if (IsPrefixOf(candidates_[k], candidates_[c]) && !Contains(replaces, k)) {
          replaces.push_back(k);
        }
      }
      move_bytes += bytes_[c];
      tables.insert(absl::AsciiStrToLower(candidates_[c].table));
    }
    if (skip) {
      if (move.size() == 1) dead_[move[0]] = true;
      bound_[m] = 0;
      return false;
    }
    double freed = 0;
    for (int k : replaces) freed += bytes_[k];
    if (within_budget && OverBudget(move_bytes - freed)) return false;
    std::vector<int> next;
    for (int k : config_) {
      if (!Contains(replaces, k)) next.push_back(k);
    }
    next.insert(next.end(), move.begin(), move.end());
    const double benefit = WeightedCost(candidates_, statements_, cost_, config_, tables) -
                           WeightedCost(candidates_, statements_, cost_, next, tables);
    if (benefit < min_gain_) {
      if (config_.empty() && move.size() == 1) dead_[move[0]] = true;
      bound_[m] = 0;
      return false;
    }
    *out = {static_cast<int>(m), benefit / std::max(1.0, move_bytes - freed), benefit, replaces};
    bound_[m] = out->score;
    return true;
  }

  bool OverBudget(double more_bytes) const {
    return options_.budget_bytes > 0 && used_bytes_ + more_bytes > options_.budget_bytes;
  }

  // After the search: which limit (max_indexes, budget_bytes) kept out a move that would still
  // clear the bar with the chosen set; `limits` says so. Before, advice cut by either looked
  // complete. Checked from the best last score down, at most 20 moves measured.
  int CutByLimits() {
    std::vector<size_t> order(moves_.size());
    for (size_t m = 0; m < moves_.size(); ++m) order[m] = m;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return bound_[a] > bound_[b]; });
    int measured = 0;
    for (size_t m : order) {
      if (bound_[m] <= 0 || measured >= 20) break;
      const std::vector<int>& move = moves_[m];
      if (move.size() == 1 && dead_[move[0]]) continue;
      double move_bytes = 0;
      for (int c : move) move_bytes += bytes_[c];
      const int cut =
          (static_cast<int>(config_.size() + move.size()) > options_.max_indexes ? kCutCount : 0) |
          (OverBudget(move_bytes) ? kCutBudget : 0);
      if (cut == 0) continue;
      ++measured;
      Scored scored;
      if (Score(m, &scored, /*within_budget=*/false)) return cut;
    }
    return 0;
  }

  // Lazy greedy: a move's last score bounds its score now (adding indexes rarely makes another
  // one pay more), so each round measures moves in order of their bound and stops as soon as
  // the best measured score beats every remaining bound. False when no move pays.
  bool Round() {
    Scored best;
    std::vector<size_t> order(moves_.size());
    for (size_t m = 0; m < moves_.size(); ++m) order[m] = m;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return bound_[a] > bound_[b]; });
    for (size_t m : order) {
      if (best.move >= 0 && bound_[m] < best.score) break;
      const std::vector<int>& move = moves_[m];
      if (move.size() == 1 && dead_[move[0]]) continue;
      if (static_cast<int>(config_.size() + move.size()) > options_.max_indexes) continue;
      Scored scored;
      if (Score(m, &scored) && (best.move < 0 || scored.score > best.score)) best = scored;
    }
    if (best.move < 0) return false;
    Apply(best);
    return true;
  }

  void Apply(const Scored& best) {
    for (int k : best.replaces) {
      config_.erase(std::find(config_.begin(), config_.end(), k));
      used_bytes_ -= bytes_[k];
      for (auto it = chosen_.begin(); it != chosen_.end(); ++it) {
        if (it->candidate == k) {
          chosen_.erase(it);
          break;
        }
      }
    }
    const std::vector<int>& move = moves_[best.move];
    if (getenv("DOCTOR_INDEXES_TRACE")) {
      fprintf(stderr, "pick move %d (%zu) benefit %.0f score %g replaces %zu\n", best.move,
              move.size(), best.benefit, best.score, best.replaces.size());
    }
    std::set<std::string> changed;
    for (int c : move) {
      config_.push_back(c);
      used_bytes_ += bytes_[c];
      chosen_.push_back({c, best.benefit / static_cast<double>(move.size())});
      changed.insert(absl::AsciiStrToLower(candidates_[c].table));
    }
    Reopen(changed);
  }

  // A candidate useless alone may pay now that a statement it shares has a new index (a join
  // whose other side just got one): look at it again.
  void Reopen(const std::set<std::string>& changed) {
    for (size_t m = 0; m < moves_.size(); ++m) {
      if (bound_[m] > 0) continue;
      bool shares = false;
      for (int c : moves_[m]) {
        const std::string table = absl::AsciiStrToLower(candidates_[c].table);
        for (const WorkloadStatement& st : statements_) {
          if (!st.tables.count(table)) continue;
          for (const std::string& t : changed) shares |= st.tables.count(t) > 0;
        }
      }
      if (!shares) continue;
      bound_[m] = kUnknown;
      for (int c : moves_[m]) dead_[c] = false;
    }
  }

  // Drops what the rest of the set has made useless; the benefit of each that stays is what
  // removing it would cost.
  void DropUseless() {
    for (size_t i = 0; i < chosen_.size();) {
      std::vector<int> without;
      for (int k : config_) {
        if (k != chosen_[i].candidate) without.push_back(k);
      }
      const std::set<std::string> table = {
          absl::AsciiStrToLower(candidates_[chosen_[i].candidate].table)};
      const double with_cost = WeightedCost(candidates_, statements_, cost_, config_, table);
      const double without_cost = WeightedCost(candidates_, statements_, cost_, without, table);
      if (getenv("DOCTOR_INDEXES_TRACE")) {
        fprintf(stderr, "final %d: without %.0f with %.0f\n", chosen_[i].candidate,
                without_cost, with_cost);
      }
      if (without_cost - with_cost < min_gain_) {
        config_ = without;
        chosen_.erase(chosen_.begin() + static_cast<long>(i));
      } else {
        chosen_[i].benefit = without_cost - with_cost;
        ++i;
      }
    }
  }

  const std::vector<IndexDef>& candidates_;
  const std::vector<double>& bytes_;
  const std::vector<WorkloadStatement>& statements_;
  const CostOracle& cost_;
  const SelectOptions& options_;
  double min_gain_ = 0;
  double used_bytes_ = 0;
  std::vector<bool> dead_;  // useless alone: skipped as a single move
  std::vector<std::vector<int>> moves_;
  std::vector<double> bound_;
  std::vector<int> config_;
  std::vector<Choice> chosen_;
  int cut_ = 0;
};

}  // namespace

std::vector<Choice> GreedySelect(const std::vector<IndexDef>& candidates,
                                 const std::vector<double>& bytes,
                                 const std::vector<WorkloadStatement>& statements,
                                 const CostOracle& cost, const SelectOptions& options,
                                 const std::vector<std::vector<int>>& bundles, int* cut) {
  Greedy greedy(candidates, bytes, statements, cost, options, bundles);
  std::vector<Choice> chosen = greedy.Run();
  if (cut != nullptr) *cut = greedy.cut();
  return chosen;
}

}  // namespace doctor::indexes
