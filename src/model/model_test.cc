// Each model stepped sequentially through hand-checkable call sequences: a legal sequence
// must step through, and its twin with one result changed must be refused.
#include "model/model.h"

#include <gtest/gtest.h>

#include "history/edn.h"

namespace squall::model {
namespace {

using history::Op;
using history::OpType;
using history::Value;

Value edn(const char* text) {
  auto v = history::parse_edn(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? *v : Value();
}

// A call spec: f, invocation value, ok value ("pending" for none), optional key.
struct C {
  const char* f;
  const char* in;
  const char* out;  // nullptr: pending
  const char* key = nullptr;
};

// Steps the calls in order; returns the index of the first illegal step, or -1.
int run(const char* model_name, std::vector<C> calls, const char* init = nullptr) {
  ModelOptions mo;
  if (init) mo.initial = edn(init);
  auto model = make_model(model_name, mo);
  EXPECT_TRUE(model.ok());
  auto s = (*model)->new_session();
  std::vector<int64_t> ids;
  for (const auto& c : calls) {
    Op inv;
    inv.f = c.f;
    inv.value = edn(c.in);
    if (c.key) inv.key = edn(c.key);
    Op ok = inv;
    ok.type = OpType::kOk;
    if (c.out) ok.value = edn(c.out);
    auto id = s->add_call(inv, c.out ? &ok : nullptr);
    EXPECT_TRUE(id.ok()) << (id.ok() ? "" : id.error());
    ids.push_back(id.ok() ? *id : kDropped);
  }
  uint32_t state = s->initial_state();
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] == kDropped) continue;
    int64_t next = s->step(state, static_cast<uint32_t>(ids[i]));
    if (next == kIllegal) return static_cast<int>(i);
    state = static_cast<uint32_t>(next);
  }
  return -1;
}

TEST(Models, CasRegister) {
  EXPECT_EQ(run("cas-register",
                {{"read", "nil", "nil"}, {"write", "1", "1"}, {"cas", "[1 2]", "[1 2]"}, {"read", "nil", "2"}}),
            -1);
  EXPECT_EQ(run("cas-register",
                {{"read", "nil", "nil"}, {"write", "1", "1"}, {"cas", "[1 2]", "[1 2]"}, {"read", "nil", "1"}}),
            3);
  EXPECT_EQ(run("cas-register", {{"cas", "[0 2]", "[0 2]"}}, "0"), -1);
  EXPECT_EQ(run("cas-register", {{"cas", "[0 2]", "[0 2]"}}), 0);  // nil initial
  EXPECT_EQ(run("cas-register", {{"read", "nil", "5"}}, "5"), -1);
  // A pending read is dropped; a pending cas applies only when it can succeed.
  EXPECT_EQ(run("cas-register", {{"read", "nil", nullptr}, {"write", "3", nullptr}, {"read", "nil", "3"}}), -1);
}

TEST(Models, Register) {
  EXPECT_EQ(run("register", {{"write", "1", "1"}, {"read", "nil", "1"}}), -1);
  EXPECT_EQ(run("register", {{"write", "1", "1"}, {"read", "nil", "2"}}), 1);
  EXPECT_FALSE(
      make_model("register").value()->new_session()->add_call(Op{.f = "cas", .value = edn("[1 2]")}, nullptr).ok());
}

TEST(Models, Kv) {
  EXPECT_EQ(run("kv", {{"append", "\"a\"", "\"a\"", "1"},
                       {"append", "\"b\"", "\"b\"", "1"},
                       {"get", "nil", "\"ab\"", "1"},
                       {"get", "nil", "\"\"", "2"},
                       {"put", "\"z\"", "\"z\"", "2"},
                       {"get", "nil", "\"z\"", "2"}}),
            -1);
  EXPECT_EQ(
      run("kv", {{"append", "\"a\"", "\"a\"", "1"}, {"append", "\"b\"", "\"b\"", "1"}, {"get", "nil", "\"ba\"", "1"}}),
      2);
}

TEST(Models, Mutex) {
  EXPECT_EQ(run("mutex", {{"acquire", "nil", "nil"}, {"release", "nil", "nil"}, {"acquire", "nil", "nil"}}), -1);
  EXPECT_EQ(run("mutex", {{"acquire", "nil", "nil"}, {"acquire", "nil", "nil"}}), 1);
}

TEST(Models, MultiRegister) {
  EXPECT_EQ(run("multi-register", {{"txn", "[[:w :x 1] [:w :y 2]]", "[[:w :x 1] [:w :y 2]]"},
                                   {"txn", "[[:r :x nil] [:r :y nil]]", "[[:r :x 1] [:r :y 2]]"}}),
            -1);
  EXPECT_EQ(run("multi-register", {{"txn", "[[:w :x 1] [:w :y 2]]", "[[:w :x 1] [:w :y 2]]"},
                                   {"txn", "[[:r :x nil] [:r :y nil]]", "[[:r :x 1] [:r :y nil]]"}}),
            1);
}

TEST(Models, Set) {
  EXPECT_EQ(run("set", {{"add", "1", "1"}, {"add", "2", "2"}, {"read", "nil", "#{1 2}"}}), -1);
  EXPECT_EQ(run("set", {{"add", "1", "1"}, {"read", "nil", "#{1 2}"}}), 1);
}

TEST(Models, Queues) {
  EXPECT_EQ(run("fifo-queue",
                {{"enqueue", "1", "1"}, {"enqueue", "2", "2"}, {"dequeue", "nil", "1"}, {"dequeue", "nil", "2"}}),
            -1);
  EXPECT_EQ(run("fifo-queue", {{"enqueue", "1", "1"}, {"enqueue", "2", "2"}, {"dequeue", "nil", "2"}}), 2);
  EXPECT_EQ(run("unordered-queue",
                {{"enqueue", "1", "1"}, {"enqueue", "2", "2"}, {"dequeue", "nil", "2"}, {"dequeue", "nil", "1"}}),
            -1);
  EXPECT_EQ(run("unordered-queue", {{"enqueue", "1", "1"}, {"dequeue", "nil", "1"}, {"dequeue", "nil", "1"}}), 2);
}

TEST(Models, EqualCallsShareAClassAndStatesAreInterned) {
  auto s = make_model("cas-register").value()->new_session();
  Op w{.f = "write", .value = Value::integer(1)};
  auto a = s->add_call(w, nullptr);
  auto b = s->add_call(w, nullptr);
  Op w2{.f = "write", .value = Value::integer(2)};
  auto c = s->add_call(w2, nullptr);
  EXPECT_EQ(s->call_class(static_cast<uint32_t>(*a)), s->call_class(static_cast<uint32_t>(*b)));
  EXPECT_NE(s->call_class(static_cast<uint32_t>(*a)), s->call_class(static_cast<uint32_t>(*c)));
  uint32_t init = s->initial_state();
  EXPECT_EQ(s->step(init, static_cast<uint32_t>(*a)), s->step(init, static_cast<uint32_t>(*b)));
  EXPECT_EQ(s->describe_state(init), "nil");
}

// A completed read of nil: unknown value (dropped, it constrains nothing) by default, a
// read of the value nil under NilRead::kStrict.
TEST(Models, NilReadMeaning) {
  for (const char* name : {"register", "cas-register"}) {
    Op inv{.f = "read"};
    Op ok{.type = OpType::kOk, .f = "read", .value = Value::nil()};
    auto knossos = make_model(name).value()->new_session();
    EXPECT_EQ(knossos->add_call(inv, &ok).value(), kDropped) << name;
    ModelOptions mo;
    mo.nil_read = NilRead::kStrict;
    auto strict = make_model(name, mo).value()->new_session();
    auto id = strict->add_call(inv, &ok).value();
    ASSERT_NE(id, kDropped);
    uint32_t init = strict->initial_state();
    EXPECT_EQ(strict->step(init, static_cast<uint32_t>(id)), static_cast<int64_t>(init)) << name;
    Op w{.f = "write", .value = Value::integer(1)};
    auto write = strict->add_call(w, &w).value();
    EXPECT_EQ(strict->step(static_cast<uint32_t>(strict->step(init, static_cast<uint32_t>(write))),
                           static_cast<uint32_t>(id)),
              kIllegal);
  }
  EXPECT_EQ(nil_read_from("strict"), NilRead::kStrict);
  EXPECT_EQ(nil_read_from("unknown"), NilRead::kUnknown);
  EXPECT_FALSE(nil_read_from("lenient").has_value());
}

TEST(Models, UnknownModelListsKnownOnes) {
  auto m = make_model("knossos");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().find("cas-register"), std::string::npos);
}

}  // namespace
}  // namespace squall::model
