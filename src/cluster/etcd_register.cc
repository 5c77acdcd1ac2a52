// register: Jepsen's independent linearizable register against etcd. Client threads work
// in groups of up to kThreadsPerKey on one integer key at a time (etcd key
// "squall/register/<k>"); after kOpsPerKey invocations the group moves to a key nobody
// used yet, so the indeterminate ops of any one key stay few and the search stays cheap.
// Ops: read (a linearizable range; an absent key reads nil), write (put), cas (a Txn
// whose compare is the key's value == from and whose success branch puts to; a failed
// compare is :fail), over values 0-4. Values are Jepsen's independent tuples: read
// [k v], write [k v], cas [k [from to]]. The check is `squall check`'s engine (the
// lin-kv checker: cas-register per key, strict nil reads), results per key under
// independent/ in the store.
#include <fmt/format.h>

#include <charconv>
#include <map>
#include <mutex>
#include <regex>

#include "cluster/etcd_session.h"
#include "cluster/etcd_workloads.h"
#include "core/rng.h"
#include "history/edn.h"
#include "history/value_json.h"
#include "workload/workload.h"

namespace squall::cluster {
namespace {

constexpr int kThreadsPerKey = 5;
constexpr int64_t kOpsPerKey = 100;
constexpr int64_t kValueMax = 4;
constexpr size_t kContextOps = 8;  // ops of the failing key shown before the failing op

std::string etcd_key(int64_t k) { return fmt::format("squall/register/{}", k); }

class KeyAllocator {
 public:
  explicit KeyAllocator(int groups) : keys_(static_cast<size_t>(groups)), next_(groups) {
    for (size_t g = 0; g < keys_.size(); ++g) keys_[g] = {static_cast<int64_t>(g), 0};
  }
  // The key group `g`'s next op works on.
  int64_t next(int g) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& [key, used] = keys_[static_cast<size_t>(g)];
    if (used >= kOpsPerKey) {
      key = next_++;
      used = 0;
    }
    ++used;
    return key;
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<int64_t, int64_t>> keys_;  // (key, ops issued on it)
  int64_t next_;
};

// "3" -> 3; anything else (etcd holds only what we wrote) is an error.
Result<int64_t> parse_value(const std::string& s) {
  int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return err("not an integer: '" + s.substr(0, 40) + "'");
  return v;
}

class RegisterWorkload final : public ClusterWorkload {
 public:
  explicit RegisterWorkload(EtcdWorkloadOptions o) : o_(std::move(o)) {}
  std::string name() const override { return "register"; }

  Status run(const std::vector<Node*>& nodes, const std::atomic<bool>& stop, const RecordFn& record) override {
    int groups = (o_.concurrency + kThreadsPerKey - 1) / kThreadsPerKey;
    KeyAllocator keys(groups);
    run_client_threads(nodes, o_.concurrency, [&](int t, Node& node) {
      EtcdSession s(t, o_.concurrency, node, o_.op_timeout_ms, record);
      Rng rng = Rng(o_.seed).fork(fmt::format("register-{}", t));
      std::map<int64_t, int64_t> seen;  // stale_reads: the last value this thread saw per key
      while (!stop.load()) {
        int64_t k = keys.next(t / kThreadsPerKey);
        switch (rng.below(3)) {
          case 0: read(s, k, &seen); break;
          case 1: write(s, k, rng.range(0, kValueMax), &seen); break;
          default: cas(s, k, rng.range(0, kValueMax), rng.range(0, kValueMax), &seen); break;
        }
      }
    });
    return {};
  }

  Status final_phase(const std::vector<Node*>&, const RecordFn&) override { return {}; }

  history::Value check(const workload::History& h) override {
    auto lin = workload::make_workload("lin-kv");
    SQ_ASSERT(lin.ok());
    history::Value r = (*lin)->check(h, workload::CheckContext{});
    r.set("checker", history::Value("linearizability: cas-register per key (squall check's engine)"));
    // One line per invalid key (the engine's own report lines list keys in key order, so
    // the keys left unsearched after the first invalid one could crowd it out).
    history::Value anomalies = history::Value::vector();
    if (const history::Value* failures = r.get("failures"); failures && r.get("results")) {
      for (const auto& key : failures->items()) {
        for (const auto& [k, kr] : r.get("results")->entries()) {
          if (k != key) continue;
          const history::Value* op = kr.get("failing-op");
          anomalies.push(
              fmt::format("key {} is not linearizable{}; see independent/{}/results.edn", history::to_edn(key),
                          op && op->is_string() ? ": cannot linearize " + op->as_string() : "", history::to_edn(key)));
        }
      }
    }
    r.set("anomalies", std::move(anomalies));
    history::Value ops = anomaly_ops(h, r);
    r.set("anomaly-ops", std::move(ops));
    return r;
  }

 private:
  void read(EtcdSession& s, int64_t k, std::map<int64_t, int64_t>* seen) {
    s.invoke("read", fmt::format("[{},null]", k));
    if (o_.stale_reads) {
      if (auto it = seen->find(k); it != seen->end()) {
        s.ok(fmt::format("[{},{}]", k, it->second));
        return;
      }
    }
    etcd::RangeRequest req;
    req.key = etcd_key(k);
    auto r = s.client().range(req, s.deadline());
    if (!r.ok()) {
      // A read changes nothing: whatever went wrong, it did not happen.
      s.fail(fmt::format("[{},null]", k), error_edn(r.error()));
      return;
    }
    if (r->kvs.empty()) {
      s.ok(fmt::format("[{},null]", k));
      return;
    }
    auto v = parse_value(r->kvs[0].value);
    if (!v.ok()) {
      s.info(fmt::format("[{},null]", k), fmt::format("[:malformed {}]", quoted(v.error())));
      return;
    }
    (*seen)[k] = *v;
    s.ok(fmt::format("[{},{}]", k, *v));
  }

  void write(EtcdSession& s, int64_t k, int64_t v, std::map<int64_t, int64_t>* seen) {
    std::string value = fmt::format("[{},{}]", k, v);
    s.invoke("write", value);
    auto r = s.client().put(etcd::PutRequest{etcd_key(k), std::to_string(v), 0}, s.deadline());
    if (!r.ok()) {
      seen->erase(k);
      s.complete_error(r.error(), value);
      return;
    }
    (*seen)[k] = v;
    s.ok(value);
  }

  void cas(EtcdSession& s, int64_t k, int64_t from, int64_t to, std::map<int64_t, int64_t>* seen) {
    std::string value = fmt::format("[{},[{},{}]]", k, from, to);
    s.invoke("cas", value);
    etcd::TxnRequest txn;
    txn.compares.push_back(etcd::Compare::value_is(etcd_key(k), etcd::CompareOp::Equal, std::to_string(from)));
    txn.success.push_back(etcd::TxnOp::make_put(etcd_key(k), std::to_string(to)));
    auto r = s.client().txn(txn, s.deadline());
    if (!r.ok()) {
      seen->erase(k);
      s.complete_error(r.error(), value);
      return;
    }
    if (!r->succeeded) {
      s.fail(value, "[:compare-failed]");
      return;
    }
    (*seen)[k] = to;
    s.ok(value);
  }

  // The failing op of each invalid key (the engine names it "#<n>", n counting client
  // ops only) and the ops of that key just before it, as store history indices.
  static history::Value anomaly_ops(const workload::History& h, history::Value& r) {
    history::Value out = history::Value::vector();
    const history::Value* results = r.get("results");
    const history::Value* failures = r.get("failures");
    if (!results || !failures) return out;
    std::vector<size_t> client;  // client op n -> history index
    for (size_t i = 0; i < h.size(); ++i) {
      if (h[i].process != workload::kNemesisProcess) client.push_back(i);
    }
    static const std::regex kOpRef("^#([0-9]+) ");
    for (const auto& key : failures->items()) {
      const history::Value* kr = nullptr;
      for (const auto& [k, v] : results->entries()) {
        if (k == key) kr = &v;
      }
      const history::Value* fop = kr ? kr->get("failing-op") : nullptr;
      std::smatch m;
      if (!fop || !std::regex_search(fop->as_string(), m, kOpRef)) continue;
      size_t n = std::stoul(m[1].str());
      if (n >= client.size()) continue;
      size_t at = client[n];
      std::string prefix = fmt::format("[{},", key.as_int());
      std::vector<size_t> shown;
      for (size_t i = at + 1; i-- > 0 && shown.size() < 2 * kContextOps;) {
        if (h[i].process == workload::kNemesisProcess) continue;
        if (h[i].value.rfind(prefix, 0) == 0) shown.push_back(i);
      }
      // Its completion too.
      for (size_t i = at + 1; i < h.size(); ++i) {
        if (h[i].process == h[at].process && h[i].type != workload::OpType::kInvoke) {
          shown.push_back(i);
          break;
        }
      }
      for (size_t i : shown) out.push(static_cast<int64_t>(i));
      r.set("violation-op", static_cast<int64_t>(at));
      r.set("violation-note", "cannot be linearized");
      break;  // one key is enough for the report
    }
    return out;
  }

  EtcdWorkloadOptions o_;
};

}  // namespace

std::unique_ptr<ClusterWorkload> make_register_workload(const EtcdWorkloadOptions& options) {
  return std::make_unique<RegisterWorkload>(options);
}

}  // namespace squall::cluster
