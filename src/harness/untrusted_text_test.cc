#include "harness/untrusted_text.h"

#include <gtest/gtest.h>

namespace squall::harness {
namespace {

TEST(UntrustedText, ValidUtf8ReplacesEveryMalformedByte) {
  EXPECT_TRUE(is_valid_utf8("plain \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  for (std::string_view bad : {std::string_view("\xff"), std::string_view("\xc0\xaf"),  // overlong '/'
                               std::string_view("\xed\xa0\x80"),                        // a UTF-16 surrogate
                               std::string_view("\xf4\x90\x80\x80"),                    // past U+10FFFF
                               std::string_view("\xe2\x82")}) {                         // cut short
    EXPECT_FALSE(is_valid_utf8(bad));
    std::string fixed = valid_utf8(bad);
    EXPECT_TRUE(is_valid_utf8(fixed));
    EXPECT_NE(fixed.find("\xef\xbf\xbd"), std::string::npos);
  }
  EXPECT_EQ(valid_utf8("a\xff"
                       "b"),
            "a\xef\xbf\xbd"
            "b");
}

TEST(UntrustedText, PrintableLeavesNoTerminalControl) {
  EXPECT_EQ(printable("\x1b[2J\r\x07ok\tx"), "\\x1b[2J\\x0d\\x07ok\tx");
  EXPECT_EQ(printable("a\nb"), "a\\x0ab");
  EXPECT_EQ(printable("a\nb", true), "a\nb");
  EXPECT_EQ(printable("\xc2\x9b"
                      "31m"),
            "\\u009b31m");  // C1 CSI
  EXPECT_EQ(printable("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(printable("é — ═"), "é — ═");
}

}  // namespace
}  // namespace squall::harness
