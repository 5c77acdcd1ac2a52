#include "etcd_store/etcd_store.h"

#include "core/assert.h"
#include "etcd_store/record_codec.h"
#include "etcd_store/record_keys.h"

namespace squall::etcd_store {

using coord::Revision;
using coord::StoreStatus;

EtcdStore::EtcdStore(EtcdStoreOptions options) : options_(std::move(options)), client_(options_.client) {
  SQ_ASSERT(options_.scan_page > 0);
}

StoreStatus EtcdStore::fail(StoreStatus s, std::string why) {
  last_error_ = std::move(why);
  return s;
}

StoreStatus EtcdStore::read_key(const std::string& key, etcd::KeyValue* kv, bool* found) {
  auto r = client_.range(etcd::RangeRequest{key});
  if (!r.ok()) return fail(StoreStatus::Unavailable, "read: " + describe(r.error()));
  *found = !r->kvs.empty();
  if (*found) *kv = std::move(r->kvs[0]);
  return StoreStatus::Ok;
}

StoreStatus EtcdStore::get_run(coord::RunId run, coord::RunRecord* out, Revision* revision) {
  etcd::KeyValue kv;
  bool found = false;
  if (StoreStatus s = read_key(run_key(options_.prefix, run), &kv, &found); s != StoreStatus::Ok) return s;
  *revision = 0;
  if (!found) return StoreStatus::Ok;
  std::string error;
  if (!decode_record(kv.value, out, &error))
    return fail(StoreStatus::Unavailable, "run " + std::to_string(run) + ": " + error);
  *revision = static_cast<Revision>(kv.mod_revision);
  return StoreStatus::Ok;
}

StoreStatus EtcdStore::get_shard(coord::RunId run, coord::ShardId shard, coord::ShardRecord* out, Revision* revision) {
  etcd::KeyValue kv;
  bool found = false;
  if (StoreStatus s = read_key(shard_key(options_.prefix, run, shard), &kv, &found); s != StoreStatus::Ok) return s;
  *revision = 0;
  if (!found) return StoreStatus::Ok;
  std::string error;
  if (!decode_record(kv.value, out, &error)) {
    return fail(StoreStatus::Unavailable, "shard " + std::to_string(shard) + ": " + error);
  }
  *revision = static_cast<Revision>(kv.mod_revision);
  return StoreStatus::Ok;
}

StoreStatus EtcdStore::scan_shards(coord::RunId run, coord::ShardVisitor* visitor) {
  const std::string first = shard_prefix(options_.prefix, run);
  etcd::RangeRequest req{first, etcd::prefix_end(first), options_.scan_page, 0, false};
  coord::ShardRecord record;
  for (;;) {
    auto r = client_.range(req);
    if (!r.ok()) return fail(StoreStatus::Unavailable, "scan: " + describe(r.error()));
    // Every later page is read at the first page's revision: one consistent snapshot.
    if (req.revision == 0) req.revision = r->header.revision;
    for (const etcd::KeyValue& kv : r->kvs) {
      std::string error;
      if (!decode_record(kv.value, &record, &error)) return fail(StoreStatus::Unavailable, "scan: " + error);
      if (!visitor->visit(record, static_cast<Revision>(kv.mod_revision))) return StoreStatus::Ok;
    }
    if (!r->more || r->kvs.empty()) return StoreStatus::Ok;
    req.key = r->kvs.back().key;
    req.key.push_back('\0');  // the smallest key after the last one read
  }
}

StoreStatus EtcdStore::commit(const coord::Txn& txn) {
  SQ_ASSERT(coord::puts_guarded(txn));
  etcd::TxnRequest req;
  req.compares.reserve(txn.guards.size());
  for (const coord::Guard& g : txn.guards) {
    std::string key = g.is_run ? run_key(options_.prefix, g.run) : shard_key(options_.prefix, g.run, g.shard);
    if (g.expected == 0) {
      req.compares.push_back(etcd::Compare::create_revision(std::move(key), etcd::CompareOp::Equal, 0));
    } else {
      req.compares.push_back(
          etcd::Compare::mod_revision(std::move(key), etcd::CompareOp::Equal, static_cast<int64_t>(g.expected)));
    }
  }
  for (const coord::RunRecord& r : txn.run_puts) {
    req.success.push_back(etcd::TxnOp::make_put(run_key(options_.prefix, r.run), encode_record(r)));
  }
  for (const coord::ShardRecord& r : txn.shard_puts) {
    req.success.push_back(etcd::TxnOp::make_put(shard_key(options_.prefix, r.run, r.id), encode_record(r)));
  }
  auto r = client_.txn(req);
  if (r.ok()) return r->succeeded ? StoreStatus::Ok : StoreStatus::Conflict;
  switch (r.error().kind) {
    case etcd::ErrorKind::Indeterminate: return fail(StoreStatus::Indeterminate, "commit: " + describe(r.error()));
    case etcd::ErrorKind::Unavailable:
    case etcd::ErrorKind::Rejected: break;  // definite: nothing was applied
  }
  return fail(StoreStatus::Unavailable, "commit: " + describe(r.error()));
}

}  // namespace squall::etcd_store
