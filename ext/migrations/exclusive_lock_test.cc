// EXCLUSIVE locking mode on a WAL database (issue 17, item 6): migrate_check's dry run still
// works. The hostile migration files and texts of issue 17 are in tests/matrix:hostile_files_test
// (every class against every entry point that reads it).
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ext/core/testing.h"

namespace doctor {
namespace {

TEST(ExclusiveLockTest, CheckWorksOnAWalDatabaseInExclusiveLockingMode) {
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
