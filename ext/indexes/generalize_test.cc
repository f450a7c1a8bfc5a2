// Advice that holds beyond the statements as written (issue 20): parameters measured with
// representative values and saying which ones, joins whose guessed values match nothing, writes
// whose FK actions touch children the sample must hold, and tables sized by expected row counts.
#include <string>
#include <vector>

#include "ext/core/sql.h"
#include "ext/core/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

class GeneralizeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.Exec("CREATE TABLE seq(value INTEGER PRIMARY KEY);"
             "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 20000) "
             "INSERT INTO seq SELECT v FROM n;");
  }
  std::vector<std::string> Advise(const std::string& workload, const std::string& options = "") {
    std::vector<std::string> out;
    const std::string args =
        doctor::QuoteLiteral(workload) + (options.empty() ? "" : ", " + doctor::QuoteLiteral(options));
    for (const auto& row : db_.Rows("SELECT index_sql FROM index_advise(" + args + ")")) {
      out.push_back(row[0]);
    }
    return out;
  }
  doctor::testing::Db db_;
};

// expert1.test 11.1 on the benchmark's generated rows: the values guessed for a and c match no
// row of the join, so neither index pays alone; the pair does (t5(b, a) and t6(c)).
TEST_F(GeneralizeTest, JoinWhoseGuessedValuesMatchNothingIsStillAdvised) {
  db_.Exec("CREATE TABLE t5(a, b); CREATE TABLE t6(c, d);"
           "INSERT INTO t5 SELECT ((value * 2654435761) % 1000003) % 100, "
           "(((value + 7) * 2654435761) % 1000003) % 1000 FROM seq WHERE value <= 5000;"
           "INSERT INTO t6 SELECT * FROM t5;");
  auto got = Advise("SELECT * FROM t5, t6 WHERE a=? AND b=c AND c=?");
  EXPECT_THAT(got, Contains(HasSubstr("ON t6(c")));
  EXPECT_THAT(got, Contains(HasSubstr("ON t5(b, a)")));
}

// A status column compared with ?: the middle row's value ('done', 99% of rows) makes any index
// useless; the rare values the application polls for are measured too.
TEST_F(GeneralizeTest, ParameterOfAStatusColumnIsMeasuredWithItsRareValuesToo) {
  db_.Exec("CREATE TABLE jobs(id INTEGER PRIMARY KEY, state TEXT, priority INTEGER, run_at INTEGER);"
           "INSERT INTO jobs SELECT value, CASE WHEN value % 100 = 0 THEN 'queued' ELSE 'done' END,"
           " value % 5, value FROM seq;");
  auto literal = Advise("SELECT * FROM jobs WHERE state = 'queued' ORDER BY priority DESC, run_at LIMIT 10");
  auto param = Advise("SELECT * FROM jobs WHERE state = ? ORDER BY priority DESC, run_at LIMIT ?");
  ASSERT_FALSE(literal.empty());
  ASSERT_FALSE(param.empty());
  EXPECT_THAT(param[0], HasSubstr("ON jobs(state"));
}

TEST_F(GeneralizeTest, EachAdviceSaysWhichValuesItAssumed) {
  db_.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT);"
           "INSERT INTO t SELECT value, value % 1000, 'x' FROM seq WHERE value <= 5000;");
  auto rows = db_.Rows("SELECT index_sql, assumed FROM index_advise('SELECT * FROM t WHERE a = ? "
                       "LIMIT :n; SELECT * FROM t WHERE a = 7')");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0][1], HasSubstr("a = "));
  EXPECT_THAT(rows[0][1], HasSubstr(":n = 10"));
}

// The DELETE FROM users WHERE id = ?: the deleted row's children and grandchildren
// must be in the sample, so the FK-child indexes show their worth.
TEST_F(GeneralizeTest, DeleteCascadeMeasuredWithTheDeletedRowsChildren) {
  db_.Exec("PRAGMA foreign_keys = ON;"
           "CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT);"
           "CREATE TABLE projects(id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES users(id) "
           "ON DELETE CASCADE, name TEXT);"
           "CREATE TABLE resources(id INTEGER PRIMARY KEY, project_id INTEGER REFERENCES "
           "projects(id) ON DELETE CASCADE, kind TEXT);"
           "INSERT INTO users SELECT value, 'u' || value FROM seq WHERE value <= 200;"
           "INSERT INTO projects SELECT value, 1 + (value % 200), 'p' FROM seq WHERE value <= 20000;"
           "INSERT INTO resources SELECT value, 1 + (value * 7) % 20000, 'r' FROM seq;"
           "INSERT INTO resources SELECT 20000 + value, 1 + (value * 7) % 20000, 'r' FROM seq;");
  auto got = Advise("DELETE FROM users WHERE id = ?", "{\"sample_rows\": 2000}");
  EXPECT_THAT(got, Contains("CREATE INDEX idx_projects_owner_id ON projects(owner_id);"));
  EXPECT_THAT(got, Contains("CREATE INDEX idx_resources_project_id ON resources(project_id);"));
}

TEST_F(GeneralizeTest, ExpectedRowCountsSizeStructuralAdvice) {
  db_.Exec("CREATE TABLE jobs(id INTEGER PRIMARY KEY, state TEXT, run_at INTEGER);");
  auto plain = db_.Rows("SELECT index_sql, est_bytes FROM index_advise('SELECT * FROM jobs "
                        "WHERE state = ?')");
  auto sized = db_.Rows("SELECT index_sql, est_bytes, basis FROM index_advise('SELECT * FROM jobs "
                        "WHERE state = ?', '{\"rows\": {\"jobs\": 1000000}}')");
  ASSERT_EQ(plain.size(), 1u);
  ASSERT_EQ(sized.size(), 1u);
  EXPECT_EQ(sized[0][0], plain[0][0]);
  EXPECT_EQ(sized[0][2], "structural");
  EXPECT_GT(std::stod(sized[0][1]), 5000000.0);
  EXPECT_THAT(db_.Error("SELECT * FROM index_advise('SELECT 1', '{\"rows\": {\"jobs\": -1}}')"),
              HasSubstr("'rows'"));
  EXPECT_THAT(db_.Error("SELECT * FROM index_advise('SELECT 1', '{\"rows\": {\"nope\": 5}}')"),
              HasSubstr("nope"));
}

// A join priced as on the data: the sample holds a share f of each table, so the 10 parts of
// brand 7 are rarely sampled (none here) and the correlated lookup of their items costs nothing
// on the copy. The parts the sampled items reach through the join (i.part_id = p.id, p's key)
// are copied too, and the items(part_id) index that serves the join is advised.
TEST_F(GeneralizeTest, JoinKeyIndexIsAdvisedOnAJoinConsistentSample) {
  db_.Exec("CREATE TABLE part(id INTEGER PRIMARY KEY, brand INTEGER, name TEXT);"
           "CREATE TABLE items(id INTEGER PRIMARY KEY, part_id INTEGER, qty INTEGER, pad TEXT);"
           "INSERT INTO part SELECT value, value % 200, 'part' || value FROM seq "
           "WHERE value <= 2000;"
           "INSERT INTO items SELECT value, 1 + ((value * 2654435761) % 1000003) % 2000, "
           "value % 50, 'xxxxxxxx' FROM seq;");
  auto got = Advise("SELECT count(*) FROM part p WHERE p.brand = 7 AND "
                    "(SELECT sum(qty) FROM items i WHERE i.part_id = p.id) > 100",
                    "{\"sample_rows\": 2000}");
  EXPECT_THAT(got, Contains(HasSubstr("ON items(part_id")));
}

// JSON documents: a function of a column in ORDER BY gets an expression index as one in WHERE
// does (no WHERE term: nothing else can serve "the ten largest"), and an equality on a rare
// value of a status-like expression is a partial index's predicate (a parameter's too, when the
// value guessed for it is that rare one), but not one of evenly spread values.
TEST_F(GeneralizeTest, OrderByExpressionAndRareExpressionValueAreAdvised) {
  db_.Exec("CREATE TABLE docs(id INTEGER PRIMARY KEY, body TEXT);"
           "INSERT INTO docs SELECT value, json_object('type', CASE value % 5 "
           "WHEN 0 THEN 'invoice' WHEN 1 THEN 'order' WHEN 2 THEN 'note' WHEN 3 THEN 'ticket' ELSE 'quote' END, "
           "'status', CASE WHEN value % 30 = 0 THEN 'open' ELSE 'closed' END, "
           "'total', (value * 7919) % 100000) FROM seq;");
  EXPECT_THAT(Advise("SELECT id FROM docs ORDER BY json_extract(body, '$.total') DESC LIMIT 10"),
              Contains(HasSubstr("ON docs(json_extract(body, '$.total'))")));
  const std::string partial = "ON docs(json_extract(body, '$.type')) WHERE "
                              "json_extract(body, '$.status') = 'open'";
  EXPECT_THAT(Advise("SELECT id FROM docs WHERE json_extract(body, '$.type') = 'invoice' AND "
                     "json_extract(body, '$.status') = 'open'"),
              Contains(HasSubstr(partial)));
  // 'order' is one of five evenly spread types: no partial index for it.
  for (const std::string& sql : Advise("SELECT id FROM docs WHERE json_extract(body, '$.type') = "
                                       "'order' AND json_extract(body, '$.total') > 99000")) {
    EXPECT_THAT(sql, ::testing::Not(HasSubstr("= 'order'")));
  }
}

}  // namespace
