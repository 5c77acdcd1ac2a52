// The driver on an in-memory backend: an autonomous worker finishes the run with
// exactly the corpus's ground truth stored once and every item in the done-ledger; a
// failing data plane holds the checkpoint back; controlled mode answers every line
// (garbage included) with ok, a definite error or a BadRequest, and never crashes.
#include "worker_driver/driver.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "coord/memory_store.h"
#include "core/rng.h"

namespace squall::worker_driver {
namespace {

class MemoryPlane final : public DataPlane {
 public:
  bool put_findings(const std::vector<worker::FindingWrite>& writes) override {
    if (fail_findings > 0) return --fail_findings, false;
    for (const auto& w : writes) findings.insert(finding_content(w));
    return true;
  }
  bool mark_done(const std::vector<std::string>& keys) override {
    if (fail_done > 0) return --fail_done, false;
    done.insert(keys.begin(), keys.end());
    return true;
  }
  std::string last_error() const override { return "injected"; }
  std::set<std::string> findings;
  std::set<std::string> done;
  int fail_findings = 0;
  int fail_done = 0;
};

DriverConfig small_config(coord::WorkerId id) {
  DriverConfig c;
  c.who = Identity{1, 1, id};
  c.incarnation = 1;
  c.seed = 11 + id;
  c.corpus_seed = 5;
  c.items = 600;
  c.roots = 4;
  c.lease_ms = 400;
  c.page_max = 16;
  c.split_min_items = 40;
  c.give_up_ms = 5000;
  return c;
}

DriverIo quiet_io(std::vector<std::string>* log = nullptr) {
  DriverIo io = default_io();
  io.log = [log](std::string_view l) {
    if (log != nullptr) log->emplace_back(l);
  };
  return io;
}

// Every finding stored, by its fields (ids aside), with how many entries hold it.
std::map<worker::Finding, int> stored(const MemoryPlane& p) {
  std::map<worker::Finding, int> out;
  for (const auto& c : p.findings) ++out[parse_finding_content(c)->finding];
  return out;
}

void expect_ground_truth(const MemoryPlane& plane, const worker::Corpus& corpus) {
  std::map<worker::Finding, int> want;
  for (const auto& f : corpus.ground_truth()) want[f] = 1;
  EXPECT_EQ(stored(plane), want);
  EXPECT_EQ(plane.done.size(), corpus.size());
}

TEST(Driver, AutonomousWorkerFinishesTheRunWithExactlyTheGroundTruth) {
  coord::MemoryStore store;
  MemoryPlane plane;
  std::vector<std::string> log;
  Driver d(small_config(1), &store, &plane, quiet_io(&log));
  ASSERT_FALSE(d.join().has_value());
  std::atomic<bool> stop{false};
  EXPECT_EQ(d.run(stop), Outcome::Done);
  expect_ground_truth(plane, d.corpus());
  coord::RunRecord run;
  coord::Revision rev = 0;
  ASSERT_EQ(store.get_run(1, &run, &rev), coord::StoreStatus::Ok);
  EXPECT_EQ(run.status, coord::RunStatus::Done);
  bool split = false;
  for (const auto& l : log) split |= l.find("split_") != std::string::npos;
  EXPECT_TRUE(split) << "the run should have split a shard";
  // Each line carries the worker's own timestamp and its id.
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.front().find("Z w1 "), 23u) << log.front();

  // A worker that joins a finished run is done at once.
  MemoryPlane other;
  Driver late(small_config(2), &store, &other, quiet_io());
  EXPECT_EQ(late.join(), Outcome::Done);
}

TEST(Driver, FailedWritesHoldTheCheckpointBackAndAreRetried) {
  coord::MemoryStore store;
  MemoryPlane plane;
  plane.fail_findings = 3;
  plane.fail_done = 3;
  Driver d(small_config(1), &store, &plane, quiet_io());
  ASSERT_FALSE(d.join().has_value());
  std::atomic<bool> stop{false};
  EXPECT_EQ(d.run(stop), Outcome::Done);
  expect_ground_truth(plane, d.corpus());
}

TEST(Driver, StopEndsTheLoopAtOnce) {
  coord::MemoryStore store;
  MemoryPlane plane;
  Driver d(small_config(1), &store, &plane, quiet_io());
  ASSERT_FALSE(d.join().has_value());
  std::atomic<bool> stop{true};
  EXPECT_EQ(d.run(stop), Outcome::Stopped);
}

TEST(Driver, UnawaitedFindingsAreWrittenLateByTheFault) {
  coord::MemoryStore store;
  MemoryPlane plane;
  DriverConfig c = small_config(1);
  c.faults.add(worker::Fault::CheckpointBeforeFindings);
  Driver d(c, &store, &plane, quiet_io());
  ASSERT_FALSE(d.join().has_value());
  std::atomic<bool> stop{false};
  EXPECT_EQ(d.run(stop), Outcome::Done);
  // A graceful end writes what was left unawaited; the loss shows only when the
  // process dies first (the end-to-end test kills it).
  expect_ground_truth(plane, d.corpus());
}

TEST(Driver, FaultsSwitchOffTheMatchingCoordinatorGuard) {
  EXPECT_FALSE(mutations_for({}).any());
  EXPECT_TRUE(mutations_for(worker::Fault::SkipFenceCheck).skip_fence_check);
  EXPECT_TRUE(mutations_for(worker::Fault::IgnoreLiveLease).acquire_ignores_live_lease);
  EXPECT_FALSE(mutations_for(worker::Fault::NonIdempotentFindings).any());
}

// A controlled worker (id 3) joined to a fresh in-memory run.
struct Controlled {
  explicit Controlled(bool clock_from_requests = false) : config(make_config(clock_from_requests)) {}
  static DriverConfig make_config(bool clock_from_requests) {
    DriverConfig c = small_config(3);
    c.autonomous = false;
    c.clock_from_requests = clock_from_requests;
    return c;
  }
  coord::MemoryStore store;
  MemoryPlane plane;
  DriverConfig config;
  Driver d{config, &store, &plane, quiet_io()};
};

TEST(Driver, ControlledRequestsAreAnsweredOkOrWithADefiniteError) {
  Controlled w;
  Driver& d = w.d;
  ASSERT_FALSE(d.join().has_value());
  const std::string got = d.handle(R"({"op_id":1,"type":"acquire","shard":2})");
  EXPECT_NE(got.find(R"("type":"ok","shard":2,"fence":2)"), std::string::npos) << got;
  EXPECT_NE(d.handle(R"({"op_id":2,"type":"checkpoint","shard":2,"fence":1,"cursor":"c00000200"})")
                .find(R"("code":"StaleFence")"),
            std::string::npos);
  const std::string cp = d.handle(R"({"op_id":3,"type":"checkpoint","shard":2,"fence":2,"cursor":"c00000200"})");
  EXPECT_NE(cp.find(R"("type":"ok")"), std::string::npos) << cp;
  // The same op_id again is a replay, not a second application.
  EXPECT_NE(d.handle(R"({"op_id":3,"type":"checkpoint","shard":2,"fence":2,"cursor":"c00000200"})")
                .find(R"("replayed":true)"),
            std::string::npos);
  const std::string rd = d.handle(R"({"op_id":4,"type":"read","shard":2})");
  EXPECT_NE(rd.find(R"("cursor":"c00000200")"), std::string::npos) << rd;
  EXPECT_NE(rd.find(R"("lease_owner":3)"), std::string::npos) << rd;
  EXPECT_NE(d.handle(R"({"op_id":5,"type":"read","shard":999})").find(R"("found":false)"), std::string::npos);
  EXPECT_NE(d.handle("garbage").find(R"("code":"BadRequest")"), std::string::npos);
}

TEST(Driver, ControlClockFromRequestsDecidesLeaseExpiry) {
  Controlled w(true);
  Driver& d = w.d;
  ASSERT_FALSE(d.join().has_value());
  // The deadline is the request's now plus the run's lease (400 ms), whatever the host's clock says.
  const std::string got = d.handle(R"({"op_id":1,"type":"acquire","shard":2,"now_ms":1000})");
  EXPECT_NE(got.find(R"("deadline_ms":1400)"), std::string::npos) << got;
  EXPECT_NE(d.handle(R"({"op_id":2,"type":"renew","shard":2,"fence":2,"now_ms":1399})").find(R"("type":"ok")"),
            std::string::npos);
  EXPECT_NE(d.handle(R"({"op_id":3,"type":"renew","shard":2,"fence":2,"now_ms":1798})").find(R"("type":"ok")"),
            std::string::npos);
  EXPECT_NE(d.handle(R"({"op_id":4,"type":"renew","shard":2,"fence":2,"now_ms":2199})").find(R"("LeaseExpired")"),
            std::string::npos);
  // Without now_ms the request is refused rather than timed by the host's clock.
  EXPECT_NE(d.handle(R"({"op_id":5,"type":"acquire","shard":3})").find(R"("code":"BadRequest")"), std::string::npos);
  EXPECT_NE(d.handle(R"({"op_id":6,"type":"acquire","shard":3,"now_ms":-5})").find(R"("code":"BadRequest")"),
            std::string::npos);
}

TEST(Driver, NowMsIsRefusedUnlessTheWorkerTakesItsClockFromRequests) {
  Controlled w;
  Driver& d = w.d;
  ASSERT_FALSE(d.join().has_value());
  EXPECT_NE(d.handle(R"({"op_id":1,"type":"acquire","shard":2,"now_ms":1000})").find(R"("code":"BadRequest")"),
            std::string::npos);
}

TEST(Driver, RandomControlLinesNeverCrashTheWorker) {
  Controlled w;
  Driver& d = w.d;
  ASSERT_FALSE(d.join().has_value());
  Rng rng(3);
  const char* types[] = {"claim", "acquire", "renew", "checkpoint", "complete", "park", "split", "unpark", "read"};
  const char* keys[] = {"", "c00000100", "c00000300", "zz", "c00000100\\u0000"};
  for (int i = 0; i < 3000; ++i) {
    std::string line = "{\"op_id\":" + std::to_string(rng.below(50)) + ",\"type\":\"" + types[rng.below(9)] +
                       "\",\"shard\":" + std::to_string(rng.below(6)) + ",\"fence\":" + std::to_string(rng.below(4)) +
                       ",\"cursor\":\"" + keys[rng.below(5)] + "\",\"reason\":\"r\"";
    if (rng.chance(1, 2)) {
      line += std::string(",\"children\":[[\"") + keys[rng.below(5)] + "\",\"" + keys[rng.below(5)] + "\"],[\"" +
              keys[rng.below(5)] + "\",\"" + keys[rng.below(5)] + "\"]]";
    } else {
      line += std::string(",\"parent\":[\"") + keys[rng.below(5)] + "\",\"" + keys[rng.below(5)] +
              "\"],\"residual\":[\"" + keys[rng.below(5)] + "\",\"" + keys[rng.below(5)] + "\"]";
    }
    line += "}";
    const std::string answer = d.handle(line);
    EXPECT_TRUE(answer.find(R"("type":"ok")") != std::string::npos ||
                answer.find(R"("type":"error")") != std::string::npos)
        << line << " -> " << answer;
  }
}

}  // namespace
}  // namespace squall::worker_driver
