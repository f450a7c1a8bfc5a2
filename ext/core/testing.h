// Test helpers: an in-memory or file connection on the system SQLite with sqlite-doctor
// registered exactly as `.load` would (through sqlite3_auto_extension), and query shortcuts.
// Link //ext/core:testing for the whole extension, or //ext/core:testing_areas to register only
// the areas the test names (testing_areas.h) and link nothing else.
//
// Example:
//   doctor::testing::Db db;                       // :memory:
//   EXPECT_EQ(db.One("SELECT doctor_version()"), "0.1.0");
//   EXPECT_THAT(db.Error("SELECT doctor_set('x', 1)"), HasSubstr("unknown setting"));
#ifndef DOCTOR_CORE_TESTING_H_
#define DOCTOR_CORE_TESTING_H_

#include <sqlite3.h>

#include <string>
#include <vector>

namespace doctor::testing {

class Db {
 public:
  explicit Db(const std::string& path = ":memory:");
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* get() const { return db_; }
  // Runs one or more statements; fails the test on error.
  void Exec(const std::string& sql);
  // All rows of a query, each value as text ("NULL" for NULL); fails the test on error.
  std::vector<std::vector<std::string>> Rows(const std::string& sql);
  // The first column of the first row.
  std::string One(const std::string& sql);
  // The error message of a statement that must fail (fails the test if it succeeds).
  std::string Error(const std::string& sql);

 private:
  sqlite3* db_ = nullptr;
};

// A fresh temporary directory for one test, removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace doctor::testing

#endif  // DOCTOR_CORE_TESTING_H_
