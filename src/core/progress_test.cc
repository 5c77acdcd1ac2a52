#include "core/progress.h"

#include <gtest/gtest.h>

namespace squall::core {
namespace {

ProgressState test_state() {
  ProgressState s;
  s.elapsed_s = 12.34;
  s.limit_s = 60;
  s.phase = "main";
  s.ok = 120;
  s.fail = 3;
  s.info = 1;
  s.ops_per_s = 9.75;
  s.nemesis = "partitioned (n0 | n1 n2)";
  return s;
}

TEST(Progress, FormatsOnlyWhatIsKnown) {
  EXPECT_EQ(format_progress(test_state()),
            "[  12.3 s / 60 s] main | ok 120 fail 3 info 1 | 9.8 ops/s | partitioned (n0 | n1 n2)");
  ProgressState seeds;
  seeds.elapsed_s = 4.06;
  seeds.done = 37;
  seeds.total = 100;
  seeds.failing = 2;
  EXPECT_EQ(format_progress(seeds), "[   4.1 s] seeds 37/100, 2 failing");
  seeds.unit = "files";
  seeds.total = 0;
  EXPECT_EQ(format_progress(seeds), "[   4.1 s] files 37, 2 failing");
}

struct Captured {
  std::vector<std::string> writes;
  Progress::Sink sink() {
    return [this](std::string_view t) { writes.emplace_back(t); };
  }
};

TEST(Progress, OnATerminalOneLineIsRewrittenAtMostEveryPeriod) {
  Captured out;
  Progress p(out.sink(), true, 250, 10'000);
  ProgressState s = test_state();
  p.update(0, s);    // the first update prints at once
  p.update(100, s);  // too soon
  p.update(249, s);
  s.ok = 121;
  p.update(250, s);
  ASSERT_EQ(out.writes.size(), 2u);
  EXPECT_EQ(out.writes[0].rfind("\r\033[K[", 0), 0u);
  EXPECT_EQ(out.writes[1].find('\n'), std::string::npos);
  EXPECT_NE(out.writes[1].find("ok 121"), std::string::npos);
  EXPECT_EQ(p.next_due_ns(), 500);
  p.clear();
  EXPECT_EQ(out.writes.back(), "\r\033[K");
  p.clear();  // nothing drawn: nothing to erase
  EXPECT_EQ(out.writes.size(), 3u);
  p.finish(260, s);
  EXPECT_EQ(out.writes.back().back(), '\n');
}

TEST(Progress, ElsewherePlainPeriodicLines) {
  Captured out;
  Progress p(out.sink(), false, 250, 10'000);
  ProgressState s = test_state();
  for (int64_t t = 0; t <= 25'000; t += 100) p.update(t, s);
  ASSERT_EQ(out.writes.size(), 2u);  // at 10000 and 20000: nothing for the first period
  for (const auto& w : out.writes) {
    EXPECT_EQ(w.find('\r'), std::string::npos);
    EXPECT_EQ(w.find('\033'), std::string::npos);
    EXPECT_EQ(w.back(), '\n');
  }
  p.clear();  // no live line to erase in a log
  EXPECT_EQ(out.writes.size(), 2u);
  p.finish(25'001, s);
  EXPECT_EQ(out.writes.back(), format_progress(s) + "\n");
}

}  // namespace
}  // namespace squall::core
