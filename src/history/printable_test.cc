#include "history/printable.h"

#include <gtest/gtest.h>

namespace squall::history {
namespace {

TEST(Printable, KeepsVisibleUtf8LineBreaksAndTabs) {
  std::string text = "p0 :read \"caf\xc3\xa9 \xf0\x9f\x8c\xa9\"\n\tnext";
  EXPECT_EQ(printable(text), text);
  EXPECT_TRUE(is_valid_utf8(text));
}

TEST(Printable, EscapesTerminalControls) {
  // ESC [ 2 J clears a terminal; BEL, DEL and the C1 CSI (U+009B) are controls too.
  EXPECT_EQ(printable("a\x1b[2Jb\x07"
                      "c\x7f"),
            "a\\u001b[2Jb\\u0007c\\u007f");
  EXPECT_EQ(printable("x\xc2\x9b"
                      "31m"),
            "x\\u009b31m");
  EXPECT_EQ(printable("cr\rlf"), "cr\\u000dlf");
}

TEST(Printable, SpellsInvalidUtf8AsHexBytes) {
  struct Case {
    std::string in, out;
  } cases[] = {
      {"\xff", "\\xff"},                             // never valid
      {"a\xc3", "a\\xc3"},                           // truncated sequence
      {"\xc0\xaf", "\\xc0\\xaf"},                    // overlong '/'
      {"\xed\xa0\x80", "\\xed\\xa0\\x80"},           // a UTF-16 surrogate
      {"\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"},  // above U+10FFFF
      {"\x80"
       "ok",
       "\\x80ok"},  // a lone continuation byte
  };
  for (const auto& c : cases) {
    EXPECT_FALSE(is_valid_utf8(c.in)) << c.out;
    std::string p = printable(c.in);
    EXPECT_EQ(p, c.out);
    EXPECT_TRUE(is_valid_utf8(p));
  }
}

}  // namespace
}  // namespace squall::history
