// wal_health, doctor_checkpoint, wal_checkpoints and lock_stats on real databases, with readers
// in forked processes (POSIX locks are per process, so only another process shows what another
// application would see).
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ext/core/testing.h"
#include "ext/core/time.h"
#include "ext/wal/shm_locks.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace doctor {
namespace {

using ::testing::HasSubstr;
using testing::Db;
using testing::TempDir;

int64_t Int(const std::string& s) { return s == "NULL" ? -1 : std::stoll(s); }

// "INSERT INTO t" `rows` random blobs of `bytes` bytes each, as one statement.
std::string InsertBlobs(int rows, int bytes = 300) {
  return "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < " +
         std::to_string(rows) + ") INSERT INTO t SELECT randomblob(" + std::to_string(bytes) +
         ") FROM s;";
}

// Other processes are fresh programs (fork + exec), never a forked copy of this one: SQLite's
// per-process lock bookkeeping would be inherited by a plain fork and lie.
constexpr const char* kPython = "/usr/bin/python3";

// A process holding a read transaction (BEGIN; SELECT) on `path` until Release(); or any other
// transaction: `begin` then `statement` (e.g. BEGIN IMMEDIATE and an INSERT: a writer).
class Reader {
 public:
  explicit Reader(const std::string& path, const std::string& begin = "BEGIN",
                  const std::string& statement = "SELECT count(*) FROM t") {
    int up[2], down[2];
    EXPECT_EQ(pipe(up), 0);
    EXPECT_EQ(pipe(down), 0);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(down[0], 0);
      dup2(up[1], 1);
      execl(kPython, kPython, "-c",
            "import sqlite3, sys\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute(sys.argv[2]); c.execute(sys.argv[3]).fetchall()\n"
            "print('r', flush=True); sys.stdin.read(1)\n"
            "c.execute('COMMIT'); c.close()\n",
            path.c_str(), begin.c_str(), statement.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(up[1]);
    close(down[0]);
    to_child_ = down[1];
    char got = 0;
    EXPECT_EQ(read(up[0], &got, 1), 1);
    EXPECT_EQ(got, 'r') << "the reader process could not start its transaction";
    close(up[0]);
  }
  ~Reader() { Release(); }
  pid_t pid() const { return pid_; }
  void Release() {
    if (pid_ <= 0) return;
    char go = 'g';
    EXPECT_EQ(write(to_child_, &go, 1), 1);
    close(to_child_);
    int status = 0;
    waitpid(pid_, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  int to_child_ = -1;
};

// Output of the sqlite3 shell running `sql` on `path` in another process.
std::string Shell(const std::string& path, const std::string& sql) {
  FILE* p = popen(("sqlite3 '" + path + "' '" + sql + "' 2>&1").c_str(), "r");
  if (p == nullptr) return "popen failed";
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

// What showwal (Debian's sqlite3-tools) counts in a WAL file: "Available pages: 1..N".
int64_t ShowwalFrames(const std::string& wal) {
  FILE* p = popen(("showwal '" + wal + "' 2>/dev/null").c_str(), "r");
  if (p == nullptr) return -1;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  const std::string marker = "Available pages: 1..";
  const size_t at = out.find(marker);
  if (at == std::string::npos) return -1;
  return std::stoll(out.substr(at + marker.size()));
}

std::map<std::string, std::string> HealthRow(Db& db, const std::string& schema = "main") {
  std::map<std::string, std::string> row;
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db.get(), "SELECT * FROM wal_health(?)", -1, &stmt, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db.get());
  sqlite3_bind_text(stmt, 1, schema.c_str(), -1, SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_ROW) << sqlite3_errmsg(db.get());
  for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
    const unsigned char* t = sqlite3_column_text(stmt, i);
    row[sqlite3_column_name(stmt, i)] = t ? reinterpret_cast<const char*>(t) : "NULL";
  }
  sqlite3_finalize(stmt);
  return row;
}

TEST(WalHealth, ReaderInAnotherProcessStarvesThePassiveCheckpoint) {
  if (access("/usr/bin/showwal", X_OK) != 0) GTEST_SKIP() << "showwal (sqlite3-tools) missing";
  TempDir dir;
  const std::string path = dir.File("app.db");
  Db w(path);
  w.Exec(std::string("PRAGMA journal_mode=WAL; CREATE TABLE t(x); ") +
         InsertBlobs(50));
  const int64_t pinned = Int(HealthRow(w)["wal_frames"]);
  ASSERT_GT(pinned, 0);
  {
    Reader reader(path);  // its snapshot: the first `pinned` frames
    w.Exec(InsertBlobs(2000));
    auto ck = nlohmann::json::parse(w.One("SELECT doctor_checkpoint('PASSIVE')"));
    EXPECT_EQ(ck["result"], "partial");
    const int64_t log = ck["log_frames"], done = ck["checkpointed_frames"];
    EXPECT_LT(done, log);
    EXPECT_EQ(done, pinned);

    auto h = HealthRow(w);
    EXPECT_EQ(Int(h["wal_frames"]), log);
    EXPECT_EQ(Int(h["wal_frames"]), ShowwalFrames(path + "-wal"));
    EXPECT_EQ(Int(h["backfilled_frames"]), done);
    EXPECT_EQ(Int(h["pending_frames"]), log - done);
    EXPECT_GE(Int(h["readers"]), 1);
    EXPECT_EQ(Int(h["oldest_reader_frame"]), pinned);
    EXPECT_NE(h["status"], "ok");
    EXPECT_THAT(h["advice"], HasSubstr("a reader in another process"));
    EXPECT_THAT(h["advice"], HasSubstr("pinned frame " + std::to_string(pinned)));
    EXPECT_EQ(h["checkpoints"], "1");
    reader.Release();
  }
  auto ck = nlohmann::json::parse(w.One("SELECT doctor_checkpoint('PASSIVE')"));
  EXPECT_EQ(ck["result"], "done");
  auto h = HealthRow(w);
  EXPECT_EQ(h["status"], "ok") << h["advice"];
  EXPECT_EQ(h["readers"], "0");
  EXPECT_EQ(h["pending_frames"], "0");
  EXPECT_EQ(h["checkpoints"], "2");
  EXPECT_EQ(w.One("SELECT count(*) FROM wal_checkpoints WHERE file = '" + path + "'"), "2");
}

TEST(WalHealth, TheApplicationsReadLockSurvivesReadingIt) {
  TempDir dir;
  const std::string path = dir.File("app.db");
  Db a(path), b(path), writer(path);
  a.Exec(std::string("PRAGMA journal_mode=WAL; CREATE TABLE t(x); ") +
         InsertBlobs(100));
  a.Exec("BEGIN; SELECT count(*) FROM t;");  // A's read lock, on the snapshot of 100 rows
  const std::string snapshot = HealthRow(b)["wal_frames"];
  writer.Exec("INSERT INTO t VALUES (1)");     // A's snapshot is no longer the newest
  for (int i = 0; i < 5; ++i) {
    auto h = HealthRow(b);
    EXPECT_EQ(h["readers"], "1");
    EXPECT_EQ(h["oldest_reader_frame"], snapshot);
    EXPECT_THAT(h["advice"], ::testing::Not(HasSubstr("another process")));
  }
  const int open_files = wal::ProbedFileCount();
  HealthRow(b);
  EXPECT_EQ(wal::ProbedFileCount(), open_files);  // one kept descriptor per -shm, not per read
  // Another process must still see A's read lock: TRUNCATE cannot reset the WAL under it
  // (the shell prints busy|log|checkpointed; busy is 1).
  EXPECT_THAT(Shell(path, "PRAGMA wal_checkpoint(TRUNCATE)"), ::testing::StartsWith("1|"));
  EXPECT_EQ(a.One("SELECT count(*) FROM t"), "100");
  a.Exec("COMMIT");
  // Control: without A's read lock the same checkpoint succeeds.
  EXPECT_EQ(Shell(path, "PRAGMA wal_checkpoint(TRUNCATE)"), "0|0|0\n");
}

TEST(WalHealth, AutocheckpointStillFiresAtItsThreshold) {
  TempDir dir;
  const std::string path = dir.File("app.db");
  Db w(path);
  w.Exec("PRAGMA journal_mode=WAL; CREATE TABLE t(x);");
  for (int threshold : {10, 25}) {
    w.Exec("PRAGMA wal_autocheckpoint=" + std::to_string(threshold));
    HealthRow(w);  // reading wal_health changes nothing
    EXPECT_EQ(w.One("PRAGMA wal_autocheckpoint"), std::to_string(threshold));
    w.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
    int64_t before = 0;
    bool fired = false;
    for (int i = 0; i < 3 * threshold && !fired; ++i) {
      w.Exec("INSERT INTO t VALUES (randomblob(3000))");  // one commit, a frame or two
      auto h = HealthRow(w);
      const int64_t frames = Int(h["wal_frames"]), backfilled = Int(h["backfilled_frames"]);
      if (backfilled > 0) {
        fired = true;
        EXPECT_EQ(backfilled, frames);
        EXPECT_GE(frames, threshold);         // not before the threshold...
        EXPECT_LT(before, threshold);         // ...and at the first commit that reached it
      }
      before = frames;
    }
    EXPECT_TRUE(fired) << "autocheckpoint never ran at threshold " << threshold;
  }
}

TEST(WalHealth, NonWalDatabasesGetAnHonestRow) {
  Db mem;
  auto h = HealthRow(mem);
  EXPECT_EQ(h["status"], "n/a");
  EXPECT_THAT(h["advice"], HasSubstr("in-memory"));
  h = HealthRow(mem, "temp");
  EXPECT_EQ(h["status"], "n/a");
  EXPECT_THAT(h["advice"], HasSubstr("temp"));

  TempDir dir;
  Db rollback(dir.File("rollback.db"));
  rollback.Exec("CREATE TABLE t(x)");
  h = HealthRow(rollback);
  EXPECT_EQ(h["status"], "n/a");
  EXPECT_EQ(h["journal_mode"], "delete");
  EXPECT_EQ(rollback.One("SELECT count(*) FROM wal_health"), "2");  // main and temp

  const std::string path = dir.File("wal.db");
  {
    Db w(path);
    w.Exec("PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES (1);");
  }
  sqlite3* ro = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &ro, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(ro, "SELECT journal_mode, status, advice FROM wal_health", -1,
                               &stmt, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(ro);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW) << sqlite3_errmsg(ro);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  EXPECT_THAT(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 2)), HasSubstr("read-only"));
  sqlite3_finalize(stmt);
  sqlite3_close(ro);
}

// immutable=1 makes SQLite read the database file alone: it ignores the WAL, and PRAGMA
// journal_mode says "delete". wal_health used to advise turning WAL on for a WAL database whose
// -wal held committed rows this connection could not see.
TEST(WalHealth, AnImmutableOpenSaysItIgnoresTheWal) {
  TempDir dir;
  const std::string path = dir.File("im.db");
  Db w(path);  // stays open: its -wal keeps the rows
  w.Exec(std::string("PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; CREATE TABLE t(x); ") +
         InsertBlobs(20));
  const std::string wal_bytes = HealthRow(w)["wal_bytes"];
  ASSERT_GT(Int(wal_bytes), 0);
  sqlite3* im = nullptr;
  ASSERT_EQ(sqlite3_open_v2(("file:" + path + "?immutable=1").c_str(), &im,
                            SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr),
            SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(im, "SELECT status, advice, wal_bytes FROM wal_health('main')", -1,
                               &stmt, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(im);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW) << sqlite3_errmsg(im);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "n/a");
  const std::string advice = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
  EXPECT_THAT(advice, HasSubstr("immutable=1"));
  EXPECT_THAT(advice, ::testing::Not(HasSubstr("PRAGMA journal_mode=WAL")));
  EXPECT_EQ(std::to_string(sqlite3_column_int64(stmt, 2)), wal_bytes);
  sqlite3_finalize(stmt);
  sqlite3_close(im);
}

TEST(WalHealth, ExclusiveLockingModeHasNoSharedIndex) {
  TempDir dir;
  const std::string path = dir.File("x.db");
  Db w(path);
  w.Exec("PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL; CREATE TABLE t(x);");
  auto h = HealthRow(w);
  EXPECT_EQ(h["journal_mode"], "wal");
  EXPECT_THAT(h["advice"], HasSubstr("EXCLUSIVE"));
  EXPECT_EQ(h["wal_frames"], "NULL");
  EXPECT_NE(access((path + "-shm").c_str(), F_OK), 0) << "reading wal_health created a -shm";
}

// Writes both wal-index header copies of `path`-shm with mxFrame = `mx_frame` and a valid
// checksum, as anyone who can write the database's folder could. In another process: closing a
// descriptor of the -shm here would drop this process's own locks on it.
void CraftShm(const std::string& path, uint32_t mx_frame) {
  const std::string script =
      "import struct, sys\n"
      "f = open(sys.argv[1] + '-shm', 'r+b'); h = bytearray(f.read(48))\n"
      "struct.pack_into('=I', h, 16, int(sys.argv[2])); s1 = s2 = 0\n"
      "for i in range(0, 40, 8):\n"
      "  a, b = struct.unpack_from('=II', h, i)\n"
      "  s1 = (s1 + a + s2) & 0xffffffff; s2 = (s2 + b + s1) & 0xffffffff\n"
      "struct.pack_into('=II', h, 40, s1, s2); f.seek(0); f.write(h + h); f.close()\n";
  const std::string command = std::string(kPython) + " -c \"" + script + "\" '" + path + "' " +
                              std::to_string(mx_frame);
  ASSERT_EQ(system(command.c_str()), 0) << command;
}

// Issue 17 item 4: a crafted -shm made wal_health report "4294967295 frames pending" for a WAL
// of a few hundred KB as a fact.
TEST(WalHealth, ACraftedWalIndexIsReportedAsInconsistent) {
  TempDir dir;
  const std::string path = dir.File("crafted.db");
  Db w(path);
  w.Exec(std::string("PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; CREATE TABLE t(x); ") +
         InsertBlobs(200, 1000));
  auto h = HealthRow(w);
  ASSERT_EQ(h["status"], "ok") << h["advice"];
  const int64_t frames = Int(h["wal_frames"]);
  ASSERT_GT(frames, 0);
  CraftShm(path, 0xffffffff);
  h = HealthRow(w);
  EXPECT_EQ(h["status"], "critical");
  EXPECT_EQ(h["wal_frames"], "NULL");
  EXPECT_EQ(h["pending_frames"], "NULL");
  EXPECT_THAT(h["advice"], HasSubstr("the wal-index (-shm) is inconsistent with the WAL file: "
                                     "mxFrame 4294967295 is beyond the " +
                                     std::to_string(frames) + " frames the WAL file holds"));
  EXPECT_THAT(h["advice"], ::testing::Not(HasSubstr("falling behind")));
  EXPECT_EQ(h["wal_bytes"], std::to_string(32 + frames * (4096 + 24)));
}

TEST(WalHealth, ErrorsAreClear) {
  TempDir dir;
  Db w(dir.File("e.db"));
  w.Exec("PRAGMA journal_mode=WAL; CREATE TABLE t(x);");
  EXPECT_THAT(w.Error("SELECT * FROM wal_health('nope')"),
              HasSubstr("wal_health: unknown schema 'nope'; attached: main"));
  EXPECT_THAT(w.Error("SELECT doctor_checkpoint('SOON')"),
              HasSubstr("mode must be one of PASSIVE, FULL, RESTART, TRUNCATE; got 'SOON'"));
  EXPECT_THAT(w.Error("SELECT doctor_checkpoint('FULL', 'nope')"), HasSubstr("unknown schema"));
  w.Exec("BEGIN; INSERT INTO t VALUES (1);");
  EXPECT_THAT(w.Error("SELECT doctor_checkpoint('PASSIVE')"), HasSubstr("transaction open"));
  w.Exec("COMMIT");
  auto ck = nlohmann::json::parse(w.One("SELECT doctor_checkpoint('truncate')"));
  EXPECT_EQ(ck["mode"], "TRUNCATE");
  EXPECT_EQ(ck["wal_bytes_after"], 0);
  Db mem;
  ck = nlohmann::json::parse(mem.One("SELECT doctor_checkpoint('PASSIVE')"));
  EXPECT_EQ(ck["result"], "not_wal");
  // Found by probing: a schema name that is not UTF-8 made the checkpoint, once run, fail with
  // "[json.exception.type_error.316] invalid UTF-8 byte at index 1: 0xFF".
  mem.Exec("ATTACH ':memory:' AS \"a\xFF\"");
  ck = nlohmann::json::parse(mem.One("SELECT doctor_checkpoint('PASSIVE', 'a\xFF')"));
  EXPECT_EQ(ck["schema"], "a\xEF\xBF\xBD");
}

std::vector<std::string> Handler(Db& db);

// Issue 16 (4): TRUNCATE resets the WAL, and sqlite3_wal_checkpoint_v2 then returns 0 and 0; the
// wal-index read before and after says what it moved. A timeout bounds the wait for readers.
TEST(Checkpoint, TruncateReportsItsFramesAndATimeoutBoundsItsWait) {
  TempDir dir;
  const std::string path = dir.File("ck.db");
  Db w(path);
  w.Exec(std::string("PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; CREATE TABLE t(x); ") +
         InsertBlobs(100));
  const int64_t frames = Int(HealthRow(w)["wal_frames"]);
  ASSERT_GT(frames, 0);
  auto ck = nlohmann::json::parse(w.One("SELECT doctor_checkpoint('TRUNCATE')"));
  EXPECT_EQ(ck["result"], "done");
  EXPECT_EQ(ck["log_frames"], 0);  // what SQLite returns after the reset
  EXPECT_EQ(ck["wal_frames_before"], frames);
  EXPECT_EQ(ck["backfilled_frames_before"], 0);
  EXPECT_EQ(ck["wal_frames_after"], 0);
  EXPECT_EQ(ck["copied_frames"], frames);
  EXPECT_EQ(ck["wal_bytes_after"], 0);

  w.Exec(std::string("PRAGMA busy_timeout = 3000; ") +
         InsertBlobs(50));
  Reader reader(path);  // on the newest snapshot: everything can be copied, nothing reset
  const double start = MonotonicMs();
  ck = nlohmann::json::parse(w.One("SELECT doctor_checkpoint('TRUNCATE', 'main', 100)"));
  const double took = MonotonicMs() - start;
  EXPECT_EQ(ck["result"], "busy");
  EXPECT_EQ(ck["timeout_ms"], 100);
  EXPECT_EQ(ck["timeout_applied"], true);
  EXPECT_GE(took, 90);
  EXPECT_LT(took, 1000) << "waited for the connection's 3000 ms instead of 100";
  EXPECT_GT(ck["wal_frames_before"].get<int64_t>(), 0);
  EXPECT_EQ(ck["backfilled_frames_after"], ck["wal_frames_before"]);
  EXPECT_EQ(ck["copied_frames"], ck["wal_frames_before"]);
  EXPECT_EQ(Handler(w), (std::vector<std::string>{"doctor", "3000"}));  // its own timeout back
  EXPECT_THAT(w.Error("SELECT doctor_checkpoint('FULL', 'main', -1)"),
              HasSubstr("timeout_ms must be an integer from 0 to 3600000; got -1"));
  EXPECT_THAT(w.Error("SELECT doctor_checkpoint('FULL', 'main', 'soon')"),
              HasSubstr("timeout_ms"));
}

// doctor_checkpoint's own wait for a reader is doctor's, not the application's: it returns
// "busy" in its JSON (and wal_checkpoints), no SQLITE_BUSY reaches anyone. Counting it in
// lock_stats made doctor_report warn "1 SQLITE_BUSY error reached the application" right after
// its own fix (SELECT doctor_checkpoint('TRUNCATE', 'main', 250)) ran beside a live app.
TEST(Checkpoint, ItsOwnWaitIsNotCountedAsTheApplications) {
  TempDir dir;
  const std::string path = dir.File("own.db");
  Db w(path);
  w.Exec(std::string("PRAGMA journal_mode=WAL; PRAGMA busy_timeout = 150; CREATE TABLE t(x); ") +
         InsertBlobs(20));
  Reader reader(path);
  for (const char* sql : {"SELECT doctor_checkpoint('TRUNCATE', 'main', 100)",
                          "SELECT doctor_checkpoint('RESTART')"}) {  // the connection's 150 ms
    const double start = MonotonicMs();
    auto ck = nlohmann::json::parse(w.One(sql));
    EXPECT_EQ(ck["result"], "busy") << sql;
    EXPECT_GE(MonotonicMs() - start, 90) << sql << ": it did wait";
  }
  const std::string mine =
      " FROM lock_stats WHERE file = (SELECT file FROM pragma_database_list WHERE name = 'main')";
  auto row = w.Rows("SELECT busy_waits, busy_retries, wait_ms, busy_errors" + mine);
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0], (std::vector<std::string>{"0", "0", "0.0", "0"}));
  EXPECT_EQ(w.One("SELECT count(*) FROM doctor_report WHERE finding LIKE '%SQLITE_BUSY%'"), "0");
  EXPECT_EQ(w.One("SELECT count(*) FROM wal_checkpoints WHERE busy AND file = "
                  "(SELECT file FROM pragma_database_list WHERE name = 'main')"),
            "2");
  // The application's own waits are still counted once the checkpoint is over.
  Reader writer(path, "BEGIN IMMEDIATE", "INSERT INTO t VALUES (1)");
  EXPECT_THAT(w.Error("INSERT INTO t VALUES (2)"), HasSubstr("locked"));
  row = w.Rows("SELECT busy_waits, busy_errors" + mine);
  EXPECT_EQ(row[0], (std::vector<std::string>{"1", "1"}));
}

// lock_stats' row for a file, by the asking connection's schema name: {connections, counting,
// timeout_ms, busy_waits, busy_retries, wait_ms, longest_wait_ms, busy_errors}.
std::vector<std::string> FileRow(Db& db, const std::string& schema) {
  auto rows = db.Rows(
      "SELECT connections, counting, timeout_ms, busy_waits, busy_retries, wait_ms, "
      "longest_wait_ms, busy_errors FROM lock_stats WHERE file = "
      "(SELECT file FROM pragma_database_list WHERE name = '" + schema + "')");
  EXPECT_EQ(rows.size(), 1u) << schema;
  return rows.empty() ? std::vector<std::string>(8, "missing") : rows[0];
}

double Ms(const std::string& s) { return std::stod(s); }

// Resets busy_timeout_ms at the end of a test, whatever happens.
struct BusyTimeout {
  BusyTimeout(Db& db, int ms) : db_(db) {
    db.One("SELECT doctor_set('busy_timeout_ms', " + std::to_string(ms) + ")");
  }
  ~BusyTimeout() { db_.One("SELECT doctor_set('busy_timeout_ms', -1)"); }
  Db& db_;
};

TEST(LockStats, RealContentionCountedExactlyOnTheFilesRow) {
  TempDir dir;
  const std::string path = dir.File("busy.db");
  Db holder(path);
  holder.Exec("PRAGMA journal_mode=WAL; CREATE TABLE t(x);");
  BusyTimeout timeout(holder, 150);
  Db other(dir.File("other.db"));  // one connection on another file
  other.Exec("PRAGMA journal_mode=WAL; CREATE TABLE t(x);");
  std::vector<std::string> row;
  {
    Db waiter(path);  // gets doctor's handler when the extension loads
    // Two connections on busy.db, one on other.db; nothing waited yet.
    EXPECT_EQ(FileRow(holder, "main"),
              (std::vector<std::string>{"2", "2", "150", "0", "0", "0.0", "0.0", "0"}));
    EXPECT_EQ(FileRow(other, "main"),
              (std::vector<std::string>{"1", "1", "150", "0", "0", "0.0", "0.0", "0"}));

    // 1. The holder keeps the write lock: the waiter waits 150 ms, then gets SQLITE_BUSY.
    holder.Exec("BEGIN IMMEDIATE; INSERT INTO t VALUES (1);");
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THAT(waiter.Error("INSERT INTO t VALUES (2)"), HasSubstr("locked"));
    const double waited =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count();
    EXPECT_GE(waited, 140);  // the same wait as sqlite3_busy_timeout(150)
    // 2. The holder commits 20 ms after the waiter's next wait began: the waiter gets the lock.
    std::thread release([&holder] {
      for (int i = 0; i < 5000 && holder.One("SELECT busy_waits FROM lock_stats WHERE file = "
                                             "(SELECT file FROM pragma_database_list "
                                             "WHERE name = 'main')") != "2"; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      holder.Exec("COMMIT");
    });
    waiter.Exec("INSERT INTO t VALUES (3)");
    release.join();
    waiter.Exec("INSERT INTO t VALUES (4)");  // no contention: nothing counted

    row = FileRow(waiter, "main");
    EXPECT_EQ(row[0], "2");
    EXPECT_EQ(row[3], "2");  // two waits
    EXPECT_EQ(row[7], "1");  // one SQLITE_BUSY: the first wait gave up
    // The first wait: SQLite's schedule for 150 ms is 1+2+5+10+15+20+25+25+25 then 22 ms:
    // 10 sleeps before giving up; the second slept 1+2+5+10+... for at least 20 ms (4 sleeps).
    EXPECT_GE(Int(row[4]), 14);
    EXPECT_GE(Ms(row[5]), 150 + 18);
    EXPECT_GE(Ms(row[6]), 150);  // the longest wait is the first
    EXPECT_LT(Ms(row[6]), Ms(row[5]));
    // The per-connection detail agrees: all of it is the waiter's.
    auto mine = waiter.Rows(
        "SELECT handler, timeout_ms, busy_waits, busy_retries, wait_ms, busy_errors "
        "FROM lock_stats_connections WHERE this_connection");
    ASSERT_EQ(mine.size(), 1u);
    EXPECT_EQ(mine[0], (std::vector<std::string>{"doctor", "150", "2", row[4], row[5], "1"}));
    // other.db saw nothing.
    EXPECT_EQ(FileRow(other, "main"),
              (std::vector<std::string>{"1", "1", "150", "0", "0", "0.0", "0.0", "0"}));
  }
  // 3. The waiter closed: its counts stay on the file's row, one connection left.
  auto after = FileRow(holder, "main");
  EXPECT_EQ(after[0], "1");
  EXPECT_EQ(std::vector<std::string>(after.begin() + 3, after.end()),
            std::vector<std::string>(row.begin() + 3, row.end()));
  EXPECT_EQ(holder.One("SELECT count(*) FROM lock_stats_connections WHERE file = "
                       "(SELECT file FROM pragma_database_list WHERE name = 'main')"),
            "1");
}

TEST(LockStats, AWaitOnAnAttachedDatabaseCountsOnItsFile) {
  for (const char* mode : {"WAL", "DELETE"}) {
   for (const bool other_process : {false, true}) {
    SCOPED_TRACE(std::string(mode) + (other_process ? ", writer in another process" : ""));
    TempDir dir;
    const std::string shared = dir.File("shared.db");
    Db holder(shared);
    holder.Exec(std::string("PRAGMA journal_mode=") + mode + "; CREATE TABLE t(x);");
    BusyTimeout timeout(holder, 30);
    Db app(dir.File("app.db"));
    app.Exec("PRAGMA journal_mode=WAL; CREATE TABLE t(x);");
    app.Exec("ATTACH '" + shared + "' AS shared");
    // app publishes its files when it loads the extension, waits, or reads lock_stats (or
    // wal_health, doctor_checkpoint): the ATTACH is not known before.
    EXPECT_EQ(FileRow(holder, "main")[0], "1");
    EXPECT_EQ(FileRow(app, "shared")[0], "2");   // holder and app (attached)
    EXPECT_EQ(FileRow(holder, "main")[0], "2");
    EXPECT_EQ(FileRow(app, "main")[0], "1");
    EXPECT_EQ(app.One("SELECT group_concat(schema) FROM lock_stats WHERE schema IS NOT NULL"),
              "main,shared");
    std::unique_ptr<Reader> writer;
    if (other_process) {
      writer = std::make_unique<Reader>(shared, "BEGIN IMMEDIATE", "INSERT INTO t VALUES (1)");
    } else {
      holder.Exec("BEGIN IMMEDIATE; INSERT INTO t VALUES (1);");
    }
    EXPECT_THAT(app.Error("INSERT INTO shared.t VALUES (2)"), HasSubstr("locked"));
    app.Exec("INSERT INTO main.t VALUES (2)");  // app.db is free
    if (other_process) {
      writer->Release();
    } else {
      holder.Exec("COMMIT");
    }
    auto s = FileRow(app, "shared");
    EXPECT_EQ(s[3], "1");
    EXPECT_EQ(s[7], "1");
    EXPECT_GE(Ms(s[5]), 30);
    auto m = FileRow(app, "main");
    EXPECT_EQ(m[3], "0");
    EXPECT_EQ(m[7], "0");
    app.Exec("DETACH shared");
    EXPECT_EQ(FileRow(holder, "main")[0], "2");  // app has not published its files since
    EXPECT_EQ(FileRow(app, "main")[0], "1");     // now it has (reading lock_stats)
    EXPECT_EQ(FileRow(holder, "main")[0], "1");
   }
  }
}

// Documented limit: a connection in a read transaction that cannot upgrade to write gets
// SQLITE_BUSY at once, without SQLite calling any busy handler, so nothing is counted.
TEST(LockStats, ABusyWithoutAWaitIsNotCounted) {
  TempDir dir;
  const std::string path = dir.File("upgrade.db");
  Db holder(path);
  holder.Exec("PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES (0);");
  BusyTimeout timeout(holder, 1000);
  Db reader(path);
  reader.Exec("BEGIN; SELECT count(*) FROM t;");
  holder.Exec("BEGIN IMMEDIATE; INSERT INTO t VALUES (1);");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(reader.Error("INSERT INTO t VALUES (2)"), HasSubstr("locked"));
  const double waited =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(waited, 500);  // no wait, although the timeout is 1000 ms
  holder.Exec("COMMIT");
  reader.Exec("ROLLBACK");
  EXPECT_EQ(FileRow(holder, "main"),
            (std::vector<std::string>{"2", "2", "1000", "0", "0", "0.0", "0.0", "0"}));
}

// The handler column and timeout of the asking connection in lock_stats_connections.
std::vector<std::string> Handler(Db& db) {
  auto rows =
      db.Rows("SELECT handler, timeout_ms FROM lock_stats_connections WHERE this_connection");
  EXPECT_EQ(rows.size(), 1u);
  return rows.empty() ? std::vector<std::string>{"missing", "missing"} : rows[0];
}

// How long `sql` took to fail with "database is locked", in ms.
double MsToFail(Db& db, const std::string& sql) {
  const double start = MonotonicMs();
  EXPECT_THAT(db.Error(sql), HasSubstr("locked"));
  return MonotonicMs() - start;
}

// Issue 16 (1): SQLite's own busy timeout is taken over by doctor's counting handler, without
// doctor_set and without changing the wait; a new timeout of the application is adopted.
TEST(LockStats, SqlitesOwnTimeoutIsCountedWithTheSameWait) {
  TempDir dir;
  const std::string path = dir.File("adopt.db");
  Db holder(path), plain(path), counted(path);
  holder.Exec("PRAGMA journal_mode=WAL; CREATE TABLE t(x);");
  plain.Exec("PRAGMA busy_timeout = 120");    // SQLite's own handler: nothing read since
  counted.Exec("PRAGMA busy_timeout = 120");
  EXPECT_EQ(Handler(counted), (std::vector<std::string>{"doctor", "120"}));  // taken over
  holder.Exec("BEGIN IMMEDIATE; INSERT INTO t VALUES (1);");
  const double sqlite_ms = MsToFail(plain, "INSERT INTO t VALUES (2)");
  const double doctor_ms = MsToFail(counted, "INSERT INTO t VALUES (2)");
  EXPECT_GE(doctor_ms, 115);
  EXPECT_NEAR(doctor_ms, sqlite_ms, 40);  // the same schedule, the same give-up moment
  holder.Exec("COMMIT");
  // 1+2+5+10+15+20+25+25 ms, then the 17 ms left: 9 sleeps, then SQLITE_BUSY.
  auto mine = counted.Rows(
      "SELECT busy_waits, busy_retries, busy_errors FROM lock_stats_connections "
      "WHERE this_connection");
  EXPECT_EQ(mine, (std::vector<std::vector<std::string>>{{"1", "9", "1"}}));
  EXPECT_EQ(Handler(plain), (std::vector<std::string>{"doctor", "120"}));  // read once: taken
  // The application sets another timeout: adopted at the next read.
  counted.Exec("PRAGMA busy_timeout = 40");
  EXPECT_EQ(Handler(counted), (std::vector<std::string>{"doctor", "40"}));
  holder.Exec("BEGIN IMMEDIATE; INSERT INTO t VALUES (1);");
  EXPECT_LT(MsToFail(counted, "INSERT INTO t VALUES (3)"), 100);
  holder.Exec("COMMIT");
  EXPECT_EQ(counted.One("SELECT busy_waits FROM lock_stats_connections WHERE this_connection"),
            "2");
}

int CountingHandler(void* calls, int count) {
  ++*static_cast<int*>(calls);
  return count < 3;  // three retries, then give up
}

// Issue 16 (1): a connection with a handler of its own, or none, is left alone and shown so.
TEST(LockStats, AnOwnHandlerOrNoneIsLeftAlone) {
  TempDir dir;
  const std::string path = dir.File("own.db");
  Db holder(path), own(path), none(path);
  holder.Exec("PRAGMA journal_mode=WAL; CREATE TABLE t(x);");
  int calls = 0;
  sqlite3_busy_handler(own.get(), CountingHandler, &calls);
  EXPECT_EQ(Handler(own), (std::vector<std::string>{"application", "NULL"}));
  EXPECT_EQ(Handler(none), (std::vector<std::string>{"application", "NULL"}));
  holder.Exec("BEGIN IMMEDIATE; INSERT INTO t VALUES (1);");
  MsToFail(own, "INSERT INTO t VALUES (2)");
  EXPECT_EQ(calls, 4);  // the application's handler ran, not doctor's
  EXPECT_LT(MsToFail(none, "INSERT INTO t VALUES (2)"), 50);  // still no wait at all
  holder.Exec("COMMIT");
  EXPECT_EQ(own.One("SELECT sum(busy_waits) FROM lock_stats_connections"), "0");
}

// Issue 16 (1): doctor_set applies to the connection that runs it at once (before, only at its
// next read of wal_health or lock_stats).
TEST(LockStats, DoctorSetTakesEffectOnTheCallerAtOnce) {
  TempDir dir;
  const std::string path = dir.File("set.db");
  Db holder(path), caller(path);
  holder.Exec("PRAGMA journal_mode=WAL; CREATE TABLE t(x);");
  holder.Exec("BEGIN IMMEDIATE; INSERT INTO t VALUES (1);");
  BusyTimeout timeout(caller, 80);
  const double waited = MsToFail(caller, "INSERT INTO t VALUES (2)");
  EXPECT_GE(waited, 75);
  EXPECT_LT(waited, 400);
  holder.Exec("COMMIT");
  auto mine = caller.Rows(
      "SELECT handler, timeout_ms, busy_waits, busy_errors FROM lock_stats_connections "
      "WHERE this_connection");
  EXPECT_EQ(mine, (std::vector<std::vector<std::string>>{{"doctor", "80", "1", "1"}}));
}

// Issue 16 (2): lock_stats names who holds each file's write lock now.
TEST(LockStats, WriterNamesWhoHoldsTheWriteLockNow) {
  for (const char* mode : {"WAL", "DELETE"}) {
    SCOPED_TRACE(mode);
    const bool wal = std::string(mode) == "WAL";
    TempDir dir;
    const std::string path = dir.File("w.db");
    Db a(path), b(path);
    a.Exec(std::string("PRAGMA journal_mode=") + mode + "; CREATE TABLE t(x);");
    auto writer = [](Db& db) {
      auto rows = db.Rows("SELECT writer, writer_pid FROM lock_stats WHERE schema = 'main'");
      return rows.size() == 1 ? rows[0]
                              : std::vector<std::string>{"rows", std::to_string(rows.size())};
    };
    using Row = std::vector<std::string>;
    const std::string me = std::to_string(getpid());
    EXPECT_EQ(writer(b), (Row{"none", "NULL"}));
    {
      Reader other(path, "BEGIN IMMEDIATE", "INSERT INTO t VALUES (1)");
      const Row expected = wal ? Row{"another process", std::to_string(other.pid())}
                               : Row{"held", "NULL"};
      EXPECT_EQ(writer(b), expected);
    }
    a.Exec("BEGIN IMMEDIATE; INSERT INTO t VALUES (2);");
    EXPECT_EQ(writer(a), (Row{"this connection", me}));
    const Row expected = wal ? Row{"this process", me} : Row{"held", "NULL"};
    EXPECT_EQ(writer(b), expected);
    a.Exec("COMMIT");
    EXPECT_EQ(writer(b), (Row{"none", "NULL"}));
  }
}

// A -shm that is a FIFO would block open() for ever: it is refused, not opened.
TEST(ShmLocks, AFifoIsRefusedNotOpened) {
  TempDir dir;
  const std::string fifo = dir.File("f.db-shm");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  auto locks = wal::ProbeShmLocks(fifo);
  ASSERT_FALSE(locks.ok());
  EXPECT_THAT(std::string(locks.status().message()), HasSubstr("is not a regular file"));
}

}  // namespace
}  // namespace doctor

namespace doctor {
namespace {

TEST(WalHealthArguments, AnErrorNamingAHugeSchemaIsShortened) {
  testing::Db db;
  const std::string error = db.Error("SELECT * FROM wal_health(printf('%.*c', 1000000, 'x'))");
  EXPECT_LE(error.size(), 4000u) << error.size();
  EXPECT_THAT(error, ::testing::HasSubstr("wal_health: "));
  EXPECT_THAT(error, ::testing::HasSubstr(" bytes left out]... "));
}

}  // namespace
}  // namespace doctor
