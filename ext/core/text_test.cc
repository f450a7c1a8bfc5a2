#include "ext/core/text.h"

#include <string>

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

// Powers of 1024 are labelled KiB, MiB, GiB: wal_health's "460 frames (1.8 MB)" was 1895200
// bytes, which is 1.9 MB.
TEST(HumanBytesTest, BinaryUnitsSaySo) {
  EXPECT_EQ(HumanBytes(0), "0 bytes");
  EXPECT_EQ(HumanBytes(512), "512 bytes");
  EXPECT_EQ(HumanBytes(1536), "1.5 KiB");
  EXPECT_EQ(HumanBytes(1895200), "1.8 MiB");
  EXPECT_EQ(HumanBytes(2254857830), "2.1 GiB");
  EXPECT_EQ(HumanBytes(uint64_t{2} << 20), "2.0 MiB");
}

// A failed run of 0.045 ms read "their longest run took 0.0 ms" in doctor_report.
TEST(HumanDecimalTest, NeverRoundsToAFalseZero) {
  EXPECT_EQ(HumanDecimal(0.045, 1), "0.045");
  EXPECT_EQ(HumanDecimal(0.00067, 2), "0.0007");
  EXPECT_EQ(HumanDecimal(0.040, 1), "0.04");
  EXPECT_EQ(HumanDecimal(-0.02, 1), "-0.02");
  EXPECT_EQ(HumanDecimal(12.34, 1), "12.3");
  EXPECT_EQ(HumanDecimal(196.84, 1), "196.8");
  EXPECT_EQ(HumanDecimal(0, 1), "0.0");
  EXPECT_EQ(HumanDecimal(1e-12, 1), "0.0");  // at most 9 places: none shows it
}

TEST(ShortenMiddleTest, KeepsTheStartAndTheEndOfALongMessage) {
  EXPECT_EQ(ShortenMiddle("near \"abc\": syntax error", 100), "near \"abc\": syntax error");
  const std::string message = "near \"" + std::string(1000000, 'x') + "\": syntax error";
  const std::string shown = ShortenMiddle(message, 400);
  EXPECT_LE(shown.size(), 400u);
  EXPECT_EQ(shown.rfind("near \"xxx", 0), 0u) << shown;
  EXPECT_NE(shown.find("xxx\": syntax error"), std::string::npos) << shown;
  EXPECT_NE(shown.find(" bytes left out]... "), std::string::npos) << shown;
  // Every byte is either shown or counted as left out.
  const size_t open = shown.find(" ...["), close = shown.find(" bytes left out]... ");
  const size_t left_out = std::stoul(shown.substr(open + 5, close - open - 5));
  EXPECT_EQ(open + left_out + (shown.size() - close - 20), message.size());
  // Cut on character boundaries: 3-byte characters throughout.
  std::string euros;
  for (int i = 0; i < 1000; ++i) euros += "\xE2\x82\xAC";
  const std::string cut = ShortenMiddle(euros, 200);
  EXPECT_LE(cut.size(), 200u);
  EXPECT_EQ(cut.substr(0, cut.find(" ...[")).size() % 3, 0u);
  EXPECT_EQ((cut.size() - cut.find("out]... ") - 8) % 3, 0u);
  EXPECT_EQ(ShortenMiddle(euros, 10), "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC");  // too short for the marker
}

TEST(JoinFirstTest, ListsTheFirstItemsAndCountsTheRest) {
  EXPECT_EQ(JoinFirst({"a", "b", "c"}, "; ", 2), "a; b; and 1 more");
  EXPECT_EQ(JoinFirst({"a", "b"}, "; ", 2), "a; b");
  EXPECT_EQ(JoinFirst({}, ", ", 2), "");
}

}  // namespace
}  // namespace doctor
