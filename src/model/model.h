// Model: a sequential specification of an object (register, queue, ...) against which a
// history is checked for linearizability.
//
// A Model is immutable and thread-safe; it hands out Sessions. A Session serves one
// (sub-)history on one thread: it translates the history's calls into compact ids,
// interns model states as dense uint32 ids (so the search compares and hashes integers)
// and steps a state by a call. Steps are pure: the same (state, call) always gives the
// same result, and a Session never forgets a state id it handed out.
//
// Semantics shared by all models: a call whose completion is `ok` has a known result; a
// pending call (`info` or never completed) has an unknown result and may take effect at
// any point after its invocation or never. add_call() says when a pending call can be
// dropped outright because taking effect could never matter (a pending read).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "history/op.h"
#include "history/value.h"

namespace squall::model {

inline constexpr int64_t kIllegal = -1;  // step(): the call cannot happen in this state
inline constexpr int64_t kDropped = -1;  // add_call(): the pending call is irrelevant

class Session {
 public:
  virtual ~Session() = default;

  // Registers a call: its invocation and, unless pending, its ok completion. Returns the
  // call id (dense from 0), kDropped, or an error naming the malformed op.
  virtual Result<int64_t> add_call(const history::Op& invoke, const history::Op* ok) = 0;
  // Calls with equal classes have the same effect in every state (same f, arguments and
  // known result), so a search may treat them as interchangeable.
  virtual uint32_t call_class(uint32_t call) const = 0;

  // True when the call never changes any state it is legal in (a read). The search then
  // linearizes it as soon as it is legal, without trying it later: moving a pure observer
  // to the earliest point where it is legal preserves every linearization.
  virtual bool read_only(uint32_t call) const = 0;

  // Growth (optional; the defaults opt out). A model may define a partial order on its
  // states in which some calls only grow the state: grows(call) promises that every legal
  // step by the call leads to a state >= the one before. may_become_legal(state, call) may
  // then answer false when the call is legal in no state >= `state`. The search uses both
  // to abandon a configuration early: when every call that can still precede a completed
  // call's deadline grows the state, and that call can never become legal, no extension
  // succeeds. Examples: kv appends grow a string in prefix order and a get can become legal
  // only if the current string is a prefix of what it read; set adds grow a set under
  // inclusion. A wrong `true` from may_become_legal only costs pruning, never a verdict.
  virtual bool grows(uint32_t call) const {
    (void)call;
    return false;
  }
  virtual bool may_become_legal(uint32_t state, uint32_t call) {
    (void)state;
    (void)call;
    return true;
  }

  // Pending calls that may be dropped once the whole history is known: true when taking
  // effect could never be observed by any call of the history (for a register, a crashed
  // write of a value that no read returns and no cas expects: whatever it wrote is
  // overwritten, or never read, before anything could see it), so "it never took effect"
  // is always as good a choice. Only asked about pending calls, after every add_call().
  virtual bool unobservable(uint32_t call) const {
    (void)call;
    return false;
  }

  virtual uint32_t initial_state() = 0;
  // The state after `call` from `state`, or kIllegal.
  virtual int64_t step(uint32_t state, uint32_t call) = 0;

  virtual std::string describe_state(uint32_t state) const = 0;
  // Bytes held by interned states and caches, for memory budgets.
  virtual size_t memory_bytes() const = 0;
};

class Model {
 public:
  virtual ~Model() = default;
  virtual std::string_view name() const = 0;
  // True when one state spans many keys (kv, multi-register): a keyed history may then
  // be checked whole, or split by key as an optimisation. False for single-object
  // models: a keyed history is always split, each key being its own object.
  virtual bool multi_key() const = 0;
  virtual std::unique_ptr<Session> new_session() const = 0;
};

// What a completed read returning nil means in the register and cas-register models.
enum class NilRead {
  // Knossos's meaning (the default): the read's value is unknown, so it matches every
  // state. Jepsen clients record a read whose result they could not get as nil, and
  // Knossos's own histories are checked this way.
  kUnknown,
  // The register held nil: an empty register, or a missing key in a store that answers
  // "absent" (the lin-kv workload records a read of a missing key so).
  kStrict,
};
std::string_view to_string(NilRead r);  // "unknown", "strict"
std::optional<NilRead> nil_read_from(std::string_view name);

struct ModelOptions {
  // Initial value of registers (nil by default, as in Knossos) and of kv keys ("" by
  // default, as in the Porcupine kv corpus).
  std::optional<history::Value> initial;
  // register and cas-register only; the other models give nil no special meaning.
  NilRead nil_read = NilRead::kUnknown;
};

// Known names: register, cas-register, kv, mutex, multi-register, set, fifo-queue,
// unordered-queue, shard-lease. Unknown names give an error listing the known ones.
Result<std::unique_ptr<Model>> make_model(std::string_view name, const ModelOptions& options = {});
const std::vector<std::string>& model_names();
// One line per model, for --help.
std::string describe_models();

}  // namespace squall::model
