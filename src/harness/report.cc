#include "harness/report.h"

#include <fmt/format.h>

#include "harness/untrusted_text.h"

namespace squall::harness {

int expected_rounds(int n) {
  int r = 0;
  while ((1LL << r) < n) ++r;
  return r;
}

namespace {

std::string pct(int64_t part, int64_t whole) {
  if (whole <= 0) return "0.0%";
  return fmt::format("{:.1f}%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

int64_t get_int(const history::Value& m, const char* key) {
  const history::Value* d = m.get(key);
  return d ? d->as_int() : 0;
}

}  // namespace

std::string render_report(const ReportInput& in) {
  std::string out;
  std::string title = "MAELSTROM REPORT — " + in.workload;
  out += title + "\n";
  out += std::string("═════════════════════════════") + "\n";
  out += fmt::format("Nodes: {}\n", in.nodes);
  out += fmt::format("Duration: {:.1f}s\n", in.duration_s);
  out += fmt::format("Operations: {} ({} ok / {} fail / {} info)\n", in.ops, in.ok, in.fail, in.info);
  out += fmt::format("Nemesis: {}\n", in.nemesis);
  const char* result = in.verdict == Verdict::kValid ? "PASS" : in.verdict == Verdict::kInvalid ? "FAIL" : "UNKNOWN";
  out += fmt::format("Result: {}{}\n", result, in.interrupted ? " (interrupted)" : "");
  if (!in.warnings.empty()) {
    out += fmt::format("Warnings: protocol violations ({})\n",
                       in.strict ? "--strict: they fail the run"
                                 : "the ops they touched are :info; the checkers decide; --strict fails the run");
    for (const auto& w : in.warnings) out += "  ! " + w + "\n";
  }
  out += "Consistency:\n";
  out += fmt::format("  Valid: {}\n", in.verdict == Verdict::kValid     ? "yes"
                                      : in.verdict == Verdict::kInvalid ? "no"
                                                                        : "unknown");
  if (in.set_result) {
    const auto& r = *in.set_result;
    int64_t attempts = get_int(r, "attempt-count");
    int64_t lost = get_int(r, "lost-count");
    int64_t stable = get_int(r, "stable-count");
    out += fmt::format("  Lost messages: {} ({} of {} attempted)\n", lost, pct(lost, attempts), attempts);
    out += fmt::format("  Stable: {} ({})\n", stable, pct(stable, attempts));
    out += fmt::format("  Never read: {}   Stale: {}\n", get_int(r, "never-read-count"), get_int(r, "stale-count"));
    out += "Latency (ms, stable latency: element known -> last read that lacked it):\n";
    const history::Value* q = r.get("stable-latencies");
    auto at = [&](size_t k) -> int64_t {
      return q && q->size() > k ? q->items()[2 * k + 1].as_int() : 0;  // the k-th entry's value
    };
    out += fmt::format("  p50: {}\n  p95: {}\n  p99: {}\n  max: {}\n", at(1), at(2), at(3), at(4));
  } else {
    out += "  Lost messages: n/a (no per-message delivery in this workload)\n";
    out += "  Stable: n/a\n";
    out += "Latency (ms, client operation latency, ok ops):\n";
    out += fmt::format("  p50: {:.1f}\n  p95: {:.1f}\n  p99: {:.1f}\n  max: {:.1f}\n", in.op_latency.p50_ms,
                       in.op_latency.p95_ms, in.op_latency.p99_ms, in.op_latency.max_ms);
  }
  out += "Convergence (rounds = message hops of the fastest causal chain, see README):\n";
  int expected = expected_rounds(in.nodes);
  if (in.set_result && in.rounds.measured) {
    out +=
        fmt::format("  Rounds to full convergence: {} (median {}, {} elements traced{})\n", in.rounds.max_rounds,
                    in.rounds.median_rounds, in.rounds.elements,
                    in.rounds.unconverged ? fmt::format(", {} never reached every node", in.rounds.unconverged) : "");
    out += fmt::format("  Expected (O(log n)): {}\n", expected);
    out += fmt::format("  Status: {}\n", in.rounds.max_rounds <= expected ? "WITHIN BOUND" : "EXCEEDS BOUND");
  } else {
    out += fmt::format("  Rounds to full convergence: n/a ({})\n",
                       in.set_result ? in.rounds.why_not : "no dissemination in this workload");
    out += fmt::format("  Expected (O(log n)): {}\n", expected);
    out += "  Status: NOT MEASURED\n";
  }
  out += fmt::format("Network: {:.1f} server messages per op\n", in.msgs_per_op);
  if (in.verdict != Verdict::kValid && !in.anomalies.empty()) {
    out += "Anomalies found:\n";
    for (const auto& a : in.anomalies) out += "  - " + a + "\n";
  }
  out += fmt::format("Store: {}\n", in.store_dir);
  out += fmt::format("Reproduce: {}\n", in.reproduce);
  return printable(out, /*keep_newlines=*/true);
}

}  // namespace squall::harness
