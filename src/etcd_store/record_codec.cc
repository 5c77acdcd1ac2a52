#include "etcd_store/record_codec.h"

#include <cstring>

namespace squall::etcd_store {
namespace {

using namespace squall::coord;

constexpr char kRunKind = 'R';
constexpr char kShardKind = 'S';

class Out {
 public:
  void u8(uint8_t v) { s_.push_back(static_cast<char>(v)); }
  void var(uint64_t v) {
    while (v >= 0x80) {
      s_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    s_.push_back(static_cast<char>(v));
  }
  // Signed values zig-zagged so that small negatives stay short.
  void svar(int64_t v) { var((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void fixed64(uint64_t v) {
    for (int i = 0; i < 8; ++i) s_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void bytes(std::string_view b) {
    var(b.size());
    s_.append(b);
  }
  std::string take() { return std::move(s_); }

 private:
  std::string s_;
};

class In {
 public:
  explicit In(std::string_view b) : b_(b) {}
  bool u8(uint8_t* v) {
    if (b_.empty()) return fail("truncated");
    *v = static_cast<uint8_t>(b_[0]);
    b_.remove_prefix(1);
    return true;
  }
  bool var(uint64_t* v) {
    uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t byte;
      if (!u8(&byte)) return false;
      if (shift == 63 && byte > 1) return fail("varint overflows 64 bits");
      x |= uint64_t{byte & 0x7fu} << shift;
      if ((byte & 0x80) == 0) {
        *v = x;
        return true;
      }
    }
    return fail("varint too long");
  }
  bool svar(int64_t* v) {
    uint64_t u;
    if (!var(&u)) return false;
    *v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
    return true;
  }
  bool fixed64(uint64_t* v) {
    if (b_.size() < 8) return fail("truncated");
    uint64_t x = 0;
    for (int i = 0; i < 8; ++i) x |= uint64_t{static_cast<unsigned char>(b_[static_cast<size_t>(i)])} << (8 * i);
    b_.remove_prefix(8);
    *v = x;
    return true;
  }
  bool bytes(std::string* out, size_t max) {
    uint64_t n;
    if (!var(&n)) return false;
    if (n > b_.size()) return fail("length beyond the end");
    if (n > max) return fail("field over its size limit");
    out->assign(b_.substr(0, n));
    b_.remove_prefix(n);
    return true;
  }
  // A count of items that each take at least `min_item_bytes`: bounded by what is left.
  bool count(uint64_t* n, uint64_t max, size_t min_item_bytes) {
    if (!var(n)) return false;
    if (*n > max || *n * min_item_bytes > b_.size()) return fail("count too large");
    return true;
  }
  bool done() { return b_.empty() ? true : fail("trailing bytes"); }
  bool fail(const char* why) {
    if (error_ == nullptr) error_ = why;
    return false;
  }
  const char* error() const { return error_ == nullptr ? "malformed" : error_; }

 private:
  std::string_view b_;
  const char* error_ = nullptr;
};

// Generous bounds for decoding: larger than any record the model writes.
constexpr size_t kBytesMax = 64 * 1024;

void put_oplog(Out& o, const OpLog& log) {
  o.var(log.size());
  for (size_t i = 0; i < log.size(); ++i) {
    const OpLogEntry& e = log.at(i);
    o.var(e.op_id);
    o.u8(static_cast<uint8_t>(e.kind));
    o.fixed64(e.payload_hash);
  }
}

bool get_oplog(In& in, OpLog* log) {
  uint64_t n;
  if (!in.count(&n, kOpLogCapacity, 10)) return false;
  *log = OpLog{};
  for (uint64_t i = 0; i < n; ++i) {
    OpLogEntry e;
    uint8_t kind = 0;
    if (!in.var(&e.op_id) || !in.u8(&kind) || !in.fixed64(&e.payload_hash)) return false;
    if (kind < 1 || kind > kOpKindCount) return in.fail("op-log kind out of range");
    e.kind = static_cast<OpKind>(kind);
    log->append(e);
  }
  return true;
}

bool get_header(In& in, char kind) {
  uint8_t version, k;
  if (!in.u8(&version) || !in.u8(&k)) return false;
  if (version != kCodecVersion) return in.fail("unknown codec version");
  if (k != static_cast<uint8_t>(kind)) return in.fail("record of another kind");
  return true;
}

}  // namespace

std::string encode_record(const RunRecord& r) {
  Out o;
  o.u8(kCodecVersion);
  o.u8(kRunKind);
  o.var(r.tenant);
  o.var(r.run);
  o.u8(static_cast<uint8_t>(r.status));
  o.svar(r.config.lease_duration_ms);
  o.svar(r.config.claim_cooldown_ms);
  o.var(r.roots.size());
  for (const KeyRange& k : r.roots) {
    o.bytes(k.start);
    o.bytes(k.end);
  }
  o.var(r.shard_count);
  o.var(r.claims.size());
  for (const ClaimStamp& c : r.claims) {
    o.var(c.worker);
    o.svar(c.at_ms);
  }
  put_oplog(o, r.op_log);
  return o.take();
}

std::string encode_record(const ShardRecord& r) {
  Out o;
  o.u8(kCodecVersion);
  o.u8(kShardKind);
  o.var(r.tenant);
  o.var(r.run);
  o.var(r.id);
  o.u8(static_cast<uint8_t>(r.status));
  o.bytes(r.park_reason);
  o.bytes(r.spec.start);
  o.bytes(r.spec.end);
  o.bytes(r.cursor.last_key);
  o.bytes(r.cursor.token);
  o.u8(r.lease.has_value() ? 1 : 0);
  if (r.lease) {
    o.var(r.lease->owner);
    o.svar(r.lease->deadline_ms);
  }
  o.var(r.fence);
  o.u8(r.parent.has_value() ? 1 : 0);
  if (r.parent) o.var(*r.parent);
  o.var(r.spawned.size());
  for (const Spawned& s : r.spawned) {
    o.var(s.id);
    o.u8(static_cast<uint8_t>(s.kind));
  }
  put_oplog(o, r.op_log);
  return o.take();
}

bool decode_record(std::string_view bytes, RunRecord* out, std::string* error) {
  In in(bytes);
  RunRecord r;
  uint8_t status;
  uint64_t roots;
  uint64_t claims;
  bool ok = get_header(in, kRunKind) && in.var(&r.tenant) && in.var(&r.run) && in.u8(&status) &&
            in.svar(&r.config.lease_duration_ms) && in.svar(&r.config.claim_cooldown_ms) &&
            in.count(&roots, kRootsPerRunMax, 2);
  if (ok && status > static_cast<uint8_t>(RunStatus::Done)) ok = in.fail("run status out of range");
  std::vector<KeyRange> ranges;
  for (uint64_t i = 0; ok && i < roots; ++i) {
    KeyRange k;
    ok = in.bytes(&k.start, kBytesMax) && in.bytes(&k.end, kBytesMax);
    ranges.push_back(std::move(k));
  }
  ok = ok && in.var(&r.shard_count) && in.count(&claims, kClaimStampsMax, 2);
  for (uint64_t i = 0; ok && i < claims; ++i) {
    ClaimStamp c;
    ok = in.var(&c.worker) && in.svar(&c.at_ms);
    r.claims.push_back(c);
  }
  ok = ok && get_oplog(in, &r.op_log) && in.done();
  if (!ok) {
    *error = std::string("run record: ") + in.error();
    return false;
  }
  r.status = static_cast<RunStatus>(status);
  r.roots = SharedRanges(std::move(ranges));
  *out = std::move(r);
  return true;
}

bool decode_record(std::string_view bytes, ShardRecord* out, std::string* error) {
  In in(bytes);
  ShardRecord r;
  uint8_t status, has_lease, has_parent;
  bool ok = get_header(in, kShardKind) && in.var(&r.tenant) && in.var(&r.run) && in.var(&r.id) && in.u8(&status) &&
            in.bytes(&r.park_reason, kParkReasonBytesMax) && in.bytes(&r.spec.start, kBytesMax) &&
            in.bytes(&r.spec.end, kBytesMax) && in.bytes(&r.cursor.last_key, kBytesMax) &&
            in.bytes(&r.cursor.token, kBytesMax) && in.u8(&has_lease);
  if (ok && status > static_cast<uint8_t>(ShardStatus::Parked)) ok = in.fail("shard status out of range");
  if (ok && has_lease > 1) ok = in.fail("lease flag out of range");
  if (ok && has_lease == 1) {
    Lease l;
    ok = in.var(&l.owner) && in.svar(&l.deadline_ms);
    r.lease = l;
  }
  ok = ok && in.var(&r.fence) && in.u8(&has_parent);
  if (ok && has_parent > 1) ok = in.fail("parent flag out of range");
  if (ok && has_parent == 1) {
    ShardId p;
    ok = in.var(&p);
    r.parent = p;
  }
  uint64_t spawned = 0;
  ok = ok && in.count(&spawned, kShardsPerRunMax, 2);
  for (uint64_t i = 0; ok && i < spawned; ++i) {
    Spawned s;
    uint8_t kind = 0;
    ok = in.var(&s.id) && in.u8(&kind);
    if (ok && kind > static_cast<uint8_t>(SpawnKind::Residual)) ok = in.fail("spawn kind out of range");
    s.kind = static_cast<SpawnKind>(kind);
    r.spawned.push_back(s);
  }
  ok = ok && get_oplog(in, &r.op_log) && in.done();
  if (!ok) {
    *error = std::string("shard record: ") + in.error();
    return false;
  }
  r.status = static_cast<ShardStatus>(status);
  *out = std::move(r);
  return true;
}

}  // namespace squall::etcd_store
