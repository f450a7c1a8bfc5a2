// The advisor engine behind index_advise and index_whatif.
//
// How it works: a Scratch copy (schema + sample + statistics) measures statements; a Probe
// learns the constraints and ORDER BY the planner wants per table scan (also for trigger bodies
// and the child lookups of foreign-key actions a write fires) and for expressions the statement
// compares ("lower(email) = ?"); candidates are generated from those; a greedy search by benefit
// per byte keeps the candidates that measurably reduce the workload's VM steps (reads and the
// extra work of writes), with a cost cache keyed by (statement, indexes on its tables).
#ifndef DOCTOR_INDEXES_ADVISE_H_
#define DOCTOR_INDEXES_ADVISE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ext/indexes/index_def.h"
#include "ext/core/connection.h"

namespace doctor::indexes {

struct AdviseOptions {
  int max_indexes = 25;
  double budget_bytes = 0;       // 0: no byte budget
  bool allow_partial = true;
  bool allow_covering = true;
  int64_t sample_rows = 20000;   // in all tables together, the same share of each
  bool foreign_keys = true;      // FK actions run when measuring writes
  bool analyze_sample = false;   // no sqlite_stat1: plan as after ANALYZE (else as today)
  double time_limit_s = 25;      // the search stops improving after this
  size_t max_candidates = 300;
};

// Parses the options JSON of index_advise; errors name the key and what it accepts.
absl::StatusOr<AdviseOptions> ParseAdviseOptions(const std::string& json);

struct InputStatement {
  std::string sql;       // may hold several statements
  double weight = 1;     // calls
  bool strict = true;    // false (captured workload): statements that fail are skipped
};

struct StatementResult {
  std::string sql;
  double weight = 1;
  std::string plan_before, plan_after;
  int64_t cost_before = 0, cost_after = 0;
  std::string error;
};

struct Recommendation {
  IndexDef index;
  double benefit = 0;     // share of the workload's weighted cost it saves (0..1)
  double bytes = 0;       // estimated size on the user's data
  std::vector<int> statements;  // ids into AdviceResult::statements it helps
};

struct AdviceResult {
  std::vector<Recommendation> recommendations;
  std::vector<StatementResult> statements;
  int candidates = 0;
};

absl::StatusOr<AdviceResult> Advise(Connection& connection,
                                    const std::vector<InputStatement>& workload,
                                    const AdviseOptions& options);

struct WhatIfResult {
  StatementResult statement;
  std::vector<std::string> used;  // hypothetical indexes the new plan uses
};

// Plans and costs of the statements in `sql` before and after the hypothetical indexes.
absl::StatusOr<std::vector<WhatIfResult>> WhatIf(Connection& connection, const std::string& sql,
                                                 const std::vector<std::string>& index_ddl);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_ADVISE_H_
