// xml_check.h: a small well-formedness check for the SVG and HTML documents Squall
// writes, for tests. Header-only.
//
// Checks what matters for a browser to render the document and for untrusted text to
// stay text: every start tag is closed in order, attribute values are quoted, and no
// raw '<' or stray '&' appears in text or attribute values. Counts elements by tag and
// by class attribute so tests can compare them with what was drawn. Not a full XML
// parser: no DTDs, no CDATA (Squall writes neither, apart from <!DOCTYPE html>).
#pragma once

#include <cctype>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace squall::testing {

struct XmlCheck {
  bool ok = true;
  std::string error;
  std::map<std::string, int> tags;     // element name -> count
  std::map<std::string, int> classes;  // exact class attribute value -> count
};

inline bool entity_at(std::string_view s, size_t i) {
  size_t end = s.find(';', i);
  if (end == std::string_view::npos || end - i > 10) return false;
  std::string_view e = s.substr(i + 1, end - i - 1);
  if (e == "amp" || e == "lt" || e == "gt" || e == "quot" || e == "apos") return true;
  if (e.size() > 1 && e[0] == '#') {
    for (size_t k = 1; k < e.size(); ++k)
      if (!std::isdigit(static_cast<unsigned char>(e[k])) && !(k == 1 && e[k] == 'x') &&
          !std::isxdigit(static_cast<unsigned char>(e[k])))
        return false;
    return true;
  }
  return false;
}

inline XmlCheck check_xml(std::string_view doc) {
  XmlCheck r;
  auto fail = [&](const std::string& why, size_t at) {
    r.ok = false;
    r.error = why + " at offset " + std::to_string(at) + ": " + std::string(doc.substr(at, 60));
    return r;
  };
  std::vector<std::string> stack;
  size_t i = 0;
  bool seen_root = false;
  while (i < doc.size()) {
    char c = doc[i];
    if (c == '&') {
      if (!entity_at(doc, i)) return fail("stray '&'", i);
      ++i;
      continue;
    }
    if (c == '>') return fail("stray '>'", i);
    if (c != '<') {
      ++i;
      continue;
    }
    if (doc.substr(i, 2) == "<?" || doc.substr(i, 2) == "<!") {
      size_t end = doc.find('>', i);
      if (end == std::string_view::npos) return fail("unterminated declaration", i);
      i = end + 1;
      continue;
    }
    bool closing = doc.substr(i, 2) == "</";
    size_t j = i + (closing ? 2 : 1);
    size_t name_start = j;
    while (j < doc.size() && (std::isalnum(static_cast<unsigned char>(doc[j])) || doc[j] == '-' || doc[j] == ':')) ++j;
    std::string name(doc.substr(name_start, j - name_start));
    if (name.empty()) return fail("raw '<'", i);
    if (closing) {
      if (j >= doc.size() || doc[j] != '>') return fail("bad end tag", i);
      if (stack.empty() || stack.back() != name) return fail("unbalanced </" + name + ">", i);
      stack.pop_back();
      i = j + 1;
      continue;
    }
    if (stack.empty() && seen_root) return fail("second root element", i);
    seen_root = true;
    ++r.tags[name];
    // Attributes: name="value" or name='value'.
    while (true) {
      while (j < doc.size() && std::isspace(static_cast<unsigned char>(doc[j]))) ++j;
      if (j >= doc.size()) return fail("unterminated tag", i);
      if (doc[j] == '>' || doc.substr(j, 2) == "/>") break;
      size_t an = j;
      while (j < doc.size() && doc[j] != '=' && !std::isspace(static_cast<unsigned char>(doc[j])) && doc[j] != '>') ++j;
      std::string attr(doc.substr(an, j - an));
      if (attr.empty() || j >= doc.size() || doc[j] != '=') return fail("attribute without value", j);
      ++j;
      if (j >= doc.size() || (doc[j] != '"' && doc[j] != '\'')) return fail("unquoted attribute", j);
      char q = doc[j];
      size_t vend = doc.find(q, j + 1);
      if (vend == std::string_view::npos) return fail("unterminated attribute", j);
      std::string_view value = doc.substr(j + 1, vend - j - 1);
      for (size_t k = 0; k < value.size(); ++k) {
        if (value[k] == '<') return fail("'<' in attribute", j + 1 + k);
        if (value[k] == '&' && !entity_at(value, k)) return fail("stray '&' in attribute", j + 1 + k);
      }
      if (attr == "class") ++r.classes[std::string(value)];
      j = vend + 1;
    }
    if (doc[j] == '/') {
      i = j + 2;
    } else {
      stack.push_back(name);
      i = j + 1;
    }
  }
  if (!stack.empty()) return fail("unclosed <" + stack.back() + ">", doc.size() - 1);
  if (!seen_root) return fail("no root element", 0);
  return r;
}

}  // namespace squall::testing
