// EtcdStore: coord::RecordStore on etcd — the durable, replicated backend of the
// coordination model.
//
// Each record is one key (record_keys.h) holding its binary encoding (record_codec.h);
// a record's revision is its key's mod_revision. get reads one key, scan_shards reads
// the run's shard keys in pages at one fixed etcd revision (a consistent snapshot), and
// commit is ONE etcd Txn whose compares are `mod_revision(key) == expected`
// (`create_revision(key) == 0` for "absent") and whose success branch puts every record.
//
// Failures follow the client's classification: a read that fails is Unavailable (a read
// has no effect); a commit is Unavailable when etcd never saw it or refused it with a
// definite error, Indeterminate when it was sent and the answer was lost. A stored
// value that does not decode is reported as Unavailable with last_error() saying which
// key, never trusted. Split transactions can carry up to 257 puts: the etcd members must
// run with --max-txn-ops of at least 260 (etcd's default is 128; LocalCluster sets 1024).
//
// Not thread-safe (it owns one etcd client): one store per thread; several stores on
// one etcd are safe because every write is guarded.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "coord/store.h"
#include "etcd/client.h"

namespace squall::etcd_store {

struct EtcdStoreOptions {
  std::string prefix = "/squall/";
  etcd::ClientOptions client;
  int64_t scan_page = 256;  // keys per range request of a scan
};

class EtcdStore final : public coord::RecordStore {
 public:
  explicit EtcdStore(EtcdStoreOptions options);

  coord::StoreStatus get_run(coord::RunId run, coord::RunRecord* out, coord::Revision* revision) override;
  coord::StoreStatus get_shard(coord::RunId run, coord::ShardId shard, coord::ShardRecord* out,
                               coord::Revision* revision) override;
  coord::StoreStatus scan_shards(coord::RunId run, coord::ShardVisitor* visitor) override;
  coord::StoreStatus commit(const coord::Txn& txn) override;

  // Why the last call that did not answer Ok or Conflict failed (for logs).
  const std::string& last_error() const { return last_error_; }
  const std::string& prefix() const { return options_.prefix; }
  etcd::Client& client() { return client_; }

 private:
  // Reads one key: Ok with *kv empty-keyed when absent.
  coord::StoreStatus read_key(const std::string& key, etcd::KeyValue* kv, bool* found);
  coord::StoreStatus fail(coord::StoreStatus s, std::string why);

  EtcdStoreOptions options_;
  etcd::Client client_;
  std::string last_error_;
};

}  // namespace squall::etcd_store
