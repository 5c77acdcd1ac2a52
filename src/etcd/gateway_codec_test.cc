// The gateway's JSON: requests as etcd expects them, answers parsed field by field, and
// malformed answers rejected without a crash.
#include "etcd/gateway_codec.h"

#include <gtest/gtest.h>

#include "core/rng.h"

namespace squall::etcd::gateway {
namespace {

TEST(GatewayCodec, EncodesBytesAsBase64AndIntegersAsStrings) {
  EXPECT_EQ(encode(PutRequest{"a", "b", 42}), R"({"key":"YQ==","value":"Yg==","lease":"42"})");
  EXPECT_EQ(encode(RangeRequest{"a", "b", 5, 9, false}),
            R"({"key":"YQ==","range_end":"Yg==","limit":"5","revision":"9"})");
  TxnRequest t;
  t.compares.push_back(Compare::create_revision("k", CompareOp::Equal, 0));
  t.compares.push_back(Compare::value_is("v", CompareOp::NotEqual, "x"));
  t.success.push_back(TxnOp::make_put("k", "1"));
  t.failure.push_back(TxnOp::make_range(RangeRequest{"k"}));
  EXPECT_EQ(encode(t), R"({"compare":[{"result":"EQUAL","key":"aw==","target":"CREATE","create_revision":"0"},)"
                       R"({"result":"NOT_EQUAL","key":"dg==","target":"VALUE","value":"eA=="}],)"
                       R"("success":[{"request_put":{"key":"aw==","value":"MQ=="}}],)"
                       R"("failure":[{"request_range":{"key":"aw=="}}]})");
}

TEST(GatewayCodec, DecodesARangeAnswer) {
  RangeResponse r;
  std::string err;
  ASSERT_TRUE(decode(
      R"({"header":{"cluster_id":"1","member_id":"13668033151171901709","revision":"7","raft_term":"2"},)"
      R"("kvs":[{"key":"YQ==","create_revision":"2","mod_revision":"5","version":"3","value":"Yg==","lease":"9"}],"count":"1"})",
      &r, &err))
      << err;
  EXPECT_EQ(r.header.revision, 7);
  EXPECT_EQ(r.header.member_id, 13668033151171901709ull);
  ASSERT_EQ(r.kvs.size(), 1u);
  EXPECT_EQ(r.kvs[0], (KeyValue{"a", "b", 2, 5, 3, 9}));
  EXPECT_EQ(r.count, 1);
}

TEST(GatewayCodec, DecodesATxnAnswerWithOmittedDefaults) {
  TxnResponse t;
  std::string err;
  // proto3 JSON omits false and empty fields: "succeeded" absent means false.
  ASSERT_TRUE(decode(
      R"({"header":{"revision":"2"},"responses":[{"response_range":{"header":{"revision":"2"},)"
      R"("kvs":[{"key":"YQ==","create_revision":"2","mod_revision":"2","version":"1","value":"Yg=="}],"count":"1"}},)"
      R"({"response_delete_range":{"deleted":"3"}},{"response_put":{}}]})",
      &t, &err))
      << err;
  EXPECT_FALSE(t.succeeded);
  ASSERT_EQ(t.results.size(), 3u);
  EXPECT_EQ(t.results[0].kind, TxnOp::Kind::Range);
  EXPECT_EQ(t.results[0].range.kvs.at(0).value, "b");
  EXPECT_EQ(t.results[1].deleted, 3);
  EXPECT_EQ(t.results[2].kind, TxnOp::Kind::Put);
}

TEST(GatewayCodec, DecodesErrorsAndLeaseAnswers) {
  int code = 0;
  std::string msg;
  ASSERT_TRUE(decode_error(R"({"error":"etcdserver: requested lease not found","message":"m","code":5})", &code, &msg));
  EXPECT_EQ(code, 5);
  EXPECT_EQ(msg, "m");
  EXPECT_FALSE(decode_error("<html>", &code, &msg));
  LeaseKeepAliveResponse k;
  std::string err;
  ASSERT_TRUE(decode(R"({"result":{"header":{"revision":"3"},"ID":"41","TTL":"5"}})", &k, &err)) << err;
  EXPECT_EQ(k.id, 41);
  EXPECT_EQ(k.ttl_s, 5);
  LeaseTimeToLiveResponse t;
  ASSERT_TRUE(decode(R"({"ID":"5","TTL":"-1"})", &t, &err)) << err;
  EXPECT_EQ(t.ttl_s, -1);
}

TEST(GatewayCodec, RejectsMalformedAnswers) {
  const char* bad[] = {
      "",
      "[]",
      "{",
      R"({"kvs":{}})",
      R"({"kvs":[1]})",
      R"({"kvs":[{"key":"***"}]})",
      R"({"kvs":[{"key":"YQ==","version":"x1"}]})",
      R"({"kvs":[{"key":"YQ==","version":"99999999999999999999999"}]})",
      R"({"header":[]})",
      R"({"header":{"revision":true}})",
      R"({"more":"yes"})",
  };
  for (const char* b : bad) {
    RangeResponse r;
    std::string err;
    EXPECT_FALSE(decode(b, &r, &err)) << b;
    EXPECT_FALSE(err.empty()) << b;
  }
  TxnResponse t;
  std::string err;
  EXPECT_FALSE(decode(R"({"responses":[{"response_unknown":{}}]})", &t, &err));
  EXPECT_FALSE(decode(R"({"responses":[{"response_range":[]}]})", &t, &err));
  LeaseKeepAliveResponse k;
  EXPECT_FALSE(decode(R"({"result":5})", &k, &err));
  EXPECT_FALSE(decode(R"({})", &k, &err));
}

// Mutated answers never crash the decoder (run under the sanitizers in CI).
TEST(GatewayCodec, SurvivesMutatedAnswers) {
  const std::string seed =
      R"({"header":{"revision":"2"},"succeeded":true,"responses":[{"response_range":{"kvs":[{"key":"YQ==","value":"Yg==","version":"1"}]}}]})";
  Rng rng(3);
  int rejected = 0;
  for (int n = 0; n < 5000; ++n) {
    std::string s = seed;
    const int edits = 1 + static_cast<int>(rng.below(4));
    for (int e = 0; e < edits; ++e) {
      size_t at = rng.below(s.size());
      switch (rng.below(3)) {
        case 0: s[at] = static_cast<char>(rng.below(256)); break;
        case 1: s.erase(at, 1 + rng.below(5)); break;
        default: s.insert(at, 1, "{}[]\",:0a="[rng.below(11)]); break;
      }
      if (s.empty()) s = "{";
    }
    TxnResponse t;
    std::string err;
    if (!decode(s, &t, &err)) ++rejected;
  }
  EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace squall::etcd::gateway
