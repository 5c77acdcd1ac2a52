#include "cluster_shard/split_correctness.h"

#include <algorithm>
#include <mutex>
#include <random>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "cluster/etcd_workloads.h"
#include "cluster_shard/control_client.h"
#include "cluster_shard/controlled_client.h"
#include "cluster_shard/gossip_worker_db.h"
#include "cluster_shard/shard_findings.h"
#include "coord/memory_store.h"
#include "etcd/client.h"
#include "etcd_store/record_codec.h"
#include "etcd_store/record_keys.h"
#include "history/value_json.h"
#include "sim/checker.h"
#include "worker/corpus.h"

namespace squall::cluster_shard {
namespace {

constexpr int kProbeOneIn = 6;

std::string range_json(const std::string& start, const std::string& end) {
  return fmt::format(R"(["{}","{}"])", start, end);
}

history::Value range_value(const std::string& start, const std::string& end) {
  history::Value v = history::Value::vector();
  v.push(history::Value(start));
  v.push(history::Value(end));
  return v;
}

// The shard ids the clients know of and have not seen finished with (split away or too
// small to split). Thread-safe.
class ShardPool {
 public:
  explicit ShardPool(uint32_t roots) {
    for (uint32_t i = 1; i <= roots; ++i) ids_.push_back(i);
  }
  std::optional<uint64_t> pick(std::mt19937_64& rng) {
    std::lock_guard<std::mutex> l(mu_);
    if (ids_.empty()) return std::nullopt;
    return ids_[rng() % ids_.size()];
  }
  void add(uint64_t id) {
    std::lock_guard<std::mutex> l(mu_);
    if (std::find(ids_.begin(), ids_.end(), id) == ids_.end()) ids_.push_back(id);
  }
  void remove(uint64_t id) {
    std::lock_guard<std::mutex> l(mu_);
    ids_.erase(std::remove(ids_.begin(), ids_.end(), id), ids_.end());
  }

 private:
  std::mutex mu_;
  std::vector<uint64_t> ids_;
};

// Every record of the run under `prefix`: each shard as it is, and as it was created
// (its key read at its create revision).
RunRecords read_records(etcd::Client* c, const std::string& prefix) {
  RunRecords out;
  auto run = c->range(etcd::RangeRequest{etcd_store::run_key(prefix, kShardRun), "", 1, 0, false});
  if (!run.ok() || run->kvs.size() != 1) {
    out.why = run.ok() ? "no run record" : "run record: " + describe(run.error());
    return out;
  }
  if (!etcd_store::decode_record(run->kvs[0].value, &out.run, &out.why)) return out;
  const std::string shards = etcd_store::shard_prefix(prefix, kShardRun);
  etcd::RangeRequest req{shards, etcd::prefix_end(shards), 500, run->header.revision, false};
  for (;;) {
    auto page = c->range(req);
    if (!page.ok()) {
      out.why = "shard records: " + describe(page.error());
      return out;
    }
    for (const auto& kv : page->kvs) {
      worker_audit::ShardVersions v;
      if (!etcd_store::decode_record(kv.value, &v.last, &out.why)) return out;
      auto first = c->range(etcd::RangeRequest{kv.key, "", 1, kv.create_revision, false});
      if (!first.ok() || first->kvs.size() != 1) {
        out.why = first.ok() ? "a shard's first version vanished (compacted?)" : describe(first.error());
        return out;
      }
      if (!etcd_store::decode_record(first->kvs[0].value, &v.first, &out.why)) return out;
      out.shards[v.last.id] = std::move(v);
    }
    if (!page->more || page->kvs.empty()) break;
    req.key = page->kvs.back().key + std::string(1, '\0');
  }
  out.read = true;
  return out;
}

class SplitCorrectness final : public ControlledWorkload {
 public:
  SplitCorrectness(ShardOptions o, int concurrency, uint64_t seed)
      : ControlledWorkload(std::move(o), concurrency, seed), pool_(o_.roots) {}

  Status final_phase(const std::vector<cluster::Node*>& nodes,
                     const std::function<void(workload::Op)>& record) override {
    auto client = members_client(nodes);
    workload::Op op;
    op.f = "read-records";
    op.final = true;
    record(op);
    records_ = read_records(client.get(), o_.prefix);
    op.type = records_.read ? workload::OpType::kOk : workload::OpType::kFail;
    history::Value v = history::Value::array_map();
    v.set("shards", history::Value(static_cast<int64_t>(records_.shards.size())));
    op.value = history::to_json(v);
    if (!records_.read) op.error = "[:read-failed]";
    record(op);
    return {};
  }

  history::Value check(const workload::History& history) override { return check_split_records(history, records_); }

 private:
  // 1..n sorted distinct item numbers strictly inside (lo, hi); precondition hi - lo > n.
  static std::vector<uint32_t> cuts(std::mt19937_64& rng, uint32_t lo, uint32_t hi, size_t n) {
    std::set<uint32_t> s;
    while (s.size() < n) s.insert(lo + 1 + static_cast<uint32_t>(rng() % (hi - lo - 1)));
    return {s.begin(), s.end()};
  }

  void client_loop(ClientThread& c, const std::atomic<bool>& stop) override {
    std::mt19937_64& rng = c.rng;
    while (!stop.load()) {
      const std::optional<uint64_t> shard = pool_.pick(rng);
      if (!shard) {
        nap(100, stop);
        continue;
      }
      history::Value v = history::Value::array_map();
      v.set("shard", history::Value(static_cast<int64_t>(*shard)));
      ControlAnswer got =
          c.call("acquire", fmt::format(R"({{"op_id":{},"type":"acquire","shard":{}}})", c.next_op_id(), *shard), v);
      if (got.type != workload::OpType::kOk) {
        if (got.error == "[:ShardTerminal]") pool_.remove(*shard);
        nap(20 + static_cast<int64_t>(rng() % 80), stop);
        continue;
      }
      const coord::KeyRange spec = got.result.spec;
      const uint32_t lo = key_index(spec.start, 0);
      const uint32_t hi = key_index(spec.end, o_.items);
      if (hi < lo + 3) {  // too small to cut twice: a probe needs two cut points
        pool_.remove(*shard);
        continue;
      }
      split(c, *shard, got.result.fence, spec, lo, hi);
      nap(static_cast<int64_t>(rng() % 50), stop);
    }
  }

  void split(ClientThread& c, uint64_t shard, uint64_t fence, const coord::KeyRange& spec, uint32_t lo, uint32_t hi) {
    std::mt19937_64& rng = c.rng;
    const uint64_t op_id = c.next_op_id();
    auto key = [](uint32_t i) { return worker::Corpus::key_of(i); };
    const uint64_t choice = rng() % kProbeOneIn;
    const bool probe = choice == 0;
    const bool residual = probe ? rng() % 2 == 0 : choice <= 2;
    std::vector<std::pair<std::string, std::string>> ranges;
    if (probe) {  // two halves with the items between the cuts in neither
      const auto k = cuts(rng, lo, hi, 2);
      ranges = {{spec.start, key(k[0])}, {key(k[1]), spec.end}};
    } else if (residual) {
      const auto k = cuts(rng, lo, hi, 1);
      ranges = {{spec.start, key(k[0])}, {key(k[0]), spec.end}};
    } else {
      const auto k = cuts(rng, lo, hi, std::min<size_t>(1 + rng() % 3, hi - lo - 1));
      std::string from = spec.start;
      for (uint32_t i : k) {
        ranges.emplace_back(from, key(i));
        from = key(i);
      }
      ranges.emplace_back(from, spec.end);
    }
    history::Value v = history::Value::array_map();
    v.set("shard", history::Value(static_cast<int64_t>(shard)));
    v.set("fence", history::Value(static_cast<int64_t>(fence)));
    v.set("kind", history::Value(residual ? "residual" : "replace"));
    if (probe) v.set("probe", history::Value(true));
    history::Value rs = history::Value::vector();
    for (const auto& [a, b] : ranges) rs.push(range_value(a, b));
    v.set("ranges", std::move(rs));
    std::string line = fmt::format(R"({{"op_id":{},"type":"split","shard":{},"fence":{},)", op_id, shard, fence);
    if (residual) {
      line += fmt::format(R"("parent":{},"residual":{}}})", range_json(ranges[0].first, ranges[0].second),
                          range_json(ranges[1].first, ranges[1].second));
    } else {
      line += R"("children":[)";
      for (size_t i = 0; i < ranges.size(); ++i) line += (i ? "," : "") + range_json(ranges[i].first, ranges[i].second);
      line += "]}";
    }
    ControlAnswer a = c.call("split", line, v);
    if (a.type != workload::OpType::kOk) return;
    for (coord::ShardId id : a.result.spawned) pool_.add(id);
    if (!residual) pool_.remove(shard);
  }

  ShardPool pool_;
  RunRecords records_;
};

// Every split answered ok must be in the records.
struct AckCheck {
  int64_t checks = 0;
  bool pass = true;
};

AckCheck check_acknowledged(const workload::History& h, const RunRecords& recs, ShardFindings* findings) {
  AckCheck out;
  const std::vector<int64_t> done = workload::pair_completions(h);
  for (size_t i = 0; i < h.size(); ++i) {
    const workload::Op& op = h[i];
    if (op.type != workload::OpType::kInvoke || op.f != "split" || done[i] < 0) continue;
    const workload::Op& end = h[static_cast<size_t>(done[i])];
    if (end.type != workload::OpType::kOk) continue;
    ++out.checks;
    const history::Value v = history::parse_json_value(end.value);
    const auto id = static_cast<coord::ShardId>(int_field(v, "shard"));
    const history::Value* kind = v.get("kind");
    const bool replace = kind && kind->is_string() && kind->as_string() == "replace";
    std::string missing;
    auto it = recs.shards.find(id);
    if (it == recs.shards.end()) {
      missing = "the shard has no record";
    } else if (replace && it->second.last.status != coord::ShardStatus::Split) {
      missing = fmt::format("the shard is {}, not Split", coord::to_string(it->second.last.status));
    }
    if (const history::Value* spawned = v.get("spawned"); missing.empty() && spawned) {
      for (const history::Value& s : spawned->items()) {
        auto child = recs.shards.find(static_cast<coord::ShardId>(s.as_int()));
        if (child == recs.shards.end() || child->second.first.parent != id) {
          missing = fmt::format("spawned shard {} is {}", static_cast<coord::ShardId>(s.as_int()),
                                child == recs.shards.end() ? "missing" : "not its child");
          break;
        }
      }
    }
    if (missing.empty()) continue;
    out.pass = false;
    findings->add(fmt::format("p{}'s split of shard {} was answered ok, but {}", op.process, id, missing),
                  {static_cast<int64_t>(i), done[i]}, done[i], "acknowledged split missing from the records");
  }
  return out;
}

// The first accepted probe (a split with a gap the coordinator should have refused):
// what a tiling failure points at in the report.
int64_t accepted_probe(const workload::History& h) {
  const std::vector<int64_t> done = workload::pair_completions(h);
  for (size_t i = 0; i < h.size(); ++i) {
    const workload::Op& op = h[i];
    if (op.type != workload::OpType::kInvoke || op.f != "split" || done[i] < 0) continue;
    if (h[static_cast<size_t>(done[i])].type != workload::OpType::kOk) continue;
    const history::Value inv = history::parse_json_value(op.value);  // kept: p points into it
    const history::Value* p = inv.get("probe");
    if (p && *p == history::Value(true)) return done[i];
  }
  return -1;
}

int64_t refused_probes(const workload::History& h) {
  const std::vector<int64_t> done = workload::pair_completions(h);
  int64_t n = 0;
  for (size_t i = 0; i < h.size(); ++i) {
    const workload::Op& op = h[i];
    if (op.type != workload::OpType::kInvoke || op.f != "split" || done[i] < 0) continue;
    if (h[static_cast<size_t>(done[i])].type != workload::OpType::kFail) continue;
    const history::Value inv = history::parse_json_value(op.value);  // kept: p points into it
    const history::Value* p = inv.get("probe");
    n += p && *p == history::Value(true) ? 1 : 0;
  }
  return n;
}

}  // namespace

std::unique_ptr<cluster::ClusterWorkload> make_split_correctness(const ShardOptions& options, int concurrency,
                                                                 uint64_t seed) {
  return std::make_unique<SplitCorrectness>(options, concurrency, seed);
}

history::Value check_split_records(const workload::History& h, const RunRecords& recs) {
  ShardFindings findings;
  sim::SimConfig cfg;
  sim::Stats stats;
  // Each Split shard against its children as created.
  const auto tiling = worker_audit::check_split_tiling(recs.run, recs.shards, cfg, &stats);
  // The leaves against the roots, and each record on its own, from the records as they are.
  coord::Txn load;
  load.guards.push_back(coord::Guard{recs.run.run, true, 0, 0});
  load.run_puts.push_back(recs.run);
  std::vector<coord::ShardId> ids;
  int64_t splits = 0, leaves = 0;
  for (const auto& [id, v] : recs.shards) {
    ids.push_back(id);
    load.guards.push_back(coord::Guard{recs.run.run, false, id, 0});
    load.shard_puts.push_back(v.last);
    (v.last.status == coord::ShardStatus::Split ? splits : leaves) += 1;
  }
  std::vector<sim::Violation> record_violations;
  if (recs.read) {
    coord::MemoryStore store;
    SQ_ASSERT(store.commit(load) == coord::StoreStatus::Ok);
    sim::Checker checker(cfg, nullptr, nullptr, &store, recs.run.run, &stats);
    checker.check_records(ids);
    record_violations = checker.violations();
  }
  bool children_tile = tiling.empty(), leaves_tile = true, records_ok = true;
  for (const auto& v : tiling) findings.add_line("Split children tile the parent — " + v.detail);
  for (const auto& v : record_violations) {
    const bool leaf = v.invariant == sim::Invariant::S7SplitCoverage;
    (leaf ? leaves_tile : records_ok) = false;
    findings.add_line(
        (leaf ? std::string("Leaves tile the root ranges — ") : std::string(sim::to_string(v.invariant)) + " — ") +
        v.detail);
  }
  if (!children_tile || !leaves_tile) {
    if (const int64_t probe = accepted_probe(h); probe >= 0) findings.mark(probe, "a split with a gap was accepted");
  }
  const AckCheck ack = check_acknowledged(h, recs, &findings);
  history::Value r = history::Value::array_map();
  const bool valid = children_tile && leaves_tile && records_ok && ack.pass;
  if (!recs.read) {
    r.set("valid?", history::Value::keyword("unknown"));
    r.set("reason", history::Value("the run's records could not be read back: " + recs.why));
  } else if (!valid) {
    r.set("valid?", history::Value(false));
  } else if (ack.checks == 0) {
    r.set("valid?", history::Value::keyword("unknown"));
    r.set("reason", history::Value("no split was answered ok: nothing was checked"));
  } else {
    r.set("valid?", history::Value(true));
  }
  r.set("checker", history::Value("split records read back through etcd: each Split shard's children as created tile "
                                  "it (worker_audit::check_split_tiling), the leaves tile the roots and each record "
                                  "keeps its invariants (sim::Checker::check_records), acknowledged splits recorded"));
  history::Value table = history::Value::vector();
  table.push(invariant_row("Split children tile the parent (S7)", pass_fail(children_tile), splits));
  table.push(invariant_row("Leaves tile the root ranges (S7)", pass_fail(leaves_tile), leaves));
  table.push(invariant_row("Acknowledged splits recorded", pass_fail(ack.pass), ack.checks));
  table.push(
      invariant_row("Shard records well-formed (S4, S6)", pass_fail(records_ok), static_cast<int64_t>(ids.size())));
  table.push(invariant_row("Invalid splits refused (info)", pass_fail(true), refused_probes(h)));
  findings.write(std::move(table), &r);
  r.set("shards", history::Value(static_cast<int64_t>(ids.size())));
  r.set("splits", history::Value(splits));
  r.set("acknowledged-splits", history::Value(ack.checks));
  return r;
}

}  // namespace squall::cluster_shard
