// The values of etcd's v3 KV, Lease and Lock APIs that Squall uses: key-values,
// response headers, compares and the operations of a transaction.
//
// Keys and values are arbitrary bytes (std::string). Plain value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace squall::etcd {

struct Header {
  int64_t revision = 0;  // the store's revision when the request was served
  uint64_t member_id = 0;
  int64_t raft_term = 0;
};

struct KeyValue {
  std::string key;
  std::string value;
  int64_t create_revision = 0;
  int64_t mod_revision = 0;
  int64_t version = 0;
  int64_t lease = 0;
  bool operator==(const KeyValue&) const = default;
};

// A range read. range_end empty: the single key; "\0" (one zero byte): every key >= key;
// otherwise [key, range_end). prefix_end() gives the end for "every key with this prefix".
struct RangeRequest {
  std::string key;
  std::string range_end;
  int64_t limit = 0;     // 0: no limit
  int64_t revision = 0;  // 0: the newest
  bool count_only = false;
};

struct RangeResponse {
  Header header;
  std::vector<KeyValue> kvs;
  bool more = false;
  int64_t count = 0;
};

struct PutRequest {
  std::string key;
  std::string value;
  int64_t lease = 0;  // 0: no lease
};

struct DeleteRequest {
  std::string key;
  std::string range_end;
};

struct PutResponse {
  Header header;
};

struct DeleteResponse {
  Header header;
  int64_t deleted = 0;
};

// The smallest key above every key that starts with `prefix` ("\0" when there is none).
std::string prefix_end(const std::string& prefix);

enum class CompareTarget : uint8_t { Value, Version, CreateRevision, ModRevision };
enum class CompareOp : uint8_t { Equal, NotEqual, Less, Greater };

struct Compare {
  std::string key;
  CompareTarget target = CompareTarget::ModRevision;
  CompareOp op = CompareOp::Equal;
  int64_t number = 0;  // for Version / CreateRevision / ModRevision
  std::string value;   // for Value

  static Compare mod_revision(std::string key, CompareOp op, int64_t rev);
  static Compare create_revision(std::string key, CompareOp op, int64_t rev);
  static Compare version(std::string key, CompareOp op, int64_t v);
  static Compare value_is(std::string key, CompareOp op, std::string v);
};

// One operation of a transaction branch.
struct TxnOp {
  enum class Kind : uint8_t { Put, Delete, Range } kind = Kind::Range;
  PutRequest put;
  DeleteRequest del;
  RangeRequest range;

  static TxnOp make_put(std::string key, std::string value, int64_t lease = 0);
  static TxnOp make_delete(std::string key, std::string range_end = {});
  static TxnOp make_range(RangeRequest r);
};

struct TxnRequest {
  std::vector<Compare> compares;
  std::vector<TxnOp> success;
  std::vector<TxnOp> failure;
};

// The answer to one TxnOp, in branch order: a Range's kvs, a Delete's count.
struct TxnOpResult {
  TxnOp::Kind kind = TxnOp::Kind::Range;
  RangeResponse range;
  int64_t deleted = 0;
};

struct TxnResponse {
  Header header;
  bool succeeded = false;
  std::vector<TxnOpResult> results;
};

struct LeaseGrantResponse {
  Header header;
  int64_t id = 0;
  int64_t ttl_s = 0;
};

struct LeaseKeepAliveResponse {
  Header header;
  int64_t id = 0;
  int64_t ttl_s = 0;  // <= 0: the lease had expired (or never existed)
};

struct LeaseTimeToLiveResponse {
  Header header;
  int64_t id = 0;
  int64_t ttl_s = -1;  // -1: expired or unknown
  int64_t granted_ttl_s = 0;
};

struct LockResponse {
  Header header;
  std::string key;  // the lock's ownership key; pass it to unlock
};

}  // namespace squall::etcd
