// wal_bench: what reading wal_health costs with a small and a huge WAL (goal: ratio <= 1.2), and
// what doctor adds to each commit (goal: <= 1.02). Side by side in one run, medians of rounds.
//   bazel run //ext/wal:wal_bench -- [big_wal_mb (default 512)] [dir (default /tmp)]
//   wal_bench --callgrind [big_wal_mb] [dir]: one pass of each measured function, for
//   tools/bench_wal to count instructions with valgrind (stable where wall time is noise).
// doctor installs no wal hook and no commit hook; the only per-connection thing it can install is
// the busy handler (busy_timeout_ms >= 0), which runs only under lock contention.
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

extern "C" int sqlite3_doctor_init(sqlite3*, char**, const struct sqlite3_api_routines*);

namespace {

using Clock = std::chrono::steady_clock;

void Check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE) {
    fprintf(stderr, "%s: %s\n", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    exit(1);
  }
}

void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    fprintf(stderr, "%s: %s\n", sql.c_str(), err);
    exit(1);
  }
}

sqlite3* Open(const std::string& path) {
  sqlite3* db = nullptr;
  Check(sqlite3_open(path.c_str(), &db), db, "open");
  return db;
}

// A WAL database whose WAL holds about `mb` megabytes (autocheckpoint off, connection kept open).
sqlite3* MakeWal(const std::string& path, int mb) {
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  sqlite3* db = Open(path);
  Exec(db, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; PRAGMA synchronous=OFF; "
           "CREATE TABLE t(x)");
  const int rows_per_mb = 1024 * 1024 / 4000;
  for (int i = 0; i < mb; ++i) {
    Exec(db, "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < " +
                 std::to_string(rows_per_mb) + ") INSERT INTO t SELECT randomblob(3900) FROM s");
  }
  return db;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Microseconds per `SELECT * FROM wal_health('main')`, `reads` times.
double HealthReadUs(sqlite3* db, int reads) {
  sqlite3_stmt* stmt = nullptr;
  Check(sqlite3_prepare_v2(db, "SELECT * FROM wal_health('main')", -1, &stmt, nullptr), db,
        "prepare");
  const auto start = Clock::now();
  for (int i = 0; i < reads; ++i) {
    while (sqlite3_step(stmt) == SQLITE_ROW) {
    }
    sqlite3_reset(stmt);
  }
  const double us =
      std::chrono::duration<double, std::micro>(Clock::now() - start).count() / reads;
  sqlite3_finalize(stmt);
  return us;
}

// Microseconds per single-row commit, `commits` times.
double CommitUs(sqlite3* db, int commits) {
  sqlite3_stmt* stmt = nullptr;
  Check(sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?)", -1, &stmt, nullptr), db, "prepare");
  const auto start = Clock::now();
  for (int i = 0; i < commits; ++i) {
    sqlite3_bind_int(stmt, 1, i);
    Check(sqlite3_step(stmt), db, "insert");
    sqlite3_reset(stmt);
  }
  const double us =
      std::chrono::duration<double, std::micro>(Clock::now() - start).count() / commits;
  sqlite3_finalize(stmt);
  return us;
}

uint64_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? st.st_size : 0;
}

void RemoveAll(const std::string& base) {
  for (const char* suffix : {"_small.db", "_big.db", "_commit_off.db", "_commit_on.db"}) {
    for (const char* extra : {"", "-wal", "-shm"}) std::filesystem::remove(base + suffix + extra);
  }
}

}  // namespace

// One function per measured side, never inlined, so callgrind can attribute instructions.
extern "C" __attribute__((noinline)) void MeasureReadSmall(sqlite3* db) { HealthReadUs(db, 100); }
extern "C" __attribute__((noinline)) void MeasureReadBig(sqlite3* db) { HealthReadUs(db, 100); }
extern "C" __attribute__((noinline)) void MeasureCommitOff(sqlite3* db) { CommitUs(db, 1000); }
extern "C" __attribute__((noinline)) void MeasureCommitOn(sqlite3* db) { CommitUs(db, 1000); }

namespace {

// Two identical commit databases, so both sides do exactly the same SQLite work: `off` without
// doctor, `on` with doctor loaded and its busy handler installed; the same 5000 ms timeout on both.
void CommitPair(const std::string& base, sqlite3** off, sqlite3** on, sqlite3** on0) {
  for (const char* side : {"_off.db", "_on.db"}) {
    sqlite3* setup = Open(base + side);
    Exec(setup, "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS t(x)");
    sqlite3_close(setup);
  }
  sqlite3_cancel_auto_extension(reinterpret_cast<void (*)(void)>(sqlite3_doctor_init));
  *off = Open(base + "_off.db");
  sqlite3_busy_timeout(*off, 5000);
  sqlite3_auto_extension(reinterpret_cast<void (*)(void)>(sqlite3_doctor_init));
  *on0 = Open(base + "_on.db");
  Exec(*on0, "SELECT doctor_set('busy_timeout_ms', 5000)");
  *on = Open(base + "_on.db");  // gets doctor's busy handler at load
  for (sqlite3* db : {*off, *on}) Exec(db, "PRAGMA synchronous=OFF");
}

int Callgrind(int big_mb, const std::string& base) {
  sqlite3* small = MakeWal(base + "_small.db", 1);
  sqlite3* big = MakeWal(base + "_big.db", big_mb);
  HealthReadUs(small, 10);
  HealthReadUs(big, 10);
  MeasureReadSmall(small);
  MeasureReadBig(big);
  sqlite3_close(small);
  sqlite3_close(big);
  sqlite3 *off, *on, *on0;
  CommitPair(base + "_commit", &off, &on, &on0);
  CommitUs(off, 100);
  CommitUs(on, 100);
  MeasureCommitOff(off);
  MeasureCommitOn(on);
  sqlite3_close(off);
  sqlite3_close(on);
  sqlite3_close(on0);
  RemoveAll(base);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const bool callgrind = argc > 1 && std::string(argv[1]) == "--callgrind";
  if (callgrind) {
    --argc;
    ++argv;
  }
  const int big_mb = argc > 1 ? atoi(argv[1]) : 512;
  const std::string dir = argc > 2 ? argv[2] : "/tmp";
  const std::string base = dir + "/wal_bench_" + std::to_string(getpid());
  sqlite3_auto_extension(reinterpret_cast<void (*)(void)>(sqlite3_doctor_init));
  if (callgrind) return Callgrind(big_mb, base);

  printf("wal_bench: SQLite %s; building a 1 MB and a %d MB WAL in %s ...\n", sqlite3_libversion(),
         big_mb, dir.c_str());
  sqlite3* small = MakeWal(base + "_small.db", 1);
  sqlite3* big = MakeWal(base + "_big.db", big_mb);
  const uint64_t small_bytes = FileSize(base + "_small.db-wal");
  const uint64_t big_bytes = FileSize(base + "_big.db-wal");

  std::vector<double> s_us, b_us;
  HealthReadUs(small, 200);  // warm up
  HealthReadUs(big, 200);
  for (int round = 0; round < 21; ++round) {  // alternate, so drift hits both alike
    if (round % 2) {
      s_us.push_back(HealthReadUs(small, 500));
      b_us.push_back(HealthReadUs(big, 500));
    } else {
      b_us.push_back(HealthReadUs(big, 500));
      s_us.push_back(HealthReadUs(small, 500));
    }
  }
  const double s = Median(s_us), b = Median(b_us);
  printf("\n%-34s %14s %14s\n", "wal_health read", "WAL bytes", "us/read (med)");
  printf("%-34s %14llu %14.1f\n", "small WAL", static_cast<unsigned long long>(small_bytes), s);
  printf("%-34s %14llu %14.1f\n", "big WAL", static_cast<unsigned long long>(big_bytes), b);
  printf("%-34s %14s %14.3f   (goal <= 1.2)\n", "ratio big / small", "", b / s);
  sqlite3_close(small);
  sqlite3_close(big);

  // Per-commit cost: a connection without the extension vs one with it loaded and doctor's busy
  // handler installed (busy_timeout_ms = 5000), same timeout on both.
  sqlite3 *off, *on, *on0;
  CommitPair(base + "_commit", &off, &on, &on0);
  std::vector<double> off_us, on_us;
  CommitUs(off, 2000);
  CommitUs(on, 2000);
  for (int round = 0; round < 41; ++round) {  // alternate which goes first
    if (round % 2) {
      off_us.push_back(CommitUs(off, 2000));
      on_us.push_back(CommitUs(on, 2000));
    } else {
      on_us.push_back(CommitUs(on, 2000));
      off_us.push_back(CommitUs(off, 2000));
    }
  }
  const double f = Median(off_us), n = Median(on_us);
  printf("\n%-34s %14s\n", "commit (1 row, synchronous=OFF)", "us/commit (med)");
  printf("%-34s %14.2f\n", "without doctor", f);
  printf("%-34s %14.2f\n", "doctor loaded + busy handler", n);
  printf("%-34s %14.3f   (goal <= 1.02)\n", "ratio on / off", n / f);
  sqlite3_close(off);
  sqlite3_close(on);
  sqlite3_close(on0);
  RemoveAll(base);
  return 0;
}
