// migrate_check's workload replay (replay.h): hot queries captured in query_stats run before and
// after the migration in the dry run; plan changes become plan_change rows.
#include <fstream>
#include <map>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ext/core/testing.h"

namespace doctor {
namespace {

using ::testing::HasSubstr;

// The "<before> -> <after> steps" of a plan_change detail, as numbers.
std::pair<int64_t, int64_t> StepsOf(const std::string& detail) {
  const size_t arrow = detail.rfind(" -> ");
  const size_t comma = detail.rfind(", ", arrow);
  const size_t end = detail.find(" steps", arrow);
  std::string before = absl::StrReplaceAll(detail.substr(comma + 2, arrow - comma - 2), {{",", ""}});
  std::string after = absl::StrReplaceAll(detail.substr(arrow + 4, end - arrow - 4), {{",", ""}});
  int64_t b = -1, a = -1;
  EXPECT_TRUE(absl::SimpleAtoi(before, &b)) << detail;
  EXPECT_TRUE(absl::SimpleAtoi(after, &a)) << detail;
  return {b, a};
}

class ReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.Exec("SELECT query_stats_reset(); SELECT doctor_set('timing', 'on')");
    db_.Exec("CREATE TABLE jobs(id INTEGER PRIMARY KEY, state TEXT, payload TEXT);"
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) "
             "INSERT INTO jobs SELECT i, CASE WHEN i % 1000 = 0 THEN 'ready' ELSE 'done' END, "
             "'p' || i FROM n;"
             "CREATE INDEX jobs_state ON jobs(state)");
    // The queue poll, run a few times so query_stats has it with its example.
    for (int i = 0; i < 5; ++i) db_.Rows("SELECT id, payload FROM jobs WHERE state = 'ready'");
    ASSERT_EQ(db_.One("SELECT count(*) FROM query_stats WHERE query LIKE '%FROM jobs WHERE state%'"),
              "1");
  }

  std::vector<std::vector<std::string>> PlanChanges(const std::string& migration) {
    return db_.Rows("SELECT severity, object, detail FROM migrate_check('" + migration +
                    "') WHERE kind = 'plan_change'");
  }

  testing::Db db_;
};

TEST_F(ReplayTest, DroppingTheIndexOfAHotQueryIsAWarningFromSearchToScan) {
  auto rows = PlanChanges("DROP INDEX jobs_state");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "warning");
  EXPECT_EQ(rows[0][1], "jobs_state");
  const std::string& detail = rows[0][2];
  EXPECT_THAT(detail, HasSubstr("drops jobs_state, used by this hot query ("));
  EXPECT_THAT(detail, HasSubstr("% of measured time): SELECT id, payload FROM jobs WHERE state = "));
  EXPECT_THAT(detail, HasSubstr(" goes from SEARCH jobs USING INDEX jobs_state (state=?) to SCAN jobs, "));
  auto [before, after] = StepsOf(detail);
  EXPECT_GT(before, 0);
  EXPECT_GT(after, 10 * before);
  EXPECT_EQ(db_.One("SELECT count(*) FROM sqlite_schema WHERE name = 'jobs_state'"), "1");  // rolled back
}

TEST_F(ReplayTest, AMigrationThatDoesNotTouchTheQueryAddsNoRow) {
  EXPECT_TRUE(PlanChanges("CREATE TABLE other(x); CREATE INDEX jobs_payload ON jobs(payload)").empty());
}

TEST_F(ReplayTest, AFasterPlanIsInfo) {
  auto rows = PlanChanges("CREATE INDEX jobs_state_payload ON jobs(state, payload)");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "info");
  EXPECT_THAT(rows[0][2], HasSubstr("to SEARCH jobs USING COVERING INDEX jobs_state_payload"));
  auto [before, after] = StepsOf(rows[0][2]);
  EXPECT_LE(after, before);
}

TEST_F(ReplayTest, AQueryThatNoLongerRunsIsAWarning) {
  auto rows = PlanChanges("ALTER TABLE jobs DROP COLUMN payload");
  // The poll, and SetUp's INSERT of three values (its replay stops at the UNIQUE constraint of
  // the ids already there, on the values, not the statement: it ran before, and no longer does).
  ASSERT_EQ(rows.size(), 2u);
  std::map<std::string, std::string> detail_of;
  for (const auto& row : rows) {
    EXPECT_EQ(row[0], "warning");
    detail_of[row[1].substr(0, 6) == "SELECT" ? "poll" : "insert"] = row[2];
  }
  EXPECT_THAT(detail_of["poll"],
              ::testing::EndsWith("no longer runs after the migration: no such column: payload"));
  EXPECT_THAT(detail_of["insert"],
              ::testing::EndsWith("no longer runs after the migration: table jobs has 2 columns "
                                  "but 3 values were supplied"));
}

// Runs `sql` `times` times with `value` bound to its one parameter, as a driver does.
void RunBound(sqlite3* db, const std::string& sql, const char* value, int times);

// The replayed INSERT's task_id is picked from the data before the migration; a migration that
// deletes that task made the INSERT fail with "FOREIGN KEY constraint failed", reported as a
// warning that it "no longer runs after the migration".
TEST(ReplayValuesTest, AConstraintItsPickedValuesBreakIsNotAQueryThatNoLongerRuns) {
  testing::Db db;
  db.Exec("SELECT query_stats_reset(); SELECT doctor_set('timing', 'on'); PRAGMA foreign_keys = ON;"
          "CREATE TABLE tasks(id INTEGER PRIMARY KEY);"
          "CREATE TABLE comments(id INTEGER PRIMARY KEY, task_id INT NOT NULL REFERENCES tasks(id) "
          "ON DELETE CASCADE, body TEXT);"
          "CREATE INDEX comments_task ON comments(task_id);"
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) "
          "INSERT INTO tasks SELECT i FROM n;"
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) "
          "INSERT INTO comments SELECT i, 1 + i % 200, 'c' FROM n;");
  RunBound(db.get(), "INSERT INTO comments(task_id, body) VALUES (?, 'x')", "7", 20);
  ASSERT_EQ(db.One("SELECT count(*) FROM query_stats WHERE query LIKE 'INSERT INTO comments%'"), "1");
  // A cleanup that keeps the newest task alone (and, through the cascade, its comments): the
  // task the replay picks for the INSERT is gone.
  const std::string migration = "DELETE FROM tasks WHERE id < 200";
  EXPECT_EQ(db.One("SELECT count(*) FROM migrate_check('" + migration + "') WHERE kind = "
                   "'plan_change' AND detail LIKE '%no longer runs%'"),
            "0")
      << db.One("SELECT group_concat(detail, ' | ') FROM migrate_check('" + migration + "')");
  // A statement the migration truly breaks still is one.
  EXPECT_THAT(db.One("SELECT group_concat(detail, ' | ') FROM migrate_check('ALTER TABLE comments "
                     "DROP COLUMN body') WHERE kind = 'plan_change'"),
              HasSubstr("VALUES (?, 'x') no longer runs after the migration: table comments has "
                        "no column named body"));
}

void RunBound(sqlite3* db, const std::string& sql, const char* value, int times) {
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
  for (int i = 0; i < times; ++i) {
    sqlite3_bind_text(stmt, 1, value, -1, SQLITE_STATIC);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
    }
    sqlite3_reset(stmt);
  }
  sqlite3_finalize(stmt);
}

TEST_F(ReplayTest, ParametersGetValuesGuessedFromTheData) {
  RunBound(db_.get(), "SELECT payload FROM jobs WHERE state = ?", "ready", 3);
  auto rows = PlanChanges("DROP INDEX jobs_state");
  ASSERT_EQ(rows.size(), 1u);  // both queries in one finding for the index
  EXPECT_THAT(rows[0][2], HasSubstr("drops jobs_state, used by 2 hot queries whose plan changes ("));
  // The guess is the rarest value of the status-like column: the search finds its 10 rows.
  EXPECT_THAT(db_.One("SELECT detail FROM migrate_check('DROP INDEX jobs_state') WHERE kind = "
                      "'plan_change'"),
              ::testing::Not(HasSubstr("bound to NULL")));
}

TEST_F(ReplayTest, OneFindingPerDroppedIndexWithItsQueriesShareAndTheWorst) {
  // Three hot queries use jobs_state; one other uses jobs_payload, also dropped.
  db_.Exec("CREATE INDEX jobs_payload ON jobs(payload)");
  for (int i = 0; i < 3; ++i) {
    db_.Rows("SELECT count(*) FROM jobs WHERE state = 'ready'");
    db_.Rows("SELECT max(id) FROM jobs WHERE state = 'ready'");
    db_.Rows("SELECT id FROM jobs WHERE payload = 'p7'");
  }
  auto rows = PlanChanges("DROP INDEX jobs_state; DROP INDEX jobs_payload");
  ASSERT_EQ(rows.size(), 2u);
  std::map<std::string, std::string> by_object;
  for (const auto& r : rows) by_object[r[1]] = r[2];
  const std::string& state = by_object["jobs_state"];
  EXPECT_THAT(state, ::testing::MatchesRegex(
                         "drops jobs_state, used by 3 hot queries whose plan changes \\((<1|[0-9]+)% "
                         "of measured time\\); the worst: SELECT .* goes from SEARCH jobs USING "
                         "(COVERING )?INDEX jobs_state \\(state=\\?\\) to SCAN jobs, .* steps"));
  EXPECT_THAT(by_object["jobs_payload"],
              HasSubstr("drops jobs_payload, used by this hot query ("));
}

TEST_F(ReplayTest, ARebuiltTableIsACause) {
  // The rebuild recreates the table without the index: the index is dropped, and named.
  auto rows = PlanChanges(
      "CREATE TABLE jobs_new(id INTEGER PRIMARY KEY, state TEXT, payload TEXT);"
      "INSERT INTO jobs_new SELECT * FROM jobs; DROP TABLE jobs; ALTER TABLE jobs_new RENAME TO jobs;"
      "CREATE INDEX jobs_state ON jobs(state, payload)");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][1], "jobs_state");
  EXPECT_THAT(rows[0][2], HasSubstr("changes jobs_state, used by this hot query ("));
}

TEST_F(ReplayTest, APartialIndexServesTheQueryOnlyForItsValue) {
  // A queue: 10 queued jobs among 10,000; the poll binds 'queued', which the partial index is
  // for. Bound to NULL the replay would plan a SCAN before and after and see no change.
  db_.Exec("UPDATE jobs SET state = CASE WHEN id % 1000 = 0 THEN 'queued' WHEN id % 3 = 0 THEN "
           "'failed' ELSE 'done' END; DROP INDEX jobs_state; "
           "CREATE INDEX jobs_queued ON jobs(id) WHERE state = 'queued'; SELECT query_stats_reset()");
  RunBound(db_.get(), "SELECT id, payload FROM jobs WHERE state = ?", "queued", 5);
  auto rows = PlanChanges("DROP INDEX jobs_queued");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "warning");
  EXPECT_THAT(rows[0][2], HasSubstr("drops jobs_queued, used by this hot query ("));
  EXPECT_THAT(rows[0][2], HasSubstr("USING INDEX jobs_queued"));
  EXPECT_THAT(rows[0][2], HasSubstr("to SCAN jobs"));
  EXPECT_THAT(rows[0][2], HasSubstr("(with state = 'queued' (partial index WHERE))"));
  auto [before, after] = StepsOf(rows[0][2].substr(0, rows[0][2].rfind(" (with")));
  EXPECT_GT(after, 10 * before);
}

TEST_F(ReplayTest, CapturedValuesOfASlowRunComeFirst) {
  db_.Exec("SELECT query_stats_reset(), doctor_set('slow_params', 'on'), doctor_set('slow_ms', 0)");
  RunBound(db_.get(), "SELECT payload FROM jobs WHERE state = ?", "done", 2);
  db_.Exec("SELECT doctor_set('slow_params', 'off'), doctor_set('slow_ms', 100)");
  auto rows = PlanChanges("DROP INDEX jobs_state");
  ASSERT_EQ(rows.size(), 1u);
  // Replayed as it ran, with 'done' (9,990 of 10,000 rows; the guess would be the rare 'ready').
  EXPECT_THAT(rows[0][2], HasSubstr("used by this hot query ("));
  EXPECT_THAT(rows[0][2], HasSubstr("SELECT payload FROM jobs WHERE state = 'done' goes from SEARCH"));
  EXPECT_THAT(rows[0][2], ::testing::EndsWith(" steps (with the values of a captured slow run (slow_params))"));
}

TEST_F(ReplayTest, ACapturedRunCutAtTheLengthLimitIsNotReplayed) {
  // slow_queries keeps 4,096 bytes of the expanded SQL: this one is cut and does not prepare,
  // so the values are guessed instead (with the cut text the query was left out: no row).
  db_.Exec("SELECT query_stats_reset(), doctor_set('slow_params', 'on'), doctor_set('slow_ms', 0)");
  const std::string long_value(5000, 'x');
  RunBound(db_.get(), "SELECT payload FROM jobs WHERE payload <> ? AND state = 'ready'",
           long_value.c_str(), 2);
  db_.Exec("SELECT doctor_set('slow_params', 'off'), doctor_set('slow_ms', 100)");
  ASSERT_EQ(db_.One("SELECT count(*) > 0 FROM slow_queries WHERE params LIKE '%xxxx…'"), "1");
  auto rows = PlanChanges("DROP INDEX jobs_state");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_THAT(rows[0][2], HasSubstr("goes from SEARCH jobs USING INDEX jobs_state (state=?) to SCAN jobs"));
  EXPECT_THAT(rows[0][2], HasSubstr("(with payload = 'p"));
}

TEST_F(ReplayTest, DoctorReportSeesTheWarning) {
  // doctor_report reads migrate_check's warnings for each pending migration of a folder.
  testing::TempDir dir;
  std::ofstream(dir.File("0001_drop_state.sql")) << "DROP INDEX jobs_state;\n";
  EXPECT_THAT(db_.One("SELECT group_concat(finding, ' | ') FROM doctor_report('main', 'quick', '" +
                      dir.path() + "') WHERE area = 'migrations'"),
              HasSubstr("(plan_change): drops jobs_state, used by this hot query"));
}

// The migrate_dir run (foreign keys on) counts its cascades with temporary indexes on the
// unindexed child columns (cascade_indexes.h); the counts are the same and the replay never sees
// the indexes (else the hot query's SCAN of posts would turn into a SEARCH "after").
TEST(CascadeIndexesTest, TheMigrateDirRunCountsCascadesByIndexAndTheReplayNeverSeesThem) {
  testing::Db db;
  db.Exec("PRAGMA foreign_keys = ON; SELECT query_stats_reset(), doctor_set('timing', 'on');"
          "CREATE TABLE users(id INTEGER PRIMARY KEY);"
          "CREATE TABLE posts(id INTEGER PRIMARY KEY, user_id INT REFERENCES users ON DELETE CASCADE);"
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) "
          "INSERT INTO users SELECT i FROM n;"
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
          "INSERT INTO posts SELECT i, 1 + i % 500 FROM n");
  for (int i = 0; i < 3; ++i) db.Rows("SELECT count(*) FROM posts WHERE user_id = 7");
  auto rows = db.Rows("SELECT kind, object, detail FROM migrate_check('DELETE FROM users WHERE id <= 250')");
  std::string all;
  for (const auto& r : rows) all += r[0] + " " + r[1] + ": " + r[2] + "\n";
  EXPECT_THAT(all, HasSubstr("cascade posts: statement 1 of 1 (DELETE FROM users WHERE id <= 250): "
                             "deletes 2500 of 5000 rows of posts through ON DELETE CASCADE"));
  EXPECT_THAT(all, ::testing::Not(HasSubstr("plan_change")));
  EXPECT_THAT(all, ::testing::Not(HasSubstr("doctor_dry_run_fk")));
  EXPECT_EQ(db.One("SELECT count(*) FROM sqlite_schema WHERE type = 'index'"), "0");
}

}  // namespace
}  // namespace doctor
