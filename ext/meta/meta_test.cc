#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ext/core/testing.h"

namespace doctor {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

TEST(MetaTest, VersionIsSemver) {
  testing::Db db;
  EXPECT_THAT(db.One("SELECT doctor_version()"), MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+"));
}

TEST(MetaTest, DebugNamesBothSqliteVersions) {
  testing::Db db;
  EXPECT_EQ(db.One("SELECT json_extract(doctor_debug(), '$.sqlite_runtime') = sqlite_version()"),
            "1");
  EXPECT_EQ(db.One("SELECT json_extract(doctor_debug(), '$.sqlite_compiled') IS NOT NULL"), "1");
  EXPECT_EQ(db.One("SELECT json_extract(doctor_debug(), '$.version') = doctor_version()"), "1");
}

TEST(MetaTest, HelpListsEveryFunctionRegistered) {
  testing::Db db;
  // Every doctor function SQLite knows appears in doctor_help, and the other way round.
  EXPECT_EQ(db.One("SELECT count(DISTINCT f.name) FROM pragma_function_list f WHERE f.name IN "
                   "(SELECT name FROM doctor_help WHERE kind = 'function')"),
            db.One("SELECT count(DISTINCT name) FROM doctor_help WHERE kind = 'function'"));
  EXPECT_EQ(db.One("SELECT count(*) FROM pragma_module_list m WHERE m.name IN "
                   "(SELECT name FROM doctor_help WHERE kind = 'table')"),
            db.One("SELECT count(*) FROM doctor_help WHERE kind = 'table'"));
  EXPECT_EQ(db.One("SELECT count(*) FROM doctor_help WHERE summary = '' OR signature = ''"), "0");
}

TEST(MetaTest, SetRejectsUnknownNames) {
  testing::Db db;
  EXPECT_THAT(db.Error("SELECT doctor_set('nope', 1)"),
              HasSubstr("doctor_set: unknown setting 'nope'"));
  EXPECT_THAT(db.Error("SELECT doctor_set(NULL, 1)"),
              HasSubstr("argument 'name' must be text, got NULL"));
}

TEST(MetaTest, SetIsDirectOnly) {
  testing::Db db;
  db.Exec("CREATE VIEW v AS SELECT doctor_set('nope', 1)");
  EXPECT_THAT(db.Error("SELECT * FROM v"), HasSubstr("unsafe use of doctor_set"));
}

}  // namespace
}  // namespace doctor
