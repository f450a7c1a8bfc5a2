// The options of index_advise (its second argument, a JSON object), parsed once with errors that
// name the key and what it accepts.
//
// Example:
//   ASSIGN_OR_RETURN(AdviseOptions o, ParseAdviseOptions("{\"max_indexes\": 3}"));
#ifndef DOCTOR_INDEXES_ADVISE_OPTIONS_H_
#define DOCTOR_INDEXES_ADVISE_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "absl/status/statusor.h"

namespace doctor::indexes {

struct AdviseOptions {
  int max_indexes = 25;
  double budget_bytes = 0;       // 0: no byte budget
  bool allow_partial = true;
  bool allow_covering = true;
  int64_t sample_rows = 20000;   // in all tables together, the same share of each
  bool foreign_keys = true;      // FK actions run when measuring writes
  bool analyze_sample = false;   // no sqlite_stat1: plan as after ANALYZE (else as today)
  double time_limit_s = 25;      // the search stops improving after this (CPU seconds)
  int64_t step_cap = 20000000;   // a statement run on the copy is stopped after this many steps
  size_t max_candidates = 300;
  // Expected row counts by table name (option "rows"): statistics, sizes and structural advice
  // as if the table held that many rows.
  std::map<std::string, int64_t> rows;
  // Tests only: ScratchOptions::scope_leaves_out (the fallback to a whole copy).
  std::set<std::string> scope_leaves_out;
};

// Parses the options JSON of index_advise ("" gives the defaults).
absl::StatusOr<AdviseOptions> ParseAdviseOptions(const std::string& json);

// index_whatif's options: the same object with only "statistics" accepted.
absl::StatusOr<AdviseOptions> ParseWhatIfOptions(const std::string& json);

}  // namespace doctor::indexes

#endif  // DOCTOR_INDEXES_ADVISE_OPTIONS_H_
