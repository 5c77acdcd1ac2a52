// set: a grow-only set of integers kept in one etcd key ("squall/set", "1,2,3"). An add
// reads the key and writes it back with the element added in a Txn that compares the
// key's mod revision with the one read, retrying a lost race up to kCasTries times
// (then :fail: nothing was written). Every add has an element of its own. After the
// final heal every node reads the set once (:final reads); set-full checks that every
// acknowledged add is in them and that nothing unexpected is.
#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include "checker/set_full.h"
#include "cluster/etcd_session.h"
#include "cluster/etcd_workloads.h"
#include "cluster/set_history.h"
#include "core/rng.h"

namespace squall::cluster {
namespace {

constexpr int kCasTries = 8;
constexpr const char* kSetKey = "squall/set";

class SetWorkload final : public ClusterWorkload {
 public:
  explicit SetWorkload(EtcdWorkloadOptions o) : o_(std::move(o)) {}
  std::string name() const override { return "set"; }

  Status run(const std::vector<Node*>& nodes, const std::atomic<bool>& stop, const RecordFn& record) override {
    run_client_threads(nodes, o_.concurrency, [&](int t, Node& node) {
      EtcdSession s(t, o_.concurrency, node, o_.op_timeout_ms, record);
      Rng rng = Rng(o_.seed).fork(fmt::format("set-{}", t));
      for (int64_t i = 0; !stop.load(); ++i) add(s, i * o_.concurrency + t, rng);
    });
    return {};
  }

  Status final_phase(const std::vector<Node*>& nodes, const RecordFn& record) override {
    for (size_t i = 0; i < nodes.size(); ++i) {
      EtcdSession s(static_cast<int>(i), o_.concurrency, *nodes[i], o_.op_timeout_ms, record);
      final_read(s, kSetKey);
    }
    return {};
  }

  history::Value check(const workload::History& h) override {
    history::Value r = checker::check_set_full(set_full_history(h, "add"));
    r.set("checker", history::Value("set-full (every acknowledged add in the final reads)"));
    add_set_anomalies(h, "add", &r);
    return r;
  }

 private:
  void add(EtcdSession& s, int64_t element, Rng& rng) {
    std::string value = std::to_string(element);
    s.invoke("add", value);
    for (int attempt = 0; attempt < kCasTries; ++attempt) {
      etcd::RangeRequest rr;
      rr.key = kSetKey;
      auto got = s.client().range(rr, s.deadline());
      if (!got.ok()) {
        s.fail(value, error_edn(got.error()));  // nothing written yet
        return;
      }
      std::vector<int64_t> elements;
      int64_t mod = 0;
      if (!got->kvs.empty()) {
        auto dec = decode_int_set(got->kvs[0].value);
        if (!dec.ok()) {
          s.fail(value, fmt::format("[:malformed {}]", quoted(dec.error())));
          return;
        }
        elements = std::move(*dec);
        mod = got->kvs[0].mod_revision;
      }
      elements.push_back(element);
      etcd::TxnRequest txn;
      txn.compares.push_back(etcd::Compare::mod_revision(kSetKey, etcd::CompareOp::Equal, mod));
      txn.success.push_back(etcd::TxnOp::make_put(kSetKey, encode_int_set(elements)));
      auto put = s.client().txn(txn, s.deadline());
      if (!put.ok()) {
        s.complete_error(put.error(), value);
        return;
      }
      if (put->succeeded) {
        s.ok(value);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(rng.range(1, 5 << std::min(attempt, 4))));
    }
    s.fail(value, "[:cas-contention]");
  }

  EtcdWorkloadOptions o_;
};

}  // namespace

std::unique_ptr<ClusterWorkload> make_set_workload(const EtcdWorkloadOptions& options) {
  return std::make_unique<SetWorkload>(options);
}

}  // namespace squall::cluster
