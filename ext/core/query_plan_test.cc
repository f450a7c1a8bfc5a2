#include "ext/core/query_plan.h"

#include "gtest/gtest.h"
#include "ext/core/testing.h"

namespace doctor {
namespace {

TEST(QueryPlanTest, ParsesEveryStepForm) {
  PlanStep s = ParsePlanDetail("SEARCH t USING COVERING INDEX t_a (a=? AND b>?)");
  EXPECT_EQ(s.verb, "SEARCH");
  EXPECT_EQ(s.table, "t");
  EXPECT_EQ(s.index, "t_a");
  EXPECT_TRUE(s.covering);
  s = ParsePlanDetail("SCAN t USING INDEX t_b");
  EXPECT_EQ(s.index, "t_b");
  EXPECT_FALSE(s.ScansWholeTable());
  s = ParsePlanDetail("SCAN t");
  EXPECT_TRUE(s.ScansWholeTable());
  s = ParsePlanDetail("SCAN CONSTANT ROW");
  EXPECT_FALSE(s.ScansWholeTable());
  s = ParsePlanDetail("SEARCH t USING INTEGER PRIMARY KEY (rowid=?)");
  EXPECT_TRUE(s.primary_key);
  EXPECT_EQ(s.index, "");
  s = ParsePlanDetail("SEARCH u USING AUTOMATIC COVERING INDEX (b=?)");
  EXPECT_TRUE(s.automatic);
  EXPECT_EQ(s.index, "");
  s = ParsePlanDetail("USE TEMP B-TREE FOR ORDER BY");
  EXPECT_EQ(s.verb, "");
}

// Drizzle's relational query reads posts through a co-routine named like its alias: after the
// index, its plan reads no table whole, but the co-routine's `SCAN users_posts` counted as a
// full scan (doctor_report: "the index advisor finds no index that pays for it").
TEST(QueryPlanTest, TheReadOfASubquerysRowsIsNoTableScan) {
  EXPECT_FALSE(ParsePlanText("SEARCH users USING INTEGER PRIMARY KEY (rowid>?); CORRELATED SCALAR "
                             "SUBQUERY 2; CO-ROUTINE users_posts; SEARCH users_posts USING INDEX "
                             "i (author_id=?); SCAN users_posts")
                   .ScansAWholeTable());
  // Before the index: the first SCAN users_posts is the table inside the co-routine.
  EXPECT_TRUE(ParsePlanText("SEARCH users USING INTEGER PRIMARY KEY (rowid>?); CORRELATED SCALAR "
                            "SUBQUERY 2; CO-ROUTINE users_posts; SCAN users_posts; USE TEMP "
                            "B-TREE FOR ORDER BY; SCAN users_posts")
                  .ScansAWholeTable());
  EXPECT_FALSE(ParsePlanText("MATERIALIZE p; SEARCH posts USING INDEX i (a=?); SCAN p; SEARCH u "
                             "USING INTEGER PRIMARY KEY (rowid=?)")
                   .ScansAWholeTable());
  EXPECT_TRUE(ParsePlanText("MATERIALIZE p; SCAN posts; SCAN p").ScansAWholeTable());
  EXPECT_FALSE(ParsePlanText("CO-ROUTINE (subquery-1); SEARCH posts USING INDEX i (a=?); "
                             "SCAN (subquery-1)")
                   .ScansAWholeTable());
  EXPECT_TRUE(ParsePlanText("SCAN t").ScansAWholeTable());
  // The same plans as EXPLAIN QUERY PLAN gives them on this SQLite.
  testing::Db db;
  db.Exec("CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT);"
          "CREATE TABLE posts(id INTEGER PRIMARY KEY, author_id INT, created_at INT);");
  const char* kRelational =
      "SELECT users.id, (SELECT json_group_array(id) FROM (SELECT * FROM posts users_posts "
      "WHERE users_posts.author_id = users.id ORDER BY users_posts.created_at DESC LIMIT 5) "
      "users_posts) FROM users WHERE users.id > 5 LIMIT 10";
  auto before = ExplainQueryPlan(db.get(), kRelational);
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->ScansAWholeTable()) << PlanText(*before);
  db.Exec("CREATE INDEX i ON posts(author_id, created_at)");
  auto after = ExplainQueryPlan(db.get(), kRelational);
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->ScansAWholeTable()) << PlanText(*after);
}

// EXPLAIN QUERY PLAN only prepares, but a PRAGMA (or ATTACH, ...) takes effect when prepared:
// planning a captured `PRAGMA busy_timeout = 77` set the caller's busy timeout.
TEST(QueryPlanTest, AStatementThatActsWhenPreparedIsNotPlanned) {
  testing::Db db;
  for (const char* sql : {"PRAGMA busy_timeout = 77", "  pragma foreign_keys = ON",
                          "ATTACH ':memory:' AS a2", "BEGIN"}) {
    auto plan = ExplainQueryPlan(db.get(), sql);
    EXPECT_FALSE(plan.ok()) << sql;
  }
  EXPECT_EQ(db.One("PRAGMA busy_timeout"), "0");
  EXPECT_EQ(db.One("PRAGMA foreign_keys"), "0");
  EXPECT_EQ(db.One("SELECT count(*) FROM pragma_database_list WHERE name = 'a2'"), "0");
  auto plan = ExplainQueryPlan(db.get(), "SELECT 1");
  EXPECT_TRUE(plan.ok());
}

// The bug this home fixed: a substring test took idx_a for idx_ab.
TEST(QueryPlanTest, IndexNamesMatchExactly) {
  QueryPlan plan = ParsePlanText("SEARCH t USING INDEX idx_ab (a=? AND b=?); SCAN u");
  EXPECT_TRUE(plan.UsesIndex("idx_ab"));
  EXPECT_TRUE(plan.UsesIndex("IDX_AB"));
  EXPECT_FALSE(plan.UsesIndex("idx_a"));
  EXPECT_FALSE(plan.UsesIndex("idx_abc"));
  EXPECT_EQ(PlanText(plan), "SEARCH t USING INDEX idx_ab (a=? AND b=?); SCAN u");
}

TEST(QueryPlanTest, ExplainsOnARealConnection) {
  testing::Db db;
  db.Exec("CREATE TABLE t(a, b); CREATE INDEX idx_ab ON t(a, b); CREATE INDEX idx_a ON t(b)");
  absl::StatusOr<QueryPlan> plan =
      ExplainQueryPlan(db.get(), "SELECT * FROM t WHERE a = ? AND b = ?;  ", {Value(1), Value(2)});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_TRUE(plan->UsesIndex("idx_ab"));
  EXPECT_FALSE(plan->UsesIndex("idx_a"));
  EXPECT_FALSE(ExplainQueryPlan(db.get(), "SELECT * FROM missing").ok());
}

}  // namespace
}  // namespace doctor
