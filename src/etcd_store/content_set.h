// ContentSet: a set of byte strings in etcd, each stored under a key derived from its
// content and written put-if-absent — the findings store and the done-ledger of a run.
//
// The same content always maps to the same key (prefix + a 128-bit hash in hex), and an
// add is one Txn `create_revision(key) == 0 → put`, else read the key back. So a page
// that is processed twice, or an add retried after an Indeterminate answer, finds its
// entry Present and never duplicates it. The stored value is the content itself, so a
// hash collision is detected (Collision), never silently merged.
//
// Not thread-safe (uses the caller's client from the caller's thread).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "coord/types.h"
#include "etcd/client.h"

namespace squall::etcd_store {

enum class AddStatus : uint8_t {
  Added,          // this call created the entry
  Present,        // the entry was already there (an earlier add, maybe a lost-answer one)
  Collision,      // another content has the same key: a definite error, nothing written
  Unavailable,    // nothing was written
  Indeterminate,  // may or may not have been written: add again (it is idempotent)
};
const char* to_string(AddStatus s);

class ContentSet {
 public:
  // prefix: every entry's key starts with it (see findings_prefix / done_prefix).
  ContentSet(etcd::Client* client, std::string prefix) : client_(client), prefix_(std::move(prefix)) {}

  AddStatus add(std::string_view content);
  // Adds several (a page's findings) in one Txn when none is present yet; otherwise,
  // or when the batch is over kBatchMax, one add() each. (*out)[i] is contents[i]'s
  // status; duplicates within the batch are added once. Returns true when every status
  // is Added or Present.
  static constexpr size_t kBatchMax = 100;  // below etcd's default --max-txn-ops (128)
  bool add_all(const std::vector<std::string>& contents, std::vector<AddStatus>* out);
  // Every entry's content in key order; false (with last_error) when the read failed.
  bool list(std::vector<std::string>* out);
  std::string key_for(std::string_view content) const;
  const std::string& last_error() const { return last_error_; }

 private:
  etcd::Client* client_;
  std::string prefix_;
  std::string last_error_;
};

// The 128-bit content hash behind the keys, as 32 lowercase hex digits.
std::string content_hash_hex(std::string_view content);

// The key prefixes of a run's findings and of its done-ledger under a store prefix.
std::string findings_prefix(std::string_view store_prefix, coord::RunId run);
std::string done_prefix(std::string_view store_prefix, coord::RunId run);

}  // namespace squall::etcd_store
