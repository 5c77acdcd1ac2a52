#include "services/lww_kv.h"

#include <gtest/gtest.h>

#include <string>

#include "services/testing/service_calls.h"

namespace squall::services {
namespace {

using testing::call;
using testing::code_of;
using testing::type_of;

std::string write_body(int msg_id, int key, int value) {
  return R"({"type":"write","msg_id":)" + std::to_string(msg_id) + R"(,"key":)" + std::to_string(key) + R"(,"value":)" +
         std::to_string(value) + "}";
}

std::string read_body(int msg_id, int key) {
  return R"({"type":"read","msg_id":)" + std::to_string(msg_id) + R"(,"key":)" + std::to_string(key) + "}";
}

TEST(LwwKv, ReadsCanBeStaleBeforeReplication) {
  LwwKv kv(Rng(5));
  int stale = 0;
  for (int i = 1; i <= 100; ++i) {
    call(kv, "n0", write_body(i, 0, i), 0);  // time stands still: no replication
    auto r = call(kv, "n1", read_body(1000 + i, 0), 0);
    if (type_of(r) == "error" || r["value"].GetInt() != i) ++stale;
  }
  EXPECT_GT(stale, 20);
  EXPECT_FALSE(kv.converged());
}

TEST(LwwKv, ReplicasConvergeAfterTicks) {
  LwwKv::Options options;
  options.replicas = 5;
  options.sync_interval_ms = 10;
  LwwKv kv(Rng(9), options);
  int msg_id = 1;
  for (int i = 0; i < 200; ++i) {
    call(kv, "n" + std::to_string(i % 3), write_body(msg_id++, i % 7, i), i / 50);
  }
  // full_sync_every rounds of replication with no writes in between.
  for (int64_t t = 100; t <= 100 + 10 * static_cast<int64_t>(options.full_sync_every); t += 10) kv.tick(t);
  EXPECT_TRUE(kv.converged());
  // Every replica now agrees, whichever one serves a read.
  for (int key = 0; key < 7; ++key) {
    auto first = call(kv, "n0", read_body(msg_id++, key), 200);
    ASSERT_EQ(type_of(first), "read_ok");
    for (int i = 0; i < 20; ++i) {
      auto again = call(kv, "n1", read_body(msg_id++, key), 200);
      EXPECT_EQ(again["value"].GetInt(), first["value"].GetInt());
    }
  }
}

TEST(LwwKv, LastWriteWinsOnConflict) {
  LwwKv::Options options;
  options.replicas = 2;
  LwwKv kv(Rng(1), options);
  for (int i = 1; i <= 10; ++i) call(kv, "n0", write_body(i, 0, i), 0);
  kv.sync_all();
  auto r = call(kv, "n0", read_body(99, 0), 0);
  // Each replica's clock counts its own writes, so after a merge the replica that took
  // the most writes wins; whatever wins, every replica returns the same value.
  ASSERT_EQ(type_of(r), "read_ok");
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(call(kv, "n1", read_body(100 + i, 0), 0)["value"].GetInt(), r["value"].GetInt());
}

TEST(LwwKv, CasAndErrors) {
  LwwKv::Options options;
  options.replicas = 1;  // one replica behaves like lin-kv: exact cas semantics
  LwwKv kv(Rng(2), options);
  EXPECT_EQ(code_of(call(kv, "n0", R"({"type":"cas","msg_id":1,"key":0,"from":1,"to":2})")), 20);
  EXPECT_EQ(type_of(call(kv, "n0", R"({"type":"cas","msg_id":2,"key":0,"from":1,"to":2,"create_if_not_exists":true})")),
            "cas_ok");
  EXPECT_EQ(code_of(call(kv, "n0", R"({"type":"cas","msg_id":3,"key":0,"from":1,"to":3})")), 22);
  EXPECT_EQ(type_of(call(kv, "n0", R"({"type":"cas","msg_id":4,"key":0,"from":2,"to":3})")), "cas_ok");
  EXPECT_EQ(call(kv, "n0", read_body(5, 0))["value"].GetInt(), 3);
  EXPECT_EQ(code_of(call(kv, "n0", R"({"type":"txn","msg_id":6})")), 10);
  EXPECT_EQ(code_of(call(kv, "n0", R"({"type":"write","msg_id":7,"key":0})")), 12);
}

}  // namespace
}  // namespace squall::services
