// ForeignKeysWithoutIndex: which indexes serve a foreign key's child columns.
#include "ext/core/foreign_keys.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "absl/strings/str_join.h"
#include "ext/core/testing.h"

namespace doctor {
namespace {

std::vector<std::string> Unindexed(testing::Db& db, const std::string& schema = "main") {
  absl::StatusOr<std::vector<UnindexedForeignKey>> keys = ForeignKeysWithoutIndex(db.get(), schema);
  EXPECT_TRUE(keys.ok()) << keys.status();
  std::vector<std::string> out;
  if (!keys.ok()) return out;
  for (const UnindexedForeignKey& k : *keys) {
    out.push_back(k.table + "(" + absl::StrJoin(k.columns, ",") + ") -> " + k.parent + " " +
                  k.on_delete + "/" + k.on_update);
  }
  return out;
}

TEST(ForeignKeysWithoutIndexTest, WhatServesAKeyAndWhatDoesNot) {
  testing::Db db;
  db.Exec("CREATE TABLE p(id INTEGER PRIMARY KEY, a INT, b INT, UNIQUE(a, b));"
          // served: a plain index, any column order, a longer index, a UNIQUE constraint, the rowid
          "CREATE TABLE c1(id INT, pid INT REFERENCES p ON DELETE CASCADE); CREATE INDEX c1_pid ON c1(pid);"
          "CREATE TABLE c2(a INT, b INT, FOREIGN KEY (a, b) REFERENCES p(a, b)); CREATE INDEX c2_ba ON c2(b, a);"
          "CREATE TABLE c3(pid INT UNIQUE REFERENCES p);"
          "CREATE TABLE c4(pid INTEGER PRIMARY KEY REFERENCES p);"
          "CREATE TABLE c5(pid INT PRIMARY KEY REFERENCES p) WITHOUT ROWID;"
          // not served: none, a partial index, an index led by another column, only a prefix
          "CREATE TABLE n1(pid INT REFERENCES p ON DELETE SET NULL);"
          "CREATE TABLE n2(pid INT REFERENCES p); CREATE INDEX n2_pid ON n2(pid) WHERE pid > 0;"
          "CREATE TABLE n3(x INT, pid INT REFERENCES p); CREATE INDEX n3_x ON n3(x, pid);"
          "CREATE TABLE n4(a INT, b INT, FOREIGN KEY (a, b) REFERENCES p(a, b)); CREATE INDEX n4_a ON n4(a)");
  EXPECT_THAT(Unindexed(db), ::testing::ElementsAre("n1(pid) -> p SET NULL/NO ACTION",
                                                     "n2(pid) -> p NO ACTION/NO ACTION",
                                                     "n3(pid) -> p NO ACTION/NO ACTION",
                                                     "n4(a,b) -> p NO ACTION/NO ACTION"));
}

TEST(ForeignKeysWithoutIndexTest, AnAttachedSchemaAndABadName) {
  testing::Db db;
  db.Exec("ATTACH ':memory:' AS aux; CREATE TABLE aux.p(id INTEGER PRIMARY KEY);"
          "CREATE TABLE aux.\"odd \"\"name\"(pid INT REFERENCES p)");
  EXPECT_THAT(Unindexed(db, "aux"), ::testing::ElementsAre("odd \"name(pid) -> p NO ACTION/NO ACTION"));
  EXPECT_THAT(Unindexed(db), ::testing::IsEmpty());
  absl::StatusOr<std::vector<UnindexedForeignKey>> bad = ForeignKeysWithoutIndex(db.get(), "nope");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), ::testing::HasSubstr("schema 'nope'"));
}

}  // namespace
}  // namespace doctor
