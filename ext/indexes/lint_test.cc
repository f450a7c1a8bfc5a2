// index_lint on a database whose application has its own table named query_stats (its log of
// queries, say), with the whole extension registered: that table hides the timing area's
// captured workload (ext/core/hidden_names.h). Before, lint read nothing and said nothing; now
// it leaves out the one check that needs the captured queries (unused) with a not_checked row
// naming the table, and runs every other check. The planted rows are never read as ours.
#include <string>
#include <vector>

#include "ext/core/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(LintTest, AnAppTableNamedQueryStatsLeavesOutOnlyTheUnusedCheckAndSaysSo) {
  doctor::testing::Db db;
  db.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, c INTEGER);"
          "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 2000) "
          "INSERT INTO t SELECT v, v % 500, v % 97, v FROM n;"
          "CREATE INDEX t_a ON t(a); CREATE INDEX t_ab ON t(a, b); CREATE INDEX t_c ON t(c);"
          "CREATE TABLE child(id INTEGER PRIMARY KEY, t_id INTEGER REFERENCES t(id));"
          // Traffic that, read as captured, would call t_c unused (12 shapes, 1,200 calls, 48 h).
          "CREATE TABLE query_stats(query TEXT, calls INTEGER, first_seen TEXT, last_seen TEXT);"
          "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 12) "
          "INSERT INTO query_stats SELECT 'SELECT * FROM t WHERE b = ' || v, 100, "
          "'2026-12-01T00:00:00.000Z', '2026-12-03T00:00:00.000Z' FROM n;");
  EXPECT_THAT(db.Rows("SELECT kind, coalesce(index_name, table_name, '-') FROM index_lint "
                      "ORDER BY kind"),
              ElementsAre(ElementsAre("fk_without_index", "child"),
                          ElementsAre("not_checked", "-"), ElementsAre("prefix", "t_a")));
  auto left_out = db.Rows("SELECT finding, table_name, fix_sql FROM index_lint "
                          "WHERE kind = 'not_checked'");
  ASSERT_EQ(left_out.size(), 1u);
  EXPECT_THAT(left_out[0][0], HasSubstr("unused indexes were not checked"));
  EXPECT_THAT(left_out[0][0], HasSubstr("main.query_stats is a table named like sqlite-doctor's "
                                        "table query_stats"));
  EXPECT_EQ(left_out[0][1], "NULL");
  EXPECT_EQ(left_out[0][2], "NULL");
  EXPECT_EQ(db.One("SELECT count(*) FROM query_stats"), "12");  // the application's, untouched
  // Renamed, it hides nothing: the timing area's query_stats (empty here) is read again.
  db.Exec("ALTER TABLE query_stats RENAME TO app_queries");
  EXPECT_EQ(db.One("SELECT count(*) FROM index_lint WHERE kind IN ('not_checked', 'unused')"),
            "0");
}

// SQLite resolves an unqualified name in temp first: lint's fixes were `DROP INDEX t_a;` and
// `CREATE INDEX idx_child_t_id ON child(t_id);`, which, run as printed on a connection with a temp
// index t_a and a temp table child, dropped the temp index and indexed the temp table, and left
// main's as they were. Every fix now names main.
TEST(LintTest, ItsFixesActOnMainsObjectsWhenTempOnesHaveTheirNames) {
  doctor::testing::Db db;
  db.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b INTEGER);"
          "CREATE INDEX t_a ON t(a); CREATE INDEX t_ab ON t(a, b);"
          "CREATE TABLE child(id INTEGER PRIMARY KEY, t_id INTEGER REFERENCES t(id));"
          "CREATE TEMP TABLE scratch(x INTEGER); CREATE INDEX temp.t_a ON scratch(x);"
          "CREATE TEMP TABLE child(t_id INTEGER);");
  auto fixes = db.Rows("SELECT kind, fix_sql FROM index_lint ORDER BY kind");
  EXPECT_THAT(fixes, ElementsAre(ElementsAre("fk_without_index",
                                             "CREATE INDEX \"main\".idx_child_t_id ON child(t_id);"),
                                 ElementsAre("prefix", "DROP INDEX \"main\".t_a;")));
  for (const auto& fix : fixes) db.Exec(fix[1]);
  auto indexes = [&](const std::string& schema) {
    return db.One("SELECT group_concat(name, ' ') FROM (SELECT name FROM " + schema +
                  ".sqlite_schema WHERE type = 'index' ORDER BY name)");
  };
  EXPECT_EQ(indexes("main"), "idx_child_t_id t_ab");
  EXPECT_EQ(indexes("temp"), "t_a");
  EXPECT_EQ(db.One("SELECT count(*) FROM index_lint"), "0");
}

}  // namespace
