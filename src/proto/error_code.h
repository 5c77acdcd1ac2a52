// ErrorCode: the error codes of Maelstrom's protocol and their classification.
//
// A *definite* error means the operation surely did not take effect (a client may
// record it as a failure); an *indefinite* one means it may or may not have happened
// (the client must record it as indeterminate). Unknown codes, including user-defined
// codes 1000+, are indefinite: assuming less is the safe side. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace squall::proto {

enum class ErrorCode : int {
  kTimeout = 0,
  kNodeNotFound = 1,
  kNotSupported = 10,
  kTemporarilyUnavailable = 11,
  kMalformedRequest = 12,
  kCrash = 13,
  kAbort = 14,
  kKeyDoesNotExist = 20,
  kKeyAlreadyExists = 21,
  kPreconditionFailed = 22,
  kTxnConflict = 30,
};

inline constexpr int code_of(ErrorCode c) { return static_cast<int>(c); }
// The code a node answers a request it cannot read with (the most used one).
inline constexpr int kMalformedRequestCode = code_of(ErrorCode::kMalformedRequest);

// True when `code` guarantees the operation did not happen: 1, 10, 11, 12, 14, 20, 21,
// 22, 30. Everything else (0 timeout, 13 crash, unknown and user codes) is indefinite.
bool is_definite(int code);

// The protocol's name for a code, e.g. "key-does-not-exist"; "user-defined" for
// 1000+, "unknown" for anything else not in the table.
std::string_view error_name(int code);

}  // namespace squall::proto
