#include "net/envelope.h"

#include <charconv>
#include <cstring>

#include "proto/json_util.h"

namespace squall::net {
namespace {

bool json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// `{"id":N,` — the start of every envelope the network delivers — then `rest`, written
// into a string sized once.
std::string with_id_prefix(int64_t id, std::string_view rest, size_t reserve_extra = 0) {
  char digits[24];
  size_t n = static_cast<size_t>(std::to_chars(digits, digits + sizeof digits, id).ptr - digits);
  constexpr std::string_view kOpen = "{\"id\":";
  std::string out;
  out.reserve(kOpen.size() + n + 1 + rest.size() + reserve_extra);
  out.resize(kOpen.size() + n + 1 + rest.size());
  char* p = out.data();
  std::memcpy(p, kOpen.data(), kOpen.size());
  std::memcpy(p + kOpen.size(), digits, n);
  p[kOpen.size() + n] = ',';
  std::memcpy(p + kOpen.size() + n + 1, rest.data(), rest.size());
  return out;
}

}  // namespace

std::string encode_envelope(int64_t id, std::string_view src, std::string_view dest, std::string_view body) {
  std::string out = with_id_prefix(id, "\"src\":", body.size() + src.size() + dest.size() + 32);
  proto::append_json_string(out, src);
  out += ",\"dest\":";
  proto::append_json_string(out, dest);
  out += ",\"body\":";
  out += body;
  out += '}';
  return out;
}

std::string stamp_envelope(int64_t id, const proto::Message& message, std::string_view line) {
  if (message.id()) {
    // Dropping the node's own id from its text would need the key's position, which the
    // parser does not keep; nodes rarely write one, so the envelope is written anew
    // around the body as the node wrote it.
    return encode_envelope(id, message.src(), message.dest(), message.body_text());
  }
  size_t first = 0, last = line.size();
  while (first < last && json_space(line[first])) ++first;
  while (last > first && json_space(line[last - 1])) --last;
  SQ_ASSERT(last - first >= 2 && line[first] == '{' && line[last - 1] == '}');  // it parsed as an object
  // From after the opening brace to the closing one: the node's src, dest and body.
  return with_id_prefix(id, line.substr(first + 1, last - first - 1));
}

}  // namespace squall::net
