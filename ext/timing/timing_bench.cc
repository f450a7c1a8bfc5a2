// Query timing overhead, side by side in one run:
//   bazel run -c opt //ext/timing:timing_bench [-- rounds lookups_per_round]
//
// Prepared point lookups (`SELECT name FROM users WHERE id = ?`, random ids) on a 10k-row table
// through the C API of the system SQLite, on three connections to the same database:
//   plain    no extension
//   noop     a no-op SQLITE_TRACE_PROFILE callback (the floor any trace-based timing pays)
//   doctor   sqlite-doctor registered (timing on)
// Rounds alternate between the connections; each round gives a ratio against plain, the table
// shows the median. Done for a file database in WAL mode and for :memory:. Then the cost of
// normalizing one distinct query (µs) and the memory per query_stats entry.
#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ext/core/sql_normalize.h"

extern "C" int sqlite3_doctor_init(sqlite3*, char**, const sqlite3_api_routines*);

namespace {

using Clock = std::chrono::steady_clock;

// The calling thread's CPU time (user + kernel): unlike wall time, it does not count the time
// the thread waited for a core, so the ratios hold on a busy shared machine.
double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void Check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE) {
    std::fprintf(stderr, "%s: %s\n", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    std::exit(1);
  }
}

void Exec(sqlite3* db, const char* sql) {
  Check(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), db, sql);
}

int NoopProfile(unsigned, void*, void*, void*) { return 0; }

sqlite3* Open(const std::string& path, bool doctor) {
  if (doctor) sqlite3_auto_extension(reinterpret_cast<void (*)(void)>(sqlite3_doctor_init));
  sqlite3* db = nullptr;
  Check(sqlite3_open(path.c_str(), &db), db, "open");
  if (doctor) sqlite3_cancel_auto_extension(reinterpret_cast<void (*)(void)>(sqlite3_doctor_init));
  return db;
}

double RunLookups(sqlite3* db, int n, uint32_t seed) {
  sqlite3_stmt* stmt = nullptr;
  Check(sqlite3_prepare_v2(db, "SELECT name FROM users WHERE id = ?", -1, &stmt, nullptr), db,
        "prepare");
  std::mt19937 rng(seed);
  const double start = ThreadCpuSeconds();
  for (int i = 0; i < n; ++i) {
    sqlite3_bind_int(stmt, 1, static_cast<int>(rng() % 10000) + 1);
    Check(sqlite3_step(stmt), db, "step");
    sqlite3_reset(stmt);
  }
  const double s = ThreadCpuSeconds() - start;
  sqlite3_finalize(stmt);
  return s;
}

// Full scans returning every row of the table (the per-row cost of counting rows returned).
void RunScans(sqlite3* db, int n) {
  sqlite3_stmt* stmt = nullptr;
  Check(sqlite3_prepare_v2(db, "SELECT id, name FROM users", -1, &stmt, nullptr), db, "prepare");
  for (int i = 0; i < n; ++i) {
    while (sqlite3_step(stmt) == SQLITE_ROW) {
    }
    sqlite3_reset(stmt);
  }
  sqlite3_finalize(stmt);
}

// A job-queue poll whose plan depends on its bound value: with the partial index below, SQLite
// re-prepares it at every run that binds 'queued' (ext/timing/README.md, "With which values").
void RunBoundPolls(sqlite3* db, int n) {
  Exec(db, "CREATE TABLE jobs(id INTEGER PRIMARY KEY, state TEXT, priority INT, run_at INT);"
           "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20000) "
           "INSERT INTO jobs SELECT i, CASE WHEN i % 100 = 0 THEN 'queued' ELSE 'done' END, "
           "i % 7, i FROM c;"
           "CREATE INDEX jobs_queued ON jobs(priority DESC, run_at) WHERE state = 'queued';");
  sqlite3_stmt* stmt = nullptr;
  Check(sqlite3_prepare_v2(
            db, "SELECT id FROM jobs WHERE state = ? ORDER BY priority DESC, run_at LIMIT 10", -1,
            &stmt, nullptr),
        db, "prepare");
  for (int i = 0; i < n; ++i) {
    sqlite3_bind_text(stmt, 1, "queued", -1, SQLITE_STATIC);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
    }
    sqlite3_reset(stmt);
  }
  sqlite3_finalize(stmt);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void Compare(const char* label, const std::string& path, int rounds, int lookups) {
  sqlite3* plain = Open(path, false);
  if (path != ":memory:") Exec(plain, "PRAGMA journal_mode=WAL");
  auto setup = [&](sqlite3* db) {
    Exec(db, "CREATE TABLE IF NOT EXISTS users(id INTEGER PRIMARY KEY, email TEXT, name TEXT)");
    Exec(db, "BEGIN; DELETE FROM users;"
             "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 10000) "
             "INSERT INTO users SELECT i, 'user' || i || '@example.com', 'User ' || i FROM c;"
             "COMMIT");
  };
  sqlite3* noop = Open(path, false);
  sqlite3* doctor = Open(path, true);
  if (path == ":memory:") {
    setup(plain);
    setup(noop);
    setup(doctor);
  } else {
    setup(plain);
  }
  sqlite3_trace_v2(noop, SQLITE_TRACE_PROFILE, NoopProfile, nullptr);
  std::vector<double> noop_ratio, doctor_ratio, plain_ns;
  for (int r = 0; r < rounds + 1; ++r) {
    // Alternate the order inside each round so neither side always runs first.
    double tp, tn, td;
    if (r % 2 == 0) {
      tp = RunLookups(plain, lookups, r);
      tn = RunLookups(noop, lookups, r);
      td = RunLookups(doctor, lookups, r);
    } else {
      td = RunLookups(doctor, lookups, r);
      tn = RunLookups(noop, lookups, r);
      tp = RunLookups(plain, lookups, r);
    }
    if (r == 0) continue;  // warm-up
    noop_ratio.push_back(tn / tp);
    doctor_ratio.push_back(td / tp);
    plain_ns.push_back(tp / lookups * 1e9);
  }
  std::printf("%-22s %10.0f ns %12.3f %12.3f\n", label, Median(plain_ns), Median(noop_ratio),
              Median(doctor_ratio));
  sqlite3_close(doctor);
  sqlite3_close(noop);
  sqlite3_close(plain);
}

void NormalizationCost() {
  std::vector<std::string> queries;
  for (int i = 0; i < 20000; ++i) {
    queries.push_back("SELECT p.id, p.name, count(r.id) FROM projects p JOIN resources r ON "
                      "r.project_id = p.id WHERE p.owner_id = " + std::to_string(i) +
                      " AND r.kind IN ('a', 'b', 'c') AND r.size_bytes > " +
                      std::to_string(i * 3) + " GROUP BY p.id ORDER BY 3 DESC LIMIT 10 /* q" +
                      std::to_string(i) + " */");
  }
  size_t sink = 0;
  auto start = Clock::now();
  for (const std::string& q : queries) sink += doctor::QueryId(doctor::NormalizeSql(q));
  double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count() /
              queries.size();
  std::printf("normalize + query_id of a %zu-byte query: %.2f µs (%zu)\n", queries[0].size(), us,
              sink % 10);
}

void MemoryPerEntry() {
  sqlite3* db = Open(":memory:", true);
  Exec(db, "SELECT query_stats_reset()");
  for (int i = 0; i < 2000; ++i) {
    std::string sql = "SELECT " + std::to_string(i) + " AS c" + std::to_string(i);
    Exec(db, sql.c_str());
  }
  sqlite3_stmt* stmt = nullptr;
  Check(sqlite3_prepare_v2(db, "SELECT entries, memory_bytes, bytes_per_entry FROM query_stats_info",
                           -1, &stmt, nullptr), db, "info");
  Check(sqlite3_step(stmt), db, "info");
  std::printf("query_stats memory: %lld entries, %lld bytes, %lld bytes per entry\n",
              sqlite3_column_int64(stmt, 0), sqlite3_column_int64(stmt, 1),
              sqlite3_column_int64(stmt, 2));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

}  // namespace

// One configuration only, for instruction counts under callgrind (tools/bench_timing):
//   timing_bench --only CONFIG memory|file LOOKUPS
//   timing_bench --only CONFIG scan SCANS       (full scans of the 10k rows, :memory:)
//   timing_bench --only CONFIG bound POLLS      (RunBoundPolls, :memory:)
// CONFIG: plain, noop, doctor as above; noop3 (a no-op callback on STMT, ROW and PROFILE);
// doctor_off (loaded, timing off); doctor_untraced (loaded, its trace callback removed);
// plain_threaded (plain, with an idle second thread in the process, as doctor's store flusher is:
// glibc's mutexes take their multi-threaded path once a process has a thread).
int OnlyOne(const std::string& config, const std::string& where, int lookups) {
  if (config == "plain_threaded") {
    std::thread idle([] {});
    idle.join();  // the process stays multi-threaded for glibc after the thread ends
    return OnlyOne("plain", where, lookups);
  }
  char dir[] = "/tmp/timing_bench.XXXXXX";
  if (mkdtemp(dir) == nullptr) return 1;
  const std::string path = where == "file" ? std::string(dir) + "/bench.db" : ":memory:";
  const bool doctor = config == "doctor" || config == "doctor_off" || config == "doctor_untraced";
  sqlite3* db = Open(path, doctor);
  if (where == "file") Exec(db, "PRAGMA journal_mode=WAL");
  Exec(db, "CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT, name TEXT);"
           "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 10000) "
           "INSERT INTO users SELECT i, 'user' || i || '@example.com', 'User ' || i FROM c;");
  if (config == "noop") sqlite3_trace_v2(db, SQLITE_TRACE_PROFILE, NoopProfile, nullptr);
  if (config == "noop3") {  // the no-op callback on the three events doctor uses
    sqlite3_trace_v2(db, SQLITE_TRACE_STMT | SQLITE_TRACE_ROW | SQLITE_TRACE_PROFILE, NoopProfile,
                     nullptr);
  }
  if (config == "doctor_off") Exec(db, "SELECT doctor_set('timing', 'off')");
  // Loaded, with its trace callback removed: what the rest of the extension costs a statement.
  if (config == "doctor_untraced") sqlite3_trace_v2(db, 0, nullptr, nullptr);
  if (where == "scan") {
    RunScans(db, lookups);
  } else if (where == "bound") {
    RunBoundPolls(db, lookups);
  } else {
    RunLookups(db, lookups, 1);
  }
  sqlite3_close(db);
  if (where == "file") {
    for (const char* suffix : {"", "-wal", "-shm"}) unlink((path + suffix).c_str());
  }
  rmdir(dir);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "--only") {
    return OnlyOne(argv[2], argv[3], std::atoi(argv[4]));
  }
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 11;
  const int lookups = argc > 2 ? std::atoi(argv[2]) : 100000;
  char dir[] = "/tmp/timing_bench.XXXXXX";
  if (mkdtemp(dir) == nullptr) return 1;
  const std::string file = std::string(dir) + "/bench.db";
  std::printf("SQLite %s, %d rounds x %d prepared point lookups, median ratio vs plain (thread CPU time)\n",
              sqlite3_libversion(), rounds, lookups);
  std::printf("%-22s %13s %12s %12s\n", "database", "plain/lookup", "noop trace", "doctor");
  Compare("file, WAL", file, rounds, lookups);
  Compare(":memory:", ":memory:", rounds, lookups);
  NormalizationCost();
  MemoryPerEntry();
  for (const char* suffix : {"", "-wal", "-shm", "-doctor"}) {
    unlink((file + suffix).c_str());
  }
  rmdir(dir);
  return 0;
}
