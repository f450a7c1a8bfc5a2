#include "ext/report/html.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace doctor::report::html {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kHostile[] = "SELECT '</script><img src=x onerror=alert(1)>' AS \"a&b\"";

TEST(HtmlTest, EscapeCoversTextAndAttributes) {
  EXPECT_EQ(Escape("<a href=\"x\">it's & </a>"),
            "&lt;a href=&quot;x&quot;&gt;it&#39;s &amp; &lt;/a&gt;");
  EXPECT_EQ(Escape("plain ünïcode"), "plain ünïcode");
}

TEST(HtmlTest, HostileTextNeverBecomesMarkup) {
  Page page(kHostile);
  page.Section("s", kHostile, kHostile);
  page.Paragraph(kHostile);
  page.Note(kHostile);
  page.Badges({{kHostile, kHostile}});
  page.AddTable({{kHostile},
                 {{Cell::Text(kHostile)},
                  {Cell::Code(kHostile)},
                  {Cell::Fix(kHostile)},
                  {Cell::Details(kHostile, kHostile)},
                  {Cell::Bars({1, 2}, kHostile, kHostile, kHostile)}},
                 true,
                 {kHostile}});
  const std::string out = std::move(page).Finish();
  EXPECT_THAT(out, Not(HasSubstr("<img")));
  EXPECT_THAT(out, Not(HasSubstr("</script><")));
  EXPECT_THAT(out, HasSubstr("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"));
  // The page's own script is the only one, and it is whole.
  EXPECT_EQ(out.find("<script>"), out.rfind("<script>"));
  EXPECT_EQ(out.find("</script>"), out.rfind("</script>"));
}

TEST(HtmlTest, PageIsSelfContained) {
  Page page("t");
  page.Section("a", "A");
  const std::string out = std::move(page).Finish();
  EXPECT_THAT(out, HasSubstr("default-src 'none'"));
  EXPECT_THAT(out, Not(HasSubstr("http://")));
  EXPECT_THAT(out, Not(HasSubstr("https://")));
  EXPECT_THAT(out, Not(HasSubstr(" src=")));
  EXPECT_THAT(out, HasSubstr("<a href=\"#a\">A</a>"));
}

TEST(HtmlTest, CellsCutLongTextAtACharacter) {
  const std::string long_text = std::string(kMaxCellBytes - 1, 'a') + "é" + "tail";
  const Cell cell = Cell::Text(long_text);
  EXPECT_THAT(cell.html, Not(HasSubstr("tail")));
  EXPECT_THAT(cell.html, HasSubstr("…"));
  EXPECT_EQ(cell.html.find("\xC3…"), std::string::npos) << "no half character";
}

TEST(HtmlTest, NumbersSortByValue) {
  const Cell cell = Cell::Number(1234.5678, 1);
  EXPECT_EQ(cell.html, "1234.6");
  EXPECT_EQ(cell.sort_key, "1234.5678");
  EXPECT_TRUE(cell.number);
}

// A statement that ran once in 0.67 µs showed "0.00" total ms, as if it had taken no time.
TEST(HtmlTest, ASmallNonZeroNumberIsNeverShownAsZero) {
  EXPECT_EQ(Cell::Number(0.00067, 2).html, "0.0007");
  EXPECT_EQ(Cell::Number(0.04, 1).html, "0.04");
  EXPECT_EQ(Cell::Number(-0.004, 1).html, "-0.004");
  EXPECT_EQ(Cell::Number(1e-30, 2).html, "0.00");  // beyond the 9 places shown at most
  EXPECT_EQ(Cell::Number(0, 2).html, "0.00");
  EXPECT_EQ(Cell::Number(0.005, 2).html, "0.01");  // rounds to a non-zero already
  EXPECT_EQ(Cell::Number(2.5, 0).html, "2");
}

TEST(HtmlTest, SparklineParsesBarsAndGaps) {
  const Sparkline s = ParseSparkline("45µs ▁▃█ ▂ 362µs");
  EXPECT_EQ(s.low, "45µs");
  EXPECT_EQ(s.high, "362µs");
  EXPECT_EQ(s.levels, (std::vector<double>{1, 3, 8, 0, 2}));
  EXPECT_TRUE(ParseSparkline("").levels.empty());
  EXPECT_TRUE(ParseSparkline("12ms █ 17ms").levels.size() == 1);
  EXPECT_TRUE(ParseSparkline("not a sparkline at all").levels.empty());
}

}  // namespace
}  // namespace doctor::report::html
