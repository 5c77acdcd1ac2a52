// squall cluster on this host for real: the network and its teardown, the control
// interface through both transports (local namespaces and sshd inside them), the etcd
// lifecycle, every nemesis with its effect observed, a whole run, and SIGTERM / SIGKILL
// of the squall binary followed by cleanup. After each: no namespace, link, state file,
// temp dir, nft table or process of the run is left.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cluster/cluster.h"
#include "cluster/etcd_db.h"
#include "cluster/etcd_workloads.h"
#include "cluster/nemesis.h"
#include "cluster/netns.h"
#include "cluster/run.h"
#include "cluster/transport.h"
#include "cluster_test_support.h"
#include "core/testing/subprocess.h"
#include "history/value_json.h"

namespace squall::cluster {
namespace {

// Can `from` open a TCP connection to `to`'s etcd client port within 600 ms?
bool connects(Node& from, const Node& to) {
  ExecResult r = from.control->exec({"bash", "-c", "exec 3<>/dev/tcp/" + to.address + "/2379"}, 600);
  return r.ok();
}

// The process state once it is (or is not) 'T', polled: a queued SIGSTOP/SIGCONT takes
// effect when the process is next scheduled.
char settled_state(Node& n, int pid, bool stopped) {
  char st = '?';
  for (int i = 0; i < 400; ++i) {
    st = n.control->process_state(pid);
    if (st == '?' || (st == 'T') == stopped) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return st;
}

bool has_squall_table(Node& n) { return n.control->exec({"nft", "list", "table", "inet", "squall"}, 5000).ok(); }

std::unique_ptr<Cluster> make_cluster(std::vector<std::string> nodes = {"n1", "n2", "n3"}) {
  ClusterOptions o;
  o.nodes = std::move(nodes);
  auto c = Cluster::create(o);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error());
  return c.ok() ? std::move(*c) : nullptr;
}

// ---- running commands (no root needed) -------------------------------------------

TEST(ClusterExec, ShellQuotingSurvivesARealShell) {
  ExecResult r = run_argv({"sh", "-c", "printf '%s|' " + shell_join({"a b", "it's", "$HOME", ""})});
  EXPECT_EQ(r.out, "a b|it's|$HOME||");
}

TEST(ClusterExec, TimesOutAndKillsTheGroup) {
  ExecRequest req;
  // A marker only this test's background child carries.
  const std::string marker = "31." + std::to_string(::getpid());
  req.argv = {"sh", "-c", "sleep " + marker + " & sleep 30"};
  req.timeout_ms = 200;
  ExecResult r = run_command(req);
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.ok());
  bool left = true;
  for (int i = 0; i < 100 && left; ++i) {
    left = false;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/proc", ec)) {
      std::string cmd = slurp(e.path().string() + "/cmdline");
      for (char& c : cmd) c = c == '\0' ? ' ' : c;
      left = left || cmd.find("sleep " + marker) != std::string::npos;
    }
    if (left) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(left) << "the background child of the timed-out command survived";
}

TEST(ClusterExec, PassesStdinAndCapturesBothStreams) {
  ExecRequest req;
  req.argv = {"sh", "-c", "cat; echo oops >&2; exit 3"};
  req.stdin_data = std::string(200000, 'x');
  ExecResult r = run_command(req);
  EXPECT_EQ(r.out.size(), 200000u);
  EXPECT_EQ(r.err, "oops\n");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.describe(), "exit 3: oops");
}

TEST(ClusterExec, WithoutRootTheCommandSaysSoAndExits254) {
  std::vector<std::string> argv = {std::string(SQUALL_BINARY_DIR) + "/squall", "cluster", "test"};
  if (::geteuid() == 0) {
    argv.insert(argv.begin(), {"/usr/bin/setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"});
  }
  auto r = testing::run(argv);
  EXPECT_EQ(r.exit_code(), 254) << r.err;
  EXPECT_NE(r.err.find("needs root"), std::string::npos) << r.err;
}

// ---- the network ------------------------------------------------------------------

TEST(ClusterNetwork, NodesReachEachOtherOverTheBridgeAndTeardownLeavesNothing) {
  REQUIRE_CLUSTER_HOST();
  auto c = make_cluster();
  ASSERT_TRUE(c);
  const std::string tag = c->tag();
  EXPECT_FALSE(residue(tag).empty());
  // The state file lists every object before teardown.
  std::string state = slurp(c->state_path());
  for (auto& n : c->nodes()) {
    EXPECT_NE(state.find("netns squall-" + tag + "-" + n.name), std::string::npos) << state;
    ExecResult addr = n.control->exec({"ip", "-4", "-o", "addr", "show", "dev", "eth0"});
    EXPECT_NE(addr.out.find(n.address + "/24"), std::string::npos) << addr.out;
    ExecResult lo = n.control->exec({"ip", "-o", "link", "show", "lo"});
    EXPECT_NE(lo.out.find("UP"), std::string::npos) << lo.out;
    // Only eth0 and lo: no way out but the bridge.
    ExecResult links = n.control->exec({"ip", "-o", "link"});
    EXPECT_EQ(std::count(links.out.begin(), links.out.end(), '\n'), 2) << links.out;
  }
  // A listener in n2, reached from n1 over the bridge.
  Node& a = c->nodes()[0];
  Node& b = c->nodes()[1];
  DaemonSpec d{{"python3", "-c",
                "import socket;s=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1);"
                "s.bind(('" +
                    b.address + "',2379));s.listen();import time;time.sleep(60)"},
               {},
               b.dir,
               b.dir + "/listener.log",
               b.dir + "/listener.pid"};
  auto pid = b.control->start_daemon(d);
  ASSERT_TRUE(pid.ok()) << pid.error();
  bool reached = false;
  for (int i = 0; i < 100 && !reached; ++i) {
    reached = connects(a, b);
    if (!reached) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(reached);
  ASSERT_TRUE(c->destroy().ok());
  EXPECT_EQ(joined(residue(tag)), "");
}

TEST(ClusterNetwork, SubnetsOfConcurrentClustersDiffer) {
  REQUIRE_CLUSTER_HOST();
  auto a = make_cluster({"n1"});
  auto b = make_cluster({"n1"});
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->network()->bridge_address(), b->network()->bridge_address());
  std::string ta = a->tag(), tb = b->tag();
  a.reset();  // the destructor tears down
  b.reset();
  EXPECT_EQ(joined(residue(ta)) + joined(residue(tb)), "");
}

// ---- control, through both transports ---------------------------------------------

void control_contract(Node& n) {
  SCOPED_TRACE(n.control->transport().describe());
  ExecResult echo = n.control->exec({"sh", "-c", "echo out; echo err >&2; exit 7"});
  EXPECT_EQ(echo.out, "out\n");
  EXPECT_EQ(echo.err, "err\n");
  EXPECT_EQ(echo.exit_code, 7);
  // The command runs inside the node: its address is on eth0.
  auto ip = n.control->run({"ip", "-4", "-o", "addr", "show", "dev", "eth0"});
  ASSERT_TRUE(ip.ok()) << ip.error();
  EXPECT_NE(ip->find(n.address), std::string::npos);
  // Words with spaces and quotes arrive intact.
  auto words = n.control->run({"printf", "%s|", "a b", "it's", "$HOME"});
  ASSERT_TRUE(words.ok()) << words.error();
  EXPECT_EQ(*words, "a b|it's|$HOME|");
  // Upload and download.
  std::string local = n.dir + "/local-" + std::to_string(::getpid());
  std::ofstream(local) << "payload\n" << std::string(100000, 'z');
  ASSERT_TRUE(n.control->upload(local, n.dir + "/remote.txt").ok());
  ASSERT_TRUE(n.control->download(n.dir + "/remote.txt", local + ".back").ok());
  EXPECT_EQ(slurp(local + ".back"), slurp(local));
  // A daemon: pid, log, signals.
  DaemonSpec d{
      {"sh", "-c", "echo started $FOO; exec sleep 60"}, {"FOO=bar"}, n.dir, n.dir + "/d.log", n.dir + "/d.pid"};
  auto pid = n.control->start_daemon(d);
  ASSERT_TRUE(pid.ok()) << pid.error();
  EXPECT_TRUE(n.control->alive(*pid));
  ASSERT_TRUE(n.control->signal(*pid, "STOP").ok());
  EXPECT_EQ(settled_state(n, *pid, true), 'T');
  ASSERT_TRUE(n.control->signal(*pid, "CONT").ok());
  EXPECT_NE(settled_state(n, *pid, false), 'T');
  ASSERT_TRUE(n.control->signal(*pid, "KILL").ok());
  for (int i = 0; i < 200 && n.control->alive(*pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_FALSE(n.control->alive(*pid));
  auto log = n.control->run({"cat", n.dir + "/d.log"});
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(*log, "started bar\n");
  auto pidfile = n.control->run({"cat", n.dir + "/d.pid"});
  ASSERT_TRUE(pidfile.ok());
  EXPECT_EQ(*pidfile, std::to_string(*pid) + "\n");
  // A command that outlives its deadline is killed.
  ExecResult slow = n.control->exec({"sleep", "10"}, 300);
  EXPECT_TRUE(slow.timed_out);
}

TEST(ClusterControl, LocalTransport) {
  REQUIRE_CLUSTER_HOST();
  auto c = make_cluster({"n1"});
  ASSERT_TRUE(c);
  std::string tag = c->tag();
  control_contract(c->nodes()[0]);
  ASSERT_TRUE(c->destroy().ok());
  EXPECT_EQ(joined(residue(tag)), "");
}

// sshd in every namespace with its own config, host key and a test client key; then the
// nodes are reached only through ssh.
void start_sshd(Cluster& c, const std::string& keydir) {
  ASSERT_TRUE(run_argv({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keydir + "/client"}).ok());
  ASSERT_TRUE(run_argv({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keydir + "/host"}).ok());
  fs::create_directories("/run/sshd");
  for (auto& n : c.nodes()) {
    std::string conf = n.dir + "/sshd_config";
    std::ofstream(conf) << "ListenAddress " << n.address << "\nPort 22\nHostKey " << keydir << "/host\n"
                        << "AuthorizedKeysFile " << keydir << "/client.pub\nPermitRootLogin prohibit-password\n"
                        << "StrictModes no\nUsePAM no\nPidFile " << n.dir << "/sshd.pid\n";
    // bash, root's shell, reads ~/.bashrc for every command sshd runs; on hosts where it
    // is slow (pyenv init takes ~0.3 s) each exec pays it. sshd gets a private mount
    // namespace with an empty file over it: the host's file and mounts stay untouched,
    // and the mount ends with sshd.
    std::ofstream(n.dir + "/empty-bashrc");
    std::string sshd = "exec /usr/sbin/sshd -D -e -f " + conf;
    if (fs::exists("/root/.bashrc")) sshd = "mount --bind " + n.dir + "/empty-bashrc /root/.bashrc && " + sshd;
    DaemonSpec d{{"unshare", "-m", "--propagation", "private", "sh", "-c", sshd},
                 {},
                 n.dir,
                 n.dir + "/sshd.log",
                 n.dir + "/sshd-sh.pid"};
    auto pid = n.control->start_daemon(d);
    ASSERT_TRUE(pid.ok()) << pid.error();
  }
  for (auto& n : c.nodes()) {
    bool up = false;
    for (int i = 0; i < 200 && !up; ++i) {
      up = n.control->exec({"bash", "-c", "exec 3<>/dev/tcp/" + n.address + "/22"}, 500).ok();
      if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(up) << n.name << ": sshd did not listen: " << slurp(n.dir + "/sshd.log");
  }
}

TEST(ClusterControl, SshTransportRunsTheSameContractAndAWholeRun) {
  REQUIRE_CLUSTER_HOST();
  auto c = make_cluster({"n1", "n2", "n3"});
  ASSERT_TRUE(c);
  std::string tag = c->tag();
  std::string keydir = "/tmp/squall-cluster-" + tag + "/keys";
  fs::create_directories(keydir);
  start_sshd(*c, keydir);
  if (HasFatalFailure()) return;
  SshOptions ssh;
  ssh.key = keydir + "/client";
  c->use_ssh(ssh);
  EXPECT_EQ(c->nodes()[0].control->transport().describe(), "ssh root@" + c->nodes()[0].address + ":22");
  control_contract(c->nodes()[0]);
  // A whole `squall cluster test` in SSH mode against these hosts, as against real
  // machines: no namespaces of its own, etcd set up, a fault injected and healed, the
  // logs collected, everything removed, all through ssh.
  RunOptions o;
  o.cluster.nodes = {"n1", "n2", "n3"};
  for (auto& n : c->nodes()) o.cluster.ssh_hosts.push_back(n.address);
  o.cluster.ssh.key = ssh.key;
  o.nemeses = {"pause-random-node"};
  o.nemesis_interval_ms = 300;
  o.time_limit_ms = 700;
  o.seed = 1;
  o.store_root = "/tmp/squall-cluster-" + tag + "/store";
  std::string ssh_tag;
  char paused_state = '?';
  o.on_fault = [&](const workload::Op&, Cluster& run) {
    ssh_tag = run.tag();
    EXPECT_FALSE(run.local());
    for (auto& n : run.nodes()) {
      if (run.db()->pid(n) > 0 && n.control->process_state(run.db()->pid(n)) == 'T') paused_state = 'T';
    }
  };
  auto out = run_cluster_test(o, nullptr);
  ASSERT_TRUE(out.ok()) << out.error();
  EXPECT_EQ(out->verdict, RunVerdict::kValid) << out->summary;
  EXPECT_EQ(out->faults, 1u);
  EXPECT_EQ(paused_state, 'T');
  EXPECT_NE(slurp(out->store_dir + "/n2/etcd.log").find("etcdserver"), std::string::npos);
  ASSERT_FALSE(ssh_tag.empty());
  EXPECT_EQ(joined(residue(ssh_tag)), "");
  ASSERT_TRUE(c->destroy().ok());
  EXPECT_EQ(joined(residue(tag)), "");
}

// ---- the etcd lifecycle -----------------------------------------------------------

TEST(ClusterEtcd, SetupKillRestartOnSameDataPauseResumeCollect) {
  REQUIRE_CLUSTER_HOST();
  auto c = make_cluster();
  ASSERT_TRUE(c);
  std::string tag = c->tag();
  Status s = c->start_db(etcd_db(), 20'000);
  ASSERT_TRUE(s.ok()) << s.error();
  Db& db = *c->db();
  Node& n1 = c->nodes()[0];
  int pid = db.pid(n1);
  ASSERT_GT(pid, 0);
  auto member_before = n1.control->run({"ls", n1.dir + "/data/member"});
  ASSERT_TRUE(member_before.ok());
  ASSERT_TRUE(db.kill(n1).ok());
  EXPECT_FALSE(n1.control->alive(pid));
  EXPECT_FALSE(db.running(n1));
  ASSERT_TRUE(db.start(n1).ok());
  EXPECT_NE(db.pid(n1), pid);
  ASSERT_TRUE(db.wait_ready(n1, 20'000).ok());
  // Restarted on the same data: the WAL written before the kill is still there.
  auto wal = n1.control->run({"ls", n1.dir + "/data/member/wal"});
  ASSERT_TRUE(wal.ok());
  EXPECT_NE(wal->find(".wal"), std::string::npos);
  ASSERT_TRUE(db.pause(n1).ok());
  EXPECT_EQ(n1.control->process_state(db.pid(n1)), 'T');
  ASSERT_TRUE(db.resume(n1).ok());
  EXPECT_NE(n1.control->process_state(db.pid(n1)), 'T');
  std::string store = "/tmp/squall-cluster-" + tag + "/store";
  ASSERT_TRUE(c->collect(store).ok());
  for (auto& n : c->nodes()) {
    EXPECT_NE(slurp(store + "/" + n.name + "/etcd.log").find("etcdserver"), std::string::npos);
    EXPECT_NE(slurp(store + "/" + n.name + "/data-dir.txt").find("member"), std::string::npos);
  }
  ASSERT_TRUE(c->destroy().ok());
  EXPECT_EQ(joined(residue(tag)), "");
}

// ---- every nemesis, with its effect observed --------------------------------------

// The grudge of a start-partition op's value: drops[i] = nodes i drops.
std::vector<std::vector<size_t>> drops_of(const history::Value& v, Cluster& c) {
  std::vector<std::vector<size_t>> g(c.nodes().size());
  auto index_of = [&](const std::string& name) {
    for (auto& n : c.nodes()) {
      if (n.name == name) return n.index;
    }
    ADD_FAILURE() << "unknown node " << name;
    return size_t{0};
  };
  for (auto [k, list] : v.get("drops")->entries()) {
    for (const auto& from : list.items()) g[index_of(k.as_string())].push_back(index_of(from.as_string()));
  }
  return g;
}

bool drop(const std::vector<std::vector<size_t>>& g, size_t at, size_t from) {
  return std::find(g[at].begin(), g[at].end(), from) != g[at].end();
}

void check_partition(const std::string& name, NemesisContext& ctx, Cluster& c, Rng& rng) {
  SCOPED_TRACE(name);
  auto nem = make_nemesis(name);
  auto op = nem->start(ctx, rng);
  ASSERT_TRUE(op.ok()) << op.error();
  EXPECT_EQ(op->f, "start-partition");
  auto g = drops_of(op->value, c);
  const size_t n = g.size();
  bool saw_cut = false, saw_open = false;
  for (size_t a = 0; a < n; ++a) {
    for (size_t b = 0; b < n; ++b) {
      if (a == b) continue;
      bool cut = drop(g, a, b) || drop(g, b, a);
      if ((cut && saw_cut) || (!cut && saw_open)) continue;
      EXPECT_EQ(connects(c.nodes()[a], c.nodes()[b]), !cut)
          << c.nodes()[a].name << " -> " << c.nodes()[b].name << " " << history::to_json(op->value);
      (cut ? saw_cut : saw_open) = true;
    }
  }
  EXPECT_TRUE(saw_cut);
  if (name == "asymmetric") {
    // One way only: a dropping node has squall's table, the node it drops from has none.
    for (size_t a = 0; a < n; ++a) {
      for (size_t b : g[a]) {
        EXPECT_TRUE(has_squall_table(c.nodes()[a]));
        EXPECT_FALSE(has_squall_table(c.nodes()[b]));
      }
    }
  }
  auto healed = nem->stop(ctx);
  ASSERT_TRUE(healed.ok()) << healed.error();
  for (auto& node : c.nodes()) EXPECT_FALSE(has_squall_table(node)) << node.name;
  for (size_t a = 0; a < n; ++a) {
    for (size_t b : g[a]) EXPECT_TRUE(connects(c.nodes()[b], c.nodes()[a]));
  }
}

TEST(ClusterNemesis, EveryNemesisHasItsEffectAndHeals) {
  REQUIRE_CLUSTER_HOST();
  auto c = make_cluster();
  ASSERT_TRUE(c);
  std::string tag = c->tag();
  Status s = c->start_db(etcd_db(), 20'000);
  ASSERT_TRUE(s.ok()) << s.error();
  NemesisContext ctx{c->node_ptrs(), c->db()};
  Rng rng(2024);
  for (const char* p : {"partition-random-halves", "partition-random-node", "partition-majorities-ring",
                        "partition-bridge", "asymmetric"}) {
    check_partition(p, ctx, *c, rng);
  }
  {
    auto kill = make_nemesis("kill-random-node");
    auto op = kill->start(ctx, rng);
    ASSERT_TRUE(op.ok()) << op.error();
    int pid = static_cast<int>(op->value.get("pid")->as_int());
    Node* victim = nullptr;
    for (auto& n : c->nodes()) {
      if (n.name == op->value.get("node")->as_string()) victim = &n;
    }
    ASSERT_TRUE(victim);
    EXPECT_FALSE(victim->control->alive(pid));
    ASSERT_TRUE(kill->stop(ctx).ok());
    EXPECT_TRUE(c->db()->running(*victim));
    EXPECT_TRUE(c->db()->wait_ready(*victim, 20'000).ok());
  }
  {
    auto pause = make_nemesis("pause-random-node");
    auto op = pause->start(ctx, rng);
    ASSERT_TRUE(op.ok()) << op.error();
    Node* victim = nullptr;
    for (auto& n : c->nodes()) {
      if (n.name == op->value.get("node")->as_string()) victim = &n;
    }
    ASSERT_TRUE(victim);
    EXPECT_EQ(victim->control->process_state(c->db()->pid(*victim)), 'T');
    ASSERT_TRUE(pause->stop(ctx).ok());
    EXPECT_NE(victim->control->process_state(c->db()->pid(*victim)), 'T');
  }
  {
    // A C program (date) under the node's libfaketime sees the offset (a bump: steady; a
    // strobe: both zero and the delta over a few periods); after stop, zero again. The
    // host clock does not move.
    auto clock = make_nemesis("clock-skew");
    auto host_now = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
    auto skew_of = [&](Node& n) {
      std::vector<std::string> argv = {"env"};
      for (auto& e : faketime_env(n)) argv.push_back(e);
      argv.push_back("date");
      argv.push_back("+%s");
      auto out = n.control->run(argv);
      EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error());
      return out.ok() ? std::stoll(*out) - host_now() : 0;
    };
    auto node_named = [&](const std::string& name) -> Node& {
      for (auto& n : c->nodes()) {
        if (n.name == name) return n;
      }
      ADD_FAILURE() << name;
      return c->nodes()[0];
    };
    bool saw_bump = false, saw_strobe = false;
    for (int round = 0; round < 12 && !(saw_bump && saw_strobe); ++round) {
      auto op = clock->start(ctx, rng);
      ASSERT_TRUE(op.ok()) << op.error();
      const std::string mode = op->value.get("mode")->as_string();
      if (mode == "bump" && !saw_bump) {
        saw_bump = true;
        for (auto [node, off] : op->value.get("offsets-s")->entries()) {
          EXPECT_NEAR(static_cast<double>(skew_of(node_named(node.as_string()))), static_cast<double>(off.as_int()),
                      2.0)
              << node.as_string();
        }
      } else if (mode == "strobe" && !saw_strobe) {
        saw_strobe = true;
        Node& n = node_named(op->value.get("node")->as_string());
        const int64_t delta = op->value.get("delta-s")->as_int();
        bool saw_zero = false, saw_delta = false;
        for (int i = 0; i < 100 && !(saw_zero && saw_delta); ++i) {
          int64_t skew = skew_of(n);
          saw_zero = saw_zero || std::llabs(skew) <= 1;
          saw_delta = saw_delta || std::llabs(skew - delta) <= 1;
          std::this_thread::sleep_for(std::chrono::milliseconds(op->value.get("period-ms")->as_int() / 3));
        }
        EXPECT_TRUE(saw_zero && saw_delta) << history::to_json(op->value);
      }
      ASSERT_TRUE(clock->stop(ctx).ok());
      for (auto& n : c->nodes()) EXPECT_NEAR(static_cast<double>(skew_of(n)), 0.0, 1.0) << n.name;
    }
    EXPECT_TRUE(saw_bump && saw_strobe);
  }
  ASSERT_TRUE(c->destroy().ok());
  EXPECT_EQ(joined(residue(tag)), "");
}

// ---- a whole run -------------------------------------------------------------------

TEST(ClusterRun, CombinedScheduleWritesTheStoreAndLeavesNothing) {
  REQUIRE_CLUSTER_HOST();
  std::string store = "/tmp/squall-cluster-test-store-" + std::to_string(::getpid());
  BinaryRunGuard guard{store, ""};  // removes the store even if an assertion fails
  RunOptions o;
  o.nemeses = *parse_nemesis_list("combined");
  o.nemesis_interval_ms = 150;
  o.time_limit_ms = 1500;
  o.seed = 7;
  o.store_root = store;
  std::string tag;
  o.on_fault = [&](const workload::Op&, Cluster& c) { tag = c.tag(); };
  auto out = run_cluster_test(o, nullptr);
  ASSERT_TRUE(out.ok()) << out.error();
  EXPECT_EQ(out->verdict, RunVerdict::kValid) << out->summary;
  EXPECT_GE(out->faults, 2u);
  std::string history = slurp(out->store_dir + "/history.edn");
  EXPECT_NE(history.find(":type :info"), std::string::npos);
  EXPECT_NE(history.find(":process :nemesis"), std::string::npos);
  EXPECT_NE(history.find(":f :heal-all"), std::string::npos);
  EXPECT_NE(slurp(out->store_dir + "/jepsen.log").find("seed 7"), std::string::npos);
  EXPECT_NE(slurp(out->store_dir + "/n1/etcd.log").find("etcdserver"), std::string::npos);
  EXPECT_NE(slurp(out->store_dir + "/results.edn").find(":valid? true"), std::string::npos);
  ASSERT_FALSE(tag.empty());
  EXPECT_EQ(joined(residue(tag)), "");
}

TEST(ClusterRun, FailedSetupTearsDownWhatItMade) {
  REQUIRE_CLUSTER_HOST();
  BinaryRunGuard guard{"/tmp/squall-cluster-test-store-fail-" + std::to_string(::getpid()), random_tag()};
  RunOptions o;
  o.cluster.tag = guard.tag;
  o.etcd.binary = "squall-no-such-etcd";
  o.store_root = guard.store;
  auto out = run_cluster_test(o, nullptr);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().find("etcd binary 'squall-no-such-etcd' not found"), std::string::npos) << out.error();
  EXPECT_EQ(joined(residue(guard.tag)), "");
}

// ---- the squall binary: SIGTERM tears down; after SIGKILL, cleanup does -------------

std::string start_and_wait_ready(testing::Subprocess& p) {
  std::string tag;
  for (int i = 0; i < 50; ++i) {
    auto line = p.read_line(std::chrono::milliseconds(10'000));
    if (!line) break;
    if (line->rfind("cluster ", 0) == 0) tag = line->substr(8, 6);
    if (line->find("etcd ready") != std::string::npos) return tag;
  }
  return "";
}

std::vector<std::string> squall_test_argv(const std::string& store) {
  return {std::string(SQUALL_BINARY_DIR) + "/squall",
          "cluster",
          "test",
          "--nemesis",
          "pause-random-node,partition-random-halves",
          "--nemesis-interval",
          "0.2",
          "--time-limit",
          "60",
          "--test-seed",
          "3",
          "--store",
          store};
}

void signal_tears_down(int signo) {
  BinaryRunGuard guard{"/tmp/squall-cluster-test-store-sig" + std::to_string(signo) + "-" + std::to_string(::getpid()),
                       ""};
  auto p = testing::Subprocess::start(squall_test_argv(guard.store), {.in = testing::Stream::kNull});
  std::string tag = start_and_wait_ready(p);
  guard.tag = tag;
  ASSERT_FALSE(tag.empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  p.signal(signo);
  auto status = p.wait_for(std::chrono::milliseconds(20'000));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 2);  // interrupted: unknown
  EXPECT_EQ(joined(residue(tag)), "");
}

TEST(ClusterBinary, SigtermTearsDownInOrder) {
  REQUIRE_CLUSTER_HOST();
  signal_tears_down(SIGTERM);
}

TEST(ClusterBinary, SigintTearsDownInOrder) {
  REQUIRE_CLUSTER_HOST();
  signal_tears_down(SIGINT);
}

TEST(ClusterBinary, UpLeavesAHealthyClusterAndDownRemovesIt) {
  REQUIRE_CLUSTER_HOST();
  const std::string squall = std::string(SQUALL_BINARY_DIR) + "/squall";
  auto up = testing::run({squall, "cluster", "up", "--nodes", "a1,a2,a3"});
  ASSERT_EQ(up.exit_code(), 0) << up.out << up.err;
  ASSERT_EQ(up.out.rfind("tag ", 0), 0u) << up.out;
  BinaryRunGuard guard{"", up.out.substr(4, 6)};
  // Left running: etcd answers in a2's namespace ("a2 ADDR netns NS etcd URL" line).
  const size_t line = up.out.find("\na2 ");
  ASSERT_NE(line, std::string::npos) << up.out;
  const size_t url = up.out.find("http://", line);
  const std::string endpoint = up.out.substr(url, up.out.find('\n', url) - url);
  auto health = run_argv(
      {"ip", "netns", "exec", "squall-" + guard.tag + "-a2", "etcdctl", "--endpoints", endpoint, "endpoint", "health"});
  EXPECT_TRUE(health.ok()) << health.describe() << up.out;
  EXPECT_NE(joined(residue(guard.tag)), "");
  auto down = testing::run({squall, "cluster", "down", "--tag", guard.tag});
  EXPECT_EQ(down.exit_code(), 0) << down.out << down.err;
  EXPECT_EQ(joined(residue(guard.tag)), "");
}

TEST(ClusterBinary, CleanupRemovesEverythingAfterSigkill) {
  REQUIRE_CLUSTER_HOST();
  BinaryRunGuard guard{"/tmp/squall-cluster-test-store-kill-" + std::to_string(::getpid()), ""};
  auto p = testing::Subprocess::start(squall_test_argv(guard.store), {.in = testing::Stream::kNull});
  std::string tag = start_and_wait_ready(p);
  guard.tag = tag;
  ASSERT_FALSE(tag.empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  p.signal(SIGKILL);
  ASSERT_TRUE(p.wait_for(std::chrono::milliseconds(5000)).has_value());
  EXPECT_NE(joined(residue(tag)), "");  // squall had no chance to tear down
  auto cleanup = testing::run({std::string(SQUALL_BINARY_DIR) + "/squall", "cluster", "cleanup", "--tag", tag});
  EXPECT_EQ(cleanup.exit_code(), 0) << cleanup.out << cleanup.err;
  EXPECT_NE(cleanup.out.find("removed netns squall-" + tag + "-n1"), std::string::npos) << cleanup.out;
  EXPECT_EQ(joined(residue(tag)), "");
}

// ---- workloads against etcd --------------------------------------------------------

// A workload run through run_cluster_test with its residue checked; the store is removed.
struct WorkloadRun {
  RunOutcome out;
  std::string tag;
  std::string history, results, report;
  bool independent = false;  // independent/0/results.edn was written
  size_t ops_seen = 0;       // ops passed to RunOptions::on_op
};

WorkloadRun run_workload(const EtcdWorkloadOptions& wo, const std::string& nemeses, int64_t interval_ms,
                         int64_t time_limit_ms, uint64_t seed) {
  WorkloadRun r;
  BinaryRunGuard guard{"/tmp/squall-cluster-wl-" + wo.name + "-" + std::to_string(::getpid()), random_tag()};
  auto w = make_etcd_workload(wo);
  EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error());
  if (!w.ok()) return r;
  RunOptions o;
  o.cluster.tag = guard.tag;
  o.nemeses = *parse_nemesis_list(nemeses);
  o.nemesis_interval_ms = interval_ms;
  o.time_limit_ms = time_limit_ms;
  o.seed = seed;
  o.store_root = guard.store;
  o.workload = w->get();
  o.concurrency = wo.concurrency;
  o.nemesis_text = nemeses;
  o.reproduce = "squall cluster test …";
  std::atomic<size_t> seen{0};
  o.on_op = [&](const workload::Op&) { ++seen; };
  auto out = run_cluster_test(o, nullptr);
  r.ops_seen = seen.load();
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error());
  if (!out.ok()) return r;
  r.out = *out;
  r.tag = guard.tag;
  r.history = slurp(out->store_dir + "/history.edn");
  r.results = slurp(out->store_dir + "/results.edn");
  r.report = slurp(out->store_dir + "/report.txt");
  r.independent = fs::exists(out->store_dir + "/independent/0/results.edn");
  for (const char* f : {"timeline.html", "latency-raw.svg", "rate.svg", "jepsen.log", "results.json", "n1/etcd.log"}) {
    EXPECT_TRUE(fs::exists(out->store_dir + "/" + f)) << f;
  }
  EXPECT_EQ(joined(residue(guard.tag)), "");
  return r;
}

TEST(ClusterWorkload, RegisterUnderPartitionKillPauseIsLinearizable) {
  REQUIRE_CLUSTER_HOST();
  EtcdWorkloadOptions wo;
  wo.name = "register";
  wo.concurrency = 6;
  wo.op_timeout_ms = 1000;
  wo.seed = 5;
  WorkloadRun r = run_workload(wo, "partition-random-halves,kill-random-node,pause-random-node", 1000, 9000, 5);
  EXPECT_EQ(r.out.verdict, RunVerdict::kValid) << r.report;
  EXPECT_GE(r.out.faults, 3u);
  // Ops of every kind were recorded and checked per key under independent/.
  for (const char* f : {":f :read", ":f :write", ":f :cas", ":type :ok"})
    EXPECT_NE(r.history.find(f), std::string::npos) << f;
  EXPECT_NE(r.results.find(":model \"cas-register\""), std::string::npos) << r.results;
  EXPECT_TRUE(r.independent);
  EXPECT_EQ(r.ops_seen, static_cast<size_t>(std::count(r.history.begin(), r.history.end(), '\n')));
  EXPECT_NE(r.report.find("JEPSEN REPORT — register"), std::string::npos) << r.report;
  EXPECT_NE(r.report.find("Result: PASS"), std::string::npos) << r.report;
}

// The lock holder's member paused longer than the lease TTL: its client stalls inside
// the read-modify-write while another client gets the lock; the stalled write lands
// later and erases acknowledged elements. Fencing the write with the lock key's create
// revision stops it, on the same seed.
TEST(ClusterWorkload, LockSetLosesUpdatesUnderPausesAndFencingPreventsIt) {
  REQUIRE_CLUSTER_HOST();
  EtcdWorkloadOptions wo;
  wo.name = "lock-set";
  wo.concurrency = 6;
  wo.lease_ttl_s = 2;
  wo.hold_ms = 100;
  wo.op_timeout_ms = 8000;
  wo.seed = 11;
  // Six pauses: with two, a loaded machine once let both miss a write in flight.
  WorkloadRun r = run_workload(wo, "pause-lock-holder", 3000, 20000, 11);
  EXPECT_EQ(r.out.verdict, RunVerdict::kInvalid) << r.report;
  EXPECT_NE(r.report.find("acknowledged element(s) lost"), std::string::npos) << r.report;
  EXPECT_NE(r.report.find("overlapped an earlier hold"), std::string::npos) << r.report;
  EXPECT_NE(r.report.find("NEMESIS :info :pause"), std::string::npos) << r.report;
  EXPECT_NE(r.report.find("← VIOLATION"), std::string::npos) << r.report;
  EXPECT_NE(r.history.find("\"target\" \"lock-holder\""), std::string::npos);

  wo.name = "lock-fenced-set";
  WorkloadRun f = run_workload(wo, "pause-lock-holder", 3000, 20000, 11);
  EXPECT_EQ(f.out.verdict, RunVerdict::kValid) << f.report;
  EXPECT_NE(f.results.find(":lost-count 0"), std::string::npos) << f.results;
}

// The negative control, through the binary: reads answered from the client's memory are
// not linearizable; exit 1, and the report shows the failing op and how to reproduce.
TEST(ClusterWorkload, StaleReadsAreCaughtByTheRegisterChecker) {
  REQUIRE_CLUSTER_HOST();
  BinaryRunGuard guard{"/tmp/squall-cluster-wl-stale-" + std::to_string(::getpid()), ""};
  auto run = testing::run({std::string(SQUALL_BINARY_DIR) + "/squall", "cluster", "test", "--workload", "register",
                           "--stale-reads", "--concurrency", "6", "--nemesis", "none", "--time-limit", "3",
                           "--test-seed", "4", "--store", guard.store});
  EXPECT_EQ(run.exit_code(), 1) << run.out << run.err;
  const size_t at = run.out.find("cluster ");
  ASSERT_NE(at, std::string::npos) << run.out;
  guard.tag = run.out.substr(at + 8, 6);
  EXPECT_NE(run.out.find("JEPSEN REPORT — register"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Result: FAIL"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("is not linearizable"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("← VIOLATION: cannot be linearized"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("--workload register --concurrency 6 --op-timeout 5 --stale-reads --nemesis none"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("--test-seed 4"), std::string::npos) << run.out;
  EXPECT_EQ(joined(residue(guard.tag)), "");
}

TEST(ClusterWorkload, BadWorkloadOptionsAreUsageErrors) {
  REQUIRE_CLUSTER_HOST();
  const std::string squall = std::string(SQUALL_BINARY_DIR) + "/squall";
  auto bad = testing::run({squall, "cluster", "test", "--workload", "queue", "--time-limit", "1"});
  EXPECT_EQ(bad.exit_code(), 254);
  EXPECT_NE(bad.err.find("unknown workload 'queue'"), std::string::npos) << bad.err;
  auto stale = testing::run({squall, "cluster", "test", "--workload", "set", "--stale-reads"});
  EXPECT_EQ(stale.exit_code(), 254);
  EXPECT_NE(stale.err.find("register workload only"), std::string::npos) << stale.err;
}

}  // namespace
}  // namespace squall::cluster
