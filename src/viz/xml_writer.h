// XmlWriter: builds an XML document (SVG, or HTML written as well-formed XML) in memory.
//
// Every attribute value and every piece of text goes through escape_xml(), so a caller
// cannot put untrusted bytes into the document unescaped by accident; raw() is the one
// exception, for the writer's own constant CSS and scripts. Elements are closed in order:
// the writer keeps the stack of open tags and asserts that close() matches and that
// finish() leaves nothing open. Not thread-safe.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace squall::viz {

// One attribute; values are escaped when written. fmt-formatted numbers go in as text.
using Attr = std::pair<std::string_view, std::string>;

class XmlWriter {
 public:
  void open(std::string_view tag, std::initializer_list<Attr> attrs = {});
  void close(std::string_view tag);  // the tag is asserted to be the innermost open one
  void leaf(std::string_view tag, std::initializer_list<Attr> attrs = {});  // <tag .../>
  // <tag ...>text</tag>
  void element(std::string_view tag, std::initializer_list<Attr> attrs, std::string_view text);
  void text(std::string_view text);
  // Trusted, constant markup only (CSS, scripts, the DOCTYPE): written as is.
  void raw(std::string_view markup);

  size_t depth() const { return open_.size(); }
  std::string finish();  // asserts every element was closed

 private:
  void start_tag(std::string_view tag, std::initializer_list<Attr> attrs);
  std::string out_;
  std::vector<std::string> open_;
};

// Number formatting for coordinates: one decimal, no trailing ".0".
std::string num(double v);

}  // namespace squall::viz
