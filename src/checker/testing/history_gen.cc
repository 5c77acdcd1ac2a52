#include "checker/testing/history_gen.h"

#include <string_view>
#include <vector>

#include "core/rng.h"

namespace squall::checker {

using history::Op;
using history::OpType;
using history::Value;

namespace {

struct Client {
  int64_t process = 0;
  bool busy = false;
  bool applied = false;
  Op invoke;
  OpType outcome = OpType::kOk;
  Value result;
};

struct Register {
  Value value;     // nil initially
  Value previous;  // before the latest write, for stale reads
};

// Completes a client's applied call. Crashes are split in two halves of crash_percent:
// the generators crash half before the call takes effect, and here an ok update crashes
// after it took effect (:info either way). The client of a crashed call continues as a
// new process, as in Jepsen.
void complete(Client* c, std::string_view read_f, const GenOptions& o, Rng* rng, history::History* h,
              int64_t* next_process) {
  if (c->outcome == OpType::kOk && c->invoke.f != read_f && rng->chance(o.crash_percent, 200))
    c->outcome = OpType::kInfo;
  Op done = c->invoke;
  done.type = c->outcome;
  done.value = c->outcome == OpType::kOk ? c->result : c->invoke.value;
  SQ_ASSERT(h->append(std::move(done)).ok());
  c->busy = false;
  if (c->outcome == OpType::kInfo) c->process = (*next_process)++;
}

// Records a client's invocation; the client stays busy until complete().
void invoke(Client* c, Op op, history::History* h) {
  c->invoke = op;
  c->busy = true;
  c->applied = false;
  SQ_ASSERT(h->append(std::move(op)).ok());
}

// The other half of crash_percent (see complete()): the call crashes before it takes
// effect, leaving the state as it was. True when it did.
bool crashed_before_effect(Client* c, const GenOptions& o, Rng* rng) {
  if (!rng->chance(o.crash_percent, 200)) return false;
  c->outcome = OpType::kInfo;
  c->applied = true;
  return true;
}

// The schedule both generators share. Each step picks a random client: an idle one
// invokes (unless it thinks, or all ops are invoked), a busy one reaches its
// linearization point with even odds (crashing before it in half of crash_percent), an
// applied one completes. `pick(op, rng)` fills in an invocation's f, key and value;
// `apply(client, rng)` runs it against the model state at its linearization point,
// changing the ok outcome and the result (preset to the invoked value) as needed.
template <typename Pick, typename Apply>
history::History drive(const GenOptions& o, std::string_view read_f, Pick pick, Apply apply) {
  Rng rng(o.seed);
  history::History h;
  std::vector<Client> clients(o.processes);
  for (uint32_t i = 0; i < o.processes; ++i) clients[i].process = i;
  int64_t next_process = o.processes;
  uint64_t invoked = 0;
  size_t busy = 0;
  while (invoked < o.ops || busy > 0) {
    Client& c = clients[rng.below(o.processes)];
    if (!c.busy) {
      if (invoked == o.ops || rng.chance(o.think_percent, 100)) continue;
      Op op;
      op.type = OpType::kInvoke;
      op.process = c.process;
      pick(&op, &rng);
      invoke(&c, std::move(op), &h);
      ++busy;
      ++invoked;
    } else if (!c.applied && rng.chance(1, 2)) {
      if (crashed_before_effect(&c, o, &rng)) continue;
      c.outcome = OpType::kOk;
      c.result = c.invoke.value;
      apply(&c, &rng);
      c.applied = true;
    } else if (c.applied) {
      complete(&c, read_f, o, &rng, &h, &next_process);
      --busy;
    }
  }
  return h;
}

}  // namespace

history::History generate_register_history(const GenOptions& o) {
  std::vector<Register> regs(o.keys == 0 ? 1 : o.keys);
  auto pick = [&o](Op* op, Rng* rng) {
    uint64_t kind = rng->below(o.cas ? 3 : 2);
    uint32_t key = o.keys == 0 ? 0 : static_cast<uint32_t>(rng->below(o.keys));
    if (o.keys > 0) op->key = Value::integer(key);
    if (kind == 0) {
      op->f = "read";
    } else if (kind == 1) {
      op->f = "write";
      op->value = Value::integer(static_cast<int64_t>(rng->below(o.values)));
    } else {
      op->f = "cas";
      op->value = Value::vector({Value::integer(static_cast<int64_t>(rng->below(o.values))),
                                 Value::integer(static_cast<int64_t>(rng->below(o.values)))});
    }
  };
  auto apply = [&o, &regs](Client* c, Rng* rng) {
    Register& r = regs[c->invoke.key ? static_cast<size_t>(c->invoke.key->as_int()) : 0];
    if (c->invoke.f == "read") {
      c->result = rng->chance(o.stale_read_percent, 100) ? r.previous : r.value;
    } else if (c->invoke.f == "write") {
      r.previous = r.value;
      r.value = c->invoke.value;
    } else if (r.value == c->invoke.value.items()[0]) {
      r.previous = r.value;
      r.value = c->invoke.value.items()[1];
    } else {
      c->outcome = OpType::kFail;
    }
  };
  return drive(o, "read", pick, apply);
}

history::History generate_kv_history(const GenOptions& o) {
  struct Key {
    std::string value, previous;
  };
  std::vector<Key> keys(o.keys == 0 ? 1 : o.keys);
  uint64_t pieces = 0;
  auto pick = [&o, &pieces](Op* op, Rng* rng) {
    op->key = Value::string(std::to_string(o.keys == 0 ? 0 : rng->below(o.keys)));
    uint64_t kind = rng->below(10);
    if (kind < 4) {
      op->f = "get";
    } else {
      op->f = kind < 9 ? "append" : "put";
      op->value = Value::string("x" + std::to_string(pieces++) + " ");
    }
  };
  auto apply = [&o, &keys](Client* c, Rng* rng) {
    Key& k = keys[static_cast<size_t>(std::stoull(c->invoke.key->as_string()))];
    if (c->invoke.f == "get") {
      c->result = Value::string(rng->chance(o.stale_read_percent, 100) ? k.previous : k.value);
    } else {
      k.previous = k.value;
      k.value = c->invoke.f == "put" ? c->invoke.value.as_string() : k.value + c->invoke.value.as_string();
    }
  };
  return drive(o, "get", pick, apply);
}

}  // namespace squall::checker
