#include "ext/report/index_fixes.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace doctor::report {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ParseCreateIndexTest, NamesTableColumnsAndWhere) {
  auto s = ParseCreateIndex(
      "CREATE UNIQUE INDEX IF NOT EXISTS \"main\".\"Idx A\" ON \"T\"(a, \"B\" DESC, c COLLATE "
      "nocase, lower(d)) WHERE a > 1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "idx a");
  EXPECT_EQ(s->table, "t");
  EXPECT_THAT(s->columns, ElementsAre("a", "b", "c", "lower(d)"));
  EXPECT_TRUE(s->partial);
  s = ParseCreateIndex("-- the FK\nCREATE INDEX i ON t(x)");
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->partial);
  EXPECT_FALSE(ParseCreateIndex("DROP INDEX i"));
  EXPECT_FALSE(ParseCreateIndex("CREATE INDEX i ON t(x"));
  EXPECT_FALSE(ParseCreateIndex("PRAGMA foreign_keys = ON"));
}

TEST(ParseCreateIndexTest, SameColumnsWhateverTheNameAndQuoting) {
  const auto same = [](const char* a, const char* b) {
    const std::optional<IndexShape> shape_a = ParseCreateIndex(a);
    const std::optional<IndexShape> shape_b = ParseCreateIndex(b);
    return shape_a && shape_b && SameIndexColumns(*shape_a, *shape_b);
  };
  EXPECT_TRUE(same("CREATE INDEX \"main\".\"t_a_idx\" ON \"t\"(\"a\")",
                   "CREATE INDEX idx_t_a ON t(a)"));
  EXPECT_FALSE(same("CREATE INDEX x ON t(a)", "CREATE INDEX y ON t(a, b)"));
  EXPECT_FALSE(same("CREATE INDEX x ON t(a)", "CREATE INDEX y ON u(a)"));
}

Finding Fix(const char* area, const char* object, const char* sql) {
  return {area, Severity::kWarn, object, "", "advice", std::string(sql), 0};
}

TEST(MergeIndexFixesTest, APrefixOrTheSameIndexIsBuiltOnce) {
  std::vector<Finding> f = {
      Fix("schema", "orders(customer_id)",
          "CREATE INDEX idx_orders_customer_id ON orders(customer_id)"),
      Fix("timing", "q1",
          "CREATE INDEX idx_orders_customer_id_total ON orders(customer_id, total)"),
      Fix("schema", "items(kind_id)", "CREATE INDEX idx_items_kind_id ON items(kind_id)"),
      Fix("timing", "q2", "CREATE INDEX idx_items_kind_id ON items(kind_id)"),
      Fix("timing", "q3", "CREATE INDEX p ON orders(customer_id) WHERE total > 5"),
      Fix("schema", "main", "ANALYZE \"main\""),
  };
  MergeIndexFixes(f);
  EXPECT_FALSE(f[0].fix_sql) << "a prefix of q1's index";
  EXPECT_THAT(f[0].advice,
              HasSubstr("idx_orders_customer_id_total (the fix of the timing finding on q1)"));
  EXPECT_TRUE(f[1].fix_sql);
  EXPECT_TRUE(f[2].fix_sql) << "the first of two equal ones keeps its fix";
  EXPECT_FALSE(f[3].fix_sql);
  EXPECT_TRUE(f[4].fix_sql) << "a partial index is its own thing";
  EXPECT_TRUE(f[5].fix_sql);
}

}  // namespace
}  // namespace doctor::report
