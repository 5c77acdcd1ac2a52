// The kv model (get/put/append of string values per key), as in the Porcupine kv corpus.
// The state holds every key's value, so a keyed history can be checked whole or split by
// key; splitting gives the same verdict much faster.
#include "history/edn.h"
#include "model/spec_session.h"
#include "model/specs.h"

namespace squall::model {

using history::Op;
using history::Value;
using history::ValueHash;

namespace {

struct KvSpec {
  enum F : uint8_t { kGet, kPut, kAppend };
  struct Call {
    F f;
    uint32_t slot, value;  // value: interned string
    bool operator==(const Call&) const = default;
  };
  struct CallHash {
    size_t operator()(const Call& c) const { return (static_cast<size_t>(c.f) << 60) ^ (static_cast<size_t>(c.slot) << 30) ^ c.value; }
  };
  using State = std::vector<uint32_t>;  // string id per key slot
  using StateHash = U32VectorHash;
  static constexpr bool kCacheSteps = true;  // appends concatenate strings

  std::string init;
  Interner<std::string> strings;
  Interner<Value, ValueHash> keys;

  Result<uint32_t> string_of(const Op& op, const Value& v) {
    if (v.is_nil()) return strings.intern("");
    if (!v.is_string()) return err(op_context(op) + "expected a string value for the kv model");
    return strings.intern(v.as_string());
  }

  Result<std::optional<Call>> parse(const Op& inv, const Op* ok) {
    if (!inv.key) return err(op_context(inv) + "expected a :key for the kv model");
    F f;
    if (inv.f == "get") f = kGet;
    else if (inv.f == "put") f = kPut;
    else if (inv.f == "append") f = kAppend;
    else return err(op_context(inv) + "expected f :get, :put or :append for the kv model");
    if (f == kGet && ok == nullptr) return std::optional<Call>();
    auto v = string_of(inv, f == kGet ? ok->value : inv.value);
    if (!v.ok()) return Error{v.error()};
    return std::optional<Call>(Call{f, keys.intern(*inv.key), *v});
  }
  State initial() { return State(keys.size(), strings.intern(init)); }
  std::optional<State> step(const State& s, const Call& c) {
    switch (c.f) {
      case kGet:
        if (s[c.slot] != c.value) return std::nullopt;
        return s;
      case kPut: {
        State next = s;
        next[c.slot] = c.value;
        return next;
      }
      case kAppend: {
        State next = s;
        next[c.slot] = strings.intern(strings.get(s[c.slot]) + strings.get(c.value));
        return next;
      }
    }
    return std::nullopt;
  }
  std::string describe(const State& s) const {
    std::string out = "{";
    for (size_t i = 0; i < s.size(); ++i) {
      if (i > 0) out += ", ";
      out += history::to_edn(keys.get(static_cast<uint32_t>(i))) + " " + history::to_edn(Value::string(strings.get(s[i])));
    }
    return out + "}";
  }
};

}  // namespace

std::unique_ptr<Model> make_kv(std::string initial) {
  KvSpec spec;
  spec.init = std::move(initial);
  return std::make_unique<SpecModel<KvSpec>>("kv", true, std::move(spec));
}

}  // namespace squall::model
