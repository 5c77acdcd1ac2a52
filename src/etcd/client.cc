#include "etcd/client.h"

#include <algorithm>
#include <charconv>
#include <thread>

#include "etcd/gateway_codec.h"

namespace squall::etcd {

const char* to_string(ErrorKind k) {
  switch (k) {
    case ErrorKind::Unavailable: return "unavailable";
    case ErrorKind::Indeterminate: return "indeterminate";
    case ErrorKind::Rejected: return "rejected";
  }
  return "?";
}

std::string describe(const EtcdError& e) {
  std::string s = to_string(e.kind);
  if (e.kind == ErrorKind::Rejected) s += " (code " + std::to_string(e.code) + ")";
  return s + ": " + e.message;
}

bool parse_endpoint(std::string_view text, std::string* host, uint16_t* port) {
  if (text.substr(0, 7) == "http://") text.remove_prefix(7);
  while (!text.empty() && text.back() == '/') text.remove_suffix(1);
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return false;
  std::string_view p = text.substr(colon + 1);
  unsigned v = 0;
  auto r = std::from_chars(p.data(), p.data() + p.size(), v);
  if (r.ec != std::errc() || r.ptr != p.data() + p.size() || v == 0 || v > 65535) return false;
  host->assign(text.substr(0, colon));
  *port = static_cast<uint16_t>(v);
  return true;
}

const char* Client::validate_options(const ClientOptions& options) {
  if (options.endpoints.empty()) return "no etcd endpoint given";
  for (const std::string& e : options.endpoints) {
    std::string h;
    uint16_t p;
    if (!parse_endpoint(e, &h, &p)) return "an etcd endpoint is not host:port";
  }
  if (options.request_timeout.count() <= 0 || options.connect_timeout.count() <= 0 ||
      options.read_attempt_timeout.count() <= 0) {
    return "etcd client time-outs must be positive";
  }
  return nullptr;
}

Client::Client(ClientOptions options) : options_(std::move(options)), rng_(options_.jitter_seed) {
  SQ_ASSERT(validate_options(options_) == nullptr);
  for (const std::string& e : options_.endpoints) {
    std::string host;
    uint16_t port = 0;
    parse_endpoint(e, &host, &port);
    conns_.push_back(std::make_unique<HttpConnection>(host, port));
  }
}

std::string Client::current_endpoint() const {
  const HttpConnection& c = *conns_[current_];
  return c.host() + ":" + std::to_string(c.port());
}

void Client::next_endpoint() { current_ = (current_ + 1) % conns_.size(); }

void Client::backoff(int round, Deadline deadline) {
  int64_t base = options_.backoff_base.count() << std::min(round, 16);
  base = std::min<int64_t>(base, options_.backoff_max.count());
  // Full range jitter in [base/2, base*3/2): clients that failed together spread out.
  int64_t wait_ms = base / 2 + static_cast<int64_t>(rng_.below(static_cast<uint64_t>(base) + 1));
  Deadline until = std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms));
  std::this_thread::sleep_until(until);
}

EtcdResult<std::string> Client::call(std::string_view path, const std::string& body, Retry retry, Deadline deadline) {
  std::string last_error = "the deadline had passed before the first attempt";
  bool sent = false;
  int failures = 0;  // attempts that ended in a retry
  int round = 0;
  const int n = static_cast<int>(conns_.size());
  // Every endpoint may be tried at once; after a full round of failures, back off.
  auto after_failure = [&] {
    next_endpoint();
    if (++failures % n == 0) backoff(round++, deadline);
  };
  for (;;) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    Deadline attempt = deadline;
    if (retry == Retry::Always) attempt = std::min(deadline, now + options_.read_attempt_timeout);
    HttpConnection& conn = *conns_[current_];
    HttpOutcome o = conn.post(path, body, now + options_.connect_timeout, attempt);
    const std::string where = " (" + current_endpoint() + ")";
    if (o.stage == HttpOutcome::Stage::Answered) {
      if (o.response.status == 200) return std::move(o.response.body);
      int code = 0;
      std::string message;
      const bool readable = gateway::decode_error(o.response.body, &code, &message);
      const bool transient = !readable || code == kGrpcUnavailable || code == kGrpcDeadlineExceeded;
      if (!readable) message = "HTTP status " + std::to_string(o.response.status) + " with an unreadable body";
      if (!transient) return EtcdError{ErrorKind::Rejected, code, message + where};
      if (retry == Retry::OnlyUnsent) {
        next_endpoint();  // a member without a leader: the next call starts elsewhere
        return EtcdError{ErrorKind::Indeterminate, code, message + where};
      }
      sent = true;
      last_error = message + where;
      after_failure();
      continue;
    }
    last_error = o.error + where;
    if (o.stage == HttpOutcome::Stage::Sent) {
      if (retry == Retry::OnlyUnsent) {
        next_endpoint();  // the next call starts elsewhere
        return EtcdError{ErrorKind::Indeterminate, 0, last_error};
      }
      sent = true;
    }
    after_failure();  // not sent, or a read that may be repeated
  }
  return EtcdError{sent ? ErrorKind::Indeterminate : ErrorKind::Unavailable, 0, "deadline passed: " + last_error};
}

template <typename T>
EtcdResult<T> Client::call_decode(std::string_view path, const std::string& body, Retry retry, Deadline deadline) {
  EtcdResult<std::string> raw = call(path, body, retry, deadline);
  if (!raw.ok()) return raw.error();
  T out{};
  std::string error;
  if (!gateway::decode(raw.value(), &out, &error)) {
    // The request was served but its answer is unreadable: the effect is unknown.
    return EtcdError{ErrorKind::Indeterminate, 0, "malformed answer from etcd: " + error};
  }
  return out;
}

EtcdResult<RangeResponse> Client::range(const RangeRequest& r, Deadline deadline) {
  return call_decode<RangeResponse>(gateway::kRangePath, gateway::encode(r), Retry::Always, deadline);
}
EtcdResult<PutResponse> Client::put(const PutRequest& r, Deadline deadline) {
  return call_decode<PutResponse>(gateway::kPutPath, gateway::encode(r), Retry::OnlyUnsent, deadline);
}
EtcdResult<DeleteResponse> Client::delete_range(const DeleteRequest& r, Deadline deadline) {
  return call_decode<DeleteResponse>(gateway::kDeletePath, gateway::encode(r), Retry::OnlyUnsent, deadline);
}
EtcdResult<TxnResponse> Client::txn(const TxnRequest& r, Deadline deadline) {
  return call_decode<TxnResponse>(gateway::kTxnPath, gateway::encode(r), Retry::OnlyUnsent, deadline);
}
EtcdResult<LeaseGrantResponse> Client::lease_grant(int64_t ttl_s, Deadline deadline) {
  return call_decode<LeaseGrantResponse>(gateway::kLeaseGrantPath, gateway::encode_lease_grant(ttl_s),
                                         Retry::OnlyUnsent, deadline);
}
EtcdResult<Header> Client::lease_revoke(int64_t id, Deadline deadline) {
  // Not retried once sent: a repeated revoke of a revoked lease answers NotFound,
  // which would misreport the first one's success.
  return call_decode<Header>(gateway::kLeaseRevokePath, gateway::encode_lease_id(id), Retry::OnlyUnsent, deadline);
}
EtcdResult<LeaseKeepAliveResponse> Client::lease_keep_alive_once(int64_t id, Deadline deadline) {
  return call_decode<LeaseKeepAliveResponse>(gateway::kLeaseKeepAlivePath, gateway::encode_lease_id(id), Retry::Always,
                                             deadline);
}
EtcdResult<LeaseTimeToLiveResponse> Client::lease_time_to_live(int64_t id, Deadline deadline) {
  return call_decode<LeaseTimeToLiveResponse>(gateway::kLeaseTimeToLivePath, gateway::encode_lease_id(id),
                                              Retry::Always, deadline);
}
EtcdResult<LockResponse> Client::lock(std::string_view name, int64_t lease, Deadline deadline) {
  return call_decode<LockResponse>(gateway::kLockPath, gateway::encode_lock(name, lease), Retry::OnlyUnsent, deadline);
}
EtcdResult<Header> Client::unlock(std::string_view key, Deadline deadline) {
  // Unlock deletes the ownership key: repeating it is harmless.
  return call_decode<Header>(gateway::kUnlockPath, gateway::encode_unlock(key), Retry::Always, deadline);
}

}  // namespace squall::etcd
