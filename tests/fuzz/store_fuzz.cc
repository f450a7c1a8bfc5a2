// libFuzzer target: the shared query-statistics store (`<db>-doctor`) as an attacker or a torn
// write leaves it. Each input edits a valid store (one with rows in every table) and then every
// reader of it runs: query_stats, slow_queries, query_stats_info, plan_changes,
// query_stats_buckets, the *_merge tables and doctor_report. Each must give rows or an error that
// names the store file, within a few seconds, with no crash and no sanitizer report; a reader of
// another database in the same process is never affected.
//
// Input: lines, each one edit of the store before the readers run:
//   TABLE.COLUMN=VALUE   UPDATE TABLE SET COLUMN = VALUE (every row), VALUE one of
//                        i<integer> r<real> t<text> x<hex blob> n (NULL)
//   +TABLE               one more row in TABLE, a copy of its first with every key column moved
//   sql:STATEMENT        any SQL on the store (a view in a table's place, a trigger, DROP ...)
//   cut:N                the file truncated to N bytes after the edits
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int sqlite3_doctor_init(sqlite3*, char**, const sqlite3_api_routines*);

namespace {

struct Paths {
  std::string dir, app, store, other;
};

void Exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::fprintf(stderr, "setup failed: %s: %s\n", sql.c_str(), error ? error : "");
    abort();
  }
}

sqlite3* OpenWithDoctor(const std::string& path) {
  sqlite3_auto_extension(reinterpret_cast<void (*)(void)>(sqlite3_doctor_init));
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) abort();
  sqlite3_cancel_auto_extension(reinterpret_cast<void (*)(void)>(sqlite3_doctor_init));
  return db;
}

// A database whose store has rows in every table: statements (slow, with slow_ms 0), a plan
// change (an index created between two runs), hourly buckets, flushed.
void MakeDatabase(const std::string& path) {
  sqlite3* db = OpenWithDoctor(path);
  Exec(db, "PRAGMA journal_mode=WAL; SELECT doctor_set('slow_ms', 0);"
           "CREATE TABLE t(a INTEGER, b TEXT);"
           "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 200) "
           "INSERT INTO t SELECT i, 'v' || (i % 7) FROM c;"
           "SELECT count(*) FROM t WHERE a = 5; SELECT * FROM t WHERE b = 'v1';"
           "CREATE INDEX t_a ON t(a); SELECT count(*) FROM t WHERE a = 5;"
           "UPDATE t SET b = 'w' WHERE a < 3; SELECT query_stats_flush();");
  sqlite3_close(db);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

const Paths& Setup() {
  static const Paths* paths = [] {
    char dir[] = "/tmp/store_fuzz.XXXXXX";
    if (mkdtemp(dir) == nullptr) abort();
    auto* p = new Paths{dir, std::string(dir) + "/app.db", std::string(dir) + "/app.db-doctor",
                        std::string(dir) + "/other.db"};
    MakeDatabase(p->app);
    MakeDatabase(p->other);
    return p;
  }();
  return *paths;
}

std::string Quote(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

void Bind(sqlite3_stmt* stmt, const std::string& value) {
  const std::string rest = value.empty() ? "" : value.substr(1);
  switch (value.empty() ? 'n' : value[0]) {
    case 'i':
      sqlite3_bind_int64(stmt, 1, std::strtoll(rest.c_str(), nullptr, 10));
      break;
    case 'r':
      sqlite3_bind_double(stmt, 1, std::strtod(rest.c_str(), nullptr));
      break;
    case 't':
      sqlite3_bind_text(stmt, 1, rest.data(), static_cast<int>(rest.size()), SQLITE_TRANSIENT);
      break;
    case 'x': {
      std::string blob;
      for (size_t i = 0; i + 1 < rest.size(); i += 2) {
        blob += static_cast<char>(std::strtol(rest.substr(i, 2).c_str(), nullptr, 16));
      }
      sqlite3_bind_blob(stmt, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
      break;
    }
    default:
      sqlite3_bind_null(stmt, 1);
  }
}

// The edits run on a plain connection (no extension), each bounded so a hostile edit (a
// recursive CTE, say) cannot hang the harness itself; failures are part of the input's story.
int64_t ApplyEdits(const std::string& store, const std::string& input) {
  sqlite3* db = nullptr;
  if (sqlite3_open(store.c_str(), &db) != SQLITE_OK) abort();
  int ticks = 0;
  sqlite3_progress_handler(
      db, 1000, [](void* t) -> int { return ++*static_cast<int*>(t) > 2000 ? 1 : 0; }, &ticks);
  int64_t cut = -1;
  size_t start = 0;
  for (int edits = 0; start < input.size() && edits < 32; ++edits) {
    size_t end = input.find('\n', start);
    if (end == std::string::npos) end = input.size();
    const std::string line = input.substr(start, end - start);
    start = end + 1;
    ticks = 0;
    if (line.rfind("sql:", 0) == 0) {
      sqlite3_exec(db, line.c_str() + 4, nullptr, nullptr, nullptr);
    } else if (line.rfind("cut:", 0) == 0) {
      cut = std::strtoll(line.c_str() + 4, nullptr, 10);
    } else if (line.rfind("+", 0) == 0) {
      // Key columns are the first ones of every table: moving each numeric one by 1 keeps the
      // copy's key unique; a text key gets a suffix.
      const std::string table = Quote(line.substr(1));
      sqlite3_exec(db, ("CREATE TEMP TABLE copy AS SELECT * FROM " + table + " LIMIT 1").c_str(),
                   nullptr, nullptr, nullptr);
      sqlite3_exec(db, "UPDATE temp.copy SET query_id = query_id + 1", nullptr, nullptr, nullptr);
      sqlite3_exec(db, "UPDATE temp.copy SET seq = seq + 1000", nullptr, nullptr, nullptr);
      sqlite3_exec(db, "UPDATE temp.copy SET key = key || 'x'", nullptr, nullptr, nullptr);
      sqlite3_exec(db, ("INSERT INTO " + table + " SELECT * FROM temp.copy").c_str(), nullptr,
                   nullptr, nullptr);
      sqlite3_exec(db, "DROP TABLE IF EXISTS temp.copy", nullptr, nullptr, nullptr);
    } else if (const size_t dot = line.find('.'), eq = line.find('=');
               dot != std::string::npos && eq != std::string::npos && dot < eq) {
      const std::string sql = "UPDATE " + Quote(line.substr(0, dot)) + " SET " +
                              Quote(line.substr(dot + 1, eq - dot - 1)) + " = ?1";
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
        Bind(stmt, line.substr(eq + 1));
        sqlite3_step(stmt);
      }
      sqlite3_finalize(stmt);
    }
  }
  sqlite3_close(db);
  return cut;
}

// Runs one reader to its end: rows or an error that says something and, when the store is
// what failed, names it. A reader that takes seconds hangs the application that runs it.
void Read(sqlite3* db, const std::string& sql, const std::string& store_name, bool must_pass) {
  const auto start = std::chrono::steady_clock::now();
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
  if (rc == SQLITE_OK) {
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
  }
  const std::string error = sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (seconds > 5) {
    std::fprintf(stderr, "%s took %.1f s\n", sql.c_str(), seconds);
    abort();
  }
  if (rc == SQLITE_DONE) return;
  if (must_pass || error.empty() || error.find(store_name) == std::string::npos) {
    std::fprintf(stderr, "%s failed (%d): %s\n", sql.c_str(), rc, error.c_str());
    abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Paths& paths = Setup();
  static const std::string pristine = ReadFile(paths.store);
  if (size > 4096) return 0;
  const std::string input(reinterpret_cast<const char*>(data), size);
  for (const char* suffix : {"-wal", "-shm", "-journal"}) unlink((paths.store + suffix).c_str());
  WriteFile(paths.store, pristine);
  const int64_t cut = ApplyEdits(paths.store, input);
  for (const char* suffix : {"-wal", "-shm", "-journal"}) unlink((paths.store + suffix).c_str());
  if (cut >= 0) truncate(paths.store.c_str(), cut);

  // Each input gets fresh readers: a reader caches nothing of an earlier store.
  sqlite3* app = OpenWithDoctor(paths.app);
  sqlite3* other = OpenWithDoctor(paths.other);
  for (sqlite3* db : {app, other}) {
    Exec(db, "SELECT doctor_set('timing', 'off')");  // the readers' own runs are not flushed
  }
  const std::string merge_arg = "'" + paths.store + "'";
  for (const std::string& sql :
       {std::string("SELECT * FROM query_stats"), std::string("SELECT * FROM slow_queries"),
        std::string("SELECT * FROM query_stats_info"), std::string("SELECT * FROM plan_changes"),
        std::string("SELECT * FROM query_stats_buckets"),
        "SELECT * FROM query_stats_merge(" + merge_arg + ")",
        "SELECT * FROM query_stats_buckets_merge(" + merge_arg + ")",
        "SELECT * FROM slow_queries_merge(" + merge_arg + ")",
        std::string("SELECT * FROM doctor_report")}) {
    Read(app, sql, "app.db-doctor", /*must_pass=*/false);
  }
  // Another database of the same process reads its own store as if nothing happened.
  Read(other, "SELECT * FROM query_stats WHERE query LIKE 'SELECT%'", "", /*must_pass=*/true);
  Read(other, "SELECT * FROM slow_queries", "", /*must_pass=*/true);
  sqlite3_close(app);
  sqlite3_close(other);
  return 0;
}
