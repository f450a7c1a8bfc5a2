// Cost phase of the advisor: the cost of one workload statement (VM steps on the scratch copy)
// with exactly a given set of candidate indexes built on its tables, measured once per
// (statement, set) and cached. A query whose plan uses only some of the set costs what that
// subset costs (read from EXPLAIN QUERY PLAN, much cheaper than running it). The measuring is
// bounded in CPU time: past `time_limit_s`, a set not yet measured costs the baseline, and the
// cache remembers that the limit was reached. A statement that appears again with the same
// values bound (a workload of repeated calls) is measured once: the repeats share the first
// one's costs, error and limits. Each candidate is built once (then parked and unparked:
// scratch_park.cc), and a write that splits by table is measured one table's set at a time
// (cost_split.cc).
//
// Example:
//   CostCache costs(scratch, items, pool, options.time_limit_s);
//   double before = costs.Cost(0, {});
//   double after = costs.Cost(0, {3, 7});   // candidate ids, sorted
#ifndef DOCTOR_INDEXES_COST_CACHE_H_
#define DOCTOR_INDEXES_COST_CACHE_H_

#include <cstdlib>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "ext/core/time.h"
#include "ext/indexes/candidate_pool.h"
#include "ext/indexes/scratch.h"
#include "ext/indexes/workload.h"

namespace doctor::indexes {

// By statement: the first statement of the workload that runs like it (the same text with the
// same values bound; itself when none does).
std::vector<int> FirstAlike(const std::vector<WorkloadItem>& items);

class CostCache {
 public:
  CostCache(Scratch& scratch, std::vector<WorkloadItem>& items, const CandidatePool& pool,
            double time_limit_s);
  ~CostCache();  // with DOCTOR_INDEXES_TRACE: what the measuring took

  // Cost of statement `s` with the candidates `config` (ids into the pool, on its tables).
  double Cost(int s, const std::vector<int>& config);
  // Builds exactly `config` among the candidates on `tables` (false: one cannot be built).
  bool Ensure(const std::set<std::string>& tables, const std::vector<int>& config);
  // To call after the pool is renumbered (pruned): only baseline costs stay valid.
  void PoolRenumbered();
  // True when the CPU time limit cut the measuring short; the statements it cut.
  bool time_limit_reached() const { return !cut_by_time_.empty(); }
  const std::set<int>& cut_by_time() const { return cut_by_time_; }
  // How many times a statement was run to measure it so far, and their VM steps in all.
  int runs() const { return runs_; }
  int builds() const { return builds_; }  // indexes built (CREATE INDEX) so far
  double steps_run() const { return steps_run_; }
  // Off: a write is always measured whole with each set (cost_split.cc splits it by table).
  void set_split_writes(bool on) { split_writes_ = on; }

 private:
  double Measure(int s, const std::vector<int>& config);
  // Runs statement `s` on the copy as built (`config`: the candidates it is measured with);
  // `whole`: it ran to its end (no error, not capped).
  double Run(int s, const std::vector<int>& config, bool* whole = nullptr);

  // Writes whose cost is a sum over their tables (cost_split.cc).
  bool SplitsByTable(int s);
  // The cost of such a write: its baseline plus each table's share; < 0 when a run did not
  // finish (then it is measured whole).
  double SplitCost(int s, const std::vector<int>& config);
  // The share of `table` with its candidates `ids` (what they add to the baseline).
  bool TableDelta(int s, const std::string& table, const std::vector<int>& ids, double* delta);
  // The share of each table with all its candidates (the context other shares are measured in).
  bool MeasureFullShares(int s);
  // Measures the statement with exactly `config` built; false when it did not finish.
  bool RunWith(int s, const std::vector<int>& config, double* steps);
  std::vector<int> CandidatesOn(const std::string& table) const;
  // The subset of `config` the statement's plan uses (all of it when the plan is unknown).
  std::vector<int> UsedByPlan(const WorkloadItem& item, const std::vector<int>& config);
  double CpuSeconds() const;
  // The cost of statement `s`, which runs like the earlier statement `same`.
  double CostOfRepeat(int s, int same, const std::vector<int>& config);

  Scratch& scratch_;
  std::vector<WorkloadItem>& items_;
  const CandidatePool& pool_;
  double time_limit_s_;
  // CPU time, not wall time: a busy machine must not starve the search of results.
  double cpu_start_ = ProcessCpuSeconds();  // ext/core/time.h
  std::set<int> cut_by_time_;
  std::set<int> built_, broken_;
  std::map<std::pair<int, std::vector<int>>, double> cache_;
  std::vector<int> first_;  // by statement: the first statement that runs like it
  // Split writes: by statement 1 (splits) / 0 / -1 (not known yet); the shares by (statement,
  // table, candidates on it).
  std::vector<int> splits_;
  std::map<std::tuple<int, std::string, std::vector<int>>, double> deltas_;
  bool split_writes_ = getenv("DOCTOR_INDEXES_WHOLE_WRITES") == nullptr;
  const bool trace_ = getenv("DOCTOR_INDEXES_TRACE") != nullptr;
  // For the trace: indexes built, statements run, and their CPU seconds.
  int builds_ = 0, runs_ = 0;
  double steps_run_ = 0;
  double build_s_ = 0, run_s_ = 0;
};

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_COST_CACHE_H_
