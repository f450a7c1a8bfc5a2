#include "ext/core/top_level_call.h"

#include "gtest/gtest.h"

namespace doctor {
namespace {

TEST(TopLevelCallTest, ACallInTheStatementCounts) {
  EXPECT_TRUE(CallsAtTopLevel("SELECT doctor_set('timing', 'on')", "doctor_set"));
  EXPECT_TRUE(CallsAtTopLevel("select DOCTOR_SET ('timing', 'on')", "doctor_set"));
  EXPECT_TRUE(CallsAtTopLevel("SELECT \"doctor_set\"('timing', 'on')", "doctor_set"));
  EXPECT_TRUE(CallsAtTopLevel("SELECT doctor_set /* why */ ('a', 1)", "doctor_set"));
  EXPECT_TRUE(CallsAtTopLevel("SELECT * FROM t WHERE doctor_set('a', 1) IS NOT NULL", "doctor_set"));
  EXPECT_TRUE(CallsAtTopLevel("INSERT INTO log SELECT doctor_set('a', 1)", "doctor_set"));
  EXPECT_TRUE(CallsAtTopLevel("WITH x(a) AS (SELECT 1) SELECT doctor_set('a', a) FROM x",
                              "doctor_set"));
  EXPECT_TRUE(CallsAtTopLevel("CREATE TABLE t AS SELECT doctor_set('a', 1)", "doctor_set"));
  EXPECT_TRUE(CallsAtTopLevel("CREATE TEMP TABLE t AS SELECT doctor_set('a', 1)", "doctor_set"));
}

TEST(TopLevelCallTest, NamesThatAreNotCallsDoNotCount) {
  const char* kNotCalls[] = {
      "INSERT INTO doctor_set VALUES (1)",
      "INSERT INTO doctor_set(x) VALUES (1)",
      "INSERT INTO \"doctor_set\"(x) VALUES (1)",
      "INSERT INTO main.doctor_set(x) VALUES (1)",
      "REPLACE INTO doctor_set(x) VALUES (1)",
      "SELECT * FROM doctor_set",
      "SELECT * FROM t JOIN doctor_set(1)",
      "UPDATE doctor_set SET x = 1",
      "INSERT INTO notes VALUES ('see the docs of doctor_set(1)')",
      "INSERT INTO notes VALUES (1) -- doctor_set(1)",
      "INSERT INTO notes VALUES (1) /* doctor_set(1) */",
      "SELECT doctor_set FROM t",
      "SELECT doctor_setting('a', 1)",
      "WITH doctor_set(x) AS (SELECT 1) SELECT * FROM doctor_set",
      "WITH doctor_set(x) AS MATERIALIZED (SELECT 1) SELECT * FROM doctor_set",
      "WITH doctor_set(x) AS NOT MATERIALIZED (SELECT 1) SELECT * FROM doctor_set",
      "CREATE TABLE t (x CHECK (doctor_set('a', 1)))",
      "CREATE TABLE doctor_set(x)",
      "CREATE VIEW v AS SELECT doctor_set('a', 1)",
      "CREATE TRIGGER t AFTER INSERT ON log BEGIN SELECT doctor_set('a', 1); END",
      "CREATE INDEX i ON doctor_set(x)",
      "CREATE TABLE t(x) AS SELECT doctor_set('a', 1)",
      "SELECT 1; SELECT doctor_set('a', 1)",
      "",
      "doctor_set",
  };
  for (const char* sql : kNotCalls) EXPECT_FALSE(CallsAtTopLevel(sql, "doctor_set")) << sql;
}

}  // namespace
}  // namespace doctor
