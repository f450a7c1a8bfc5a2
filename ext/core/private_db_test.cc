// A private connection stops its work at the deadline and when the caller is interrupted, with
// the progress handler and with the watchdog thread used where SQLite has none.
#include "ext/core/private_db.h"

#include <chrono>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ext/core/sql.h"
#include "ext/core/testing.h"

namespace doctor {
namespace {

using ::testing::HasSubstr;

// Never ends on its own.
constexpr char kEndless[] =
    "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c) SELECT count(*) FROM c";

Connection& CallerOf(testing::Db& db) {
  Connection* c = Connection::Find(db.get());
  EXPECT_NE(c, nullptr);
  return *c;
}

void ExpectDeadlineStops(bool force_watchdog) {
  testing::Db caller;
  PrivateDbOptions options;
  options.timeout_ms = 200;
  options.force_watchdog = force_watchdog;
  {
    absl::StatusOr<std::unique_ptr<PrivateDb>> p = PrivateDb::Open(CallerOf(caller), ":memory:", options);
    ASSERT_TRUE(p.ok()) << p.status();
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(Exec((*p)->db(), kEndless).ok());
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    absl::Status why = (*p)->CheckInterrupted();
    EXPECT_EQ(why.code(), absl::StatusCode::kDeadlineExceeded);
    EXPECT_THAT(std::string(why.message()), HasSubstr("took longer than 200 ms"));
  }
  // Recorded for the adapter, which reports it instead of the call's result.
  EXPECT_EQ(CallerOf(caller).TakeStop().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(CallerOf(caller).TakeStop().ok());
}

TEST(PrivateDbTest, TheDeadlineStopsEndlessWork) { ExpectDeadlineStops(false); }

TEST(PrivateDbTest, TheWatchdogStopsEndlessWorkWithoutAProgressHandler) { ExpectDeadlineStops(true); }

TEST(PrivateDbTest, InterruptingTheCallerStopsThePrivateWork) {
  testing::Db caller;
  // As inside a doctor function: one of the caller's statements is active.
  sqlite3_stmt* active = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(caller.get(), "SELECT 1 UNION ALL SELECT 2", -1, &active, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(active), SQLITE_ROW);
  PrivateDbOptions options;
  options.timeout_ms = 0;  // no deadline: only the interrupt can stop it
  absl::StatusOr<std::unique_ptr<PrivateDb>> p = PrivateDb::Open(CallerOf(caller), ":memory:", options);
  ASSERT_TRUE(p.ok()) << p.status();
  std::thread ctrl_c([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    sqlite3_interrupt(caller.get());
  });
  EXPECT_FALSE(Exec((*p)->db(), kEndless).ok());
  ctrl_c.join();
  absl::Status why = (*p)->CheckInterrupted();
  EXPECT_EQ(why.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(why.message(), "interrupted");
  p->reset();
  sqlite3_finalize(active);
  EXPECT_EQ(CallerOf(caller).TakeStop().code(), absl::StatusCode::kCancelled);
}

TEST(PrivateDbTest, ShortWorkIsNotStopped) {
  testing::Db caller;
  absl::StatusOr<std::unique_ptr<PrivateDb>> p = PrivateDb::Open(CallerOf(caller), ":memory:");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(Exec((*p)->db(), "CREATE TABLE t(x); INSERT INTO t VALUES (1)").ok());
  EXPECT_TRUE((*p)->CheckInterrupted().ok());
  p->reset();
  EXPECT_TRUE(CallerOf(caller).TakeStop().ok());
}

TEST(PrivateDbTest, AnOpenFailureNamesTheReason) {
  testing::Db caller;
  PrivateDbOptions options;
  options.flags = SQLITE_OPEN_READWRITE;  // no CREATE
  absl::StatusOr<std::unique_ptr<PrivateDb>> p =
      PrivateDb::Open(CallerOf(caller), "/nonexistent-dir/x.db", options);
  EXPECT_FALSE(p.ok());
  EXPECT_THAT(std::string(p.status().message()), HasSubstr("unable to open"));
}

}  // namespace
}  // namespace doctor
