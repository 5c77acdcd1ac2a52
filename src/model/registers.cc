// Register models: register (read/write), cas-register (read/write/cas) and
// multi-register (transactions of reads and writes over several registers).
#include <algorithm>

#include "history/edn.h"
#include "model/spec_session.h"
#include "model/specs.h"

namespace squall::model {

using history::Op;
using history::Value;
using history::ValueHash;

std::string op_context(const Op& op) {
  std::string s = "op #" + std::to_string(op.index);
  if (op.line > 0) s += " (line " + std::to_string(op.line) + ")";
  return s + " " + history::describe(op) + ": ";
}

namespace {

// State: the interned id of the register's value. A read observes the value exactly;
// a read of nil either observes nil (NilRead::kStrict: an empty register) or, by
// default as in Knossos, is a read whose value is unknown and constrains nothing.
struct RegisterSpec {
  enum F : uint8_t { kRead, kWrite, kCas };
  struct Call {
    F f;
    uint32_t a, b;
    bool operator==(const Call&) const = default;
  };
  struct CallHash {
    size_t operator()(const Call& c) const {
      return (static_cast<size_t>(c.f) << 60) ^ (static_cast<size_t>(c.a) << 30) ^ c.b;
    }
  };
  using State = uint32_t;
  using StateHash = std::hash<uint32_t>;
  static constexpr bool kCacheSteps = false;
  static constexpr bool kStateIsId = true;  // the state is its own id

  bool with_cas = true;
  NilRead nil_read = NilRead::kUnknown;
  Value init;
  Interner<Value, ValueHash> values;
  std::vector<bool> observed;  // by value id: some read returned it or some cas expects it

  void observe(uint32_t value) {
    if (observed.size() <= value) observed.resize(value + 1, false);
    observed[value] = true;
  }
  bool is_observed(uint32_t value) const { return value < observed.size() && observed[value]; }

  Result<std::optional<Call>> parse(const Op& inv, const Op* ok) {
    if (inv.f == "read") {
      if (ok == nullptr) return std::optional<Call>();  // a pending read changes nothing
      // A read of unknown value is legal in every state and changes none: like a pending
      // read, it cannot matter where (or whether) it is linearized.
      if (ok->value.is_nil() && nil_read == NilRead::kUnknown) return std::optional<Call>();
      Call c{kRead, values.intern(ok->value), 0};
      observe(c.a);
      return std::optional<Call>(c);
    }
    if (inv.f == "write") return std::optional<Call>(Call{kWrite, values.intern(inv.value), 0});
    if (inv.f == "cas" && with_cas) {
      if (!inv.value.is_sequential() || inv.value.size() != 2)
        return err(op_context(inv) + "expected a cas value [from to]");
      Call c{kCas, values.intern(inv.value.items()[0]), values.intern(inv.value.items()[1])};
      observe(c.a);
      return std::optional<Call>(c);
    }
    return err(op_context(inv) + "expected f :read, :write" + (with_cas ? " or :cas" : "") +
               " for this register model");
  }
  State initial() { return values.intern(init); }
  bool read_only(const Call& c) const { return c.f == kRead; }
  // A write or cas leaving a value that nothing ever observes: in any linearization, what
  // follows it before the next write is a read of that value or a cas from it (none
  // exist), so it is directly overwritten or last; leaving it out changes nothing seen.
  bool unobservable(const Call& c) const {
    if (c.f == kWrite) return !is_observed(c.a);
    if (c.f == kCas) return !is_observed(c.b);
    return false;
  }
  std::optional<State> step(State s, const Call& c) const {
    switch (c.f) {
      case kRead: return s == c.a ? std::optional<State>(s) : std::nullopt;
      case kWrite: return c.a;
      case kCas: return s == c.a ? std::optional<State>(c.b) : std::nullopt;
    }
    return std::nullopt;
  }
  std::string describe(State s) const { return history::to_edn(values.get(s)); }
};

// State: the value id of each register slot; keys are interned to slots while parsing.
struct MultiRegisterSpec {
  struct Micro {
    bool write;
    uint32_t slot, value;
    bool operator==(const Micro&) const = default;
  };
  struct Call {
    std::vector<Micro> micro;
    bool operator==(const Call&) const = default;
  };
  struct CallHash {
    size_t operator()(const Call& c) const {
      size_t h = c.micro.size();
      for (const auto& m : c.micro)
        h = h * 1000003 ^ ((static_cast<size_t>(m.write) << 62) ^ (static_cast<size_t>(m.slot) << 31) ^ m.value);
      return h;
    }
  };
  using State = std::vector<uint32_t>;
  using StateHash = U32VectorHash;
  static constexpr bool kCacheSteps = true;
  static constexpr bool kStateIsId = false;

  Value init;
  Interner<Value, ValueHash> values;
  Interner<Value, ValueHash> keys;

  Result<std::optional<Call>> parse(const Op& inv, const Op* ok) {
    if (inv.f != "txn") return err(op_context(inv) + "expected f :txn for the multi-register model");
    const Value& txn = ok != nullptr ? ok->value : inv.value;
    if (!txn.is_sequential()) return err(op_context(inv) + "expected a txn value [[f k v] ...]");
    Call c;
    for (const Value& m : txn.items()) {
      if (!m.is_sequential() || m.size() != 3) return err(op_context(inv) + "expected each txn step as [f k v]");
      std::string_view f = m.items()[0].name();
      bool write = f == "w" || f == "write";
      if (!write && f != "r" && f != "read")
        return err(op_context(inv) + "expected txn step f :r, :read, :w or :write");
      if (!write && ok == nullptr) continue;  // unknown read result: no constraint
      c.micro.push_back(Micro{write, keys.intern(m.items()[1]), values.intern(m.items()[2])});
    }
    if (c.micro.empty() && ok == nullptr) return std::optional<Call>();
    return std::optional<Call>(std::move(c));
  }
  State initial() { return State(keys.size(), values.intern(init)); }
  bool read_only(const Call& c) const {
    for (const auto& m : c.micro)
      if (m.write) return false;
    return true;
  }
  std::optional<State> step(const State& s, const Call& c) const {
    State next = s;
    for (const auto& m : c.micro) {
      if (m.write) {
        next[m.slot] = m.value;
      } else if (next[m.slot] != m.value) {
        return std::nullopt;
      }
    }
    return next;
  }
  std::string describe(const State& s) const {
    std::string out = "{";
    for (size_t i = 0; i < s.size(); ++i) {
      if (i > 0) out += ", ";
      out += history::to_edn(keys.get(static_cast<uint32_t>(i))) + " " + history::to_edn(values.get(s[i]));
    }
    return out + "}";
  }
};

}  // namespace

std::unique_ptr<Model> make_register(bool with_cas, Value initial, NilRead nil_read) {
  RegisterSpec spec;
  spec.with_cas = with_cas;
  spec.nil_read = nil_read;
  spec.init = std::move(initial);
  return std::make_unique<SpecModel<RegisterSpec>>(with_cas ? "cas-register" : "register", false, std::move(spec));
}

std::unique_ptr<Model> make_multi_register(Value initial) {
  MultiRegisterSpec spec;
  spec.init = std::move(initial);
  return std::make_unique<SpecModel<MultiRegisterSpec>>("multi-register", true, std::move(spec));
}

}  // namespace squall::model
