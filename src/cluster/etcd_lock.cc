// lock, lock-set, lock-fenced-set: etcd's Lock service with the lock held by a lease of
// a short TTL, kept alive every TTL/3 by the holder's LeaseKeeper. A cycle of one client
// thread: grant a lease, :acquire the lock "squall/lock" under it (then read the
// ownership key's create revision, the fencing token), do the body, :release (unlock)
// and revoke the lease. Bodies:
//   lock             hold the lock for 0-hold_ms;
//   lock-set         :add an element to the set in "squall/lock-set": read it, add, put
//                    (plain read-modify-write, safe only under mutual exclusion), with
//                    0-hold_ms of work between the read and the write;
//   lock-fenced-set  the same, but the put is a Txn whose compare is the ownership key's
//                    create revision == the token, so a holder whose lease expired
//                    (and whose key was deleted with it) cannot write: :fail [:fenced].
// A holder stalled on a paused member keeps believing it holds the lock while its lease
// expires on the others and another client acquires it: the hazard these look for.
// Checks: lock — no two holds overlap (lock_holds.h); the set bodies — set-full over the
// final reads (lost elements mean two read-modify-writes interleaved), with the
// overlapping holds reported as the evidence.
#include <fmt/format.h>

#include <mutex>
#include <thread>

#include "cluster/etcd_session.h"
#include "cluster/etcd_workloads.h"
#include "cluster/lock_holds.h"
#include "cluster/set_history.h"
#include "core/rng.h"

namespace squall::cluster {
namespace {

constexpr const char* kLockName = "squall/lock";
constexpr const char* kSetKey = "squall/lock-set";
constexpr size_t kOverlapsListed = 10;

enum class Body { kHold, kSet, kFencedSet };

std::string hold_json(const std::string& key, int64_t rev) {
  return fmt::format(R"({{"key":{},"rev":{}}})", quoted(key), rev);
}

class LockWorkload final : public ClusterWorkload {
 public:
  explicit LockWorkload(EtcdWorkloadOptions o)
      : o_(std::move(o)),
        body_(o_.name == "lock"       ? Body::kHold
              : o_.name == "lock-set" ? Body::kSet
                                      : Body::kFencedSet) {}
  std::string name() const override { return o_.name; }
  std::string hot_node() const override {
    std::lock_guard<std::mutex> lock(holder_mu_);
    return holder_node_;
  }

  Status run(const std::vector<Node*>& nodes, const std::atomic<bool>& stop, const RecordFn& record) override {
    run_client_threads(nodes, o_.concurrency, [&](int t, Node& node) {
      EtcdSession s(t, o_.concurrency, node, o_.op_timeout_ms, record);
      LeaseKeeper keeper(node, o_.lease_ttl_s, static_cast<uint64_t>(t) + 1000);
      Rng rng = Rng(o_.seed).fork(fmt::format("{}-{}", o_.name, t));
      for (int64_t i = 0; !stop.load(); ++i) cycle(s, keeper, i * o_.concurrency + t, rng, stop);
    });
    return {};
  }

  Status final_phase(const std::vector<Node*>& nodes, const RecordFn& record) override {
    if (body_ == Body::kHold) return {};
    for (size_t i = 0; i < nodes.size(); ++i) {
      EtcdSession s(static_cast<int>(i), o_.concurrency, *nodes[i], o_.op_timeout_ms, record);
      final_read(s, kSetKey);
    }
    return {};
  }

  history::Value check(const workload::History& h) override {
    std::vector<Hold> holds = lock_holds(h);
    auto overlaps = overlapping_holds(holds);
    history::Value r = history::Value::array_map();
    if (body_ == Body::kHold) {
      r.set("valid?", history::Value(overlaps.empty()));
      r.set("checker", history::Value("mutual exclusion: no two lock holds overlap in the history"));
    } else {
      r = checker::check_set_full(set_full_history(h, "add"));
      r.set("checker", history::Value(body_ == Body::kSet
                                          ? "set-full over the final reads (a lost element: mutual exclusion failed)"
                                          : "set-full over the final reads, writes fenced by the lock's revision"));
      add_set_anomalies(h, "add", &r);
    }
    r.set("lease-ttl-s", history::Value(o_.lease_ttl_s));
    r.set("hold-count", history::Value(static_cast<int64_t>(holds.size())));
    r.set("overlap-count", history::Value(static_cast<int64_t>(overlaps.size())));
    history::Value listed = history::Value::vector();
    for (size_t i = 0; i < overlaps.size() && i < kOverlapsListed; ++i) {
      history::Value pair = history::Value::vector();
      pair.push(hold_value(holds[overlaps[i].first]));
      pair.push(hold_value(holds[overlaps[i].second]));
      listed.push(std::move(pair));
    }
    r.set("overlaps", std::move(listed));
    report_overlap(h, holds, overlaps, &r);
    return r;
  }

 private:
  void cycle(EtcdSession& s, LeaseKeeper& keeper, int64_t element, Rng& rng, const std::atomic<bool>& stop) {
    auto lease = s.client().lease_grant(o_.lease_ttl_s, s.deadline());
    if (!lease.ok()) {
      // Not an op of the history: no lock was asked for yet.
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      return;
    }
    const int64_t id = lease->id;
    keeper.keep(id);
    s.invoke("acquire", quoted(kLockName));
    auto lk = s.client().lock(kLockName, id, s.deadline());
    if (!lk.ok()) {
      s.complete_error(lk.error(), quoted(kLockName));
      drop_lease(s, keeper, id);
      return;
    }
    etcd::RangeRequest rr;
    rr.key = lk->key;
    auto own = s.client().range(rr, s.deadline());
    if (!own.ok() || own->kvs.empty()) {
      // Granted, but the fencing token is unknown (or the key is already gone): the
      // hold is not usable; give the lock back.
      s.info(quoted(kLockName), own.ok() ? "[:lock-key-gone]" : error_edn(own.error()));
      drop_lease(s, keeper, id);
      return;
    }
    const int64_t rev = own->kvs[0].create_revision;
    const std::string hold = hold_json(lk->key, rev);
    s.ok(hold);
    set_holder(s.node(), lk->key);
    if (body_ == Body::kHold) {
      std::this_thread::sleep_for(std::chrono::milliseconds(rng.range(0, o_.hold_ms)));
    } else if (!stop.load()) {
      add(s, element, lk->key, rev, rng.range(0, o_.hold_ms));
    }
    set_holder("", lk->key);
    s.invoke("release", hold);
    auto un = s.client().unlock(lk->key, s.deadline());
    if (un.ok()) {
      s.ok(hold);
    } else {
      s.complete_error(un.error(), hold);
    }
    drop_lease(s, keeper, id);
  }

  void drop_lease(EtcdSession& s, LeaseKeeper& keeper, int64_t id) {
    keeper.keep(0);
    // Best effort: an unrevoked lease expires after its TTL anyway.
    (void)s.client().lease_revoke(id, s.deadline());
  }

  void add(EtcdSession& s, int64_t element, const std::string& lock_key, int64_t rev, int64_t work_ms) {
    const std::string value = std::to_string(element);
    s.invoke("add", value);
    etcd::RangeRequest rr;
    rr.key = kSetKey;
    auto got = s.client().range(rr, s.deadline());
    if (!got.ok()) {
      s.fail(value, error_edn(got.error()));
      return;
    }
    std::vector<int64_t> elements;
    if (!got->kvs.empty()) {
      auto dec = decode_int_set(got->kvs[0].value);
      if (!dec.ok()) {
        s.fail(value, fmt::format("[:malformed {}]", quoted(dec.error())));
        return;
      }
      elements = std::move(*dec);
    }
    elements.push_back(element);
    std::this_thread::sleep_for(std::chrono::milliseconds(work_ms));
    if (body_ == Body::kSet) {
      auto put = s.client().put(etcd::PutRequest{kSetKey, encode_int_set(elements), 0}, s.deadline());
      if (put.ok()) {
        s.ok(value);
      } else {
        s.complete_error(put.error(), value);
      }
      return;
    }
    etcd::TxnRequest txn;
    txn.compares.push_back(etcd::Compare::create_revision(lock_key, etcd::CompareOp::Equal, rev));
    txn.success.push_back(etcd::TxnOp::make_put(kSetKey, encode_int_set(elements)));
    auto put = s.client().txn(txn, s.deadline());
    if (!put.ok()) {
      s.complete_error(put.error(), value);
    } else if (put->succeeded) {
      s.ok(value);
    } else {
      s.fail(value, "[:fenced]");
    }
  }

  // The overlap the report shows: for the set bodies, one whose holds contain the
  // invocation of a lost element's add when there is one; else the first.
  void report_overlap(const workload::History& h, const std::vector<Hold>& holds,
                      const std::vector<std::pair<size_t, size_t>>& overlaps, history::Value* r) const {
    history::Value anomalies = r->get("anomalies") ? *r->get("anomalies") : history::Value::vector();
    history::Value ops = r->get("anomaly-ops") ? *r->get("anomaly-ops") : history::Value::vector();
    if (overlaps.empty()) {
      r->set("anomalies", std::move(anomalies));
      r->set("anomaly-ops", std::move(ops));
      return;
    }
    auto contains = [&](size_t i, int64_t t) {
      const Hold& a = holds[overlaps[i].first];
      const Hold& b = holds[overlaps[i].second];
      return (a.start_ns <= t && t <= a.end_ns) || (b.start_ns <= t && t <= b.end_ns);
    };
    size_t chosen = 0;
    bool found = false;
    for (size_t k = 0; k < ops.items().size() && !found; ++k) {
      int64_t t = h[static_cast<size_t>(ops.items()[k].as_int())].time_ns;
      for (size_t i = 0; i < overlaps.size() && !found; ++i) {
        if (contains(i, t)) {
          chosen = i;
          found = true;
        }
      }
    }
    const Hold& a = holds[overlaps[chosen].first];
    const Hold& b = holds[overlaps[chosen].second];
    anomalies.push(fmt::format("{} lock hold(s) overlapped an earlier hold (lease TTL {} s); e.g. {}; while {}",
                               overlaps.size(), o_.lease_ttl_s, describe_hold(a), describe_hold(b)));
    if (!r->get("violation-op")) {
      r->set("violation-op", static_cast<int64_t>(b.acquired_at));
      r->set("violation-note", fmt::format("acquired while p{} still held the lock", a.process));
    }
    // Both holds with what their holders did under the lock.
    for (const Hold* x : {&a, &b}) {
      const size_t end = x->released_at >= 0 ? static_cast<size_t>(x->released_at) : h.size() - 1;
      for (size_t i = x->acquired_at; i <= end && i < h.size(); ++i) {
        if (h[i].process == x->process) ops.push(static_cast<int64_t>(i));
      }
    }
    r->set("anomalies", std::move(anomalies));
    r->set("anomaly-ops", std::move(ops));
  }

  // The holder as this client believes it: set on acquiring, cleared on releasing (only
  // by the client that set it: another may have acquired meanwhile).
  void set_holder(const std::string& node, const std::string& key) {
    std::lock_guard<std::mutex> lock(holder_mu_);
    if (!node.empty()) {
      holder_node_ = node;
      holder_key_ = key;
    } else if (holder_key_ == key) {
      holder_node_.clear();
      holder_key_.clear();
    }
  }

  EtcdWorkloadOptions o_;
  Body body_;
  mutable std::mutex holder_mu_;
  std::string holder_node_, holder_key_;
};

}  // namespace

std::unique_ptr<ClusterWorkload> make_lock_workload(const EtcdWorkloadOptions& options) {
  return std::make_unique<LockWorkload>(options);
}

}  // namespace squall::cluster
