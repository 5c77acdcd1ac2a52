#include "coord/records.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace squall::coord {
namespace {

ShardRecord good_shard() {
  ShardRecord r;
  r.tenant = 1;
  r.run = 2;
  r.id = 3;
  r.spec = {"a", "m"};
  r.fence = 2;
  r.lease = Lease{9, 100};
  return r;
}

TEST(OpLog, KeepsLastSixteenOldestFirst) {
  OpLog log;
  for (OpId i = 1; i <= 20; ++i) log.append(OpLogEntry{i, OpKind::Checkpoint, i * 10});
  ASSERT_EQ(log.size(), kOpLogCapacity);
  EXPECT_EQ(log.at(0).op_id, 5u);
  EXPECT_EQ(log.at(kOpLogCapacity - 1).op_id, 20u);
  EXPECT_EQ(log.find(4), nullptr);
  ASSERT_NE(log.find(7), nullptr);
  EXPECT_EQ(log.find(7)->payload_hash, 70u);
}

// unique_ids() is kept incrementally; it must agree with comparing every pair, through
// appends and evictions of duplicated ids (duplicates only arise from a deliberately
// broken model, which is exactly when the check must fire).
TEST(OpLog, UniqueIdsMatchesThePairwiseDefinition) {
  auto pairwise_unique = [](const OpLog& log) {
    for (size_t i = 0; i < log.size(); ++i) {
      for (size_t j = i + 1; j < log.size(); ++j) {
        if (log.at(i).op_id == log.at(j).op_id) return false;
      }
    }
    return true;
  };
  uint64_t state = 12345;
  for (int trial = 0; trial < 200; ++trial) {
    OpLog log;
    const uint64_t ids = 3 + static_cast<uint64_t>(trial % 40);  // few ids: many duplicates
    for (int step = 0; step < 60; ++step) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      log.append(OpLogEntry{(state >> 33) % ids, OpKind::Checkpoint, 0});
      ASSERT_EQ(log.unique_ids(), pairwise_unique(log)) << "trial " << trial << " step " << step;
      OpLog copy = log;
      ASSERT_EQ(copy.unique_ids(), log.unique_ids());
    }
  }
  OpLog log;
  for (OpId i = 1; i <= 16; ++i) log.append(OpLogEntry{i, OpKind::Park, 0});
  EXPECT_TRUE(log.unique_ids());
  log.append(OpLogEntry{16, OpKind::Park, 0});  // evicts 1, duplicates 16
  EXPECT_FALSE(log.unique_ids());
  for (OpId i = 100; i < 115; ++i) log.append(OpLogEntry{i, OpKind::Park, 0});  // both 16s leave
  EXPECT_TRUE(log.unique_ids());
}

// key_less is std::string's operator<, including bytes above 0x7f, embedded zeros,
// prefixes and keys longer than a word.
TEST(KeyLess, OrdersLikeStdString) {
  const std::vector<std::string> keys = {"",
                                         "a",
                                         "ab",
                                         "abc",
                                         std::string("a\0", 2),
                                         std::string("a\0b", 3),
                                         "k0001234",
                                         "k0001235",
                                         "k00012345",
                                         "k0001234\xff",
                                         "\xff",
                                         "\x7f",
                                         "abcdefgh",
                                         "abcdefghi",
                                         "abcdefgg\xff",
                                         "abcdefghabcdefgh",
                                         "abcdefghabcdefgi"};
  for (const auto& a : keys) {
    for (const auto& b : keys) EXPECT_EQ(key_less(a, b), a < b) << "'" << a << "' vs '" << b << "'";
  }
  uint64_t state = 7;
  for (int i = 0; i < 2000; ++i) {
    auto next = [&] {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      return state >> 33;
    };
    std::string a, b;
    const size_t la = next() % 20, lb = next() % 20;
    for (size_t j = 0; j < la; ++j)
      a.push_back(static_cast<char>(next() % 3 == 0 ? 0xf0 + next() % 3 : 'a' + next() % 3));
    b = a.substr(0, std::min(la, lb));
    while (b.size() < lb) b.push_back(static_cast<char>(next() % 3 == 0 ? 0xf0 + next() % 3 : 'a' + next() % 3));
    ASSERT_EQ(key_less(a, b), a < b) << i;
    ASSERT_EQ(key_less(b, a), b < a) << i;
  }
}

// Unequal prefixes order their keys exactly as the keys order; equal prefixes only
// happen when the first eight (zero-padded) bytes agree.
TEST(KeyPrefix, OrdersLikeTheKeysUpToTies) {
  const std::vector<std::string> keys = {
      "",     "a",    "ab",       std::string("a\0", 2), "k0001234",    "k0001235", "k00012345", "k0001234\xff",
      "\xff", "\x7f", "abcdefgh", "abcdefghi",           "abcdefgg\xff"};
  for (const auto& a : keys) {
    for (const auto& b : keys) {
      const uint64_t pa = key_prefix(a), pb = key_prefix(b);
      if (pa != pb) {
        EXPECT_EQ(pa < pb, a < b) << "'" << a << "' vs '" << b << "'";
      } else {
        std::string a8 = a.substr(0, 8), b8 = b.substr(0, 8);
        a8.resize(8, '\0');
        b8.resize(8, '\0');
        EXPECT_EQ(a8, b8) << "'" << a << "' vs '" << b << "'";
      }
    }
  }
}

TEST(OpLog, EqualityIgnoresRingPosition) {
  OpLog a, b;
  for (OpId i = 1; i <= 17; ++i) a.append(OpLogEntry{i, OpKind::Park, 0});
  for (OpId i = 2; i <= 17; ++i) b.append(OpLogEntry{i, OpKind::Park, 0});
  EXPECT_EQ(a, b);
  b.append(OpLogEntry{18, OpKind::Park, 0});
  EXPECT_FALSE(a == b);
}

TEST(ShardInvariants, GoodRecordPasses) { EXPECT_EQ(check_invariants(good_shard()), nullptr); }

TEST(ShardInvariants, EachViolationIsCaught) {
  auto expect_bad = [](ShardRecord r, const char* why) { EXPECT_NE(check_invariants(r), nullptr) << why; };
  ShardRecord r = good_shard();
  r.fence = 0;
  expect_bad(r, "fence 0");
  r = good_shard();
  r.park_reason = "x";
  expect_bad(r, "reason without Parked");
  r = good_shard();
  r.status = ShardStatus::Parked;
  r.lease.reset();
  expect_bad(r, "Parked without reason");
  r = good_shard();
  r.status = ShardStatus::Done;
  expect_bad(r, "terminal with lease");
  r = good_shard();
  r.status = ShardStatus::Split;
  r.lease.reset();
  expect_bad(r, "Split without children");
  r.spawned.push_back(Spawned{kDerivedBit | 1, SpawnKind::Residual});
  expect_bad(r, "Split with only a residual");
  r = good_shard();
  r.parent = 1;
  expect_bad(r, "root with parent");
  r = good_shard();
  r.id |= kDerivedBit;
  expect_bad(r, "derived without parent");
  r = good_shard();
  r.op_log.append(OpLogEntry{5, OpKind::Checkpoint, 1});
  r.op_log.append(OpLogEntry{5, OpKind::Checkpoint, 2});
  expect_bad(r, "duplicate op_id");
  r = good_shard();
  r.spec = {"m", "a"};
  expect_bad(r, "inverted spec");
  r = good_shard();
  r.cursor.last_key = "z";
  expect_bad(r, "cursor beyond end");
  r.cursor.last_key = "0";
  expect_bad(r, "cursor below start");
}

TEST(RunInvariants, OverlappingRootsAndUnsortedClaimsCaught) {
  RunRecord r;
  r.config.lease_duration_ms = 10;
  r.roots = {{"a", "c"}, {"c", "e"}};
  EXPECT_EQ(check_invariants(r), nullptr);
  r.roots = {{"a", "d"}, {"c", "e"}};
  EXPECT_NE(check_invariants(r), nullptr);
  r.roots = {{"a", ""}, {"c", "e"}};
  EXPECT_NE(check_invariants(r), nullptr);
  r.roots.clear();
  r.claims = {{2, 0}, {1, 0}};
  EXPECT_NE(check_invariants(r), nullptr);
  r.claims.clear();
  r.config.lease_duration_ms = 0;
  EXPECT_NE(check_invariants(r), nullptr);
}

TEST(KeyRange, UnboundedEnds) {
  KeyRange all{"", ""};
  EXPECT_TRUE(all.well_formed());
  EXPECT_TRUE(all.contains(""));
  EXPECT_TRUE(all.contains("\xff\xff"));
  KeyRange r{"b", "d"};
  EXPECT_FALSE(r.contains("a"));
  EXPECT_TRUE(r.contains("b"));
  EXPECT_FALSE(r.contains("d"));
  EXPECT_FALSE((KeyRange{"d", "d"}).well_formed());
}

}  // namespace
}  // namespace squall::coord
