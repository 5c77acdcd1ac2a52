// The record codec: random records round-trip exactly; truncated, mutated or foreign
// bytes are rejected without a crash; the version byte is checked.
#include "etcd_store/record_codec.h"

#include <gtest/gtest.h>

#include "core/rng.h"
#include "etcd_store/content_set.h"

namespace squall::etcd_store {
namespace {

using namespace squall::coord;

std::string random_bytes(Rng& rng, size_t max) {
  std::string s(rng.below(max + 1), '\0');
  for (char& c : s) c = static_cast<char>(rng.below(256));
  return s;
}

OpLog random_oplog(Rng& rng) {
  OpLog log;
  const uint64_t n = rng.below(2 * kOpLogCapacity);  // also past capacity: the ring wraps
  for (uint64_t i = 0; i < n; ++i) {
    log.append(OpLogEntry{rng.next(), static_cast<OpKind>(1 + rng.below(kOpKindCount)), rng.next()});
  }
  return log;
}

ShardRecord random_shard(Rng& rng) {
  ShardRecord r;
  r.tenant = rng.next();
  r.run = rng.below(1000);
  r.id = rng.next();
  r.status = static_cast<ShardStatus>(rng.below(4));
  r.park_reason = random_bytes(rng, 20);
  r.spec = KeyRange{random_bytes(rng, 10), random_bytes(rng, 10)};
  r.cursor = Cursor{random_bytes(rng, 10), random_bytes(rng, 30)};
  if (rng.below(2) == 0) r.lease = Lease{rng.next(), static_cast<int64_t>(rng.next())};
  r.fence = rng.next();
  if (rng.below(2) == 0) r.parent = rng.next();
  for (uint64_t i = rng.below(5); i > 0; --i)
    r.spawned.push_back(Spawned{rng.next(), static_cast<SpawnKind>(rng.below(2))});
  r.op_log = random_oplog(rng);
  return r;
}

RunRecord random_run(Rng& rng) {
  RunRecord r;
  r.tenant = rng.next();
  r.run = rng.next();
  r.status = static_cast<RunStatus>(rng.below(2));
  r.config = RunConfig{static_cast<int64_t>(rng.next()), -static_cast<int64_t>(rng.below(100))};
  std::vector<KeyRange> roots;
  for (uint64_t i = rng.below(4); i > 0; --i) roots.push_back(KeyRange{random_bytes(rng, 5), random_bytes(rng, 5)});
  r.roots = SharedRanges(std::move(roots));
  r.shard_count = rng.next();
  for (uint64_t i = rng.below(4); i > 0; --i)
    r.claims.push_back(ClaimStamp{rng.next(), -static_cast<int64_t>(rng.next() >> 1)});
  r.op_log = random_oplog(rng);
  return r;
}

TEST(RecordCodec, RandomRecordsRoundTrip) {
  Rng rng(11);
  for (int i = 0; i < 500; ++i) {
    ShardRecord s = random_shard(rng);
    ShardRecord s2;
    std::string err;
    const std::string bytes = encode_record(s);
    EXPECT_EQ(static_cast<uint8_t>(bytes[0]), kCodecVersion);
    ASSERT_TRUE(decode_record(bytes, &s2, &err)) << err;
    EXPECT_EQ(s2, s);
    EXPECT_EQ(encode_record(s2), bytes);
    RunRecord r = random_run(rng);
    RunRecord r2;
    ASSERT_TRUE(decode_record(encode_record(r), &r2, &err)) << err;
    EXPECT_EQ(r2, r);
  }
}

TEST(RecordCodec, RejectsTruncationVersionKindAndTrailingBytes) {
  Rng rng(5);
  ShardRecord s = random_shard(rng);
  const std::string bytes = encode_record(s);
  ShardRecord out;
  RunRecord run_out;
  std::string err;
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(decode_record(bytes.substr(0, n), &out, &err)) << n;
  std::string v2 = bytes;
  v2[0] = static_cast<char>(kCodecVersion + 1);
  EXPECT_FALSE(decode_record(v2, &out, &err));
  EXPECT_NE(err.find("version"), std::string::npos);
  EXPECT_FALSE(decode_record(bytes, &run_out, &err));  // a shard is not a run
  EXPECT_FALSE(decode_record(bytes + "x", &out, &err));
  // A count that claims more entries than bytes remain is refused before allocating.
  // version, 'R', tenant 0, run 0, status 0, lease 0, cooldown 0, then 4095 roots.
  const std::string huge = std::string("\x01R\x00\x00\x00\x00\x00", 7) + "\xff\x1f";
  EXPECT_FALSE(decode_record(huge, &run_out, &err));
  EXPECT_NE(err.find("count"), std::string::npos) << err;
}

TEST(RecordCodec, SurvivesMutatedBytes) {
  Rng rng(9);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string b = (i % 2 == 0) ? encode_record(random_shard(rng)) : encode_record(random_run(rng));
    for (uint64_t e = 1 + rng.below(3); e > 0; --e) b[rng.below(b.size())] = static_cast<char>(rng.below(256));
    ShardRecord s;
    RunRecord r;
    std::string err;
    accepted += decode_record(b, &s, &err) ? 1 : 0;
    accepted += decode_record(b, &r, &err) ? 1 : 0;
  }
  EXPECT_LT(accepted, 20000);  // most mutations are caught; none crashes
}

TEST(ContentHash, SameContentSameKeyDifferentContentDifferentKey) {
  EXPECT_EQ(content_hash_hex("finding a"), content_hash_hex("finding a"));
  EXPECT_EQ(content_hash_hex("finding a").size(), 32u);
  EXPECT_NE(content_hash_hex("finding a"), content_hash_hex("finding b"));
  EXPECT_NE(content_hash_hex(""), content_hash_hex(std::string(1, '\0')));
  EXPECT_NE(findings_prefix("/p/", 1), done_prefix("/p/", 1));
  EXPECT_NE(findings_prefix("/p/", 1), findings_prefix("/p/", 2));
}

}  // namespace
}  // namespace squall::etcd_store
