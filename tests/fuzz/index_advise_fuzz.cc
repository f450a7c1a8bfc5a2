// libFuzzer target: index_advise (and index_whatif) fed arbitrary SQL text against a small
// schema. Every input must give rows or a clear error: no crash, no hang, no change to the data.
#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int sqlite3_doctor_init(sqlite3*, char**, const sqlite3_api_routines*);

namespace {

constexpr char kSchema[] = R"sql(
  CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE, name TEXT, created_at INTEGER);
  CREATE TABLE jobs (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
                     state TEXT, priority INTEGER, run_at INTEGER, payload TEXT);
  CREATE INDEX jobs_user ON jobs(user_id);
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
  INSERT INTO users SELECT i, 'u' || i, 'n' || (i % 17), i * 10 FROM n;
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 900)
  INSERT INTO jobs SELECT i, 1 + i % 300, CASE i % 9 WHEN 0 THEN 'queued' ELSE 'done' END,
                          i % 5, i, NULL FROM n;
)sql";

sqlite3* Open() {
  sqlite3_auto_extension(reinterpret_cast<void (*)(void)>(sqlite3_doctor_init));
  sqlite3* db = nullptr;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) abort();
  if (sqlite3_exec(db, kSchema, nullptr, nullptr, nullptr) != SQLITE_OK) abort();
  return db;
}

int64_t Count(sqlite3* db) {
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM users) * 100000 + (SELECT count(*) FROM jobs)",
                     -1, &stmt, nullptr);
  int64_t n = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  return n;
}

void Run(sqlite3* db, const char* sql, const std::string& arg) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) abort();
  sqlite3_bind_text(stmt, 1, arg.data(), static_cast<int>(arg.size()), SQLITE_TRANSIENT);
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
  }
  if (rc != SQLITE_DONE && sqlite3_errmsg(db)[0] == '\0') abort();  // an error must say something
  sqlite3_finalize(stmt);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static sqlite3* db = Open();
  static const int64_t before = Count(db);
  if (size > 4096) return 0;  // the advisor bounds its own work; keep runs short
  std::string sql(reinterpret_cast<const char*>(data), size);
  Run(db, "SELECT * FROM index_advise(?1)", sql);
  Run(db, "SELECT * FROM index_whatif(?1, 'CREATE INDEX h ON jobs(state, priority)')", sql);
  if (Count(db) != before) abort();  // advice never changes the user's data
  return 0;
}
