// Simulation throughput: coordination operations per CPU second and time compression
// (simulated seconds per CPU second) for the default scenario (4 workers x 15 shards),
// per fault level; plus the bare Coordinator on the in-memory store for comparison.
//
//   ./build/bench/sim_bench --benchmark_counters_tabular=true
//   ./build/bench/sim_bench --fixed LEVEL SEEDS   (a fixed amount of work, for callgrind:
//                                                  instruction counts repeat where CPU time does not)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "coord/coordinator.h"
#include "coord/memory_store.h"
#include "sim/simulator.h"

namespace {

using namespace squall;

void BM_SimSeed(benchmark::State& state) {
  sim::SimConfig cfg;
  cfg.level = static_cast<int>(state.range(0));
  uint64_t seed = 1;
  uint64_t ops = 0;
  int64_t sim_ms = 0;
  uint64_t failures = 0;
  for (auto _ : state) {
    sim::SeedResult r = sim::run_seed(cfg, seed++);
    ops += r.stats.coord_ops;
    sim_ms += r.stats.simulated_ms;
    failures += r.passed ? 0 : 1;
  }
  state.counters["coord_ops_per_s"] = benchmark::Counter(static_cast<double>(ops), benchmark::Counter::kIsRate);
  state.counters["compression_x"] =
      benchmark::Counter(static_cast<double>(sim_ms) / 1000.0, benchmark::Counter::kIsRate);
  state.counters["ops_per_seed"] = benchmark::Counter(static_cast<double>(ops), benchmark::Counter::kAvgIterations);
  state.counters["failures"] = static_cast<double>(failures);
}
BENCHMARK(BM_SimSeed)->Arg(1)->Arg(2)->Arg(3)->Unit(benchmark::kMillisecond);

// The coordinator alone: checkpoint after checkpoint under one lease.
void BM_CoordinatorCheckpoint(benchmark::State& state) {
  coord::MemoryStore store;
  coord::Coordinator c(&store);
  (void)c.create_run(coord::CreateRunOp{1, 1, coord::RunConfig{1'000'000'000, 0}});
  (void)c.register_shards(0, coord::RegisterShardsOp{1, 1, {{1, {"", ""}}}, 1});
  auto grant = c.acquire(0, coord::AcquireOp{{1, 1, 1}, 7});
  coord::LeaseToken lease{{1, 1, 1}, 7, grant->fence};
  coord::CheckpointOp op{lease, {"k0000000", "b"}, 10};
  uint64_t n = 0;
  for (auto _ : state) {
    op.op_id = 100 + n;
    op.cursor.last_key[7] = static_cast<char>('0' + (n % 10));  // monotonic within a run of 10
    if (n % 10 == 0) op.cursor.last_key = "k" + std::to_string(1000000 + n);
    auto r = c.checkpoint(static_cast<int64_t>(n), op);
    benchmark::DoNotOptimize(r);
    ++n;
  }
  state.counters["ops_per_s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CoordinatorCheckpoint);

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "--fixed") == 0) {
    sim::SimConfig cfg;
    cfg.level = std::atoi(argv[2]);
    const int seeds = std::atoi(argv[3]);
    uint64_t ops = 0;
    int failures = 0;
    for (int s = 1; s <= seeds; ++s) {
      sim::SeedResult r = sim::run_seed(cfg, static_cast<uint64_t>(s));
      ops += r.stats.coord_ops;
      failures += r.passed ? 0 : 1;
    }
    std::printf("level %d seeds %d coord_ops %llu failures %d\n", cfg.level, seeds,
                static_cast<unsigned long long>(ops), failures);
    return failures == 0 ? 0 : 1;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
