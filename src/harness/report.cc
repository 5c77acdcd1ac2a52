#include "harness/report.h"

#include <fmt/format.h>

#include "harness/untrusted_text.h"
#include "history/edn.h"

namespace squall::harness {
using history::Value;

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

std::string edn_list(const history::Value* v, size_t limit) {
  if (!v) return "";
  std::string out;
  size_t k = 0;
  for (const auto& item : v->items()) {
    if (k++ == limit) {
      out += " ...";
      break;
    }
    out += (out.empty() ? "" : " ") + history::to_edn(item);
  }
  return out;
}

}  // namespace

void workload_anomalies(const history::Value& w, std::vector<std::string>* out) {
  auto n = [&](const char* k) -> int64_t { return w.get(k) ? w.get(k)->as_int() : 0; };
  // Workloads with their own anomaly classes (lin-kv, kafka) say them in :report-lines.
  if (const Value* lines = w.get("report-lines")) {
    for (const auto& l : lines->items()) out->push_back(l.as_string());
  }
  if (n("lost-count") > 0) {
    out->push_back(fmt::format("{} acknowledged messages lost (missing from later reads): {}", n("lost-count"),
                               edn_list(w.get("lost"), 12)));
    if (const Value* ex = w.get("lost-examples")) {
      for (size_t k = 0; k < ex->items().size() && k < 3; ++k) {
        const Value& e = ex->items()[k];
        out->push_back(
            fmt::format("element {} known at {} ms, still absent from reads at {} ms; final reads missing it: {}",
                        history::to_edn(*e.get("element")), e.get("known-time-ms")->as_int(),
                        e.get("last-absent-time-ms")->as_int(), edn_list(e.get("missing-from-final-reads"), 8)));
      }
    }
  }
  if (n("acknowledged-never-read-count") > 0) {
    out->push_back(
        fmt::format("{} acknowledged messages were never read by anyone", n("acknowledged-never-read-count")));
  }
  if (n("unexpected-count") > 0) {
    out->push_back(fmt::format("{} elements read that nobody added: {}", n("unexpected-count"),
                               edn_list(w.get("unexpected"), 12)));
  }
  if (n("duplicated-count") > 0) {
    out->push_back(fmt::format("{} ids acknowledged more than once, e.g. {}", n("duplicated-count"),
                               edn_list(w.get("duplicated"), 3)));
  }
  if (n("mismatch-count") > 0) {
    out->push_back(fmt::format("{} echo replies differ from their requests, e.g. {}", n("mismatch-count"),
                               edn_list(w.get("errors"), 2)));
  }
  if (n("error-count") > 0) {
    out->push_back(fmt::format("{} counter reads impossible given the adds (ok sum {}, {} indeterminate adds), e.g. {}",
                               n("error-count"), n("ok-add-sum"), n("indeterminate-add-count"),
                               edn_list(w.get("errors"), 2)));
  }
}

std::string render_report(const ReportInput& in) {
  std::string out;
  std::string title = "MAELSTROM REPORT — " + in.workload;
  out += title + "\n";
  out += std::string("═════════════════════════════") + "\n";
  out += fmt::format("Nodes: {}\n", in.nodes);
  out += fmt::format("Duration: {:.1f}s\n", in.duration_s);
  out += fmt::format("Operations: {} ({} ok / {} fail / {} info)\n", in.ops, in.ok, in.fail, in.info);
  out += fmt::format("Nemesis: {}\n", in.nemesis);
  constexpr size_t kEventsShown = 100;
  for (size_t i = 0; i < in.nemesis_events.size() && i < kEventsShown; ++i) out += "  " + in.nemesis_events[i] + "\n";
  if (in.nemesis_events.size() > kEventsShown)
    out += fmt::format("  ... {} more nemesis actions in history.txt\n", in.nemesis_events.size() - kEventsShown);
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
  out += in.rounds.exact ? "Convergence (rounds = message hops each element really took, traced in simulation):\n"
                         : "Convergence (rounds = message hops of the fastest causal chain, see README):\n";
  int expected = expected_rounds(in.nodes);
  if (in.set_result && in.rounds.measured) {
    out +=
        fmt::format("  Rounds to full convergence: {} (median {}, {} elements traced{})\n", in.rounds.max_rounds,
                    in.rounds.median_rounds, in.rounds.elements,
                    in.rounds.unconverged ? fmt::format(", {} never reached every node", in.rounds.unconverged) : "");
    if (in.rounds.exact)
      out +=
          fmt::format("  Time to full convergence: median {} ms, max {} ms\n", in.rounds.median_ms, in.rounds.max_ms);
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
