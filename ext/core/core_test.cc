// The glue seen from SQL: function arity and errors, table arguments, repeated loads.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ext/core/sql.h"
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

namespace doctor {
namespace {

TEST(SqlTest, QueryBindsAndReadsEveryType) {
  testing::Db db;
  absl::StatusOr<Rows> rows = Query(db.get(), "SELECT ?, ?, ?, ?, ?",
                                    {Value(7), Value(2.5), Value("it's"), Value(Blob{"\x01"}), Value()});
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0][0].AsInt(), 7);
  EXPECT_EQ((*rows)[0][1].AsDouble(), 2.5);
  EXPECT_EQ((*rows)[0][2].AsText(), "it's");
  EXPECT_EQ((*rows)[0][3].AsText(), "\x01");
  EXPECT_TRUE((*rows)[0][4].is_null());
}

TEST(SqlTest, QueryRefusesASecondStatementAndReportsErrors) {
  testing::Db db;
  EXPECT_FALSE(Query(db.get(), "SELECT 1; SELECT 2").ok());
  EXPECT_TRUE(Query(db.get(), "SELECT 1;  -- trailing comment").ok());
  absl::StatusOr<Rows> bad = Query(db.get(), "SELECT * FROM nowhere");
  EXPECT_THAT(std::string(bad.status().message()), ::testing::HasSubstr("no such table: nowhere"));
}

TEST(SqlTest, ExecOneBindsRunsOneStatementAndReportsErrors) {
  testing::Db db;
  Connection* c = Connection::Find(db.get());
  ASSERT_NE(c, nullptr);
  db.Exec("CREATE TABLE e1(a, b)");
  ASSERT_TRUE(ExecOne(*c, "INSERT INTO e1 VALUES (?1, ?2) RETURNING a", {Value(1), Value("x")}).ok());
  EXPECT_EQ(db.One("SELECT a || b FROM e1"), "1x");
  EXPECT_FALSE(ExecOne(*c, "INSERT INTO e1 VALUES (1, 2); INSERT INTO e1 VALUES (3, 4)", {}).ok());
  EXPECT_EQ(db.One("SELECT count(*) FROM e1"), "1");
  EXPECT_THAT(ExecOne(*c, "INSERT INTO nowhere VALUES (?1)", {Value(1)}).message(),
              HasSubstr("nowhere"));
}

TEST(SqlTest, QuotingDoublesQuotes) {
  EXPECT_EQ(QuoteIdentifier("a\"b c"), "\"a\"\"b c\"");
  EXPECT_EQ(QuoteLiteral("it's"), "'it''s'");
  testing::Db db;
  db.Exec("CREATE TABLE " + QuoteIdentifier("we\"ird tåble") + "(x)");
  EXPECT_EQ(db.One("SELECT count(*) FROM sqlite_schema WHERE name = " + QuoteLiteral("we\"ird tåble")),
            "1");
}

}  // namespace
}  // namespace doctor

namespace doctor {
namespace {

// SQLite 3.40 lets CHECK constraints call DIRECTONLY functions; the adapter refuses them itself.
TEST(CoreTest, DirectOnlyFunctionsRefuseCheckConstraints) {
  testing::Db db;
  db.Exec("CREATE TABLE c (x CHECK (doctor_set('nope', 1) IS NULL))");
  EXPECT_THAT(db.Error("INSERT INTO c VALUES (1)"),
              ::testing::HasSubstr("unsafe use of doctor_set(): it can only be called from top-level SQL"));
  EXPECT_THAT(db.Error("SELECT doctor_set('nope', 1)"), ::testing::HasSubstr("unknown setting"));
  EXPECT_THAT(db.Error("SELECT \"DOCTOR_SET\"('nope', 1)"), ::testing::HasSubstr("unknown setting"));
}

}  // namespace
}  // namespace doctor
