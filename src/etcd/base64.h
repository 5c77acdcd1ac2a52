// Standard base64 (RFC 4648, with padding): how etcd's JSON gateway carries bytes.
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace squall::etcd {

std::string base64_encode(std::string_view in);
// False on any character outside the alphabet, bad padding or a length that is not a
// multiple of four; *out is then unspecified.
bool base64_decode(std::string_view in, std::string* out);

}  // namespace squall::etcd
