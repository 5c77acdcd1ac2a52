// Benchmarks of `squall check`'s engine: the Porcupine corpus (all etcd histories
// together; each kv file split by key) and generated cas-register histories scaled in
// processes, length and crashed ops. Reports time, the verdict's peak search memory and
// the process's peak RSS.
//   ./build/bench/check_bench --benchmark_filter=Etcd
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <filesystem>

#include "checker/linearizability.h"
#include "checker/testing/history_gen.h"
#include "history/reader.h"

namespace squall {
namespace {

const std::string kCorpus = std::string(SQUALL_SOURCE_DIR) + "/../shared/corpus/porcupine";

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

void report(benchmark::State& state, const checker::LinearizabilityResult& v, size_t ops) {
  state.counters["ops"] = static_cast<double>(ops);
  state.counters["keys"] = static_cast<double>(v.keys_total);
  state.counters["search_MB"] = static_cast<double>(v.stats.peak_bytes) / (1 << 20);
  state.counters["rss_MB"] = peak_rss_mb();
  state.SetLabel(std::string(to_string(v.verdict)));
}

void BM_EtcdAll(benchmark::State& state) {
  std::vector<history::History> hs;
  if (!std::filesystem::exists(kCorpus)) {
    state.SkipWithError("corpus not found");
    return;
  }
  std::vector<std::filesystem::path> paths;
  for (const auto& e : std::filesystem::directory_iterator(kCorpus + "/jepsen")) paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) hs.push_back(history::read_history_file(p.string()).value());
  auto m = model::make_model("cas-register").value();
  size_t invalid = 0, ops = 0;
  for (auto _ : state) {
    invalid = 0;
    ops = 0;
    for (const auto& h : hs) {
      auto v = checker::check_linearizable(h, *m).value();
      invalid += v.verdict == Verdict::kInvalid;
      ops += h.size();
    }
  }
  state.counters["histories"] = static_cast<double>(hs.size());
  state.counters["invalid"] = static_cast<double>(invalid);
  state.counters["rss_MB"] = peak_rss_mb();
}
BENCHMARK(BM_EtcdAll)->Unit(benchmark::kMillisecond);

// Reading included: the figure a user sees for `squall check` on the whole directory.
void BM_EtcdAllWithParsing(benchmark::State& state) {
  if (!std::filesystem::exists(kCorpus)) {
    state.SkipWithError("corpus not found");
    return;
  }
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::directory_iterator(kCorpus + "/jepsen")) paths.push_back(e.path().string());
  auto m = model::make_model("cas-register").value();
  for (auto _ : state)
    for (const auto& p : paths)
      benchmark::DoNotOptimize(checker::check_linearizable(history::read_history_file(p).value(), *m).value());
}
BENCHMARK(BM_EtcdAllWithParsing)->Unit(benchmark::kMillisecond);

void BM_KvFile(benchmark::State& state, const char* name, bool split) {
  std::string path = kCorpus + "/kv/" + name;
  if (!std::filesystem::exists(path)) {
    state.SkipWithError("corpus not found");
    return;
  }
  auto h = history::read_history_file(path).value();
  auto m = model::make_model("kv").value();
  checker::CheckOptions opt;
  opt.split_by_key = split;
  checker::LinearizabilityResult v;
  for (auto _ : state) v = checker::check_linearizable(h, *m, opt).value();
  report(state, v, h.counts().invocations);
}
BENCHMARK_CAPTURE(BM_KvFile, c01_ok, "c01-ok.txt", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_KvFile, c01_bad, "c01-bad.txt", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_KvFile, c10_ok, "c10-ok.txt", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_KvFile, c10_bad, "c10-bad.txt", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_KvFile, c50_ok, "c50-ok.txt", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_KvFile, c50_bad, "c50-bad.txt", true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_KvFile, c10_ok_unsplit, "c10-ok.txt", false)->Unit(benchmark::kMillisecond);

// Args: processes, ops, crash percent, keys (0 = a single register), think percent (0:
// every client always busy, about `processes` ops in flight; 90: Jepsen-like stagger,
// short ops between gaps, about a quarter of the clients busy).
// The generator options of a BM_Generated* run, from its arguments.
checker::GenOptions gen_options(const benchmark::State& state) {
  checker::GenOptions g;
  g.seed = 7;
  g.processes = static_cast<uint32_t>(state.range(0));
  g.ops = static_cast<uint64_t>(state.range(1));
  g.crash_percent = static_cast<uint32_t>(state.range(2));
  g.keys = static_cast<uint32_t>(state.range(3));
  g.think_percent = static_cast<uint32_t>(state.range(4));
  return g;
}

// Budgets of the generated runs: beyond either, the verdict is unknown.
checker::CheckOptions gen_budgets() {
  checker::CheckOptions opt;
  opt.timeout_ms = 10'000;
  opt.memory_limit_bytes = 1ULL << 30;
  return opt;
}

// Checks a generated history against `model` (split by key or not) once per iteration.
template <typename Generate>
void run_generated(benchmark::State& state, Generate generate, const char* model, bool split_by_key) {
  checker::GenOptions g = gen_options(state);
  auto h = generate(g);
  auto m = model::make_model(model).value();
  checker::CheckOptions opt = gen_budgets();
  opt.split_by_key = split_by_key;
  checker::LinearizabilityResult v;
  for (auto _ : state) v = checker::check_linearizable(h, *m, opt).value();
  report(state, v, g.ops);
}

void BM_Generated(benchmark::State& state) {
  run_generated(state, checker::generate_register_history, "cas-register", false);
}
BENCHMARK(BM_Generated)
    ->ArgNames({"procs", "ops", "crash%", "keys", "think%"})
    ->Args({10, 1'000, 0, 0, 0})
    ->Args({10, 1'000, 20, 0, 0})
    ->Args({10, 10'000, 5, 0, 0})
    ->Args({50, 10'000, 0, 0, 0})
    ->Args({50, 10'000, 5, 0, 0})
    ->Args({50, 100'000, 0, 0, 0})
    ->Args({50, 100'000, 5, 0, 0})
    ->Args({50, 10'000, 5, 0, 90})
    ->Args({50, 100'000, 5, 0, 90})
    ->Args({50, 100'000, 5, 0, 95})
    ->Args({50, 100'000, 20, 100, 0})
    ->Args({100, 100'000, 10, 100, 0})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

// Generated kv histories (appends, puts, gets; crashed ops), split by key. Args as above.
void BM_GeneratedKv(benchmark::State& state) { run_generated(state, checker::generate_kv_history, "kv", true); }
BENCHMARK(BM_GeneratedKv)
    ->ArgNames({"procs", "ops", "crash%", "keys", "think%"})
    ->Args({50, 10'000, 5, 10, 0})
    ->Args({50, 10'000, 5, 1, 90})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace
}  // namespace squall

BENCHMARK_MAIN();
