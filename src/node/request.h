// Request, ReplyTo and RpcReply: what a Node hands to handlers and RPC callbacks.
//
// Request views into the message being handled and is valid only during the handler
// call; a handler that answers later keeps a ReplyTo (an owned copy of the return
// address). RpcReply views into the reply message and is valid only during the callback.
// Not thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proto/json_util.h"
#include "proto/message.h"

namespace squall::node {

// Where and to what a deferred reply goes. msg_id empty: the request asked for no reply.
struct ReplyTo {
  std::string dest;
  std::optional<int64_t> msg_id;
};

class Request {
 public:
  Request(const proto::Message& msg, int64_t now_ms) : msg_(msg), now_ms_(now_ms) {}

  std::string_view type() const { return msg_.type(); }
  std::string_view src() const { return msg_.src(); }
  const rapidjson::Value& body() const { return msg_.body(); }
  std::optional<int64_t> msg_id() const { return msg_.msg_id(); }
  int64_t now_ms() const { return now_ms_; }
  ReplyTo reply_to() const { return ReplyTo{std::string(msg_.src()), msg_.msg_id()}; }

 private:
  const proto::Message& msg_;
  int64_t now_ms_;
};

// The outcome of an RPC: the reply message, or a timeout.
class RpcReply {
 public:
  static RpcReply timeout() { return RpcReply(nullptr); }
  static RpcReply of(const proto::Message& msg) { return RpcReply(&msg); }

  bool timed_out() const { return msg_ == nullptr; }
  // Preconditions for the rest: !timed_out().
  const proto::Message& message() const;
  const rapidjson::Value& body() const { return message().body(); }
  std::string_view type() const { return message().type(); }
  bool is_error() const { return !timed_out() && type() == "error"; }
  // The error code; 13 (crash, indefinite) when an error reply lacks an integer code.
  int error_code() const;
  std::string_view error_text() const;
  // Shorthand: not timed out and not an error.
  bool ok() const { return !timed_out() && !is_error(); }

 private:
  explicit RpcReply(const proto::Message* msg) : msg_(msg) {}
  const proto::Message* msg_;
};

}  // namespace squall::node
