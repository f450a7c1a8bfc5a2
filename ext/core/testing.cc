#include "ext/core/testing.h"

#include <stdlib.h>

#include <filesystem>

#include "ext/core/testing_entry.h"
#include "gtest/gtest.h"

namespace doctor::testing {
namespace {

void RegisterOnce() {
  static const bool registered = [] {
    sqlite3_auto_extension(internal::EntryPointForTests());
    return true;
  }();
  (void)registered;
}

}  // namespace

Db::Db(const std::string& path) {
  RegisterOnce();
  int rc = sqlite3_open(path.c_str(), &db_);
  EXPECT_EQ(rc, SQLITE_OK) << sqlite3_errmsg(db_);
}

Db::~Db() { sqlite3_close_v2(db_); }

void Db::Exec(const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (error ? error : "");
  sqlite3_free(error);
}

std::vector<std::vector<std::string>> Db::Rows(const std::string& sql) {
  std::vector<std::vector<std::string>> rows;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
  EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << sqlite3_errmsg(db_);
  if (rc != SQLITE_OK) return rows;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const unsigned char* text = sqlite3_column_text(stmt, i);
      row.push_back(text ? reinterpret_cast<const char*>(text) : "NULL");
    }
    rows.push_back(std::move(row));
  }
  EXPECT_EQ(rc, SQLITE_DONE) << sql << ": " << sqlite3_errmsg(db_);
  sqlite3_finalize(stmt);
  return rows;
}

std::string Db::One(const std::string& sql) {
  auto rows = Rows(sql);
  EXPECT_FALSE(rows.empty()) << sql << " returned no row";
  if (rows.empty() || rows[0].empty()) return "";
  return rows[0][0];
}

std::string Db::Error(const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  EXPECT_NE(rc, SQLITE_OK) << sql << " succeeded but should have failed";
  std::string message = error ? error : "";
  sqlite3_free(error);
  return message;
}

TempDir::TempDir() {
  const char* base = getenv("TEST_TMPDIR");
  std::string pattern = std::string(base ? base : "/tmp") + "/doctor-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  path_ = mkdtemp(buffer.data());
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace doctor::testing

// Abseil 20220623's Mutex hands per-thread identities, allocated with raw mmap, from thread to
// thread through synchronization that TSAN cannot see when built with gcc; those reports are
// inside Abseil's own internals, never in sqlite-doctor's code. Only TSAN builds read this.
extern "C" const char* __tsan_default_suppressions() {
  return "race:absl::lts_20220623::synchronization_internal::*\n"
         "race:absl::lts_20220623::base_internal::LowLevelAlloc*\n";
}
