// RapidJSON's SSE2 string scanning is not used here: its 16-byte blocks let a raw control
// byte inside a string pass or fail depending on where the block falls, so the same
// line could be accepted once and refused after stamping (found by the envelope fuzz
// target). One grammar means the byte-at-a-time scan.
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

// Per-thread parse state kept between lines: the reader and the document's build stack, which the pool hands out from
// `buffer` without touching malloc unless a line is unusually large.
struct ParseScratch {
  alignas(16) char buffer[16 * 1024];
  PoolAllocator stack_pool{buffer, sizeof buffer, 64 * 1024, &crt()};
  ParseReader reader;
};

// What one member of the envelope (or of its body) is, by its key.
enum class Field : uint8_t { kOther, kSrc, kDest, kBody, kId, kType, kMsgId, kInReplyTo, kSeen };

// A JSON value as far as the envelope cares: a string (its text), an integer that fits
// int64, or anything else.
struct Scalar {
  enum Kind : uint8_t { kAbsent, kString, kInt, kOther } kind = kAbsent;
  std::string_view text;
  int64_t i = 0;
};

// Reads the envelope from the parser's events in the one pass: the first src, dest, id
// and body members, the body's first type, msg_id and in_reply_to, the first unknown key,
// and the body's extent in the text. The body's events go on to `doc`, which builds the
// body's document (and nothing else). Refuses to open a container past kJsonDepthMax: the depth is bounded before
// anything (the parser's own recursion, later walks of the value) could follow a hostile
// "[[[[…".
class EnvelopeReader {
 public:
  EnvelopeReader(ParseDocument& doc, const rapidjson::InsituStringStream& in) : doc_(doc), in_(in) {}

  bool too_deep() const { return too_deep_; }
  bool root_is_object() const { return root_is_object_; }
  const Scalar& src() const { return src_; }
  const Scalar& dest() const { return dest_; }
  const Scalar& id() const { return id_; }
  const Scalar& type() const { return type_; }
  const Scalar& msg_id() const { return msg_id_; }
  const Scalar& in_reply_to() const { return in_reply_to_; }
  std::string_view extra_key() const { return extra_key_; }
  bool body_is_object() const { return body_begin_ != nullptr; }
  std::string_view body_span() const { return {body_begin_, static_cast<size_t>(body_end_ - body_begin_)}; }

  bool Null() { return scalar({Scalar::kOther, {}, 0}) && (!building() || doc_.Null()); }
  bool Bool(bool b) { return scalar({Scalar::kOther, {}, 0}) && (!building() || doc_.Bool(b)); }
  bool Int(int i) { return scalar({Scalar::kInt, {}, i}) && (!building() || doc_.Int(i)); }
  bool Uint(unsigned u) { return scalar({Scalar::kInt, {}, u}) && (!building() || doc_.Uint(u)); }
  bool Int64(int64_t i) { return scalar({Scalar::kInt, {}, i}) && (!building() || doc_.Int64(i)); }
  bool Uint64(uint64_t u) {
    Scalar v{Scalar::kOther, {}, 0};
    if (u <= static_cast<uint64_t>(INT64_MAX)) v = {Scalar::kInt, {}, static_cast<int64_t>(u)};
    return scalar(v) && (!building() || doc_.Uint64(u));
  }
  bool Double(double d) { return scalar({Scalar::kOther, {}, 0}) && (!building() || doc_.Double(d)); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    return scalar({Scalar::kOther, {}, 0}) && (!building() || doc_.RawNumber(s, n, copy));
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) {
    return scalar({Scalar::kString, {s, n}, 0}) && (!building() || doc_.String(s, n, copy));
  }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) {
    std::string_view k(s, n);
    if (depth_ == 1) pending_ = claim_root(k);
    if (depth_ == 2 && in_body_) pending_ = claim_body(k);
    return !building() || doc_.Key(s, n, copy);
  }
  bool StartObject() {
    if (depth_ == 0) root_is_object_ = true;
    if (depth_ == 1 && pending_ == Field::kBody)
      begin_body();
    else
      scalar({Scalar::kOther, {}, 0});
    return open() && (!building() || doc_.StartObject());
  }
  bool EndObject(rapidjson::SizeType members) {
    bool ok = !building() || doc_.EndObject(members);
    if (--depth_ == 1 && in_body_) end_body();
    return ok;
  }
  bool StartArray() { return scalar({Scalar::kOther, {}, 0}) && open() && (!building() || doc_.StartArray()); }
  bool EndArray(rapidjson::SizeType elements) {
    --depth_;
    return !building() || doc_.EndArray(elements);
  }

 private:
  bool building() const { return in_body_; }

  bool open() {
    if (++depth_ <= kJsonDepthMax) return true;
    too_deep_ = true;
    return false;
  }

  // Which envelope field the value after root key `k` is; kSeen once a name was claimed.
  Field claim_root(std::string_view k) {
    Field f = k == "src"    ? Field::kSrc
              : k == "dest" ? Field::kDest
              : k == "body" ? Field::kBody
              : k == "id"   ? Field::kId
                            : Field::kOther;
    if (f == Field::kOther) {
      if (!extra_) extra_key_ = k;
      extra_ = true;
      return Field::kOther;
    }
    bool& seen = seen_[static_cast<size_t>(f)];
    if (seen) return Field::kSeen;
    seen = true;
    return f;
  }
  Field claim_body(std::string_view k) {
    Field f = k == "type"          ? Field::kType
              : k == "msg_id"      ? Field::kMsgId
              : k == "in_reply_to" ? Field::kInReplyTo
                                   : Field::kOther;
    if (f == Field::kOther) return f;
    bool& seen = seen_[static_cast<size_t>(f)];
    if (seen) return Field::kSeen;
    seen = true;
    return f;
  }

  // A value begins (a scalar, or a container other than the body): files it under the
  // field its key claimed, if any. Always true (a SAX handler's "go on").
  bool scalar(const Scalar& v) {
    if (depth_ == 1 || (depth_ == 2 && in_body_)) {
      switch (pending_) {
        case Field::kSrc: src_ = v; break;
        case Field::kDest: dest_ = v; break;
        case Field::kId: id_ = v; break;
        case Field::kBody: break;  // not an object: body_is_object() stays false
        case Field::kType: type_ = v; break;
        case Field::kMsgId: msg_id_ = v; break;
        case Field::kInReplyTo: in_reply_to_ = v; break;
        default: break;
      }
      pending_ = Field::kOther;
    }
    return true;
  }

  void begin_body() {
    pending_ = Field::kOther;
    in_body_ = true;
    body_begin_ = in_.src_ - 1;  // the reader has just taken the '{'
  }
  void end_body() {
    in_body_ = false;
    body_end_ = in_.src_;  // just past the '}'
  }

  ParseDocument& doc_;
  const rapidjson::InsituStringStream& in_;
  int depth_ = 0;
  bool too_deep_ = false;
  bool root_is_object_ = false;
  bool in_body_ = false;
  bool extra_ = false;
  bool seen_[static_cast<size_t>(Field::kSeen)] = {};
  Field pending_ = Field::kOther;
  Scalar src_, dest_, id_, type_, msg_id_, in_reply_to_;
  std::string_view extra_key_;
  const char* body_begin_ = nullptr;
  const char* body_end_ = nullptr;
};

LineError line_error(LineFault fault, std::string detail) { return LineError{fault, std::move(detail), {}, {}}; }

// A bad envelope, with whatever of dest and body.in_reply_to can still be read.
LineError bad_envelope(const EnvelopeReader& r, std::string detail) {
  LineError e = line_error(LineFault::kBadEnvelope, std::move(detail));
  if (r.dest().kind == Scalar::kString) e.dest = std::string(r.dest().text);
  if (r.body_is_object() && r.in_reply_to().kind == Scalar::kInt) e.in_reply_to = r.in_reply_to().i;
  return e;
}

std::optional<int64_t> as_int(const Scalar& v) {
  return v.kind == Scalar::kInt ? std::optional<int64_t>(v.i) : std::nullopt;
}

}  // namespace

namespace {

// Blocks of one common size, kept per thread once their message is gone: a router parses
// and drops a message for nearly every line, and taking the last block back spares the
// allocator a round trip each time. Larger blocks are allocated and freed as they come.
constexpr size_t kCachedBlockBytes = 1024;

// Trivially destructible, so that it stays usable while the thread's other thread_local
// objects are destroyed; BlockCacheCloser empties and closes it at the thread's end.
struct BlockCache {
  static constexpr int kSlots = 8;
  void* blocks[kSlots];
  int count;
  bool closed;
};
thread_local BlockCache t_block_cache;

struct BlockCacheCloser {
  ~BlockCacheCloser() {
    while (t_block_cache.count > 0) ::operator delete(t_block_cache.blocks[--t_block_cache.count]);
    t_block_cache.closed = true;
  }
};
thread_local BlockCacheCloser t_block_cache_closer;

// At least `bytes` bytes; *size is the block's real size.
void* take_block(size_t bytes, size_t* size) {
  if (bytes > kCachedBlockBytes) {
    *size = bytes;
    return ::operator new(bytes);
  }
  *size = kCachedBlockBytes;
  if (t_block_cache.count > 0) return t_block_cache.blocks[--t_block_cache.count];
  (void)&t_block_cache_closer;  // registers the closer for this thread
  return ::operator new(kCachedBlockBytes);
}

void give_block(void* block, size_t size) {
  BlockCache& c = t_block_cache;
  if (size == kCachedBlockBytes && !c.closed && c.count < BlockCache::kSlots) {
    c.blocks[c.count++] = block;
    return;
  }
  ::operator delete(block);
}

}  // namespace

struct Message::Arena {
  Arena(size_t block_bytes, char* chunk, size_t chunk_bytes, size_t overflow_chunk_bytes)
      : bytes(block_bytes), pool(chunk, chunk_bytes, overflow_chunk_bytes, &crt()) {}
  size_t bytes;  // of the whole block
  PoolAllocator pool;
};

void Message::ArenaDelete::operator()(Arena* a) const {
  size_t bytes = a->bytes;
  a->~Arena();
  give_block(a, bytes);
}

EnvelopeResult parse_envelope(std::string_view line) {
  if (line.size() > kMaxLineBytes) {
    return line_error(LineFault::kTooLong, "line longer than " + std::to_string(kMaxLineBytes) + " bytes");
  }
  // One block: the pool, its first chunk, the text to parse in place, the text as
  // written. Nodes cost 16 bytes a value and 32 a member and strings stay in the text, so
  // twice the text fits typical bodies in the first chunk; larger ones get more chunks.
  const size_t n = line.size();
  const size_t head = round16(sizeof(Message::Arena));
  const size_t chunk = round16(std::min<size_t>(2 * n, 64 * 1024) + 128);
  const size_t text_bytes = round16(n + 1 + kTextPadding);
  size_t block_bytes = 0;
  char* block = static_cast<char*>(take_block(head + chunk + text_bytes + n, &block_bytes));
  Message m;
  m.arena_.reset(new (block)
                     Message::Arena(block_bytes, block + head, chunk, std::clamp<size_t>(2 * n, 1024, 64 * 1024)));
  char* text = block + head + chunk;
  std::memcpy(text, line.data(), n);
  std::memset(text + n, 0, text_bytes - n);
  char* as_written = text + text_bytes;
  std::memcpy(as_written, line.data(), n);

  thread_local ParseScratch scratch;
  scratch.stack_pool.Clear();
  ParseDocument doc(&m.arena_->pool, 1024, &scratch.stack_pool);
  rapidjson::InsituStringStream in(text);
  EnvelopeReader r(doc, in);
  auto parse = [&](ParseDocument&) {
    if (scratch.reader.Parse<rapidjson::kParseInsituFlag>(in, r).IsError()) return false;
    // The document takes exactly one value: the body, or a stand-in when there was no
    // object body (the line is then refused below).
    return r.body_is_object() || doc.Null();
  };
  doc.Populate(parse);
  if (r.too_deep()) {
    return line_error(LineFault::kTooDeep, "JSON nested deeper than " + std::to_string(kJsonDepthMax) + " levels");
  }
  if (const ParseReader& reader = scratch.reader; reader.HasParseError()) {
    return line_error(LineFault::kNotJson, std::string("not JSON: ") +
                                               rapidjson::GetParseError_En(reader.GetParseErrorCode()) + " at byte " +
                                               std::to_string(reader.GetErrorOffset()));
  }
  // RapidJSON ends its text at a NUL byte: a parse that stopped short of the line's end
  // stopped at one.
  if (in.Tell() != n)
    return line_error(LineFault::kNotJson, "not JSON: a NUL byte at byte " + std::to_string(in.Tell()));
  if (!r.root_is_object()) return line_error(LineFault::kBadEnvelope, "the line is JSON but not an object");
  if (r.src().kind != Scalar::kString) return bad_envelope(r, "message lacks a string \"src\"");
  if (r.dest().kind != Scalar::kString) return bad_envelope(r, "message lacks a string \"dest\"");
  if (!r.body_is_object()) return bad_envelope(r, "message lacks an object \"body\"");
  if (r.id().kind != Scalar::kAbsent) {
    if (r.id().kind != Scalar::kInt) return bad_envelope(r, "message.id must be an integer");
    m.id_ = r.id().i;
  }
  m.body_.Swap(doc);  // shallow: the nodes stay in the message's pool
  m.src_ = r.src().text;
  m.dest_ = r.dest().text;
  if (r.type().kind == Scalar::kString) m.type_ = r.type().text;
  m.msg_id_ = as_int(r.msg_id());
  m.in_reply_to_ = as_int(r.in_reply_to());
  m.extra_key_ = r.extra_key();
  std::string_view span = r.body_span();
  m.body_text_ = std::string_view(as_written + (span.data() - text), span.size());
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

void append_envelope(std::string& out, std::string_view src, std::string_view dest, std::string_view body_json) {
  out += "{\"src\":";
  append_json_string(out, src);
  out += ",\"dest\":";
  append_json_string(out, dest);
  out += ",\"body\":";
  out += body_json;
  out += "}\n";
}

}  // namespace squall::proto
