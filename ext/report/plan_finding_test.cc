#include "ext/report/plan_finding.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace doctor::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

PlanRegression Dropped() {
  PlanRegression r;
  r.query_id = "-344";
  r.query = "SELECT count(*) FROM jobs WHERE state = ?";
  r.at = "2026-12-06T10:11:02.640Z";
  r.cause = "migration 0002_drop_state";
  r.old_plan = "SEARCH jobs USING INDEX jobs_state (state=?)";
  r.new_plan = "SCAN jobs";
  r.dropped_indexes = "jobs_state";
  r.old_mean_ms = 0.02;
  r.new_mean_ms = 0.5;
  r.old_steps = 73;
  r.new_steps = 6072;
  r.new_calls = 100;
  r.fix = "CREATE INDEX \"jobs_state\" ON \"jobs\"(\"state\");";
  return r;
}

TEST(PlanFinding, DroppedIndexIsRecreated) {
  Finding f = PlanRegressionFinding(Dropped());
  EXPECT_EQ(f.area, "timing");
  EXPECT_EQ(f.severity, Severity::kWarn);
  EXPECT_EQ(f.object, "-344");
  EXPECT_THAT(f.finding, HasSubstr("migration 0002_drop_state"));
  EXPECT_THAT(f.finding, HasSubstr("SEARCH jobs USING INDEX jobs_state (state=?) -> SCAN jobs"));
  EXPECT_THAT(f.finding, HasSubstr("73 -> 6072 VM steps per run"));
  EXPECT_THAT(f.advice, HasSubstr("recreate the index the old plan used (jobs_state)"));
  ASSERT_TRUE(f.fix_sql.has_value());
  EXPECT_EQ(*f.fix_sql, "CREATE INDEX \"jobs_state\" ON \"jobs\"(\"state\");");
  EXPECT_NEAR(f.impact, 48, 1e-9);
}

TEST(PlanFinding, IndexStillThereAsksForAnalyzeThenIndexedBy) {
  PlanRegression r = Dropped();
  r.cause = "schema change";
  r.fix = "ANALYZE;";
  Finding f = PlanRegressionFinding(r);
  EXPECT_THAT(f.advice, HasSubstr("run ANALYZE"));
  EXPECT_THAT(f.advice, HasSubstr("INDEXED BY jobs_state"));
  EXPECT_EQ(*f.fix_sql, "ANALYZE;");
  r.fix = "";  // another database: no fix to run here
  EXPECT_FALSE(PlanRegressionFinding(r).fix_sql.has_value());
}

// ANALYZE caused it (plan_changes gives no fix then): the advice is not to run ANALYZE again
// but to keep the old plan (before: "run ANALYZE so the planner sees the data as it is").
TEST(PlanFinding, AnalyzeCausedItSoTheAdviceKeepsTheOldPlan) {
  PlanRegression r = Dropped();
  r.cause = "ANALYZE";
  r.dropped_indexes = "";
  r.fix = "";
  r.old_plan = "SEARCH rental USING COVERING INDEX sqlite_autoindex_rental_1 (rental_date>?)";
  r.old_index = "sqlite_autoindex_rental_1";
  Finding f = PlanRegressionFinding(r);
  EXPECT_FALSE(f.fix_sql.has_value());
  EXPECT_THAT(f.advice, Not(HasSubstr("run ANALYZE")));
  EXPECT_THAT(f.advice, HasSubstr("INDEXED BY sqlite_autoindex_rental_1"));
  r.old_index = "";  // SCAN t -> SEARCH t USING INDEX t_a
  EXPECT_THAT(PlanRegressionFinding(r).advice, HasSubstr("NOT INDEXED"));
}

// A schema change (an index a report fix built) with statistics that already cover the new
// plan's indexes: plan_changes gives no fix (an ANALYZE in another process wrote them), and the
// advice is not "run ANALYZE" either (before: it was, round after round, the plan the same).
TEST(PlanFinding, StatisticsAlreadyCurrentSoTheAdviceKeepsTheOldPlan) {
  PlanRegression r = Dropped();
  r.cause = "schema change";
  r.dropped_indexes = "";
  r.fix = "";
  r.old_plan = "SCAN oi; SEARCH p USING INTEGER PRIMARY KEY (rowid=?)";
  r.new_plan = "SCAN p; SEARCH oi USING INDEX idx_order_items_product_id (product_id=?)";
  Finding f = PlanRegressionFinding(r);
  EXPECT_FALSE(f.fix_sql.has_value());
  EXPECT_THAT(f.advice, Not(HasSubstr("run ANALYZE")));
  EXPECT_THAT(f.advice, HasSubstr("ANALYZE again plans the same"));
  EXPECT_THAT(f.advice, HasSubstr("NOT INDEXED"));
}

}  // namespace
}  // namespace doctor::report
