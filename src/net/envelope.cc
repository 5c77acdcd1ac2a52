#include "net/envelope.h"

#include "proto/json_util.h"

namespace squall::net {
namespace {

bool json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::string encode_envelope(int64_t id, std::string_view src, std::string_view dest, std::string_view body) {
  std::string out;
  out.reserve(body.size() + src.size() + dest.size() + 48);
  out += "{\"id\":";
  out += std::to_string(id);
  out += ",\"src\":";
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
    // parser does not keep; nodes rarely write one, so the message is written anew.
    return encode_envelope(id, message.src(), message.dest(), proto::to_json(message.body()));
  }
  size_t first = 0, last = line.size();
  while (first < last && json_space(line[first])) ++first;
  while (last > first && json_space(line[last - 1])) --last;
  SQ_ASSERT(last - first >= 2 && line[first] == '{' && line[last - 1] == '}');  // it parsed as an object
  std::string_view inner = line.substr(first + 1, last - first - 2);  // between the braces: src, dest, body
  std::string out;
  out.reserve(inner.size() + 32);
  out += "{\"id\":";
  out += std::to_string(id);
  out += ',';
  out += inner;
  out += '}';
  return out;
}

}  // namespace squall::net
