// Candidates phase of the advisor: probes every workload statement (and what its writes fire)
// for the scans the planner would like an index for, and collects the candidate indexes with
// their estimated size on the user's data. Never proposes what an existing index already covers.
//
// Example:
//   CandidateCollector collector(user, scratch, probe, options);
//   for (WorkloadItem& item : items) collector.AddStatement(&item);
//   CandidatePool pool = collector.Take();
#ifndef DOCTOR_INDEXES_CANDIDATE_POOL_H_
#define DOCTOR_INDEXES_CANDIDATE_POOL_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ext/core/connection.h"
#include "ext/indexes/advise_options.h"
#include "ext/indexes/candidates.h"
#include "ext/indexes/index_def.h"
#include "ext/indexes/probe.h"
#include "ext/indexes/scratch.h"
#include "ext/indexes/sql_text.h"
#include "ext/indexes/workload.h"

namespace doctor::indexes {

// The candidates, numbered 0..size()-1.
struct CandidatePool {
  std::vector<IndexDef> indexes;
  std::vector<double> bytes;               // estimated size of each on the user's data
  std::vector<std::vector<int>> bundles;   // candidates that pay only together (OR branches,
                                           // the tables of a join)
  std::set<int> effects;                   // candidates from FK actions and trigger bodies
  bool truncated = false;                  // max_candidates reached: some were left out
  int unbuildable = 0;                     // candidates whose CREATE INDEX did not prepare
  std::string first_unbuildable;           // the first of them, with SQLite's error
  // (candidate, statement): the first candidate of a statement's scan of an empty table
  // (structural.h); ids valid until the pool is pruned.
  std::vector<std::pair<int, int>> structural;

  size_t size() const { return indexes.size(); }
};

class CandidateCollector {
 public:
  CandidateCollector(Connection& user, Scratch& scratch, Probe& probe,
                     const AdviseOptions& options);

  // Probes `item` (its write effects too; their tables join item->tables) and adds the
  // candidates its scans and expression predicates suggest.
  void AddStatement(WorkloadItem* item);

  CandidatePool Take() { return std::move(pool_); }

 private:
  // Expression indexes: each function of a column the statement compares or orders by, and,
  // as for columns, each partial on a selective constant equality of a status-like
  // expression ("WHERE json_extract(body, '$.status') = 'open'").
  void AddExpressions(const WorkloadItem& item);
  // The partial-index predicate `use` with its constant (the statement's literal, or the value
  // bound to its parameter) when that value is selective on `t`'s sample; "" otherwise.
  std::string ExpressionPredicate(const TableInfo& t, const ExpressionUse& use,
                                  const WorkloadItem& item);
  // By table name: the partial-index predicates of `item`'s rare expression values
  // (ExpressionPredicate), which also make partial candidates of its scans' columns.
  std::map<std::string, std::vector<std::string>> RareExpressionPredicates(
      const WorkloadItem& item);
  // Adds a bundle of 2..4 candidates tried together, once.
  void AddBundle(std::vector<int> bundle);
  // The candidate's id (an existing one when already known), or -1 when it is not a candidate.
  int Add(IndexDef d);
  bool Buildable(const IndexDef& d);
  // On an empty table nothing can be measured: the scan's widest plain candidate (equality
  // columns, then a range or the ORDER BY) is proposed from structure (structural.h).
  void AddStructural(const Scan& scan, const TableInfo& t);
  // The probe's scan in the terms of candidates.h (rowid lookups' values seeded on the way).
  Scan ToScan(const ProbeScan& ps, const TableInfo& t, const WorkloadItem& item);
  // An equality with a parameter has the value `item` binds to it as its constant when that
  // value stands out as rare (as for expressions, ExpressionPredicate), so the partial
  // candidates a literal would get are the parameter's too.
  ScanConstraint ToConstraint(const ProbeConstraint& pc, const TableInfo& t,
                              const WorkloadItem& item);

  Connection& user_;
  Scratch& scratch_;
  Probe& probe_;
  AdviseOptions options_;
  CandidatePool pool_;
  IndexNamer namer_;
  std::map<std::string, int> ids_;
  std::set<std::string> seen_;
  int statements_ = 0;  // AddStatement calls so far: the id of the current statement
};

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_CANDIDATE_POOL_H_
