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

TEST(QueryId, IsTheLow53BitsOfFnvOfTheNormalizedText) {
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(QueryId("a"), static_cast<int64_t>(0xaf63dc4c8601ec8cULL & ((1ULL << 53) - 1)));
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

// A fix names the schema of what it acts on, quoted, and the object as a person writes it.
TEST(Identifiers, QualifiedIdentifierQuotesTheSchemaAndKeepsTheNameReadable) {
  EXPECT_EQ(QualifiedIdentifier("main", "t_a"), "\"main\".t_a");
  EXPECT_EQ(QualifiedIdentifier("my \"db\"", "select"), "\"my \"\"db\"\"\".\"select\"");
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
        Case{"select f(-1, - 2), x in (-1)", "SELECT f(?, ?), x IN (?)"},
        Case{"select case when a then -1 else -2 end - 3", "SELECT CASE WHEN a THEN ? ELSE ? END - ?"},
        // parameters of every form
        Case{"select * from t where a = ? and b = ?12 and c = :c and d = @d and e = $e",
             "SELECT * FROM t WHERE a = ? AND b = ? AND c = ? AND d = ? AND e = ?"},
        Case{"select $a::b(x), :x1", "SELECT ?, ?"},
        // IN lists of two or more values folded whatever their length; one value stays
        Case{"select * from t where id in (1,2,3)", "SELECT * FROM t WHERE id IN (?+)"},
        Case{"select * from t where id IN ( 7 )", "SELECT * FROM t WHERE id IN (?)"},
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
        Case{"select key, value from json_each('[1]')", "SELECT key, value FROM json_each(?)"},
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
        // operators kept; NULL/TRUE values, but not after IS/NOT
        Case{"select a||'x', b->>'$.k', c is not null, d = true from t",
             "SELECT a || ?, b ->> '$.k', c IS NOT NULL, d = ? FROM t"},
        Case{"SELECT * FROM \"users\" WHERE \"users\".\"id\" = ? LIMIT 10 OFFSET 20",
             "SELECT * FROM users WHERE users.id = ? LIMIT 10 OFFSET ?"}));

// Issue 15 item 6, adapted from pg_stat_statements' regression tests (select.sql, utility.sql):
// what SQLite runs as one statement is one shape; what it runs differently stays apart.
INSTANTIATE_TEST_SUITE_P(
    Grouping, Normalize,
    ::testing::Values(
        // ORDER BY / GROUP BY positions name result columns: kept.
        Case{"SELECT a, b FROM t ORDER BY 1", "SELECT a, b FROM t ORDER BY 1"},
        Case{"SELECT a, b FROM t ORDER BY 2 DESC, 1 LIMIT 5",
             "SELECT a, b FROM t ORDER BY 2 DESC, 1 LIMIT 5"},
        Case{"SELECT a, count(*) FROM t GROUP BY 1 HAVING count(*) > 2 ORDER BY 2",
             "SELECT a, count(*) FROM t GROUP BY 1 HAVING count(*) > ? ORDER BY 2"},
        Case{"SELECT * FROM (SELECT a FROM t ORDER BY 1) WHERE a = 3",
             "SELECT * FROM (SELECT a FROM t ORDER BY 1) WHERE a = ?"},
        // ... but expressions, OFFSET and function arguments are values (LIMIT counts: NotValues).
        Case{"SELECT a FROM t ORDER BY a + 1", "SELECT a FROM t ORDER BY a + ?"},
        Case{"SELECT a FROM t ORDER BY 1 + 0", "SELECT a FROM t ORDER BY ? + ?"},
        Case{"SELECT a FROM t ORDER BY coalesce(a, 2) LIMIT 5, 10",
             "SELECT a FROM t ORDER BY coalesce(a, ?) LIMIT ?, 10"},
        Case{"SELECT a FROM t ORDER BY a LIMIT 3", "SELECT a FROM t ORDER BY a LIMIT 3"},
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

// Cases adapted from pg_stat_statements' regression tests (select.sql, dml.sql, squashing.sql,
// utility.sql) that the shapes above did not cover; each failed before its fix.
INSTANTIATE_TEST_SUITE_P(
    PgStatStatements, Normalize,
    ::testing::Values(
        // squashing.sql: a single element is not squashed, two or more are, constants of any kind.
        Case{"SELECT * FROM t WHERE id IN (1)", "SELECT * FROM t WHERE id IN (?)"},
        Case{"SELECT * FROM t WHERE id IN (?1)", "SELECT * FROM t WHERE id IN (?)"},
        Case{"SELECT * FROM t WHERE id IN (1, 2)", "SELECT * FROM t WHERE id IN (?+)"},
        Case{"SELECT * FROM t WHERE a IN (-1, 0x10, x'00', NULL, TRUE, 'x')",
             "SELECT * FROM t WHERE a IN (?+)"},
        Case{"SELECT * FROM t WHERE id IN (1 + 1, 2 + 2)", "SELECT * FROM t WHERE id IN (? + ?, ? + ?)"},
        // NULL, TRUE and FALSE are constants (dml.sql: VALUES (0, NULL) = VALUES ($1, $2)) ...
        Case{"INSERT INTO t(a, b) VALUES (4, NULL)", "INSERT INTO t(a, b) VALUES (?, ?)"},
        Case{"UPDATE t SET b = NULL WHERE a = 2", "UPDATE t SET b = ? WHERE a = ?"},
        Case{"SELECT NULL, true, FALSE", "SELECT ?, ?, ?"},
        Case{"SELECT * FROM t WHERE flag = FALSE OR -NULL", "SELECT * FROM t WHERE flag = ? OR ?"},
        // ... but not after IS / NOT, where SQLite reads them as part of the operator.
        Case{"SELECT * FROM t WHERE a IS TRUE AND b IS NOT FALSE AND c IS NULL AND d NOT NULL",
             "SELECT * FROM t WHERE a IS TRUE AND b IS NOT FALSE AND c IS NULL AND d NOT NULL"},
        Case{"SELECT * FROM t WHERE a IS 1", "SELECT * FROM t WHERE a IS ?"},
        // utility.sql: definitions keep their constants; CREATE TABLE AS normalizes its query.
        Case{"create table d(a int default -1, b text check (b <> 'x') not null, c default null)",
             "CREATE TABLE d(a int DEFAULT -1, b text CHECK (b <> 'x') NOT NULL, c DEFAULT NULL)"},
        Case{"CREATE INDEX i ON t(b, (b || 'data1')) WHERE a > 0 AND c IN (1, 2)",
             "CREATE INDEX i ON t(b, (b || 'data1')) WHERE a > 0 AND c IN (1, 2)"},
        Case{"ALTER TABLE t ADD COLUMN c INTEGER DEFAULT 0x10",
             "ALTER TABLE t ADD COLUMN c integer DEFAULT 0x10"},
        Case{"CREATE VIEW v AS SELECT 1 AS a", "CREATE VIEW v AS SELECT 1 AS a"},
        Case{"CREATE TABLE c AS SELECT a AS col1, 2 AS col2 FROM t WHERE a < 5",
             "CREATE TABLE c AS SELECT a AS col1, ? AS col2 FROM t WHERE a < ?"},
        Case{"create temp table c as select 1", "CREATE TEMP TABLE c AS SELECT ?"},
        Case{"Drop Table If Exists tab_stats", "DROP TABLE IF EXISTS tab_stats"},
        // utility.sql's SET statements keep their values; SQLite's are PRAGMAs.
        Case{"pragma cache_size = -2000", "PRAGMA cache_size = -2000"},
        Case{"PRAGMA main.table_info('users')", "PRAGMA main.table_info('users')"},
        Case{"Pragma Journal_Mode = WAL", "PRAGMA journal_mode = wal"},
        // A trigger is one statement: its body's `;` do not split it, its END is not COMMIT.
        Case{"create trigger tr after insert on t for each row when new.a > 5 begin "
             "update t set b = case when new.a > 6 then 1 end where id = new.id; "
             "delete from u where id = 0; end; select 1",
             "CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW WHEN new.a > 5 BEGIN "
             "UPDATE t SET b = CASE WHEN new.a > 6 THEN 1 END WHERE id = new.id; "
             "DELETE FROM u WHERE id = 0; END; SELECT ?"},
        // Keywords SQLite takes as names: shown as names, one shape for every spelling.
        Case{"SELECT key, action, first, last FROM t WHERE key = 'k' AND action = 1",
             "SELECT key, action, first, last FROM t WHERE key = ? AND action = ?"},
        Case{"SELECT \"key\", \"Action\", [first], `last` FROM t WHERE \"key\" = 1 AND \"action\" = 2",
             "SELECT key, action, first, last FROM t WHERE key = ? AND action = ?"},
        Case{"SELECT * FROM t WHERE a BETWEEN first AND last",
             "SELECT * FROM t WHERE a BETWEEN first AND last"},
        Case{"CREATE TRIGGER tr AFTER UPDATE OF key ON t BEGIN SELECT 1; END",
             "CREATE TRIGGER tr AFTER UPDATE OF key ON t BEGIN SELECT 1; END"},
        Case{"SELECT KEY, Action FROM T WHERE Key = ? ORDER BY action DESC",
             "SELECT key, action FROM t WHERE key = ? ORDER BY action DESC"},
        Case{"UPDATE t SET action = 1, key = 2 WHERE \"values\" = 3 RETURNING key",
             "UPDATE t SET action = ?, key = ? WHERE \"values\" = ? RETURNING key"},
        Case{"INSERT INTO t(key, action) VALUES (1, 2) ON CONFLICT(key) DO UPDATE SET action = 3",
             "INSERT INTO t(key, action) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET action = ?"},
        Case{"SELECT t.\"key\", x AS \"action\" FROM t", "SELECT t.key, x AS action FROM t"},
        // ... while the keywords stay keywords.
        Case{"CREATE TABLE kv(key TEXT PRIMARY KEY, action TEXT REFERENCES p(id) ON DELETE NO ACTION)",
             "CREATE TABLE kv(key text PRIMARY KEY, action text REFERENCES p(id) ON DELETE NO ACTION)"},
        Case{"SELECT a, sum(b) OVER (PARTITION BY c ORDER BY a ROWS BETWEEN UNBOUNDED PRECEDING "
             "AND CURRENT ROW) FROM t",
             "SELECT a, sum(b) OVER (PARTITION BY c ORDER BY a ROWS BETWEEN UNBOUNDED PRECEDING "
             "AND CURRENT ROW) FROM t"},
        Case{"select count(*) over (rows 2 preceding) from t",
             "SELECT count(*) OVER (ROWS ? PRECEDING) FROM t"},
        Case{"insert or replace into t values (1)", "INSERT OR REPLACE INTO t VALUES (?)"},
        Case{"update or ignore t set a = 1", "UPDATE OR IGNORE t SET a = ?"},
        Case{"SELECT CASE WHEN a THEN RAISE(ABORT, 'x') END, cast(a AS text), replace(b, 'a', 'b')",
             "SELECT CASE WHEN a THEN RAISE(ABORT, ?) END, CAST(a AS text), REPLACE(b, ?, ?)"},
        Case{"insert into t values (1) on conflict do nothing",
             "INSERT INTO t VALUES (?) ON CONFLICT DO NOTHING"},
        Case{"SELECT * FROM (WITH c AS (SELECT 1) SELECT * FROM c)",
             "SELECT * FROM (WITH c AS (SELECT ?) SELECT * FROM c)"},
        Case{"WITH c AS MATERIALIZED (SELECT 1) SELECT * FROM c ORDER BY 1 NULLS FIRST",
             "WITH c AS MATERIALIZED (SELECT ?) SELECT * FROM c ORDER BY 1 NULLS FIRST"},
        Case{"SELECT * FROM t WHERE a = 1 OR b LIKE 'x%' OR c NOT GLOB 'y'",
             "SELECT * FROM t WHERE a = ? OR b LIKE ? OR c NOT GLOB ?"},
        Case{"SELECT current_timestamp, \"current_timestamp\"",
             "SELECT CURRENT_TIMESTAMP, \"current_timestamp\""},
        Case{"SELECT \"order\", \"group\" FROM t", "SELECT \"order\", \"group\" FROM t"},
        // A quoted keyword that would start an expression bare stays quoted (`SELECT cast FROM`
        // is a syntax error), as does one the bare word would make a keyword.
        Case{"SELECT \"cast\", \"raise\" FROM t", "SELECT \"cast\", \"raise\" FROM t"},
        Case{"SELECT count(*) OVER (\"rows\" BETWEEN 1 AND 2) FROM \"replace\"",
             "SELECT count(*) OVER (\"rows\" BETWEEN ? AND ?) FROM replace"},
        // select.sql: OFFSET folds, ORDER BY positions stay; comments and whitespace go.
        Case{"SELECT 1 AS \"int\" OFFSET 1", "SELECT ? AS int OFFSET ?"},
        Case{"/* c */ SELECT 'hello'\n  -- but this one\n  AS \"text\"", "SELECT ? AS text"},
        Case{"WITH t(f) AS (VALUES (1.0), (2.0)) SELECT f FROM t ORDER BY f",
             "WITH t(f) AS (VALUES (?)+) SELECT f FROM t ORDER BY f"}));

// Literals that are not values: where SQLite's grammar reads a string as a name, where a literal
// selects what a function computes (a JSON path, a strftime format), and a LIMIT count that SQLite
// plans with. Folding each of these merged two different statements into one row (a cheap SEARCH
// and a SCAN, or two tables): those cases failed before the fix; the "stays a value" ones guard it.
INSTANTIATE_TEST_SUITE_P(
    NotValues, Normalize,
    ::testing::Values(
        // A string where SQLite's grammar takes a name (parse.y's `nm` and `ids`: STRING is one).
        Case{"SELECT * FROM 'users'", "SELECT * FROM users"},
        Case{"select * from 'Users' u join 'orders' o on o.uid = u.id, 'items'",
             "SELECT * FROM users u JOIN orders o ON o.uid = u.id, items"},
        Case{"INSERT INTO 'users'('name', 'email') VALUES ('a', 'b')",
             "INSERT INTO users(name, email) VALUES (?, ?)"},
        Case{"insert or replace into 'main'.'t' as x ('a') values (1), (2)",
             "INSERT OR REPLACE INTO main.t AS x(a) VALUES (?)+"},
        Case{"UPDATE 'users' SET 'name' = 'x', \"email\" = 'y' WHERE 'users'.'id' = 1",
             "UPDATE users SET name = ?, email = ? WHERE users.id = ?"},
        Case{"update or ignore 't' set 'a' = 1 from 'u', 'v' where 'a' = 2",
             "UPDATE OR IGNORE t SET a = ? FROM u, v WHERE ? = ?"},
        Case{"DELETE FROM 'users' INDEXED BY 'users_email' WHERE id = 1",
             "DELETE FROM users INDEXED BY users_email WHERE id = ?"},
        Case{"SELECT name FROM users ORDER BY name COLLATE 'NOCASE'",
             "SELECT name FROM users ORDER BY name COLLATE nocase"},
        Case{"SELECT CAST(a AS 'INTEGER'), a AS 'total', b 'n', count(*) 'c' FROM t 'x'",
             "SELECT CAST(a AS integer), a AS total, b n, count(*) c FROM t x"},
        Case{"SELECT CASE WHEN a THEN 'y' END 'label', 'order' 'group' FROM t",
             "SELECT CASE WHEN a THEN ? END label, ? \"group\" FROM t"},
        // ... and stays a value everywhere else.
        Case{"SELECT 'a', 'b' FROM t WHERE a LIKE 'x' ESCAPE '\\' AND b GLOB 'y' AND c MATCH 'z'",
             "SELECT ?, ? FROM t WHERE a LIKE ? ESCAPE ? AND b GLOB ? AND c MATCH ?"},
        Case{"SELECT * FROM t WHERE a IS NOT DISTINCT FROM 'x' AND b IN ('a', 'b')",
             "SELECT * FROM t WHERE a IS NOT DISTINCT FROM ? AND b IN (?+)"},
        Case{"UPDATE t SET a = 'x', b = 'y' = c WHERE 'k' = d",
             "UPDATE t SET a = ?, b = ? = c WHERE ? = d"},
        Case{"SELECT a, 'x' = b FROM t, u WHERE c = 'y'", "SELECT a, ? = b FROM t, u WHERE c = ?"},
        Case{"VACUUM INTO 'backup.db'", "VACUUM INTO ?"},
        Case{"SELECT (SELECT a FROM u), 'x' FROM t", "SELECT (SELECT a FROM u), ? FROM t"},
        // A JSON path selects a field: an index on json_extract(data, '$.email') serves that path
        // only, so '$.email' (a SEARCH) and '$.name' (a SCAN) are different statements.
        Case{"SELECT id FROM u WHERE json_extract(data, '$.email') = 'x'",
             "SELECT id FROM u WHERE json_extract(data, '$.email') = ?"},
        Case{"SELECT data ->> '$.email', data -> 'tags' ->> 0 FROM u WHERE data ->> 'n' > 5",
             "SELECT data ->> '$.email', data -> 'tags' ->> 0 FROM u WHERE data ->> 'n' > ?"},
        Case{"SELECT json_extract(d, '$.a', '$.b'), JSON_TYPE(d, '$.c'), json_extract(d, ?)",
             "SELECT json_extract(d, '$.a', '$.b'), json_type(d, '$.c'), json_extract(d, ?)"},
        Case{"SELECT value FROM u, json_each(u.d, '$.tags') WHERE value = 'x'",
             "SELECT value FROM u, json_each(u.d, '$.tags') WHERE value = ?"},
        Case{"UPDATE u SET d = json_set(d, '$.a', 'v', '$.b', 2), e = json_remove(e, '$.x')",
             "UPDATE u SET d = json_set(d, '$.a', ?, '$.b', ?), e = json_remove(e, '$.x')"},
        Case{"SELECT json_extract('{}', '$.' || 'a'), json_extract(d, 'x' || ?) FROM u",
             "SELECT json_extract(?, ? || ?), json_extract(d, ? || ?) FROM u"},
        // A strftime format says what is computed (a year, a day): kept; its time value folds.
        Case{"SELECT strftime('%Y', ts), count(*) FROM t WHERE ts > strftime('%s', '2020-01-01')",
             "SELECT strftime('%Y', ts), count(*) FROM t WHERE ts > strftime('%s', ?)"},
        // A LIMIT count that is a non-negative integer is planned with (SQLite's SF_FixedLimit:
        // LIMIT 1 can SEARCH and sort where LIMIT 100000 scans an index in order): kept. OFFSET,
        // the first value of `LIMIT a, b`, a negative or real count, or a parameter fold.
        Case{"SELECT * FROM t ORDER BY b LIMIT 10", "SELECT * FROM t ORDER BY b LIMIT 10"},
        Case{"SELECT * FROM t ORDER BY b LIMIT 10 OFFSET 40",
             "SELECT * FROM t ORDER BY b LIMIT 10 OFFSET ?"},
        Case{"SELECT * FROM t LIMIT 40, 10", "SELECT * FROM t LIMIT ?, 10"},
        Case{"SELECT * FROM t LIMIT +5; SELECT * FROM t LIMIT 0x10",
             "SELECT * FROM t LIMIT 5; SELECT * FROM t LIMIT 0x10"},
        Case{"SELECT * FROM t LIMIT -1; SELECT * FROM t LIMIT 1.0; SELECT * FROM t LIMIT :n",
             "SELECT * FROM t LIMIT ?; SELECT * FROM t LIMIT ?; SELECT * FROM t LIMIT ?"},
        Case{"SELECT * FROM t LIMIT 2 * 5; SELECT * FROM (SELECT a FROM t LIMIT 3) LIMIT ?, ?",
             "SELECT * FROM t LIMIT ? * ?; SELECT * FROM (SELECT a FROM t LIMIT 3) LIMIT ?, ?"},
        // A term SQLite reads as a column position: `+1` and `(1)` too (sqlite3ExprIsInteger).
        Case{"SELECT a, b FROM t ORDER BY +2 DESC, (1)", "SELECT a, b FROM t ORDER BY 2 DESC, (1)"},
        Case{"SELECT a, b FROM t GROUP BY 0x2", "SELECT a, b FROM t GROUP BY 0x2"}));

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
  EXPECT_LT(NormalizeSql(in_list).size(), 30u);
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
