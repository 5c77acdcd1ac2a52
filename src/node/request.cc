#include "node/request.h"

#include "core/assert.h"

namespace squall::node {

const proto::Message& RpcReply::message() const {
  SQ_ASSERT_MSG(msg_ != nullptr, "RpcReply::message() on a timeout");
  return *msg_;
}

int RpcReply::error_code() const {
  std::optional<int64_t> code = proto::get_int(body(), "code");
  if (!code || *code < INT32_MIN || *code > INT32_MAX) return 13;
  return static_cast<int>(*code);
}

std::string_view RpcReply::error_text() const {
  std::optional<std::string_view> text = proto::get_string(body(), "text");
  return text ? *text : std::string_view();
}

}  // namespace squall::node
