// Benchmarks of the txn checker (src/checker/txn) on generated histories: list-append and
// rw-register, 100k and 1M transactions, with and without anomalies. Reports
// transactions per second (one core: the checker is single-threaded; generating the
// history is outside the timed loop), this configuration's peak RSS and the check's own
// share of it (Linux: the peak is restarted per configuration), the history's own size
// and the verdict.
//   ./build/bench/txn_check_bench
//
// Histories come from a strictly serializable execution with Maelstrom's shape: 10
// concurrent clients, 3 active keys at a time with an exponential bias, keys retiring
// after 16 writes, 1-4 micro-ops per transaction, half reads. Each transaction takes
// effect when it completes, so real time is respected. With anomalies, 1 in 200
// transactions reads one key one version stale, which gives G-single and real-time cycles.
#include <benchmark/benchmark.h>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "checker/txn/checker.h"
#include "core/rng.h"

namespace squall {
namespace {

using checker::txn::History;
using checker::txn::Mop;
using checker::txn::MopF;
using checker::txn::Txn;

// A field of /proc/self/status in MB ("VmRSS", "VmHWM"), or -1 where there is none.
double status_mb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(in, line))
    if (line.rfind(prefix, 0) == 0) return std::strtod(line.c_str() + prefix.size(), nullptr) / 1024.0;
  return -1;
}

// Restarts the peak RSS (VmHWM) from the current RSS, so that each configuration's
// peak is its own; without it (not Linux) the peak is the process's so far.
void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

History generate(int64_t n, bool list_append, bool anomalies, uint64_t seed) {
  Rng rng(seed);
  History h;
  h.txns.reserve(static_cast<size_t>(n));
  h.mops.reserve(static_cast<size_t>(n) * 3);
  struct Key {
    int32_t id;
    int64_t writes;
  };
  std::vector<Key> active;
  std::vector<std::vector<int64_t>> lists;  // per key id: the list (rw-register: the versions)
  auto new_key = [&] {
    int32_t id = static_cast<int32_t>(lists.size());
    lists.emplace_back();
    h.keys.push_back(history::Value(static_cast<int64_t>(id)));
    return Key{id, 0};
  };
  for (int i = 0; i < 3; ++i) active.push_back(new_key());
  constexpr int kClients = 10;
  struct Slot {
    bool busy = false;
    int64_t invoke = 0;
  };
  std::vector<Slot> slots(kClients);
  int64_t pos = 0, started = 0, done = 0;
  while (done < n) {
    auto c = static_cast<size_t>(rng.below(kClients));
    Slot& s = slots[c];
    if (!s.busy) {
      if (started < n) {
        s = {true, pos++};
        ++started;
      }
      continue;
    }
    // Complete: the transaction takes effect now.
    Txn t;
    t.invoke = s.invoke;
    t.complete = pos++;
    t.index = t.complete;
    t.process = static_cast<int64_t>(c);
    t.type = checker::txn::OpType::kOk;
    t.mops_at = static_cast<uint32_t>(h.mops.size());
    bool stale = anomalies && rng.below(200) == 0;
    int64_t len = rng.range(1, 4);
    std::vector<int32_t> touched;
    for (int64_t i = 0; i < len; ++i) {
      size_t slot = 0;
      while (slot + 1 < active.size() && rng.below(2) == 1) ++slot;
      Key& k = active[slot];
      auto& list = lists[static_cast<size_t>(k.id)];
      Mop m;
      m.key = k.id;
      bool own = std::find(touched.begin(), touched.end(), k.id) != touched.end();
      if (rng.below(2) == 0) {
        m.f = MopF::kRead;
        m.known = true;
        size_t len_seen = list.size();
        if (stale && !own && len_seen > 0) {
          --len_seen;
          stale = false;
        }
        if (list_append) {
          m.elems_at = static_cast<uint32_t>(h.elems.size());
          h.elems.insert(h.elems.end(), list.begin(), list.begin() + static_cast<long>(len_seen));
          m.elems_len = static_cast<uint32_t>(len_seen);
        } else if (len_seen == 0) {
          m.nil = true;
        } else {
          m.value = list[len_seen - 1];
        }
      } else {
        m.f = list_append ? MopF::kAppend : MopF::kWrite;
        m.value = ++k.writes;
        list.push_back(m.value);
        if (k.writes >= 16) k = new_key();
      }
      touched.push_back(m.key);
      h.mops.push_back(m);
    }
    t.mops_len = static_cast<uint32_t>(h.mops.size() - t.mops_at);
    h.txns.push_back(t);
    s.busy = false;
    ++done;
  }
  // Transactions are kept in invocation order, as the converter produces them.
  std::stable_sort(h.txns.begin(), h.txns.end(), [](const Txn& a, const Txn& b) { return a.invoke < b.invoke; });
  return h;
}

size_t history_mb(const History& h) {
  return (h.txns.size() * sizeof(Txn) + h.mops.size() * sizeof(Mop) + h.elems.size() * sizeof(int64_t)) >> 20;
}

void BM_Txn(benchmark::State& state) {
  const int64_t n = state.range(0);
  const bool list_append = state.range(1) == 1;
  const bool anomalies = state.range(2) == 1;
  reset_peak_rss();
  History h = generate(n, list_append, anomalies, 42);
  const double before_mb = status_mb("VmRSS");
  checker::txn::Options o;
  o.workload = list_append ? checker::txn::Workload::kListAppend : checker::txn::Workload::kRwRegister;
  checker::txn::CheckResult r;
  for (auto _ : state) {
    r = checker::txn::check(h, o);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * n);
  // Peak RSS of this configuration (history included) and the check's own share: the
  // peak during the check less what was resident before it.
  const double peak_mb = status_mb("VmHWM");
  state.counters["rss_MB"] = peak_mb;
  state.counters["check_MB"] = peak_mb - before_mb;
  state.counters["history_MB"] = static_cast<double>(history_mb(h));
  state.counters["edges"] = static_cast<double>(r.stats.edges);
  std::string types;
  for (const auto& t : r.anomaly_types) types += (types.empty() ? "" : ",") + t;
  state.SetLabel(std::string(list_append ? "list-append " : "rw-register ") + std::string(to_string(r.verdict)) +
                 (types.empty() ? "" : " " + types));
}

BENCHMARK(BM_Txn)
    ->ArgNames({"txns", "list_append", "anomalies"})
    ->ArgsProduct({{100'000, 1'000'000}, {1, 0}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace
}  // namespace squall

BENCHMARK_MAIN();
