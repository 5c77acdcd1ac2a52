#include "proto/body_writer.h"

#include <gtest/gtest.h>

namespace squall::proto {
namespace {

TEST(BodyWriter, TypeFirstThenFieldsThenIds) {
  BodyWriter w("read_ok");
  w.put("value", int64_t{5});
  EXPECT_EQ(w.finish(7, 3), R"({"type":"read_ok","value":5,"msg_id":7,"in_reply_to":3})");
}

TEST(BodyWriter, RawAndNestedValues) {
  BodyWriter w("poll_ok");
  w.key("msgs");
  w.json().StartObject();
  w.key("k");
  w.raw("[[0,1]]");
  w.json().EndObject();
  w.put_bool("b", true).put("s", "x\"y");
  EXPECT_EQ(w.finish(std::nullopt, 1),
            R"({"type":"poll_ok","msgs":{"k":[[0,1]]},"b":true,"s":"x\"y","in_reply_to":1})");
}

TEST(BodyWriter, ErrorBody) {
  BodyWriter w("error");
  error_body(w, 10, "nope");
  EXPECT_EQ(w.finish(std::nullopt, 2), R"({"type":"error","code":10,"text":"nope","in_reply_to":2})");
}

}  // namespace
}  // namespace squall::proto
