#include "etcd_store/content_set.h"

#include <algorithm>

#include "etcd_store/record_keys.h"

namespace squall::etcd_store {
namespace {

// Two independent 64-bit hashes (FNV-1a with two offset bases, each finished with a
// SplitMix64 mixer): 128 bits, so that an accidental collision among a run's findings
// is out of reach; a collision is still detected by comparing contents.
uint64_t fnv1a(std::string_view s, uint64_t basis) {
  uint64_t h = basis;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  h ^= s.size();
  h += 0x9e3779b97f4a7c15ull;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

void append_hex(std::string* out, uint64_t v) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) out->push_back(kHex[(v >> (4 * i)) & 0xf]);
}

}  // namespace

const char* to_string(AddStatus s) {
  switch (s) {
    case AddStatus::Added: return "added";
    case AddStatus::Present: return "present";
    case AddStatus::Collision: return "collision";
    case AddStatus::Unavailable: return "unavailable";
    case AddStatus::Indeterminate: return "indeterminate";
  }
  return "?";
}

std::string content_hash_hex(std::string_view content) {
  std::string out;
  append_hex(&out, fnv1a(content, 0xcbf29ce484222325ull));
  append_hex(&out, fnv1a(content, 0x84222325cbf29ce4ull));
  return out;
}

std::string ContentSet::key_for(std::string_view content) const { return prefix_ + content_hash_hex(content); }

AddStatus ContentSet::add(std::string_view content) {
  const std::string key = key_for(content);
  etcd::TxnRequest req;
  req.compares.push_back(etcd::Compare::create_revision(key, etcd::CompareOp::Equal, 0));
  req.success.push_back(etcd::TxnOp::make_put(key, std::string(content)));
  req.failure.push_back(etcd::TxnOp::make_range(etcd::RangeRequest{key}));
  auto r = client_->txn(req);
  if (!r.ok()) {
    last_error_ = describe(r.error());
    return r.error().kind == etcd::ErrorKind::Indeterminate ? AddStatus::Indeterminate : AddStatus::Unavailable;
  }
  if (r->succeeded) return AddStatus::Added;
  if (r->results.size() != 1 || r->results[0].range.kvs.size() != 1) {
    // The key existed at the compare and the same Txn read it: anything else is etcd
    // misbehaving; say so instead of guessing.
    last_error_ = "put-if-absent failed but the key was not read back";
    return AddStatus::Indeterminate;
  }
  if (r->results[0].range.kvs[0].value != content) {
    last_error_ = "content hash collision at key " + key;
    return AddStatus::Collision;
  }
  return AddStatus::Present;
}

bool ContentSet::add_all(const std::vector<std::string>& contents, std::vector<AddStatus>* out) {
  out->assign(contents.size(), AddStatus::Unavailable);
  std::vector<std::string> keys;
  for (const std::string& c : contents) keys.push_back(key_for(c));
  std::vector<size_t> firsts;  // the first index of each distinct key
  for (size_t i = 0; i < keys.size(); ++i) {
    if (std::find(keys.begin(), keys.begin() + static_cast<long>(i), keys[i]) == keys.begin() + static_cast<long>(i)) {
      firsts.push_back(i);
    }
  }
  bool batched = false;
  if (!firsts.empty() && firsts.size() <= kBatchMax) {
    etcd::TxnRequest req;
    for (size_t i : firsts) {
      req.compares.push_back(etcd::Compare::create_revision(keys[i], etcd::CompareOp::Equal, 0));
      req.success.push_back(etcd::TxnOp::make_put(keys[i], contents[i]));
    }
    auto r = client_->txn(req);
    if (!r.ok()) {
      last_error_ = describe(r.error());
      const AddStatus s =
          r.error().kind == etcd::ErrorKind::Indeterminate ? AddStatus::Indeterminate : AddStatus::Unavailable;
      out->assign(contents.size(), s);
      return false;
    }
    if (r->succeeded) {
      for (size_t i : firsts) (*out)[i] = AddStatus::Added;
      batched = true;
    }
  }
  if (!batched) {
    // Some are present already (a replayed page) or the batch is large: one by one.
    for (size_t i : firsts) (*out)[i] = add(contents[i]);
  }
  bool all_ok = true;
  for (size_t i = 0; i < contents.size(); ++i) {
    auto first = std::find(keys.begin(), keys.end(), keys[i]) - keys.begin();
    if (static_cast<size_t>(first) != i) (*out)[i] = (*out)[static_cast<size_t>(first)];
    all_ok = all_ok && ((*out)[i] == AddStatus::Added || (*out)[i] == AddStatus::Present);
  }
  return all_ok;
}

bool ContentSet::list(std::vector<std::string>* out) {
  out->clear();
  etcd::RangeRequest req{prefix_, etcd::prefix_end(prefix_), 1000, 0, false};
  for (;;) {
    auto r = client_->range(req);
    if (!r.ok()) {
      last_error_ = describe(r.error());
      return false;
    }
    if (req.revision == 0) req.revision = r->header.revision;
    for (etcd::KeyValue& kv : r->kvs) out->push_back(std::move(kv.value));
    if (!r->more || r->kvs.empty()) return true;
    req.key = r->kvs.back().key;
    req.key.push_back('\0');
  }
}

std::string findings_prefix(std::string_view store_prefix, coord::RunId run) {
  std::string k(store_prefix);
  k += "findings/";
  append_be64(&k, run);
  k += "/";
  return k;
}

std::string done_prefix(std::string_view store_prefix, coord::RunId run) {
  std::string k(store_prefix);
  k += "done/";
  append_be64(&k, run);
  k += "/";
  return k;
}

}  // namespace squall::etcd_store
