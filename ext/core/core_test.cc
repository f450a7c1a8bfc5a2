// The glue seen from SQL: function arity and errors, table arguments, repeated loads.
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ext/core/function.h"
#include "ext/core/sql.h"
#include "ext/core/testing.h"
#include "ext/core/table_rows.h"

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

TEST(CoreTest, DirectOnlyFunctionsRunFromTopLevelOnly) {
  testing::Db db;
  EXPECT_EQ(db.One("SELECT doctor_set('work_timeout_ms', 60000)"), "60000");
  EXPECT_EQ(db.One("SELECT count(*) FROM doctor_help WHERE doctor_version() IS NOT NULL") != "0",
            true);
  // A CHECK constraint calling it is refused even when the user's statement names it as a table,
  // in a column-list INSERT, a string literal or a comment (tests/matrix:schema_trust_test has
  // every placement).
  db.Exec("PRAGMA writable_schema = ON");
  db.Exec("CREATE TABLE doctor_set (x CHECK (printf('work_timeout_ms', 5) IS NOT NULL))");
  db.Exec("UPDATE sqlite_schema SET sql = replace(sql, 'printf', 'doctor_set') "
          "WHERE name = 'doctor_set'");
  db.Exec("PRAGMA writable_schema = RESET");
  for (const char* use : {"INSERT INTO doctor_set VALUES (1)", "INSERT INTO doctor_set(x) VALUES (1)",
                          "INSERT INTO \"doctor_set\" VALUES ('doctor_set(1)') -- doctor_set(1)"}) {
    EXPECT_THAT(db.Error(use), HasSubstr("unsafe use of doctor_set")) << use;
  }
  EXPECT_EQ(db.One("SELECT value FROM doctor_config WHERE name = 'work_timeout_ms'"), "60000");
}

TEST(CoreTest, AnErrorQuotingAHugeInputKeepsItsStartAndEnd) {
  testing::Db db;
  const std::string error = db.Error("SELECT doctor_set(printf('%.*c', 1000000, 'x'), 1)");
  EXPECT_LE(error.size(), kMaxErrorBytes);
  EXPECT_THAT(error, HasSubstr("doctor_set: unknown setting 'xxx"));
  EXPECT_THAT(error, HasSubstr(" bytes left out]... "));
  EXPECT_THAT(error, HasSubstr("work_timeout_ms"));  // the list of known settings at the end
}

TEST(CoreTest, EveryConnectionGetsItsOwnRegistration) {
  testing::Db a, b;
  EXPECT_EQ(a.One("SELECT doctor_version()"), b.One("SELECT doctor_version()"));
}

// Values written into SQL text by the advisor (a partial index's predicate, `assumed`) read back
// as the values they were: absl::StrCat wrote 1.2345678 as 1.23457 and +Inf as inf (a column
// name), and a text holding a NUL ended the SQL inside its quotes.
TEST(SqlTest, SqlLiteralReadsBackAsTheSameValue) {
  testing::Db db;
  const double inf = std::numeric_limits<double>::infinity();
  for (const Value& v : std::vector<Value>{
           Value(1.2345678), Value(0.1), Value(2.0), Value(-1e300), Value(5e-324), Value(inf),
           Value(-inf), Value(int64_t{9223372036854775807LL}), Value(int64_t{-42}),
           Value("it's"), Value(std::string("a\0b'; --", 8)), Value(Blob{std::string("\0\xff", 2)}),
           Value::Null()}) {
    const std::string literal = SqlLiteral(v);
    SCOPED_TRACE(literal);
    absl::StatusOr<Rows> rows = Query(db.get(), "SELECT (" + literal + ") IS ?1 AND typeof(" +
                                                    literal + ") = typeof(?1)", {v});
    ASSERT_TRUE(rows.ok()) << rows.status();
    EXPECT_EQ((*rows)[0][0].AsInt(), 1);
  }
  EXPECT_EQ(SqlLiteral(Value(1.2345678)), "1.2345678");
  EXPECT_EQ(SqlLiteral(Value(2.0)), "2.0");
  EXPECT_EQ(SqlLiteral(Value(inf)), "9e999");
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

// Rows of fix_sql written one after another run as a script in the shell.
TEST(SqlTest, ScriptStatementsEndWithASemicolon) {
  EXPECT_EQ(AsScriptStatement("CREATE INDEX i ON t(a)"), "CREATE INDEX i ON t(a);");
  EXPECT_EQ(AsScriptStatement("DROP INDEX i;\n"), "DROP INDEX i;");
  EXPECT_EQ(AsScriptStatement("-- rebuild t\nCREATE TABLE t(a) -- as live"),
            "-- rebuild t\nCREATE TABLE t(a) -- as live\n;");
  EXPECT_EQ(AsScriptStatement(""), "");
  testing::Db db;
  db.Exec("CREATE TABLE t(a)");
  db.Exec(AsScriptStatement("CREATE INDEX i ON t(a) -- why") + AsScriptStatement("ANALYZE"));
  EXPECT_EQ(db.One("SELECT count(*) FROM sqlite_schema WHERE name = 'i'"), "1");
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

namespace doctor {
namespace {

constexpr Column kTwo[] = {{"name", "TEXT", "A name."}, {"count", "INTEGER", "How many."}};

TEST(RowBuilderTest, FillsByNameAndLeavesUnsetColumnsNull) {
  RowBuilder rows(kTwo);
  rows.NewRow();
  rows.Set("count", 3);
  rows.Set("name", "a");
  rows.NewRow();
  rows.Set("name", "b");
  absl::StatusOr<Rows> built = rows.Finish();
  ASSERT_TRUE(built.ok()) << built.status();
  ASSERT_EQ(built->size(), 2u);
  EXPECT_EQ((*built)[0][0].AsText(), "a");
  EXPECT_EQ((*built)[0][1].AsInt(), 3);
  EXPECT_EQ((*built)[1][0].AsText(), "b");
  EXPECT_TRUE((*built)[1][1].is_null());
}

TEST(RowBuilderTest, AnUndeclaredColumnIsAnInternalErrorNamingIt) {
  RowBuilder rows(kTwo);
  rows.NewRow();
  rows.Set("nmae", "a");
  rows.Set("cuont", 1);
  absl::StatusOr<Rows> built = rows.Finish();
  ASSERT_EQ(built.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(built.status().message()), HasSubstr("nmae, cuont"));
}

TEST(RowBuilderTest, ASetBeforeTheFirstRowIsAnError) {
  RowBuilder rows(kTwo);
  rows.Set("name", "a");
  EXPECT_FALSE(rows.Finish().ok());
}

TEST(TableColumnsTest, DeclarationQuotesNamesAndAppendsArgumentsHidden) {
  constexpr TableArg kArgs[] = {{"path", true}};
  TableSpec spec = {"t", nullptr, kArgs, false, nullptr, "", "", kTwo};
  EXPECT_EQ(DeclarationOf(spec), "CREATE TABLE x(\"name\" TEXT, \"count\" INTEGER, \"path\" HIDDEN)");
  ASSERT_EQ(ColumnsOf(spec).size(), 2u);
  EXPECT_EQ(ColumnsOf(spec)[1].doc, "How many.");
  // The older positional declaration still works and gives names and types without docs.
  TableSpec old = {"t", "a TEXT, b DECIMAL(10, 2), c", kArgs, false, nullptr, "", ""};
  EXPECT_EQ(DeclarationOf(old), "CREATE TABLE x(a TEXT, b DECIMAL(10, 2), c, \"path\" HIDDEN)");
  std::vector<DeclaredColumn> columns = ColumnsOf(old);
  ASSERT_EQ(columns.size(), 3u);
  EXPECT_EQ(columns[1].name, "b");
  EXPECT_EQ(columns[1].type, "DECIMAL(10, 2)");
  EXPECT_EQ(columns[2].type, "");
}

TEST(TableColumnsTest, HelpColumnsMatchesWhatSqliteDeclared) {
  testing::Db db;
  // Every table's columns as doctor_help_columns lists them are the ones SQLite sees, in order.
  EXPECT_EQ(db.One("SELECT count(*) FROM doctor_help h, pragma_table_xinfo(h.name) x "
                   "WHERE h.kind = 'table' AND NOT EXISTS (SELECT 1 FROM doctor_help_columns c "
                   "WHERE c.table_name = h.name AND c.position = x.cid AND c.name = x.name "
                   "AND (c.kind = 'column') = (x.hidden = 0))"),
            "0");
  EXPECT_EQ(db.One("SELECT doc FROM doctor_help_columns WHERE table_name = 'doctor_config' "
                   "AND name = 'accepts'"),
            "The values doctor_set accepts for it.");
  EXPECT_EQ(db.One("SELECT count(*) FROM doctor_help_columns WHERE table_name = 'doctor_help' "
                   "AND doc = ''"),
            "0");
}

}  // namespace
}  // namespace doctor
