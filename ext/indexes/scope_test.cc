// The scratch copy's scope (scratch_scope.h): a job copies the tables its statements reach, not
// the whole schema; what is measured and the names proposed are those of a whole copy; a
// statement that needs a table left out gets the whole copy.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ext/core/connection.h"
#include "ext/core/foreign_keys.h"
#include "ext/core/testing.h"
#include "ext/indexes/advise_engine.h"
#include "ext/indexes/advise_options.h"
#include "ext/indexes/index_names.h"
#include "ext/indexes/lint.h"
#include "ext/indexes/scratch.h"
#include "ext/indexes/scratch_schema.h"
#include "ext/indexes/scratch_scope.h"
#include "ext/indexes/workload.h"
#include "gtest/gtest.h"

namespace doctor::indexes {
namespace {

class ScopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    connection_ = Connection::Find(db_.get());
    ASSERT_NE(connection_, nullptr);
  }
  // t0 .. t{n-1}, each t{i} a child of t{i-1}, as the schema; `rows` rows in t5.
  void Chain(int n, int rows) {
    std::string ddl = "BEGIN; CREATE TABLE t0(id INTEGER PRIMARY KEY, name TEXT, kind INTEGER, "
                      "created_at INTEGER, parent_id INTEGER);";
    for (int i = 1; i < n; ++i) {
      absl::StrAppend(&ddl, "CREATE TABLE t", i, "(id INTEGER PRIMARY KEY, name TEXT, kind "
                      "INTEGER, created_at INTEGER, parent_id INTEGER REFERENCES t", i - 1,
                      "(id));");
    }
    absl::StrAppend(&ddl, "WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE "
                    "v < ", rows, ") INSERT INTO t5(name, kind, created_at) SELECT 'n' || v, "
                    "v % 10, v % 1000 FROM n; COMMIT;");
    db_.Exec(ddl);
  }
  std::unique_ptr<Scratch> Build(const std::vector<std::string>& workload, bool whole = false,
                                 int64_t sample_rows = 20000,
                                 const std::set<std::string>& leave_out = {}) {
    ScratchOptions so;
    so.workload = workload;
    so.whole_schema = whole;
    so.sample_rows = sample_rows;
    so.scope_leaves_out = leave_out;
    auto s = Scratch::Build(*connection_, so);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *std::move(s) : nullptr;
  }
  std::set<std::string> Scope(const std::string& sql) {
    auto objects = ReadSchemaObjects(*connection_);
    auto keys = ForeignKeysOfSchema(*connection_, "main");
    EXPECT_TRUE(objects.ok() && keys.ok());
    CopyScope scope = ScopeOf(*objects, *keys, {sql});
    if (scope.whole) return {"(whole)"};
    return scope.names;
  }
  testing::Db db_;
  Connection* connection_ = nullptr;
};

// Before, the copy held every table: a one-table workload on a schema of 3,000 tables spent
// 0.6 s creating them (time quadratic in the tables). It holds the table and the foreign-key
// parent and child that a write of it would check.
TEST_F(ScopeTest, AOneTableWorkloadCopiesTheTablesItReachesNotTheSchema) {
  Chain(300, 500);
  auto s = Build({"SELECT * FROM t5 WHERE created_at = 5",
                  "SELECT * FROM t5 WHERE kind = 3 AND name = 'x'"});
  ASSERT_NE(s, nullptr);
  std::set<std::string> copied;
  for (const TableInfo& t : s->tables()) copied.insert(t.name);
  EXPECT_EQ(copied, (std::set<std::string>{"t4", "t5", "t6"}));
  EXPECT_TRUE(s->scoped());
  ASSERT_NE(s->FindTable("t5"), nullptr);
  EXPECT_EQ(s->FindTable("t5")->sample_rows, 500);
}

// The share sampled is counted over every table's rows, copied or not: the same rows of t5 as
// a whole copy samples, so the same costs.
TEST_F(ScopeTest, TheSampleIsTheOneAWholeCopyTakes) {
  Chain(40, 2000);
  db_.Exec("INSERT INTO t30(name) SELECT name FROM t5 LIMIT 1500");
  auto scoped = Build({"SELECT * FROM t5 WHERE kind = 3"}, false, 1000);
  auto whole = Build({"SELECT * FROM t5 WHERE kind = 3"}, true, 1000);
  ASSERT_TRUE(scoped != nullptr && whole != nullptr);
  EXPECT_EQ(scoped->tables().size(), 3u);
  EXPECT_EQ(whole->tables().size(), 40u);
  EXPECT_EQ(scoped->FindTable("t5")->sample_rows, 572);  // 1000 of 3500 rows: 2/7 of t5's 2000
  EXPECT_EQ(whole->FindTable("t5")->sample_rows, scoped->FindTable("t5")->sample_rows);
  const std::string sql = "SELECT count(*), sum(kind) FROM t5 WHERE kind = 3";
  EXPECT_EQ(scoped->Run(sql, {}).steps, whole->Run(sql, {}).steps);
}

// An insert into an AUTOINCREMENT table reads sqlite_sequence up to the table's row: the copy
// has a row there for every such table with rows, copied or not, in the whole copy's order, so
// the insert costs the same VM steps.
TEST_F(ScopeTest, AnAutoincrementInsertCostsWhatItCostsOnAWholeCopy) {
  std::string ddl = "BEGIN;";
  for (const char* t : {"a1", "a2", "a3", "m", "z1", "z2"}) {
    absl::StrAppend(&ddl, "CREATE TABLE ", t, "(id INTEGER PRIMARY KEY AUTOINCREMENT, v); INSERT "
                    "INTO ", t, "(v) VALUES (1), (2);");
  }
  db_.Exec(absl::StrCat(ddl, "COMMIT;"));
  const std::string insert = "INSERT INTO m(v) VALUES (3)";
  auto scoped = Build({insert});
  auto whole = Build({insert}, true);
  ASSERT_TRUE(scoped != nullptr && whole != nullptr);
  EXPECT_EQ(scoped->tables().size(), 1u);
  EXPECT_EQ(scoped->Run(insert, {}).steps, whole->Run(insert, {}).steps);
  const std::string empty = "INSERT INTO e(v) VALUES (3)";  // no row of its own: reads them all
  db_.Exec("CREATE TABLE e(id INTEGER PRIMARY KEY AUTOINCREMENT, v)");
  scoped = Build({empty});
  whole = Build({empty}, true);
  ASSERT_TRUE(scoped != nullptr && whole != nullptr);
  EXPECT_EQ(scoped->tables().size(), 1u);
  EXPECT_EQ(scoped->Run(empty, {}).steps, whole->Run(empty, {}).steps);
}

// The names proposed stay unique over the whole schema: an index on a table left out, or a
// table left out, that has the name the advisor would give is not given again.
TEST_F(ScopeTest, IndexNamesAreUniqueOverTablesLeftOut) {
  Chain(30, 300);
  db_.Exec("CREATE INDEX idx_t5_created_at ON t20(kind); CREATE TABLE idx_t5_kind(x);");
  auto s = Build({"SELECT * FROM t5 WHERE created_at = 5 OR kind = 2"});
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->FindTable("t20"), nullptr);
  ASSERT_EQ(s->FindTable("idx_t5_kind"), nullptr);
  const IndexNamer namer = s->Namer();
  IndexDef created{"t5", {{"created_at"}}, "", false, ""};
  IndexDef kind{"t5", {{"kind"}}, "", false, ""};
  EXPECT_NE(namer.NameFor(created), "idx_t5_created_at");
  EXPECT_NE(namer.NameFor(kind), "idx_t5_kind");
  EXPECT_EQ(namer.NameFor(IndexDef{"t5", {{"name"}}, "", false, ""}), "idx_t5_name");
  // Through index_advise: its CREATE INDEX runs on the user's database.
  auto advice = db_.Rows(
      "SELECT index_sql FROM index_advise('SELECT * FROM t5 WHERE created_at = 5')");
  ASSERT_FALSE(advice.empty());
  for (const auto& row : advice) {
    EXPECT_EQ(row[0].find("idx_t5_created_at "), std::string::npos) << row[0];
    db_.Exec(row[0]);
  }
}

// A statement that does not prepare for want of a table the scope left out gets the whole copy
// (here the parent its insert checks, left out on purpose); one that fails on a whole copy too
// keeps the scoped one.
TEST_F(ScopeTest, AStatementThatNeedsATableLeftOutGetsTheWholeCopy) {
  Chain(30, 100);
  const std::string insert = "INSERT INTO t5(parent_id) VALUES (NULL)";
  auto fine = Build({insert});
  ASSERT_NE(fine, nullptr);
  EXPECT_EQ(fine->tables().size(), 3u);
  auto fallback = Build({insert}, false, 20000, {"t4"});
  ASSERT_NE(fallback, nullptr);
  EXPECT_EQ(fallback->tables().size(), 30u);
  EXPECT_FALSE(fallback->scoped());
  EXPECT_EQ(fallback->Run(insert, {}).error, "");
  // No such table anywhere (nor a syntax error): not the scope's doing.
  auto failing = Build({"SELECT * FROM t5 JOIN nosuch USING (id)", "SELEC 1"});
  ASSERT_NE(failing, nullptr);
  EXPECT_EQ(failing->tables().size(), 3u);
  // A statement after one the copy cannot have (a temp table's: the loader skips it and goes
  // on) is checked too.
  db_.Exec("CREATE TEMP TABLE tt(x)");
  auto after = Build({"SELECT * FROM tt; SELECT * FROM t9 JOIN t5 USING (id)"}, false, 20000,
                     {"t9"});
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after->tables().size(), 30u);
}

// A statement that prepares on the copy but fails as it runs for want of a table left out (an
// fts5 table reads its external content table only then) gets the whole copy too: the advice
// measures it.
TEST_F(ScopeTest, AStatementThatFailsAsItRunsForWantOfATableGetsTheWholeCopy) {
  Chain(30, 10);
  db_.Exec("CREATE TABLE docs(id INTEGER PRIMARY KEY, body TEXT);"
           "CREATE VIRTUAL TABLE f USING fts5(body, content='docs', content_rowid='id');"
           "INSERT INTO docs(body) VALUES ('hello world'), ('bye');"
           "INSERT INTO f(f) VALUES ('rebuild');");
  const std::vector<InputStatement> workload = {{"SELECT * FROM f WHERE f MATCH 'hello'"}};
  AdviseOptions options;
  auto advice = Advise(*connection_, workload, options);
  ASSERT_TRUE(advice.ok()) << advice.status();
  ASSERT_EQ(advice->statements.size(), 1u);
  EXPECT_EQ(advice->statements[0].error, "");
  options.scope_leaves_out = {"docs"};
  advice = Advise(*connection_, workload, options);
  ASSERT_TRUE(advice.ok()) << advice.status();
  ASSERT_EQ(advice->statements.size(), 1u);
  EXPECT_EQ(advice->statements[0].error, "");
  EXPECT_GT(advice->statements[0].cost_before, 0);
}

TEST_F(ScopeTest, WhatAWriteReachesThroughKeysTriggersAndViews) {
  db_.Exec("CREATE TABLE a(id INTEGER PRIMARY KEY, g REFERENCES g);"
           "CREATE TABLE g(id INTEGER PRIMARY KEY, gg REFERENCES gg);"
           "CREATE TABLE gg(id INTEGER PRIMARY KEY);"
           "CREATE TABLE b(id INTEGER PRIMARY KEY, a_id REFERENCES a ON DELETE CASCADE);"
           "CREATE TABLE c(id INTEGER PRIMARY KEY, b_id REFERENCES b);"
           "CREATE TABLE d(id INTEGER PRIMARY KEY, c_id REFERENCES c);"
           "CREATE TABLE log(x); CREATE TABLE audit(x); CREATE TABLE other(x);"
           "CREATE TRIGGER a_log AFTER DELETE ON a BEGIN INSERT INTO log VALUES (old.id); END;"
           "CREATE TRIGGER g_audit AFTER DELETE ON g BEGIN INSERT INTO audit VALUES (1); END;"
           "CREATE VIEW v AS SELECT * FROM c JOIN \"other\" ON 1;"
           "CREATE VIEW w AS SELECT * FROM v;");
  // a's children b (cascade: written, so its child c too), not c's child d; a's parent g, not
  // g's parent gg nor g's trigger (g is only read); a's trigger's table log.
  EXPECT_EQ(Scope("DELETE FROM a WHERE id = 1"),
            (std::set<std::string>{"a", "b", "c", "g", "log"}));
  // A view's tables, through another view (read only: not c's keys).
  EXPECT_EQ(Scope("SELECT * FROM w"), (std::set<std::string>{"w", "v", "c", "other"}));
  // A name in a string or a quoted name counts (gg with its child g).
  EXPECT_EQ(Scope("SELECT 'gg', \"audit\" FROM x"), (std::set<std::string>{"gg", "g", "audit"}));
  // What reads the schema itself: the whole copy.
  EXPECT_EQ(Scope("SELECT * FROM a, sqlite_schema"), (std::set<std::string>{"(whole)"}));
  EXPECT_EQ(Scope("SELECT * FROM pragma_table_info('a')"), (std::set<std::string>{"(whole)"}));
}

// index_lint copied every table too: 61 s of its 77 s on a schema of 20,000 tables (doctor_report
// then had no index findings). It copies the tables with indexes to judge and what they reach;
// the foreign keys without an index are found on every table all the same, with their row counts.
TEST_F(ScopeTest, LintCopiesTheTablesWithIndexesNotTheSchema) {
  Chain(300, 500);
  db_.Exec("CREATE INDEX t5_kind ON t5(kind); CREATE INDEX t5_kind_name ON t5(kind, name)");
  size_t copied = 0;
  auto findings = Lint(*connection_, &copied);
  ASSERT_TRUE(findings.ok()) << findings.status();
  EXPECT_LE(copied, 3u) << "t5 and the parent and child a write of it checks";
  int fk = 0;
  std::string t5, prefix;
  for (const LintFinding& f : *findings) {
    if (f.kind == "fk_without_index") ++fk;
    if (f.kind == "fk_without_index" && f.table == "t5") t5 = f.finding;
    if (f.kind == "prefix") prefix = f.index + " " + f.covered_by;
  }
  EXPECT_EQ(fk, 299) << "t1 .. t299, copied or not";
  EXPECT_NE(t5.find("scans 500 rows of t5"), std::string::npos) << t5;
  EXPECT_EQ(prefix, "t5_kind t5_kind_name");
}

}  // namespace
}  // namespace doctor::indexes
