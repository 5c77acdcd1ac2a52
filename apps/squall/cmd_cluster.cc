// squall cluster: real clusters, real faults. Nodes in network namespaces on this host
// (or real hosts over SSH), an etcd member per node, nemeses on the kernel's network and
// on real processes. The work lives in src/cluster.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "cluster/cluster.h"
#include "cluster/etcd_db.h"
#include "cluster/etcd_workloads.h"
#include "cluster/nemesis.h"
#include "cluster/run.h"
#include "cluster/state_file.h"
#include "cluster_shard/gossip_worker_db.h"
#include "cluster_shard/shard_options.h"
#include "cluster_shard/shard_workloads.h"
#include "commands.h"
#include "console.h"
#include "parse_command_line.h"

namespace squall::cli {
namespace {

constexpr const char* kClockNote =
    "clock-skew shifts the clock of processes that read it through libc, via libfaketime and a\n"
    "per-node FAKETIME file re-read on every call; the host clock is never changed. Go binaries\n"
    "such as etcd read the clock without libc and are NOT reached by it.";

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// A nodes file: one node per line, "host" or "name host"; '#' starts a comment.
Status read_nodes_file(const std::string& path, std::vector<std::string>* names, std::vector<std::string>* hosts) {
  std::ifstream in(path);
  if (!in) return err(fmt::format("{}: cannot read", path));
  std::string line;
  int no = 0;
  while (std::getline(in, line)) {
    ++no;
    line = line.substr(0, line.find('#'));
    std::stringstream ss(line);
    std::vector<std::string> words;
    std::string w;
    while (ss >> w) words.push_back(w);
    if (words.empty()) continue;
    if (words.size() > 2) return err(fmt::format("{}:{}: expected 'host' or 'name host'", path, no));
    names->push_back(words.size() == 2 ? words[0] : fmt::format("n{}", names->size() + 1));
    hosts->push_back(words.back());
  }
  if (hosts->empty()) return err(fmt::format("{}: no nodes", path));
  return {};
}

struct CommonOptions {
  std::string nodes = "n1,n2,n3";
  std::string ssh_hosts;
  std::string nodes_file;
  std::string ssh_user = "root";
  std::string ssh_key;
  int ssh_port = 22;
  std::string etcd = "etcd";
  std::string etcdctl = "etcdctl";
};

void add_common(CLI::App* app, CommonOptions* o) {
  app->add_option("--nodes", o->nodes, "Comma-separated node names (a-z, 0-9, at most 8 characters each)");
  app->add_option("--ssh", o->ssh_hosts,
                  "SSH transport: comma-separated hosts, one per node (no namespaces are made; the hosts' own "
                  "network is used)");
  app->add_option("--nodes-file", o->nodes_file, "SSH transport: a file with one 'host' or 'name host' per line");
  app->add_option("--ssh-user", o->ssh_user, "SSH user");
  app->add_option("--ssh-key", o->ssh_key, "SSH private key file (default: ssh's own)");
  app->add_option("--ssh-port", o->ssh_port, "SSH port")->check(CLI::Range(1, 65535));
  app->add_option("--etcd", o->etcd, "etcd binary on the nodes");
  app->add_option("--etcdctl", o->etcdctl, "etcdctl binary on the nodes (health checks)");
}

Result<cluster::ClusterOptions> cluster_options(const CommonOptions& o) {
  cluster::ClusterOptions c;
  c.nodes = split_commas(o.nodes);
  if (!o.nodes_file.empty()) {
    c.nodes.clear();
    if (auto s = read_nodes_file(o.nodes_file, &c.nodes, &c.ssh_hosts); !s) return err(s.error());
  } else if (!o.ssh_hosts.empty()) {
    c.ssh_hosts = split_commas(o.ssh_hosts);
    if (c.nodes.size() != c.ssh_hosts.size()) {
      c.nodes.clear();
      for (size_t i = 0; i < c.ssh_hosts.size(); ++i) c.nodes.push_back(fmt::format("n{}", i + 1));
    }
  }
  c.ssh.user = o.ssh_user;
  c.ssh.key = o.ssh_key;
  c.ssh.port = o.ssh_port;
  if (auto s = cluster::validate_node_names(c.nodes); !s) return err(s.error());
  return c;
}

bool require_root(const char* what) {
  if (::geteuid() == 0) return true;
  std::fprintf(stderr,
               "squall cluster %s: needs root (it creates network namespaces, veth links, a bridge and nftables "
               "rules); run it as root, e.g. with sudo\n",
               what);
  return false;
}

int print_cleanup(const cluster::CleanupReport& rep) {
  for (const auto& r : rep.removed) std::printf("removed %s\n", r.c_str());
  for (const auto& f : rep.failed) std::fprintf(stderr, "could not remove %s\n", f.c_str());
  if (rep.removed.empty() && rep.failed.empty()) std::printf("nothing of squall's to remove\n");
  return rep.failed.empty() ? kExitValid : kExitUnknown;
}

int exit_code(cluster::RunVerdict v) {
  switch (v) {
    case cluster::RunVerdict::kValid: return kExitValid;
    case cluster::RunVerdict::kInvalid: return kExitInvalid;
    case cluster::RunVerdict::kUnknown: return kExitUnknown;
  }
  return kExitUnknown;
}

std::string fmt_seconds(double s) { return fmt::format("{:g}", s); }

// The command line that replays this run: every option that shapes it, the seed included.
std::string reproduce_command(const CommonOptions& c, const cluster::RunOptions& o, const std::string& workload,
                              const std::string& nemesis, double interval_s, double time_limit_s, int concurrency,
                              double op_timeout_s, int64_t lease_ttl_s, int64_t hold_ms, bool stale_reads,
                              const std::string& shard_flags) {
  std::string nodes;
  for (const auto& n : o.cluster.nodes) nodes += (nodes.empty() ? "" : ",") + n;
  std::string cmd = "squall cluster test";
  if (!c.nodes_file.empty()) {
    cmd += " --nodes-file " + c.nodes_file;
  } else {
    cmd += " --nodes " + nodes;
    if (!c.ssh_hosts.empty()) cmd += " --ssh " + c.ssh_hosts;
  }
  if (!o.cluster.ssh_hosts.empty()) {
    cmd += " --ssh-user " + c.ssh_user + " --ssh-port " + std::to_string(c.ssh_port);
    if (!c.ssh_key.empty()) cmd += " --ssh-key " + c.ssh_key;
  }
  if (c.etcd != "etcd") cmd += " --etcd " + c.etcd;
  if (c.etcdctl != "etcdctl") cmd += " --etcdctl " + c.etcdctl;
  cmd += " --workload " + workload;
  if (!shard_flags.empty()) {
    cmd += shard_flags;
  } else if (workload != "none") {
    cmd += fmt::format(" --concurrency {} --op-timeout {}", concurrency, fmt_seconds(op_timeout_s));
    if (workload.rfind("lock", 0) == 0) cmd += fmt::format(" --lease-ttl {} --hold-ms {}", lease_ttl_s, hold_ms);
    if (stale_reads) cmd += " --stale-reads";
  }
  cmd += fmt::format(" --nemesis {} --nemesis-interval {} --time-limit {} --test-seed {}",
                     nemesis.empty() ? "none" : nemesis, fmt_seconds(interval_s), fmt_seconds(time_limit_s), o.seed);
  return cmd;
}

}  // namespace

int cmd_cluster(int argc, char** argv) {
  CLI::App app{
      "Real clusters, real faults: each node in its own network namespace on a private bridge (or a real host\n"
      "over SSH), one etcd member per node, faults injected into the kernel's network (nftables) and into real\n"
      "processes (SIGKILL, SIGSTOP, libfaketime). Needs root. Everything made is recorded under\n"
      "/run/squall/cluster/ first, so `squall cluster cleanup` removes it even after squall was killed.\n\n" +
          std::string(kClockNote),
      "squall cluster"};
  app.require_subcommand(1);
  app.option_defaults()->always_capture_default();

  CommonOptions common_up;
  CLI::App* up = app.add_subcommand("up",
                                    "Bring up the namespaces and an etcd cluster, print its endpoints and leave "
                                    "it running (tear down with `down --tag`)");
  add_common(up, &common_up);
  std::string store_up;

  std::string down_tag;
  CLI::App* down = app.add_subcommand("down", "Tear down a cluster left by `up`");
  down->add_option("--tag", down_tag, "The tag `up` printed")->required();

  std::string cleanup_tag;
  CLI::App* cleanup = app.add_subcommand(
      "cleanup", "Remove every namespace, link, process and temp dir squall recorded (after a crash)");
  cleanup->add_option("--tag", cleanup_tag, "Only the run with this tag (default: every run recorded on this host)");

  CommonOptions common;
  cluster::RunOptions run;
  std::string nemesis_text = "none";
  double interval_s = 10, time_limit_s = 60;
  uint64_t seed = 0;
  bool seed_given = false;
  std::string workload_name = "none";
  int concurrency = 10;
  double op_timeout_s = 5;
  int64_t lease_ttl_s = 2;
  int64_t hold_ms = 100;
  bool stale_reads = false;
  CLI::App* test = app.add_subcommand(
      "test",
      "Bring up etcd, run a workload under the nemesis schedule, heal, final reads, check, tear down; ends with the "
      "JEPSEN REPORT. Exit 0 valid, 1 invalid, 2 unknown, 254 usage");
  add_common(test, &common);
  std::string wnames;
  for (const auto& n : cluster::etcd_workload_names()) wnames += n + ", ";
  for (const auto& n : cluster_shard::shard_workload_names()) wnames += n + " (gossip-worker), ";
  test->add_option("--workload", workload_name,
                   "Workload against etcd: " + wnames +
                       "or none (nemeses only, checks recovery). Each client thread talks to one node's member");
  CLI::Option* concurrency_opt =
      test->add_option(
              "--concurrency", concurrency,
              "Client threads (thread i bound to node i mod n); full-lifecycle: gossip-workers, spread over the nodes "
              "(default one per node)")
          ->check(CLI::Range(1, 1000));
  test->add_option("--op-timeout", op_timeout_s, "Seconds an etcd request of an op may take before it is :info")
      ->check(CLI::Range(0.05, 600.0));
  test->add_option("--lease-ttl", lease_ttl_s, "Lock workloads: TTL in seconds of the holder's lease")
      ->check(CLI::Range(1, 3600));
  test->add_option("--hold-ms", hold_ms,
                   "Lock workloads: milliseconds (0 to this, at random) a holder works under the lock; lock-set "
                   "works between its read and its write")
      ->check(CLI::Range(int64_t{0}, int64_t{60'000}));
  test->add_flag("--stale-reads", stale_reads,
                 "register only, a deliberate bug (the checker's negative control): each client answers reads from "
                 "its memory of the key instead of asking etcd");
  cluster_shard::ShardOptions shard;
  std::string fault_name;
  std::string worker_binary;
  double settle_s = 60;
  CLI::Option* items_opt =
      test->add_option("--items", shard.items,
                       "Shard workloads: items in the workers' corpus (default: 250 per second of --time-limit, "
                       "1000 to 500000)")
          ->check(CLI::Range(1, 10'000'000));
  CLI::Option* roots_opt =
      test->add_option(
              "--roots", shard.roots,
              "Shard workloads: root shards of the run (default 12; the controlled workloads: 2, so that clients "
              "contend)")
          ->check(CLI::Range(1, 100'000));
  test->add_option("--corpus-seed", shard.corpus_seed, "Shard workloads: seed of the corpus (and its ground truth)");
  CLI::Option* lease_opt =
      test->add_option("--worker-lease-ms", shard.lease_ms,
                       "Shard workloads: the run's lease duration in milliseconds (default 3000; "
                       "shard-acquisition and concurrent-acquisition: 1000, so that leases turn over often)")
          ->check(CLI::Range(int64_t{50}, int64_t{600'000}));
  CLI::Option* settle_opt =
      test->add_option(
              "--settle", settle_s,
              "Shard workloads: seconds the workers get after the final phase to finish the corpus before the audit "
              "(default: the time limit, at least 60; a finished run does not wait)")
          ->check(CLI::Range(0.0, 3600.0));
  test->add_option("--fault", fault_name,
                   "Shard workloads, a worker negative control passed to every gossip-worker: skip-fence-check, "
                   "ignore-live-lease, checkpoint-before-findings or non-idempotent-findings");
  test->add_option("--coord-mutation", shard.coord_mutation,
                   "Controlled shard workloads, a coordinator negative control passed to every gossip-worker "
                   "(coordinator mutations as squall sim names them, e.g. acquire-ignores-live-lease, "
                   "split-with-gap, residual-with-gap)");
  test->add_option("--gossip-worker", worker_binary,
                   "Shard workloads: the gossip-worker binary (default: next to squall, else from PATH)");
  std::string names;
  for (const auto& n : cluster::nemesis_names()) names += n + ", ";
  test->add_option("--nemesis", nemesis_text,
                   "Comma-separated faults: " + names + "combined (all of them) or none.\n" + kClockNote);
  test->add_option("--nemesis-interval", interval_s, "Seconds between faults (a fault lasts as long)")
      ->check(CLI::Range(0.05, 3600.0));
  test->add_option("--time-limit", time_limit_s, "Seconds of the fault schedule")->check(CLI::Range(0.0, 86400.0));
  test->add_option("--test-seed", seed, "Seed of the nemesis schedule (default: from the clock)")
      ->each([&](const std::string&) { seed_given = true; });
  test->add_option("--store", run.store_root, "Store directory");
  test->add_option("--ready-timeout", run.ready_timeout_ms, "Milliseconds to wait for each etcd member to be healthy");

  if (auto stop = parse_command_line(app, argc, argv, "cluster")) return *stop;

  if (app.got_subcommand("cleanup") && cleanup_tag.empty()) {
    if (!require_root("cleanup")) return kExitUsage;
    return print_cleanup(cluster::cleanup_all());
  }
  if (app.got_subcommand("down") || !cleanup_tag.empty()) {
    if (!require_root("down")) return kExitUsage;
    if (!cleanup_tag.empty()) down_tag = cleanup_tag;
    std::string path = std::string(cluster::kStateDir) + "/" + down_tag + ".state";
    std::ifstream in(path);
    if (!in) {
      std::fprintf(stderr, "squall cluster down: no cluster with tag '%s' (%s not found)\n", down_tag.c_str(),
                   path.c_str());
      return kExitUsage;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    auto recs = cluster::parse_state(ss.str(), path);
    if (!recs.ok()) {
      std::fprintf(stderr, "squall cluster down: %s\n", recs.error().c_str());
      return kExitUnknown;
    }
    cluster::CleanupReport rep = cluster::remove_recorded(*recs);
    if (rep.failed.empty()) ::unlink(path.c_str());
    return print_cleanup(rep);
  }
  if (app.got_subcommand("up")) {
    if (!require_root("up")) return kExitUsage;
    auto opts = cluster_options(common_up);
    if (!opts.ok()) {
      std::fprintf(stderr, "squall cluster up: %s\n", opts.error().c_str());
      return kExitUsage;
    }
    if (!opts->ssh_hosts.empty()) {
      std::fprintf(stderr, "squall cluster up: only local namespaces can be left running; use `test` with --ssh\n");
      return kExitUsage;
    }
    std::atomic<bool>& stop = stop_on_signals();
    auto c = cluster::Cluster::create(*opts);
    if (!c.ok()) {
      std::fprintf(stderr, "squall cluster up: %s\n", c.error().c_str());
      return kExitUnknown;
    }
    cluster::EtcdOptions eo;
    eo.binary = common_up.etcd;
    eo.etcdctl = common_up.etcdctl;
    if (auto s = (*c)->start_db(cluster::etcd_db(eo), 30'000); !s) {
      std::fprintf(stderr, "squall cluster up: %s\n", s.error().c_str());
      return kExitUnknown;  // the destructor tears everything down
    }
    if (stop.load()) {
      std::fprintf(stderr, "squall cluster up: interrupted; tearing down\n");
      return kExitUnknown;  // the destructor tears everything down
    }
    std::printf("tag %s\n", (*c)->tag().c_str());
    for (auto& n : (*c)->nodes()) {
      std::printf("%s %s netns squall-%s-%s etcd %s\n", n.name.c_str(), n.address.c_str(), (*c)->tag().c_str(),
                  n.name.c_str(), cluster::etcd_client_url(n).c_str());
    }
    std::printf("tear down with: squall cluster down --tag %s\n", (*c)->tag().c_str());
    (*c)->detach();
    return kExitValid;
  }

  // test
  if (!require_root("test")) return kExitUsage;
  auto opts = cluster_options(common);
  if (!opts.ok()) {
    std::fprintf(stderr, "squall cluster test: %s\n", opts.error().c_str());
    return kExitUsage;
  }
  auto nemeses = cluster::parse_nemesis_list(nemesis_text);
  if (!nemeses.ok()) {
    std::fprintf(stderr, "squall cluster test: %s\n", nemeses.error().c_str());
    return kExitUsage;
  }
  if (!seed_given) seed = static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  std::unique_ptr<cluster::ClusterWorkload> workload;
  std::string shard_flags;
  if (cluster_shard::is_shard_workload(workload_name)) {
    shard.workload = workload_name;
    shard.binary = cluster_shard::default_worker_binary(worker_binary);
    if (settle_opt->count() == 0) settle_s = std::max(60.0, time_limit_s);
    shard.settle_ms = static_cast<int64_t>(settle_s * 1000);
    const int n_nodes = static_cast<int>(opts->nodes.size());
    cluster_shard::apply_workload_defaults(
        &shard, {items_opt->count() > 0, roots_opt->count() > 0, lease_opt->count() > 0, concurrency_opt->count() > 0},
        time_limit_s, concurrency, n_nodes);
    const bool lease_clients = cluster_shard::controlled(shard);
    shard.op_timeout_ms = static_cast<int64_t>(op_timeout_s * 1000);
    if (!fault_name.empty()) {
      auto f = cluster_shard::parse_worker_fault(fault_name);
      if (!f.ok()) {
        std::fprintf(stderr, "squall cluster test: %s\n", f.error().c_str());
        return kExitUsage;
      }
      shard.fault = *f;
    }
    if (auto s = cluster_shard::check_shard_options(shard); !s) {
      std::fprintf(stderr, "squall cluster test: %s\n", s.error().c_str());
      return kExitUsage;
    }
    workload = cluster_shard::make_shard_workload(shard, concurrency, seed);
    run.workload = workload.get();
    run.concurrency = cluster_shard::run_concurrency(shard, concurrency, n_nodes);
    run.test_name = "gossip-worker-" + workload_name;
    run.make_db = [&shard, &common, &workload] {
      cluster::EtcdOptions eo;
      eo.binary = common.etcd;
      eo.etcdctl = common.etcdctl;
      return cluster_shard::make_shard_db(eo, shard, workload.get());
    };
    shard_flags = fmt::format(" --items {} --roots {} --corpus-seed {} --worker-lease-ms {} --settle {}", shard.items,
                              shard.roots, shard.corpus_seed, shard.lease_ms, fmt_seconds(settle_s));
    if (lease_clients)
      shard_flags += fmt::format(" --concurrency {} --op-timeout {}", concurrency, fmt_seconds(op_timeout_s));
    else if (concurrency_opt->count() > 0)
      shard_flags += fmt::format(" --concurrency {}", concurrency);
    if (shard.fault) shard_flags += " --fault " + std::string(worker::fault_name(*shard.fault));
    if (!shard.coord_mutation.empty()) shard_flags += " --coord-mutation " + shard.coord_mutation;
  } else if (!fault_name.empty() || !shard.coord_mutation.empty()) {
    std::string known;
    for (const auto& n : cluster_shard::shard_workload_names()) known += (known.empty() ? "" : ", ") + n;
    std::fprintf(stderr, "squall cluster test: --fault and --coord-mutation need a shard workload (%s)\n",
                 known.c_str());
    return kExitUsage;
  } else if (workload_name != "none") {
    cluster::EtcdWorkloadOptions wo;
    wo.name = workload_name;
    wo.concurrency = concurrency;
    wo.op_timeout_ms = static_cast<int64_t>(op_timeout_s * 1000);
    wo.lease_ttl_s = lease_ttl_s;
    wo.hold_ms = hold_ms;
    wo.stale_reads = stale_reads;
    wo.seed = seed;
    auto w = cluster::make_etcd_workload(wo);
    if (!w.ok()) {
      std::fprintf(stderr, "squall cluster test: %s\n", w.error().c_str());
      return kExitUsage;
    }
    workload = std::move(w).value();
    run.workload = workload.get();
    run.concurrency = concurrency;
    run.test_name = "etcd-" + workload_name;
  } else if (stale_reads) {
    std::fprintf(stderr, "squall cluster test: --stale-reads needs --workload register\n");
    return kExitUsage;
  }
  run.cluster = *opts;
  run.etcd.binary = common.etcd;
  run.etcd.etcdctl = common.etcdctl;
  run.nemeses = *nemeses;
  run.nemesis_interval_ms = static_cast<int64_t>(interval_s * 1000);
  run.time_limit_ms = static_cast<int64_t>(time_limit_s * 1000);
  run.seed = seed;
  run.nemesis_text = nemesis_text;
  run.reproduce = reproduce_command(common, run, workload_name, nemesis_text, interval_s, time_limit_s, concurrency,
                                    op_timeout_s, lease_ttl_s, hold_ms, stale_reads, shard_flags);
  run.stop = &stop_on_signals();
  auto out = cluster::run_cluster_test(run, stdout);
  if (!out.ok()) {
    std::fprintf(stderr, "squall cluster test: %s\n", out.error().c_str());
    return kExitUnknown;
  }
  std::fputs(out->report.c_str(), stdout);
  return exit_code(out->verdict);
}

}  // namespace squall::cli
