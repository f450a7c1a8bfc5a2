// Does a process holding the shared store's locks slow the application down? (issue 15)
//   bazel run -c opt //ext/timing:store_lock_bench [-- LOOKUPS SHARE_MS]
//
// Prepared point lookups on a file database (WAL, 10k rows) with sqlite-doctor loaded and its
// background flusher adding the counts to `<db>-doctor` every SHARE_MS (default 10, so that many
// flushes fall inside the run), timed one by one (wall clock): first with nobody else on the
// store, then while another process holds every lock of the store (BEGIN EXCLUSIVE, a write
// pending). Prints p50, p99 and max of each and the ratio of the p99s; also how many flushes
// reached the store in each phase (none while it is locked: they are skipped, not waited for).
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

extern "C" int sqlite3_doctor_init(sqlite3*, char**, const sqlite3_api_routines*);

namespace {

void Exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::fprintf(stderr, "%s: %s\n", sql.c_str(), error ? error : "?");
    std::exit(1);
  }
}

std::string One(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  return out;
}

// The other process: holds every lock of the store until killed.
int HoldStore(const char* path) {
  sqlite3* db = nullptr;
  sqlite3_open(path, &db);
  Exec(db, "BEGIN EXCLUSIVE; INSERT INTO doctor_sidecar VALUES ('held', 1)");
  std::printf("held\n");
  std::fflush(stdout);
  pause();
  return 0;
}

struct Latency {
  double p50, p99, max;
};

Latency Lookups(sqlite3* db, int n) {
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT name FROM users WHERE id = ?", -1, &stmt, nullptr);
  std::mt19937 rng(1);
  std::vector<double> us(n);
  for (int i = 0; i < n; ++i) {
    const auto start = std::chrono::steady_clock::now();
    sqlite3_bind_int(stmt, 1, static_cast<int>(rng() % 10000) + 1);
    sqlite3_step(stmt);
    sqlite3_reset(stmt);
    us[i] = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                .count();
    if (i % 100 == 0) usleep(200);  // spread the run over many flush intervals
  }
  sqlite3_finalize(stmt);
  std::sort(us.begin(), us.end());
  return {us[n / 2], us[n * 99 / 100], us.back()};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--hold") return HoldStore(argv[2]);
  const int n = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int share_ms = argc > 2 ? std::atoi(argv[2]) : 10;
  char dir[] = "/tmp/store_lock_bench.XXXXXX";
  if (mkdtemp(dir) == nullptr) return 1;
  const std::string file = std::string(dir) + "/bench.db", store = file + "-doctor";
  sqlite3_auto_extension(reinterpret_cast<void (*)(void)>(sqlite3_doctor_init));
  sqlite3* db = nullptr;
  sqlite3_open(file.c_str(), &db);
  sqlite3_cancel_auto_extension(reinterpret_cast<void (*)(void)>(sqlite3_doctor_init));
  Exec(db, "PRAGMA journal_mode=WAL; CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT);"
           "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 10000) "
           "INSERT INTO users SELECT i, 'User ' || i FROM c;"
           "SELECT doctor_set('stats_share_ms', " + std::to_string(share_ms) + ");"
           "SELECT query_stats_flush()");
  const std::string calls =
      "SELECT calls FROM query_stats WHERE query = 'SELECT name FROM users WHERE id = ?'";
  Lookups(db, n / 10);  // warm-up
  const Latency free = Lookups(db, n);
  // The other process, started from this binary (never forked with our threads running).
  int ready[2];
  if (pipe(ready) != 0) return 1;
  const pid_t holder = fork();
  if (holder == 0) {
    dup2(ready[1], 1);
    execl("/proc/self/exe", argv[0], "--hold", store.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  char buf[8] = {};
  if (read(ready[0], buf, 5) != 5) return 1;
  const Latency held = Lookups(db, n);
  const std::string while_held = One(db, "SELECT store_error FROM query_stats_info");
  kill(holder, SIGKILL);
  waitpid(holder, nullptr, 0);
  std::printf("%d prepared point lookups, file WAL, doctor loaded, stats_share_ms %d\n", n,
              share_ms);
  std::printf("%-28s %9s %9s %9s\n", "store", "p50 µs", "p99 µs", "max µs");
  std::printf("%-28s %9.1f %9.1f %9.1f\n", "free", free.p50, free.p99, free.max);
  std::printf("%-28s %9.1f %9.1f %9.1f\n", "locked by another process", held.p50, held.p99,
              held.max);
  std::printf("p99 locked / free: %.2f\n", held.p99 / free.p99);
  std::printf("a read while it was locked: %s\n", while_held.empty() ? "ok" : while_held.c_str());
  usleep(3 * share_ms * 1000 + 100000);
  std::printf("calls in query_stats after the lock: %s (expected %d)\n", One(db, calls).c_str(),
              n / 10 + 2 * n);
  sqlite3_close(db);
  for (const char* suffix : {"", "-wal", "-shm", "-doctor", "-doctor-journal"}) {
    unlink((file + suffix).c_str());
  }
  rmdir(dir);
  return 0;
}
