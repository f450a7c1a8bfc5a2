#include "ext/core/step_budget.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ext/core/testing.h"

namespace doctor {
namespace {

TEST(StepBudgetTest, CountsTheStepsOfAStatement) {
  testing::Db db;
  db.Exec("CREATE TABLE t(a); INSERT INTO t VALUES (1), (2), (3)");
  StepCount small = RunWithStepBudget(db.get(), nullptr, "SELECT a FROM t WHERE a = 2", {}, 1000);
  EXPECT_EQ(small.error, "");
  EXPECT_FALSE(small.capped);
  EXPECT_GT(small.steps, 0);
  EXPECT_EQ(small.parameters, 0);
}

TEST(StepBudgetTest, AnEndlessQueryStopsAtTheBudget) {
  testing::Db db;
  StepCount endless = RunWithStepBudget(
      db.get(), nullptr, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n",
      {}, 10000);
  EXPECT_TRUE(endless.capped);
  EXPECT_EQ(endless.error, "");
  EXPECT_GT(endless.steps, 10000);
  EXPECT_LT(endless.steps, 10100);
}

TEST(StepBudgetTest, ParametersAndErrors) {
  testing::Db db;
  db.Exec("CREATE TABLE t(a)");
  StepCount bound = RunWithStepBudget(db.get(), nullptr, "SELECT a FROM t WHERE a = ?", {}, 1000);
  EXPECT_EQ(bound.parameters, 1);
  EXPECT_EQ(bound.error, "");
  EXPECT_THAT(RunWithStepBudget(db.get(), nullptr, "SELECT nope FROM t", {}, 1000).error,
              ::testing::HasSubstr("no such column: nope"));
  EXPECT_EQ(RunWithStepBudget(db.get(), nullptr, "  ", {}, 1000).error, "empty statement");
}

}  // namespace
}  // namespace doctor
