#include "ext/core/setting.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace doctor {
namespace {

using ::testing::HasSubstr;

TEST(SettingTest, IntAcceptsIntegersInRangeOnly) {
  Setting s = Setting::Int("slow_ms", 100, 0, 1000, "slow");
  EXPECT_EQ(s.Get(), 100);
  EXPECT_TRUE(s.Set(Value(250)).ok());
  EXPECT_EQ(s.Get(), 250);
  EXPECT_TRUE(s.Set(Value("300")).ok());
  EXPECT_EQ(s.Display(), "300");
  EXPECT_TRUE(s.Set(Value(12.0)).ok());
  EXPECT_EQ(s.Get(), 12);

  absl::Status bad = s.Set(Value("fast"));
  EXPECT_THAT(std::string(bad.message()),
              HasSubstr("setting 'slow_ms' accepts an integer from 0 to 1000; got 'fast'"));
  EXPECT_FALSE(s.Set(Value(1001)).ok());
  EXPECT_FALSE(s.Set(Value(-1)).ok());
  EXPECT_FALSE(s.Set(Value(1.5)).ok());
  EXPECT_FALSE(s.Set(Value::Null()).ok());
  EXPECT_FALSE(s.Set(Value(Blob{"x"})).ok());
  EXPECT_EQ(s.Get(), 12) << "a rejected value leaves the setting unchanged";
  s.Reset();
  EXPECT_EQ(s.Get(), 100);
}

TEST(SettingTest, GenerationMovesOnEveryChangeOnly) {
  Setting s = Setting::Int("slow_ms", 100, 0, 1000, "slow");
  const uint64_t g0 = Setting::Generation();
  EXPECT_FALSE(s.Set(Value("fast")).ok());
  EXPECT_EQ(Setting::Generation(), g0) << "a rejected value is no change";
  EXPECT_TRUE(s.Set(Value(5)).ok());
  const uint64_t g1 = Setting::Generation();
  EXPECT_NE(g1, g0);
  s.Reset();
  EXPECT_NE(Setting::Generation(), g1);
}

TEST(SettingTest, TextAcceptsNamesOnly) {
  Setting s = Setting::Text("drizzle_table", "__drizzle_migrations", "table");
  EXPECT_EQ(s.GetText(), "__drizzle_migrations");
  const uint64_t g0 = Setting::Generation();
  EXPECT_TRUE(s.Set(Value("app \"migrations\"")).ok());
  EXPECT_NE(Setting::Generation(), g0);
  EXPECT_EQ(s.Display(), "app \"migrations\"");
  EXPECT_EQ(s.DefaultDisplay(), "__drizzle_migrations");
  EXPECT_THAT(std::string(s.Set(Value("")).message()),
              HasSubstr("setting 'drizzle_table' accepts a name of 1 to 128 bytes; got ''"));
  EXPECT_FALSE(s.Set(Value(std::string(129, 'x'))).ok());
  EXPECT_FALSE(s.Set(Value(std::string("a\0b", 3))).ok());
  EXPECT_FALSE(s.Set(Value(5)).ok());
  EXPECT_FALSE(s.Set(Value::Null()).ok());
  EXPECT_EQ(s.GetText(), "app \"migrations\"") << "a rejected value leaves the setting unchanged";
  Setting moved(std::move(s));
  EXPECT_EQ(moved.GetText(), "app \"migrations\"");
  moved.Reset();
  EXPECT_EQ(moved.GetText(), "__drizzle_migrations");
}

TEST(SettingTest, BoolAcceptsWordsAndBits) {
  Setting s = Setting::Bool("timing", true, "timing");
  EXPECT_TRUE(s.Set(Value("OFF")).ok());
  EXPECT_FALSE(s.On());
  EXPECT_EQ(s.Display(), "off");
  EXPECT_TRUE(s.Set(Value(1)).ok());
  EXPECT_TRUE(s.On());
  EXPECT_TRUE(s.Set(Value("no")).ok());
  EXPECT_FALSE(s.On());
  EXPECT_FALSE(s.Set(Value(2)).ok());
  EXPECT_THAT(std::string(s.Set(Value("maybe")).message()), HasSubstr("on or off"));
}

TEST(SettingTest, EnumAcceptsItsChoicesByName) {
  Setting s = Setting::Enum("mode", {"passive", "full"}, 0, "mode");
  EXPECT_EQ(s.Display(), "passive");
  EXPECT_TRUE(s.Set(Value("Full")).ok());
  EXPECT_EQ(s.Display(), "full");
  EXPECT_EQ(s.DefaultDisplay(), "passive");
  EXPECT_THAT(std::string(s.Set(Value(1)).message()), HasSubstr("one of: passive, full"));
}

}  // namespace
}  // namespace doctor
