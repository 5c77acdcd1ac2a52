// The control API's codec: every request type decodes to the coordinator request it
// names (and encodes back to an equivalent line), answers decode back to the reply
// they encode, and malformed or hostile lines are errors, never crashes.
#include "worker_driver/control_codec.h"

#include <gtest/gtest.h>

#include "core/rng.h"

namespace squall::worker_driver {
namespace {

const Identity kWho{7, 9, 3};

ControlRequest ok(std::string_view line) {
  auto d = decode_request(line, kWho);
  if (auto* e = std::get_if<ControlError>(&d)) ADD_FAILURE() << line << ": " << e->message;
  return std::get<ControlRequest>(d);
}

std::string error_of(std::string_view line) {
  auto d = decode_request(line, kWho);
  if (!std::holds_alternative<ControlError>(d)) {
    ADD_FAILURE() << "decoded: " << line;
    return "";
  }
  return std::get<ControlError>(d).message;
}

TEST(ControlCodec, EachTypeDecodesToItsRequestWithTheWorkersIdentity) {
  auto cp = ok(R"({"op_id":5,"type":"checkpoint","shard":4,"fence":2,"cursor":"c00000010"})");
  ASSERT_TRUE(std::holds_alternative<coord::CheckpointOp>(cp.request));
  const auto& c = std::get<coord::CheckpointOp>(cp.request);
  EXPECT_EQ(c.lease, (coord::LeaseToken{{7, 9, 4}, 3, 2}));
  EXPECT_EQ(c.cursor.last_key, "c00000010");
  EXPECT_EQ(c.op_id, 5u);

  auto acq = ok(R"({"op_id":6,"type":"acquire","shard":4})");
  EXPECT_EQ(std::get<coord::AcquireOp>(acq.request).ref, (coord::ShardRef{7, 9, 4}));
  EXPECT_EQ(std::get<coord::AcquireOp>(acq.request).worker, 3u);
  EXPECT_TRUE(std::holds_alternative<coord::ClaimNextOp>(ok(R"({"op_id":1,"type":"claim"})").request));
  EXPECT_TRUE(std::holds_alternative<coord::RenewOp>(ok(R"({"op_id":1,"type":"renew","shard":1,"fence":1})").request));
  auto comp = ok(R"({"op_id":1,"type":"complete","shard":1,"fence":1})");
  EXPECT_TRUE(std::get<coord::CompleteOp>(comp.request).final_cursor.last_key.empty());
  EXPECT_EQ(std::get<coord::ParkOp>(ok(R"({"op_id":1,"type":"park","shard":1,"fence":1,"reason":"x"})").request).reason,
            "x");
  auto split = ok(R"({"op_id":1,"type":"split","shard":1,"fence":1,"children":[["","m"],["m",""]]})");
  EXPECT_EQ(std::get<coord::SplitReplaceOp>(split.request).children.size(), 2u);
  auto res = ok(R"({"op_id":1,"type":"split","shard":1,"fence":1,"parent":["","m"],"residual":["m",""]})");
  EXPECT_EQ(std::get<coord::SplitResidualOp>(res.request).residual, (coord::KeyRange{"m", ""}));
  EXPECT_EQ(std::get<coord::UnparkOp>(ok(R"({"op_id":8,"type":"unpark","shard":1})").request).op_id, 8u);
  auto rd = ok(R"({"op_id":8,"type":"read","shard":12})");
  EXPECT_TRUE(rd.read);
  EXPECT_EQ(rd.shard, 12u);
}

TEST(ControlCodec, EncodedRequestsDecodeToTheSameRequest) {
  const coord::LeaseToken t{{7, 9, 4}, 3, 2};
  const std::vector<coord::Request> all = {
      coord::ClaimNextOp{7, 9, 3},
      coord::AcquireOp{{7, 9, 4}, 3},
      coord::RenewOp{t},
      coord::CheckpointOp{t, {"k1", "tok"}, 11},
      coord::CompleteOp{t, {"", ""}, 12},
      coord::ParkOp{t, "poison", 13},
      coord::SplitReplaceOp{t, {{"", "a"}, {"a", ""}}, 14},
      coord::SplitResidualOp{t, {"", "a"}, {"a", ""}, 15},
      coord::UnparkOp{{7, 9, 4}, 16},
  };
  for (const auto& r : all) {
    const uint64_t op = coord::op_id_of(r) != 0 ? coord::op_id_of(r) : 99;
    const std::string line = encode_request(op, r);
    // Requests have no ==: the kind, the payload hash (everything but `now`) and the
    // presented lease decide sameness.
    const coord::Request back = ok(line).request;
    EXPECT_EQ(coord::kind_of(back), coord::kind_of(r)) << line;
    EXPECT_EQ(coord::payload_hash(back), coord::payload_hash(r)) << line;
    const coord::LeaseToken* a = coord::lease_of(back);
    const coord::LeaseToken* b = coord::lease_of(r);
    EXPECT_EQ(a == nullptr, b == nullptr);
    if (a != nullptr && b != nullptr) {
      EXPECT_EQ(*a, *b) << line;
    }
    EXPECT_EQ(encode_request(op, back), line);
    EXPECT_EQ(ok(line).op_id, op);
  }
}

TEST(ControlCodec, RepliesDecodeToWhatTheyEncode) {
  coord::OpResult r;
  r.shard = coord::kDerivedBit | 5;
  r.fence = 4;
  r.deadline_ms = 1234;
  r.spec = {"a", "b"};
  r.spawned = {coord::kDerivedBit | 6, coord::kDerivedBit | 7};
  auto back = decode_reply(encode_reply(1, coord::Reply(r)));
  ASSERT_TRUE(back && back->ok());
  EXPECT_EQ(back->value().shard, r.shard);
  EXPECT_EQ(back->value().fence, 4u);
  EXPECT_EQ(back->value().spawned, r.spawned);
  auto err = decode_reply(encode_reply(1, coord::coord_error(coord::CoordErrc::StaleFence, "x")));
  ASSERT_TRUE(err && !err->ok());
  EXPECT_EQ(err->error().code, coord::CoordErrc::StaleFence);
  const std::string maybe = encode_reply(2, coord::coord_error(coord::CoordErrc::Indeterminate, "x"));
  EXPECT_NE(maybe.find("\"type\":\"indeterminate\""), std::string::npos);
  EXPECT_EQ(decode_reply(maybe)->error().code, coord::CoordErrc::Indeterminate);
  EXPECT_FALSE(decode_reply("{\"type\":\"error\",\"code\":\"NoSuchCode\"}"));
}

TEST(ControlCodec, MalformedLinesAreErrorsThatSayWhy) {
  EXPECT_EQ(error_of("not json"), "not a JSON object");
  EXPECT_EQ(error_of("[1,2]"), "not a JSON object");
  EXPECT_NE(error_of(R"({"type":"claim"})").find("op_id"), std::string::npos);
  EXPECT_NE(error_of(R"({"op_id":-1,"type":"claim"})").find("op_id"), std::string::npos);
  EXPECT_NE(error_of(R"({"op_id":1,"type":"fly"})").find("unknown type"), std::string::npos);
  EXPECT_NE(error_of(R"({"op_id":1,"type":"checkpoint","shard":1})").find("fence"), std::string::npos);
  EXPECT_NE(error_of(R"({"op_id":1,"type":"checkpoint","shard":1,"fence":1})").find("cursor"), std::string::npos);
  EXPECT_NE(error_of(R"({"op_id":1,"type":"split","shard":1,"fence":1,"children":[["a"]]})").find("children"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"op_id":1,"type":"split","shard":1,"fence":1})").find("residual"), std::string::npos);
  EXPECT_NE(error_of(std::string(100, '[')).find("nests"), std::string::npos);
  EXPECT_NE(error_of(std::string(kControlLineMax + 1, ' ')).find("64 KiB"), std::string::npos);
  // An error keeps the op_id when it got that far, so the client can match it.
  auto d = decode_request(R"({"op_id":42,"type":"renew"})", kWho);
  EXPECT_EQ(std::get<ControlError>(d).op_id, 42u);
  EXPECT_NE(encode_error(std::get<ControlError>(d)).find("\"op_id\":42"), std::string::npos);
}

TEST(ControlCodec, RandomBytesAndMutatedLinesNeverCrash) {
  Rng rng(7);
  const std::string seed = R"({"op_id":5,"type":"split","shard":4,"fence":2,"children":[["","m"],["m",""]]})";
  for (int i = 0; i < 20000; ++i) {
    std::string line = seed;
    const int edits = static_cast<int>(rng.range(1, 6));
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng.below(line.size() + 1);
      if (rng.chance(1, 2) && at < line.size()) {
        line[at] = static_cast<char>(rng.below(256));
      } else {
        line.insert(at, 1, "{}[]\",:0\\"[rng.below(9)]);
      }
    }
    (void)decode_request(line, kWho);
    (void)decode_reply(line);
  }
}

}  // namespace
}  // namespace squall::worker_driver
