// The glue seen from SQL: function arity and errors, table arguments, repeated loads.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ext/core/testing.h"

namespace doctor {
namespace {

using ::testing::HasSubstr;

TEST(CoreTest, WrongArityNamesTheUsage) {
  testing::Db db;
  EXPECT_THAT(db.Error("SELECT doctor_set('x')"), HasSubstr("wrong number of arguments"));
}

TEST(CoreTest, TablesAreEponymousOnly) {
  testing::Db db;
  EXPECT_THAT(db.Error("CREATE VIRTUAL TABLE t USING doctor_help"), HasSubstr("doctor_help"));
}

TEST(CoreTest, EveryConnectionGetsItsOwnRegistration) {
  testing::Db a, b;
  EXPECT_EQ(a.One("SELECT doctor_version()"), b.One("SELECT doctor_version()"));
}

}  // namespace
}  // namespace doctor
