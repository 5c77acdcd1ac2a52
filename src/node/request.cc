#include "node/request.h"

#include "core/assert.h"
#include "proto/error_code.h"

namespace squall::node {

const proto::Message& RpcReply::message() const {
  SQ_ASSERT_MSG(msg_ != nullptr, "RpcReply::message() on a timeout");
  return *msg_;
}

int RpcReply::error_code() const {
  std::optional<int64_t> code = proto::get_int(body(), "code");
  // An error reply without a usable code says nothing about whether the request took
  // effect: treat it as a crash, the indefinite code.
  if (!code || *code < INT32_MIN || *code > INT32_MAX) return proto::code_of(proto::ErrorCode::kCrash);
  return static_cast<int>(*code);
}

std::string_view RpcReply::error_text() const {
  std::optional<std::string_view> text = proto::get_string(body(), "text");
  return text ? *text : std::string_view();
}

}  // namespace squall::node
