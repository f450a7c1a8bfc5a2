// index_advise and index_lint read the captured workload from a table named query_stats. These
// tests give them one by hand (a plain table with the timing area's columns), on a connection
// where only the indexes and meta areas are registered: with the timing area there, such a
// table would hide the timing area's query_stats, which the extension refuses to read in its
// place (ext/core/hidden_names.h).
#include <string>
#include <vector>

#include "ext/core/testing.h"
#include "ext/core/testing_areas.h"
#include "ext/indexes/indexes_sql.h"
#include "ext/meta/meta.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace doctor::testing {

absl::Span<const Area* const> AreasUnderTest() {
  static const Area* const kAreas[] = {&kMetaArea, &kIndexesArea};
  return kAreas;
}

}  // namespace doctor::testing

namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

class StandInWorkloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.Exec("CREATE TABLE seq(value INTEGER PRIMARY KEY);"
             "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 5000) "
             "INSERT INTO seq SELECT v FROM n;"
             "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, c INTEGER);"
             "INSERT INTO t SELECT value, value % 1000, value % 97, value FROM seq;"
             "ATTACH ':memory:' AS aux;"
             "CREATE TABLE aux.a(x INTEGER);"
             "INSERT INTO aux.a SELECT value FROM seq;");
  }
  doctor::testing::Db db_;
};

// Issue 17 item 5: no DROP INDEX for an "unused" index until enough traffic was captured, and
// the finding says how much was observed.
TEST_F(StandInWorkloadTest, LintUnusedNeedsAnObservedWorkload) {
  db_.Exec("CREATE INDEX ic ON t(c);"
           "CREATE TABLE query_stats(query TEXT, calls INTEGER, first_seen TEXT, last_seen TEXT);"
           "INSERT INTO query_stats VALUES ('SELECT * FROM t WHERE b = ?', 1, "
           "'2026-12-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z');");
  const std::string unused = "SELECT finding FROM index_lint WHERE kind = 'unused'";
  EXPECT_THAT(db_.Rows(unused), IsEmpty());  // one captured call
  // 12 query shapes, 1200 calls over 48 hours: now it is unused, and says on what evidence.
  db_.Exec("DELETE FROM query_stats;"
           "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 12) "
           "INSERT INTO query_stats SELECT 'SELECT * FROM t WHERE b = ' || v, 100, "
           "'2026-12-01T00:00:00.000Z', '2026-12-03T00:00:00.000Z' FROM n;");
  auto rows = db_.Rows(unused);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0],
            "ic is used by none of the 12 captured queries in query_stats (1200 calls from "
            "2026-12-01T00:00:00.000Z to 2026-12-03T00:00:00.000Z, 48.0 hours)");
  // The same traffic within one hour is not enough (lint_unused_min_hours = 24).
  db_.Exec("UPDATE query_stats SET last_seen = '2026-12-01T01:00:00.000Z'");
  EXPECT_THAT(db_.Rows(unused), IsEmpty());
}

TEST_F(StandInWorkloadTest, CapturedWorkloadFromQueryStats) {
  EXPECT_THAT(db_.Error("SELECT * FROM index_advise()"), HasSubstr("no captured workload"));
  db_.Exec("CREATE TABLE query_stats(query TEXT, example TEXT, calls INTEGER, total_ms REAL, "
           "query_id INTEGER);"
           "INSERT INTO query_stats VALUES ('SELECT * FROM t WHERE b = ?', NULL, 100, 5.0, 1),"
           " ('SELECT * FROM t WHERE c = ?', 'SELECT * FROM t WHERE c = 33', 1, 0.1, 2);");
  // Explicit text still works.
  EXPECT_EQ(db_.Rows("SELECT index_sql FROM index_advise('SELECT * FROM t WHERE b = 0')").size(),
            1u);
  auto rows = db_.Rows("SELECT index_sql FROM index_advise()");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "CREATE INDEX idx_t_b ON t(b);");  // 100 calls weigh more
}

TEST_F(StandInWorkloadTest, WriteHeavyTableGetsNoMarginalIndex) {
  db_.Exec("CREATE TABLE query_stats(query TEXT, example TEXT, calls INTEGER, total_ms REAL, "
           "query_id INTEGER);"
           "INSERT INTO query_stats VALUES "
           " ('SELECT count(*) FROM t WHERE b = ?', NULL, 1, 1, 1),"
           " ('UPDATE t SET b = b + 1 WHERE id = ?', NULL, 1000000, 1, 2),"
           " ('INSERT INTO t(a, b, c) VALUES (?, ?, ?)', NULL, 1000000, 1, 3);");
  EXPECT_THAT(db_.Rows("SELECT index_sql FROM index_advise()"), IsEmpty());
}

TEST_F(StandInWorkloadTest, ACapturedStatementOutsideMainIsSkippedAndNamed) {
  db_.Exec("CREATE TABLE query_stats(query TEXT, example TEXT, calls INTEGER, total_ms REAL, "
           "query_id INTEGER);"
           "INSERT INTO query_stats VALUES ('SELECT * FROM aux.a WHERE x = ?', NULL, 100, 5.0, 1),"
           " ('SELECT * FROM t WHERE b = ?', NULL, 10, 1.0, 2);");
  auto rows = db_.Rows("SELECT index_sql, limits FROM index_advise()");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "CREATE INDEX idx_t_b ON t(b);");
  EXPECT_THAT(rows[0][1], HasSubstr("captured statement (SELECT * FROM aux.a WHERE x = ?) not "
                                    "advised: it reads aux.a, a table of the attached database "
                                    "'aux'"));
  db_.Exec("DELETE FROM query_stats WHERE query_id = 2");
  EXPECT_THAT(db_.Error("SELECT * FROM index_advise()"),
              HasSubstr("captured workload: no statement to advise on: captured statement "
                        "(SELECT * FROM aux.a WHERE x = ?) not advised: it reads aux.a"));
}

}  // namespace
