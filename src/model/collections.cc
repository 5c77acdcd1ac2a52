// Models of a mutex, a grow-only set, and FIFO and unordered queues.
#include <algorithm>

#include "history/edn.h"
#include "model/spec_session.h"
#include "model/specs.h"

namespace squall::model {

using history::Op;
using history::Value;
using history::ValueHash;

namespace {

struct MutexSpec {
  enum F : uint8_t { kAcquire, kRelease };
  struct Call {
    F f;
    bool operator==(const Call&) const = default;
  };
  struct CallHash {
    size_t operator()(const Call& c) const { return c.f; }
  };
  using State = uint32_t;  // 1 when held
  using StateHash = std::hash<uint32_t>;
  static constexpr bool kCacheSteps = false;
  static constexpr bool kStateIsId = true;  // the state is its own id

  Result<std::optional<Call>> parse(const Op& inv, const Op*) {
    if (inv.f == "acquire") return std::optional<Call>(Call{kAcquire});
    if (inv.f == "release") return std::optional<Call>(Call{kRelease});
    return err(op_context(inv) + "expected f :acquire or :release for the mutex model");
  }
  State initial() { return 0; }
  bool read_only(const Call&) const { return false; }
  std::optional<State> step(State s, const Call& c) const {
    if (c.f == kAcquire) return s == 0 ? std::optional<State>(1) : std::nullopt;
    return s == 1 ? std::optional<State>(0) : std::nullopt;
  }
  std::string describe(State s) const { return s ? "locked" : "free"; }
};

std::string describe_ids(const std::vector<uint32_t>& ids, const Interner<Value, ValueHash>& values, const char* open,
                         char close) {
  std::string out = open;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += " ";
    out += history::to_edn(values.get(ids[i]));
  }
  return out + close;
}

// State: the sorted ids of the elements added so far.
struct SetSpec {
  struct Call {
    bool read;
    uint32_t value;                  // add
    std::vector<uint32_t> elements;  // read, sorted
    bool operator==(const Call&) const = default;
  };
  struct CallHash {
    size_t operator()(const Call& c) const {
      return U32VectorHash()(c.elements) ^ (static_cast<size_t>(c.value) << 1) ^ c.read;
    }
  };
  using State = std::vector<uint32_t>;
  using StateHash = U32VectorHash;
  static constexpr bool kCacheSteps = true;
  static constexpr bool kStateIsId = false;

  Interner<Value, ValueHash> values;

  Result<std::optional<Call>> parse(const Op& inv, const Op* ok) {
    if (inv.f == "add") return std::optional<Call>(Call{false, values.intern(inv.value), {}});
    if (inv.f != "read") return err(op_context(inv) + "expected f :add or :read for the set model");
    if (ok == nullptr) return std::optional<Call>();
    if (!ok->value.is_set() && !ok->value.is_sequential())
      return err(op_context(*ok) + "expected a set or vector of elements");
    Call c{true, 0, {}};
    for (const Value& v : ok->value.items()) c.elements.push_back(values.intern(v));
    std::sort(c.elements.begin(), c.elements.end());
    c.elements.erase(std::unique(c.elements.begin(), c.elements.end()), c.elements.end());
    return std::optional<Call>(std::move(c));
  }
  State initial() { return {}; }
  bool read_only(const Call& c) const { return c.read; }
  // Inclusion order: adds and reads only grow the set; a read can become legal only if
  // every element so far is among those it returned.
  bool grows(const Call&) const { return true; }
  bool may_become_legal(const State& s, const Call& c) const {
    return !c.read || std::includes(c.elements.begin(), c.elements.end(), s.begin(), s.end());
  }
  std::optional<State> step(const State& s, const Call& c) const {
    if (c.read) return s == c.elements ? std::optional<State>(s) : std::nullopt;
    auto at = std::lower_bound(s.begin(), s.end(), c.value);
    if (at != s.end() && *at == c.value) return s;
    State next = s;
    next.insert(next.begin() + (at - s.begin()), c.value);
    return next;
  }
  std::string describe(const State& s) const { return describe_ids(s, values, "#{", '}'); }
};

// FIFO: the state is the queue front to back. Unordered: a sorted multiset.
// A dequeue that returned nil found the queue empty, which Jepsen records as a failure, so
// it is dropped. A pending dequeue takes the front of a FIFO queue; for an unordered
// queue it is dropped, since leaving an element queued never forbids a later step.
struct QueueSpec {
  struct Call {
    bool dequeue;
    bool known;  // dequeue with a known result
    uint32_t value;
    bool operator==(const Call&) const = default;
  };
  struct CallHash {
    size_t operator()(const Call& c) const { return (static_cast<size_t>(c.value) << 2) ^ (c.dequeue << 1) ^ c.known; }
  };
  using State = std::vector<uint32_t>;
  using StateHash = U32VectorHash;
  static constexpr bool kCacheSteps = true;
  static constexpr bool kStateIsId = false;

  bool fifo = true;
  Interner<Value, ValueHash> values;

  Result<std::optional<Call>> parse(const Op& inv, const Op* ok) {
    if (inv.f == "enqueue") return std::optional<Call>(Call{false, true, values.intern(inv.value)});
    if (inv.f != "dequeue") return err(op_context(inv) + "expected f :enqueue or :dequeue for the queue models");
    if (ok == nullptr) return fifo ? std::optional<Call>(Call{true, false, 0}) : std::optional<Call>();
    if (ok->value.is_nil()) return std::optional<Call>();
    return std::optional<Call>(Call{true, true, values.intern(ok->value)});
  }
  State initial() { return {}; }
  bool read_only(const Call&) const { return false; }
  std::optional<State> step(const State& s, const Call& c) const {
    if (!c.dequeue) {
      State next = s;
      if (fifo) {
        next.push_back(c.value);
      } else {
        next.insert(std::upper_bound(next.begin(), next.end(), c.value), c.value);
      }
      return next;
    }
    if (s.empty()) return std::nullopt;
    if (fifo) {
      if (c.known && s.front() != c.value) return std::nullopt;
      return State(s.begin() + 1, s.end());
    }
    auto at = std::lower_bound(s.begin(), s.end(), c.value);
    if (at == s.end() || *at != c.value) return std::nullopt;
    State next = s;
    next.erase(next.begin() + (at - s.begin()));
    return next;
  }
  std::string describe(const State& s) const { return describe_ids(s, values, fifo ? "[" : "#multiset [", ']'); }
};

}  // namespace

std::unique_ptr<Model> make_mutex() { return std::make_unique<SpecModel<MutexSpec>>("mutex", false, MutexSpec{}); }
std::unique_ptr<Model> make_set() { return std::make_unique<SpecModel<SetSpec>>("set", false, SetSpec{}); }
std::unique_ptr<Model> make_queue(bool fifo) {
  QueueSpec spec;
  spec.fifo = fifo;
  return std::make_unique<SpecModel<QueueSpec>>(fifo ? "fifo-queue" : "unordered-queue", false, std::move(spec));
}

}  // namespace squall::model
