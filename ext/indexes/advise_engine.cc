#include "ext/indexes/advise_engine.h"

#include <algorithm>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ext/core/foreign_keys.h"
#include "ext/core/query_plan.h"
#include "ext/core/status_macros.h"
#include "ext/core/time.h"
#include "ext/indexes/candidate_pool.h"
#include "ext/indexes/cost_cache.h"
#include "ext/indexes/lint.h"
#include "ext/indexes/probe.h"
#include "ext/indexes/scratch.h"
#include "ext/indexes/search.h"
#include "ext/indexes/structural.h"

namespace doctor::indexes {
namespace {

// The candidates of every statement; a statement repeated with the same values is probed once
// (it would only find the same candidates again) and shares its first occurrence's tables and
// structural advice.
CandidatePool CollectCandidates(Connection& connection, Scratch& scratch, Probe& probe,
                                const AdviseOptions& options, std::vector<WorkloadItem>* items) {
  const std::vector<int> first = FirstAlike(*items);
  std::map<int, int> probed;  // statement -> its number among those probed (the collector's)
  CandidateCollector collector(connection, scratch, probe, options);
  for (size_t s = 0; s < items->size(); ++s) {
    if (first[s] != static_cast<int>(s)) continue;
    collector.AddStatement(&(*items)[s]);
    probed[static_cast<int>(s)] = static_cast<int>(probed.size());
  }
  CandidatePool pool = collector.Take();
  // The structural candidates by statement again, in workload order, repeats included.
  std::vector<std::pair<int, int>> structural;
  for (size_t s = 0; s < items->size(); ++s) {
    for (const auto& [candidate, n] : pool.structural) {
      if (n == probed[first[s]]) structural.push_back({candidate, static_cast<int>(s)});
    }
  }
  pool.structural = std::move(structural);
  for (size_t s = 0; s < items->size(); ++s) (*items)[s].tables = (*items)[first[s]].tables;
  return pool;
}

// True when a statement `rec` helps reads its index whole, in order (a GROUP BY or ORDER BY
// with no sort): its selectivity does not matter then.
bool ServesAnOrderedScan(const AdviceResult& result, const Recommendation& rec) {
  for (int id : rec.statements) {
    if (id < 0 || static_cast<size_t>(id) >= result.statements.size()) continue;
    if (ParsePlanText(result.statements[id].plan_after).ScansIndexInOrder(rec.index.Name())) {
      return true;
    }
  }
  return false;
}

// Nothing index_lint would then tell you to drop (one index model): an index whose lookups
// save less than half a scan of rows this common. One that a statement reads in order is kept
// (lint does not flag it either once the captured workload reads it so: lint.cc's
// SelectivityFinding). The names of such recommendations.
std::set<std::string> UnselectiveOf(Scratch& scratch, const AdviceResult& result) {
  std::set<std::string> out;
  for (const Recommendation& rec : result.recommendations) {
    if (!ServesAnOrderedScan(result, rec) && LintWouldCallUnselective(scratch, rec.index)) {
      out.insert(rec.index.Name());
    }
  }
  return out;
}

// Searches the pool for the set to recommend and reports it, leaving out what lint would call
// low_selectivity by searching again without it: the rest of the set was chosen and measured
// with it (an OR's other branch, whose index alone serves nothing, was recommended with the
// benefit and plan of the pair: WordPress's comment flood check got (comment_author_email,
// comment_date_gmt), 2% of the workload, plan "MULTI-INDEX OR" through the IP index it left out).
// `left_out`: the names left out, for `limits`.
void SearchLeavingOutUnselective(Scratch& scratch, const std::vector<WorkloadItem>& items,
                                 const AdviseOptions& options, CandidatePool& pool,
                                 CostCache& costs, AdviceResult* result, int* cut,
                                 std::set<std::string>* left_out) {
  const std::vector<StatementResult> baseline = result->statements;
  constexpr int kSearches = 3;  // the last one's unselective indexes are only taken out
  for (int search = 1;; ++search) {
    *cut = 0;
    const std::vector<Choice> chosen = SearchIndexes(pool, items, costs, options, cut);
    result->statements = baseline;
    result->recommendations.clear();
    ReportChosen(scratch, items, pool, chosen, costs, result);
    const std::set<std::string> unselective = UnselectiveOf(scratch, *result);
    left_out->insert(unselective.begin(), unselective.end());
    if (unselective.empty()) return;
    if (search == kSearches) {
      auto& recs = result->recommendations;
      recs.erase(std::remove_if(recs.begin(), recs.end(),
                                [&](const Recommendation& rec) {
                                  return unselective.count(rec.index.Name()) > 0;
                                }),
                 recs.end());
      return;
    }
    costs.PoolRenumbered();  // drops the built candidates by their ids: before renumbering
    LeaveOutCandidates(unselective, &pool);
  }
}

// The advice on one copy: of the workload's scope (scratch_scope.h) unless `whole_schema`.
// `missed` is set when a statement failed on the copy for want of a table or view it left out
// (the scope is an over-approximation, this the safety net): the caller asks again on a whole copy.
absl::StatusOr<AdviceResult> AdviseOnCopy(Connection& connection,
                                          const std::vector<InputStatement>& workload,
                                          const AdviseOptions& options, bool whole_schema,
                                          bool* missed) {
  ScratchOptions so;
  so.whole_schema = whole_schema;
  so.scope_leaves_out = options.scope_leaves_out;
  so.sample_rows = options.sample_rows;
  so.foreign_keys = options.foreign_keys;
  // A foreign key whose parent table is missing: with foreign_keys on, no write of its child
  // prepares, so the application runs with them off and so does the copy.
  std::string dangling;
  if (so.foreign_keys) {
    ASSIGN_OR_RETURN(dangling, ForeignKeyToMissingTable(connection, "main"));
    if (!dangling.empty()) so.foreign_keys = false;
  }
  so.analyze_sample = options.analyze_sample;
  so.step_cap = options.step_cap;
  so.expected_rows = options.rows;
  for (const InputStatement& in : workload) so.workload.push_back(in.sql);
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
  std::vector<std::string> skipped;  // statements not advised (another schema's tables), and why
  ASSIGN_OR_RETURN(std::vector<WorkloadItem> items, LoadWorkload(*scratch, workload, &skipped));
  if (items.empty() && !skipped.empty()) {
    // Nothing left to advise on: the reason is the answer, not an empty set of rows.
    const bool given = !workload.empty() && workload[0].strict;
    return absl::InvalidArgumentError(
        absl::StrCat(given ? "workload" : "captured workload", ": no statement to advise on: ",
                     absl::StrJoin(skipped, "; ")));
  }
  phase("loaded");
  AdviseOptions effective = options;
  effective.foreign_keys = so.foreign_keys;
  CandidatePool pool = CollectCandidates(connection, *scratch, *probe, effective, &items);
  std::vector<Recommendation> structural = StructuralAdvice(*scratch, items, pool);
  phase("candidates");

  CostCache costs(*scratch, items, pool, options.time_limit_s);
  AdviceResult result;
  result.candidates = static_cast<int>(pool.size());
  result.statements = BaselineResults(*scratch, items, costs);
  phase("baseline");
  for (const StatementResult& st : result.statements) {
    if (scratch->NamesLeftOut(st.error)) {
      if (trace) fprintf(stderr, "advice: the whole schema after all: %s\n", st.error.c_str());
      *missed = true;
      return result;
    }
  }
  PruneCandidates(*scratch, items, &pool);
  costs.PoolRenumbered();
  phase("pruned");
  int cut = 0;
  std::set<std::string> unselective;
  SearchLeavingOutUnselective(*scratch, items, options, pool, costs, &result, &cut, &unselective);
  ReportLimits(items, pool, costs, options.step_cap, options.time_limit_s, &result);
  // Before, advice cut short by either option looked complete (limits NULL).
  if ((cut & kCutCount) != 0) {
    result.limits.push_back(absl::StrCat("max_indexes (", options.max_indexes,
                                         ") kept out more indexes that would pay"));
  }
  if ((cut & kCutBudget) != 0) {
    result.limits.push_back(absl::StrCat("budget_bytes (",
                                         static_cast<int64_t>(options.budget_bytes),
                                         ") kept out more indexes that would pay"));
  }
  // At most a few named (the limits text is on every row); the count says the rest.
  for (size_t i = 0; i < skipped.size() && i < 5; ++i) result.limits.push_back(skipped[i]);
  if (skipped.size() > 5) {
    result.limits.push_back(absl::StrCat(skipped.size() - 5, " more statements not advised"));
  }
  if (!dangling.empty()) {
    result.limits.push_back(absl::StrCat("writes measured without foreign key actions: the foreign "
                                         "key ", dangling, " names a table that does not exist"));
  }
  if (!unselective.empty()) {
    result.limits.push_back(absl::StrCat(
        "left out as index_lint would call them low_selectivity (each key value matches 10% of "
        "the rows or more, and a lookup saves less than half a scan): ",
        absl::StrJoin(unselective, ", ")));
  }
  // What was measured on an empty table is no evidence (a few VM steps either way, which a
  // covering variant of the structural advice wins once that is built): structural advice
  // speaks for such a table alone.
  auto unmeasured = [&](const Recommendation& rec) {
    const TableInfo* t = scratch->FindTable(rec.index.table);
    return t != nullptr && t->Unmeasured();
  };
  result.recommendations.erase(std::remove_if(result.recommendations.begin(),
                                              result.recommendations.end(), unmeasured),
                               result.recommendations.end());
  // Structural advice only where the measured set has nothing that serves the same lookups.
  // Within max_indexes: before, they came on top of it (max_indexes 0 still gave one).
  const size_t measured = result.recommendations.size();
  int left_out = 0;
  for (Recommendation& rec : structural) {
    bool served = false;
    for (size_t m = 0; m < measured; ++m) {
      served |= IsPrefixOf(rec.index, result.recommendations[m].index);
    }
    if (served) continue;
    if (static_cast<int>(result.recommendations.size()) >= options.max_indexes) {
      ++left_out;
      continue;
    }
    result.recommendations.push_back(std::move(rec));
  }
  if (left_out > 0) {
    result.limits.push_back(absl::StrCat("max_indexes (", options.max_indexes, ") kept out ",
                                         left_out, " structural recommendation",
                                         left_out == 1 ? "" : "s", " (empty tables)"));
  }
  phase("done");
  return result;
}

}  // namespace

absl::StatusOr<AdviceResult> Advise(Connection& connection,
                                    const std::vector<InputStatement>& workload,
                                    const AdviseOptions& options) {
  bool missed = false;
  absl::StatusOr<AdviceResult> result = AdviseOnCopy(connection, workload, options, false, &missed);
  if (!missed) return result;
  return AdviseOnCopy(connection, workload, options, true, &missed);
}

}  // namespace doctor::indexes
