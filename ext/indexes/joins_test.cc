// How the advisor understands joins (issue 20): the join equalities of JOIN ... USING and
// NATURAL JOIN (as SQLite resolves them), aliases of a table used twice (a self-join), and a
// parent key that is a CREATE UNIQUE INDEX. Each makes the sample join-consistent
// (scratch_partners.h), so the index on the join key is advised as .expert advises it.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "ext/core/connection.h"
#include "ext/core/sql.h"
#include "ext/core/testing.h"
#include "ext/indexes/scratch.h"
#include "ext/indexes/scratch_partners.h"
#include "ext/indexes/scratch_schema.h"
#include "ext/indexes/sql_joins.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace doctor::indexes {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// part(part_id) has 2,000 rows, items 20,000 whose part_id spreads over them; part(code) is a
// CREATE UNIQUE INDEX that items(part_code) refers to; emp's manager_id refers to one of 200
// managers.
class JoinsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.Exec(
        "CREATE TABLE part(part_id INTEGER PRIMARY KEY, code TEXT, brand INTEGER, name TEXT);"
        "CREATE UNIQUE INDEX part_code ON part(code);"
        "CREATE TABLE items(item_id INTEGER PRIMARY KEY, part_id INTEGER, part_code TEXT "
        "REFERENCES part(code), qty INTEGER, pad TEXT);"
        "CREATE TABLE emp(id INTEGER PRIMARY KEY, manager_id INTEGER REFERENCES emp(id), "
        "dept INTEGER, name TEXT);"
        "CREATE TABLE transfer(id INTEGER PRIMARY KEY, from_emp INTEGER, to_emp INTEGER);"
        "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 20000) "
        "INSERT INTO items SELECT v, 1 + ((v * 2654435761) % 1000003) % 2000, "
        "'P' || (1 + ((v * 2654435761) % 1000003) % 2000), v % 50, 'xxxxxxxx' FROM n;"
        "INSERT INTO part SELECT part_id, 'P' || part_id, part_id % 200, 'p' || part_id "
        "FROM items GROUP BY part_id;"
        "INSERT INTO emp SELECT item_id, CASE WHEN item_id <= 200 THEN NULL ELSE "
        "1 + ((item_id * 2654435761) % 1000003) % 200 END, item_id % 50, 'e' || item_id "
        "FROM items;");
    connection_ = Connection::Find(db_.get());
    ASSERT_NE(connection_, nullptr);
    auto objects = ReadSchemaObjects(*connection_);
    ASSERT_TRUE(objects.ok());
    auto tables = ReadTables(*connection_, *objects);
    ASSERT_TRUE(tables.ok());
    tables_ = *std::move(tables);
  }
  // "child(columns) -> parent(columns)" for each link of `workload`'s joins.
  std::vector<std::string> Links(const std::string& workload) {
    std::vector<std::string> out;
    for (const ParentLink& l : ParentLinks(JoinEqualities(workload), tables_)) {
      out.push_back(tables_[l.child].name + "(" + absl::StrJoin(l.child_columns, ",") + ") -> " +
                    tables_[l.parent].name + "(" + absl::StrJoin(l.parent_columns, ",") + ")");
    }
    return out;
  }
  // The sample built for `workload` holds the parent of every sampled child row.
  int64_t Orphans(const std::string& workload, const std::string& orphans_sql) {
    ScratchOptions so;
    so.sample_rows = 2000;
    so.workload = {workload};
    auto scratch = Scratch::Build(*connection_, so);
    EXPECT_TRUE(scratch.ok()) << scratch.status();
    if (!scratch.ok()) return -1;
    auto rows = Query((*scratch)->db(), orphans_sql);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? (*rows)[0][0].AsInt() : -1;
  }
  std::vector<std::string> Advise(const std::string& workload) {
    std::vector<std::string> out;
    for (const auto& row : db_.Rows("SELECT index_sql FROM index_advise(" +
                                    QuoteLiteral(workload) + ", '{\"sample_rows\": 2000}')")) {
      out.push_back(row[0]);
    }
    return out;
  }
  testing::Db db_;
  Connection* connection_ = nullptr;
  std::vector<TableInfo> tables_;
};

TEST_F(JoinsTest, JoinUsingIsTheEqualityOfItsColumns) {
  EXPECT_THAT(Links("SELECT count(*) FROM part JOIN items USING (part_id) WHERE brand = 7"),
              ElementsAre("items(part_id) -> part(part_id)"));
  // The column is the leftmost left table's that has it; aliases name the tables.
  EXPECT_THAT(Links("SELECT 1 FROM emp AS e JOIN part p USING (name) "
                    "LEFT JOIN items AS i USING (part_id, part_code)"),
              ElementsAre("items(part_id) -> part(part_id)"));
  EXPECT_EQ(Orphans("SELECT count(*) FROM items JOIN part USING (part_id) WHERE brand = 7",
                    "SELECT count(*) FROM items WHERE part_id NOT IN (SELECT part_id FROM part)"),
            0);
}

// SQLite's authorizer is not told of the columns a USING or NATURAL join compares: items was
// not among the statement's tables, so no index on it was ever measured.
TEST_F(JoinsTest, TablesJoinedByUsingOrNaturalAreTouched) {
  ScratchOptions so;
  so.sample_rows = 2000;
  auto scratch = Scratch::Build(*connection_, so);
  ASSERT_TRUE(scratch.ok()) << scratch.status();
  for (const char* sql : {"SELECT count(*) FROM part JOIN items USING (part_id) WHERE brand = 7",
                          "SELECT count(*) FROM part NATURAL JOIN items WHERE brand = 7"}) {
    std::set<std::string> tables;
    std::string written;
    ASSERT_TRUE((*scratch)->Touched(sql, &tables, &written).ok());
    EXPECT_THAT(tables, ElementsAre("items", "part")) << sql;
  }
}

TEST_F(JoinsTest, NaturalJoinIsTheEqualityOfTheCommonColumns) {
  // part and items share part_id only (code is not part_code).
  EXPECT_THAT(Links("SELECT count(*) FROM part NATURAL JOIN items WHERE brand = 7"),
              ElementsAre("items(part_id) -> part(part_id)"));
  EXPECT_THAT(Links("SELECT count(*) FROM items i NATURAL LEFT JOIN part p"),
              ElementsAre("items(part_id) -> part(part_id)"));
  // emp and part share `name`, no key of either: no link.
  EXPECT_THAT(Links("SELECT * FROM emp NATURAL JOIN part"), ElementsAre());
}

TEST_F(JoinsTest, SelfJoinLinksATableToItselfThroughItsAliases) {
  EXPECT_THAT(Links("SELECT e.name, m.name FROM emp e JOIN emp m ON e.manager_id = m.id"),
              ElementsAre("emp(manager_id) -> emp(id)"));
  EXPECT_THAT(Links("SELECT * FROM emp AS a JOIN emp AS b ON a.id = b.id"), ElementsAre());
  EXPECT_EQ(Orphans("SELECT * FROM emp e JOIN emp m ON m.id = e.manager_id",
                    "SELECT count(*) FROM emp WHERE manager_id NOT IN (SELECT id FROM emp)"),
            0);
}

// Each alias of a table used twice is its own side of a join: the link through t.to_emp was
// lost before (both joins were taken for one, on its first column).
TEST_F(JoinsTest, ATableUsedTwiceLinksEachAliasOnItsOwnColumn) {
  EXPECT_THAT(Links("SELECT a.name, b.name FROM transfer t JOIN emp a ON t.from_emp = a.id "
                    "JOIN emp AS b ON b.id = t.to_emp"),
              ElementsAre("transfer(from_emp) -> emp(id)", "transfer(to_emp) -> emp(id)"));
  EXPECT_THAT(Links("SELECT * FROM transfer JOIN emp ON emp.id = transfer.to_emp"),
              ElementsAre("transfer(to_emp) -> emp(id)"));
}

TEST_F(JoinsTest, UniqueIndexIsAParentKey) {
  EXPECT_THAT(Links("SELECT * FROM part p JOIN items i ON i.part_code = p.code"),
              ElementsAre("items(part_code) -> part(code)"));
  EXPECT_EQ(Orphans("SELECT * FROM part p JOIN items i ON i.part_code = p.code",
                    "SELECT count(*) FROM items WHERE part_code NOT IN (SELECT code FROM part)"),
            0);
}

// .expert advises items(part_id) and part(brand) for each (358 steps on the data, against
// 100,114 with no index); before, the sample lacked the parts of the sampled items and the
// advice was nothing or part(brand, code) alone.
TEST_F(JoinsTest, JoinKeyIndexIsAdvisedForUsingNaturalAndUniqueIndexJoins) {
  EXPECT_THAT(Advise("SELECT count(*) FROM part JOIN items USING (part_id) WHERE brand = 7"),
              Contains(HasSubstr("ON items(part_id")));
  EXPECT_THAT(Advise("SELECT count(*) FROM items NATURAL JOIN part WHERE brand = 7"),
              Contains(HasSubstr("ON items(part_id")));
  EXPECT_THAT(Advise("SELECT count(*) FROM part p JOIN items i ON i.part_code = p.code "
                     "WHERE p.brand = 7"),
              Contains(HasSubstr("ON items(part_code")));
}

// The managers of department 7 with more than 3 reports: .expert advises emp(manager_id) and
// emp(dept) (6,807 steps on the data, 32M without); before, the sample held none of those 4
// managers and the advice was a partial index on dept alone (32M steps).
TEST(SelfJoin, JoinKeyIndexIsAdvisedOnASampleHoldingTheManagers) {
  testing::Db db;
  db.Exec("CREATE TABLE emp(id INTEGER PRIMARY KEY, manager_id INTEGER REFERENCES emp(id), "
          "dept INTEGER, name TEXT, pad TEXT);"
          "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 20000) "
          "INSERT INTO emp SELECT v, CASE WHEN v <= 200 THEN NULL ELSE "
          "1 + ((v * 2654435761) % 1000003) % 200 END, v % 50, 'e' || v, 'xxxxxxxxxxxxxxxx' "
          "FROM n;");
  std::vector<std::string> got;
  for (const auto& row : db.Rows("SELECT index_sql FROM index_advise('SELECT count(*) FROM emp m "
                                 "WHERE m.dept = 7 AND (SELECT count(*) FROM emp e "
                                 "WHERE e.manager_id = m.id) > 3', '{\"sample_rows\": 2000}')")) {
    got.push_back(row[0]);
  }
  EXPECT_THAT(got, Contains(HasSubstr("ON emp(manager_id")));
}

}  // namespace
}  // namespace doctor::indexes
