#include "ext/timing/store_testing.h"

#include <sqlite3.h>

#include <chrono>

#include "ext/core/testing.h"

namespace doctor::timing::testing {

void StoreFixture::SetUp() {
  doctor::testing::Db db;
  db.Exec("SELECT query_stats_reset(); SELECT doctor_set('timing', 'on');"
          "SELECT doctor_set('stats_share_ms', 0); SELECT doctor_set('stats_max', 5000);"
          "SELECT doctor_set('slow_ms', 100); SELECT doctor_set('slow_max', 1000);"
          "SELECT doctor_set('stats_share_examples', 'off')");
}

void StoreFixture::TearDown() { SetUp(); }

double NowMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string OnStore(const std::string& app, const std::string& sql) {
  sqlite3* raw = nullptr;
  std::string out;
  if (sqlite3_open((app + "-doctor").c_str(), &raw) != SQLITE_OK) {
    out = sqlite3_errmsg(raw);
  } else {
    char* error = nullptr;
    if (sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) out = error;
    sqlite3_free(error);
  }
  sqlite3_close_v2(raw);
  return out;
}

std::string StoreValue(const std::string& app, const std::string& sql) {
  sqlite3* raw = nullptr;
  std::string out = "(none)";
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_open_v2((app + "-doctor").c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) !=
          SQLITE_OK ||
      sqlite3_prepare_v2(raw, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    out = sqlite3_errmsg(raw);
  } else {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      out = text ? reinterpret_cast<const char*>(text) : "NULL";
    } else if (rc != SQLITE_DONE) {
      out = sqlite3_errmsg(raw);
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close_v2(raw);
  return out;
}

}  // namespace doctor::timing::testing
