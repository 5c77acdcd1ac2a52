// Finding: a secret found in an item, and its content address.
//
// A finding is identified by what it is (item key, offset, secret), not by who found it
// or when: content_id() hashes exactly those fields, so the same finding found twice (a
// retried page, a re-processed range after a split or a lost lease) gets the same id and
// a put-if-absent store keeps one copy. Value types.
#pragma once

#include <cstdint>
#include <string>

namespace squall::worker {

struct Finding {
  std::string item_key;
  uint32_t offset = 0;  // byte offset of the secret in the item's content
  std::string secret;

  bool operator==(const Finding&) const = default;
  auto operator<=>(const Finding&) const = default;
};

// 64-bit FNV-1a over the length-prefixed fields; stable across builds (ids are stored).
uint64_t content_id(const Finding& f);

// A finding as the worker writes it: the id it is stored under, and the finding.
struct FindingWrite {
  uint64_t id = 0;
  Finding finding;
};

}  // namespace squall::worker
