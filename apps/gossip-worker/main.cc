// gossip-worker: a secret-scanning worker on a real etcd cluster (see README.md,
// "gossip-worker"). Thin main: flags, signals and exit codes; the work is in
// src/worker_driver.
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include <atomic>
#include <chrono>

#include "etcd_store/etcd_store.h"
#include "worker_driver/control_server.h"
#include "worker_driver/data_plane.h"
#include "worker_driver/driver.h"
#include "worker_driver/options.h"

namespace {

std::atomic<bool> g_stop{false};

void on_signal(int) { g_stop.store(true); }

int exit_code(squall::worker_driver::Outcome o) { return o == squall::worker_driver::Outcome::Failed ? 1 : 0; }

}  // namespace

int main(int argc, char** argv) {
  using namespace squall;
  using namespace squall::worker_driver;
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = parse_options(args);
  if (auto* e = std::get_if<OptionsError>(&parsed)) {
    std::fprintf(stderr, "gossip-worker: %s\n", e->message.c_str());
    return 2;
  }
  const Options& o = std::get<Options>(parsed);
  if (o.help) {
    std::fputs(usage().c_str(), stdout);
    return 0;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  const int64_t wall_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  DriverConfig cfg;
  cfg.who = Identity{o.tenant, o.run, o.worker_id};
  // Op_ids carry the incarnation: a restart must not reuse its predecessor's.
  cfg.incarnation = o.incarnation.value_or(static_cast<uint32_t>((wall_ms / 10) & 0xffff));
  cfg.seed = o.seed.value_or((o.worker_id << 16) ^ cfg.incarnation ^ static_cast<uint64_t>(::getpid()) << 32);
  cfg.corpus_seed = o.corpus_seed;
  cfg.items = o.items;
  cfg.roots = o.roots;
  cfg.lease_ms = o.lease_ms;
  cfg.claim_cooldown_ms = o.claim_cooldown_ms;
  cfg.give_up_ms = o.give_up_ms;
  cfg.page_max = o.page_max;
  cfg.split_min_items = o.split_min_items;
  cfg.leases_max = o.leases_max;
  cfg.autonomous = o.listen.empty();
  cfg.clock_from_requests = o.clock_from_requests;
  cfg.faults = o.faults;
  cfg.mutations = o.mutations;

  DriverIo io = default_io();
  std::FILE* trace = nullptr;
  if (!o.trace.empty()) {
    trace = std::fopen(o.trace.c_str(), "a");
    if (trace == nullptr) {
      std::fprintf(stderr, "gossip-worker: --trace: cannot open '%s' for appending\n", o.trace.c_str());
      return 2;
    }
    std::fprintf(trace, "W %llu %u\n", static_cast<unsigned long long>(o.worker_id), cfg.incarnation);
    // Flushed per line: a SIGKILLed worker's trace is complete up to its death.
    io.trace = [trace](std::string_view line) {
      std::fwrite(line.data(), 1, line.size(), trace);
      std::fputc('\n', trace);
      std::fflush(trace);
    };
  }

  etcd_store::EtcdStoreOptions so;
  so.prefix = o.prefix;
  so.client.endpoints = o.endpoints;
  so.client.request_timeout = std::chrono::milliseconds(o.etcd_timeout_ms);
  so.client.jitter_seed = cfg.seed;
  if (const char* why = etcd::Client::validate_options(so.client)) {
    std::fprintf(stderr, "gossip-worker: --endpoints: %s\n", why);
    return 2;
  }
  etcd_store::EtcdStore store(so);
  EtcdDataPlane plane(&store.client(), o.prefix, o.run);

  std::unique_ptr<ControlServer> server;
  if (!o.listen.empty()) {
    std::string error;
    server = ControlServer::open(o.listen, &error);
    if (!server) {
      std::fprintf(stderr, "gossip-worker: --listen: %s\n", error.c_str());
      return 2;
    }
  }
  Driver driver(cfg, &store, &plane, io);
  driver.set_stop(&g_stop);
  if (auto end = driver.join()) return exit_code(*end);
  int rc = 0;
  if (server) {
    driver.log("control API listening on port " + std::to_string(server->port()));
    server->serve(g_stop, [&](std::string_view line) { return driver.handle(line); });
    driver.log("stopping: asked to (SIGTERM)");
  } else {
    rc = exit_code(driver.run(g_stop));
  }
  if (trace != nullptr) std::fclose(trace);
  return rc;
}
