#include "checker/txn/convert.h"

#include <fmt/core.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cstdint>
#include <unordered_map>

#include "core/json_limits.h"
#include "history/edn.h"
#include "history/value_json.h"

namespace squall::checker::txn {

namespace {

using history::Value;

class Converter {
 public:
  explicit Converter(Workload w) : workload_(w) {}

  Status add(const history::History& h, const history::Call& c) {
    const history::Op& inv = h[c.invoke];
    const bool ok = c.outcome == OpType::kOk;
    const history::Op& src = ok ? h[static_cast<size_t>(c.complete)] : inv;
    Txn t;
    t.index = c.complete >= 0 ? c.complete : static_cast<int64_t>(c.invoke);
    t.invoke = static_cast<int64_t>(c.invoke);
    t.complete = c.complete;
    t.process = inv.process;
    t.type = c.outcome;
    t.mops_at = static_cast<uint32_t>(out_.mops.size());
    const Value& v = src.value;
    auto where = [&](const std::string& what) {
      return err(fmt::format("{}op {}{} ({} {}): {}", src.line > 0 ? fmt::format("line {}: ", src.line) : "", src.index,
                             "", history::to_string(src.type), src.f, what));
    };
    if (!v.is_sequential())
      return where("a transaction's value must be a list of micro-ops [f k v], found " + history::to_edn(v));
    for (const Value& m : v.items()) {
      if (!m.is_sequential() || m.size() != 3) return where("a micro-op must be [f k v], found " + history::to_edn(m));
      const auto& it = m.items();
      std::string_view f = it[0].name();
      Mop mop;
      if (f == "r") {
        mop.f = MopF::kRead;
      } else if (f == "w" && workload_ == Workload::kRwRegister) {
        mop.f = MopF::kWrite;
      } else if (f == "append" && workload_ == Workload::kListAppend) {
        mop.f = MopF::kAppend;
      } else {
        return where(fmt::format("micro-op {} does not belong to a {} history", history::to_edn(m),
                                 workload_ == Workload::kListAppend ? "list-append" : "rw-register"));
      }
      mop.key = intern(it[1]);
      const Value& x = it[2];
      if (mop.f != MopF::kRead) {
        if (!x.is_int()) return where("a written value must be an integer, found " + history::to_edn(m));
        mop.value = x.as_int();
      } else if (ok) {
        mop.known = true;
        if (workload_ == Workload::kListAppend) {
          if (!x.is_nil() && !x.is_sequential())
            return where("a list-append read must return a list, found " + history::to_edn(m));
          mop.elems_at = static_cast<uint32_t>(out_.elems.size());
          if (!x.is_nil())
            for (const Value& e : x.items()) {
              if (!e.is_int()) return where("list elements must be integers, found " + history::to_edn(m));
              out_.elems.push_back(e.as_int());
            }
          mop.elems_len = static_cast<uint32_t>(out_.elems.size() - mop.elems_at);
        } else if (x.is_nil()) {
          mop.nil = true;
        } else if (x.is_int()) {
          mop.value = x.as_int();
        } else {
          return where("an rw-register read must return an integer or nil, found " + history::to_edn(m));
        }
      }
      out_.mops.push_back(mop);
    }
    // Offsets are 32-bit to keep a million transactions in a few flat arrays.
    if (out_.elems.size() >= UINT32_MAX || out_.mops.size() >= UINT32_MAX || out_.txns.size() >= UINT32_MAX - 1 ||
        out_.keys.size() >= static_cast<size_t>(INT32_MAX))
      return where("the history is too large for the txn checker (over 2^32 micro-ops or read elements)");
    t.mops_len = static_cast<uint32_t>(out_.mops.size() - t.mops_at);
    out_.txns.push_back(t);
    return {};
  }

  History take() { return std::move(out_); }

 private:
  int32_t intern(const Value& k) {
    auto [it, fresh] = ids_.try_emplace(k, static_cast<int32_t>(out_.keys.size()));
    if (fresh) out_.keys.push_back(k);
    return it->second;
  }

  Workload workload_;
  History out_;
  std::unordered_map<Value, int32_t, history::ValueHash> ids_;
};

}  // namespace

Result<History> from_history(const history::History& h, Workload workload) {
  Converter c(workload);
  for (const auto& call : h.calls()) {
    auto s = c.add(h, call);
    if (!s.ok()) return err(s.error());
  }
  return c.take();
}

bool looks_like_elle_json(std::string_view text) {
  size_t i = text.find_first_not_of(" \t\r\n");
  if (i == std::string_view::npos || text[i] != '[') return false;
  size_t j = text.find_first_not_of(" \t\r\n", i + 1);
  if (j == std::string_view::npos) return false;
  if (text[j] == ']') return true;
  if (text[j] != '{') return false;
  // JSON member names are strings; EDN op maps start with a keyword.
  size_t k = text.find_first_not_of(" \t\r\n", j + 1);
  return k != std::string_view::npos && (text[k] == '"' || text[k] == '}');
}

Result<history::History> parse_elle_json(std::string_view text, const std::string& name) {
  if (json_depth(text) > kJsonDepthMax)
    return err(fmt::format("{}: JSON nested deeper than {} levels", name, kJsonDepthMax));
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  if (doc.HasParseError()) {
    size_t off = doc.GetErrorOffset();
    int line = 1;
    for (size_t i = 0; i < off && i < text.size(); ++i) line += text[i] == '\n';
    return err(fmt::format("{}:{}: not JSON: {}", name, line, rapidjson::GetParseError_En(doc.GetParseError())));
  }
  if (!doc.IsArray()) return err(name + ": expected a JSON array of op objects");
  history::History h;
  h.reserve(doc.Size());
  int64_t n = 0;
  for (const auto& o : doc.GetArray()) {
    auto bad = [&](const std::string& what) { return err(fmt::format("{}: op {}: {}", name, n, what)); };
    if (!o.IsObject()) return bad("expected an object");
    history::Op op;
    auto type = o.FindMember("type");
    if (type == o.MemberEnd() || !type->value.IsString()) return bad("type must be a string");
    auto t = history::op_type_from(type->value.GetString());
    if (!t) return bad(fmt::format("unknown type '{}'", type->value.GetString()));
    op.type = *t;
    auto process = o.FindMember("process");
    if (process == o.MemberEnd()) return bad("process is missing");
    if (process->value.IsString()) {
      // A named process (nemesis) is not a client; as in every history reader, its ops are
      // left out and counted.
      h.count_ignored_op();
      ++n;
      continue;
    }
    if (!process->value.IsInt64()) return bad("process must be an integer");
    op.process = process->value.GetInt64();
    auto f = o.FindMember("f");
    op.f = f != o.MemberEnd() && f->value.IsString() ? std::string(f->value.GetString()) : std::string("txn");
    auto value = o.FindMember("value");
    if (value != o.MemberEnd()) op.value = history::value_from_json(value->value);
    auto time = o.FindMember("time");
    if (time != o.MemberEnd() && time->value.IsInt64()) op.time_ns = time->value.GetInt64();
    op.line = 0;
    auto s = h.append(std::move(op));
    if (!s.ok()) return bad(s.error());
    ++n;
  }
  return h;
}

}  // namespace squall::checker::txn
