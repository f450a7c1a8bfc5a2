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

TEST(StepBudgetTest, WritesAreKeptOrRolledBack) {
  testing::Db db;
  db.Exec("CREATE TABLE t(a); INSERT INTO t VALUES (1), (2), (3)");
  StepCount rolled = RunWithStepBudget(db.get(), nullptr, "DELETE FROM t WHERE a > ?",
                                       {Value(int64_t{1})}, 1000, Writes::kRolledBack);
  EXPECT_EQ(rolled.error, "");
  EXPECT_GT(rolled.steps, 0);
  EXPECT_EQ(db.One("SELECT count(*) FROM t"), "3");
  EXPECT_EQ(sqlite3_get_autocommit(db.get()), 1);  // the savepoint is gone
  // A failing write leaves no savepoint open either.
  StepCount failed = RunWithStepBudget(
      db.get(), nullptr,
      "INSERT INTO t WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
      "SELECT CASE WHEN i < 100 THEN i ELSE abs(-9223372036854775807 - 1) END FROM n",
      {}, 100000, Writes::kRolledBack);
  EXPECT_THAT(failed.error, ::testing::HasSubstr("integer overflow"));
  EXPECT_EQ(db.One("SELECT count(*) FROM t"), "3");
  EXPECT_EQ(sqlite3_get_autocommit(db.get()), 1);
  EXPECT_EQ(RunWithStepBudget(db.get(), nullptr, "DELETE FROM t", {}, 1000).error, "");
  EXPECT_EQ(db.One("SELECT count(*) FROM t"), "0");
}

}  // namespace
}  // namespace doctor
