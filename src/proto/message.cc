#include "proto/message.h"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>

#include "proto/json_util.h"

namespace squall::proto {

Message::Message(size_t pool_chunk_bytes)
    : pool_(std::make_unique<rapidjson::MemoryPoolAllocator<>>(pool_chunk_bytes)), doc_(pool_.get()) {}

std::string_view Message::src() const { return view(*member(doc_, "src")); }
std::string_view Message::dest() const { return view(*member(doc_, "dest")); }
const rapidjson::Value& Message::body() const { return *member(doc_, "body"); }

std::string_view Message::type() const {
  std::optional<std::string_view> t = get_string(body(), "type");
  return t ? *t : std::string_view();
}

std::string_view Message::extra_key() const {
  for (const auto& m : doc_.GetObject()) {
    std::string_view k = view(m.name);
    if (k != "src" && k != "dest" && k != "body" && k != "id") return k;
  }
  return {};
}

namespace {

// Builds the document from the parser's events, refusing to open a container past
// kJsonDepthMax: the depth is bounded in the one pass, before anything (the parser's own
// recursion, later walks of the value) could follow a hostile "[[[[…".
class DepthLimitedBuilder {
 public:
  explicit DepthLimitedBuilder(rapidjson::Document& doc) : doc_(doc) {}
  bool too_deep() const { return too_deep_; }

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned u) { return doc_.Uint(u); }
  bool Int64(int64_t i) { return doc_.Int64(i); }
  bool Uint64(uint64_t u) { return doc_.Uint64(u); }
  bool Double(double d) { return doc_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) { return doc_.RawNumber(s, n, copy); }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return doc_.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return doc_.Key(s, n, copy); }
  bool StartObject() { return open() && doc_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) { --depth_; return doc_.EndObject(members); }
  bool StartArray() { return open() && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) { --depth_; return doc_.EndArray(elements); }

 private:
  bool open() {
    if (++depth_ <= kJsonDepthMax) return true;
    too_deep_ = true;
    return false;
  }
  rapidjson::Document& doc_;
  int depth_ = 0;
  bool too_deep_ = false;
};

LineError line_error(LineFault fault, std::string detail) { return LineError{fault, std::move(detail), {}, {}}; }

// A bad envelope, with whatever of dest and body.in_reply_to can still be read.
LineError bad_envelope(const rapidjson::Value& doc, std::string detail) {
  LineError e = line_error(LineFault::kBadEnvelope, std::move(detail));
  if (const rapidjson::Value* d = member(doc, "dest"); d && d->IsString()) e.dest = std::string(view(*d));
  if (const rapidjson::Value* b = member(doc, "body"); b && b->IsObject()) e.in_reply_to = get_int(*b, "in_reply_to");
  return e;
}

// Room for the parsed document of a line: strings are copied, numbers and containers
// take a few words each, so about twice the text, in one chunk for typical lines.
size_t pool_chunk_for(size_t line_bytes) { return std::clamp<size_t>(2 * line_bytes + 256, 1024, 64 * 1024); }

}  // namespace

EnvelopeResult parse_envelope(std::string_view line) {
  if (line.size() > kMaxLineBytes) {
    return line_error(LineFault::kTooLong, "line longer than " + std::to_string(kMaxLineBytes) + " bytes");
  }
  Message m(pool_chunk_for(line.size()));
  // One reader per thread: its scratch stack is kept between lines instead of allocated
  // for each one.
  thread_local rapidjson::Reader reader;
  DepthLimitedBuilder builder(m.doc_);
  auto parse = [&](rapidjson::Document&) {
    rapidjson::MemoryStream bytes(line.data(), line.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(bytes);
    return !reader.Parse(in, builder).IsError();
  };
  m.doc_.Populate(parse);
  if (builder.too_deep()) {
    return line_error(LineFault::kTooDeep, "JSON nested deeper than " + std::to_string(kJsonDepthMax) + " levels");
  }
  if (reader.HasParseError()) {
    return line_error(LineFault::kNotJson, std::string("not JSON: ") + rapidjson::GetParseError_En(reader.GetParseErrorCode()) +
                                                " at byte " + std::to_string(reader.GetErrorOffset()));
  }
  if (!m.doc_.IsObject()) return line_error(LineFault::kBadEnvelope, "the line is JSON but not an object");
  const rapidjson::Value* src = member(m.doc_, "src");
  const rapidjson::Value* dest = member(m.doc_, "dest");
  const rapidjson::Value* body = member(m.doc_, "body");
  if (src == nullptr || !src->IsString()) return bad_envelope(m.doc_, "message lacks a string \"src\"");
  if (dest == nullptr || !dest->IsString()) return bad_envelope(m.doc_, "message lacks a string \"dest\"");
  if (body == nullptr || !body->IsObject()) return bad_envelope(m.doc_, "message lacks an object \"body\"");
  if (const rapidjson::Value* id = member(m.doc_, "id")) {
    if (!id->IsInt64()) return bad_envelope(m.doc_, "message.id must be an integer");
    m.id_ = id->GetInt64();
  }
  m.msg_id_ = get_int(*body, "msg_id");
  m.in_reply_to_ = get_int(*body, "in_reply_to");
  return m;
}

Result<Message> parse_message(std::string_view line) {
  EnvelopeResult r = parse_envelope(line);
  if (LineError* e = std::get_if<LineError>(&r)) return err(std::move(e->detail));
  Message& m = std::get<Message>(r);
  for (const char* key : {"msg_id", "in_reply_to"}) {
    const rapidjson::Value* v = member(m.body(), key);
    if (v != nullptr && !v->IsInt64()) return err(std::string("body.") + key + " must be an integer");
  }
  return std::move(m);
}

void append_envelope(std::string& out, std::string_view src, std::string_view dest,
                     std::string_view body_json) {
  out += "{\"src\":";
  append_json_string(out, src);
  out += ",\"dest\":";
  append_json_string(out, dest);
  out += ",\"body\":";
  out += body_json;
  out += "}\n";
}

}  // namespace squall::proto
