// open_transactions and query_stats.lock_wait_ms on real connections: what each connection's
// own thread published (core TransactionWatch) read from another connection, and the time a
// statement waited in doctor's busy handler attributed to it.
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "ext/core/testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace doctor {
namespace {

using ::testing::HasSubstr;
using testing::Db;
using testing::TempDir;
using Row = std::vector<std::string>;

constexpr char kColumns[] =
    "SELECT this_connection, schema, state, mode, upgraded, begin_statement, first_statement "
    "FROM open_transactions";

TEST(OpenTransactions, AgeStateAndTheStatementsThatBeganIt) {
  TempDir dir;
  const std::string path = dir.File("t.db");
  Db app(path), other(path);
  app.Exec("PRAGMA journal_mode=WAL; CREATE TABLE t(x);");
  EXPECT_TRUE(other.Rows(kColumns).empty());
  EXPECT_TRUE(app.Rows(kColumns).empty()) << "the reading statement's own transaction is not one";

  app.Exec("BEGIN");
  EXPECT_EQ(other.Rows(kColumns), (std::vector<Row>{{"0", "NULL", "none", "deferred", "0",
                                                     "BEGIN", "NULL"}}));
  app.Exec("SELECT count(*) FROM t WHERE x = 5");
  EXPECT_EQ(other.Rows(kColumns), (std::vector<Row>{{"0", "main", "read", "deferred", "0", "BEGIN",
                                                     "SELECT count(*) FROM t WHERE x = ?"}}));
  // The connection number is lock_stats_connections' one.
  EXPECT_EQ(other.One("SELECT connection FROM open_transactions"),
            app.One("SELECT connection FROM lock_stats_connections WHERE this_connection"));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_GE(std::stod(other.One("SELECT age_ms FROM open_transactions")), 30.0);
  EXPECT_EQ(other.One("SELECT file FROM open_transactions"), path);

  app.Exec("INSERT INTO t VALUES (1)");  // the deferred transaction upgrades to a writer
  EXPECT_EQ(other.Rows(kColumns),
            (std::vector<Row>{{"0", "main", "write", "deferred", "1", "BEGIN",
                               "SELECT count(*) FROM t WHERE x = ?"}}));
  // The asking connection sees its own, exactly.
  EXPECT_EQ(app.Rows(kColumns), (std::vector<Row>{{"1", "main", "write", "deferred", "1", "BEGIN",
                                                   "SELECT count(*) FROM t WHERE x = ?"}}));
  // Literals only when stats_share_examples is on.
  other.Exec("SELECT doctor_set('stats_share_examples', 'on')");
  EXPECT_EQ(other.One("SELECT first_statement FROM open_transactions"),
            "SELECT count(*) FROM t WHERE x = 5");
  other.Exec("SELECT doctor_set('stats_share_examples', 'off')");
  app.Exec("COMMIT");
  EXPECT_TRUE(other.Rows(kColumns).empty());

  // IMMEDIATE: a writer from the start, never upgraded; ROLLBACK ends it.
  app.Exec("BEGIN IMMEDIATE; INSERT INTO t VALUES (2);");
  EXPECT_EQ(other.Rows(kColumns),
            (std::vector<Row>{{"0", "main", "write", "immediate", "0", "BEGIN IMMEDIATE",
                               "INSERT INTO t VALUES (?)"}}));
  app.Exec("ROLLBACK");
  EXPECT_TRUE(other.Rows(kColumns).empty());
}

TEST(OpenTransactions, AClosedConnectionTakesItsTransactionAlong) {
  TempDir dir;
  const std::string path = dir.File("t.db");
  Db reader(path);
  reader.Exec("PRAGMA journal_mode=WAL; CREATE TABLE t(x);");
  {
    Db app(path);
    app.Exec("SAVEPOINT s; INSERT INTO t VALUES (1);");
    EXPECT_EQ(reader.Rows(kColumns),
              (std::vector<Row>{{"0", "main", "write", "deferred", "0", "SAVEPOINT ?",
                                 "INSERT INTO t VALUES (?)"}}));
  }
  EXPECT_TRUE(reader.Rows(kColumns).empty());
}

TEST(OpenTransactions, WithTimingOffOnlyTheAskingConnectionIsKnown) {
  TempDir dir;
  Db app(dir.File("t.db"));
  app.Exec("CREATE TABLE t(x); SELECT doctor_set('timing', 'off');");
  app.Exec("BEGIN; INSERT INTO t VALUES (1);");
  auto rows = app.Rows("SELECT this_connection, state, mode, age_ms, begin_statement "
                       "FROM open_transactions");
  EXPECT_EQ(rows, (std::vector<Row>{{"1", "write", "NULL", "NULL", "NULL"}}));
  app.Exec("COMMIT; SELECT doctor_set('timing', 'on');");
}

// The table read on another thread while connections begin, end and close with transactions
// open: copies under the registry's mutex, no dangling record (run under TSAN: tag threads).
TEST(OpenTransactions, ReadFromAnotherThreadWhileConnectionsComeAndGo) {
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    Db db;
    while (!stop.load()) {
      const int n = std::stoi(db.One("SELECT count(*) FROM open_transactions WHERE "
                                     "begin_statement = 'BEGIN IMMEDIATE'"));
      EXPECT_GE(n, 0);
      reads.fetch_add(1);
    }
  });
  for (int i = 0; i < 60 || reads.load() < 5; ++i) {
    Db app;
    app.Exec("CREATE TABLE t(x); BEGIN IMMEDIATE; INSERT INTO t VALUES (1);");
    if (i % 2 == 0) app.Exec("COMMIT");  // the others close with the transaction open
  }
  stop.store(true);
  reader.join();
  Db last;
  EXPECT_EQ(last.One("SELECT count(*) FROM open_transactions"), "0");
}

// A statement that waited for the write lock: its wait is in query_stats.lock_wait_ms, and the
// report calls it waiting, not a plan problem.
TEST(LockWait, AStatementsWaitIsAttributedToIt) {
  TempDir dir;
  const std::string path = dir.File("t.db");
  Db holder(path), waiter(path);
  holder.Exec("PRAGMA journal_mode=WAL; CREATE TABLE t(x);");
  waiter.Exec("SELECT doctor_set('busy_timeout_ms', 150); SELECT query_stats_reset();");
  holder.Exec("BEGIN IMMEDIATE; INSERT INTO t VALUES (1);");
  EXPECT_THAT(waiter.Error("UPDATE t SET x = x + 1"), HasSubstr("locked"));
  holder.Exec("COMMIT");
  waiter.Exec("INSERT INTO t VALUES (3)");  // no wait
  auto rows = waiter.Rows("SELECT query, calls, total_ms, lock_wait_ms FROM query_stats "
                          "WHERE lock_wait_ms > 0");
  ASSERT_EQ(rows.size(), 1u) << "only the statement that waited";
  EXPECT_EQ(rows[0][0], "UPDATE t SET x = x + ?");
  EXPECT_EQ(rows[0][1], "1");
  EXPECT_GE(std::stod(rows[0][3]), 140.0);
  EXPECT_LE(std::stod(rows[0][3]), std::stod(rows[0][2]));
  // Kept by the shared store too: once flushed there (by the flusher thread within a second, or
  // here at once) it was read back as 0.
  waiter.One("SELECT query_stats_flush()");
  EXPECT_GE(std::stod(waiter.One("SELECT lock_wait_ms FROM query_stats WHERE "
                                 "query = 'UPDATE t SET x = x + ?'")),
            140.0);

  auto findings = waiter.Rows("SELECT area, finding, advice FROM doctor_report "
                              "WHERE finding LIKE '%UPDATE t SET x = x + ?%'");
  ASSERT_EQ(findings.size(), 1u) << ::testing::PrintToString(
      waiter.Rows("SELECT area, finding FROM doctor_report")) << ::testing::PrintToString(
      waiter.Rows("SELECT query, mean_ms, lock_wait_ms, plan, db FROM query_stats"));
  EXPECT_EQ(findings[0][0], "locks");
  EXPECT_THAT(findings[0][1], HasSubstr("waiting for a lock"));
  EXPECT_THAT(findings[0][2], HasSubstr("not because of its plan"));
  EXPECT_EQ(waiter.One("SELECT count(*) FROM doctor_report WHERE advice LIKE '%look at its plan%'"),
            "0");
  waiter.Exec("SELECT doctor_set('busy_timeout_ms', -1)");
}

// The usual order in an application: load the extension, then set the busy timeout with a
// PRAGMA. That replaces doctor's counting handler with SQLite's own; doctor puts its handler back
// with the same timeout when the PRAGMA's run ends, so the wait is still counted (it read 0).
TEST(LockWait, ABusyTimeoutSetAfterLoadingIsStillCounted) {
  TempDir dir;
  const std::string path = dir.File("t.db");
  Db holder(path), waiter(path);
  holder.Exec("PRAGMA journal_mode=WAL; CREATE TABLE t(x);");
  waiter.Exec("SELECT query_stats_reset()");
  waiter.Exec("PRAGMA busy_timeout = 150");
  holder.Exec("BEGIN IMMEDIATE; INSERT INTO t VALUES (1);");
  EXPECT_THAT(waiter.Error("UPDATE t SET x = x + 1"), HasSubstr("locked"));
  holder.Exec("COMMIT");
  const double waited = std::stod(
      waiter.One("SELECT lock_wait_ms FROM query_stats WHERE query = 'UPDATE t SET x = x + ?'"));
  EXPECT_GE(waited, 140.0);
  EXPECT_EQ(waiter.One("SELECT timeout_ms FROM lock_stats_connections WHERE this_connection"),
            "150");
  // busy_timeout = 0: no handler at all, and none is put back.
  waiter.Exec("PRAGMA busy_timeout = 0");
  holder.Exec("BEGIN IMMEDIATE; INSERT INTO t VALUES (2);");
  EXPECT_THAT(waiter.Error("INSERT INTO t VALUES (3)"), HasSubstr("locked"));
  holder.Exec("COMMIT");
  EXPECT_EQ(waiter.One("SELECT lock_wait_ms FROM query_stats WHERE query = 'INSERT INTO t VALUES (?)'"),
            "0.0");
}

}  // namespace
}  // namespace doctor
