// The `<db>-doctor` sidecar against hostile files and busy neighbours (issue 15): links are never
// followed, FIFOs and views and triggers never hang a reader or a writer, damaged files fail only
// their own database with an error naming them, values are checked, in-memory databases get none,
// statement-time flushes never wait, literal examples stay in the process unless shared.
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <thread>

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

class Sidecar : public timing::testing::StoreFixture {};

// A database file with a few counted statements.
void Populate(Db& db, const std::string& table = "t") {
  db.Exec("CREATE TABLE IF NOT EXISTS " + table + "(a)");
  for (int i = 0; i < 3; ++i) db.Exec("INSERT INTO " + table + " VALUES (" + std::to_string(i) + ")");
}

// The error of `sql`, or "ok", or "hung" when it does not return within `seconds` (the thread
// is then left behind: the test has failed anyway).
std::string ResultWithin(Db& db, const std::string& sql, double seconds) {
  auto done = std::make_shared<std::promise<std::string>>();
  std::future<std::string> result = done->get_future();
  sqlite3* handle = db.get();
  std::thread([handle, sql, done] {
    char* error = nullptr;
    int rc = sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &error);
    std::string text = rc == SQLITE_OK ? "ok" : (error ? error : sqlite3_errstr(rc));
    sqlite3_free(error);
    done->set_value(text);
  }).detach();
  if (result.wait_for(std::chrono::duration<double>(seconds)) != std::future_status::ready) {
    return "hung";
  }
  return result.get();
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? (st.st_mode & 0777) : 0;
}

TEST_F(Sidecar, NeverFollowsASymlink) {
  TempDir dir;
  const std::string app = dir.File("app.db"), precious = dir.File("precious.db");
  { Db p(precious); p.Exec("CREATE TABLE keep(a)"); }
  ASSERT_EQ(symlink(precious.c_str(), (app + "-doctor").c_str()), 0);
  Db db(app);
  Populate(db);
  EXPECT_THAT(db.Error("SELECT query_stats_flush()"),
              AllOf(HasSubstr(app + "-doctor"), HasSubstr("symbolic link")));
  Db p(precious);
  EXPECT_EQ(p.One("SELECT group_concat(name) FROM sqlite_master"), "keep");
  // A dangling link creates nothing where it points.
  const std::string other = dir.File("other.db"), nowhere = dir.File("nowhere.db");
  ASSERT_EQ(symlink(nowhere.c_str(), (other + "-doctor").c_str()), 0);
  Db o(other);
  Populate(o);
  EXPECT_THAT(o.Error("SELECT query_stats_flush()"), HasSubstr("symbolic link"));
  EXPECT_NE(access(nowhere.c_str(), F_OK), 0);
}

// A store whose rollback journal cannot be created (here a directory in its place) said only
// "unable to open database file", naming the store, which opened fine.
TEST_F(Sidecar, AJournalThatCannotBeCreatedIsNamed) {
  TempDir dir;
  const std::string app = dir.File("app.db");
  Db db(app);
  Populate(db);
  db.One("SELECT query_stats_flush()");
  ASSERT_EQ(mkdir((app + "-doctor-journal").c_str(), 0700), 0);
  Populate(db);
  EXPECT_THAT(db.Error("SELECT query_stats_flush()"),
              AllOf(HasSubstr("Is a directory"), HasSubstr(app + "-doctor-journal")));
  rmdir((app + "-doctor-journal").c_str());
}

TEST_F(Sidecar, GetsTheDatabasePermissionsNeverWider) {
  TempDir dir;
  const std::string app = dir.File("app.db");
  Db db(app);
  Populate(db);
  ASSERT_EQ(chmod(app.c_str(), 0600), 0);
  db.One("SELECT query_stats_flush()");
  EXPECT_EQ(ModeOf(app + "-doctor"), 0600u);
  // An existing sidecar wider than its database is narrowed.
  ASSERT_EQ(chmod((app + "-doctor").c_str(), 0644), 0);
  Populate(db);
  db.One("SELECT query_stats_flush()");
  EXPECT_EQ(ModeOf(app + "-doctor"), 0600u);
}

TEST_F(Sidecar, FifoNeverHangsAReaderOrAWriter) {
  TempDir dir;
  const std::string app = dir.File("app.db");
  ASSERT_EQ(mkfifo((app + "-doctor").c_str(), 0600), 0);
  Db db(app);
  Populate(db);
  EXPECT_THAT(ResultWithin(db, "SELECT count(*) FROM query_stats", 3),
              AllOf(HasSubstr(app + "-doctor"), HasSubstr("not a regular file")));
  EXPECT_THAT(ResultWithin(db, "SELECT query_stats_flush()", 3), HasSubstr("not a regular file"));
}

TEST_F(Sidecar, ViewOrTriggerNeverRuns) {
  TempDir dir;
  const std::string app = dir.File("app.db");
  const std::string loop =
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c";
  {
    Db side(app + "-doctor");
    side.Exec("CREATE TABLE doctor_sidecar(key TEXT PRIMARY KEY, value);"
              "INSERT INTO doctor_sidecar VALUES ('format', 1);"
              "CREATE VIEW doctor_query_stats AS " + loop);
  }
  Db db(app);
  Populate(db);
  EXPECT_THAT(ResultWithin(db, "SELECT count(*) FROM query_stats", 3),
              AllOf(HasSubstr(app + "-doctor"), HasSubstr("unexpected view 'doctor_query_stats'")));
  // A trigger on the real table would loop inside the flush's INSERT.
  const std::string other = dir.File("other.db");
  Db o(other);
  Populate(o);
  o.One("SELECT query_stats_flush()");
  {
    Db side(other + "-doctor");
    side.Exec("CREATE TRIGGER spin BEFORE INSERT ON doctor_query_stats BEGIN SELECT (" + loop +
              "); END");
  }
  Populate(o);
  EXPECT_THAT(ResultWithin(o, "SELECT query_stats_flush()", 3),
              HasSubstr("unexpected trigger 'spin'"));
}

TEST_F(Sidecar, DamagedFileFailsOnlyItsOwnDatabase) {
  TempDir dir;
  const std::string good = dir.File("good.db"), bad = dir.File("bad.db");
  { std::ofstream(bad + "-doctor") << std::string(8192, 'x'); }
  Db g(good), b(bad);
  Populate(g);
  Populate(b);
  EXPECT_EQ(g.One("SELECT count(*) > 0 FROM query_stats WHERE db = '" + good + "'"), "1");
  EXPECT_THAT(b.Error("SELECT count(*) FROM query_stats"), HasSubstr(bad + "-doctor"));
}

TEST_F(Sidecar, ValuesAreCheckedWhenRead) {
  TempDir dir;
  const std::string app = dir.File("app.db");
  Db db(app);
  Populate(db);
  db.One("SELECT query_stats_flush()");
  const std::string where = " WHERE query = 'INSERT INTO t VALUES (?)'";
  for (const std::string& set : {"calls = -5", "calls = 9223372036854775807",
                                 "total_ms = 1e999", "min_ms = 99, max_ms = 1",
                                 "histogram = '[1]'", "calls = 'many'"}) {
    {
      Db side(app + "-doctor");
      side.Exec("UPDATE doctor_query_stats SET " + set + where);
    }
    EXPECT_THAT(db.Error("SELECT count(*) FROM query_stats"),
                AllOf(HasSubstr(app + "-doctor"), HasSubstr("not a valid value")))
        << set;
    Db side(app + "-doctor");
    side.Exec("DELETE FROM doctor_query_stats");
    Populate(db);
    db.One("SELECT query_stats_flush()");
  }
}

TEST_F(Sidecar, NoneForMemdbDatabases) {
  TempDir dir;
  Db first;  // registers the extension for every connection opened below
  const std::string file = dir.File("m");
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open_v2(("file:" + file + "?vfs=memdb").c_str(), &raw,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "CREATE TABLE m(a); INSERT INTO m VALUES (1);"
                              "SELECT query_stats_flush()", nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(raw);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "SELECT db, store IS NULL FROM query_stats_info", -1, &stmt,
                               nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), ":memory:");
  EXPECT_EQ(sqlite3_column_int(stmt, 1), 1);
  sqlite3_finalize(stmt);
  sqlite3_close_v2(raw);
  EXPECT_NE(access((file + "-doctor").c_str(), F_OK), 0);
}

TEST_F(Sidecar, LiteralExamplesStayInTheProcessUnlessShared) {
  TempDir dir;
  const std::string app = dir.File("app.db");
  Db db(app);
  db.Exec("CREATE TABLE users(password)");
  db.Exec("INSERT INTO users VALUES ('hunter2')");
  db.One("SELECT query_stats_flush()");
  const std::string example =
      "SELECT quote(example) FROM doctor_query_stats WHERE query = 'INSERT INTO users VALUES (?)'";
  {
    Db side(app + "-doctor");
    EXPECT_EQ(side.One(example), "NULL");
  }
  EXPECT_EQ(db.One("SELECT example FROM query_stats WHERE query = 'INSERT INTO users VALUES (?)'"),
            "INSERT INTO users VALUES ('hunter2')");
  db.Exec("SELECT doctor_set('stats_share_examples', 'on')");
  db.Exec("INSERT INTO users VALUES ('hunter3')");
  db.One("SELECT query_stats_flush()");
  Db side(app + "-doctor");
  EXPECT_EQ(side.One(example), "'INSERT INTO users VALUES (''hunter2'')'");  // the first seen
}

TEST_F(Sidecar, InfoShowsTheStoreAndResetClearsIt) {
  TempDir dir;
  const std::string app = dir.File("app.db");
  Db db(app);
  EXPECT_EQ(db.One("SELECT store FROM query_stats_info"), app + "-doctor");
  Db memory;
  EXPECT_EQ(memory.One("SELECT quote(store) FROM query_stats_info"), "NULL");
  Populate(db);
  db.One("SELECT query_stats_flush()");
  EXPECT_EQ(db.One("SELECT query_stats_reset()"), "ok");
  EXPECT_EQ(db.One("SELECT count(*) FROM query_stats WHERE query LIKE 'INSERT INTO t%'"), "0");
  Db side(app + "-doctor");
  EXPECT_EQ(side.One("SELECT count(*) FROM doctor_query_stats"), "0");
}

TEST_F(Sidecar, KeepsTheMostUsedStatsMaxRows) {
  TempDir dir;
  const std::string app = dir.File("app.db");
  Db db(app);
  db.Exec("CREATE TABLE k(a)");
  for (int i = 0; i < 5; ++i) db.Rows("SELECT a FROM k WHERE a = 1");
  for (int i = 0; i < 20; ++i) db.Rows("SELECT a AS c" + std::to_string(i) + " FROM k");
  db.One("SELECT query_stats_flush()");
  db.Exec("SELECT doctor_set('stats_max', 10)");
  db.Rows("SELECT a FROM k WHERE a = 1");
  db.One("SELECT query_stats_flush()");
  Db side(app + "-doctor");
  EXPECT_EQ(side.One("SELECT count(*) FROM doctor_query_stats"), "10");
  EXPECT_EQ(side.One("SELECT calls FROM doctor_query_stats WHERE query = "
                     "'SELECT a FROM k WHERE a = ?'"),
            "6");
}

}  // namespace
}  // namespace doctor
