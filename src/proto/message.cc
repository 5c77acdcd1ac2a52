// RapidJSON's SSE2 scanning of strings and whitespace, 16 bytes a step (SSE2 is part of
// every x86-64). Enabled for this file only and confined to it: the reader type and the
// in-situ stream it changes are used by no other file, so no other translation unit
// instantiates the functions this changes. The SSE2 loads read aligned 16-byte blocks,
// up to 15 bytes past a string's end; the text below is padded for them.
#if defined(__SSE2__) && !defined(RAPIDJSON_SSE2)
#define RAPIDJSON_SSE2
#endif

#include "proto/message.h"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cstring>
#include <new>

#include "proto/json_util.h"

namespace squall::proto {

namespace {

using PoolAllocator = rapidjson::MemoryPoolAllocator<>;
// The document a line is parsed into: its nodes come from the message's own pool, its
// build stack from a per-thread pool reused from line to line.
using ParseDocument = rapidjson::GenericDocument<rapidjson::UTF8<>, PoolAllocator, PoolAllocator>;
// In situ, the reader never uses its own stack (strings are unescaped in the text and
// numbers read directly); a pool-backed stack also makes its type this file's own.
using ParseReader = rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, PoolAllocator>;

// Bytes after the text's NUL that SSE2 loads may read.
constexpr size_t kTextPadding = 16;

// Stateless; shared so that no pool allocates an allocator object of its own.
rapidjson::CrtAllocator& crt() {
  static rapidjson::CrtAllocator a;
  return a;
}

constexpr size_t round16(size_t n) { return (n + 15) & ~size_t{15}; }

// Per-thread parse state kept between lines: the reader and the document's build stack, which the pool hands out from `buffer`
// without touching malloc unless a line is unusually large.
struct ParseScratch {
  alignas(16) char buffer[16 * 1024];
  PoolAllocator stack_pool{buffer, sizeof buffer, 64 * 1024, &crt()};
  ParseReader reader;
};

// Builds the document from the parser's events, refusing to open a container past
// kJsonDepthMax: the depth is bounded in the one pass, before anything (the parser's own
// recursion, later walks of the value) could follow a hostile "[[[[…".
class DepthLimitedBuilder {
 public:
  explicit DepthLimitedBuilder(ParseDocument& doc) : doc_(doc) {}
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
  ParseDocument& doc_;
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

std::optional<int64_t> as_int(const rapidjson::Value& v) {
  return v.IsInt64() ? std::optional<int64_t>(v.GetInt64()) : std::nullopt;
}

}  // namespace

struct Message::Arena {
  Arena(char* chunk, size_t chunk_bytes, size_t overflow_chunk_bytes)
      : pool(chunk, chunk_bytes, overflow_chunk_bytes, &crt()) {}
  PoolAllocator pool;
  char* text = nullptr;  // the line, NUL-terminated, parsed in place
};

void Message::ArenaDelete::operator()(Arena* a) const {
  a->~Arena();
  ::operator delete(static_cast<void*>(a));
}

EnvelopeResult parse_envelope(std::string_view line) {
  if (line.size() > kMaxLineBytes) {
    return line_error(LineFault::kTooLong, "line longer than " + std::to_string(kMaxLineBytes) + " bytes");
  }
  if (const void* nul = std::memchr(line.data(), '\0', line.size())) {
    return line_error(LineFault::kNotJson, "not JSON: a NUL byte at byte " +
                                               std::to_string(static_cast<const char*>(nul) - line.data()));
  }
  // One block: the pool, its first chunk, the text. Nodes cost 16 bytes a value and 32 a
  // member and strings stay in the text, so twice the text fits typical lines in the
  // first chunk; larger documents get further chunks.
  const size_t n = line.size();
  const size_t head = round16(sizeof(Message::Arena));
  const size_t chunk = round16(std::min<size_t>(2 * n, 64 * 1024) + 128);
  char* block = static_cast<char*>(::operator new(head + chunk + n + 1 + kTextPadding));
  Message m;
  m.arena_.reset(new (block) Message::Arena(block + head, chunk, std::clamp<size_t>(2 * n, 1024, 64 * 1024)));
  char* text = block + head + chunk;
  std::memcpy(text, line.data(), n);
  std::memset(text + n, 0, 1 + kTextPadding);
  m.arena_->text = text;

  thread_local ParseScratch scratch;
  scratch.stack_pool.Clear();
  {
    ParseDocument doc(&m.arena_->pool, 1024, &scratch.stack_pool);
    DepthLimitedBuilder builder(doc);
    rapidjson::InsituStringStream in(text);
    auto parse = [&](ParseDocument&) { return !scratch.reader.Parse<rapidjson::kParseInsituFlag>(in, builder).IsError(); };
    doc.Populate(parse);
    if (builder.too_deep()) {
      return line_error(LineFault::kTooDeep, "JSON nested deeper than " + std::to_string(kJsonDepthMax) + " levels");
    }
    const ParseReader& reader = scratch.reader;
    if (reader.HasParseError()) {
      return line_error(LineFault::kNotJson, std::string("not JSON: ") + rapidjson::GetParseError_En(reader.GetParseErrorCode()) +
                                                  " at byte " + std::to_string(reader.GetErrorOffset()));
    }
    m.root_.Swap(doc);  // shallow: the nodes stay in the message's pool
  }
  if (!m.root_.IsObject()) return line_error(LineFault::kBadEnvelope, "the line is JSON but not an object");
  // One walk over the top level, keeping the first member of each name.
  const rapidjson::Value *src = nullptr, *dest = nullptr, *body = nullptr, *id = nullptr;
  bool extra = false;
  for (const auto& kv : m.root_.GetObject()) {
    std::string_view k = view(kv.name);
    const rapidjson::Value** slot = k == "src" ? &src : k == "dest" ? &dest : k == "body" ? &body : k == "id" ? &id : nullptr;
    if (slot == nullptr) {
      if (!extra) m.extra_key_ = k;
      extra = true;
    } else if (*slot == nullptr) {
      *slot = &kv.value;
    }
  }
  if (src == nullptr || !src->IsString()) return bad_envelope(m.root_, "message lacks a string \"src\"");
  if (dest == nullptr || !dest->IsString()) return bad_envelope(m.root_, "message lacks a string \"dest\"");
  if (body == nullptr || !body->IsObject()) return bad_envelope(m.root_, "message lacks an object \"body\"");
  if (id != nullptr) {
    if (!id->IsInt64()) return bad_envelope(m.root_, "message.id must be an integer");
    m.id_ = id->GetInt64();
  }
  m.src_ = view(*src);
  m.dest_ = view(*dest);
  m.body_ = body;
  bool seen_type = false, seen_msg_id = false, seen_in_reply_to = false;
  for (const auto& kv : body->GetObject()) {
    std::string_view k = view(kv.name);
    if (k == "type" && !seen_type) {
      seen_type = true;
      if (kv.value.IsString()) m.type_ = view(kv.value);
    } else if (k == "msg_id" && !seen_msg_id) {
      seen_msg_id = true;
      m.msg_id_ = as_int(kv.value);
    } else if (k == "in_reply_to" && !seen_in_reply_to) {
      seen_in_reply_to = true;
      m.in_reply_to_ = as_int(kv.value);
    }
  }
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
