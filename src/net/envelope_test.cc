#include "net/envelope.h"

#include <gtest/gtest.h>

namespace squall::net {
namespace {

proto::Message parsed(std::string_view line) {
  proto::EnvelopeResult r = proto::parse_envelope(line);
  SQ_ASSERT(std::holds_alternative<proto::Message>(r));
  return std::move(std::get<proto::Message>(r));
}

TEST(Envelope, StampKeepsTheNodesBytesAndItsSrc) {
  // A forwarded request keeps the client's src; numbers past double precision and odd
  // escapes must reach the peer exactly as written.
  std::string line =
      R"(  {"src":"c5","dest":"n0","body":{"type":"write","msg_id":3,"value":123456789012345678901234567890,"s":"\u00e9"}} )";
  std::string out = stamp_envelope(42, parsed(line), line);
  EXPECT_EQ(
      out,
      R"({"id":42,"src":"c5","dest":"n0","body":{"type":"write","msg_id":3,"value":123456789012345678901234567890,"s":"\u00e9"}})");
  proto::Message back = parsed(out);
  EXPECT_EQ(back.id(), 42);
  EXPECT_EQ(back.src(), "c5");
}

TEST(Envelope, StampReplacesTheNodesOwnId) {
  std::string line = R"({"id":7,"src":"n1","dest":"n2","body":{"type":"gossip"}})";
  std::string out = stamp_envelope(9, parsed(line), line);
  proto::Message back = parsed(out);
  EXPECT_EQ(back.id(), 9);
  EXPECT_EQ(back.dest(), "n2");
  EXPECT_EQ(back.type(), "gossip");
  EXPECT_EQ(out.find("\"id\":7"), std::string::npos) << out;
}

// A node's own id is replaced around the body exactly as the node wrote it (the body is
// not written anew from its document: 1.50 stays 1.50).
TEST(Envelope, StampKeepsTheBodyAsWritten) {
  std::string with_id = R"({"id":7,"src":"n1","dest":"n2","body": {"type":"gossip","v":1.50,"s":"\u00e9"}})";
  EXPECT_EQ(stamp_envelope(9, parsed(with_id), with_id),
            R"({"id":9,"src":"n1","dest":"n2","body":{"type":"gossip","v":1.50,"s":"\u00e9"}})");
}

TEST(Envelope, EncodeEscapesNames) {
  std::string out = encode_envelope(1, "lin-kv", "c\"1", R"({"type":"read_ok","in_reply_to":2})");
  EXPECT_EQ(out, R"({"id":1,"src":"lin-kv","dest":"c\"1","body":{"type":"read_ok","in_reply_to":2}})");
  EXPECT_EQ(parsed(out).dest(), "c\"1");
}

}  // namespace
}  // namespace squall::net
