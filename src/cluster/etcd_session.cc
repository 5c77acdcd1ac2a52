#include "cluster/etcd_session.h"

#include <fmt/format.h>

namespace squall::cluster {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string error_edn(const etcd::EtcdError& e) {
  if (e.kind == etcd::ErrorKind::Rejected) return fmt::format("[:rejected {} {}]", e.code, quoted(e.message));
  return fmt::format("[:{} {}]", to_string(e.kind), quoted(e.message));
}

etcd::ClientOptions node_client_options(const Node& node, int64_t timeout_ms, uint64_t seed) {
  etcd::ClientOptions o;
  o.endpoints = {node.address + ":2379"};
  o.request_timeout = std::chrono::milliseconds(timeout_ms);
  o.connect_timeout = std::chrono::milliseconds(std::min<int64_t>(timeout_ms, 500));
  // One endpoint only: an attempt may take the whole deadline (a slow but live member).
  o.read_attempt_timeout = std::chrono::milliseconds(timeout_ms);
  o.jitter_seed = seed;
  return o;
}

EtcdSession::EtcdSession(int thread, int concurrency, const Node& node, int64_t timeout_ms, RecordFn record)
    : concurrency_(concurrency),
      process_(thread),
      node_(node.name),
      timeout_ms_(timeout_ms),
      record_(std::move(record)),
      client_(node_client_options(node, timeout_ms, static_cast<uint64_t>(thread) + 1)) {}

void EtcdSession::invoke(const std::string& f, std::string value_json) {
  f_ = f;
  workload::Op op;
  op.type = workload::OpType::kInvoke;
  op.f = f;
  op.value = std::move(value_json);
  op.process = process_;
  op.node = node_;
  op.final = final_;
  record_(std::move(op));
}

void EtcdSession::complete(workload::OpType type, std::string value_json, std::string err,
                           std::optional<int64_t> code) {
  workload::Op op;
  op.type = type;
  op.f = f_;
  op.value = std::move(value_json);
  op.process = process_;
  op.node = node_;
  op.error = std::move(err);
  op.error_code = code;
  op.final = final_;
  record_(std::move(op));
  if (type == workload::OpType::kInfo) process_ += concurrency_;
}

void EtcdSession::ok(std::string value_json) { complete(workload::OpType::kOk, std::move(value_json), ""); }

void EtcdSession::fail(std::string value_json, std::string err) {
  complete(workload::OpType::kFail, std::move(value_json), std::move(err));
}

void EtcdSession::info(std::string value_json, std::string err) {
  complete(workload::OpType::kInfo, std::move(value_json), std::move(err));
}

void EtcdSession::complete_error(const etcd::EtcdError& e, std::string value_json) {
  switch (e.kind) {
    case etcd::ErrorKind::Unavailable: complete(workload::OpType::kFail, std::move(value_json), error_edn(e)); return;
    case etcd::ErrorKind::Indeterminate: complete(workload::OpType::kInfo, std::move(value_json), error_edn(e)); return;
    case etcd::ErrorKind::Rejected:
      complete(workload::OpType::kFail, std::move(value_json), error_edn(e), e.code);
      return;
  }
}

LeaseKeeper::LeaseKeeper(const Node& node, int64_t ttl_s, uint64_t seed)
    : ttl_s_(ttl_s), client_(node_client_options(node, std::max<int64_t>(ttl_s * 1000 / 3, 200), seed)) {
  thread_ = std::thread([this] { loop(); });
}

LeaseKeeper::~LeaseKeeper() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void LeaseKeeper::keep(int64_t lease) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    lease_ = lease;
  }
  cv_.notify_all();
}

void LeaseKeeper::loop() {
  const auto period = std::chrono::milliseconds(std::max<int64_t>(ttl_s_ * 1000 / 3, 100));
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, period);
    if (stop_) break;
    int64_t lease = lease_;
    if (lease == 0) continue;
    lock.unlock();
    // A keep-alive that fails is not retried here: the lease then expires, which is
    // exactly the hazard the lock workloads look for.
    (void)client_.lease_keep_alive_once(lease, etcd::Client::in(period));
    ++sent_;
    lock.lock();
  }
}

}  // namespace squall::cluster
