#include "viz/escape.h"

#include <fmt/format.h>

namespace squall::viz {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed UTF-8 sequence starting at text[i], or 0 if it is malformed
// (overlong forms, surrogates and code points above U+10FFFF count as malformed).
size_t utf8_sequence_length(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char b0 = byte(i);
  size_t len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > text.size()) return 0;
  uint32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1Fu) : len == 3 ? (b0 & 0x0Fu) : (b0 & 0x07u);
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3Fu);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  if (cp == 0xFFFE || cp == 0xFFFF) return 0;  // not XML characters either
  return len;
}

// Appends `text` to *out: each ASCII byte through `ascii(c, out)`, each well-formed UTF-8
// sequence as it is, each malformed byte as U+FFFD.
template <class Ascii>
void map_utf8(std::string_view text, std::string* out, Ascii ascii) {
  out->reserve(out->size() + text.size() + 16);
  for (size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ascii(text[i], out);
      ++i;
      continue;
    }
    size_t len = utf8_sequence_length(text, i);
    if (len == 0) {
      *out += kReplacement;
      ++i;
    } else {
      out->append(text.substr(i, len));
      i += len;
    }
  }
}

}  // namespace

std::string escape_xml(std::string_view text) {
  std::string out;
  map_utf8(text, &out, [](char c, std::string* o) {
    switch (c) {
      case '&': *o += "&amp;"; break;
      case '<': *o += "&lt;"; break;
      case '>': *o += "&gt;"; break;
      case '"': *o += "&quot;"; break;
      case '\'': *o += "&#39;"; break;
      default: {
        auto uc = static_cast<unsigned char>(c);
        if ((uc < 0x20 && c != '\t' && c != '\n' && c != '\r') || uc == 0x7F)
          *o += kReplacement;
        else
          *o += c;
      }
    }
  });
  return out;
}

std::string json_string_for_script(std::string_view text) {
  std::string out = "\"";
  map_utf8(text, &out, [](char c, std::string* o) {
    auto uc = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      *o += '\\';
      *o += c;
    } else if (uc < 0x20 || uc == 0x7F || c == '<' || c == '>' || c == '&') {
      *o += fmt::format("\\u{:04x}", uc);
    } else {
      *o += c;
    }
  });
  out += '"';
  return out;
}

std::string clip_utf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t cut = max_bytes;
  // Step back over continuation bytes so a multi-byte character is never split.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "\xE2\x80\xA6";
}

}  // namespace squall::viz
