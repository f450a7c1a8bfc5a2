// Plans captured from the application's own connection (plan_history.h through trace.cc), the
// plan_changes table and query_stats.plan/plan_id, on real connections (system SQLite 3.40).
#include <sqlite3.h>

#include <string>

#include "ext/core/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace doctor {
namespace {

using ::testing::HasSubstr;
using testing::Db;
using testing::TempDir;

class Plans : public ::testing::Test {
 protected:
  void SetUp() override {
    Db db;
    db.Exec("SELECT query_stats_reset(); SELECT doctor_set('timing', 'on')");
  }
};

constexpr char kQuery[] = "SELECT count(*) FROM jobs WHERE state = ? AND run_at < ?";

void MakeJobs(Db& db) {
  db.Exec("CREATE TABLE jobs(id INTEGER PRIMARY KEY, state TEXT, run_at INT);"
          "CREATE INDEX jobs_state ON jobs(state, run_at);"
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
          "INSERT INTO jobs(state, run_at) SELECT CASE WHEN i % 100 = 0 THEN 'ready' ELSE "
          "'done' END, i FROM n");
}

void RunReady(sqlite3_stmt* stmt, int times) {
  for (int i = 0; i < times; ++i) {
    sqlite3_bind_text(stmt, 1, "ready", -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 2, 5000);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
    }
    sqlite3_reset(stmt);
  }
}

// The plan in query_stats is the one the application's connection planned when the query ran,
// not the reader's: it stays until the query runs again after the schema changed.
TEST_F(Plans, CapturedWhenTheQueryRuns) {
  Db db;
  MakeJobs(db);
  db.Exec("SELECT count(*) FROM jobs WHERE state = 'ready' AND run_at < 5000");
  const std::string where = std::string(" FROM query_stats WHERE query = '") + kQuery + "'";
  EXPECT_EQ(db.One("SELECT plan" + where),
            "SEARCH jobs USING COVERING INDEX jobs_state (state=? AND run_at<?)");
  EXPECT_EQ(db.One("SELECT plan_id IS NOT NULL" + where), "1");
  db.Exec("DROP INDEX jobs_state");
  EXPECT_THAT(db.One("SELECT plan" + where), HasSubstr("jobs_state"));  // what it ran with
  db.Exec("SELECT count(*) FROM jobs WHERE state = 'done' AND run_at < 10");
  EXPECT_EQ(db.One("SELECT plan" + where), "SCAN jobs");
  EXPECT_EQ(db.One("SELECT calls" + where), "2");  // the EXPLAINs are not counted
  EXPECT_EQ(db.One("SELECT count(*) FROM query_stats WHERE query LIKE 'EXPLAIN%'"), "0");
}

// A prepared statement of the application re-prepares after another connection drops the index
// it used: the change is recorded with the figures before and after, and the fix.
TEST_F(Plans, ChangeAfterDropIndexOnAnotherConnection) {
  TempDir dir;
  Db app(dir.File("app.db"));
  MakeJobs(app);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(app.get(),
                               "SELECT count(*) FROM jobs WHERE state = ?1 AND run_at < ?2", -1,
                               &stmt, nullptr),
            SQLITE_OK);
  RunReady(stmt, 20);
  {
    Db migration(dir.File("app.db"));
    migration.Exec("DROP INDEX jobs_state");
  }
  RunReady(stmt, 30);
  sqlite3_finalize(stmt);
  auto rows = app.Rows(
      "SELECT old_plan, new_plan, dropped_indexes, regression, fix, cause, old_calls, new_calls, "
      "old_steps < 200, new_steps > 2000, old_sqlite = sqlite_version() FROM plan_changes");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "SEARCH jobs USING COVERING INDEX jobs_state (state=? AND run_at<?)");
  EXPECT_EQ(rows[0][1], "SCAN jobs");
  EXPECT_EQ(rows[0][2], "jobs_state");
  EXPECT_EQ(rows[0][3], "1");
  EXPECT_EQ(rows[0][4], "CREATE INDEX \"jobs_state\" ON \"jobs\"(\"state\", \"run_at\");");
  EXPECT_EQ(rows[0][5], "schema change");
  // Every run on its side (REPREPARE is read at every run's end). The 21st run's first attempt
  // ran the old program until it met the new schema (SQLITE_SCHEMA): that attempt is what the
  // trace reports, so it counts on the old side; SQLite's retry with the new program follows
  // without a trace event.
  EXPECT_EQ(rows[0][6], "21");
  EXPECT_EQ(rows[0][7], "29");
  EXPECT_EQ(rows[0][10], "1");
}

// A statement whose plan only SEARCHes stops reading FULLSCAN_STEP, SORT and AUTOINDEX; once
// another connection's DROP INDEX makes it scan, every run of the new program is counted, as is
// a new statement object with the same text prepared after the change.
// A statement whose value decides its plan (a partial index's WHERE) is re-prepared by SQLite at
// each run that binds it: that is not a schema change. Its plan is the one it runs with, bound
// ('ready' uses the partial index), and it is EXPLAINed once, not after every run (before:
// "SCAN jobs", and 100 compilations for 50 runs where SQLite itself makes 51).
TEST_F(Plans, AStatementReplannedByItsBindingsIsPlannedWithThemOnce) {
  Db db;
  db.Exec("CREATE TABLE jobs(id INTEGER PRIMARY KEY, state TEXT, run_at INT);"
          "CREATE INDEX jobs_ready ON jobs(run_at) WHERE state = 'ready';"
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
          "INSERT INTO jobs(state, run_at) SELECT CASE WHEN i % 100 = 0 THEN 'ready' ELSE "
          "'done' END, i FROM n");
  int compilations = 0;
  sqlite3_set_authorizer(
      db.get(),
      [](void* n, int action, const char*, const char*, const char*, const char*) {
        if (action == SQLITE_SELECT) ++*static_cast<int*>(n);
        return SQLITE_OK;
      },
      &compilations);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db.get(), kQuery, -1, &stmt, nullptr), SQLITE_OK);
  RunReady(stmt, 50);
  const int reprepares = sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_REPREPARE, 0);
  sqlite3_finalize(stmt);
  sqlite3_set_authorizer(db.get(), nullptr, nullptr);
  EXPECT_EQ(reprepares, 50);  // SQLite's own, one per run that bound 'ready'
  EXPECT_LE(compilations, 1 + reprepares + 1);  // the prepare, the re-prepares, one EXPLAIN
  const std::string where = std::string(" FROM query_stats WHERE query = '") + kQuery + "'";
  EXPECT_EQ(db.One("SELECT plan" + where), "SEARCH jobs USING INDEX jobs_ready (run_at<?)");
  EXPECT_EQ(db.One("SELECT calls" + where), "50");
  EXPECT_EQ(db.One("SELECT count(*) FROM plan_changes WHERE query = '" + std::string(kQuery) + "'"),
            "0");
}

// Values too large to spell out are not: the plan is then the text's, found without copying a
// megabyte on the application's thread, and the connection's length limit is left as it was.
TEST_F(Plans, LargeBoundValuesAreNotSpelledOutForThePlan) {
  Db db;
  db.Exec("CREATE TABLE jobs(id INTEGER PRIMARY KEY, state TEXT, run_at INT, body BLOB);"
          "CREATE INDEX jobs_ready ON jobs(run_at) WHERE state = 'ready';"
          "INSERT INTO jobs(state, run_at) VALUES ('ready', 1), ('done', 2)");
  const std::string big(1 << 20, 'x');
  for (const auto destructor : {SQLITE_TRANSIENT, SQLITE_STATIC}) {
    db.Exec("SELECT query_stats_reset()");
    sqlite3_stmt* stmt = nullptr;
    const char* sql = "SELECT count(*) FROM jobs WHERE state = ? AND run_at < 5 AND body IS NOT ?";
    ASSERT_EQ(sqlite3_prepare_v2(db.get(), sql, -1, &stmt, nullptr), SQLITE_OK);
    for (int i = 0; i < 2; ++i) {
      sqlite3_bind_text(stmt, 1, "ready", -1, SQLITE_STATIC);
      sqlite3_bind_blob(stmt, 2, big.data(), static_cast<int>(big.size()), destructor);
      while (sqlite3_step(stmt) == SQLITE_ROW) {
      }
      sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    EXPECT_EQ(db.One("SELECT plan FROM query_stats WHERE query LIKE 'SELECT count(*) FROM jobs%'"),
              "SCAN jobs");
    EXPECT_EQ(sqlite3_limit(db.get(), SQLITE_LIMIT_LENGTH, -1), 1000000000);
  }
}

TEST_F(Plans, ScanCountersAreReadAgainWhenTheProgramMayScan) {
  TempDir dir;
  Db app(dir.File("app.db"));
  MakeJobs(app);
  const char* sql = "SELECT count(*) FROM jobs WHERE state = ?1 AND run_at < ?2";
  const std::string where = std::string(" FROM query_stats WHERE query = '") + kQuery + "'";
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(app.get(), sql, -1, &stmt, nullptr), SQLITE_OK);
  RunReady(stmt, 20);  // its plan is captured at the next statement start, then it reads less
  EXPECT_EQ(app.One("SELECT fullscan_steps || ' ' || sorts" + where), "0 0");
  RunReady(stmt, 5);
  {
    Db migration(dir.File("app.db"));
    migration.Exec("DROP INDEX jobs_state");
  }
  RunReady(stmt, 3);  // SCAN jobs: 1,999 steps forward in the table per run
  EXPECT_EQ(app.One("SELECT fullscan_steps" + where), std::to_string(3 * 1999));
  sqlite3_finalize(stmt);
  ASSERT_EQ(sqlite3_prepare_v2(app.get(), sql, -1, &stmt, nullptr), SQLITE_OK);
  RunReady(stmt, 2);
  EXPECT_EQ(app.One("SELECT fullscan_steps" + where), std::to_string(5 * 1999));
  sqlite3_finalize(stmt);
}

// The first run after another connection's schema change: SQLite's trace reports the attempt
// that met the new schema (SQLITE_SCHEMA), then retries with the re-prepared program without a
// STMT event. The retry's rows, VM steps and scan steps belong to that run (before: 0 rows, the
// attempt's few steps, and the scan steps counted with the next run).
TEST_F(Plans, TheRetryAfterASchemaChangeCountsInItsRun) {
  TempDir dir;
  Db app(dir.File("app.db"));
  MakeJobs(app);
  const std::string where = std::string(" FROM query_stats WHERE query = '") + kQuery + "'";
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(app.get(), "SELECT count(*) FROM jobs WHERE state = ?1 AND run_at < ?2",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  RunReady(stmt, 2);
  const int64_t steps_before = std::stoll(app.One("SELECT vm_steps" + where));
  {
    Db migration(dir.File("app.db"));
    migration.Exec("DROP INDEX jobs_state");
  }
  RunReady(stmt, 1);
  EXPECT_EQ(app.One("SELECT calls || ' ' || rows || ' ' || fullscan_steps" + where), "3 3 1999");
  // A scan of 2,000 rows takes thousands of VM steps (the attempt alone took a few dozen).
  EXPECT_GT(std::stoll(app.One("SELECT vm_steps" + where)) - steps_before, 4000);
  RunReady(stmt, 1);
  EXPECT_EQ(app.One("SELECT calls || ' ' || rows || ' ' || fullscan_steps" + where), "4 4 3998");
  sqlite3_finalize(stmt);
}

// The same for a write: its rows are the changes of its retry, not the count the attempt saw
// (the previous statement's: an INSERT after an UPDATE of 3 rows counted 3, found with several
// processes, one creating an index while the others wrote).
TEST_F(Plans, AWriteRetriedAfterASchemaChangeCountsItsOwnChanges) {
  TempDir dir;
  Db app(dir.File("app.db"));
  app.Exec("CREATE TABLE t(x); CREATE TABLE u(y); INSERT INTO u VALUES (1), (2), (3)");
  sqlite3_stmt* insert = nullptr;
  sqlite3_stmt* update = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(app.get(), "INSERT INTO t VALUES (1)", -1, &insert, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_prepare_v2(app.get(), "UPDATE u SET y = y + 1", -1, &update, nullptr),
            SQLITE_OK);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(sqlite3_step(insert), SQLITE_DONE);
    sqlite3_reset(insert);
    ASSERT_EQ(sqlite3_step(update), SQLITE_DONE);
    sqlite3_reset(update);
    Db migration(dir.File("app.db"));
    migration.Exec("CREATE INDEX t_x" + std::to_string(i) + " ON t(x)");
  }
  EXPECT_EQ(app.One("SELECT calls || ' ' || rows FROM query_stats"
                    " WHERE query = 'INSERT INTO t VALUES (?)'"),
            "3 3");  // before: "3 7"
  EXPECT_EQ(app.One("SELECT calls || ' ' || rows FROM query_stats"
                    " WHERE query = 'UPDATE u SET y = y + ?'"),
            "3 9");  // before: "3 5"
  sqlite3_finalize(insert);
  sqlite3_finalize(update);
}

// The capture never fails the application's statement: an authorizer that refuses the EXPLAIN
// leaves the plan unknown, and the statement that starts meanwhile runs as it would.
TEST_F(Plans, CaptureFailureLeavesTheApplicationAlone) {
  Db db;
  MakeJobs(db);
  db.Exec("SELECT count(*) FROM jobs WHERE state = 'ready' AND run_at < 5000");
  sqlite3_set_authorizer(
      db.get(),
      [](void*, int action, const char* a, const char*, const char*, const char*) {
        return action == SQLITE_READ && a != nullptr && std::string(a) == "jobs" ? SQLITE_DENY
                                                                                  : SQLITE_OK;
      },
      nullptr);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db.get(), "SELECT 41 + 1", -1, &stmt, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), 42);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE);
  EXPECT_EQ(sqlite3_errcode(db.get()), SQLITE_DONE);
  sqlite3_finalize(stmt);
  sqlite3_set_authorizer(db.get(), nullptr, nullptr);
  EXPECT_EQ(db.One(std::string("SELECT plan_id IS NULL FROM query_stats WHERE query = '") +
                   kQuery + "'"),
            "1");
}

// The application's changes() and last rowid survive a capture at the next statement start
// (writes are not planned: EXPLAIN of a DELETE would set changes() to 0).
TEST_F(Plans, CaptureLeavesChangesAndRowid) {
  Db db;
  MakeJobs(db);
  db.Exec("SELECT count(*) FROM jobs WHERE state = 'ready' AND run_at < 5000");
  db.Exec("DELETE FROM jobs WHERE run_at > 1990");
  EXPECT_EQ(db.One("SELECT changes()"), "10");
  db.Exec("SELECT count(*) FROM jobs WHERE state = 'done' AND run_at < 5000");
  db.Exec("INSERT INTO jobs(id, state, run_at) VALUES (7777, 'x', 1)");
  db.Exec("SELECT count(*) FROM jobs WHERE state = 'x' AND run_at < 5000");
  EXPECT_EQ(db.One("SELECT last_insert_rowid() || ' ' || changes()"), "7777 1");
}

// ANALYZE on the connection makes the planner prefer the other index: the change says why.
TEST_F(Plans, AnalyzeIsTheCause) {
  Db db;
  db.Exec("CREATE TABLE t(a, b); CREATE INDEX tb ON t(b); CREATE INDEX ta ON t(a);"
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
          "INSERT INTO t SELECT i % 2, i FROM n");
  db.Exec("SELECT count(*) FROM t WHERE a = 1 AND b > 5");
  db.Exec("ANALYZE");
  db.Exec("SELECT count(*) FROM t WHERE a = 1 AND b > 5");
  auto rows = db.Rows("SELECT old_plan, new_plan, cause FROM plan_changes");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "SEARCH t USING INDEX ta (a=?)");
  EXPECT_EQ(rows[0][1], "SEARCH t USING INDEX tb (b>?)");
  EXPECT_EQ(rows[0][2], "ANALYZE");
}

// A regression that ANALYZE caused has no `ANALYZE;` fix: on the same data another ANALYZE plans
// the same way (before, fix was 'ANALYZE;' and after running it the finding was unchanged: the
// Sakila workload's report loop offered it round after round).
TEST_F(Plans, ARegressionAnalyzeCausedIsNotFixedByAnalyze) {
  Db db;
  db.Exec("CREATE TABLE t(a, b); CREATE INDEX tb ON t(b); CREATE INDEX ta ON t(a);"
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
          "INSERT INTO t SELECT i % 3, i FROM n");
  for (int i = 0; i < 3; ++i) db.Exec("SELECT count(*) FROM t WHERE a = 1 AND b > 5");
  db.Exec("ANALYZE");
  for (int i = 0; i < 3; ++i) db.Exec("SELECT count(*) FROM t WHERE a = 1 AND b > 5");
  auto rows = db.Rows("SELECT cause, regression, fix IS NULL, new_plan FROM plan_changes");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "ANALYZE");
  EXPECT_EQ(rows[0][1], "1") << "6,011 -> 12,991 VM steps";
  EXPECT_EQ(rows[0][2], "1") << "no fix: ANALYZE again plans " << rows[0][3];
  db.Exec("ANALYZE");
  EXPECT_EQ(db.One("SELECT new_plan FROM plan_changes"), rows[0][3]);
}

// A regression whose new plan's indexes already have statistics has no `ANALYZE;` fix: the
// ANALYZE ran in another process (doctor_report's fixes, run from a reader, end with one), which
// this process does not see; another one plans the same. Before: `ANALYZE;` in every report, the
// plan unchanged after each run of it (a generated orders database, its join 3x slower).
TEST_F(Plans, ARegressionWhoseIndexesHaveStatisticsIsNotFixedByAnalyze) {
  TempDir dir;
  {  // The application's first connection, closed (its runs counted) before the index comes.
    Db db(dir.File("app.db"));
    db.Exec("CREATE TABLE other(x); CREATE INDEX ox ON other(x); ANALYZE other;"
            "CREATE TABLE t(a, b); CREATE INDEX ta ON t(a);"
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
            "INSERT INTO t SELECT i % 3, i FROM n");
    for (int i = 0; i < 3; ++i) db.Exec("SELECT count(*) FROM t WHERE a = 1 AND b > 5");
  }
  // Another connection builds an index and writes what ANALYZE writes for it (not through an
  // ANALYZE statement, which this process would see); the application's next connection plans
  // with them.
  Db other(dir.File("app.db"));
  other.Exec("CREATE INDEX tb ON t(b);"
             "INSERT INTO sqlite_stat1 VALUES ('t', 'ta', '3000 1000'), ('t', 'tb', '3000 1')");
  Db app(dir.File("app.db"));
  for (int i = 0; i < 3; ++i) app.Exec("SELECT count(*) FROM t WHERE a = 1 AND b > 5");
  auto rows = app.Rows("SELECT cause, regression, fix IS NULL, new_plan FROM plan_changes");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "schema change");
  EXPECT_EQ(rows[0][1], "1");
  EXPECT_EQ(rows[0][3], "SEARCH t USING INDEX tb (b>?)");
  EXPECT_EQ(rows[0][2], "1") << "no fix: the statistics cover tb already";
}

// Runs of one query by several statements (an application that prepares it anew while older
// ones live, each at its own address and cache slot) all ran with the old plan: they count there.
// Only the statement that saw the change had its runs folded, so the others' runs, folded later,
// went to the new plan (under ASan, whose allocator does not hand an address back at once, 6 of
// 12 old runs of a statement prepared for each run; here 8 of 8).
TEST_F(Plans, EveryStatementsRunsBeforeAChangeCountForTheOldPlan) {
  Db db;
  MakeJobs(db);
  sqlite3_stmt* a = nullptr;
  sqlite3_stmt* b = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db.get(), kQuery, -1, &a, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_prepare_v2(db.get(), kQuery, -1, &b, nullptr), SQLITE_OK);
  RunReady(a, 4);
  RunReady(b, 4);
  db.Exec("DROP INDEX jobs_state");
  sqlite3_stmt* c = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db.get(), kQuery, -1, &c, nullptr), SQLITE_OK);
  RunReady(c, 3);
  sqlite3_finalize(a);
  sqlite3_finalize(b);
  sqlite3_finalize(c);
  auto rows = db.Rows("SELECT old_calls, new_calls, new_plan FROM plan_changes");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "8");
  EXPECT_EQ(rows[0][1], "3");
  EXPECT_EQ(rows[0][2], "SCAN jobs");
}

TEST_F(Plans, ResetForgetsThePlans) {
  Db db;
  MakeJobs(db);
  db.Exec("SELECT count(*) FROM jobs WHERE state = 'ready' AND run_at < 5000");
  db.Exec("DROP INDEX jobs_state");
  db.Exec("SELECT count(*) FROM jobs WHERE state = 'ready' AND run_at < 5000");
  EXPECT_EQ(db.One("SELECT count(*) FROM plan_changes"), "1");
  db.Exec("SELECT query_stats_reset()");
  EXPECT_EQ(db.One("SELECT count(*) FROM plan_changes"), "0");
  db.Exec("SELECT count(*) FROM jobs WHERE state = 'ready' AND run_at < 5000");
  EXPECT_EQ(db.One(std::string("SELECT plan FROM query_stats WHERE query = '") + kQuery + "'"),
            "SCAN jobs");
}

// One shape, several spellings (a hand-written `FROM Jobs` and an ORM's `FROM "jobs"` fold to one
// query): EXPLAIN prints the table as each statement wrote it, and the plans were two texts, so
// each re-plan recorded a "schema change" from one spelling to the other (seen with 3 Node
// workers mixing drizzle and hand-written SQL: two such changes per process at a CREATE INDEX).
TEST_F(Plans, SpellingsOfOneQueryHaveOnePlan) {
  Db db;
  MakeJobs(db);
  db.Exec("SELECT count(*) FROM Jobs WHERE state = 'ready' AND run_at < 5000");
  db.Exec("CREATE TABLE other(x)");  // DDL: the connection's statements are planned again
  db.Exec("SELECT count(*) FROM \"jobs\" WHERE state = 'ready' AND run_at < 5000");
  db.Exec("CREATE TABLE other2(x)");
  db.Exec("SELECT count(*) FROM JOBS AS J WHERE J.state = 'ready' AND J.run_at < 5000");
  EXPECT_EQ(db.One("SELECT count(*) FROM plan_changes"), "0");
  EXPECT_EQ(db.One(std::string("SELECT plan FROM query_stats WHERE query = '") + kQuery + "'"),
            "SEARCH jobs USING COVERING INDEX jobs_state (state=? AND run_at<?)");
  EXPECT_EQ(db.One("SELECT plan FROM query_stats WHERE query LIKE '%AS j WHERE%'"),
            "SEARCH j USING COVERING INDEX jobs_state (state=? AND run_at<?)");
  // Quoted names with spaces, as an ORM's table named "User Accounts".
  db.Exec("CREATE TABLE \"User Accounts\"(id INTEGER PRIMARY KEY, n);"
          "SELECT n FROM \"User Accounts\" WHERE id = 1;"
          "CREATE TABLE other3(x);"
          "SELECT n FROM \"user accounts\" WHERE id = 2");
  EXPECT_EQ(db.One("SELECT plan FROM query_stats WHERE query LIKE '%\"user accounts\" WHERE%'"),
            "SEARCH user accounts USING INTEGER PRIMARY KEY (rowid=?)");
  EXPECT_EQ(db.One("SELECT count(*) FROM plan_changes"), "0");
}

}  // namespace
}  // namespace doctor
