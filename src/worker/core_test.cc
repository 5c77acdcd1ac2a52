// The worker core driven by a plain blocking loop against the in-memory coordinator:
// whole runs end with exactly the corpus's ground truth committed, and the protocol
// rules (findings before checkpoint, stop at once on a lost lease, retry with the same
// op_id, crash loses everything) hold step by step — and break under each fault.
#include "worker/core.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "coord/coordinator.h"
#include "coord/memory_store.h"
#include "worker/corpus.h"

namespace squall::worker {
namespace {

constexpr coord::TenantId kTenant = 1;
constexpr coord::RunId kRun = 1;
constexpr int64_t kLease = 300;

// One run on the in-memory coordinator, a findings store keyed by id, and a virtual
// clock; every request is answered at once (the driver a real worker would be, minus
// the network).
class Bench {
 public:
  Bench(uint32_t items, uint32_t roots) : corpus_(11, items), coord_(&store_) {
    EXPECT_TRUE(coord_.apply(coord::CreateRunOp{kTenant, kRun, coord::RunConfig{kLease, 20}}, 0).ok());
    coord::RegisterShardsOp reg{kTenant, kRun, {}, 1};
    const auto ranges = corpus_.root_ranges(roots);
    for (size_t i = 0; i < ranges.size(); ++i) reg.shards.push_back(coord::RootSpec{i + 1, ranges[i]});
    EXPECT_TRUE(coord_.apply(reg, 0).ok());
  }

  Config config(coord::WorkerId id) const {
    Config c;
    c.tenant = kTenant;
    c.run = kRun;
    c.id = id;
    c.seed = 100 + id;
    c.lease_duration_ms = kLease;
    return c;
  }

  // Answers every send of `out` at once, re-stepping the core with each answer, until
  // it has nothing more to send.
  void serve(Core& core, Output* out) {
    for (int guard = 0; guard < 100 && !out->sends.empty(); ++guard) {
      const Send s = out->sends.front();
      if (s.kind == Send::Kind::Findings) {
        for (const FindingWrite& w : *s.findings) findings_.try_emplace(w.id, w.finding);  // put if absent
        if (s.req_id == 0) {
          out->sends.erase(out->sends.begin());
          continue;
        }
        core.step(Input::findings_ack(now_, s.req_id), out);
      } else {
        requests_.push_back(*s.request);
        const coord::Reply reply = coord_.apply(*s.request, now_);
        core.step(Input::answer(now_, s.req_id, reply), out);
      }
    }
  }

  // Runs the workers until the run can finish (or the step budget runs out).
  bool run(std::vector<Core*> cores, int steps_max) {
    Output out;
    for (int step = 0; step < steps_max; ++step) {
      now_ += 1;
      for (Core* c : cores) {
        if (c->wake_at() > now_ && c->wake_at() != c->last_now_ms()) continue;
        c->step(Input::timer(now_), &out);
        serve(*c, &out);
      }
      if (step % 50 == 0 && coord_.apply(coord::FinishRunOp{kTenant, kRun, 99}, now_).ok()) return true;
    }
    return false;
  }

  std::set<Finding> committed() const {
    std::set<Finding> s;
    for (const auto& [id, f] : findings_) s.insert(f);
    return s;
  }

  Corpus corpus_;
  coord::MemoryStore store_;
  coord::Coordinator coord_;
  std::map<uint64_t, Finding> findings_;  // by id: a duplicate shows as a second id
  std::vector<coord::Request> requests_;
  int64_t now_ = 1000;
};

size_t count_kind(const std::vector<coord::Request>& reqs, coord::OpKind k) {
  size_t n = 0;
  for (const auto& r : reqs) n += coord::kind_of(r) == k;
  return n;
}

TEST(CoreRun, OneWorkerCommitsExactlyTheGroundTruth) {
  Bench bench(600, 3);
  Core core(bench.config(1), &bench.corpus_);
  core.set_policy(Policy{true, false, true});
  ASSERT_TRUE(bench.run({&core}, 200'000));
  const std::vector<Finding> truth = bench.corpus_.ground_truth();
  ASSERT_GT(truth.size(), 50u);
  EXPECT_EQ(bench.findings_.size(), truth.size());  // no duplicate records
  EXPECT_EQ(bench.committed(), std::set<Finding>(truth.begin(), truth.end()));
  // It split and handed off residuals along the way, and completed every leaf.
  EXPECT_GT(count_kind(bench.requests_, coord::OpKind::SplitReplace) +
                count_kind(bench.requests_, coord::OpKind::SplitResidual),
            0u);
  EXPECT_GT(count_kind(bench.requests_, coord::OpKind::Complete), 3u);
}

TEST(CoreRun, ThreeWorkersShareTheRunWithoutDuplicates) {
  Bench bench(900, 4);
  Core a(bench.config(1), &bench.corpus_), b(bench.config(2), &bench.corpus_), c(bench.config(3), &bench.corpus_);
  for (Core* k : {&a, &b, &c}) k->set_policy(Policy{true, false, true});
  ASSERT_TRUE(bench.run({&a, &b, &c}, 200'000));
  const std::vector<Finding> truth = bench.corpus_.ground_truth();
  EXPECT_EQ(bench.findings_.size(), truth.size());
  EXPECT_EQ(bench.committed(), std::set<Finding>(truth.begin(), truth.end()));
}

TEST(CoreRun, SplitsOnlyShardsBigEnough) {
  for (size_t min_items : {size_t{0}, size_t{1000}}) {
    Bench bench(600, 3);  // roots of about 200 items
    Config cfg = bench.config(1);
    cfg.split_min_items = min_items;
    Core core(cfg, &bench.corpus_);
    core.set_policy(Policy{true, false, true});
    ASSERT_TRUE(bench.run({&core}, 200'000));
    const size_t splits = count_kind(bench.requests_, coord::OpKind::SplitReplace) +
                          count_kind(bench.requests_, coord::OpKind::SplitResidual);
    if (min_items == 0) {
      EXPECT_GT(splits, 0u);
    } else {
      EXPECT_EQ(splits, 0u);
    }
  }
}

TEST(CoreRun, NonIdempotentFindingsDuplicateRecordsOnRescan) {
  Bench bench(600, 3);
  Config cfg = bench.config(1);
  cfg.faults.add(Fault::NonIdempotentFindings);
  Core core(cfg, &bench.corpus_);
  core.set_policy(Policy{true, false, true});
  ASSERT_TRUE(bench.run({&core}, 200'000));
  // Splits restart children from their start, so some items are scanned twice: the
  // same findings, stored again under new ids.
  EXPECT_GT(bench.findings_.size(), bench.corpus_.ground_truth().size());
}

// ---- step by step ----

class CoreSteps : public ::testing::Test {
 public:
  CoreSteps() : bench(5000, 1) {}  // big enough that no test finishes the shard
  // A core holding the single root shard.
  void grant(Config cfg) {
    core = std::make_unique<Core>(cfg, &bench.corpus_);
    core->set_policy(Policy{false, false, true});
    core->step(Input::timer(bench.now_), &out);
    ASSERT_EQ(out.sends.size(), 1u);
    ASSERT_TRUE(std::holds_alternative<coord::ClaimNextOp>(*out.sends[0].request));
    const coord::Reply r = bench.coord_.apply(*out.sends[0].request, bench.now_);
    ASSERT_TRUE(r.ok());
    core->step(Input::answer(bench.now_, out.sends[0].req_id, r), &out);
    ASSERT_EQ(core->beliefs().size(), 1u);
  }
  // Steps the timer until the core sends something (or 50 ms pass).
  void next_send() {
    for (int i = 0; i < 50; ++i) {
      core->step(Input::timer(++bench.now_), &out);
      if (!out.sends.empty()) return;
    }
  }
  Bench bench;
  std::unique_ptr<Core> core;
  Output out;
};

TEST_F(CoreSteps, FindingsAreDurableBeforeTheCheckpoint) {
  grant(bench.config(1));
  for (int pages = 0; pages < 40; ++pages) {
    next_send();
    ASSERT_EQ(out.sends.size(), 1u);
    const Send s = out.sends[0];
    if (s.kind == Send::Kind::Findings) {
      // Nothing moves until the write is acknowledged, however long it takes.
      core->step(Input::timer(bench.now_ + 10), &out);
      EXPECT_TRUE(out.sends.empty());
      core->step(Input::findings_ack(bench.now_ + 10, s.req_id), &out);
      next_send();
      ASSERT_EQ(out.sends.size(), 1u);
      EXPECT_TRUE(std::holds_alternative<coord::CheckpointOp>(*out.sends[0].request));
      return;
    }
    const coord::Reply r = bench.coord_.apply(*s.request, bench.now_);
    core->step(Input::answer(bench.now_, s.req_id, r), &out);
  }
  FAIL() << "no page with findings in 40 steps";
}

TEST_F(CoreSteps, CheckpointBeforeFindingsSendsBothAtOnce) {
  Config cfg = bench.config(1);
  cfg.faults.add(Fault::CheckpointBeforeFindings);
  grant(cfg);
  for (int i = 0; i < 40; ++i) {
    next_send();
    ASSERT_FALSE(out.sends.empty());
    if (out.sends[0].kind == Send::Kind::Findings) {
      ASSERT_EQ(out.sends.size(), 2u);
      EXPECT_EQ(out.sends[0].req_id, 0u);  // nobody waits for it
      EXPECT_TRUE(std::holds_alternative<coord::CheckpointOp>(*out.sends[1].request));
      return;
    }
    const coord::Reply r = bench.coord_.apply(*out.sends.back().request, bench.now_);
    core->step(Input::answer(bench.now_, out.sends.back().req_id, r), &out);
  }
  FAIL() << "no page with findings";
}

TEST_F(CoreSteps, IndeterminateIsRetriedWithTheSameOpIdThenAbandoned) {
  grant(bench.config(1));
  next_send();
  ASSERT_EQ(out.sends.size(), 1u);
  const uint64_t req = out.sends[0].req_id;
  const Send::Kind kind = out.sends[0].kind;
  const coord::Request first = kind == Send::Kind::Coord ? *out.sends[0].request : coord::Request{};
  const int retries = core->config().retries_max;
  for (int i = 0; i < retries; ++i) {
    core->step(Input::indeterminate(bench.now_, req), &out);
    ASSERT_EQ(out.sends.size(), 1u);
    EXPECT_TRUE(out.sends[0].resend);
    EXPECT_EQ(out.sends[0].req_id, req);
    if (kind == Send::Kind::Coord) {
      EXPECT_EQ(coord::op_id_of(*out.sends[0].request), coord::op_id_of(first));
      EXPECT_EQ(coord::payload_hash(*out.sends[0].request), coord::payload_hash(first));
    }
  }
  core->step(Input::indeterminate(bench.now_, req), &out);
  EXPECT_TRUE(out.sends.empty());
  ASSERT_EQ(out.events.size(), 1u);
  EXPECT_EQ(out.events[0].kind, Event::Kind::GaveUp);
  EXPECT_FALSE(core->outstanding().has_value());
}

TEST_F(CoreSteps, TimeoutResendsByItsOwnClock) {
  grant(bench.config(1));
  next_send();
  ASSERT_EQ(out.sends.size(), 1u);
  const uint64_t req = out.sends[0].req_id;
  EXPECT_EQ(out.wake_at_ms, bench.now_ + core->config().request_timeout_ms);
  core->step(Input::timer(out.wake_at_ms - 1), &out);
  EXPECT_TRUE(out.sends.empty());
  core->step(Input::timer(bench.now_ + core->config().request_timeout_ms), &out);
  ASSERT_EQ(out.sends.size(), 1u);
  EXPECT_EQ(out.sends[0].req_id, req);
  EXPECT_TRUE(out.sends[0].resend);
}

// A lease-gated answer that says the lease is gone ends all writing under it.
void expect_stops(CoreSteps& t, coord::CoordErrc code) {
  t.next_send();
  ASSERT_EQ(t.out.sends.size(), 1u);
  // Answer whatever it sent; a findings write first, so the lease-gated request follows.
  if (t.out.sends[0].kind == Send::Kind::Findings) {
    t.core->step(Input::findings_ack(t.bench.now_, t.out.sends[0].req_id), &t.out);
    t.next_send();
  }
  ASSERT_EQ(t.out.sends.size(), 1u);
  ASSERT_NE(coord::lease_of(*t.out.sends[0].request), nullptr);
  const coord::Reply lost = coord::coord_error(code, "test");
  t.core->step(Input::answer(t.bench.now_, t.out.sends[0].req_id, lost), &t.out);
}

TEST_F(CoreSteps, StopsAtOnceOnALostLease) {
  for (coord::CoordErrc code :
       {coord::CoordErrc::StaleFence, coord::CoordErrc::LeaseExpired, coord::CoordErrc::ShardTerminal}) {
    grant(bench.config(1));
    expect_stops(*this, code);
    EXPECT_TRUE(core->beliefs().empty()) << coord::to_string(code);
    bench.now_ += 1000;  // let the claim cooldown pass too
    next_send();
    for (const Send& s : out.sends) {
      if (s.kind == Send::Kind::Coord) {
        EXPECT_EQ(coord::lease_of(*s.request), nullptr) << coord::to_string(code);
      }
    }
  }
}

TEST_F(CoreSteps, SkipFenceCheckKeepsWritingOnTheLostLease) {
  Config cfg = bench.config(1);
  cfg.faults.add(Fault::SkipFenceCheck);
  grant(cfg);
  const uint64_t fence = core->beliefs()[0].fence;
  expect_stops(*this, coord::CoordErrc::StaleFence);
  ASSERT_EQ(core->beliefs().size(), 1u);
  next_send();
  ASSERT_FALSE(out.sends.empty());
  const Send& s = out.sends.back();
  ASSERT_EQ(s.kind, Send::Kind::Coord);
  ASSERT_NE(coord::lease_of(*s.request), nullptr);
  EXPECT_EQ(coord::lease_of(*s.request)->fence, fence);
}

TEST_F(CoreSteps, TrustsTheLeaseOnlyUntilItsOwnDeadline) {
  grant(bench.config(1));
  const Belief first = core->beliefs()[0];
  EXPECT_EQ(first.local_deadline_ms, bench.now_ + kLease);  // counted from the send
  // Renewals withheld (the simulator's stalled renewer): the lease runs out locally,
  // and nothing new is written under it from then on.
  core->set_policy(Policy{false, false, false});
  int lease_writes = 0;
  for (int64_t t = bench.now_; t < bench.now_ + 2 * kLease; ++t) {
    core->step(Input::timer(t), &out);
    for (const Send& s : out.sends) {
      if (s.kind != Send::Kind::Coord) continue;
      const coord::LeaseToken* lease = coord::lease_of(*s.request);
      if (lease == nullptr || lease->fence != first.fence || lease->ref.shard != first.shard) continue;
      ++lease_writes;
      EXPECT_LT(t, first.local_deadline_ms);
    }
    if (!core->outstanding()) continue;
    if (core->outstanding_request() != nullptr) {
      core->step(Input::answer(t, *core->outstanding(), bench.coord_.apply(*core->outstanding_request(), t)), &out);
    } else {
      core->step(Input::findings_ack(t, *core->outstanding()), &out);
    }
  }
  EXPECT_GT(lease_writes, 3);
}

TEST_F(CoreSteps, RenewsWithHalfTheLeaseLeft) {
  grant(bench.config(1));
  const int64_t granted = bench.now_;
  for (int64_t t = granted + 1; t < granted + kLease; ++t) {
    core->step(Input::timer(t), &out);
    for (const Send& s : out.sends) {
      if (s.kind == Send::Kind::Coord && std::holds_alternative<coord::RenewOp>(*s.request)) {
        EXPECT_GE(t, granted + kLease / 2);
        EXPECT_LT(t, granted + kLease);
        return;
      }
    }
    if (core->outstanding()) {
      if (core->outstanding_request() != nullptr) {
        core->step(Input::answer(t, *core->outstanding(), bench.coord_.apply(*core->outstanding_request(), t)), &out);
      } else {
        core->step(Input::findings_ack(t, *core->outstanding()), &out);
      }
    }
  }
  FAIL() << "never renewed";
}

TEST_F(CoreSteps, RestartLosesEverythingAndNewOpIdsDiffer) {
  grant(bench.config(1));
  next_send();
  const coord::OpId before = core->next_op_id();
  core->restart(1);
  EXPECT_TRUE(core->beliefs().empty());
  EXPECT_FALSE(core->outstanding().has_value());
  EXPECT_NE(core->next_op_id(), before);
  EXPECT_EQ(core->next_op_id() >> 32 & 0xffff, 1u);  // the incarnation is in the op_id
}

// Worker 2 held shard 1 once; now worker 1 holds it and worker 2 asks for it again.
// Honest, it backs off; with ignore-live-lease it works the shard anyway.
TEST(CoreFaults, IgnoreLiveLeaseAdoptsAShardHeldByAnother) {
  for (bool fault : {false, true}) {
    Bench bench(200, 1);
    Config cfg = bench.config(2);
    if (fault) cfg.faults.add(Fault::IgnoreLiveLease);
    Core w2(cfg, &bench.corpus_);
    w2.set_policy(Policy{false, false, true});
    Output o;
    auto answer = [&](int64_t now) {
      ASSERT_EQ(o.sends.size(), 1u);
      const coord::Reply r = bench.coord_.apply(*o.sends[0].request, now);
      w2.step(Input::answer(now, o.sends[0].req_id, r), &o);
    };
    w2.step(Input::timer(bench.now_), &o);
    answer(bench.now_);  // claim_next grants shard 1
    ASSERT_EQ(w2.beliefs().size(), 1u);
    const uint64_t old_fence = w2.beliefs()[0].fence;
    bench.now_ += 2 * kLease;  // its lease runs out; worker 1 takes the shard
    ASSERT_TRUE(bench.coord_.apply(coord::AcquireOp{{kTenant, kRun, 1}, 1}, bench.now_).ok());
    w2.step(Input::timer(bench.now_), &o);  // drops the expired lease, asks for more
    answer(bench.now_);                     // nothing claimable
    bench.now_ += 100;
    ASSERT_TRUE(w2.can_submit(bench.now_));
    w2.submit(bench.now_, coord::AcquireOp{{kTenant, kRun, 1}, 2}, &o);
    answer(bench.now_);  // LeaseHeld
    if (!fault) {
      EXPECT_TRUE(w2.beliefs().empty());
      continue;
    }
    ASSERT_EQ(w2.beliefs().size(), 1u);
    EXPECT_EQ(w2.beliefs()[0].shard, 1u);
    EXPECT_EQ(w2.beliefs()[0].fence, old_fence + 1);  // a guess, never granted to it
  }
}

}  // namespace
}  // namespace squall::worker
