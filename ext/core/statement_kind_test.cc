#include "ext/core/statement_kind.h"

#include "ext/core/sql_normalize.h"

#include "gtest/gtest.h"

namespace doctor {
namespace {

TEST(StatementKindTest, CommentsAndBlanksBeforeTheKeywordAreSkipped) {
  EXPECT_EQ(KindOfStatement("-- note\nSELECT * FROM projects"), StatementKind::kSelect);
  EXPECT_EQ(KindOfStatement("/* c */ SELECT 1"), StatementKind::kSelect);
  EXPECT_EQ(KindOfStatement("  \n\t;; update t set a = 1"), StatementKind::kUpdate);
  EXPECT_EQ(FirstKeyword("/* a */ -- b\n delete from t"), "DELETE");
}

TEST(StatementKindTest, WithIsLookedThrough) {
  EXPECT_EQ(KindOfStatement("WITH x AS (SELECT 1) SELECT * FROM x"), StatementKind::kSelect);
  EXPECT_EQ(KindOfStatement("WITH x(a) AS (SELECT 1) DELETE FROM t WHERE a IN x"),
            StatementKind::kDelete);
  EXPECT_EQ(KindOfStatement("with recursive c(n) as (values(1) union all select n+1 from c) "
                            "insert into t select n from c"),
            StatementKind::kInsert);
}

TEST(StatementKindTest, EveryKind) {
  EXPECT_EQ(KindOfStatement(""), StatementKind::kEmpty);
  EXPECT_EQ(KindOfStatement("-- only a comment"), StatementKind::kEmpty);
  EXPECT_EQ(KindOfStatement("VALUES (1)"), StatementKind::kValues);
  EXPECT_EQ(KindOfStatement("replace into t values (1)"), StatementKind::kReplace);
  EXPECT_EQ(KindOfStatement("CREATE INDEX i ON t(a)"), StatementKind::kCreate);
  EXPECT_EQ(KindOfStatement("DROP TABLE t"), StatementKind::kDrop);
  EXPECT_EQ(KindOfStatement("ALTER TABLE t ADD b"), StatementKind::kAlter);
  EXPECT_EQ(KindOfStatement("PRAGMA foreign_keys"), StatementKind::kPragma);
  EXPECT_EQ(KindOfStatement("BEGIN IMMEDIATE"), StatementKind::kBegin);
  EXPECT_EQ(KindOfStatement("END"), StatementKind::kCommit);
  EXPECT_EQ(KindOfStatement("ROLLBACK TO sp1"), StatementKind::kRollback);
  EXPECT_EQ(KindOfStatement("SAVEPOINT sp1"), StatementKind::kSavepoint);
  EXPECT_EQ(KindOfStatement("RELEASE sp1"), StatementKind::kRelease);
  EXPECT_EQ(KindOfStatement("ANALYZE"), StatementKind::kAnalyze);
  EXPECT_EQ(KindOfStatement("VACUUM"), StatementKind::kVacuum);
  EXPECT_EQ(KindOfStatement("ATTACH 'x' AS y"), StatementKind::kAttach);
  EXPECT_EQ(KindOfStatement("DETACH y"), StatementKind::kDetach);
  EXPECT_EQ(KindOfStatement("REINDEX"), StatementKind::kReindex);
  EXPECT_EQ(KindOfStatement("EXPLAIN SELECT 1"), StatementKind::kExplain);
  EXPECT_EQ(KindOfStatement("'not sql'"), StatementKind::kOther);
  EXPECT_EQ(KindOfStatement("selectx 1"), StatementKind::kOther);
}

TEST(StatementKindTest, Groups) {
  EXPECT_TRUE(IsAdvisable(StatementKind::kSelect));
  EXPECT_TRUE(IsAdvisable(StatementKind::kDelete));
  EXPECT_FALSE(IsAdvisable(StatementKind::kCreate));
  EXPECT_TRUE(IsQuery(StatementKind::kValues));
  EXPECT_FALSE(IsQuery(StatementKind::kInsert));
  EXPECT_TRUE(IsWrite(StatementKind::kReplace));
  EXPECT_TRUE(IsTransactionControl(StatementKind::kRelease));
  EXPECT_FALSE(IsTransactionControl(StatementKind::kPragma));
}

TEST(BusyTimeoutPragmaValueTest, SetsAreReadAndEverythingElseIsNot) {
  EXPECT_EQ(BusyTimeoutPragmaValue("PRAGMA busy_timeout = 2000"), 2000);
  EXPECT_EQ(BusyTimeoutPragmaValue("pragma main.BUSY_TIMEOUT=5000;"), 5000);
  EXPECT_EQ(BusyTimeoutPragmaValue("/* pool */ PRAGMA busy_timeout(300)"), 300);
  EXPECT_EQ(BusyTimeoutPragmaValue("PRAGMA busy_timeout = -1"), -1);
  EXPECT_EQ(BusyTimeoutPragmaValue("PRAGMA busy_timeout = 0"), 0);
  EXPECT_EQ(BusyTimeoutPragmaValue("PRAGMA busy_timeout"), std::nullopt);
  EXPECT_EQ(BusyTimeoutPragmaValue("PRAGMA busy_timeout = ?"), std::nullopt);
  EXPECT_EQ(BusyTimeoutPragmaValue("PRAGMA journal_mode = 100"), std::nullopt);
  EXPECT_EQ(BusyTimeoutPragmaValue("PRAGMA busy_timeout = 10; SELECT 1"), std::nullopt);
  EXPECT_EQ(BusyTimeoutPragmaValue("SELECT 'PRAGMA busy_timeout = 1'"), std::nullopt);
  EXPECT_EQ(BusyTimeoutPragmaValue("PRAGMA busy_timeout = 99999999999999999999"), std::nullopt);
}

// SQLite's tokenizer takes a UTF-8 byte-order mark for a space (tokenize.c, CC_BOM), so a
// workload file saved with one runs; ours read "\xEF\xBB\xBF" as a word, and index_advise of
// such a file skipped every statement and answered nothing, with no error.
TEST(StatementKindTest, AByteOrderMarkIsASpaceAsInSqlite) {
  EXPECT_EQ(KindOfStatement("\xEF\xBB\xBF-- saved by an editor\r\nSELECT * FROM t"),
            StatementKind::kSelect);
  EXPECT_EQ(KindOfStatement("\xEF\xBB\xBFSELECT 1"), StatementKind::kSelect);
  EXPECT_EQ(FirstKeyword("\xEF\xBB\xBFupdate t set a = 1"), "UPDATE");
  EXPECT_EQ(KindOfStatement("\xEF\xBB\xBF"), StatementKind::kEmpty);
  EXPECT_EQ(NormalizeSql("\xEF\xBB\xBFSELECT * FROM t WHERE a = 1"),
            NormalizeSql("SELECT * FROM t WHERE a = 1"));
}

}  // namespace
}  // namespace doctor
