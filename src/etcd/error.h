// EtcdError and EtcdResult<T>: what an etcd call answers, a value or a classified error.
//
// Callers branch on the kind, never on the message text. The kinds say what is known
// about the effect of the request, which is what a caller needs to retry safely:
//   Unavailable   — the request never left this process (no endpoint accepted a
//                   connection, or every endpoint refused it): nothing happened.
//   Indeterminate — the request was sent and then the deadline passed or the connection
//                   was lost before a complete answer: it may or may not have happened.
//   Rejected      — etcd answered with a definite error (code is etcd's gRPC status
//                   code, e.g. 5 NotFound for an unknown lease); nothing happened.
// Plain values; not thread-safe to share mutable instances.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace squall::etcd {

enum class ErrorKind : uint8_t { Unavailable, Indeterminate, Rejected };

const char* to_string(ErrorKind k);

// gRPC status codes that etcd answers with (the gateway reports them as "code").
inline constexpr int kGrpcInvalidArgument = 3;
inline constexpr int kGrpcDeadlineExceeded = 4;
inline constexpr int kGrpcNotFound = 5;
inline constexpr int kGrpcFailedPrecondition = 9;
inline constexpr int kGrpcUnavailable = 14;

struct EtcdError {
  ErrorKind kind = ErrorKind::Unavailable;
  int code = 0;         // etcd's gRPC code for Rejected; 0 otherwise
  std::string message;  // for humans and logs only
};

std::string describe(const EtcdError& e);

template <typename T>
using EtcdResult = Result<T, EtcdError>;

}  // namespace squall::etcd
