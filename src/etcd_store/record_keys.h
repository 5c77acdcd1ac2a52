// Where the coordination records live in etcd: every key starts with a configurable
// prefix, then "run/" + run id, or "shard/" + run id + shard id, ids as 8 big-endian
// bytes so that etcd's byte order of keys is the numeric order of ids (a range scan of
// one run's shards visits them in ascending id order, as RecordStore requires).
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "coord/types.h"

namespace squall::etcd_store {

inline void append_be64(std::string* s, uint64_t v) {
  for (int i = 7; i >= 0; --i) s->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

inline std::string run_key(std::string_view prefix, coord::RunId run) {
  std::string k(prefix);
  k += "run/";
  append_be64(&k, run);
  return k;
}

// The common prefix of every shard key of `run`.
inline std::string shard_prefix(std::string_view prefix, coord::RunId run) {
  std::string k(prefix);
  k += "shard/";
  append_be64(&k, run);
  return k;
}

inline std::string shard_key(std::string_view prefix, coord::RunId run, coord::ShardId shard) {
  std::string k = shard_prefix(prefix, run);
  append_be64(&k, shard);
  return k;
}

}  // namespace squall::etcd_store
