#include "services/service.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/rng.h"
#include "services/testing/service_calls.h"

namespace squall::services {
namespace {

using testing::parse_json;

TEST(Services, NamesAndFactory) {
  for (const char* name : {"lin-kv", "seq-kv", "lww-kv", "lin-tso"}) {
    EXPECT_TRUE(is_service_name(name));
    auto s = make_service(name, 1);
    ASSERT_NE(s, nullptr) << name;
    EXPECT_EQ(s->name(), name);
  }
  EXPECT_FALSE(is_service_name("n0"));
  EXPECT_FALSE(is_service_name("lin_kv"));
  EXPECT_EQ(make_service("kv", 1), nullptr);
}

// A seeded mix of reads, writes and cas from a few senders, as request texts.
std::vector<std::pair<std::string, std::string>> workload(uint64_t seed, int n) {
  Rng rng(seed);
  std::vector<std::pair<std::string, std::string>> out;
  for (int i = 0; i < n; ++i) {
    std::string src = "n" + std::to_string(rng.below(3));
    std::string key = std::to_string(rng.below(3));
    std::string id = std::to_string(i + 1);
    switch (rng.below(3)) {
      case 0: out.emplace_back(src, R"({"type":"read","msg_id":)" + id + R"(,"key":)" + key + "}"); break;
      case 1:
        out.emplace_back(src, R"({"type":"write","msg_id":)" + id + R"(,"key":)" + key + R"(,"value":)" +
                                  std::to_string(rng.below(5)) + "}");
        break;
      default:
        out.emplace_back(src, R"({"type":"cas","msg_id":)" + id + R"(,"key":)" + key + R"(,"from":)" +
                                  std::to_string(rng.below(5)) + R"(,"to":)" + std::to_string(rng.below(5)) + "}");
    }
  }
  return out;
}

std::vector<std::string> run(const char* name, uint64_t seed,
                             const std::vector<std::pair<std::string, std::string>>& reqs) {
  auto s = make_service(name, seed);
  std::vector<std::string> replies;
  int64_t now_ms = 0;
  for (const auto& [src, body] : reqs) {
    now_ms += 7;
    s->tick(now_ms);
    replies.push_back(s->handle(src, parse_json(body), now_ms));
  }
  return replies;
}

TEST(Services, SameSeedSameRepliesDifferentSeedDifferentReplies) {
  auto reqs = workload(99, 2000);
  for (const char* name : {"seq-kv", "lww-kv"}) {
    EXPECT_EQ(run(name, 5, reqs), run(name, 5, reqs)) << name;
    EXPECT_NE(run(name, 5, reqs), run(name, 6, reqs)) << name << " ignores its seed";
  }
  EXPECT_EQ(run("lin-kv", 5, reqs), run("lin-kv", 6, reqs)) << "lin-kv has no randomness";
}

// Random, mostly malformed bodies: every service answers each with a JSON object
// carrying a type, and never crashes.
TEST(Services, ArbitraryBodiesGetAnAnswer) {
  Rng rng(2024);
  const char* fragments[] = {"\"type\":\"read\"",
                             "\"type\":\"cas\"",
                             "\"type\":\"write\"",
                             "\"type\":\"ts\"",
                             "\"type\":null",
                             "\"msg_id\":3",
                             "\"msg_id\":-1",
                             "\"msg_id\":1.5",
                             "\"key\":[1,{}]",
                             "\"key\":null",
                             "\"value\":\"v\"",
                             "\"from\":{}",
                             "\"to\":[]",
                             "\"create_if_not_exists\":1",
                             "\"msg_id\":18446744073709551615"};
  for (const char* name : {"lin-kv", "seq-kv", "lww-kv", "lin-tso"}) {
    auto s = make_service(name, 3);
    for (int i = 0; i < 500; ++i) {
      std::string body = "{";
      auto n = rng.below(5);
      for (uint64_t j = 0; j < n; ++j) {
        if (j) body += ",";
        body += fragments[rng.below(std::size(fragments))];
      }
      body += "}";
      auto request = parse_json(body);
      auto reply = parse_json(s->handle("n0", request, i));
      ASSERT_TRUE(reply.IsObject()) << body;
      ASSERT_TRUE(reply.HasMember("type") && reply["type"].IsString()) << body;
    }
  }
}

}  // namespace
}  // namespace squall::services
