// Fuzz target: everything Squall reads back from an etcd server — an HTTP/1.1 response
// head, a chunked body, the gateway's JSON answers, and stored coordination records.
// None of it may crash, hang or trip a sanitizer, whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "etcd/gateway_codec.h"
#include "etcd/http_connection.h"
#include "etcd_store/record_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string error;
  squall::etcd::ResponseHead head;
  (void)squall::etcd::parse_response_head(in, &head, &error);
  std::string body;
  (void)squall::etcd::decode_chunked(in, 1 << 20, &body);
  namespace gw = squall::etcd::gateway;
  squall::etcd::RangeResponse range;
  (void)gw::decode(in, &range, &error);
  squall::etcd::TxnResponse txn;
  (void)gw::decode(in, &txn, &error);
  squall::etcd::LeaseKeepAliveResponse keep;
  (void)gw::decode(in, &keep, &error);
  squall::etcd::LockResponse lock;
  (void)gw::decode(in, &lock, &error);
  int code = 0;
  (void)gw::decode_error(in, &code, &error);
  squall::coord::ShardRecord shard;
  (void)squall::etcd_store::decode_record(in, &shard, &error);
  squall::coord::RunRecord run;
  (void)squall::etcd_store::decode_record(in, &run, &error);
  return 0;
}
