#include "ext/indexes/advise_engine.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "ext/core/status_macros.h"
#include "ext/core/time.h"
#include "ext/indexes/candidate_pool.h"
#include "ext/indexes/cost_cache.h"
#include "ext/indexes/probe.h"
#include "ext/indexes/scratch.h"
#include "ext/indexes/search.h"
#include "ext/indexes/structural.h"

namespace doctor::indexes {

absl::StatusOr<AdviceResult> Advise(Connection& connection,
                                    const std::vector<InputStatement>& workload,
                                    const AdviseOptions& options) {
  ScratchOptions so;
  so.sample_rows = options.sample_rows;
  so.foreign_keys = options.foreign_keys;
  so.analyze_sample = options.analyze_sample;
  so.step_cap = options.step_cap;
  so.expected_rows = options.rows;
  const bool trace = getenv("DOCTOR_INDEXES_TRACE") != nullptr;
  const double start = MonotonicMs();
  const double cpu_start = ProcessCpuSeconds();
  auto phase = [&](const char* what) {
    if (trace) {
      fprintf(stderr, "%s %.1fms (%.0fms CPU)\n", what, MonotonicMs() - start,
              1000 * (ProcessCpuSeconds() - cpu_start));
    }
  };
  ASSIGN_OR_RETURN(std::unique_ptr<Scratch> scratch, Scratch::Build(connection, so));
  phase("scratch built");
  ASSIGN_OR_RETURN(std::unique_ptr<Probe> probe, Probe::Build(*scratch));
  ASSIGN_OR_RETURN(std::vector<WorkloadItem> items, LoadWorkload(*scratch, workload));
  phase("loaded");
  CandidateCollector collector(connection, *scratch, *probe, options);
  for (WorkloadItem& item : items) collector.AddStatement(&item);
  CandidatePool pool = collector.Take();
  std::vector<Recommendation> structural = StructuralAdvice(pool);
  phase("candidates");

  CostCache costs(*scratch, items, pool, options.time_limit_s);
  AdviceResult result;
  result.candidates = static_cast<int>(pool.size());
  result.statements = BaselineResults(*scratch, items, costs);
  phase("baseline");
  PruneCandidates(*scratch, items, &pool);
  costs.PoolRenumbered();
  phase("pruned");
  std::vector<Choice> chosen = SearchIndexes(pool, items, costs, options);
  ReportChosen(*scratch, items, pool, chosen, costs, &result);
  ReportLimits(items, pool, costs, options.step_cap, options.time_limit_s, &result);
  // What was measured on an empty table is no evidence (a few VM steps either way): structural.
  for (Recommendation& rec : result.recommendations) {
    const TableInfo* t = scratch->FindTable(rec.index.table);
    if (t != nullptr && t->Unmeasured()) {
      rec.basis = "structural";
      rec.benefit = 0;
    }
  }
  // Structural advice only where the measured set has nothing that serves the same lookups.
  const size_t measured = result.recommendations.size();
  for (Recommendation& rec : structural) {
    bool served = false;
    for (size_t m = 0; m < measured; ++m) {
      served |= IsPrefixOf(rec.index, result.recommendations[m].index);
    }
    if (!served) result.recommendations.push_back(std::move(rec));
  }
  phase("done");
  return result;
}

}  // namespace doctor::indexes
