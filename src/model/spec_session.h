// SpecModel<Spec> / SpecSession<Spec>: adapt a small sequential spec to the Model and
// Session interfaces, interning its states and calls.
//
// A Spec is a copyable struct (configuration plus its own interners) providing:
//   using State; using Call; StateHash; CallHash (State and Call have ==);
//   Result<std::optional<Call>> parse(const Op& invoke, const Op* ok);  // nullopt: drop
//   State initial();                       // called after every parse()
//   std::optional<State> step(const State&, const Call&);  // nullopt: illegal
//   std::string describe(const State&) const;
//   bool read_only(const Call&) const;     // never changes a state
//   static constexpr bool kCacheSteps;     // memoise steps that cost more than a lookup
//   static constexpr bool kStateIsId;      // State is uint32_t and already a dense id
//                                          // (describe() gets it as is; no interning)
// and optionally (see Session): bool grows(const Call&) const;
//   bool may_become_legal(const State&, const Call&) const; bool unobservable(const Call&) const;
// Thread-safety: as Session (one thread per session).
#pragma once

#include <optional>
#include <unordered_map>
#include <vector>

#include "model/flat_map.h"
#include "model/interner.h"
#include "model/model.h"

namespace squall::model {

template <typename Spec>
class SpecSession final : public Session {
 public:
  explicit SpecSession(Spec spec) : spec_(std::move(spec)) {}

  Result<int64_t> add_call(const history::Op& invoke, const history::Op* ok) override {
    auto parsed = spec_.parse(invoke, ok);
    if (!parsed.ok()) return Error{parsed.error()};
    if (!parsed->has_value()) return kDropped;
    calls_.push_back(**parsed);
    classes_.push_back(call_ids_.intern(**parsed));
    return static_cast<int64_t>(calls_.size() - 1);
  }

  uint32_t call_class(uint32_t call) const override { return classes_[call]; }
  bool read_only(uint32_t call) const override { return spec_.read_only(calls_[call]); }

  bool grows(uint32_t call) const override {
    if constexpr (requires(const Spec& s, const typename Spec::Call& c) { s.grows(c); }) {
      return spec_.grows(calls_[call]);
    } else {
      (void)call;
      return false;
    }
  }
  bool may_become_legal(uint32_t state, uint32_t call) override {
    if constexpr (requires(const Spec& s, const typename Spec::State& st, const typename Spec::Call& c) {
                    s.may_become_legal(st, c);
                  }) {
      if constexpr (Spec::kStateIsId) {
        return spec_.may_become_legal(state, calls_[call]);
      } else {
        return spec_.may_become_legal(states_.get(state), calls_[call]);
      }
    } else {
      (void)state;
      (void)call;
      return true;
    }
  }
  bool unobservable(uint32_t call) const override {
    if constexpr (requires(const Spec& s, const typename Spec::Call& c) { s.unobservable(c); }) {
      return spec_.unobservable(calls_[call]);
    } else {
      (void)call;
      return false;
    }
  }

  uint32_t initial_state() override {
    if constexpr (Spec::kStateIsId) {
      return spec_.initial();
    } else {
      return states_.intern(spec_.initial());
    }
  }

  int64_t step(uint32_t state, uint32_t call) override {
    SQ_ASSERT_LT(call, calls_.size());
    if constexpr (Spec::kCacheSteps) {
      uint64_t key = (static_cast<uint64_t>(state) << 32) | call;
      if (const int64_t* hit = cache_.find(key)) return *hit;
      int64_t next = compute(state, call);
      cache_.put(key, next);
      return next;
    } else {
      return compute(state, call);
    }
  }

  std::string describe_state(uint32_t state) const override {
    if constexpr (Spec::kStateIsId) {
      return spec_.describe(state);
    } else {
      return spec_.describe(states_.get(state));
    }
  }

  size_t memory_bytes() const override {
    return states_.memory_bytes() + call_ids_.memory_bytes() + cache_.memory_bytes() +
           calls_.size() * (sizeof(typename Spec::Call) + 4);
  }

 private:
  int64_t compute(uint32_t state, uint32_t call) {
    if constexpr (Spec::kStateIsId) {
      std::optional<uint32_t> next = spec_.step(state, calls_[call]);
      return next ? static_cast<int64_t>(*next) : kIllegal;
    } else {
      std::optional<typename Spec::State> next = spec_.step(states_.get(state), calls_[call]);
      if (!next) return kIllegal;
      return states_.intern(*next);
    }
  }

  Spec spec_;
  std::vector<typename Spec::Call> calls_;
  std::vector<uint32_t> classes_;
  Interner<typename Spec::Call, typename Spec::CallHash> call_ids_;
  Interner<typename Spec::State, typename Spec::StateHash> states_;
  FlatMap64 cache_;
};

template <typename Spec>
class SpecModel final : public Model {
 public:
  SpecModel(std::string name, bool multi_key, Spec prototype)
      : name_(std::move(name)), multi_key_(multi_key), prototype_(std::move(prototype)) {}
  std::string_view name() const override { return name_; }
  bool multi_key() const override { return multi_key_; }
  std::unique_ptr<Session> new_session() const override { return std::make_unique<SpecSession<Spec>>(prototype_); }

 private:
  std::string name_;
  bool multi_key_;
  Spec prototype_;
};

// Hash of a vector of small integers (states of multi-slot models).
struct U32VectorHash {
  size_t operator()(const std::vector<uint32_t>& v) const {
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ v.size();
    for (uint32_t x : v) h = (h ^ x) * 0x100000001b3ULL;
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

}  // namespace squall::model
