#include "checker/kafka/checker.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/rng.h"

namespace squall::checker::kafka {
namespace {

using Polled = std::map<std::string, std::vector<OffsetMsg>>;

// Builds hand-made histories: each call appends an invocation and its completion.
class History {
 public:
  History& send(int64_t process, const std::string& key, int64_t msg, std::optional<int64_t> offset,
                OpType outcome = OpType::kOk) {
    Event op;
    op.process = process;
    op.f = OpF::kSend;
    op.key = key;
    op.msg = msg;
    push(op);
    op.type = outcome;
    if (outcome == OpType::kOk) op.offset = offset;
    push(op);
    return *this;
  }

  History& poll(int64_t process, Polled polled, OpType outcome = OpType::kOk) {
    Event op;
    op.process = process;
    op.f = OpF::kPoll;
    push(op);
    op.type = outcome;
    if (outcome == OpType::kOk) op.polled = std::move(polled);
    push(op);
    return *this;
  }

  History& assign(int64_t process, std::vector<std::string> keys) {
    Event op;
    op.process = process;
    op.f = OpF::kAssign;
    op.keys = std::move(keys);
    push(op);
    op.type = OpType::kOk;
    push(op);
    return *this;
  }

  const std::vector<Event>& ops() const { return ops_; }

 private:
  void push(Event op) {
    op.index = static_cast<int64_t>(ops_.size());
    op.time_ns = op.index * 1000;
    ops_.push_back(std::move(op));
  }
  std::vector<Event> ops_;
};

std::vector<std::string> types(const CheckResult& r) { return r.error_types(); }
using Types = std::vector<std::string>;

TEST(KafkaChecker, CleanHistoryIsValid) {
  History h;
  h.send(0, "0", 10, 0).send(1, "0", 11, 1).send(0, "1", 20, 0).send(1, "0", 12, 2);
  h.poll(2, {{"0", {{0, 10}, {1, 11}}}, {"1", {{0, 20}}}});
  h.poll(2, {{"0", {{2, 12}}}});
  h.poll(3, {{"0", {{0, 10}, {1, 11}, {2, 12}}}});
  auto r = check(h.ops());
  EXPECT_TRUE(r.valid) << summary(r);
  EXPECT_EQ(types(r), Types{});
  EXPECT_EQ(r.stats.send_ok, 4);
  EXPECT_EQ(r.stats.poll_ok, 3);
  EXPECT_EQ(r.stats.polled_msgs, 7);
  EXPECT_EQ(r.stats.keys, 2);
}

TEST(KafkaChecker, LostWrite) {
  History h;
  h.send(0, "k", 1, 0).send(0, "k", 2, 1).send(0, "k", 3, 2);
  h.poll(1, {{"k", {{0, 1}}}});
  h.poll(2, {{"k", {{2, 3}}}});  // a fresh process starts at 2: not a skip, but 2 was lost
  auto r = check(h.ops());
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(types(r), (Types{"lost-write", "unseen"}));
  ASSERT_EQ(r.lost_write.count, 1);
  const LostWrite& c = r.lost_write.examples[0];
  EXPECT_EQ(c.key, "k");
  EXPECT_EQ(c.offset, 1);
  EXPECT_EQ(c.msg, 2);
  EXPECT_EQ(c.max_read_offset, 2);
  EXPECT_EQ(c.send_index, 3);
  EXPECT_EQ(r.unseen.count, 1);
}

TEST(KafkaChecker, UnseenAboveTheHighestPollIsNotLost) {
  History h;
  h.send(0, "k", 1, 0).send(0, "k", 2, 1);
  h.poll(1, {{"k", {{0, 1}}}});
  auto r = check(h.ops());
  EXPECT_EQ(types(r), Types{"unseen"});
  ASSERT_EQ(r.unseen.count, 1);
  EXPECT_EQ(r.unseen.examples[0].msg, 2);
  EXPECT_EQ(r.unseen.examples[0].offset, 1);
  EXPECT_FALSE(r.valid);
}

TEST(KafkaChecker, Duplicate) {
  History h;
  h.send(0, "k", 7, 0).send(0, "k", 8, 2);
  h.poll(1, {{"k", {{0, 7}, {1, 7}, {2, 8}}}});
  auto r = check(h.ops());
  EXPECT_EQ(types(r), Types{"duplicate"});
  ASSERT_EQ(r.duplicate.count, 1);
  EXPECT_EQ(r.duplicate.examples[0].msg, 7);
  EXPECT_EQ(r.duplicate.examples[0].offsets, (std::vector<int64_t>{0, 1}));
}

TEST(KafkaChecker, InconsistentOffsets) {
  // Two nodes assigning offsets locally: both messages acknowledged at offset 0.
  History h;
  h.send(0, "k", 1, 0).send(1, "k", 2, 0);
  h.poll(2, {{"k", {{0, 1}}}});
  auto r = check(h.ops());
  EXPECT_FALSE(r.valid);
  ASSERT_EQ(r.inconsistent_offsets.count, 1);
  EXPECT_EQ(r.inconsistent_offsets.examples[0].offset, 0);
  EXPECT_EQ(r.inconsistent_offsets.examples[0].msgs, (std::vector<int64_t>{1, 2}));
  // The message that lost the race at offset 0 was never read: lost, and unseen.
  EXPECT_EQ(types(r), (Types{"lost-write", "inconsistent-offsets", "unseen"}));
}

TEST(KafkaChecker, NonmonotonicSend) {
  History h;
  h.send(0, "k", 1, 1).send(0, "k", 2, 0).send(1, "j", 3, 5).send(0, "j", 4, 4);  // other process: fine
  h.poll(1, {{"k", {{0, 2}, {1, 1}}}, {"j", {{4, 4}, {5, 3}}}});
  auto r = check(h.ops());
  EXPECT_EQ(types(r), Types{"nonmonotonic-send"});
  ASSERT_EQ(r.nonmonotonic_send.count, 1);
  const auto& c = r.nonmonotonic_send.examples[0];
  EXPECT_EQ(c.process, 0);
  EXPECT_EQ(c.prev_offset, 1);
  EXPECT_EQ(c.offset, 0);
}

TEST(KafkaChecker, NonmonotonicPollAcrossAndWithinPolls) {
  History h;
  h.send(0, "k", 1, 0).send(0, "k", 2, 1);
  h.poll(1, {{"k", {{0, 1}, {1, 2}}}});
  h.poll(1, {{"k", {{1, 2}}}});  // process 1 goes back to offset 1
  auto across = check(h.ops());
  EXPECT_EQ(types(across), Types{"nonmonotonic-poll"});
  ASSERT_EQ(across.nonmonotonic_poll.count, 1);
  EXPECT_EQ(across.nonmonotonic_poll.examples[0].prev_offset, 1);
  EXPECT_EQ(across.nonmonotonic_poll.examples[0].offset, 1);
  EXPECT_EQ(across.nonmonotonic_poll.examples[0].prev_index, 5);
  EXPECT_EQ(across.nonmonotonic_poll.examples[0].index, 7);

  History w;
  w.send(0, "k", 1, 0).send(0, "k", 2, 1);
  w.poll(1, {{"k", {{1, 2}, {0, 1}}}});
  auto within = check(w.ops());
  EXPECT_EQ(types(within), Types{"int-nonmonotonic-poll"});
}

TEST(KafkaChecker, PollSkipAcrossAndWithinPolls) {
  History h;
  h.send(0, "k", 1, 0).send(0, "k", 2, 1).send(0, "k", 3, 2);
  h.poll(1, {{"k", {{0, 1}}}});
  h.poll(1, {{"k", {{2, 3}}}});                  // skips offset 1
  h.poll(2, {{"k", {{0, 1}, {1, 2}, {2, 3}}}});  // someone reads everything: nothing lost
  auto across = check(h.ops());
  EXPECT_EQ(types(across), Types{"poll-skip"});
  ASSERT_EQ(across.poll_skip.count, 1);
  EXPECT_EQ(across.poll_skip.examples[0].skipped, 1);
  EXPECT_EQ(across.poll_skip.examples[0].skipped_offsets, std::vector<int64_t>{1});

  History w;
  w.send(0, "k", 1, 0).send(0, "k", 2, 1).send(0, "k", 3, 2);
  w.poll(1, {{"k", {{0, 1}, {2, 3}}}});
  w.poll(2, {{"k", {{1, 2}}}});
  auto within = check(w.ops());
  EXPECT_EQ(types(within), Types{"int-poll-skip"});
}

TEST(KafkaChecker, SparseOffsetsAreNotSkips) {
  History h;
  h.send(0, "k", 1, 0).send(0, "k", 2, 5).send(0, "k", 3, 10);
  h.poll(1, {{"k", {{0, 1}, {5, 2}}}});
  h.poll(1, {{"k", {{10, 3}}}});
  auto r = check(h.ops());
  EXPECT_TRUE(r.valid) << summary(r);
}

TEST(KafkaChecker, AssignCrashAndInfoResetPollPositions) {
  History h;
  h.send(0, "k", 1, 0).send(0, "k", 2, 1);
  h.poll(1, {{"k", {{0, 1}, {1, 2}}}});
  h.assign(1, {"k"});
  h.poll(1, {{"k", {{0, 1}, {1, 2}}}});  // rewound to the committed offset after assign
  h.poll(1, {}, OpType::kInfo);
  h.poll(1, {{"k", {{1, 2}}}});
  EXPECT_TRUE(check(h.ops()).valid) << summary(check(h.ops()));

  // Negative control: without the assign the rewind is a nonmonotonic poll.
  History n;
  n.send(0, "k", 1, 0).send(0, "k", 2, 1);
  n.poll(1, {{"k", {{0, 1}, {1, 2}}}});
  n.poll(1, {{"k", {{0, 1}, {1, 2}}}});
  EXPECT_EQ(types(check(n.ops())), Types{"nonmonotonic-poll"});
}

TEST(KafkaChecker, AbortedAndPhantomReads) {
  History h;
  h.send(0, "k", 1, std::nullopt, OpType::kFail);
  h.send(0, "k", 2, std::nullopt, OpType::kInfo);  // indeterminate: may be read
  h.poll(1, {{"k", {{0, 1}, {1, 2}, {2, 99}}}});
  auto r = check(h.ops());
  EXPECT_EQ(types(r), (Types{"aborted-read", "phantom-read"}));
  ASSERT_EQ(r.aborted_read.count, 1);
  EXPECT_EQ(r.aborted_read.examples[0].msg, 1);
  EXPECT_EQ(r.aborted_read.examples[0].send_index, 1);
  ASSERT_EQ(r.phantom_read.count, 1);
  EXPECT_EQ(r.phantom_read.examples[0].msg, 99);
  EXPECT_EQ(r.stats.send_fail, 1);
  EXPECT_EQ(r.stats.send_info, 1);
}

TEST(KafkaChecker, OkSendWithoutOffsetIsCountedNotFatal) {
  History h;
  h.send(0, "k", 1, std::nullopt);
  h.poll(1, {{"k", {{0, 1}}}});
  auto r = check(h.ops());
  EXPECT_TRUE(r.valid);
  EXPECT_EQ(r.stats.send_ok_without_offset, 1);
}

TEST(KafkaChecker, ExamplesAreCappedCountsAreExact) {
  History h;
  for (int i = 0; i < 100; ++i) h.send(0, "k", i, i);
  h.poll(1, {{"k", {{100, 1000}}}});
  h.send(0, "k", 1000, 100);
  auto r = check(h.ops());
  EXPECT_EQ(r.lost_write.count, 100);
  EXPECT_EQ(r.lost_write.examples.size(), kMaxExamples);
  EXPECT_EQ(r.lost_write.examples[0].msg, 0);
}

TEST(KafkaChecker, JsonAndSummaryNameEveryClassFound) {
  History h;
  h.send(0, "k", 1, 0).send(1, "k", 2, 0).send(0, "k", 3, 1);
  h.poll(2, {{"k", {{0, 1}, {0, 1}}}});
  auto r = check(h.ops());
  std::string json = to_json(r);
  rapidjson::Document d;
  d.Parse(json.c_str());
  ASSERT_FALSE(d.HasParseError()) << json;
  EXPECT_FALSE(d["valid"].GetBool());
  ASSERT_TRUE(d["error-types"].IsArray());
  for (const auto& t : r.error_types()) {
    EXPECT_TRUE(d.HasMember(t.c_str())) << t;
    EXPECT_NE(summary(r).find(t), std::string::npos) << t;
    EXPECT_GE(d[t.c_str()]["count"].GetInt64(), 1);
  }
  EXPECT_EQ(d["inconsistent-offsets"]["examples"][0]["msgs"].Size(), 2u);
  EXPECT_EQ(json, to_json(check(h.ops()))) << "deterministic";
  EXPECT_NE(summary(r).find("INVALID"), std::string::npos);
}

// A correct log served to random processes: sends get the next offset of their key,
// polls return a contiguous run from the process's position, a final poll per key
// reads to the end. Always valid; dropping one message from it is always caught.
std::vector<Event> correct_history(uint64_t seed) {
  Rng rng(seed);
  History h;
  std::map<std::string, std::vector<int64_t>> log;
  std::map<std::pair<int64_t, std::string>, int64_t> position;
  int64_t next_msg = 0;
  for (int i = 0; i < 300; ++i) {
    auto process = static_cast<int64_t>(rng.below(4));
    std::string key = std::to_string(rng.below(3));
    if (rng.chance(1, 2)) {
      auto& l = log[key];
      l.push_back(next_msg);
      h.send(process, key, next_msg++, static_cast<int64_t>(l.size()) - 1);
    } else {
      int64_t& pos = position[{process, key}];
      auto n = static_cast<int64_t>(log[key].size());
      int64_t take = std::min<int64_t>(n - pos, rng.range(0, 5));
      Polled polled;
      for (int64_t o = pos; o < pos + take; ++o) polled[key].push_back({o, log[key][o]});
      pos += take;
      h.poll(process, polled);
    }
  }
  for (const auto& [key, l] : log) {
    Polled all;
    for (size_t o = 0; o < l.size(); ++o) all[key].push_back({static_cast<int64_t>(o), l[o]});
    h.poll(99, all);
  }
  return h.ops();
}

TEST(KafkaChecker, RandomCorrectHistoriesPassAndDropsAreCaught) {
  int dropped = 0;
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    auto ops = correct_history(seed);
    auto r = check(ops);
    ASSERT_TRUE(r.valid) << "seed " << seed << "\n" << summary(r);

    // Drop one message of some key from every poll, the final ones included.
    Rng pick(seed * 7);
    std::string key = std::to_string(pick.below(3));
    const Event* final_read = nullptr;
    for (const Event& op : ops) {
      if (op.process == 99 && op.type == OpType::kOk && op.polled.count(key)) final_read = &op;
    }
    ASSERT_NE(final_read, nullptr) << "seed " << seed;
    const auto& all = final_read->polled.at(key);
    ASSERT_GE(all.size(), 2u) << "seed " << seed;
    int64_t victim = all[pick.below(all.size() - 1)].msg;  // never the last: that is unseen only
    ++dropped;
    for (Event& op : ops) {
      auto it = op.polled.find(key);
      if (it == op.polled.end()) continue;
      auto& v = it->second;
      v.erase(std::remove_if(v.begin(), v.end(), [&](const OffsetMsg& p) { return p.msg == victim; }), v.end());
    }
    auto bad = check(ops);
    EXPECT_FALSE(bad.valid) << "seed " << seed;
    EXPECT_GE(bad.lost_write.count, 1) << "seed " << seed;
  }
  EXPECT_EQ(dropped, 30);
}

}  // namespace
}  // namespace squall::checker::kafka
