// The binary codec of coordination records as stored in etcd: one record per value,
// compact (varints, length-prefixed bytes) and versioned.
//
// Layout: a version byte (kCodecVersion), a kind byte ('R' run, 'S' shard), then the
// record's fields in declaration order. A reader rejects any other version: a format
// change gets a new version byte and a reader for the old one. Decoding is defensive —
// the value comes from a server — and a malformed value (truncated, an enum out of
// range, a count larger than the bytes left, trailing bytes) is a false return, never a
// crash. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "coord/records.h"

namespace squall::etcd_store {

inline constexpr uint8_t kCodecVersion = 1;

std::string encode_record(const coord::RunRecord& r);
std::string encode_record(const coord::ShardRecord& r);
// False with *error set when `bytes` is not a valid encoding of that record kind.
bool decode_record(std::string_view bytes, coord::RunRecord* out, std::string* error);
bool decode_record(std::string_view bytes, coord::ShardRecord* out, std::string* error);

}  // namespace squall::etcd_store
