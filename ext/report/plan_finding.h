// The finding of a plan regression (a plan_changes row with regression = 1): what changed, when,
// why, what it costs, and the fix. Pure C++.
#ifndef DOCTOR_REPORT_PLAN_FINDING_H_
#define DOCTOR_REPORT_PLAN_FINDING_H_

#include <cstdint>
#include <string>

#include "ext/report/finding.h"

namespace doctor::report {

// The plan_changes columns the finding uses.
struct PlanRegression {
  std::string query_id, query, at, cause, old_plan, new_plan;
  std::string dropped_indexes;  // comma-separated, "" for none
  double old_mean_ms = 0, new_mean_ms = 0, old_steps = 0, new_steps = 0;
  int64_t new_calls = 0;
  std::string fix;  // CREATE INDEX ...; or ANALYZE; or "" (another database, or ANALYZE caused it)
  std::string old_index;  // the first named index the old plan used ("" for none)
};

Finding PlanRegressionFinding(const PlanRegression& r);

}  // namespace doctor::report

#endif  // DOCTOR_REPORT_PLAN_FINDING_H_
