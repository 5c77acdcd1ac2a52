// The shard-lease model stepped sequentially: legal lease lifecycles step through, and
// each broken twin (overlapping leases, stale fences, expired writes, regressions,
// wrong grants, writes to a terminal shard) is refused at the step that breaks the rule.
#include <gtest/gtest.h>

#include "history/edn.h"
#include "model/model.h"

namespace squall::model {
namespace {

using history::Op;
using history::OpType;
using history::Value;

Value edn(const std::string& text) {
  auto v = history::parse_edn(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? *v : Value();
}

// One call: f, the invocation's input map, and the results merged into it for the ok
// completion (nullptr: pending, i.e. :info or never completed).
struct S {
  const char* f;
  std::string in;
  const char* out;
};

struct Stepped {
  std::unique_ptr<Model> model;
  std::unique_ptr<Session> session;
  std::vector<int64_t> ids;
};

Op invocation(const S& s, int64_t key) {
  Op inv;
  inv.f = s.f;
  inv.value = edn(s.in);
  inv.key = Value::integer(key);
  return inv;
}

Op completion(const Op& inv, const char* results) {
  Op ok = inv;
  ok.type = OpType::kOk;
  const Value extra = edn(results);
  for (const auto& [k, v] : extra.entries()) ok.value.set(k, v);
  return ok;
}

Stepped add_all(const std::vector<S>& calls, int64_t key) {
  Stepped st;
  st.model = std::move(make_model("shard-lease").value());
  st.session = st.model->new_session();
  for (const auto& c : calls) {
    Op inv = invocation(c, key);
    Op ok = c.out ? completion(inv, c.out) : inv;
    auto id = st.session->add_call(inv, c.out ? &ok : nullptr);
    EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error());
    st.ids.push_back(id.ok() ? *id : kDropped);
  }
  return st;
}

// Steps the calls in order; the index of the first illegal step, or -1.
int run(const std::vector<S>& calls, int64_t key = 7) {
  Stepped st = add_all(calls, key);
  uint32_t state = st.session->initial_state();
  for (size_t i = 0; i < st.ids.size(); ++i) {
    EXPECT_NE(st.ids[i], kDropped) << "shard-lease drops no call";
    int64_t next = st.session->step(state, static_cast<uint32_t>(st.ids[i]));
    if (next == kIllegal) return static_cast<int>(i);
    state = static_cast<uint32_t>(next);
  }
  return -1;
}

// Inputs, as the shard-acquisition workload writes them (lease 1000 ms).
std::string acq(int worker, int now) {
  return "{:worker " + std::to_string(worker) + " :now " + std::to_string(now) + " :lease-ms 1000}";
}
std::string gated(int worker, int fence, int now, int op_id, const std::string& extra = "") {
  return "{:worker " + std::to_string(worker) + " :fence " + std::to_string(fence) + " :now " + std::to_string(now) +
         " :lease-ms 1000 :op-id " + std::to_string(op_id) + " " + extra + "}";
}
std::string renew(int worker, int fence, int now) {
  return "{:worker " + std::to_string(worker) + " :fence " + std::to_string(fence) + " :now " + std::to_string(now) +
         " :lease-ms 1000}";
}

TEST(ShardLeaseModel, LifecycleStepsThrough) {
  EXPECT_EQ(run({{"acquire", acq(1, 0), "{:fence 2 :deadline-ms 1000}"},
                 {"renew", renew(1, 2, 500), "{:deadline-ms 1500}"},
                 {"checkpoint", gated(1, 2, 600, 1, ":cursor \"b\""), "{}"},
                 {"renew", renew(1, 2, 1400), "{:fence 2 :deadline-ms 2400}"},
                 {"checkpoint", gated(1, 2, 2000, 2, ":cursor \"d\""), "{}"},
                 {"complete", gated(1, 2, 2100, 3, ":cursor \"\""), "{}"}}),
            -1);
}

TEST(ShardLeaseModel, SecondWorkerAcquiresAfterExpiryWithTheNextFence) {
  std::vector<S> calls{{"acquire", acq(1, 0), "{:fence 2 :deadline-ms 1000}"},
                       {"acquire", acq(2, 1000), "{:fence 3 :deadline-ms 2000}"},
                       {"checkpoint", gated(2, 3, 1500, 1, ":cursor \"k\""), "{}"}};
  EXPECT_EQ(run(calls), -1);
  // The old holder's writes are refused once the lease moved on: stale fence.
  calls.push_back({"checkpoint", gated(1, 2, 1600, 2, ":cursor \"m\""), "{}"});
  EXPECT_EQ(run(calls), 3);
}

TEST(ShardLeaseModel, OverlappingLiveLeasesAreRefused) {
  // The second grant comes while the first lease is live (deadline 1000 > now 999).
  EXPECT_EQ(run({{"acquire", acq(1, 0), "{:fence 2 :deadline-ms 1000}"},
                 {"acquire", acq(2, 999), "{:fence 3 :deadline-ms 1999}"}}),
            1);
}

TEST(ShardLeaseModel, RenewUnderAStaleFenceIsRefused) {
  // Worker 1 re-acquired (fence 3); a renew presenting its old fence 2 must fail.
  EXPECT_EQ(run({{"acquire", acq(1, 0), "{:fence 2 :deadline-ms 1000}"},
                 {"acquire", acq(1, 100), "{:fence 3 :deadline-ms 1100}"},
                 {"renew", renew(1, 2, 200), "{:deadline-ms 1200}"}}),
            2);
  EXPECT_EQ(run({{"acquire", acq(1, 0), "{:fence 2 :deadline-ms 1000}"},
                 {"acquire", acq(1, 100), "{:fence 3 :deadline-ms 1100}"},
                 {"renew", renew(1, 3, 200), "{:deadline-ms 1200}"}}),
            -1);
}

TEST(ShardLeaseModel, CheckpointAfterExpiryIsRefused) {
  const S grant{"acquire", acq(1, 0), "{:fence 2 :deadline-ms 1000}"};
  EXPECT_EQ(run({grant, {"checkpoint", gated(1, 2, 999, 1, ":cursor \"b\""), "{}"}}), -1);
  EXPECT_EQ(run({grant, {"checkpoint", gated(1, 2, 1000, 1, ":cursor \"b\""), "{}"}}), 1);
}

TEST(ShardLeaseModel, CursorMovingBackwardsIsRefused) {
  EXPECT_EQ(run({{"acquire", acq(1, 0), "{:fence 2 :deadline-ms 1000}"},
                 {"checkpoint", gated(1, 2, 100, 1, ":cursor \"d\""), "{}"},
                 {"checkpoint", gated(1, 2, 200, 2, ":cursor \"b\""), "{}"}}),
            2);
}

TEST(ShardLeaseModel, GrantsMustMatchThePlan) {
  const S first{"acquire", acq(1, 0), "{:fence 2 :deadline-ms 1000}"};
  // A fence that does not increase.
  EXPECT_EQ(run({first, {"acquire", acq(2, 1000), "{:fence 2 :deadline-ms 2000}"}}), 1);
  // A deadline other than now + lease-ms.
  EXPECT_EQ(run({first, {"acquire", acq(2, 1000), "{:fence 3 :deadline-ms 2500}"}}), 1);
  EXPECT_EQ(run({first, {"renew", renew(1, 2, 10), "{:deadline-ms 1000}"}}), 1);
  EXPECT_EQ(run({first, {"acquire", acq(2, 1000), "{:fence 3 :deadline-ms 2000}"}}), -1);
}

TEST(ShardLeaseModel, TerminalShardsRefuseEverything) {
  const S first{"acquire", acq(1, 0), "{:fence 2 :deadline-ms 1000}"};
  const S done{"complete", gated(1, 2, 100, 1, ":cursor \"z\""), "{}"};
  EXPECT_EQ(run({first, done, {"acquire", acq(2, 5000), "{:fence 3 :deadline-ms 6000}"}}), 2);
  EXPECT_EQ(run({first, done, {"unpark", "{:worker 0 :now 200 :lease-ms 1000 :op-id 2}", "{}"}}), 2);
  // Park, then unpark raises the fence; only then can the shard be acquired again.
  const S park{"park", gated(1, 2, 100, 1, ":reason \"poison key\""), "{}"};
  EXPECT_EQ(run({first, park, {"acquire", acq(2, 5000), "{:fence 3 :deadline-ms 6000}"}}), 2);
  EXPECT_EQ(run({first,
                 park,
                 {"unpark", "{:worker 0 :now 200 :lease-ms 1000 :op-id 2}", "{:fence 3}"},
                 {"acquire", acq(2, 300), "{:fence 4 :deadline-ms 1300}"}}),
            -1);
  EXPECT_EQ(run({first, park, {"unpark", "{:worker 0 :now 200 :lease-ms 1000 :op-id 2}", "{:fence 2}"}}), 2);
  // Unpark's raised fence is optional in the ok (absent or nil: unknown).
  EXPECT_EQ(run({first,
                 park,
                 {"unpark", "{:worker 0 :now 200 :lease-ms 1000 :op-id 2}", "{:fence nil}"},
                 {"acquire", acq(2, 300), "{:fence 4 :deadline-ms 1300}"}}),
            -1);
  EXPECT_EQ(run({first,
                 park,
                 {"unpark", "{:worker 0 :now 200 :lease-ms 1000 :op-id 2}", "{}"},
                 {"acquire", acq(2, 300), "{:fence 3 :deadline-ms 1300}"}}),
            3);
}

TEST(ShardLeaseModel, ThePendingCallsAndTheStateDescription) {
  Stepped st = add_all({{"acquire", acq(4, 1200), nullptr}, {"acquire", acq(4, 1200), nullptr}}, 2);
  // Equal inputs and no known result: the same class; the calls are interchangeable.
  EXPECT_EQ(st.session->call_class(0), st.session->call_class(1));
  EXPECT_FALSE(st.session->read_only(0));
  uint32_t s0 = st.session->initial_state();
  EXPECT_EQ(st.session->describe_state(s0), "Active fence 1 no lease cursor \"\"");
  int64_t s1 = st.session->step(s0, 0);
  ASSERT_NE(s1, kIllegal);
  EXPECT_EQ(st.session->describe_state(static_cast<uint32_t>(s1)), "Active fence 2 lease w4 until 2200 cursor \"\"");
  // A pending acquire by the holder re-acquires (the recovery from an ambiguous grant).
  EXPECT_NE(st.session->step(static_cast<uint32_t>(s1), 1), kIllegal);

  Stepped other = add_all({{"acquire", acq(4, 1200), nullptr}, {"acquire", acq(4, 1201), nullptr}}, 2);
  EXPECT_NE(other.session->call_class(0), other.session->call_class(1));
}

TEST(ShardLeaseModel, CallsNeedingAPassedFenceCanNeverBecomeLegal) {
  Stepped st = add_all({{"acquire", acq(1, 0), "{:fence 2 :deadline-ms 1000}"},
                        {"renew", renew(1, 1, 10), "{:deadline-ms 1010}"},
                        {"renew", renew(1, 2, 10), "{:deadline-ms 1010}"},
                        {"renew", renew(1, 3, 10), "{:deadline-ms 1010}"},
                        {"acquire", acq(2, 5000), "{:fence 2 :deadline-ms 6000}"},
                        {"acquire", acq(2, 5000), "{:fence 3 :deadline-ms 6000}"},
                        {"acquire", acq(2, 5000), nullptr},
                        {"complete", gated(1, 2, 100, 1, ":cursor \"\""), "{}"},
                        {"checkpoint", gated(1, 1, 100, 1, ":cursor \"a\""), "{}"}},
                       3);
  Session& s = *st.session;
  for (uint32_t c = 0; c < st.ids.size(); ++c) EXPECT_TRUE(s.grows(c));
  const uint32_t granted = static_cast<uint32_t>(s.step(s.initial_state(), 0));  // fence 2
  EXPECT_FALSE(s.may_become_legal(granted, 1));                                  // presents fence 1
  EXPECT_TRUE(s.may_become_legal(granted, 2));
  EXPECT_TRUE(s.may_become_legal(granted, 3));
  EXPECT_FALSE(s.may_become_legal(granted, 4));  // a grant of fence 2 needs fence 1
  EXPECT_TRUE(s.may_become_legal(granted, 5));
  EXPECT_TRUE(s.may_become_legal(granted, 6));  // result unknown
  const int64_t done = s.step(granted, 7);
  ASSERT_NE(done, kIllegal);
  EXPECT_FALSE(s.may_become_legal(static_cast<uint32_t>(done), 5));  // acquire of a Done shard
  EXPECT_FALSE(s.may_become_legal(static_cast<uint32_t>(done), 3));  // renew of a Done shard
  // Op-id 1 is in the log and shared by two calls: the checkpoint may be a replay.
  EXPECT_TRUE(s.may_become_legal(static_cast<uint32_t>(done), 8));
}

// A malformed op is an error naming it, never a crash.
std::string add_error(const char* f, const std::string& in, const char* out, std::optional<int64_t> key = 3) {
  auto model = make_model("shard-lease").value();
  auto session = model->new_session();
  Op inv;
  inv.index = 12;
  inv.process = 5;
  inv.f = f;
  inv.value = edn(in);
  if (key) inv.key = Value::integer(*key);
  Op ok = out ? completion(inv, out) : inv;
  auto id = session->add_call(inv, out ? &ok : nullptr);
  EXPECT_FALSE(id.ok()) << f << " " << in;
  return id.ok() ? "" : id.error();
}

TEST(ShardLeaseModel, MalformedOpsAreErrorsNamingTheOp) {
  std::string e = add_error("acquire", "{:worker 1 :lease-ms 1000}", nullptr);
  EXPECT_NE(e.find("op #12"), std::string::npos) << e;
  EXPECT_NE(e.find("expected an integer :now"), std::string::npos) << e;
  e = add_error("acquire", "{:worker 1 :now \"soon\" :lease-ms 1000}", nullptr);
  EXPECT_NE(e.find("expected an integer :now"), std::string::npos) << e;
  e = add_error("steal", acq(1, 0), nullptr);
  EXPECT_NE(e.find("expected f :acquire"), std::string::npos) << e;
  e = add_error("acquire", acq(1, 0), nullptr, std::nullopt);
  EXPECT_NE(e.find(":key"), std::string::npos) << e;
  e = add_error("acquire", "[1 2]", nullptr);
  EXPECT_NE(e.find("map of inputs"), std::string::npos) << e;
  e = add_error("acquire", acq(1, 0), "{:deadline-ms 1000}");  // the ok lacks its fence
  EXPECT_NE(e.find("expected an integer :fence"), std::string::npos) << e;
  e = add_error("checkpoint", gated(1, 2, 0, 1), "{}");  // no cursor
  EXPECT_NE(e.find("expected a string :cursor"), std::string::npos) << e;
  e = add_error("renew", "{:worker 1 :fence -2 :now 0 :lease-ms 1000}", nullptr);
  EXPECT_NE(e.find("out of range"), std::string::npos) << e;
  e = add_error("acquire", "{:worker 1 :now 9223372036854775807 :lease-ms 1000}", nullptr);
  EXPECT_NE(e.find("out of range"), std::string::npos) << e;
  e = add_error("acquire", "{:worker 1 :now 0 :lease-ms 0}", nullptr);
  EXPECT_NE(e.find(":lease-ms 0 is out of range"), std::string::npos) << e;
}

TEST(ShardLeaseModel, IsRegisteredAsASingleShardModel) {
  auto m = make_model("shard-lease");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)->name(), "shard-lease");
  EXPECT_FALSE((*m)->multi_key());  // a keyed history is split per shard
  EXPECT_NE(describe_models().find("shard-lease"), std::string::npos);
}

}  // namespace
}  // namespace squall::model
