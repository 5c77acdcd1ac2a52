#include "viz/xml_writer.h"

#include <fmt/format.h>

#include "core/assert.h"
#include "viz/escape.h"

namespace squall::viz {

void XmlWriter::start_tag(std::string_view tag, std::initializer_list<Attr> attrs) {
  out_ += '<';
  out_ += tag;
  for (const auto& [name, value] : attrs) {
    out_ += ' ';
    out_ += name;
    out_ += "=\"";
    out_ += escape_xml(value);
    out_ += '"';
  }
}

void XmlWriter::open(std::string_view tag, std::initializer_list<Attr> attrs) {
  start_tag(tag, attrs);
  out_ += ">";
  open_.emplace_back(tag);
}

void XmlWriter::close(std::string_view tag) {
  SQ_ASSERT(!open_.empty());
  SQ_ASSERT(open_.back() == tag);
  out_ += "</";
  out_ += tag;
  out_ += ">\n";
  open_.pop_back();
}

void XmlWriter::leaf(std::string_view tag, std::initializer_list<Attr> attrs) {
  start_tag(tag, attrs);
  out_ += "/>\n";
}

void XmlWriter::element(std::string_view tag, std::initializer_list<Attr> attrs, std::string_view text) {
  start_tag(tag, attrs);
  out_ += '>';
  out_ += escape_xml(text);
  out_ += "</";
  out_ += tag;
  out_ += ">\n";
}

void XmlWriter::text(std::string_view text) { out_ += escape_xml(text); }

void XmlWriter::raw(std::string_view markup) { out_ += markup; }

std::string XmlWriter::finish() {
  SQ_ASSERT(open_.empty());
  return std::move(out_);
}

std::string num(double v) {
  std::string s = fmt::format("{:.1f}", v);
  if (s.size() > 2 && s.ends_with(".0")) s.resize(s.size() - 2);
  if (s == "-0") s = "0";
  return s;
}

}  // namespace squall::viz
