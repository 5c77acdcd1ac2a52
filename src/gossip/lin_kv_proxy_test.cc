#include "gossip/lin_kv_proxy.h"

#include <gtest/gtest.h>

#include "gossip/gossip_test_util.h"

namespace squall::gossip {
namespace {

using testing::Harness;
using V = std::vector<std::string>;

TEST(LinKvProxy, ForwardsRequestsAndRelaysReplies) {
  Harness h;
  EXPECT_EQ(h.deliver("c1", R"({"type":"read","msg_id":1,"key":3})"), V{R"(lin-kv {"type":"read","key":3,"msg_id":1})"});
  EXPECT_EQ(h.deliver("c1", R"({"type":"write","msg_id":2,"key":3,"value":4})"),
            V{R"(lin-kv {"type":"write","key":3,"value":4,"msg_id":2})"});
  EXPECT_EQ(h.deliver("c1", R"({"type":"cas","msg_id":3,"key":3,"from":4,"to":1})"),
            V{R"(lin-kv {"type":"cas","key":3,"from":4,"to":1,"msg_id":3})"});
  EXPECT_EQ(h.deliver("lin-kv", R"({"type":"read_ok","in_reply_to":1,"value":[1,2]})"),
            V{R"(c1 {"type":"read_ok","value":[1,2],"in_reply_to":1})"});
  EXPECT_EQ(h.deliver("lin-kv", R"({"type":"write_ok","in_reply_to":2})"), V{R"(c1 {"type":"write_ok","in_reply_to":2})"});
  EXPECT_EQ(h.deliver("lin-kv", R"({"type":"error","in_reply_to":3,"code":22,"text":"expected 4, had 2"})"),
            V{R"(c1 {"type":"error","code":22,"text":"expected 4, had 2","in_reply_to":3})"});
}

TEST(LinKvProxy, ServiceTimeoutIsIndefinite) {
  Harness h;
  h.deliver("c1", R"({"type":"write","msg_id":1,"key":1,"value":1})");
  EXPECT_EQ(h.tick(2000), V{R"(c1 {"type":"error","code":0,"text":"lin-kv did not answer in time","in_reply_to":1})"});
}

TEST(LinKvProxy, MissingFieldsAreMalformed) {
  Harness h;
  EXPECT_EQ(h.ask(R"({"type":"write","msg_id":1,"key":1})"),
            V{R"({"type":"error","code":12,"text":"write requires keys \"key\" and \"value\"","in_reply_to":1})"});
  EXPECT_EQ(h.ask(R"({"type":"cas","msg_id":2,"key":1,"from":1})"),
            V{R"({"type":"error","code":12,"text":"cas requires keys \"key\", \"from\" and \"to\"","in_reply_to":2})"});
}

TEST(LinKvProxy, ViaFaultUsesAnotherService) {
  Faults f;
  f.lin_kv_via = "lww-kv";
  Harness h({}, f);
  EXPECT_EQ(h.deliver("c1", R"({"type":"read","msg_id":1,"key":3})"), V{R"(lww-kv {"type":"read","key":3,"msg_id":1})"});
}

}  // namespace
}  // namespace squall::gossip
