#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ext/core/testing.h"
#include "ext/migrations/folder.h"
#include "ext/migrations/plan.h"
#include "ext/migrations/sha256.h"
#include "ext/migrations/sql_text.h"

namespace doctor::migrations {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(SqlTextTest, NormalizeIgnoresWhitespaceCommentsQuotingAndCase) {
  EXPECT_EQ(CanonicalSchemaSql("CREATE TABLE `Users` (\n  \"ID\" integer, -- note\n [name] TEXT /* x */)"),
            CanonicalSchemaSql("create table users(id INTEGER,name text)"));
  EXPECT_NE(CanonicalSchemaSql("create table t(a default 'X')"), CanonicalSchemaSql("create table t(a default 'x')"));
  EXPECT_EQ(CanonicalSchemaSql("select \"a b\""), "select \"a b\"");
}

TEST(SqlTextTest, SplitBreakpointsLikeJavaScriptSplit) {
  EXPECT_THAT(SplitBreakpoints("a;--> statement-breakpoint\nb;"), ElementsAre("a;", "\nb;"));
  EXPECT_THAT(SplitBreakpoints("a;--> statement-breakpoint"), ElementsAre("a;", ""));
  EXPECT_THAT(SplitBreakpoints(""), ElementsAre(""));
}

TEST(SqlTextTest, SplitStatementsKeepsTriggersWholeAndDropsBlanks) {
  auto s = SplitStatements(
      "create table t(a); ; -- only a comment\n"
      "create trigger tr after insert on t begin insert into t values(';'); delete from t; end;"
      "insert into t values('a;b') /* trailing */");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0], "create table t(a);");
  EXPECT_THAT(std::string(s[1]), HasSubstr("delete from t; end;"));
  EXPECT_THAT(std::string(s[2]), HasSubstr("'a;b'"));
  EXPECT_TRUE(IsBlankSql(" -- c\n /* d */ ;"));
  EXPECT_FALSE(IsBlankSql("select 1"));
}

// A trigger body ends at `; END ;`, as sqlite3_complete() decides: the END of a CASE expression
// before a body statement's `;` is not the body's end (split there, the first piece failed with
// "incomplete input" and the rest ran as statements of their own).
TEST(SqlTextTest, SplitStatementsKeepsATriggerWholeWhenABodyStatementEndsInCaseEnd) {
  auto s = SplitStatements(
      "CREATE TRIGGER posts_state AFTER UPDATE ON posts BEGIN\n"
      "  UPDATE posts SET state = CASE WHEN new.views > 0 THEN 'seen' ELSE 'new' END;\n"
      "  UPDATE posts SET x = 1 WHERE id = new.id;\n"
      "END;\n"
      "CREATE INDEX i ON posts(state);");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_THAT(std::string(s[0]), HasSubstr("WHERE id = new.id;\nEND;"));
  EXPECT_EQ(s[1], "CREATE INDEX i ON posts(state);");
}

TEST(SqlTextTest, ForeignKeysOffAndClassification) {
  EXPECT_TRUE(AsksForeignKeysOff("PRAGMA foreign_keys=OFF;"));
  EXPECT_TRUE(AsksForeignKeysOff("pragma main.FOREIGN_KEYS = 0"));
  EXPECT_TRUE(AsksForeignKeysOff("pragma foreign_keys(false)"));
  EXPECT_FALSE(AsksForeignKeysOff("PRAGMA foreign_keys=ON; -- PRAGMA foreign_keys=OFF"));
  EXPECT_FALSE(AsksForeignKeysOff("SELECT 'PRAGMA foreign_keys=OFF'"));
  ChangeInfo d = Classify("ALTER TABLE `Users` DROP COLUMN \"Age\"");
  EXPECT_EQ(d.kind, ChangeKind::kDropColumn);
  EXPECT_EQ(d.object, "users");
  EXPECT_EQ(d.object2, "age");
  EXPECT_EQ(Classify("ALTER TABLE __new_users RENAME TO `users`").object2, "users");
  EXPECT_EQ(Classify("drop table if exists main.t").object, "t");
  EXPECT_TRUE(Classify("alter table t add column c int not null").has_not_null_without_default);
  EXPECT_FALSE(Classify("alter table t add c int not null default 0").has_not_null_without_default);
  EXPECT_EQ(Classify("COMMIT").kind, ChangeKind::kTransactionControl);
  EXPECT_EQ(Classify("CREATE VIRTUAL TABLE v USING fts5(x)").kind, ChangeKind::kOther);
  EXPECT_EQ(Classify("create unique index if not exists main.`I` on t(a)").object, "i");
  EXPECT_EQ(NormalizeLineEndings("a\r\nb\r\n"), "a\nb\n");
  EXPECT_EQ(Excerpt("  SELECT  *\n\tFROM t  ", 80), "SELECT * FROM t");
  EXPECT_EQ(Excerpt("SELECT 1", 8), "SELECT 1") << "nothing cut, no dots";
  EXPECT_EQ(Excerpt("SELECT 12", 8), "SELECT 1...");
  EXPECT_EQ(Excerpt("SELECT '\xC3\xA9t\xC3\xA9'", 9), "SELECT '...") << "never half a character";
  EXPECT_EQ(Excerpt("SELECT '\xC3\xA9t\xC3\xA9'", 10), "SELECT '\xC3\xA9...");
}

// The one reader of the name a CREATE statement gives (Classify's, and the report's drift
// findings for objects that a pending migration creates).
TEST(SqlTextTest, CreatedName) {
  EXPECT_EQ(CreatedName("--> statement-breakpoint\nCREATE UNIQUE INDEX IF NOT EXISTS `Idx` ON t(x);"),
            "idx");
  EXPECT_EQ(CreatedName("CREATE TEMP TABLE main.\"T b\" (a)"), "t b");
  EXPECT_EQ(CreatedName("CREATE VIRTUAL TABLE docs USING fts5(body)"), "docs");
  EXPECT_EQ(CreatedName("create view v as select 1"), "v");
  EXPECT_EQ(CreatedName("CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;"), "tr");
  EXPECT_EQ(CreatedName("DROP INDEX i"), "");
  EXPECT_EQ(CreatedName("INSERT INTO t VALUES ('CREATE INDEX x ON t(a)')"), "");
}

TEST(FolderTest, JournalErrorsAreClear) {
  EXPECT_THAT(ParseDrizzleJournal("{").status().message(), HasSubstr("not valid JSON"));
  EXPECT_THAT(ParseDrizzleJournal("{}").status().message(), HasSubstr("no \"entries\""));
  EXPECT_THAT(ParseDrizzleJournal(R"({"entries":[{"tag":"a"}]})").status().message(),
              HasSubstr("no integer \"when\""));
  EXPECT_THAT(ParseDrizzleJournal(R"({"entries":[{"tag":"../x","when":1}]})").status().message(),
              HasSubstr("unusable tag"));
  auto ok = ParseDrizzleJournal(R"({"entries":[{"idx":0,"tag":"0000_a","when":17,"breakpoints":true}]})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)[0].when, 17);
  EXPECT_EQ(FolderMillis("20240102030405"), 1704164645000);
  EXPECT_EQ(FolderMillis("2024"), std::nullopt);
}

// Expected hex and hashes are what Node prints for Buffer.from(bytes).toString() (hex of its UTF-8,
// sha256 of it): Drizzle's readMigrationFiles reads files that way before hashing.
TEST(FolderTest, DrizzleHashIsNodesDecodedText) {
  auto hex = [](const std::string& s) {
    static const char* d = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) out += std::string{d[c >> 4], d[c & 15]};
    return out;
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"\x41\xff\x42", "41efbfbd42"},
      {"\xc3", "efbfbd"},
      {"\xe2\x82", "efbfbd"},
      {"\xe2\x82\x41", "efbfbd41"},
      {"\xed\xa0\x80", "efbfbdefbfbdefbfbd"},
      {"\xf0\x80\x80\x80", "efbfbdefbfbdefbfbdefbfbd"},
      {"\xf4\x90\x80\x80", "efbfbdefbfbdefbfbdefbfbd"},
      {"\xc0\xaf", "efbfbdefbfbd"},
      {"\xe0\x80\xaf", "efbfbdefbfbdefbfbd"},
      {"\xf0\x9f\x98", "efbfbd"},
      {"\xef\xbb\xbf\x41", "efbbbf41"},  // a byte-order mark is kept
      {"\xe9\x74\xe9", "efbfbd74efbfbd"},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(hex(NodeUtf8(in)), want) << hex(in);
  EXPECT_EQ(DrizzleHash("\xe9\x74\xe9"), "80926e3cc0e5ecc9800fa67d54feb068a401a5f16ae85dd7170e1e331231dbaf");
  EXPECT_EQ(DrizzleHash("\xef\xbb\xbf\x41"), Sha256Hex("\xef\xbb\xbf\x41"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("caf\xe9"));
}

// Expected values are what Drizzle 1.0's formatToMillis returns in Node (Date.UTC of parseInt'd
// slices of the first 14 characters), including its rollovers and NaN cases.
TEST(FolderTest, FolderMillisIsDrizzlesFormatToMillis) {
  EXPECT_EQ(FolderMillis("20240102030405_init"), 1704164645000);
  EXPECT_EQ(FolderMillis("20241301000000_x"), 1735689600000);   // month 13: next January
  EXPECT_EQ(FolderMillis("20240100000000_x"), 1703980800000);   // day 0: the last of December
  EXPECT_EQ(FolderMillis("20240230250000_x"), 1709341200000);   // Feb 30, 25 o'clock
  EXPECT_EQ(FolderMillis("00990101000000_x"), 915148800000);    // years 0..99 are 1900..1999
  EXPECT_EQ(FolderMillis("19691231235959_x"), -1000);
  EXPECT_EQ(FolderMillis("2024010203040"), 1704164640000);      // 13 characters: seconds "0"
  EXPECT_EQ(FolderMillis("2024 1 2 3 4 5_"), 1704164645000);    // parseInt skips blanks
  EXPECT_EQ(FolderMillis("+0241+0+1+1+1+1"), -1451775539000);   // and takes a sign
  EXPECT_EQ(FolderMillis("2024-1-2 3:4:5x"), std::nullopt);      // NaN: SQLite stores NULL
  EXPECT_EQ(FolderMillis("abc"), std::nullopt);
  EXPECT_EQ(FolderMillis(""), std::nullopt);
}

TEST(FolderTest, PlainFolderOrderAndDownFiles) {
  testing::TempDir dir;
  std::ofstream(dir.File("0002_b.sql")) << "create table b(x);";
  std::ofstream(dir.File("0001_a.sql")) << "create table a(x);";
  std::ofstream(dir.File("0001_a.down.sql")) << "drop table a;";
  std::ofstream(dir.File("notes.txt")) << "x";
  auto f = ReadFolder(dir.path());
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_EQ(f->files.size(), 2u);
  EXPECT_EQ(f->files[0].name, "0001_a");
  EXPECT_EQ(f->files[0].down_path, dir.File("0001_a.down.sql"));
  EXPECT_EQ(f->files[1].checksum, Sha256Hex("create table b(x);"));
  EXPECT_THAT(ReadFolder(dir.File("nope")).status().message(), HasSubstr("not a readable folder"));
}

// A folder is read whole into memory: 200,000 files were all read (and migrate_dir applied them
// for 90 s), and nothing capped their total (each may be 64 MB). Each bound is an error naming it.
TEST(FolderTest, AFolderOverALimitIsAnErrorNamingIt) {
  testing::TempDir dir;
  for (int i = 1; i <= 4; ++i) std::ofstream(dir.File(absl::StrCat("000", i, "_m.sql"))) << "SELECT 1;";
  std::ofstream(dir.File("notes.txt")) << "x";
  FolderLimits limits;
  EXPECT_TRUE(ReadFolder(dir.path(), limits).ok());
  limits.max_entries = 4;
  EXPECT_THAT(ReadFolder(dir.path(), limits).status().message(),
              HasSubstr("has more than 4 entries, the limit for a migration folder"));
  limits = FolderLimits();
  limits.max_migrations = 3;
  EXPECT_THAT(ReadFolder(dir.path(), limits).status().message(),
              HasSubstr("holds more than 3 migrations, the limit for a migration folder"));
  limits = FolderLimits();
  limits.max_bytes = 30;
  EXPECT_THAT(ReadFolder(dir.path(), limits).status().message(),
              HasSubstr("total more than 30 bytes, the limit for a migration folder (at '0004_m')"));
  // The defaults are far above any real project.
  EXPECT_GE(FolderLimits().max_migrations, 10000);
  EXPECT_GE(FolderLimits().max_bytes, 4 * kMaxFileBytes);
}

TEST(FolderTest, PlainFolderNumbersSortAsNumbers) {
  testing::TempDir dir;
  for (const char* name : {"10_indexes.sql", "2_users.sql", "1_init.sql"}) {
    std::ofstream(dir.File(name)) << "select 1;";
  }
  auto f = ReadFolder(dir.path());
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_EQ(f->files.size(), 3u);
  EXPECT_EQ(f->files[0].name, "1_init");
  EXPECT_EQ(f->files[1].name, "2_users");
  EXPECT_EQ(f->files[2].name, "10_indexes");  // byte order put it second
  EXPECT_TRUE(PlainMigrationLess("V9__a", "V10__b"));
  EXPECT_FALSE(PlainMigrationLess("V10__b", "V9__a"));
  EXPECT_TRUE(PlainMigrationLess("0001_a", "0002_b"));
  EXPECT_TRUE(PlainMigrationLess("0009_z", "0010_a"));
  EXPECT_TRUE(PlainMigrationLess("20240101_x", "20240102_a"));
  EXPECT_TRUE(PlainMigrationLess("add", "add2"));
  EXPECT_TRUE(PlainMigrationLess("a_b", "a_c"));
  // Equal as numbers: still a total order (by bytes), never "equivalent".
  EXPECT_NE(PlainMigrationLess("1_a", "01_a"), PlainMigrationLess("01_a", "1_a"));
  EXPECT_FALSE(PlainMigrationLess("1_a", "1_a"));
}

TEST(PlanTest, PendingByContentNotWatermark) {
  Folder folder{Layout::kDrizzleKit, "/x", {}};
  folder.files.push_back(MigrationFile{"0000_a", "", "A", Sha256Hex("A"), 100, ""});
  folder.files.push_back(MigrationFile{"0001_b", "", "B", Sha256Hex("B"), 200, ""});
  folder.files.push_back(MigrationFile{"0002_c", "", "C\r\n", Sha256Hex("C\r\n"), 300, ""});
  // Drizzle applied 0001_b (newest) and the LF version of 0002_c; 0000_a is out of order.
  std::vector<DrizzleRow> drizzle = {{Sha256Hex("B"), 200}, {Sha256Hex("C\n"), 300}};
  auto plan = MakePlan(folder, {}, drizzle);
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_STREQ(PlanStatusName(plan[0].status), "pending");
  EXPECT_THAT(plan[0].note, HasSubstr("out of order"));
  EXPECT_STREQ(PlanStatusName(plan[1].status), "applied");
  EXPECT_TRUE(plan[1].adopt);
  EXPECT_STREQ(PlanStatusName(plan[2].status), "applied");
  EXPECT_THAT(plan[2].note, HasSubstr("line endings"));
  // An edited file is `changed`; a journal entry without a file is `missing`.
  std::vector<JournalRow> journal = {{"0000_a", Sha256Hex("old"), "apply", "old", "drizzle", Value(), Value()},
                                     {"0009_gone", "abc", "apply", "x", "drizzle", Value(), Value(), "/x/0009_gone.sql"},
                                     {"other", "abc", "apply", "x", "drizzle", Value(), Value(), "/y/other.sql"}};
  plan = MakePlan(folder, journal, drizzle);
  EXPECT_STREQ(PlanStatusName(plan[0].status), "changed");
  EXPECT_STREQ(PlanStatusName(plan.back().status), "missing");
  EXPECT_EQ(plan.back().name, "0009_gone");
}

// A custom migration drizzle-kit generated and nobody filled in holds only a comment: migrate_dir
// refuses it ("is empty: it has no statements"), and Drizzle's migrator fails on it too; the
// plan listed it as pending. It is an error now, with why; applied, it stays applied.
TEST(PlanTest, AMigrationWithNoStatementsIsAnErrorNotPending) {
  const std::string custom = "-- Custom SQL migration file, put your code below! --\n";
  const std::string blank_pieces = "--> statement-breakpoint\n;\n-- nothing\n";
  Folder folder{Layout::kDrizzleKit, "/x", {}};
  folder.files.push_back(MigrationFile{"0000_custom", "", custom, Sha256Hex(custom), 100, ""});
  folder.files.push_back(
      MigrationFile{"0001_blank", "", blank_pieces, Sha256Hex(blank_pieces), 200, ""});
  folder.files.push_back(MigrationFile{"0002_real", "", "-- add\nCREATE TABLE t(x);",
                                       Sha256Hex("-- add\nCREATE TABLE t(x);"), 300, ""});
  auto plan = MakePlan(folder, {}, {});
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_STREQ(PlanStatusName(plan[0].status), "error");
  EXPECT_THAT(plan[0].note, HasSubstr("it is empty: it has no statements"));
  EXPECT_STREQ(PlanStatusName(plan[1].status), "error");
  EXPECT_STREQ(PlanStatusName(plan[2].status), "pending");
  std::vector<JournalRow> journal = {
      {"0000_custom", Sha256Hex(custom), "apply", custom, "drizzle", Value(), Value()}};
  plan = MakePlan(folder, journal, {});
  EXPECT_STREQ(PlanStatusName(plan[0].status), "applied");
}

// A migration deleted after it was applied from "mig" was `missing` for migration_status('mig')
// only: './mig' (a drizzle.config's `out`, the command line's folder) and 'mig/' left it out,
// so the report said nothing of it (found on an invoicing app's folder).
TEST(PlanTest, MissingFilesAreFoundHoweverTheFolderIsSpelled) {
  std::vector<JournalRow> journal = {
      {"0001_a", Sha256Hex("A"), "apply", "A", "dir", Value(), Value(), "mig/0001_a.sql"},
      {"0002_b", Sha256Hex("B"), "apply", "B", "dir", Value(), Value(), "mig/0002_b.sql"},
      {"0003_c", Sha256Hex("C"), "apply", "C", "dir", Value(), Value(), "./other/../mig/0003_c.sql"},
      {"0004_d", Sha256Hex("D"), "apply", "D", "dir", Value(), Value(), "migrations/0004_d.sql"}};
  for (const char* spelled : {"mig", "./mig", "mig/", ".//mig/.", "x/../mig"}) {
    Folder folder{Layout::kPlain, spelled, {}};
    folder.files.push_back(MigrationFile{"0001_a", "", "A", Sha256Hex("A"), std::nullopt, ""});
    auto plan = MakePlan(folder, journal, {});
    ASSERT_EQ(plan.size(), 3u) << spelled;
    EXPECT_STREQ(PlanStatusName(plan[0].status), "applied");
    EXPECT_EQ(plan[1].name, "0002_b") << spelled;
    EXPECT_STREQ(PlanStatusName(plan[1].status), "missing");
    EXPECT_EQ(plan[2].name, "0003_c") << spelled;
  }
}

// Applied as 'drizzle' from the app's root, checked as '/app/drizzle' (or the other way round):
// the deleted migration was left out, the lexical comparison knowing no working directory.
TEST(PlanTest, MissingFilesAreFoundWithAnAbsoluteOrRelativeFolder) {
  std::vector<JournalRow> journal = {
      {"0001_a", Sha256Hex("A"), "apply", "A", "dir", Value(), Value(), "drizzle/0001_a.sql"},
      {"0002_b", Sha256Hex("B"), "apply", "B", "dir", Value(), Value(), "drizzle/0002_b.sql"},
      {"0003_c", Sha256Hex("C"), "apply", "C", "dir", Value(), Value(), "/app/drizzle/0003_c.sql"},
      {"0004_d", Sha256Hex("D"), "apply", "D", "dir", Value(), Value(), "/elsewhere/0004_d.sql"}};
  for (const char* spelled : {"/app/drizzle", "drizzle", "./drizzle/", "../app/drizzle"}) {
    Folder folder{Layout::kPlain, spelled, {}, "/app"};
    folder.files.push_back(MigrationFile{"0001_a", "", "A", Sha256Hex("A"), std::nullopt, ""});
    auto plan = MakePlan(folder, journal, {});
    ASSERT_EQ(plan.size(), 3u) << spelled;
    EXPECT_EQ(plan[1].name, "0002_b") << spelled;
    EXPECT_STREQ(PlanStatusName(plan[1].status), "missing") << spelled;
    EXPECT_EQ(plan[2].name, "0003_c") << spelled;
    EXPECT_STREQ(PlanStatusName(plan[2].status), "missing") << spelled;
  }
}

MigrationFile FolderFile(const std::string& name, const std::string& text) {
  return MigrationFile{name, "/v1/" + name + "/migration.sql", text, Sha256Hex(text),
                       FolderMillis(name), ""};
}

DrizzleRow Unnamed(const std::string& text, std::optional<int64_t> created_at) {
  return DrizzleRow{Sha256Hex(text), created_at, std::nullopt, Value(), Value()};
}

DrizzleRow Named(const std::string& text, const std::string& name) {
  return DrizzleRow{Sha256Hex(text), FolderMillis(name), name, Value(int64_t{1}),
                    Value("2026-01-01T00:00:00.000Z")};
}

TEST(PlanTest, UnnamedRowsMatchLikeDrizzlesUpgrade) {
  Folder folder{Layout::kDrizzleFolders, "/v1", {}};
  folder.files.push_back(FolderFile("20240101000000_a", "A"));
  folder.files.push_back(FolderFile("20240101000001_b", "B"));
  folder.files.push_back(FolderFile("20240101000001_c", "C"));  // same second as b
  folder.files.push_back(FolderFile("20240101000002_d", "D"));
  const int64_t t0 = *FolderMillis("20240101000000");
  std::vector<DrizzleRow> rows = {
      Unnamed("edited A", t0 + 653),  // the only folder of its second: matched whatever the hash
      Unnamed("C", t0 + 1200),        // two folders in that second: told apart by hash
      Unnamed("B", t0 + 1999),
      Unnamed("X", t0 + 1500),        // two candidates, no hash matches: unmatched
      Unnamed("D", 5),                // no folder of that second: by hash
      Unnamed("Y", std::nullopt),     // no created_at, unknown hash: unmatched
  };
  std::vector<const MigrationFile*> m = MatchUnnamedRows(folder, rows);
  ASSERT_EQ(m.size(), 6u);
  EXPECT_EQ(m[0], &folder.files[0]);
  EXPECT_EQ(m[1], &folder.files[2]);
  EXPECT_EQ(m[2], &folder.files[1]);
  EXPECT_EQ(m[3], nullptr);
  EXPECT_EQ(m[4], &folder.files[3]);
  EXPECT_EQ(m[5], nullptr);
  // The plan: a's row carries another hash, so a is `changed`; the unmatched rows are missing.
  std::vector<PlanItem> plan = MakePlan(folder, {}, rows);
  ASSERT_EQ(plan.size(), 6u);
  EXPECT_STREQ(PlanStatusName(plan[0].status), "changed");
  EXPECT_STREQ(PlanStatusName(plan[1].status), "applied");
  EXPECT_TRUE(plan[1].adopt);
  EXPECT_TRUE(plan[1].drizzle_unnamed);  // Drizzle 1.0 would not see an unnamed row
  EXPECT_STREQ(PlanStatusName(plan[4].status), "missing");
  EXPECT_EQ(plan[5].name, "__drizzle_migrations:?");
}

TEST(PlanTest, FolderLayoutDecidesByNameLikeDrizzle1) {
  Folder folder{Layout::kDrizzleFolders, "/v1", {}};
  folder.files.push_back(FolderFile("20240101000000_a", "A"));
  folder.files.push_back(FolderFile("20240101000001_b", "B\r\n"));
  folder.files.push_back(FolderFile("20240101000002_c", "C"));
  folder.files.push_back(FolderFile("20230101000000_old", "O"));  // older than all applied
  folder.files.push_back(FolderFile("20240101000003_d", "D"));
  std::vector<DrizzleRow> rows = {
      Named("A", "20240101000000_a"),
      Named("B\n", "20240101000001_b"),      // applied with LF endings
      Named("C before edit", "20240101000002_c"),
      Named("D", "20240101000009_renamed"),  // same text as d under another name
  };
  std::vector<PlanItem> plan = MakePlan(folder, {}, rows);
  ASSERT_EQ(plan.size(), 6u);
  EXPECT_STREQ(PlanStatusName(plan[0].status), "applied");
  EXPECT_TRUE(plan[0].adopt);
  EXPECT_EQ(plan[0].applied_at.AsText(), "2026-01-01T00:00:00.000Z");
  EXPECT_FALSE(plan[0].drizzle_unnamed);
  EXPECT_STREQ(PlanStatusName(plan[1].status), "applied");
  EXPECT_THAT(plan[1].note, HasSubstr("line endings"));
  EXPECT_STREQ(PlanStatusName(plan[2].status), "changed");
  EXPECT_STREQ(PlanStatusName(plan[3].status), "pending");
  EXPECT_EQ(plan[3].note, "");  // no watermark: Drizzle 1.0 applies it too
  EXPECT_STREQ(PlanStatusName(plan[4].status), "pending");  // names, not hashes, as Drizzle 1.0
  EXPECT_STREQ(PlanStatusName(plan[5].status), "missing");
  EXPECT_EQ(plan[5].name, "20240101000009_renamed");
  // Applied by migrate_dir, absent from __drizzle_migrations: to be recorded there.
  std::vector<JournalRow> journal = {{"20240101000003_d", Sha256Hex("D"), "apply", "D", "drizzle",
                                      Value(), Value(), "/v1/20240101000003_d/migration.sql"}};
  plan = MakePlan(folder, journal, rows);
  EXPECT_STREQ(PlanStatusName(plan[4].status), "applied");
  EXPECT_TRUE(plan[4].drizzle_only);
}

}  // namespace
}  // namespace doctor::migrations
