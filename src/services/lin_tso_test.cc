#include "services/lin_tso.h"

#include <gtest/gtest.h>

#include "services/testing/service_calls.h"

namespace squall::services {
namespace {

using testing::call;
using testing::code_of;
using testing::type_of;

TEST(LinTso, TimestampsAreConsecutiveFromZero) {
  LinTso tso;
  for (int i = 0; i < 50; ++i) {
    auto r = call(tso, i % 2 ? "n1" : "n0", R"({"type":"ts","msg_id":)" + std::to_string(i + 1) + "}");
    ASSERT_EQ(type_of(r), "ts_ok");
    EXPECT_EQ(r["ts"].GetInt(), i);
    EXPECT_EQ(r["in_reply_to"].GetInt(), i + 1);
  }
}

TEST(LinTso, UnknownAndMalformedRequests) {
  LinTso tso;
  EXPECT_EQ(code_of(call(tso, "n0", R"({"type":"read","msg_id":1,"key":1})")), 10);
  EXPECT_EQ(code_of(call(tso, "n0", R"({"msg_id":1})")), 12);
  EXPECT_EQ(code_of(call(tso, "n0", "\"ts\"")), 12);
  // Refused requests do not consume timestamps.
  EXPECT_EQ(call(tso, "n0", R"({"type":"ts","msg_id":2})")["ts"].GetInt(), 0);
}

}  // namespace
}  // namespace squall::services
