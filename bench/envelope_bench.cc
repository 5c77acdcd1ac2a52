// envelope_bench: the router's per-line work on node output, without processes or pipes.
//
//   ./build/bench/envelope_bench                 (Google Benchmark timings)
//   ./build/bench/envelope_bench --fixed N       (N routed token lines, for callgrind:
//       instructions per line = (Ir(N) - Ir(0)) / N, stable on a noisy machine)
//
// "route" is what `squall test` does with a line a node writes to another node: parse it
// (proto::parse_envelope), box it as the router does, read dest / extra key / type /
// in_reply_to, and stamp the delivery id (net::stamp_envelope). The token line is the one
// bench/harness_flood_node writes, so these counts explain bench/harness_bench.sh.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <variant>

#include "net/envelope.h"
#include "proto/message.h"

namespace {

using namespace squall;

const std::string kToken =
    R"({"src":"n3","dest":"n4","body":{"type":"token","hop":12345,"payload":"0123456789abcdef0123456789abcdef0123456789abcdef"}})";
const std::string kReply =
    R"({"src":"n0","dest":"c12","body":{"type":"echo_ok","in_reply_to":77,"msg_id":5,"echo":"Please echo 41"}})";

std::string gossip_line() {
  std::string s = R"({"src":"n1","dest":"n2","body":{"type":"gossip","msg_id":9,"messages":[)";
  for (int i = 0; i < 100; ++i) s += (i ? "," : "") + std::to_string(1000 + i * 37);
  return s + "]}}";
}

// The router's handling of one node line bound for a node (see harness/router.cc).
size_t route(std::string_view line, int64_t id) {
  proto::EnvelopeResult parsed = proto::parse_envelope(line);
  if (std::holds_alternative<proto::LineError>(parsed)) std::abort();
  auto msg = std::make_unique<const proto::Message>(std::move(std::get<proto::Message>(parsed)));
  size_t seen = msg->extra_key().size() + msg->dest().size() + msg->type().size() + (msg->in_reply_to() ? 1 : 0);
  std::string stamped = net::stamp_envelope(id, *msg, line);
  return seen + stamped.size();
}

void BM_Parse(benchmark::State& state, const std::string& line) {
  for (auto _ : state) {
    proto::EnvelopeResult r = proto::parse_envelope(line);
    benchmark::DoNotOptimize(r);
  }
}

void BM_Route(benchmark::State& state, const std::string& line) {
  int64_t id = 0;
  for (auto _ : state) benchmark::DoNotOptimize(route(line, ++id));
}

BENCHMARK_CAPTURE(BM_Parse, token, kToken);
BENCHMARK_CAPTURE(BM_Parse, reply, kReply);
BENCHMARK_CAPTURE(BM_Parse, gossip100, gossip_line());
BENCHMARK_CAPTURE(BM_Route, token, kToken);
BENCHMARK_CAPTURE(BM_Route, gossip100, gossip_line());

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--fixed") == 0) {
    long n = std::atol(argv[2]);
    size_t sum = 0;
    for (long i = 0; i < n; ++i) sum += route(kToken, i);
    std::printf("%ld lines routed (%zu)\n", n, sum);
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
