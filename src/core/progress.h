// Progress: live progress of a long command on the console (squall test, squall sim
// --seeds N, big squall check runs, squall cluster).
//
// On a terminal one line is rewritten in place ("\r" + erase to the end of line) at most
// every tty_period; elsewhere (a CI log, a pipe) a plain line is printed every
// plain_period, so logs stay readable and never fill with carriage returns. A command
// fills a ProgressState with what it knows (fields it leaves unset are not shown) and
// calls update() as often as convenient, with its own clock's time, so the reporter
// needs no clock of its own and tests drive it with a fake one:
//
//   core::Progress progress(core::Progress::stderr_sink(), ::isatty(2) != 0);
//   ...
//   core::ProgressState s;
//   s.elapsed_s = ...; s.limit_s = 60; s.phase = "main";
//   s.ok = pool.ok_count(); s.fail = ...; s.info = ...; s.nemesis = "partitioned";
//   progress.update(now_ns, s);     // prints when its period has passed
//   progress.clear();               // before printing anything else (TTY: erases the line)
//   progress.finish(now_ns, s);     // the last state, ending its line
//
// squall cluster calls it the same way: elapsed/limit, ops ok/fail/info, the current
// nemesis, and done/failing when it drives several runs. Lines look like
//   [  12.3 s / 60 s] main | ok 120 fail 3 info 0 | 9.8 ops/s | partitioned (n0 n1 | n2)
//   [   4.1 s] seeds 37/100, 2 failing
// Not thread-safe: one thread updates it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace squall::core {

struct ProgressState {
  double elapsed_s = 0;
  double limit_s = 0;  // 0: no limit shown
  std::string phase;   // "main", "recovery", "checking", ... (empty: not shown)
  // Operations; ok < 0 hides the counts.
  int64_t ok = -1, fail = 0, info = 0;
  double ops_per_s = -1;  // < 0: not shown
  std::string nemesis;    // the current fault, e.g. "network whole" (empty: not shown)
  // Items of a sweep (seeds, files); done < 0 hides them.
  int64_t done = -1, total = 0, failing = 0;
  std::string unit = "seeds";
};

// The line for a state, without "\r" or a newline. Pure.
std::string format_progress(const ProgressState& s);

class Progress {
 public:
  using Sink = std::function<void(std::string_view)>;
  static constexpr int64_t kTtyPeriodNs = 250'000'000;
  static constexpr int64_t kPlainPeriodNs = 10'000'000'000;

  Progress(Sink sink, bool tty, int64_t tty_period_ns = kTtyPeriodNs, int64_t plain_period_ns = kPlainPeriodNs)
      : sink_(std::move(sink)), tty_(tty), period_ns_(tty ? tty_period_ns : plain_period_ns) {}

  // Writes to stderr (flushed), where progress belongs: stdout stays the command's result.
  static Sink stderr_sink();

  bool tty() const { return tty_; }
  // When the next update() will print (for a caller that sleeps until its next event).
  int64_t next_due_ns() const { return last_ns_ < 0 ? 0 : last_ns_ + period_ns_; }
  // Prints the state when the period has passed since the last line. On a terminal the
  // first call prints at once; in a log the first line comes one period in, so a short
  // command's output is not cluttered.
  void update(int64_t now_ns, const ProgressState& s);
  // On a terminal, erases the live line so other output starts on a clean line; the
  // next update() redraws it. Does nothing elsewhere.
  void clear();
  // Prints the final state on a line of its own, whatever the period.
  void finish(int64_t now_ns, const ProgressState& s);

 private:
  Sink sink_;
  bool tty_;
  int64_t period_ns_;
  int64_t last_ns_ = -1;
  bool line_open_ = false;  // a TTY line is drawn and not ended
};

}  // namespace squall::core
