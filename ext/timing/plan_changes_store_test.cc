// Plan changes shared through the store (format 4, store_plan_changes.h): written by the flush
// and refreshed as the new plan's figures grow, shown to other processes beside their own with a
// process column, every value checked on read, emptied by a reset, bounded, and a format-3 store
// read as having none and upgraded by the next writer. (Tagged "threads": the flusher.)
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include <string>

#include "ext/core/testing.h"
#include "ext/timing/store_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace doctor {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using testing::Db;
using testing::TempDir;
using timing::testing::OnStore;
using timing::testing::StoreValue;

class PlanChangesStore : public timing::testing::StoreFixture {};

// The error of a read, "" when it succeeds.
std::string ReadError(Db& db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &stmt, nullptr);
  while (rc == SQLITE_OK || rc == SQLITE_ROW) rc = sqlite3_step(stmt);
  std::string error = rc == SQLITE_DONE ? "" : sqlite3_errmsg(db.get());
  sqlite3_finalize(stmt);
  return error;
}

// An application connection whose prepared lookup changes plan when its index is dropped: 20
// runs with the index, `after` runs without.
class App {
 public:
  explicit App(const std::string& file) : db_(file) {
    db_.Exec("CREATE TABLE jobs(id INTEGER PRIMARY KEY, state TEXT, run_at INT);"
             "CREATE INDEX jobs_state ON jobs(state, run_at);"
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
             "INSERT INTO jobs(state, run_at) SELECT CASE WHEN i % 100 = 0 THEN 'ready' ELSE "
             "'done' END, i FROM n");
    sqlite3_prepare_v2(db_.get(), "SELECT count(*) FROM jobs WHERE state = ?1 AND run_at < ?2",
                       -1, &stmt_, nullptr);
    Run(20);
    db_.Exec("DROP INDEX jobs_state");
  }
  ~App() { sqlite3_finalize(stmt_); }
  void Run(int times) {
    for (int i = 0; i < times; ++i) {
      sqlite3_bind_text(stmt_, 1, "ready", -1, SQLITE_STATIC);
      sqlite3_bind_int(stmt_, 2, 5000);
      while (sqlite3_step(stmt_) == SQLITE_ROW) {
      }
      sqlite3_reset(stmt_);
    }
    db_.Exec("SELECT 1");  // a statement start: a queued plan check runs here
  }
  Db& db() { return db_; }

 private:
  Db db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// The change another process would show: this process's row relabelled with another token.
void AsAnotherProcess(const std::string& app) {
  ASSERT_EQ(OnStore(app, "UPDATE doctor_plan_changes SET process = 7"), "");
}

TEST_F(PlanChangesStore, WrittenByTheFlushAndRefreshedAsTheNewPlanRuns) {
  TempDir dir;
  const std::string file = dir.File("app.db");
  App app(file);
  app.Run(30);
  app.db().One("SELECT query_stats_flush()");
  EXPECT_EQ(StoreValue(file, "SELECT count(*) FROM doctor_plan_changes"), "1");
  EXPECT_EQ(StoreValue(file, "SELECT value FROM doctor_sidecar WHERE key = 'format'"), "4");
  // Seen at the first run after the re-prepare: the runs before count under the old plan.
  EXPECT_EQ(StoreValue(file, "SELECT old_calls >= 20 AND old_calls + new_calls = 50"
                             " FROM doctor_plan_changes"),
            "1");
  const std::string before = StoreValue(file, "SELECT new_calls FROM doctor_plan_changes");
  EXPECT_EQ(StoreValue(file, "SELECT new_plan FROM doctor_plan_changes"), "SCAN jobs");
  // The new plan's figures keep growing: the next flush replaces the row, never adds one.
  app.Run(5);
  app.db().One("SELECT query_stats_flush()");
  EXPECT_EQ(StoreValue(file, "SELECT count(*) || ' ' || max(new_calls) FROM doctor_plan_changes"),
            "1 " + std::to_string(std::stoi(before) + 5));
  // This process shows its own change once (from memory, not again from the store).
  EXPECT_EQ(app.db().One("SELECT count(*) || ' ' || min(process) FROM plan_changes"), "1 this");
}

// A flush that fails (the store locked by another process) writes nothing, and the next one
// writes the figures as they are then: the change's new runs are not lost.
TEST_F(PlanChangesStore, AFailedFlushLosesNoRuns) {
  TempDir dir;
  const std::string file = dir.File("app.db");
  App app(file);
  app.Run(30);
  app.db().One("SELECT query_stats_flush()");
  const int before = std::stoi(StoreValue(file, "SELECT new_calls FROM doctor_plan_changes"));
  app.Run(5);
  {
    sqlite3* locker = nullptr;
    sqlite3_open((file + "-doctor").c_str(), &locker);
    ASSERT_EQ(sqlite3_exec(locker, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
    EXPECT_THAT(ReadError(app.db(), "SELECT query_stats_flush()"), HasSubstr("locked"));
    sqlite3_close_v2(locker);
  }
  app.db().One("SELECT query_stats_flush()");
  EXPECT_EQ(StoreValue(file, "SELECT new_calls FROM doctor_plan_changes"),
            std::to_string(before + 5));
}

// The store's rows of another process are shown beside this process's, with their figures, cause
// and fix worked out by the reader; query_stats' plan_id is the new plan's, as doctor_report needs.
TEST_F(PlanChangesStore, AnotherProcessesChangeIsShownWithItsFixAndReported) {
  TempDir dir;
  const std::string file = dir.File("app.db");
  App app(file);
  app.Run(30);
  app.db().One("SELECT query_stats_flush()");
  AsAnotherProcess(file);
  Db& db = app.db();
  EXPECT_EQ(db.One("SELECT count(*) FROM plan_changes"), "2");
  const std::string other = " FROM plan_changes WHERE process = 7";
  EXPECT_EQ(db.One("SELECT (old_calls + new_calls) || ' ' || regression" + other), "50 1");
  EXPECT_EQ(db.One("SELECT cause" + other), "schema change");
  EXPECT_EQ(db.One("SELECT dropped_indexes" + other), "jobs_state");
  EXPECT_EQ(db.One("SELECT fix" + other),
            "CREATE INDEX \"jobs_state\" ON \"jobs\"(\"state\", \"run_at\");");
  EXPECT_EQ(db.One("SELECT new_plan_id = (SELECT plan_id FROM query_stats WHERE query LIKE "
                   "'SELECT count(*) FROM jobs%')" + other),
            "1");
  // The report gives one finding per regressed query, not one per process that saw it.
  EXPECT_EQ(db.One("SELECT count(*) FROM doctor_report WHERE finding LIKE '%plan of query%'"),
            "1");
}

// A deploy: the application ran with a plan (here a forked process, gone by now), a migration
// dropped its index, and the restarted application plans the query anew. The new process never
// ran the old plan; the store's plan of the shape is what it changed from (plan_changes was
// empty: a change was only seen within one process).
TEST_F(PlanChangesStore, AChangeAcrossARestartIsRecordedFromTheStoresPlan) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "TSAN stops a child that starts threads after fork";
#endif
  TempDir dir;
  const std::string file = dir.File("app.db");
  Db db(file);
  db.Exec("CREATE TABLE jobs(id INTEGER PRIMARY KEY, state TEXT, run_at INT);"
          "CREATE INDEX jobs_state ON jobs(state, run_at);"
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
          "INSERT INTO jobs(state, run_at) SELECT CASE WHEN i % 100 = 0 THEN 'ready' ELSE "
          "'done' END, i FROM n");
  const char* kPoll = "SELECT count(*) FROM jobs WHERE state = 'ready' AND run_at < 5000";
  std::fflush(nullptr);
  const pid_t child = fork();
  if (child == 0) {  // the application before the deploy
    sqlite3* own = nullptr;
    sqlite3_open(file.c_str(), &own);
    for (int i = 0; i < 20; ++i) sqlite3_exec(own, kPoll, nullptr, nullptr, nullptr);
    sqlite3_exec(own, "SELECT query_stats_flush()", nullptr, nullptr, nullptr);
    sqlite3_close_v2(own);
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_THAT(StoreValue(file, "SELECT plan FROM doctor_query_plans WHERE plan LIKE '%jobs%'"),
              HasSubstr("USING COVERING INDEX jobs_state"));
  db.Exec("DROP INDEX jobs_state");  // the migration; then the restarted application:
  for (int i = 0; i < 10; ++i) db.Rows(kPoll);
  db.One("SELECT query_stats_flush()");
  EXPECT_EQ(db.One("SELECT count(*) FROM plan_changes"), "1");
  EXPECT_EQ(db.One("SELECT old_calls || ' ' || regression || ' ' || dropped_indexes || ' ' ||"
                   " new_plan FROM plan_changes"),
            "20 1 jobs_state SCAN jobs");
  EXPECT_EQ(StoreValue(file, "SELECT count(*) FROM doctor_plan_changes"), "1");
  // Recorded once: the next flush refreshes it, it adds no second change.
  db.Rows(kPoll);
  db.One("SELECT query_stats_flush()");
  EXPECT_EQ(db.One("SELECT count(*) || ' ' || new_calls FROM plan_changes"), "1 11");
}

// A child of fork() is another process: its own token and none of its parent's plan history.
// Before, it kept both: the parent's change showed in the child as the child's own ('this'), and
// the child would have written it to the store again under the parent's token.
TEST_F(PlanChangesStore, AForkedChildHasItsOwnTokenAndNoInheritedHistory) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "TSAN stops a child that starts threads after fork";
#endif
  TempDir dir;
  const std::string file = dir.File("app.db");
  App app(file);
  app.Run(30);
  app.db().One("SELECT query_stats_flush()");
  ASSERT_EQ(app.db().One("SELECT count(*) || ' ' || min(process) FROM plan_changes"), "1 this");
  const std::string seen = dir.File("child.txt");
  std::fflush(nullptr);
  const pid_t child = fork();
  if (child == 0) {
    sqlite3* own = nullptr;
    sqlite3_open(file.c_str(), &own);
    std::string out = "(error)";
    sqlite3_exec(
        own, "SELECT count(*) || ' ' || sum(process = 'this') FROM plan_changes",
        [](void* o, int, char** v, char**) {
          *static_cast<std::string*>(o) = v[0] ? v[0] : "NULL";
          return 0;
        },
        &out, nullptr);
    sqlite3_close_v2(own);
    std::FILE* f = std::fopen(seen.c_str(), "w");
    std::fputs(out.c_str(), f);
    std::fclose(f);
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  std::string out(256, '\0');
  std::FILE* f = std::fopen(seen.c_str(), "r");
  ASSERT_NE(f, nullptr);
  out.resize(std::fread(&out[0], 1, out.size(), f));
  std::fclose(f);
  EXPECT_EQ(out, "1 0") << "the child shows the parent's change as another process's, once";
  // The parent still shows it as its own.
  EXPECT_EQ(app.db().One("SELECT count(*) || ' ' || min(process) FROM plan_changes"), "1 this");
}

TEST_F(PlanChangesStore, HostileRowsGiveAnErrorNamingTheFile) {
  TempDir dir;
  struct Case {
    const char* name;
    const char* sql;
    const char* expect;
  };
  const Case cases[] = {
      {"negative", "UPDATE doctor_plan_changes SET new_calls = -1", "new_calls -1 is not a valid"},
      {"huge", "UPDATE doctor_plan_changes SET old_vm_steps = 9223372036854775807",
       "old_vm_steps 9223372036854775807 is not a valid"},
      {"infinite", "UPDATE doctor_plan_changes SET new_total_ms = 1e999", "new_total_ms"},
      {"plan id", "UPDATE doctor_plan_changes SET old_plan_id = 42",
       "old_plan_id 42 is not the id of its plan text"},
      {"long plan", "UPDATE doctor_plan_changes SET new_plan = printf('%.5000c', 'x')",
       "new_plan"},
      {"text count", "UPDATE doctor_plan_changes SET old_calls = 'many'", "old_calls many"},
      {"analyze", "UPDATE doctor_plan_changes SET analyze_between = 2", "analyze_between 2"},
      {"no db", "UPDATE doctor_plan_changes SET db = ''", "db  is not a valid"},
  };
  for (const Case& c : cases) {
    const std::string file = dir.File(std::string(c.name) + ".db");
    App app(file);
    app.Run(30);
    app.db().One("SELECT query_stats_flush()");
    AsAnotherProcess(file);
    ASSERT_EQ(OnStore(file, c.sql), "") << c.name;
    EXPECT_THAT(ReadError(app.db(), "SELECT * FROM plan_changes"),
                AllOf(HasSubstr(file + "-doctor"), HasSubstr("doctor_plan_changes row"),
                      HasSubstr(c.expect)))
        << c.name;
  }
}

TEST_F(PlanChangesStore, ResetEmptiesTheRing) {
  TempDir dir;
  const std::string file = dir.File("app.db");
  App app(file);
  app.Run(30);
  app.db().One("SELECT query_stats_flush()");
  AsAnotherProcess(file);
  EXPECT_EQ(app.db().One("SELECT query_stats_reset()"), "ok");
  EXPECT_EQ(StoreValue(file, "SELECT count(*) FROM doctor_plan_changes"), "0");
  EXPECT_EQ(app.db().One("SELECT count(*) FROM plan_changes"), "0");
  app.Run(30);
  app.db().One("SELECT query_stats_flush()");
  EXPECT_EQ(StoreValue(file, "SELECT count(*) FROM doctor_plan_changes"), "0");
}

// At most 256 changes in a store (the newest), and a reader takes at most 256.
TEST_F(PlanChangesStore, TheRingIsBounded) {
  TempDir dir;
  const std::string file = dir.File("app.db");
  App app(file);
  app.Run(30);
  app.db().One("SELECT query_stats_flush()");
  AsAnotherProcess(file);
  ASSERT_EQ(OnStore(file,
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)"
                    " INSERT INTO doctor_plan_changes SELECT p.process, p.query_id, p.db,"
                    " p.at_ms - n.i, p.query, p.analyze_between, p.old_plan_id, p.old_plan,"
                    " p.old_sqlite, p.old_last_ms, p.old_calls, p.old_total_ms, p.old_vm_steps,"
                    " p.new_plan_id, p.new_plan, p.new_sqlite, p.new_calls, p.new_total_ms,"
                    " p.new_vm_steps FROM doctor_plan_changes p, n"),
            "");
  EXPECT_EQ(app.db().One("SELECT count(*) FROM plan_changes"), "257");  // 256 stored + own
  app.Run(2);
  app.db().One("SELECT query_stats_flush()");
  EXPECT_EQ(StoreValue(file, "SELECT count(*) FROM doctor_plan_changes"), "256");
}

// A format-3 store (an earlier release, without doctor_plan_changes) reads as having no plan
// changes, and the next flush upgrades it to format 4 with its figures kept.
TEST_F(PlanChangesStore, AFormat3StoreIsReadAndUpgraded) {
  TempDir dir;
  const std::string file = dir.File("app.db");
  App app(file);
  app.Run(30);
  app.db().One("SELECT query_stats_flush()");
  ASSERT_EQ(OnStore(file, "DROP TABLE doctor_plan_changes;"
                          " UPDATE doctor_sidecar SET value = 3 WHERE key = 'format'"),
            "");
  EXPECT_EQ(ReadError(app.db(), "SELECT * FROM plan_changes"), "");
  EXPECT_EQ(app.db().One("SELECT count(*) FROM plan_changes"), "1");  // this process's own
  EXPECT_EQ(app.db().One("SELECT calls FROM query_stats WHERE query LIKE "
                         "'SELECT count(*) FROM jobs%'"),
            "50");
  app.Run(2);
  app.db().One("SELECT query_stats_flush()");
  EXPECT_EQ(StoreValue(file, "SELECT value FROM doctor_sidecar WHERE key = 'format'"), "4");
  EXPECT_EQ(StoreValue(file, "SELECT count(*) FROM doctor_plan_changes"), "1");
  EXPECT_EQ(app.db().One("SELECT calls FROM query_stats WHERE query LIKE "
                         "'SELECT count(*) FROM jobs%'"),
            "52");
}

}  // namespace
}  // namespace doctor
