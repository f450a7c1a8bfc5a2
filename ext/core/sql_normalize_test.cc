#include "ext/core/sql_normalize.h"

#include <random>
#include <string>

#include "gtest/gtest.h"

namespace doctor {
namespace {

// Published FNV-1a 64 test vectors (Fowler/Noll/Vo test suite, fnv_test.c).
TEST(Fnv1a64, PublishedVectors) {
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(Fnv1a64("b"), 0xaf63df4c8601f1a5ULL);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

TEST(QueryId, IsFnvOfNormalizedTextAsSigned) {
  EXPECT_EQ(QueryId("a"), static_cast<int64_t>(0xaf63dc4c8601ec8cULL));
  EXPECT_EQ(QueryId(NormalizeSql("select 1")), QueryId(NormalizeSql("SELECT   2 -- x")));
  EXPECT_NE(QueryId(NormalizeSql("select a from t")), QueryId(NormalizeSql("select b from t")));
}

TEST(Tokenize, Kinds) {
  auto t = TokenizeSql("SELECT 'it''s', x'AB', \"q\"\"n\", [b], `c`, 1.5e3, :p -- c\n/* d */");
  std::vector<TokenKind> kinds;
  for (const Token& tok : t) {
    if (tok.kind != TokenKind::kSpace) kinds.push_back(tok.kind);
  }
  std::vector<TokenKind> want = {
      TokenKind::kWord,       TokenKind::kString,    TokenKind::kOperator, TokenKind::kBlob,
      TokenKind::kOperator,   TokenKind::kQuotedName, TokenKind::kOperator, TokenKind::kQuotedName,
      TokenKind::kOperator,   TokenKind::kQuotedName, TokenKind::kOperator, TokenKind::kNumber,
      TokenKind::kOperator,   TokenKind::kParameter, TokenKind::kComment,  TokenKind::kComment};
  EXPECT_EQ(kinds, want);
}

TEST(Tokenize, UnterminatedRunsToEnd) {
  for (const char* sql : {"'abc", "\"abc", "[abc", "/* abc", "x'ab", "`ab"}) {
    auto t = TokenizeSql(sql);
    ASSERT_EQ(t.size(), 1u) << sql;
    EXPECT_EQ(t[0].text, sql);
  }
}

TEST(Tokenize, UnquoteSql) {
  EXPECT_EQ(UnquoteSql("\"a\"\"b\""), "a\"b");
  EXPECT_EQ(UnquoteSql("`a``b`"), "a`b");
  EXPECT_EQ(UnquoteSql("[a\"b]"), "a\"b");
  EXPECT_EQ(UnquoteSql("'it''s'"), "it's");
  EXPECT_EQ(UnquoteSql("\"open"), "open") << "unterminated: the rest of the input";
  EXPECT_EQ(UnquoteSql(""), "");
}

TEST(Keywords, Lookup) {
  EXPECT_TRUE(IsSqlKeyword("select"));
  EXPECT_TRUE(IsSqlKeyword("Current_Timestamp"));
  EXPECT_TRUE(IsSqlKeyword("true"));
  EXPECT_FALSE(IsSqlKeyword("users"));
  EXPECT_FALSE(IsSqlKeyword(""));
  EXPECT_FALSE(IsSqlKeyword("a_very_long_name_beyond_keywords"));
}

struct Case {
  const char* sql;
  const char* want;
};

class Normalize : public ::testing::TestWithParam<Case> {};

TEST_P(Normalize, Shape) { EXPECT_EQ(NormalizeSql(GetParam().sql), GetParam().want); }

INSTANTIATE_TEST_SUITE_P(
    Tricky, Normalize,
    ::testing::Values(
        // literals, whitespace, comments, keyword case
        Case{"select * from t where id = 42", "SELECT * FROM t WHERE id = ?"},
        Case{"SELECT  *\n\tFROM t -- trailing\nWHERE id=1.5e3", "SELECT * FROM t WHERE id = ?"},
        Case{"select /* inline */ a,b from t;", "SELECT a, b FROM t"},
        Case{"select 0x1F, .5, 1_000, 1e-3", "SELECT ?, ?, ?, ?"},
        // strings with quotes and ?, blobs
        Case{"select 'it''s ? -- not a comment' from t", "SELECT ? FROM t"},
        Case{"insert into b values (x'DEADbeef', X'')", "INSERT INTO b VALUES (?, ?)"},
        Case{"select 'a;b'; select 2", "SELECT ?; SELECT ?"},
        // negative numbers: unary folded, binary kept
        Case{"select * from t where a = -5 and b > +3", "SELECT * FROM t WHERE a = ? AND b > ?"},
        Case{"select a - 5, a-5, (-5), -a from t", "SELECT a - ?, a - ?, (?), - a FROM t"},
        Case{"select f(-1, - 2), x in (-1)", "SELECT f(?, ?), x IN (?+)"},
        Case{"select case when a then -1 else -2 end - 3", "SELECT CASE WHEN a THEN ? ELSE ? END - ?"},
        // parameters of every form
        Case{"select * from t where a = ? and b = ?12 and c = :c and d = @d and e = $e",
             "SELECT * FROM t WHERE a = ? AND b = ? AND c = ? AND d = ? AND e = ?"},
        Case{"select $a::b(x), :x1", "SELECT ?, ?"},
        // IN lists folded whatever their length
        Case{"select * from t where id in (1,2,3)", "SELECT * FROM t WHERE id IN (?+)"},
        Case{"select * from t where id IN ( 7 )", "SELECT * FROM t WHERE id IN (?+)"},
        Case{"select * from t where id in (?, :a, 'x')", "SELECT * FROM t WHERE id IN (?+)"},
        Case{"select * from t where id in (1, a)", "SELECT * FROM t WHERE id IN (?, a)"},
        Case{"select * from t where id in (select id from u where k = 1)",
             "SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE k = ?)"},
        Case{"select * from t where (a, b) in (values (1, 2))",
             "SELECT * FROM t WHERE (a, b) IN (VALUES (?, ?))"},
        Case{"select f(1, 2)", "SELECT f(?, ?)"},
        // multi-row VALUES folded
        Case{"insert into t(a,b) values (1,'x'),(2,'y'),(3,'z')",
             "INSERT INTO t(a, b) VALUES (?, ?)+"},
        Case{"insert into t(a,b) values (1,'x'),(2,'y')", "INSERT INTO t(a, b) VALUES (?, ?)+"},
        Case{"insert into t(a) values (1)", "INSERT INTO t(a) VALUES (?)"},
        Case{"insert into t(a,b) values (1, 2), (3, lower('x'))",
             "INSERT INTO t(a, b) VALUES (?, ?), (?, lower(?))"},
        // keywords used as names
        Case{"select t.key, t.\"order\", x as order from t", "SELECT t.key, t.\"order\", x AS order FROM t"},
        Case{"select key, value from json_each('[1]')", "SELECT KEY, value FROM json_each(?)"},
        Case{"SELECT [select] FROM `from` WHERE \"where\" = 1",
             "SELECT \"select\" FROM \"from\" WHERE \"where\" = ?"},
        Case{"select replace(name, 'a', 'b'), cast(x as integer) from t",
             "SELECT REPLACE(name, ?, ?), CAST(x AS integer) FROM t"},
        // CTEs
        Case{"with recursive c(x) as (select 1 union all select x+1 from c where x<10) "
             "select count(*) from c",
             "WITH RECURSIVE c(x) AS (SELECT ? UNION ALL SELECT x + ? FROM c WHERE x < ?) "
             "SELECT count(*) FROM c"},
        // UPSERT
        Case{"insert into kv(k, v) values ('a', 1) on conflict(k) do update set v = v + 1 "
             "where excluded.v > 0",
             "INSERT INTO kv(k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = v + ? "
             "WHERE excluded.v > ?"},
        // multi-statement text, empty statements
        Case{"begin; update t set a = 1 where id = 2;; commit;",
             "BEGIN; UPDATE t SET a = ? WHERE id = ?; COMMIT"},
        Case{"", ""}, Case{"  -- only a comment\n", ""}, Case{";;", ""},
        // operators and NULL/TRUE kept
        Case{"select a||'x', b->>'$.k', c is not null, d = true from t",
             "SELECT a || ?, b ->> ?, c IS NOT NULL, d = TRUE FROM t"},
        Case{"SELECT * FROM \"users\" WHERE \"users\".\"id\" = ? LIMIT 10 OFFSET 20",
             "SELECT * FROM users WHERE users.id = ? LIMIT ? OFFSET ?"}));

// Issue 15 item 6, adapted from pg_stat_statements' regression tests (select.sql, utility.sql):
// what SQLite runs as one statement is one shape; what it runs differently stays apart.
INSTANTIATE_TEST_SUITE_P(
    Grouping, Normalize,
    ::testing::Values(
        // ORDER BY / GROUP BY positions name result columns: kept.
        Case{"SELECT a, b FROM t ORDER BY 1", "SELECT a, b FROM t ORDER BY 1"},
        Case{"SELECT a, b FROM t ORDER BY 2 DESC, 1 LIMIT 5",
             "SELECT a, b FROM t ORDER BY 2 DESC, 1 LIMIT ?"},
        Case{"SELECT a, count(*) FROM t GROUP BY 1 HAVING count(*) > 2 ORDER BY 2",
             "SELECT a, count(*) FROM t GROUP BY 1 HAVING count(*) > ? ORDER BY 2"},
        Case{"SELECT * FROM (SELECT a FROM t ORDER BY 1) WHERE a = 3",
             "SELECT * FROM (SELECT a FROM t ORDER BY 1) WHERE a = ?"},
        // ... but expressions, LIMIT/OFFSET values and function arguments are values.
        Case{"SELECT a FROM t ORDER BY a + 1", "SELECT a FROM t ORDER BY a + ?"},
        Case{"SELECT a FROM t ORDER BY 1 + 0", "SELECT a FROM t ORDER BY ? + ?"},
        Case{"SELECT a FROM t ORDER BY coalesce(a, 2) LIMIT 5, 10",
             "SELECT a FROM t ORDER BY coalesce(a, ?) LIMIT ?, ?"},
        Case{"SELECT a FROM t ORDER BY a LIMIT 3", "SELECT a FROM t ORDER BY a LIMIT ?"},
        // Savepoint names (ORMs generate one per nesting level).
        Case{"SAVEPOINT sp_17", "SAVEPOINT ?"},
        Case{"release savepoint \"sp 17\"", "RELEASE ?"},
        Case{"RELEASE sp_17", "RELEASE ?"},
        Case{"ROLLBACK TRANSACTION TO SAVEPOINT sp_17", "ROLLBACK TO ?"},
        Case{"rollback to sp_3", "ROLLBACK TO ?"},
        // One transaction statement, many spellings; the three modes stay apart.
        Case{"begin", "BEGIN"},
        Case{"BEGIN TRANSACTION", "BEGIN"},
        Case{"BEGIN DEFERRED TRANSACTION tx", "BEGIN"},
        Case{"BEGIN IMMEDIATE", "BEGIN IMMEDIATE"},
        Case{"begin immediate transaction", "BEGIN IMMEDIATE"},
        Case{"BEGIN EXCLUSIVE", "BEGIN EXCLUSIVE"},
        Case{"END", "COMMIT"},
        Case{"end transaction", "COMMIT"},
        Case{"COMMIT TRANSACTION", "COMMIT"},
        Case{"ROLLBACK TRANSACTION", "ROLLBACK"},
        // Not the grammar: left alone.
        Case{"BEGIN IMMEDIATE EXCLUSIVE", "BEGIN IMMEDIATE EXCLUSIVE"},
        Case{"SAVEPOINT", "SAVEPOINT"},
        // Identifier quoting and ASCII case, as SQLite resolves names.
        Case{"SELECT Name FROM Users WHERE ID = 1", "SELECT name FROM users WHERE id = ?"},
        Case{"SELECT \"name\" FROM \"users\" WHERE \"id\" = 1",
             "SELECT name FROM users WHERE id = ?"},
        Case{"SELECT `name` FROM [users] WHERE `users`.[id] = 1",
             "SELECT name FROM users WHERE users.id = ?"},
        Case{"SELECT COUNT(*) FROM t", "SELECT count(*) FROM t"},
        Case{"SELECT \"First Name\", \"a\"\"b\" FROM t",
             "SELECT \"first name\", \"a\"\"b\" FROM t"},
        Case{"SELECT \"order\" FROM t", "SELECT \"order\" FROM t"},
        // Non-ASCII letters are not folded by SQLite: neither here.
        Case{"SELECT \xc3\x89t\xc3\xa9 FROM t", "SELECT \xc3\x89t\xc3\xa9 FROM t"}));

TEST(Normalize, SameShapeSameId) {
  const char* variants[] = {
      "SELECT name FROM users WHERE id = 1",
      "select name from users where id=2",
      "SELECT name\nFROM users /* hot */ WHERE id = :id",
      "  SeLeCt name FROM users WHERE id = ?7;",
  };
  std::string first = NormalizeSql(variants[0]);
  for (const char* v : variants) EXPECT_EQ(NormalizeSql(v), first) << v;
}

TEST(Normalize, IsIdempotentOnItsOutputForValidShapes) {
  for (const char* sql : {"select a, b from t where x = 1 and y in (select z from u)",
                          "update t set a = a + 1 where id = ?"}) {
    std::string once = NormalizeSql(sql);
    EXPECT_EQ(NormalizeSql(once), once);
  }
}

// Pathological text stays linear: a 4 MB run of "VALUES(" (unbalanced) and of "IN (1, " lists.
TEST(RunnableShape, UnfoldsListsAndKeepsEverythingElse) {
  EXPECT_EQ(RunnableShape(NormalizeSql("SELECT * FROM t WHERE id IN (1, 2, 3) AND a = 4")),
            "SELECT * FROM t WHERE id IN (?) AND a = ?");
  EXPECT_EQ(RunnableShape(NormalizeSql("INSERT INTO t VALUES (1, 'a'), (2, 'b')")),
            "INSERT INTO t VALUES (?, ?)");
  // A binary plus, after a parameter or a parenthesis, is arithmetic and stays.
  EXPECT_EQ(RunnableShape(NormalizeSql("SELECT (a) + 1, ? + b FROM t")),
            "SELECT (a) + ?, ? + b FROM t");
  EXPECT_EQ(RunnableShape("SELECT 1"), "SELECT 1");
}

TEST(RunnableQuery, PrefersTheExample) {
  EXPECT_EQ(RunnableQuery("SELECT * FROM t WHERE id IN (?+)", "SELECT * FROM t WHERE id IN (7)"),
            "SELECT * FROM t WHERE id IN (7)");
  EXPECT_EQ(RunnableQuery("SELECT * FROM t WHERE id IN (?+)", ""),
            "SELECT * FROM t WHERE id IN (?)");
}

TEST(Normalize, LargeAdversarialInputIsFast) {
  std::string values, in_list = "SELECT 1 WHERE a IN (";
  for (int i = 0; i < 600000; ++i) values += "VALUES(";
  for (int i = 0; i < 600000; ++i) in_list += "1, ";
  in_list += "2)";
  EXPECT_EQ(NormalizeSql(values).substr(0, 15), "VALUES (VALUES ");
  EXPECT_EQ(NormalizeSql(in_list), "SELECT ? WHERE a IN (?+)");
}

// A bounded random search in-process (the libFuzzer target in sql_normalize_fuzz.cc does the same
// check without bounds): never crashes and never grows the text beyond a small factor.
TEST(Normalize, RandomBytesNeverCrash) {
  std::mt19937 rng(12345);
  const std::string alphabet = "SELECTselect ()'\"[]`x?:@$-+*/;,.0123456789eE_\n\t\x80\xff=<>|";
  for (int round = 0; round < 3000; ++round) {
    std::string sql;
    int len = rng() % 64;
    for (int i = 0; i < len; ++i) sql.push_back(alphabet[rng() % alphabet.size()]);
    std::string out = NormalizeSql(sql);
    EXPECT_LE(out.size(), 3 * sql.size() + 8) << sql;
  }
}

}  // namespace
}  // namespace doctor
