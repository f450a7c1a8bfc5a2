// Eight connections on eight threads write and read one WAL database while three more threads
// read query_stats, wal_health and doctor_report the whole time. Run it under TSAN
// (bazel test --config=tsan //ext:concurrency_test): no race, no deadlock, and the statement
// counts in query_stats are exact.
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ext/core/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace doctor {
namespace {

constexpr int kWriters = 8;
constexpr int kRounds = 150;

TEST(ConcurrencyTest, WritersAndReadersOfEveryAreaTogether) {
  testing::TempDir dir;
  const std::string path = dir.File("shared.db");
  {
    testing::Db setup(path);
    setup.Exec("PRAGMA journal_mode = WAL; CREATE TABLE events (id INTEGER PRIMARY KEY, v INTEGER);"
               "SELECT query_stats_reset();");
  }
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::vector<std::thread> readers;
  for (const char* sql : {"SELECT count(*) FROM query_stats", "SELECT count(*) FROM wal_health",
                          "SELECT count(*) FROM doctor_report"}) {
    readers.emplace_back([&, sql] {
      testing::Db db(path);
      db.Exec("PRAGMA busy_timeout = 120000");
      while (!done.load()) {
        db.Rows(sql);
        reads.fetch_add(1);
      }
    });
  }
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      testing::Db db(path);
      db.Exec("PRAGMA busy_timeout = 120000");
      for (int i = 0; i < kRounds; ++i) {
        const int v = w * kRounds + i;
        db.Exec(absl::StrCat("INSERT INTO events (v) VALUES (", v, ")"));
        EXPECT_EQ(db.One(absl::StrCat("SELECT count(*) FROM events WHERE v = ", v)), "1");
      }
    });
  }
  for (auto& t : writers) t.join();
  done.store(true);
  for (auto& t : readers) t.join();

  testing::Db check(path);
  EXPECT_EQ(check.One("SELECT count(*) FROM events"), absl::StrCat(kWriters * kRounds));
  EXPECT_EQ(check.One("SELECT sum(calls) FROM query_stats WHERE query LIKE 'INSERT INTO events%'"),
            absl::StrCat(kWriters * kRounds));
  EXPECT_EQ(check.One("SELECT sum(calls) FROM query_stats WHERE query LIKE "
                      "'SELECT count(*) FROM events WHERE%'"),
            absl::StrCat(kWriters * kRounds));
  EXPECT_GT(reads.load(), 3);
}

// A trigger that calls itself twice per row (with recursive_triggers on) runs for 2^900 rows:
// migrate_check's dry run on a private connection must still stop (issue 17 item 3).
constexpr char kLoopingSchema[] =
    "CREATE TABLE t (x); CREATE TRIGGER spin AFTER INSERT ON t WHEN new.x < 900 BEGIN "
    "INSERT INTO t VALUES (new.x + 1); INSERT INTO t VALUES (new.x + 1); END;";
constexpr char kLoopingCheck[] =
    "SELECT * FROM migrate_check('PRAGMA recursive_triggers = ON; INSERT INTO t VALUES (1)')";

TEST(PrivateWorkTest, InterruptingTheCallerStopsMigrateCheck) {
  testing::Db db;
  db.Exec(kLoopingSchema);
  db.Exec("SELECT doctor_set('work_timeout_ms', 0)");  // no deadline: only Ctrl-C can stop it
  std::thread ctrl_c([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    sqlite3_interrupt(db.get());
  });
  const auto start = std::chrono::steady_clock::now();
  std::string error = db.Error(kLoopingCheck);
  ctrl_c.join();
  db.Exec("SELECT doctor_set('work_timeout_ms', 60000)");
  EXPECT_THAT(error, ::testing::HasSubstr("migrate_check: interrupted"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

TEST(PrivateWorkTest, TheDeadlineStopsMigrateCheckAndIndexAdvise) {
  testing::Db db;
  db.Exec(kLoopingSchema);
  db.Exec("SELECT doctor_set('work_timeout_ms', 300)");
  EXPECT_THAT(db.Error(kLoopingCheck),
              ::testing::HasSubstr("migrate_check: took longer than 300 ms (work_timeout_ms)"));
  // index_advise caps each statement it measures, but the whole run has the deadline too.
  db.Exec("CREATE TABLE big (a, b); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c "
          "WHERE i < 200000) INSERT INTO big SELECT i, i % 7 FROM c");
  db.Exec("SELECT doctor_set('work_timeout_ms', 1)");
  EXPECT_THAT(db.Error("SELECT * FROM index_advise('SELECT * FROM big WHERE a = 5')"),
              ::testing::HasSubstr("index_advise: took longer than 1 ms"));
  db.Exec("SELECT doctor_set('work_timeout_ms', 60000)");
  EXPECT_EQ(db.One("SELECT count(*) > 0 FROM index_advise('SELECT * FROM big WHERE a = 5')"), "1");
}

}  // namespace
}  // namespace doctor
