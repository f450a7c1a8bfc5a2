// Hostile migration folders and texts (issue 17, items 2 and 6): every file read is a regular
// file under a size cap, an unusable migration is an error and never skipped, a NUL byte is an
// error naming where it is, a tag listed twice is refused, a failed migration leaves the
// connection's settings as they were, and EXCLUSIVE locking mode does not break migrate_check.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <initializer_list>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ext/core/testing.h"

namespace doctor {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string Quoted(const testing::TempDir& dir) { return "'" + dir.path() + "'"; }

// meta/_journal.json listing `tags` in order (drizzle-kit's layout).
void WriteJournal(const testing::TempDir& dir, std::initializer_list<const char*> tags) {
  mkdir(dir.File("meta").c_str(), 0755);
  std::string entries;
  int i = 0;
  for (const char* tag : tags) {
    if (i > 0) entries += ", ";
    entries += "{\"idx\": " + std::to_string(i) + ", \"when\": " + std::to_string(i + 1) +
               ", \"tag\": \"" + tag + "\", \"breakpoints\": true}";
    ++i;
  }
  Write(dir.File("meta/_journal.json"), "{\"entries\": [" + entries + "]}");
}

// A plain folder whose 0002 is `make(path)`; 0001 and 0003 are fine.
struct PlainFolder {
  testing::TempDir dir;
  explicit PlainFolder(void (*make)(const std::string& path)) {
    Write(dir.File("0001_a.sql"), "CREATE TABLE a(x);");
    make(dir.File("0002_b.sql"));
    Write(dir.File("0003_c.sql"), "CREATE TABLE c(x);");
  }
};

// Nothing ran, and migration_status lists 0002_b as an error between the two pending ones.
void ExpectRefused(PlainFolder& f, const std::string& why) {
  testing::Db db;
  EXPECT_THAT(db.Error("SELECT migrate_dir(" + Quoted(f.dir) + ")"),
              AllOf(HasSubstr("migration '0002_b'"), HasSubstr(why), HasSubstr("nothing was run")));
  EXPECT_EQ(db.One("SELECT count(*) FROM sqlite_schema WHERE name IN ('a', 'c')"), "0");
  EXPECT_EQ(db.One("SELECT group_concat(name || '=' || status, ' ') FROM migration_status(" +
                   Quoted(f.dir) + ")"),
            "0001_a=pending 0002_b=error 0003_c=pending");
  EXPECT_THAT(db.One("SELECT note FROM migration_status(" + Quoted(f.dir) + ") WHERE status = 'error'"),
              AllOf(HasSubstr(f.dir.File("0002_b.sql")), HasSubstr(why)));
  EXPECT_THAT(db.Error("SELECT migrate_baseline(" + Quoted(f.dir) + ")"), HasSubstr(why));
}

TEST(HostileFolderTest, FifoIsRefusedWithoutWaiting) {
  PlainFolder f([](const std::string& p) { ASSERT_EQ(mkfifo(p.c_str(), 0644), 0); });
  ExpectRefused(f, "is a FIFO, not a regular file");
}

TEST(HostileFolderTest, LinkToDevZeroIsRefused) {
  PlainFolder f([](const std::string& p) { ASSERT_EQ(symlink("/dev/zero", p.c_str()), 0); });
  ExpectRefused(f, "is a character device, not a regular file");
}

TEST(HostileFolderTest, DanglingLinkIsAnErrorNotASkip) {
  PlainFolder f([](const std::string& p) { ASSERT_EQ(symlink("/nonexistent/x.sql", p.c_str()), 0); });
  ExpectRefused(f, "is a dangling symbolic link");
}

TEST(HostileFolderTest, LoopingLinkIsAnError) {
  PlainFolder f([](const std::string& p) { ASSERT_EQ(symlink(p.c_str(), p.c_str()), 0); });
  ExpectRefused(f, "is a symbolic link that loops");
}

TEST(HostileFolderTest, FolderNamedLikeAMigrationIsAnError) {
  PlainFolder f([](const std::string& p) { ASSERT_EQ(mkdir(p.c_str(), 0755), 0); });
  ExpectRefused(f, "is a folder, not a regular file");
}

TEST(HostileFolderTest, HugeFileIsRefusedBeforeReading) {
  PlainFolder f([](const std::string& p) {  // sparse: no disk used
    int fd = open(p.c_str(), O_CREAT | O_WRONLY, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(ftruncate(fd, (int64_t{64} << 20) + 1), 0);
    close(fd);
  });
  ExpectRefused(f, "is 67108865 bytes, over the 67108864-byte limit");
}

TEST(HostileFolderTest, NulByteInAFileIsAnErrorWithItsOffset) {
  PlainFolder f([](const std::string& p) {
    Write(p, std::string("CREATE TABLE b(x);\0DROP TABLE a; CREATE TABLE after_nul(x);", 59));
  });
  ExpectRefused(f, "has a NUL byte at byte offset 18");
}

TEST(HostileFolderTest, DrizzleKitFifoAndDevZeroAreRefused) {
  for (const char* kind : {"fifo", "zero"}) {
    testing::TempDir dir;
    WriteJournal(dir, {"0000_a", "0001_b"});
    Write(dir.File("0000_a.sql"), "CREATE TABLE a(x);");
    if (std::string(kind) == "fifo") {
      ASSERT_EQ(mkfifo(dir.File("0001_b.sql").c_str(), 0644), 0);
    } else {
      ASSERT_EQ(symlink("/dev/zero", dir.File("0001_b.sql").c_str()), 0);
    }
    testing::Db db;
    EXPECT_THAT(db.Error("SELECT migrate_dir(" + Quoted(dir) + ")"),
                AllOf(HasSubstr("migration '0001_b' listed in"), HasSubstr("not a regular file")))
        << kind;
    EXPECT_EQ(db.One("SELECT count(*) FROM sqlite_schema WHERE name = 'a'"), "0") << kind;
  }
}

TEST(HostileFolderTest, TagListedTwiceInTheJournalIsRefused) {
  testing::TempDir dir;
  WriteJournal(dir, {"0000_a", "0000_a"});
  Write(dir.File("0000_a.sql"), "INSERT INTO log VALUES (1);");
  testing::Db db;
  db.Exec("CREATE TABLE log(x)");
  EXPECT_THAT(db.Error("SELECT migrate_dir(" + Quoted(dir) + ")"),
              HasSubstr("entry 1 lists the tag '0000_a' of entry 0 again"));
  EXPECT_EQ(db.One("SELECT count(*) FROM log"), "0");
}

TEST(HostileTextTest, NulByteInMigrateTextIsAnErrorAndNothingRuns) {
  testing::Db db;
  EXPECT_THAT(db.Error("SELECT migrate('0001_nul', 'CREATE TABLE a(x);' || char(0) || "
                       "'DROP TABLE a; CREATE TABLE after_nul(x);')"),
              AllOf(HasSubstr("migration '0001_nul' has a NUL byte at byte offset 18"),
                    HasSubstr("nothing was applied")));
  EXPECT_EQ(db.One("SELECT count(*) FROM sqlite_schema WHERE name IN ('a', 'after_nul', "
                   "'doctor_migrations')"),
            "0");
  EXPECT_THAT(db.Error("SELECT * FROM migrate_check('CREATE TABLE a(x);' || char(0) || 'x')"),
              HasSubstr("NUL byte at byte offset 18"));
}

TEST(HostileTextTest, FailedMigrationPutsBackTheConnectionSettings) {
  testing::TempDir dir;
  testing::Db db(dir.File("app.db"));
  db.Exec("PRAGMA recursive_triggers = OFF");
  EXPECT_EQ(db.One("PRAGMA journal_mode"), "delete");
  EXPECT_THAT(db.Error("SELECT migrate('0001_bad', 'PRAGMA journal_mode=OFF;"
                       " PRAGMA recursive_triggers=ON; CREATE TABLE a(x); SELECT * FROM nope')"),
              AllOf(HasSubstr("statement 4 of 4"), HasSubstr("nothing was applied")));
  EXPECT_EQ(db.One("PRAGMA journal_mode"), "delete");
  EXPECT_EQ(db.One("PRAGMA recursive_triggers"), "0");
  Write(dir.File("0001_bad.sql"), "PRAGMA journal_mode=MEMORY; CREATE TABLE a(x); SELECT * FROM nope;");
  EXPECT_THAT(db.Error("SELECT migrate_dir(" + Quoted(dir) + ")"), HasSubstr("no such table: nope"));
  EXPECT_EQ(db.One("PRAGMA journal_mode"), "delete");
  // A migration that succeeds keeps what it set.
  EXPECT_EQ(db.One("SELECT migrate('0002_ok', 'PRAGMA recursive_triggers=ON; CREATE TABLE b(x)')"),
            "applied");
  EXPECT_EQ(db.One("PRAGMA recursive_triggers"), "1");
}

TEST(HostileLockTest, CheckWorksOnAWalDatabaseInExclusiveLockingMode) {
  testing::TempDir dir;
  testing::Db db(dir.File("app.db"));
  EXPECT_EQ(db.One("PRAGMA journal_mode = WAL"), "wal");
  db.Exec("PRAGMA locking_mode = EXCLUSIVE; PRAGMA foreign_keys = ON");
  db.One("SELECT migrate('0001_init', 'CREATE TABLE users(id INTEGER PRIMARY KEY);"
         " CREATE TABLE posts(id INTEGER PRIMARY KEY, user_id INT REFERENCES users(id) ON DELETE "
         "CASCADE); INSERT INTO users VALUES (1); INSERT INTO posts VALUES (1, 1);')");
  EXPECT_EQ(db.One("SELECT group_concat(kind || ':' || object, ' ') FROM "
                   "migrate_check('DROP TABLE users') WHERE kind <> 'dry_run'"),
            "destructive:users cascade:posts");
  EXPECT_EQ(db.One("SELECT count(*) FROM posts"), "1");
}

}  // namespace
}  // namespace doctor
