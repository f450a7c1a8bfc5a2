// Parameters measured with values the data has (issue 20): the value a hypothetical partial
// index names, a function of a column compared with `?`, the values the timing area captured,
// and statements inside trigger bodies on empty tables.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "ext/core/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ParamsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.Exec("CREATE TABLE seq(value INTEGER PRIMARY KEY);"
             "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 20000) "
             "INSERT INTO seq SELECT v FROM n;");
    // 'running' is the rarest state (1%), 'queued' 20%: a guess of the rarest is not 'queued'.
    db_.Exec(
        "CREATE TABLE jobs(id INTEGER PRIMARY KEY, state TEXT, priority INTEGER, run_at INTEGER, "
        "body TEXT);"
        "INSERT INTO jobs SELECT value, CASE WHEN value % 101 = 0 THEN 'running' "
        "WHEN value % 5 = 1 THEN 'queued' ELSE 'done' END, value % 10, value, "
        "json_object('status', CASE WHEN value % 53 = 0 THEN 'open' ELSE 'closed' END) "
        "FROM seq;");
  }
  doctor::testing::Db db_;
};

// Issue 20: index_whatif measured `WHERE state = ?` with a guessed value against a partial index
// `WHERE state = 'queued'`: 55,680 -> 55,680 steps, the index unused.
TEST_F(ParamsTest, WhatIfBindsTheValueAPartialIndexNames) {
  auto rows = db_.Rows(
      "SELECT cost_before, cost_after, uses, plan_after FROM index_whatif("
      "'SELECT id FROM jobs WHERE state = ? ORDER BY priority DESC, run_at LIMIT 10', "
      "'CREATE INDEX q ON jobs(priority DESC, run_at) WHERE state = ''queued''')");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_LT(std::stoll(rows[0][1]) * 10, std::stoll(rows[0][0]));
  EXPECT_EQ(rows[0][2], "q");
  EXPECT_THAT(rows[0][3], HasSubstr("USING INDEX q"));
}

// A parameter compared with a function of a column gets a value of that function from the data
// (it was bound to 1, which no document has).
TEST_F(ParamsTest, ParameterComparedWithAnExpressionGetsAValueFromTheData) {
  auto rows = db_.Rows(
      "SELECT assumed FROM index_advise("
      "'SELECT id FROM jobs WHERE json_extract(body, ''$.status'') = ?')");
  ASSERT_FALSE(rows.empty());
  EXPECT_THAT(rows[0][0], HasSubstr("json_extract(body, '$.status') = 'open' (rarest)"));
  EXPECT_THAT(rows[0][0], Not(HasSubstr("default")));
}

// WordPress's admin search `post_content LIKE ?`: the value assumed was the most frequent post
// body, 1.5 KB of text in `assumed` (and in each statement's `detail`). A long text is cut and
// its length said (the pattern a prefix search binds: the middle row's 1,500 bytes and '%').
TEST_F(ParamsTest, ALongAssumedValueIsCutAndItsLengthSaid) {
  db_.Exec("CREATE TABLE posts(id INTEGER PRIMARY KEY, type TEXT, content TEXT);"
           "INSERT INTO posts SELECT value, CASE WHEN value % 50 = 0 THEN 'page' ELSE 'post' "
           "END, printf('%.*c', 1500, 'x') FROM seq;");
  auto rows = db_.Rows(
      "SELECT assumed FROM index_advise('SELECT id FROM posts WHERE content LIKE ? AND type = ?')");
  ASSERT_FALSE(rows.empty());
  EXPECT_THAT(rows[0][0], HasSubstr("content = '" + std::string(60, 'x') +
                                    "...' (1501 bytes) (prefix of the middle row)"));
  EXPECT_THAT(rows[0][0], Not(HasSubstr(std::string(61, 'x'))));
}

// `type = ? AND status = ?` over documents: measured once with the most frequent values and
// once with the rarest, the second is served by the partial index the rare status names, as the
// literal twin (`... = 'open'`) is, and its plan after says so. The costs and plans were read
// without the values bound, so the partial index saved nothing beside the full one and the
// advice had only `(type)` (app_jsondocs params: +87% VM steps over its literal twin).
TEST_F(ParamsTest, ARareValueOfAParameterGetsThePartialIndexItNames) {
  db_.Exec("CREATE TABLE docs(id INTEGER PRIMARY KEY, body TEXT);"
           "INSERT INTO docs SELECT value, json_object('type', CASE value % 5 WHEN 0 THEN 'invoice' "
           "WHEN 1 THEN 'order' WHEN 2 THEN 'note' WHEN 3 THEN 'ticket' ELSE 'quote' END, "
           "'status', CASE WHEN value % 31 = 0 THEN 'open' ELSE 'closed' END) FROM seq;");
  auto rows = db_.Rows(
      "SELECT index_sql, assumed, json_extract(detail, '$[0].plan_after') FROM index_advise("
      "'SELECT id FROM docs WHERE json_extract(body, ''$.type'') = ? AND "
      "json_extract(body, ''$.status'') = ?')"
      " WHERE index_sql LIKE '%WHERE json_extract(body, ''$.status'') = ''open''%'");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0][1], HasSubstr("json_extract(body, '$.status') = 'open' (rarest)"));
  EXPECT_THAT(rows[0][1], Not(HasSubstr("'closed'")));
  const std::string name = rows[0][0].substr(13, rows[0][0].find(' ', 13) - 13);
  EXPECT_THAT(rows[0][2], HasSubstr("USING INDEX " + name + " "));
}

// The values the timing area kept for slow runs (slow_params) are the ones measured, and the
// advice says so.
TEST_F(ParamsTest, CapturedValuesAreMeasured) {
  db_.Exec("SELECT query_stats_reset()");
  db_.Exec("SELECT doctor_set('slow_ms', 0)");
  db_.Exec("SELECT doctor_set('slow_params', 'on')");
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db_.get(),
                               "SELECT id FROM jobs WHERE state = ? ORDER BY priority DESC, "
                               "run_at LIMIT 10",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  sqlite3_bind_text(stmt, 1, "running", -1, SQLITE_STATIC);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
  }
  sqlite3_finalize(stmt);
  db_.Exec("SELECT doctor_set('slow_ms', 100)");
  db_.Exec("SELECT doctor_set('slow_params', 'off')");
  auto rows = db_.Rows("SELECT index_sql, assumed FROM index_advise()");
  ASSERT_FALSE(rows.empty());
  EXPECT_THAT(rows[0][1], HasSubstr("captured"));
  EXPECT_THAT(rows[0][0], HasSubstr("jobs"));
}

// A query's one-sided range bound is also measured at the median (`run_at <= ?` is as often "up
// to now" as "the oldest"): with only the 1st percentile, an index led by the range column looked
// best for a poll whose real bound matches most rows (app_jobqueue: 15,288 steps instead of 308).
TEST_F(ParamsTest, OneSidedRangeOfAQueryIsAlsoMeasuredWide) {
  auto rows = db_.Rows(
      "SELECT assumed FROM index_advise('SELECT id FROM jobs WHERE priority = ? AND run_at <= ? "
      "ORDER BY run_at LIMIT 5')");
  ASSERT_FALSE(rows.empty());
  EXPECT_THAT(rows[0][0], HasSubstr("(quantile 0.5)"));
  EXPECT_THAT(rows[0][0], HasSubstr("(quantile 0.01)"));
}

// expert1.test case 14 on empty tables: the UPDATE a trigger runs on insert gets its index from
// structure (nothing was proposed: only the statement's own scans were advised structurally).
TEST_F(ParamsTest, TriggerBodyOnEmptyTablesGetsStructuralAdvice) {
  db_.Exec("CREATE TABLE t9(a, b, c); CREATE TABLE t10(a, b, c);"
           "CREATE TRIGGER t9t AFTER INSERT ON t9 BEGIN UPDATE t10 SET a = new.a "
           "WHERE b = new.b; END;");
  auto rows =
      db_.Rows("SELECT index_sql, basis FROM index_advise('INSERT INTO t9 VALUES(?, ?, ?)')");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "CREATE INDEX idx_t10_b ON t10(b);");
  EXPECT_EQ(rows[0][1], "structural");
}

// A statement with a parameter is measured twice (most frequent and rarest values), but it is
// one workload statement: `statements` said 2 for `WHERE state = ?` alone (found trying the
// product as a new user: one "orders of a customer" query was "2 statements").
TEST_F(ParamsTest, StatementsCountsAStatementMeasuredTwiceOnce) {
  auto rows = db_.Rows(
      "SELECT statements, json_array_length(detail) FROM index_advise("
      "'SELECT id FROM jobs WHERE state = ? ORDER BY run_at LIMIT 10')");
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0][0], "1");
  EXPECT_EQ(rows[0][1], "2");  // the detail keeps both measurements
  rows = db_.Rows(
      "SELECT statements FROM index_advise("
      "'SELECT id FROM jobs WHERE state = ? ORDER BY run_at LIMIT 10; "
      "SELECT count(*) FROM jobs WHERE state = ?')");
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0][0], "2");
}

}  // namespace

namespace {

// Drizzle's relational query (`db.query.users.findMany({ with: { posts: true } })`) pages users
// by `"users"."id" > ?` and reads each one's posts in a correlated subquery. The `?` was guessed
// from the first table having an `id` column, posts (quantiles 20,000 / 39,600 of 40,000 rows),
// which left none of users' 2,000 rows: the statement cost 10 steps before and after, and the
// posts(author_id) index .expert proposes was never advised (its literal twin got it). Drizzle
// 1.0 writes the same query with `AS` aliases.
TEST(ParamsQualifierTest, AQualifiedColumnsParameterTakesItsValuesFromThatTable) {
  doctor::testing::Db db;
  db.Exec("CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT);"
          "CREATE TABLE posts(id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES users(id), "
          "title TEXT, created_at INTEGER);"
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
          "INSERT INTO users SELECT i, 'u' || i FROM n;"
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40000) "
          "INSERT INTO posts SELECT i, 1 + i % 2000, 't' || i, i FROM n;");
  for (const char* sql : {
           // Drizzle's text: quoted names, the table's own name as qualifier, an alias inside.
           "select \"users\".\"id\", (select coalesce(json_group_array(json_array(\"id\", "
           "\"title\")), json_array()) from (select * from \"posts\" \"users_posts\" where "
           "\"users_posts\".\"author_id\" = \"users\".\"id\" order by "
           "\"users_posts\".\"created_at\" desc limit 5) \"users_posts\") as \"posts\" "
           "from \"users\" where \"users\".\"id\" > ? limit ?",
           // Drizzle 1.0's: `AS` aliases d0, d1 (d1 is another table in each subquery).
           "select \"d0\".\"id\" as \"id\", (select json_group_array(json_object('id', "
           "\"id\", 'title', \"title\")) as \"r\" from (select \"d1\".\"id\" as \"id\", "
           "\"d1\".\"title\" as \"title\" from \"posts\" as \"d1\" where \"d0\".\"id\" = "
           "\"d1\".\"author_id\" order by \"d1\".\"created_at\" desc limit ?) as \"t\") as "
           "\"posts\" from \"users\" as \"d0\" where \"d0\".\"id\" > ? limit ?",
           // An alias, and the parameter before the column.
           "SELECT u.id, (SELECT count(*) FROM posts p WHERE p.author_id = u.id) FROM users u "
           "WHERE ? < u.id",
       }) {
    SCOPED_TRACE(sql);
    std::string quoted;
    for (const char* c = sql; *c; ++c) quoted += *c == '\'' ? std::string("''") : std::string(1, *c);
    auto rows = db.Rows("SELECT table_name, columns, assumed FROM index_advise('" + quoted + "')");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], "posts");
    EXPECT_THAT(rows[0][1], HasSubstr("author_id"));
    // users' own quantiles: below its 2,000 rows.
    EXPECT_THAT(rows[0][2], HasSubstr("id = 1980 (quantile 0.99)"));
  }
}

}  // namespace

namespace {

// A prefix search written with a parameter, as Drizzle users write it (`like(users.email,
// `${q}%`)`): SQLite uses a NOCASE index for `email LIKE ?` (a BINARY one for GLOB) once the
// value bound does not start with a wildcard, as for the literal. The constraint probe prepared
// the statement with nothing bound, so the planner derived no range from the pattern: no
// candidate, no advice (its literal twin got idx_users_email_nocase; /tmp/s16/drz/d.db).
class ParamsPatternTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.Exec("CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT, email TEXT, org_id INTEGER);"
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
             "INSERT INTO users SELECT i, 'n' || (i % 300), 'user' || i || '@x.io', i % 40 "
             "FROM n;");
  }
  // index_sql, assumed, cost_before, cost_after of the advice for `sql`.
  std::vector<std::vector<std::string>> Advise(const std::string& sql) {
    std::string quoted;
    for (char c : sql) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    return db_.Rows("SELECT index_sql, assumed, json_extract(detail, '$[0].cost_before'), "
                    "json_extract(detail, '$[0].cost_after') FROM index_advise('" + quoted + "')");
  }
  doctor::testing::Db db_;
};

TEST_F(ParamsPatternTest, ALikeOrGlobParameterGetsTheIndexOfItsLiteralTwin) {
  struct Case {
    std::string parameter, literal, index, assumed;
  };
  const std::string drizzle =
      "select \"id\", \"name\", \"email\", \"org_id\" from \"users\" where \"users\".\"email\" "
      "like ";
  for (const Case& c : std::vector<Case>{
           {drizzle + "?", drizzle + "'bob%'",
            "CREATE INDEX idx_users_email_nocase ON users(email COLLATE NOCASE);",
            "email = 'user2501@x.io%' (prefix of the middle row)"},
           {"SELECT id, email FROM users WHERE email LIKE :q",
            "SELECT id, email FROM users WHERE email LIKE 'user25%'",
            "CREATE INDEX idx_users_email_nocase ON users(email COLLATE NOCASE);",
            ":q = 'user2501@x.io%' (prefix of the middle row)"},
           {"SELECT id, email FROM users WHERE email GLOB ? AND org_id > 3",
            "SELECT id, email FROM users WHERE email GLOB 'user25*' AND org_id > 3",
            "CREATE INDEX idx_users_email_org_id ON users(email, org_id);",
            "email = 'user2501@x.io*' (prefix of the middle row)"},
       }) {
    SCOPED_TRACE(c.parameter);
    auto twin = Advise(c.literal);
    ASSERT_EQ(twin.size(), 1u);
    EXPECT_EQ(twin[0][0], c.index);
    auto rows = Advise(c.parameter);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], c.index);
    EXPECT_THAT(rows[0][1], HasSubstr(c.assumed));
    // The same saving as the twin's: a scan before, a few steps after.
    const double before = std::stod(rows[0][2]), after = std::stod(rows[0][3]);
    EXPECT_NEAR(before, std::stod(twin[0][2]), 0.1 * std::stod(twin[0][2]));
    EXPECT_LT(after * 20, before);
  }
}

// With PRAGMA case_sensitive_like=ON on the user's connection, SQLite serves a LIKE with a BINARY
// index only: the copy and the probe run LIKE that way too (the NOCASE index was advised, which
// the user's connection never uses).
TEST_F(ParamsPatternTest, CaseSensitiveLikeGetsTheBinaryIndex) {
  db_.Exec("PRAGMA case_sensitive_like=ON");
  for (const char* sql : {"SELECT id, email FROM users WHERE email LIKE ?",
                          "SELECT id, email FROM users WHERE email LIKE 'user25%'"}) {
    SCOPED_TRACE(sql);
    auto rows = Advise(sql);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], "CREATE INDEX idx_users_email ON users(email);");
  }
  db_.Exec("PRAGMA case_sensitive_like=OFF");
  auto rows = Advise("SELECT id, email FROM users WHERE email LIKE ?");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "CREATE INDEX idx_users_email_nocase ON users(email COLLATE NOCASE);");
}

// The prefix guessed for a `LIKE ?` is written into the probe's text as a literal (probe_sql):
// data picked to break that. A NUL in the middle row ended the probe's SQL inside the literal,
// and a 60,000-byte one made every run fail with "LIKE or GLOB pattern too complex": both got no
// advice and no word why. Quotes, SQL in the data and invalid UTF-8 were quoted right already;
// nothing but the statement advised is ever run, and the data stays as it was.
TEST_F(ParamsPatternTest, HostileDataIsAPatternTheProbeQuotesAndTheCopyRuns) {
  struct Case {
    std::string body, assumed;
  };
  for (const Case& c : std::vector<Case>{
           {"'ab' || i || CAST(x'00' AS TEXT) || ''' OR 1=1; --'", "body = 'ab151%'"},
           {"i || replace(hex(zeroblob(30000)), '0', 'q')", "(50000 bytes)"},
           {"'''); DROP TABLE notes; --' || i", "body = '''); DROP TABLE notes; --151%'"},
           {"CAST(x'fffec328' AS TEXT) || i", "(prefix of the middle row)"},
           {"randomblob(16)", "body = 'a%' (default)"},
       }) {
    SCOPED_TRACE(c.body);
    db_.Exec("DROP TABLE IF EXISTS notes; CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT);"
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) "
             "INSERT INTO notes SELECT i, " + c.body + " FROM n;");
    const std::string before = db_.One("SELECT sum(length(CAST(body AS BLOB))) FROM notes");
    auto rows = Advise("SELECT id FROM notes WHERE body LIKE ?");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], "CREATE INDEX idx_notes_body_nocase ON notes(body COLLATE NOCASE);");
    EXPECT_THAT(rows[0][1], HasSubstr(c.assumed));
    EXPECT_EQ(db_.One("SELECT sum(length(CAST(body AS BLOB))) FROM notes"), before);
    EXPECT_EQ(db_.One("SELECT count(*) FROM notes"), "300");
  }
}

// A pattern that starts with a wildcard uses no index, parameter or literal: no advice.
TEST_F(ParamsPatternTest, ALeadingWildcardGetsNothing) {
  for (const char* sql : {"SELECT id FROM users WHERE email LIKE '%' || ? || '%'",
                          "SELECT id FROM users WHERE email LIKE '%x.io%'",
                          "SELECT id FROM users WHERE email GLOB '*' || ?",
                          "SELECT id FROM users WHERE email NOT LIKE ?"}) {
    SCOPED_TRACE(sql);
    EXPECT_TRUE(Advise(sql).empty());
  }
}

}  // namespace

namespace {

// A rare value of a real column is a partial index's predicate as its integer twin's is. It was
// written with absl::StrCat's 6 digits (`WHERE level = 1.23457` for 1.2345678: a predicate the
// query does not imply, so the index was never usable and (level, body) was advised instead), and
// +Inf as `inf` (limits: "its CREATE INDEX does not prepare on this schema (first: ... WHERE
// level = inf: no such column: inf)"). `assumed` showed 1.23457 too.
TEST(RealConstantsTest, ARareRealIsAPartialIndexPredicateWithAllItsDigits) {
  doctor::testing::Db db;
  db.Exec("CREATE TABLE m(id INTEGER PRIMARY KEY, level REAL, lvl INTEGER, body TEXT);"
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
          "INSERT INTO m SELECT i, CASE WHEN i % 100 = 0 THEN 1.2345678 ELSE 2.5 END, "
          "CASE WHEN i % 100 = 0 THEN 7 ELSE 2 END, 'p' || i FROM n;");
  const std::string options = "', '{\"allow_covering\": false}')";
  auto twin = db.Rows("SELECT index_sql FROM index_advise('SELECT * FROM m WHERE lvl = 7 "
                      "ORDER BY body LIMIT 5" + options);
  ASSERT_EQ(twin.size(), 1u);
  EXPECT_EQ(twin[0][0], "CREATE INDEX idx_m_body_where_lvl_7 ON m(body) WHERE lvl = 7;");
  auto rows = db.Rows("SELECT index_sql, limits FROM index_advise('SELECT * FROM m WHERE "
                      "level = 1.2345678 ORDER BY body LIMIT 5" + options);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0][0], HasSubstr("ON m(body) WHERE level = 1.2345678;"));
  auto assumed = db.One("SELECT group_concat(assumed) FROM index_advise('SELECT * FROM m WHERE "
                        "level = ? ORDER BY body LIMIT 5" + options);
  EXPECT_THAT(assumed, HasSubstr("level = 1.2345678 (rarest)"));
  db.Exec("UPDATE m SET level = 9e999 WHERE level = 1.2345678");
  rows = db.Rows("SELECT index_sql, coalesce(limits, '') FROM index_advise('SELECT * FROM m WHERE "
                 "level = 9e999 ORDER BY body LIMIT 5" + options);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0][1], Not(HasSubstr("no such column")));
  EXPECT_THAT(rows[0][0], HasSubstr("ON m(body) WHERE level = 9e999;"));
}

}  // namespace

namespace {

// An application's own collation (registered on its connection, unknown to the advisor's private
// ones): `s GLOB ?` on `s TEXT COLLATE rev` was advised `t(s)`, an index in rev order that SQLite
// never uses for a GLOB (EXPLAIN QUERY PLAN: SCAN t), because the copy's CREATE TABLE failed and
// fell back to BINARY columns and the probe's mirror declared the column BINARY. With stand-ins of
// the same name both keep the collation: the GLOB gets the BINARY index SQLite uses, equality the
// column's own.
int Reverse(void*, int a_size, const void* a, int b_size, const void* b) {
  const int c = memcmp(b, a, static_cast<size_t>(std::min(a_size, b_size)));
  return c != 0 ? c : b_size - a_size;
}

TEST(CustomCollationTest, AGlobOnAColumnWithTheApplicationsCollationGetsABinaryIndex) {
  doctor::testing::Db db;
  ASSERT_EQ(sqlite3_create_collation(db.get(), "rev", SQLITE_UTF8, nullptr, Reverse), SQLITE_OK);
  db.Exec("CREATE TABLE t(id INTEGER PRIMARY KEY, s TEXT COLLATE rev, u TEXT);"
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
          "INSERT INTO t SELECT i, 'name' || i, 'u' || i FROM n;");
  auto glob = db.Rows("SELECT index_sql FROM index_advise('SELECT * FROM t WHERE s GLOB ?')");
  ASSERT_EQ(glob.size(), 1u);
  EXPECT_EQ(glob[0][0], "CREATE INDEX idx_t_s_binary ON t(s COLLATE BINARY);");
  auto equal = db.Rows("SELECT index_sql FROM index_advise('SELECT * FROM t WHERE s = ?')");
  ASSERT_EQ(equal.size(), 1u);
  EXPECT_EQ(equal[0][0], "CREATE INDEX idx_t_s ON t(s);");
  // What was advised is what SQLite uses on the application's connection.
  db.Exec(glob[0][0]);
  EXPECT_THAT(db.Rows("EXPLAIN QUERY PLAN SELECT * FROM t WHERE s GLOB 'name15*'")[0][3],
              HasSubstr("USING INDEX idx_t_s_binary"));
}

}  // namespace
