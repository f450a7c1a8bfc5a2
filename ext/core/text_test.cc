#include "ext/core/text.h"

#include "gtest/gtest.h"

namespace doctor {
namespace {

TEST(Utf8PrefixTest, CutsOnlyAtCharacterBoundaries) {
  EXPECT_EQ(Utf8Prefix("abc", 5), "abc");
  EXPECT_EQ(Utf8Prefix("abc", 3), "abc");
  EXPECT_EQ(Utf8Prefix("abc", 2), "ab");
  EXPECT_EQ(Utf8Prefix("caf\xC3\xA9!", 4), "caf");        // é is 2 bytes
  EXPECT_EQ(Utf8Prefix("caf\xC3\xA9!", 5), "caf\xC3\xA9");
  EXPECT_EQ(Utf8Prefix("\xE2\x82\xAC\xE2\x82\xAC", 5), "\xE2\x82\xAC");  // € is 3 bytes
  EXPECT_EQ(Utf8Prefix("\xF0\x9F\x98\x80", 3), "");                    // a 4-byte emoji
  EXPECT_EQ(Utf8Prefix("", 0), "");
}

TEST(JoinFirstTest, ListsTheFirstItemsAndCountsTheRest) {
  EXPECT_EQ(JoinFirst({"a", "b", "c"}, "; ", 2), "a; b; and 1 more");
  EXPECT_EQ(JoinFirst({"a", "b"}, "; ", 2), "a; b");
  EXPECT_EQ(JoinFirst({}, ", ", 2), "");
}

}  // namespace
}  // namespace doctor
