#include "ext/report/index_fixes.h"

#include "absl/strings/str_cat.h"

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

// Two queries of a job queue each needed jobs(locked_at) WHERE state = 'running': both findings
// carried its CREATE (partial indexes were left out of the merge), and running every fix failed
// on the second ("index ... already exists").
TEST(MergeIndexFixesTest, ThePartialIndexOfTwoFindingsIsBuiltOnce) {
  std::vector<Finding> f = {
      Fix("timing", "q1", "CREATE INDEX p ON jobs(locked_at) WHERE state = 'running'"),
      Fix("timing", "q2", "CREATE INDEX p ON jobs(locked_at) WHERE state = 'running'"),
      Fix("timing", "q3", "CREATE INDEX r ON jobs(locked_at) WHERE state = 'queued'"),
  };
  MergeIndexFixes(f);
  EXPECT_TRUE(f[0].fix_sql);
  EXPECT_FALSE(f[1].fix_sql);
  EXPECT_THAT(f[1].advice, HasSubstr("creates the index p already"));
  EXPECT_TRUE(f[2].fix_sql) << "another partial index";
}

// WordPress's post_parent and comment_post_ID: the advisor's index extended them, and the report
// after one run of the fixes said to drop each as a prefix. The fix that extends an index drops
// it, when index_lint would call it a prefix: not a UNIQUE one, nor one whose directions differ
// past its first column, nor one that another fix drops already.
TEST(PrefixesOfIndexFixesTest, TheIndexesAFixExtendsAreDroppedWithIt) {
  std::vector<ExistingIndex> existing;
  for (const char* sql : {
           "CREATE INDEX \"Orders_Customer\" ON orders(customer_id)",
           "CREATE UNIQUE INDEX orders_unique ON orders(customer_id)",
           "CREATE INDEX orders_mixed ON orders(customer_id, total DESC)",
           "CREATE INDEX orders_nocase ON orders(customer_id COLLATE NOCASE)",
           "CREATE INDEX orders_total ON orders(total)",
           "CREATE INDEX orders_partial ON orders(customer_id) WHERE total > 5",
           "CREATE INDEX orders_linted ON orders(customer_id DESC)",
           "CREATE INDEX items_kind ON items(kind_id)",
       }) {
    std::optional<IndexShape> shape = ParseCreateIndex(sql);
    ASSERT_TRUE(shape) << sql;
    existing.push_back({shape->name == "orders_customer" ? "Orders_Customer" : shape->name,
                        *shape});
  }
  std::vector<Finding> f = {
      Fix("indexes", "orders_linted", "DROP INDEX orders_linted;"),
      Fix("timing", "q1",
          "CREATE INDEX idx_orders_customer_id_total ON orders(customer_id, total, status)"),
      Fix("timing", "q2", "CREATE INDEX idx_orders_customer_id_x ON orders(customer_id, x)"),
      Fix("timing", "q3", "CREATE INDEX idx_items_kind_id ON items(kind_id) WHERE a = 1"),
  };
  std::vector<std::string> got;
  for (const auto& [k, name] : PrefixesOfIndexFixes(existing, f)) {
    got.push_back(absl::StrCat(f[k].object, " ", name));
  }
  EXPECT_THAT(got, ElementsAre("q1 Orders_Customer"));
  EXPECT_THAT(PrefixesOfIndexFixes(existing, {Fix("timing", "q", "CREATE INDEX i ON orders("
                                                                  "customer_id, total DESC, z)")}),
              ElementsAre(std::make_pair(size_t{0}, std::string("Orders_Customer")),
                          std::make_pair(size_t{0}, std::string("orders_mixed")),
                          std::make_pair(size_t{0}, std::string("orders_linted"))));
}

}  // namespace
}  // namespace doctor::report
