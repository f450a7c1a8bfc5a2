#include "ext/core/json_text.h"

#include <string>

#include "gtest/gtest.h"

namespace doctor {
namespace {

TEST(JsonForMessageTest, QuotesSmallValuesAsDumpWrites) {
  EXPECT_EQ(JsonForMessage(nlohmann::json::parse(R"({"t":-1,"u":[1,"x",null]})")),
            R"({"t":-1,"u":[1,"x",null]})");
  EXPECT_EQ(JsonForMessage(nlohmann::json::parse("[]")), "[]");
  EXPECT_EQ(JsonForMessage(nlohmann::json::parse("\"three\"")), "\"three\"");
}

TEST(JsonForMessageTest, ADeepValueIsCutWithoutRecursingIntoIt) {
  EXPECT_EQ(JsonForMessage(nlohmann::json::parse("[[[[[[1]]]]]]")), "[[[[[...]]]]]");
  // dump() recursed once per level and overflowed the stack of the caller (a SEGV).
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(JsonForMessage(nlohmann::json::parse(deep)), "[[[[[...]]]]]");
}

TEST(JsonForMessageTest, ALongValueIsCut) {
  const std::string message = JsonForMessage(nlohmann::json(std::string(1000000, 'x')));
  EXPECT_EQ(message.size(), kMessageBytes + 3);
  EXPECT_EQ(message.substr(message.size() - 3), "...");
  nlohmann::json wide = nlohmann::json::array();
  for (int i = 0; i < 100000; ++i) wide.push_back(i);
  EXPECT_LE(JsonForMessage(wide).size(), kMessageBytes + 3);
}

TEST(JsonTextTest, TextThatIsNotUtf8IsReplacedNotThrown) {
  EXPECT_EQ(JsonText(nlohmann::json::array({"a\xFF" "b"})), "[\"a\xEF\xBF\xBD" "b\"]");
  EXPECT_EQ(JsonText(nlohmann::json{{"k", 1}}), R"({"k":1})");
}

}  // namespace
}  // namespace doctor
