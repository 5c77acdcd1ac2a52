#include "cluster/nemesis.h"

#include <algorithm>

#include <fmt/format.h>

#include "cluster/grudge.h"

namespace squall::cluster {

using history::Value;

namespace {

Value node_list(const NemesisContext& ctx, const std::vector<size_t>& idx) {
  Value v = Value::vector();
  for (size_t i : idx) v.push(Value(ctx.nodes[i]->name));
  return v;
}

// ---- partitions -------------------------------------------------------------------

class PartitionNemesis final : public Nemesis {
 public:
  using Shape = Grudge (*)(size_t, Rng&);
  PartitionNemesis(std::string name, Shape shape) : name_(std::move(name)), shape_(shape) {}

  std::string name() const override { return name_; }
  std::string start_f() const override { return "start-partition"; }
  std::string stop_f() const override { return "stop-partition"; }

  Result<FaultOp> start(NemesisContext& ctx, Rng& rng) override {
    const size_t n = ctx.nodes.size();
    if (n < 2 || (name_ == "partition-bridge" && n < 3)) {
      return err(fmt::format("{} needs at least {} nodes", name_, name_ == "partition-bridge" ? 3 : 2));
    }
    Grudge g = shape_(n, rng);
    if (auto s = apply_grudge(ctx, g); !s) return err(s.error());
    // {:kind partition-random-halves, :drops {"n1" ["n2"], ...}}: node <- sources it drops.
    Value drops = Value::array_map();
    for (size_t i = 0; i < n; ++i) drops.set(Value(ctx.nodes[i]->name), node_list(ctx, g[i]));
    Value v = Value::array_map();
    v.set("kind", Value::keyword(name_));
    v.set("drops", std::move(drops));
    return FaultOp{start_f(), std::move(v)};
  }

  Result<FaultOp> stop(NemesisContext& ctx) override {
    if (auto s = heal_network(ctx); !s) return err(s.error());
    return FaultOp{stop_f(), Value::keyword("network-healed")};
  }

  Status heal_all(NemesisContext& ctx) override { return heal_network(ctx); }

 private:
  std::string name_;
  Shape shape_;
};

// ---- process faults ---------------------------------------------------------------

class KillNemesis final : public Nemesis {
 public:
  std::string name() const override { return "kill-random-node"; }
  std::string start_f() const override { return "kill"; }
  std::string stop_f() const override { return "start"; }

  Result<FaultOp> start(NemesisContext& ctx, Rng& rng) override {
    if (!ctx.db) return err("kill-random-node needs a DB");
    Node* n = ctx.nodes[rng.below(ctx.nodes.size())];
    int pid = ctx.db->pid(*n);
    if (auto s = ctx.db->kill(*n); !s) return err(s.error());
    killed_.push_back(n);
    Value v = Value::array_map();
    v.set("node", Value(n->name));
    v.set("pid", Value(static_cast<int64_t>(pid)));
    v.set("signal", Value::keyword("SIGKILL"));
    return FaultOp{start_f(), std::move(v)};
  }

  Result<FaultOp> stop(NemesisContext& ctx) override {
    Value started = Value::vector();
    for (Node* n : killed_) {
      if (auto s = ctx.db->start(*n); !s) return err(s.error());
      started.push(Value(n->name));
    }
    killed_.clear();
    return FaultOp{stop_f(), std::move(started)};
  }

  Status heal_all(NemesisContext& ctx) override {
    killed_.clear();
    if (!ctx.db) return {};
    for (Node* n : ctx.nodes) {
      if (!ctx.db->running(*n)) {
        if (auto s = ctx.db->start(*n); !s) return s;
      }
    }
    return {};
  }

 private:
  std::vector<Node*> killed_;
};

// pause-random-node; or pause-lock-holder, which pauses the member the client holding
// the lock talks to (ctx.hot_node), as Jepsen pauses a DB process under a lock holder:
// the holder stalls while its lease expires on the other members. Without a holder it
// pauses a random node, and its op says which it did.
class PauseNemesis final : public Nemesis {
 public:
  explicit PauseNemesis(bool holder) : holder_(holder) {}
  std::string name() const override { return holder_ ? "pause-lock-holder" : "pause-random-node"; }
  std::string start_f() const override { return "pause"; }
  std::string stop_f() const override { return "resume"; }

  Result<FaultOp> start(NemesisContext& ctx, Rng& rng) override {
    if (!ctx.db) return err(name() + " needs a DB");
    Node* n = ctx.nodes[rng.below(ctx.nodes.size())];
    std::string target = "random";
    if (holder_) {
      const std::string hot = ctx.hot_node ? ctx.hot_node() : "";
      for (Node* x : ctx.nodes) {
        if (x->name == hot) {
          n = x;
          target = "lock-holder";
        }
      }
      if (target == "random") target = "random (no lock holder)";
    }
    if (auto s = ctx.db->pause(*n); !s) return err(s.error());
    paused_.push_back(n);
    Value v = Value::array_map();
    v.set("node", Value(n->name));
    v.set("pid", Value(static_cast<int64_t>(ctx.db->pid(*n))));
    v.set("signal", Value::keyword("SIGSTOP"));
    if (holder_) v.set("target", Value(target));
    return FaultOp{start_f(), std::move(v)};
  }

  Result<FaultOp> stop(NemesisContext& ctx) override {
    Value resumed = Value::vector();
    for (Node* n : paused_) {
      if (auto s = ctx.db->resume(*n); !s) return err(s.error());
      resumed.push(Value(n->name));
    }
    paused_.clear();
    return FaultOp{stop_f(), std::move(resumed)};
  }

  Status heal_all(NemesisContext& ctx) override {
    paused_.clear();
    if (!ctx.db) return {};
    for (Node* n : ctx.nodes) {
      if (ctx.db->running(*n)) (void)ctx.db->resume(*n);  // SIGCONT to a running process is harmless
    }
    return {};
  }

 private:
  bool holder_;
  std::vector<Node*> paused_;
};

// ---- clock ------------------------------------------------------------------------

class ClockNemesis final : public Nemesis {
 public:
  std::string name() const override { return "clock-skew"; }
  std::string start_f() const override { return "bump-clock"; }
  std::string stop_f() const override { return "reset-clock"; }

  Result<FaultOp> start(NemesisContext& ctx, Rng& rng) override {
    Value v = Value::array_map();
    if (rng.chance(1, 2)) {
      // Bump: a random non-empty subset of nodes, each shifted by ±(1..300) s.
      v.set("mode", Value::keyword("bump"));
      Value offsets = Value::array_map();
      std::vector<size_t> idx(ctx.nodes.size());
      for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
      rng.shuffle(idx.begin(), idx.end());
      const size_t count = 1 + rng.below(idx.size());
      std::sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(count));
      for (size_t k = 0; k < count; ++k) {
        Node* n = ctx.nodes[idx[k]];
        int64_t secs = rng.range(1, 300) * (rng.chance(1, 2) ? 1 : -1);
        if (auto s = n->control->write_file(n->faketime_file(), fmt::format("{:+}s\n", secs)); !s)
          return err(s.error());
        offsets.set(Value(n->name), Value(secs));
      }
      v.set("offsets-s", std::move(offsets));
    } else {
      // Strobe: one node's clock flips between +0 and +delta every period until stop, by a
      // small shell loop on the node rewriting its FAKETIME file (pid in strobe.pid).
      Node* n = ctx.nodes[rng.below(ctx.nodes.size())];
      const int64_t delta = rng.range(5, 300) * (rng.chance(1, 2) ? 1 : -1);
      const int64_t period_ms = rng.range(20, 200);
      DaemonSpec d;
      const std::string f = n->faketime_file();
      d.argv = {
          "sh", "-c",
          fmt::format("while :; do echo {:+}s >{}.tmp && mv {}.tmp {}; sleep {}; echo +0 >{}.tmp && mv {}.tmp {}; "
                      "sleep {}; done",
                      delta, f, f, f, static_cast<double>(period_ms) / 1000.0, f, f, f,
                      static_cast<double>(period_ms) / 1000.0)};
      d.dir = n->dir;
      d.log_file = n->dir + "/strobe.log";
      d.pid_file = n->dir + "/strobe.pid";
      auto pid = n->control->start_daemon(d);
      if (!pid.ok()) return err(pid.error());
      v.set("mode", Value::keyword("strobe"));
      v.set("node", Value(n->name));
      v.set("delta-s", Value(delta));
      v.set("period-ms", Value(period_ms));
    }
    v.set("reaches", Value("processes reading the clock through libc under libfaketime; not Go binaries (etcd)"));
    return FaultOp{start_f(), std::move(v)};
  }

  Result<FaultOp> stop(NemesisContext& ctx) override {
    if (auto s = heal_all(ctx); !s) return err(s.error());
    return FaultOp{stop_f(), Value::keyword("all")};
  }

  // Stops any strobe (found by its pid file, so a fresh instance heals too), then sets
  // every node's offset back to zero.
  Status heal_all(NemesisContext& ctx) override {
    for (Node* n : ctx.nodes) {
      const std::string pidfile = n->dir + "/strobe.pid";
      auto r =
          n->control->run({"sh", "-c", "if [ -f \"$1\" ]; then kill -9 \"$(cat \"$1\")\" 2>/dev/null; rm -f \"$1\"; fi",
                           "sh", pidfile});
      if (!r.ok()) return err(r.error());
      if (auto s = n->control->write_file(n->faketime_file(), "+0\n"); !s) return s;
    }
    return {};
  }
};

}  // namespace

const std::vector<std::string>& nemesis_names() {
  static const std::vector<std::string> names = {
      "partition-random-halves", "partition-random-node", "partition-majorities-ring", "partition-bridge", "asymmetric",
      "kill-random-node",        "pause-random-node",     "pause-lock-holder",         "clock-skew"};
  return names;
}

Result<std::vector<std::string>> parse_nemesis_list(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty() || text == "none") return out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    std::string one = text.substr(pos, end - pos);
    pos = end + 1;
    if (one == "combined") {
      for (const auto& n : nemesis_names()) {
        if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
      }
      continue;
    }
    const auto& all = nemesis_names();
    if (std::find(all.begin(), all.end(), one) == all.end()) {
      std::string names;
      for (const auto& n : all) names += " " + n;
      return err(fmt::format("--nemesis: unknown nemesis '{}' (known:{} combined none)", one, names));
    }
    if (std::find(out.begin(), out.end(), one) == out.end()) out.push_back(one);
  }
  return out;
}

std::unique_ptr<Nemesis> make_nemesis(const std::string& name) {
  if (name == "partition-random-halves") return std::make_unique<PartitionNemesis>(name, &random_halves);
  if (name == "partition-random-node") return std::make_unique<PartitionNemesis>(name, &random_node);
  if (name == "partition-majorities-ring") return std::make_unique<PartitionNemesis>(name, &majorities_ring);
  if (name == "partition-bridge") return std::make_unique<PartitionNemesis>(name, &bridge);
  if (name == "asymmetric") return std::make_unique<PartitionNemesis>(name, &one_way_halves);
  if (name == "kill-random-node") return std::make_unique<KillNemesis>();
  if (name == "pause-random-node") return std::make_unique<PauseNemesis>(false);
  if (name == "pause-lock-holder") return std::make_unique<PauseNemesis>(true);
  if (name == "clock-skew") return std::make_unique<ClockNemesis>();
  SQ_UNREACHABLE(name.c_str());
}

std::string nft_heal_script() {
  // `add` first so that the delete succeeds whether or not the table exists.
  return "add table inet squall\ndelete table inet squall\n";
}

std::string nft_drop_script(const std::vector<std::string>& sources) {
  std::string s = nft_heal_script();
  s += "table inet squall {\n  chain input {\n    type filter hook input priority 0; policy accept;\n";
  if (!sources.empty()) {
    std::string set;
    for (const auto& a : sources) set += (set.empty() ? "" : ", ") + a;
    s += fmt::format("    ip saddr {{ {} }} drop\n", set);
  }
  s += "  }\n}\n";
  return s;
}

Status apply_grudge(NemesisContext& ctx, const std::vector<std::vector<size_t>>& grudge) {
  SQ_ASSERT_EQ(grudge.size(), ctx.nodes.size());
  for (size_t i = 0; i < grudge.size(); ++i) {
    std::vector<std::string> sources;
    for (size_t j : grudge[i]) sources.push_back(ctx.nodes[j]->address);
    std::string script = sources.empty() ? nft_heal_script() : nft_drop_script(sources);
    auto r = ctx.nodes[i]->control->run({"nft", "-f", "-"}, 10'000, script);
    if (!r.ok()) return err(r.error());
  }
  return {};
}

Status heal_network(NemesisContext& ctx) {
  for (Node* n : ctx.nodes) {
    auto r = n->control->run({"nft", "-f", "-"}, 10'000, nft_heal_script());
    if (!r.ok()) return err(r.error());
  }
  return {};
}

}  // namespace squall::cluster
