// The tables of query timing (tables.cc): columns as declared (one doc each) and row producers.
#ifndef DOCTOR_TIMING_TABLES_H_
#define DOCTOR_TIMING_TABLES_H_

#include "absl/status/statusor.h"
#include "ext/core/area.h"
#include "ext/core/table.h"
#include "ext/core/value.h"

namespace doctor::timing {

extern const Column kQueryStatsColumns[24];
extern const Column kPlanChangesColumns[20];
extern const Column kSlowQueriesColumns[9];
extern const Column kInfoColumns[11];

absl::StatusOr<Rows> QueryStats(TableCall& call);
absl::StatusOr<Rows> SlowQueries(TableCall& call);
absl::StatusOr<Rows> Info(TableCall& call);
absl::StatusOr<Rows> PlanChanges(TableCall& call);  // plan_tables.cc

}  // namespace doctor::timing

#endif  // DOCTOR_TIMING_TABLES_H_
