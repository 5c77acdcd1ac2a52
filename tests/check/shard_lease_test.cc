// The shard-lease model under the linearizability checker and `squall check`: keyed
// histories in the shard-acquisition workload's op format (the op's :key is the shard
// id) are split per shard; concurrent and indeterminate calls are searched, and each
// broken shard is reported while its healthy neighbour is not.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "checker/linearizability.h"
#include "cli_run.h"
#include "history/reader.h"
#include "model/model.h"

namespace squall {
namespace {

using checker::check_linearizable;
using history::Value;

// One history line in EDN: `map` is the op's value (the inputs, plus the results on ok).
std::string op(int process, const char* type, const char* f, int shard, const std::string& map) {
  return "{:process " + std::to_string(process) + " :type :" + type + " :f :" + f + " :key " + std::to_string(shard) +
         " :value " + map + "}\n";
}

std::string acq(int worker, int now, const std::string& results = "") {
  return "{:worker " + std::to_string(worker) + " :now " + std::to_string(now) + " :lease-ms 1000 " + results + "}";
}
std::string gated(int worker, int fence, int now, int op_id, const std::string& extra) {
  return "{:worker " + std::to_string(worker) + " :fence " + std::to_string(fence) + " :now " + std::to_string(now) +
         " :lease-ms 1000 :op-id " + std::to_string(op_id) + " " + extra + "}";
}
std::string renew(int worker, int fence, int now, const std::string& results = "") {
  return "{:worker " + std::to_string(worker) + " :fence " + std::to_string(fence) + " :now " + std::to_string(now) +
         " :lease-ms 1000 " + results + "}";
}

// A completed call by `process`: invocation then ok (the ok repeats the inputs).
std::string call(int process, const char* f, int shard, const std::string& in, const std::string& ok) {
  return op(process, "invoke", f, shard, in) + op(process, "ok", f, shard, ok);
}

// Worker 1 takes the shard, renews, checkpoints twice and completes it.
std::string lifecycle(int shard) {
  return call(0, "acquire", shard, acq(1, 0), acq(1, 0, ":fence 2 :deadline-ms 1000")) +
         call(0, "renew", shard, renew(1, 2, 500), renew(1, 2, 500, ":deadline-ms 1500")) +
         call(0, "checkpoint", shard, gated(1, 2, 600, 1, ":cursor \"b\""), gated(1, 2, 600, 1, ":cursor \"b\"")) +
         call(0, "checkpoint", shard, gated(1, 2, 700, 2, ":cursor \"d\""), gated(1, 2, 700, 2, ":cursor \"d\"")) +
         call(0, "complete", shard, gated(1, 2, 800, 3, ":cursor \"\""), gated(1, 2, 800, 3, ":cursor \"\""));
}

Result<checker::LinearizabilityResult> check(const std::string& text) {
  auto h = history::parse_history(text);
  EXPECT_TRUE(h.ok()) << (h.ok() ? "" : h.error()) << "\n" << text;
  if (!h.ok()) return Error{h.error()};
  auto model = model::make_model("shard-lease").value();
  checker::CheckOptions opt;
  opt.threads = 1;
  return check_linearizable(*h, *model, opt);
}

Verdict verdict(const std::string& text) {
  auto r = check(text);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
  return r.ok() ? r->verdict : Verdict::kUnknown;
}

TEST(ShardLeaseCheck, ValidHistoriesPass) {
  EXPECT_EQ(verdict(lifecycle(1)), Verdict::kValid);
  // A second worker acquires after the first lease expired, with the next fence, while
  // the first worker's late checkpoint is refused (a :fail: it did not happen).
  EXPECT_EQ(
      verdict(call(0, "acquire", 1, acq(1, 0), acq(1, 0, ":fence 2 :deadline-ms 1000")) +
              call(1, "acquire", 1, acq(2, 1000), acq(2, 1000, ":fence 3 :deadline-ms 2000")) +
              op(0, "invoke", "checkpoint", 1, gated(1, 2, 1100, 1, ":cursor \"k\"")) +
              op(0, "fail", "checkpoint", 1, gated(1, 2, 1100, 1, ":cursor \"k\"")) +
              call(1, "checkpoint", 1, gated(2, 3, 1200, 2, ":cursor \"m\""), gated(2, 3, 1200, 2, ":cursor \"m\""))),
      Verdict::kValid);
}

TEST(ShardLeaseCheck, AnIndeterminateAcquireMayOrMayNotHaveHappened) {
  auto with_grant = [](int fence) {
    return op(0, "invoke", "acquire", 1, acq(1, 0)) + op(0, "info", "acquire", 1, acq(1, 0)) +
           call(1, "acquire", 1, acq(2, 5000), acq(2, 5000, ":fence " + std::to_string(fence) + " :deadline-ms 6000"));
  };
  EXPECT_EQ(verdict(with_grant(3)), Verdict::kValid);    // the :info acquire took effect
  EXPECT_EQ(verdict(with_grant(2)), Verdict::kValid);    // it did not
  EXPECT_EQ(verdict(with_grant(4)), Verdict::kInvalid);  // one grant cannot raise it twice
}

TEST(ShardLeaseCheck, ConcurrentAcquiresHaveOneWinner) {
  auto race = [](const char* second_outcome, const std::string& second_ok) {
    return op(0, "invoke", "acquire", 1, acq(1, 100)) + op(1, "invoke", "acquire", 1, acq(2, 100)) +
           op(0, "ok", "acquire", 1, acq(1, 100, ":fence 2 :deadline-ms 1100")) +
           op(1, second_outcome, "acquire", 1, second_ok);
  };
  EXPECT_EQ(verdict(race("fail", acq(2, 100))), Verdict::kValid);
  EXPECT_EQ(verdict(race("info", acq(2, 100))), Verdict::kValid);
  // Both granted while the other's lease is live: overlapping leases.
  EXPECT_EQ(verdict(race("ok", acq(2, 100, ":fence 3 :deadline-ms 1100"))), Verdict::kInvalid);
  EXPECT_EQ(verdict(race("ok", acq(2, 100, ":fence 2 :deadline-ms 1100"))), Verdict::kInvalid);
}

struct Broken {
  const char* name;
  std::string ops;  // on shard 2
  const char* failing_f;
};

// Each negative control on shard 2, next to a healthy shard 1.
std::vector<Broken> broken_shards() {
  const std::string grant = call(0, "acquire", 2, acq(1, 0), acq(1, 0, ":fence 2 :deadline-ms 1000"));
  return {
      {"overlapping live leases", grant + call(1, "acquire", 2, acq(2, 999), acq(2, 999, ":fence 3 :deadline-ms 1999")),
       "acquire"},
      {"renew under a stale fence",
       grant + call(0, "acquire", 2, acq(1, 100), acq(1, 100, ":fence 3 :deadline-ms 1100")) +
           call(0, "renew", 2, renew(1, 2, 200), renew(1, 2, 200, ":deadline-ms 1200")),
       "renew"},
      {"checkpoint after expiry",
       grant + call(0, "checkpoint", 2, gated(1, 2, 1000, 1, ":cursor \"b\""), gated(1, 2, 1000, 1, ":cursor \"b\"")),
       "checkpoint"},
      {"cursor moved backwards",
       grant + call(0, "checkpoint", 2, gated(1, 2, 100, 1, ":cursor \"d\""), gated(1, 2, 100, 1, ":cursor \"d\"")) +
           call(0, "checkpoint", 2, gated(1, 2, 200, 2, ":cursor \"b\""), gated(1, 2, 200, 2, ":cursor \"b\"")),
       "checkpoint"},
      {"fence not increased", grant + call(1, "acquire", 2, acq(2, 1000), acq(2, 1000, ":fence 2 :deadline-ms 2000")),
       "acquire"},
      {"acquire on a completed shard",
       grant + call(0, "complete", 2, gated(1, 2, 100, 1, ":cursor \"\""), gated(1, 2, 100, 1, ":cursor \"\"")) +
           call(1, "acquire", 2, acq(2, 5000), acq(2, 5000, ":fence 3 :deadline-ms 6000")),
       "acquire"},
  };
}

TEST(ShardLeaseCheck, TheBrokenShardIsReportedAndItsNeighbourIsNot) {
  for (const Broken& b : broken_shards()) {
    SCOPED_TRACE(b.name);
    const std::string text = lifecycle(1) + b.ops;
    auto r = check(text);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r->verdict, Verdict::kInvalid);
    EXPECT_EQ(r->keys_total, 2u);
    bool shard2_invalid = false;
    for (const auto& k : r->keys) {
      ASSERT_TRUE(k.key.has_value());
      if (*k.key == Value::integer(1)) {
        EXPECT_EQ(k.verdict, Verdict::kValid);
      }
      if (*k.key == Value::integer(2)) {
        shard2_invalid = k.verdict == Verdict::kInvalid;
        ASSERT_TRUE(k.explanation.has_value());
        auto h = history::parse_history(text).value();
        EXPECT_EQ(h[k.explanation->failing_op].f, b.failing_f);
      }
    }
    EXPECT_TRUE(shard2_invalid);
    // Shard 2 alone is invalid as well; shard 1 alone is valid.
    EXPECT_EQ(verdict(b.ops), Verdict::kInvalid);
  }
  EXPECT_EQ(verdict(lifecycle(1) + lifecycle(2)), Verdict::kValid);
}

TEST(ShardLeaseCheck, AMalformedOpIsAnErrorNamingIt) {
  auto r = check(lifecycle(1) + call(3, "renew", 2, "{:worker 1 :fence 2 :lease-ms 1000}",
                                     "{:worker 1 :fence 2 :lease-ms 1000 :deadline-ms 5}"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("op #10"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("expected an integer :now for :renew"), std::string::npos) << r.error();
}

std::filesystem::path shard_lease_dir() {
  return std::filesystem::temp_directory_path() / ("squall-shard-lease-cli-" + std::to_string(::getpid()));
}

// Removes this test's files when it ends, whatever happened.
struct ShardLeaseDir {
  ShardLeaseDir() { std::filesystem::create_directories(shard_lease_dir()); }
  ~ShardLeaseDir() {
    std::error_code ec;
    std::filesystem::remove_all(shard_lease_dir(), ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    auto path = (shard_lease_dir() / name).string();
    std::ofstream(path) << text;
    return path;
  }
};

TEST(ShardLeaseCli, CheckWithTheShardLeaseModel) {
  ShardLeaseDir dir;
  auto good = dir.write("good.edn", lifecycle(1) + lifecycle(2));
  auto bad = dir.write("bad.edn", lifecycle(1) + broken_shards()[0].ops);
  // The contract's example, as JSON lines: the key and the value maps read the same way.
  auto json = dir.write("good.jsonl",
                        "{\"process\":3,\"type\":\"invoke\",\"f\":\"acquire\",\"key\":2,"
                        "\"value\":{\"worker\":4,\"now\":1200,\"lease-ms\":3000}}\n"
                        "{\"process\":3,\"type\":\"ok\",\"f\":\"acquire\",\"key\":2,"
                        "\"value\":{\"worker\":4,\"now\":1200,\"lease-ms\":3000,\"fence\":2,\"deadline-ms\":4200}}\n");
  auto malformed = dir.write("malformed.edn", op(0, "invoke", "acquire", 1, "{:worker 1 :lease-ms 1000}") +
                                                  op(0, "ok", "acquire", 1, "{:worker 1 :lease-ms 1000}"));

  auto a = check_cli_test::run({"--model", "shard-lease", good});
  EXPECT_EQ(a.code, 0) << a.out << a.err;
  EXPECT_NE(a.out.find("good.edn: valid (shard-lease, 10 ops, 2 keys"), std::string::npos) << a.out;

  auto b = check_cli_test::run({"--model", "shard-lease", bad});
  EXPECT_EQ(b.code, 1) << b.out << b.err;
  EXPECT_NE(b.out.find("bad.edn: invalid (shard-lease, 7 ops, 2 keys"), std::string::npos) << b.out;
  EXPECT_NE(b.out.find("(key 2)"), std::string::npos) << b.out;

  auto j = check_cli_test::run({"--model", "shard-lease", json});
  EXPECT_EQ(j.code, 0) << j.out << j.err;
  EXPECT_NE(j.out.find("good.jsonl: valid (shard-lease, 1 ops, 1 key"), std::string::npos) << j.out;

  auto m = check_cli_test::run({"--model", "shard-lease", malformed});
  EXPECT_EQ(m.code, 254) << m.out << m.err;
  EXPECT_NE(m.err.find("expected an integer :now for :acquire"), std::string::npos) << m.err;
  EXPECT_NE(m.out.find("malformed.edn: error (bad input)"), std::string::npos) << m.out;
}

}  // namespace
}  // namespace squall
