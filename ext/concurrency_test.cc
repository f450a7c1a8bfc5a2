// Eight connections on eight threads write and read one WAL database while three more threads
// read query_stats, wal_health and doctor_report the whole time. Run it under TSAN
// (bazel test --config=tsan //ext:concurrency_test): no race, no deadlock, and the statement
// counts in query_stats are exact.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ext/core/testing.h"
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

}  // namespace
}  // namespace doctor
