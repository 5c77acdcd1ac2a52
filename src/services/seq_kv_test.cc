#include "services/seq_kv.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "services/testing/service_calls.h"

namespace squall::services {
namespace {

using testing::call;
using testing::code_of;
using testing::type_of;

std::string write_body(int msg_id, const std::string& key, int value) {
  return R"({"type":"write","msg_id":)" + std::to_string(msg_id) + R"(,"key":")" + key + R"(","value":)" +
         std::to_string(value) + "}";
}

std::string read_body(int msg_id, const std::string& key) {
  return R"({"type":"read","msg_id":)" + std::to_string(msg_id) + R"(,"key":")" + key + R"("})";
}

// Value read, or 0 when the key did not exist in the observed state.
int read_value(SeqKv& kv, const std::string& src, int msg_id) {
  auto r = call(kv, src, read_body(msg_id, "x"));
  if (type_of(r) == "error") {
    EXPECT_EQ(code_of(r), 20);
    return 0;
  }
  EXPECT_EQ(type_of(r), "read_ok");
  return r["value"].GetInt();
}

TEST(SeqKv, ReadsAreStaleButNeverGoBackwardsPerSender) {
  constexpr uint32_t kWindow = 32;
  SeqKv kv(Rng(42), kWindow);
  std::vector<std::string> readers = {"n1", "n2", "n3"};
  std::vector<int> last(readers.size(), 0);
  int stale = 0;
  int msg_id = 1;
  for (int i = 1; i <= 300; ++i) {
    ASSERT_EQ(type_of(call(kv, "n0", write_body(msg_id++, "x", i))), "write_ok");
    for (size_t r = 0; r < readers.size(); ++r) {
      int v = read_value(kv, readers[r], msg_id++);
      EXPECT_GE(v, last[r]) << readers[r] << " went backwards after write " << i;
      EXPECT_LE(v, i) << "read a value never written";
      EXPECT_GT(v, i - static_cast<int>(kWindow)) << "read older than the window";
      if (v < i) ++stale;
      last[r] = v;
    }
  }
  EXPECT_GT(stale, 50) << "seq-kv should serve stale reads";
  EXPECT_EQ(kv.latest_version(), 300u);
}

TEST(SeqKv, SenderReadsItsOwnWrites) {
  SeqKv kv(Rng(7));
  for (int i = 1; i <= 100; ++i) {
    call(kv, "n0", write_body(2 * i, "x", i));
    EXPECT_EQ(read_value(kv, "n0", 2 * i + 1), i);
    call(kv, "n9", write_body(1000 + i, "other", i));  // someone else moves the state on
  }
}

TEST(SeqKv, WritesAndCasApplyToTheLatestState) {
  SeqKv kv(Rng(3));
  for (int i = 1; i <= 40; ++i) call(kv, "n0", write_body(i, "x", i));
  // n1 has seen nothing, yet its cas is judged against the latest value.
  auto stale_cas = call(kv, "n1", R"({"type":"cas","msg_id":1,"key":"x","from":1,"to":0})");
  EXPECT_EQ(code_of(stale_cas), 22);
  // A failed cas observed the latest state: the next read is fresh.
  EXPECT_EQ(read_value(kv, "n1", 2), 40);
  auto ok = call(kv, "n2", R"({"type":"cas","msg_id":3,"key":"x","from":40,"to":41})");
  EXPECT_EQ(type_of(ok), "cas_ok");
  EXPECT_EQ(read_value(kv, "n2", 4), 41);
  auto created = call(kv, "n2", R"({"type":"cas","msg_id":5,"key":"y","from":0,"to":1,"create_if_not_exists":true})");
  EXPECT_EQ(type_of(created), "cas_ok");
  auto missing = call(kv, "n2", R"({"type":"cas","msg_id":6,"key":"z","from":0,"to":1})");
  EXPECT_EQ(code_of(missing), 20);
}

TEST(SeqKv, NaiveReadModifyWriteLosesIncrements) {
  // Two senders each read the counter then write read+1: with stale reads, increments
  // are lost, which is the anomaly the naive counter node must exhibit.
  SeqKv kv(Rng(11));
  call(kv, "n0", write_body(1, "x", 0));
  int msg_id = 2;
  for (int i = 0; i < 100; ++i) {
    for (const char* node : {"n0", "n1"}) {
      int v = read_value(kv, node, msg_id++);
      call(kv, node, write_body(msg_id++, "x", v + 1));
    }
  }
  auto fresh = call(kv, "n0", R"({"type":"cas","msg_id":1,"key":"x","from":-1,"to":-1})");
  EXPECT_EQ(code_of(fresh), 22);
  EXPECT_LT(read_value(kv, "n0", msg_id), 200);
}

TEST(SeqKv, UnknownAndMalformedRequests) {
  SeqKv kv(Rng(1));
  EXPECT_EQ(code_of(call(kv, "n0", R"({"type":"ts","msg_id":1})")), 10);
  EXPECT_EQ(code_of(call(kv, "n0", R"({"type":"read","msg_id":1})")), 12);
}

}  // namespace
}  // namespace squall::services
