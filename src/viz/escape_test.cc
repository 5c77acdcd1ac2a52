#include "viz/escape.h"

#include <gtest/gtest.h>

#include "viz/testing/xml_check.h"
#include "viz/xml_writer.h"

namespace squall::viz {
namespace {

TEST(Escape, MarkupCharactersBecomeEntities) {
  EXPECT_EQ(escape_xml(R"(<a href="x">&'</a>)"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(escape_xml("plain text"), "plain text");
}

TEST(Escape, ControlBytesAndBadUtf8AreReplaced) {
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(escape_xml(std::string("a\0b", 3)), "a" + r + "b");
  EXPECT_EQ(escape_xml("tab\tnl\n"), "tab\tnl\n");
  EXPECT_EQ(escape_xml("\x1b[31m"), r + "[31m");
  EXPECT_EQ(escape_xml("\xff"), r);
  EXPECT_EQ(escape_xml("\xC0\xAF"), r + r);                                       // overlong '/'
  EXPECT_EQ(escape_xml("\xED\xA0\x80"), r + r + r);                               // a surrogate
  EXPECT_EQ(escape_xml("caf\xC3\xA9 \xE2\x86\x92"), "caf\xC3\xA9 \xE2\x86\x92");  // valid UTF-8 kept
  EXPECT_EQ(escape_xml("\xE2\x86"), r + r);                                       // truncated sequence
}

TEST(Escape, JsonStringsCannotCloseTheirScript) {
  EXPECT_EQ(json_string_for_script(R"(a"b\c)"), R"("a\"b\\c")");
  EXPECT_EQ(json_string_for_script("</script><!--&"), R"("\u003c/script\u003e\u003c!--\u0026")");
  EXPECT_EQ(json_string_for_script(std::string("\n\0\x7f", 3)), R"("\u000a\u0000\u007f")");
  EXPECT_EQ(json_string_for_script("caf\xC3\xA9 \xff"), "\"caf\xC3\xA9 \xEF\xBF\xBD\"");  // bad UTF-8 replaced
}

TEST(Escape, ClipKeepsCharactersWhole) {
  EXPECT_EQ(clip_utf8("abc", 5), "abc");
  EXPECT_EQ(clip_utf8("abcdef", 3), "abc\xE2\x80\xA6");
  EXPECT_EQ(clip_utf8("ab\xC3\xA9", 3), "ab\xE2\x80\xA6");  // never half of the é
}

TEST(XmlWriter, HostileTextStaysText) {
  XmlWriter w;
  w.open("svg", {{"class", "a\"><script>alert(1)</script>"}});
  w.element("text", {}, "</svg><script>x()</script>&");
  w.close("svg");
  std::string doc = w.finish();
  auto check = squall::testing::check_xml(doc);
  ASSERT_TRUE(check.ok) << check.error << "\n" << doc;
  EXPECT_EQ(check.tags.count("script"), 0u);
  EXPECT_EQ(check.tags["svg"], 1);
}

TEST(XmlWriter, NumbersAreShort) {
  EXPECT_EQ(num(3.0), "3");
  EXPECT_EQ(num(2.25), "2.2");
  EXPECT_EQ(num(-0.01), "0");
}

TEST(XmlCheck, CatchesBrokenDocuments) {
  // The checker must be able to fail, or the tests built on it prove nothing.
  EXPECT_FALSE(squall::testing::check_xml("<a><b></a></b>").ok);
  EXPECT_FALSE(squall::testing::check_xml("<a>x < y</a>").ok);
  EXPECT_FALSE(squall::testing::check_xml("<a>x & y</a>").ok);
  EXPECT_FALSE(squall::testing::check_xml("<a x=1></a>").ok);
  EXPECT_FALSE(squall::testing::check_xml("<a>").ok);
  EXPECT_TRUE(squall::testing::check_xml("<a x=\"1\"><b/>&amp;</a>").ok);
}

}  // namespace
}  // namespace squall::viz
