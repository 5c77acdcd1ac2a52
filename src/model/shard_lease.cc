// The shard-lease model: one shard's coordination record, stepped by the coordination
// model's own planning functions (src/coord/model.h), so a history of acquire, renew,
// checkpoint, complete, park and unpark calls is checked against exactly the rules of
// docs/coordination.md and not against a second copy of them.
//
// Every input the planning functions need is an op input: the coordinator's clock
// (:now), the run's lease duration (:lease-ms), the acting worker, the presented fence
// and the op id. A step is therefore a pure function of (record, call), as the checker
// requires. Op format (the contract with the shard-acquisition workload): the op's :key
// is the shard id; the invocation's value is a map of the inputs above (plus :cursor for
// checkpoint and complete, :reason for park); the ok completion's value repeats the
// inputs and adds the results (:fence and :deadline-ms for acquire and renew, :fence
// for unpark when known), which must equal what the plan computed.
#include <limits>
#include <unordered_set>

#include "coord/model.h"
#include "history/edn.h"
#include "model/spec_session.h"
#include "model/specs.h"

namespace squall::model {

using history::Op;
using history::Value;

namespace {

// The identity every modelled shard lives under: a history names shards by id only,
// and tenant and run checks are not what this model is about.
constexpr coord::TenantId kTenant = 1;
constexpr coord::RunId kRun = 1;

// Inputs are bounded so that now + lease-ms cannot overflow in the plan.
constexpr int64_t kTimeBound = int64_t{1} << 61;

constexpr const char* kNames[] = {"acquire", "renew", "checkpoint", "complete", "park", "unpark"};

uint64_t mix(uint64_t h, uint64_t x) { return (h ^ x) * 0x100000001b3ULL + 0x9e3779b97f4a7c15ULL; }
uint64_t mix(uint64_t h, const std::string& s) { return mix(h, std::hash<std::string>{}(s)); }

struct ShardLeaseSpec {
  enum F : uint8_t { kAcquire, kRenew, kCheckpoint, kComplete, kPark, kUnpark };
  struct Call {
    F f = kAcquire;
    int64_t now = 0;
    int64_t lease_ms = 0;
    uint64_t worker = 0;
    uint64_t fence = 0;  // presented (renew, checkpoint, complete, park)
    uint64_t op_id = 0;  // checkpoint, complete, park, unpark
    std::string text;    // the cursor's last_key (checkpoint, complete) or the park reason
    // Results of an ok completion; unknown for pending calls (and unpark may omit it).
    std::optional<uint64_t> fence_out;
    std::optional<int64_t> deadline_out;
    bool operator==(const Call&) const = default;
  };
  struct CallHash {
    size_t operator()(const Call& c) const {
      uint64_t h = mix(c.f, static_cast<uint64_t>(c.now));
      h = mix(mix(mix(mix(h, static_cast<uint64_t>(c.lease_ms)), c.worker), c.fence), c.op_id);
      h = mix(mix(h, c.text), c.fence_out.value_or(~uint64_t{0}));
      return static_cast<size_t>(mix(h, static_cast<uint64_t>(c.deadline_out.value_or(-1))));
    }
  };
  using State = coord::ShardRecord;
  // Hashes every field that operator== compares (records.h has no canonical encoding).
  struct StateHash {
    size_t operator()(const State& r) const {
      uint64_t h = mix(mix(mix(r.tenant, r.run), r.id), static_cast<uint64_t>(r.status));
      h = mix(mix(mix(h, r.park_reason), r.spec.start), r.spec.end);
      h = mix(mix(h, r.cursor.last_key), r.cursor.token);
      h = mix(h, r.lease ? mix(r.lease->owner, static_cast<uint64_t>(r.lease->deadline_ms)) : 0);
      h = mix(mix(h, r.fence), r.parent.value_or(0));
      for (const auto& s : r.spawned) h = mix(h, s.id);
      for (size_t i = 0; i < r.op_log.size(); ++i) {
        const coord::OpLogEntry& e = r.op_log.at(i);
        h = mix(mix(h, e.op_id), e.payload_hash);
      }
      return static_cast<size_t>(h);
    }
  };
  static constexpr bool kCacheSteps = true;  // a plan copies the record
  static constexpr bool kStateIsId = false;

  std::optional<uint64_t> shard;  // from the ops' :key; one session serves one shard
  std::unordered_set<uint64_t> seen_op_ids;
  std::unordered_set<uint64_t> shared_op_ids;  // carried by more than one call

  Result<std::optional<Call>> parse(const Op& inv, const Op* ok) {
    auto f = parse_f(inv);
    if (!f.ok()) return Error{f.error()};
    if (auto e = parse_key(inv)) return *e;
    if (!inv.value.is_map()) return err(op_context(inv) + "expected a map of inputs as the shard-lease op's value");
    Call c;
    c.f = *f;
    if (auto e = parse_inputs(inv, &c)) return *e;
    if (c.f != kAcquire && c.f != kRenew && !seen_op_ids.insert(c.op_id).second) shared_op_ids.insert(c.op_id);
    if (ok != nullptr) {
      if (!ok->value.is_map()) return err(op_context(*ok) + "expected the ok completion's value to be a map");
      if (auto e = parse_results(*ok, &c)) return *e;
    }
    return std::optional<Call>(std::move(c));
  }

  // A root shard record with an unbounded range. A real shard's range is narrower, so
  // the model accepts every cursor the real shard accepts and some more: it can only be
  // more permissive than the coordinator, never report a violation that is not one.
  State initial() {
    State r;
    r.tenant = kTenant;
    r.run = kRun;
    r.id = shard.value_or(0);
    r.status = coord::ShardStatus::Active;
    r.fence = 1;
    return r;
  }

  bool read_only(const Call&) const { return false; }  // every call may change the record

  // Growth (Session::grows): states are ordered by fence, and a Done shard stays above
  // every non-Done one. Every legal step keeps or raises the fence (only acquire and
  // unpark raise it, by one), and nothing leaves Done (every op on it is refused, or is
  // an op-log replay that writes nothing). This lets the search abandon a configuration
  // as soon as a completed call it reaches needs a fence the record has passed.
  bool grows(const Call&) const { return true; }

  // False only when the call is refused in every state >= s: a call that must see fence
  // F (presented, or F - 1 before a grant of F) once s's fence is past it, and an acquire
  // or renew of a Done shard. Calls that may be op-log replays (their op-id is in the
  // log, or shared with another call that could put it there) are always possible.
  bool may_become_legal(const State& s, const Call& c) const {
    if (c.f == kCheckpoint || c.f == kComplete || c.f == kPark || c.f == kUnpark) {
      if (s.op_log.find(c.op_id) != nullptr || shared_op_ids.contains(c.op_id)) return true;
    }
    if (s.status == coord::ShardStatus::Done && (c.f == kAcquire || c.f == kRenew)) return false;
    switch (c.f) {
      case kAcquire:
      case kUnpark: return !c.fence_out || s.fence < *c.fence_out;
      case kRenew:
      case kCheckpoint:
      case kComplete:
      case kPark: return s.fence <= c.fence;
    }
    return true;
  }

  std::optional<State> step(const State& s, const Call& c) const {
    const coord::Mutations none{};
    const coord::LeaseToken token{coord::ShardRef{kTenant, kRun, s.id}, c.worker, c.fence};
    coord::RunConfig config;
    config.lease_duration_ms = c.lease_ms;
    auto plan = [&]() -> coord::CoordResult<coord::ShardPlan> {
      switch (c.f) {
        case kAcquire: return coord::plan_acquire(s, config, coord::AcquireOp{s.ref(), c.worker}, c.now, none);
        case kRenew: return coord::plan_renew(s, config, coord::RenewOp{token}, c.now, none);
        case kCheckpoint:
          return coord::plan_checkpoint(s, coord::CheckpointOp{token, coord::Cursor{c.text, ""}, c.op_id}, c.now, none);
        case kComplete:
          return coord::plan_complete(s, coord::CompleteOp{token, coord::Cursor{c.text, ""}, c.op_id}, c.now, none);
        case kPark: return coord::plan_park(s, coord::ParkOp{token, c.text, c.op_id}, c.now, none);
        case kUnpark: return coord::plan_unpark(s, coord::UnparkOp{s.ref(), c.op_id}, c.now, none);
      }
      SQ_UNREACHABLE("shard-lease f");
    }();
    if (!plan.ok()) return std::nullopt;
    const coord::OpResult& r = plan->result;
    if (c.fence_out && *c.fence_out != r.fence) return std::nullopt;
    if (c.deadline_out && *c.deadline_out != r.deadline_ms) return std::nullopt;
    return std::move(plan->shard);
  }

  std::string describe(const State& r) const {
    std::string out = std::string(coord::to_string(r.status)) + " fence " + std::to_string(r.fence);
    if (r.lease) {
      out += " lease w" + std::to_string(r.lease->owner) + " until " + std::to_string(r.lease->deadline_ms);
    } else {
      out += " no lease";
    }
    out += " cursor " + history::to_edn(Value::string(r.cursor.last_key));
    if (!r.park_reason.empty()) out += " reason " + history::to_edn(Value::string(r.park_reason));
    return out;
  }

 private:
  static Result<F> parse_f(const Op& inv) {
    for (size_t i = 0; i < std::size(kNames); ++i)
      if (inv.f == kNames[i]) return static_cast<F>(i);
    return err(op_context(inv) +
               "expected f :acquire, :renew, :checkpoint, :complete, :park or :unpark for the shard-lease model");
  }

  std::optional<Error> parse_key(const Op& inv) {
    if (!inv.key || !inv.key->is_int() || inv.key->as_int() < 0)
      return err(op_context(inv) + "expected a non-negative integer :key (the shard id) for the shard-lease model");
    const auto id = static_cast<uint64_t>(inv.key->as_int());
    if (shard && *shard != id)
      return err(op_context(inv) + "the shard-lease model checks one shard per search (this one is shard " +
                 std::to_string(*shard) + "); split the history by key");
    shard = id;
    return std::nullopt;
  }

  // The integer `name` of `map`, within [lo, hi]; an error naming the op otherwise.
  static Result<int64_t> int_field(const Op& op, const Value& map, const char* name, int64_t lo, int64_t hi) {
    const Value* v = map.get(name);
    if (v == nullptr || !v->is_int())
      return err(op_context(op) + "expected an integer :" + name + " for :" + op.f + " (shard-lease model)");
    if (v->as_int() < lo || v->as_int() > hi)
      return err(op_context(op) + ":" + name + " " + std::to_string(v->as_int()) + " is out of range [" +
                 std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return v->as_int();
  }

  static Result<std::string> string_field(const Op& op, const Value& map, const char* name) {
    const Value* v = map.get(name);
    if (v == nullptr || !v->is_string())
      return err(op_context(op) + "expected a string :" + name + " for :" + op.f + " (shard-lease model)");
    return v->as_string();
  }

  static std::optional<Error> parse_inputs(const Op& inv, Call* c) {
    constexpr int64_t kIdMax = std::numeric_limits<int64_t>::max();
    const Value& m = inv.value;
    auto now = int_field(inv, m, "now", -kTimeBound, kTimeBound);
    if (!now.ok()) return Error{now.error()};
    auto lease_ms = int_field(inv, m, "lease-ms", 1, kTimeBound);
    if (!lease_ms.ok()) return Error{lease_ms.error()};
    auto worker = int_field(inv, m, "worker", 0, kIdMax);
    if (!worker.ok()) return Error{worker.error()};
    c->now = *now;
    c->lease_ms = *lease_ms;
    c->worker = static_cast<uint64_t>(*worker);
    if (c->f == kRenew || c->f == kCheckpoint || c->f == kComplete || c->f == kPark) {
      auto fence = int_field(inv, m, "fence", 0, kIdMax);
      if (!fence.ok()) return Error{fence.error()};
      c->fence = static_cast<uint64_t>(*fence);
    }
    if (c->f != kAcquire && c->f != kRenew) {
      auto op_id = int_field(inv, m, "op-id", 0, kIdMax);
      if (!op_id.ok()) return Error{op_id.error()};
      c->op_id = static_cast<uint64_t>(*op_id);
    }
    if (c->f == kCheckpoint || c->f == kComplete || c->f == kPark) {
      auto text = string_field(inv, m, c->f == kPark ? "reason" : "cursor");
      if (!text.ok()) return Error{text.error()};
      c->text = std::move(*text);
    }
    return std::nullopt;
  }

  // Results the contract requires (acquire: :fence and :deadline-ms; renew: :deadline-ms)
  // are errors when missing: a workload that forgot them would silently weaken the check.
  static std::optional<Error> parse_results(const Op& ok, Call* c) {
    constexpr int64_t kIdMax = std::numeric_limits<int64_t>::max();
    const Value& m = ok.value;
    const bool fence_required = c->f == kAcquire;
    const bool fence_allowed = c->f == kAcquire || c->f == kRenew || c->f == kUnpark;
    const bool deadline_required = c->f == kAcquire || c->f == kRenew;
    const Value* fence_given = m.get("fence");  // nil or absent: not known
    if (fence_allowed && (fence_required || (fence_given != nullptr && !fence_given->is_nil()))) {
      auto fence = int_field(ok, m, "fence", 0, kIdMax);
      if (!fence.ok()) return Error{fence.error()};
      c->fence_out = static_cast<uint64_t>(*fence);
    }
    if (deadline_required) {
      auto deadline = int_field(ok, m, "deadline-ms", std::numeric_limits<int64_t>::min(), kIdMax);
      if (!deadline.ok()) return Error{deadline.error()};
      c->deadline_out = *deadline;
    }
    return std::nullopt;
  }
};

}  // namespace

std::unique_ptr<Model> make_shard_lease() {
  return std::make_unique<SpecModel<ShardLeaseSpec>>("shard-lease", false, ShardLeaseSpec{});
}

}  // namespace squall::model
