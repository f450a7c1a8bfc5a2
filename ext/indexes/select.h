// Workload-level index selection, pure C++: greedy by benefit per byte (as the Extend algorithm
// does), over a cost oracle that measures a statement under a set of indexes. The oracle is
// called with the statement and the chosen candidates on the tables it touches only, so the
// caller can cache costs keyed by (statement, relevant indexes).
//
// Rules: an index is added only when it saves at least `min_gain` of the workload's cost under
// the set chosen so far (so the bar falls once the dearest statements are served); a
// chosen index that is a prefix of the one being added is replaced by it; when the budget
// (count or bytes) is reached the next best that fits is tried; at the end every chosen index
// whose removal does not raise the cost is dropped again (so nothing useless is recommended).
// `bundles` are sets of candidates tried together as one move: indexes that pay only together,
// such as one per branch of an OR (a multi-index OR plan needs every branch indexed).
#ifndef DOCTOR_INDEXES_SELECT_H_
#define DOCTOR_INDEXES_SELECT_H_

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "ext/indexes/index_def.h"

namespace doctor::indexes {

struct WorkloadStatement {
  double weight = 1;             // calls (or 1)
  std::set<std::string> tables;  // lower-case names of the tables it touches
};

struct SelectOptions {
  int max_indexes = 10;
  double budget_bytes = 0;   // 0 = unlimited
  double min_gain = 0.001;   // share of the workload cost an index must save
};

struct Choice {
  int candidate;        // index into the candidates
  double benefit;       // weighted cost saved when it was added (absolute)
};

// cost(statement, candidate ids on its tables, sorted) -> weighted-free cost of the statement.
using CostOracle = std::function<double(int, const std::vector<int>&)>;

// What kept out an index that would still pay (`cut`): bits of these.
constexpr int kCutCount = 1;   // max_indexes
constexpr int kCutBudget = 2;  // budget_bytes

std::vector<Choice> GreedySelect(const std::vector<IndexDef>& candidates,
                                 const std::vector<double>& bytes,
                                 const std::vector<WorkloadStatement>& statements,
                                 const CostOracle& cost, const SelectOptions& options,
                                 const std::vector<std::vector<int>>& bundles = {},
                                 int* cut = nullptr);

// The candidate ids of `config` whose table the statement touches, sorted.
std::vector<int> Relevant(const std::vector<IndexDef>& candidates, const std::vector<int>& config,
                          const WorkloadStatement& statement);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_SELECT_H_
