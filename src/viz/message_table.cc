#include "viz/message_table.h"

#include <charconv>
#include <vector>

#include <fmt/format.h>

namespace squall::viz {
namespace {

std::string escape_field(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out;
}

std::string unescape_field(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    char c = text[++i];
    out += c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c;
  }
  return out;
}

std::vector<std::string_view> split_tabs(std::string_view line, size_t max_fields) {
  std::vector<std::string_view> f;
  size_t i = 0;
  while (f.size() + 1 < max_fields) {
    size_t j = line.find('\t', i);
    if (j == std::string_view::npos) break;
    f.push_back(line.substr(i, j - i));
    i = j + 1;
  }
  f.push_back(line.substr(i));
  return f;
}

std::optional<int64_t> to_int(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string format_message_row(const DiagramMessage& m) {
  return fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\n", m.id, escape_field(m.src), escape_field(m.dest), m.send_ns,
                     m.end_ns, fate_name(m.fate), escape_field(m.body));
}

std::optional<int64_t> message_row_send_ns(std::string_view line) {
  auto f = split_tabs(line, 5);
  if (f.size() < 5) return std::nullopt;
  return to_int(f[3]);
}

Result<DiagramMessage> parse_message_row(std::string_view line) {
  auto f = split_tabs(line, 7);
  if (f.size() != 7) return err(fmt::format("expected 7 tab-separated fields, found {}", f.size()));
  DiagramMessage m;
  auto id = to_int(f[0]), send = to_int(f[3]), end = to_int(f[4]);
  if (!id) return err("malformed message id");
  if (!send || *send < 0) return err("malformed send time");
  if (!end || *end < -1) return err("malformed end time");
  m.id = *id;
  m.src = unescape_field(f[1]);
  m.dest = unescape_field(f[2]);
  m.send_ns = *send;
  m.end_ns = *end;
  if (f[5] == "delivered") {
    m.fate = MessageFate::kDelivered;
  } else if (f[5] == "dropped") {
    m.fate = MessageFate::kDropped;
  } else if (f[5] == "in-flight") {
    m.fate = MessageFate::kInFlight;
  } else {
    return err("unknown fate '" + std::string(f[5].substr(0, 20)) + "'");
  }
  if ((m.fate == MessageFate::kInFlight) != (m.end_ns == -1)) return err("end time does not match the fate");
  if (m.fate != MessageFate::kInFlight && m.end_ns < m.send_ns) return err("ends before it was sent");
  if (m.src.empty() || m.dest.empty()) return err("empty endpoint name");
  m.body = unescape_field(f[6]);
  return m;
}

}  // namespace squall::viz
