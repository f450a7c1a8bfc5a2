// The advisor engine behind index_advise and index_whatif (the SQL glue is indexes_sql.cc).
//
// How it works, one phase per file:
//   scratch*.cc        a private copy: schema, a sample of the rows, statistics (scratch.h)
//   workload.cc        the statements, split and checked on the copy, parameters guessed
//   candidate_pool.cc  a Probe learns the constraints and ORDER BY the planner wants per table
//                      scan (also in trigger bodies and the child lookups of FK actions,
//                      write_effects.cc) and the expressions compared; candidates come from those
//   cost_cache.cc      VM steps of a statement under a set of indexes, cached by (statement, set)
//   search.cc          pruning to what the planner picks, then a greedy search by benefit per
//                      byte (select.h) that keeps what measurably reduces the workload's cost
//   advice_report.cc   plans and costs before/after, benefit, statements helped
#ifndef DOCTOR_INDEXES_ADVISE_ENGINE_H_
#define DOCTOR_INDEXES_ADVISE_ENGINE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ext/core/connection.h"
#include "ext/indexes/advice_report.h"
#include "ext/indexes/advise_options.h"
#include "ext/indexes/workload.h"

namespace doctor::indexes {

absl::StatusOr<AdviceResult> Advise(Connection& connection,
                                    const std::vector<InputStatement>& workload,
                                    const AdviseOptions& options);

struct WhatIfResult {
  StatementResult statement;
  std::vector<std::string> used;  // hypothetical indexes the new plan uses
};

// Plans and costs of the statements in `sql` before and after the hypothetical indexes.
// `analyze_sample`: without sqlite_stat1, plan as after ANALYZE (else as the database plans
// today), as index_advise's option "statistics": "sample".
absl::StatusOr<std::vector<WhatIfResult>> WhatIf(Connection& connection, const std::string& sql,
                                                 const std::vector<std::string>& index_ddl,
                                                 bool analyze_sample = false);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_ADVISE_ENGINE_H_
