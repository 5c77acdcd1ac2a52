#include "etcd/types.h"

#include <utility>

namespace squall::etcd {

std::string prefix_end(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    auto last = static_cast<unsigned char>(end.back());
    if (last < 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();  // 0xff cannot be raised: carry into the byte before it
  }
  return std::string(1, '\0');
}

Compare Compare::mod_revision(std::string key, CompareOp op, int64_t rev) {
  return Compare{std::move(key), CompareTarget::ModRevision, op, rev, {}};
}
Compare Compare::create_revision(std::string key, CompareOp op, int64_t rev) {
  return Compare{std::move(key), CompareTarget::CreateRevision, op, rev, {}};
}
Compare Compare::version(std::string key, CompareOp op, int64_t v) {
  return Compare{std::move(key), CompareTarget::Version, op, v, {}};
}
Compare Compare::value_is(std::string key, CompareOp op, std::string v) {
  return Compare{std::move(key), CompareTarget::Value, op, 0, std::move(v)};
}

TxnOp TxnOp::make_put(std::string key, std::string value, int64_t lease) {
  TxnOp op;
  op.kind = Kind::Put;
  op.put = PutRequest{std::move(key), std::move(value), lease};
  return op;
}
TxnOp TxnOp::make_delete(std::string key, std::string range_end) {
  TxnOp op;
  op.kind = Kind::Delete;
  op.del = DeleteRequest{std::move(key), std::move(range_end)};
  return op;
}
TxnOp TxnOp::make_range(RangeRequest r) {
  TxnOp op;
  op.kind = Kind::Range;
  op.range = std::move(r);
  return op;
}

}  // namespace squall::etcd
