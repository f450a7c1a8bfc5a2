// Statements that use a table outside main (an attached database, a temp table or view): the
// advisor's copy holds main only, so such a statement is skipped and named in `limits`, and the
// rest of the workload is advised (before: "index_advise: statement 1: no such table: aux.a" for
// the whole workload, and a captured one was dropped without a word).
#include <string>
#include <vector>

#include "ext/core/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class OutsideMainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.Exec("CREATE TABLE seq(value INTEGER PRIMARY KEY);"
             "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 5000) "
             "INSERT INTO seq SELECT v FROM n;"
             "CREATE TABLE t(a INTEGER, b INTEGER);"
             "INSERT INTO t SELECT value, value % 97 FROM seq;"
             "ATTACH ':memory:' AS aux;"
             "CREATE TABLE aux.a(x INTEGER);"
             "INSERT INTO aux.a SELECT value FROM seq;");
  }
  // "index_sql | limits" of each row.
  std::vector<std::string> Advice(const std::string& workload) {
    std::vector<std::string> out;
    std::string quoted = "'";
    for (char c : workload) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    for (const auto& r : db_.Rows("SELECT index_sql, limits FROM index_advise(" + quoted + "')")) {
      out.push_back(r[0] + " | " + r[1]);
    }
    return out;
  }
  doctor::testing::Db db_;
};

TEST_F(OutsideMainTest, AnAttachedTableCostsItsStatementOnlyAndIsNamed) {
  auto rows = Advice("SELECT * FROM aux.a WHERE x = 1; SELECT * FROM t WHERE b = 2");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0], HasSubstr("CREATE INDEX idx_t_b ON t(b); | "));
  EXPECT_THAT(rows[0], HasSubstr("statement 1 (SELECT * FROM aux.a WHERE x = 1) not advised: it "
                                 "reads aux.a, a table of the attached database 'aux' (only "
                                 "main is advised: open that database's file as main to advise "
                                 "it)"));
}

TEST_F(OutsideMainTest, AJoinWithAnAttachedTableAndAWriteToOneAreSkipped) {
  auto rows = Advice("SELECT * FROM t JOIN aux.a ON a.x = t.b WHERE t.a = 3; "
                     "INSERT INTO aux.a VALUES (7); SELECT * FROM t WHERE b = 2");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0], HasSubstr("CREATE INDEX idx_t_b ON t(b);"));
  EXPECT_THAT(rows[0], HasSubstr("statement 1 (SELECT * FROM t JOIN aux.a ON a.x = t.b WHERE "
                                 "t.a = 3) not advised: it reads aux.a"));
  // The fixture's INSERTs left changes() at 5000: a write is not EXPLAINed on the caller's
  // connection (its end would set changes() to 0), and the copy's error names the table.
  EXPECT_THAT(rows[0], HasSubstr("statement 2 (INSERT INTO aux.a VALUES (7)) not advised: it "
                                 "uses aux.a"));
  EXPECT_EQ(db_.One("SELECT changes()"), "5000");
  db_.Exec("CREATE TABLE zero(x)");  // a statement that changes no row: changes() is 0 again
  db_.Exec("DELETE FROM zero");
  rows = Advice("INSERT INTO aux.a VALUES (7); SELECT * FROM t WHERE b = 2");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0], HasSubstr("statement 1 (INSERT INTO aux.a VALUES (7)) not advised: it "
                                 "writes aux.a"));
}

TEST_F(OutsideMainTest, TempTablesAndViewsAreSkippedAndNamed) {
  db_.Exec("CREATE TEMP TABLE tt(y INTEGER); CREATE TEMP VIEW v AS SELECT * FROM t;");
  auto rows = Advice("SELECT * FROM tt WHERE y = 1; SELECT * FROM v WHERE a = 4; "
                     "SELECT * FROM t WHERE b = 2");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0], HasSubstr("CREATE INDEX idx_t_b ON t(b);"));
  EXPECT_THAT(rows[0], HasSubstr("statement 1 (SELECT * FROM tt WHERE y = 1) not advised: it "
                                 "reads tt, a temp table (only main is advised)"));
  EXPECT_THAT(rows[0], HasSubstr("statement 2 (SELECT * FROM v WHERE a = 4) not advised: it "
                                 "reads v, a temp view"));
}

// A temp table of the same name as a main table is what the application's statement reads: the
// copy (main only) would have advised main's table for it.
TEST_F(OutsideMainTest, ATempTableShadowingAMainTableIsNotAdvisedAsTheMainOne) {
  db_.Exec("CREATE TABLE u(k INTEGER); INSERT INTO u SELECT value % 50 FROM seq;"
           "CREATE TEMP TABLE u(k INTEGER);");
  auto rows = Advice("SELECT * FROM u WHERE k = 1; SELECT * FROM t WHERE b = 2");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0], Not(HasSubstr("ON u(")));
  EXPECT_THAT(rows[0], HasSubstr("statement 1 (SELECT * FROM u WHERE k = 1) not advised: it reads "
                                 "u, a temp table"));
}

TEST_F(OutsideMainTest, NothingLeftToAdviseIsAnErrorThatSaysWhy) {
  EXPECT_THAT(db_.Error("SELECT * FROM index_advise('SELECT * FROM aux.a WHERE x = 1')"),
              HasSubstr("workload: no statement to advise on: statement 1 (SELECT * FROM aux.a "
                        "WHERE x = 1) not advised: it reads aux.a"));
  // A statement that prepares nowhere is still the error it was.
  EXPECT_THAT(db_.Error("SELECT * FROM index_advise('SELECT * FROM nope.a; SELECT 1')"),
              HasSubstr("statement 1: no such table: nope.a"));
}

TEST_F(OutsideMainTest, WhatIfNamesTheSchema) {
  EXPECT_THAT(db_.Error("SELECT * FROM index_whatif('SELECT * FROM aux.a WHERE x = 1', "
                        "'CREATE INDEX i ON t(b)')"),
              HasSubstr("index_whatif: statement 1: it reads aux.a, a table of the attached "
                        "database 'aux' (only main is advised"));
}

}  // namespace

// A statement the copy cannot prepare is looked at on the user's connection only when it may be
// advised: a PRAGMA acts when prepared, so `PRAGMA aux.cache_size = 7` in a workload set the
// caller's aux cache to 7 pages (before: -2000 -> 7).
TEST_F(OutsideMainTest, AWorkloadPragmaIsNeverPreparedOnTheUsersConnection) {
  const std::string before = db_.Rows("PRAGMA aux.cache_size")[0][0];
  const std::string error = db_.Error(
      "SELECT * FROM index_advise('PRAGMA aux.cache_size = 7; SELECT * FROM t WHERE b = 2')");
  EXPECT_THAT(error, HasSubstr("statement 1: unknown database aux"));
  EXPECT_EQ(db_.Rows("PRAGMA aux.cache_size")[0][0], before);
}
