#include "etcd/testing/local_cluster.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "etcd/client.h"

namespace squall::etcd::testing {
namespace {

// A port the kernel had free a moment ago (bound to 127.0.0.1 and released).
uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

std::string url(uint16_t port) { return "http://127.0.0.1:" + std::to_string(port); }

}  // namespace

bool process_gone(pid_t pid) { return pid <= 0 || (::kill(pid, 0) != 0 && errno == ESRCH); }

bool LocalCluster::available(const std::string& binary) {
  return ::access(binary.c_str(), X_OK) == 0 && ::access(kSetsid, X_OK) == 0 && ::access(kSetpriv, X_OK) == 0;
}

std::unique_ptr<LocalCluster> LocalCluster::start(const LocalClusterOptions& options, std::string* error) {
  // A port found free can be taken by another test before etcd binds it; the member
  // then exits at start-up, and a fresh attempt with new ports gets past it.
  for (int attempt = 1;; ++attempt) {
    std::unique_ptr<LocalCluster> c = start_once(options, error);
    if (c != nullptr || attempt == 3 || error->find("exited during start-up") == std::string::npos) return c;
  }
}

std::unique_ptr<LocalCluster> LocalCluster::start_once(const LocalClusterOptions& options, std::string* error) {
  if (!available(options.binary)) {
    *error = options.binary + ", " + kSetsid + " or " + kSetpriv +
             " is not installed (apt-get install etcd-server util-linux)";
    return nullptr;
  }
  std::unique_ptr<LocalCluster> c(new LocalCluster(options));
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/squall-etcd-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    *error = "mkdtemp " + templ + " failed";
    return nullptr;
  }
  c->root_ = templ;
  for (int i = 0; i < options.members; ++i) {
    Member m;
    m.name = "m" + std::to_string(i);
    m.client_port = free_port();
    m.peer_port = free_port();
    m.data_dir = c->root_ + "/" + m.name;
    if (m.client_port == 0 || m.peer_port == 0) {
      *error = "no free port on 127.0.0.1";
      return nullptr;
    }
    if (!c->initial_cluster_.empty()) c->initial_cluster_ += ",";
    c->initial_cluster_ += m.name + "=" + url(m.peer_port);
    c->members_.push_back(std::move(m));
  }
  for (int i = 0; i < options.members; ++i) {
    if (!c->spawn(i, error)) return nullptr;  // the destructor cleans up
  }
  auto deadline = std::chrono::steady_clock::now() + options.ready_timeout;
  for (int i = 0; i < options.members; ++i) {
    if (!c->wait_ready(i, deadline, error)) return nullptr;
  }
  return c;
}

LocalCluster::~LocalCluster() { destroy(); }

std::string LocalCluster::endpoint(int i) const {
  return "127.0.0.1:" + std::to_string(members_[static_cast<size_t>(i)].client_port);
}

std::vector<std::string> LocalCluster::endpoints() const {
  std::vector<std::string> out;
  for (int i = 0; i < size(); ++i) out.push_back(endpoint(i));
  return out;
}

pid_t LocalCluster::pid(int i) const {
  const Member& m = members_[static_cast<size_t>(i)];
  return m.process != nullptr ? m.process->pid() : -1;
}

bool LocalCluster::spawn(int i, std::string* error) {
  Member& m = members_[static_cast<size_t>(i)];
  const std::vector<std::string> argv = {kSetsid,
                                         kSetpriv,
                                         "--pdeathsig",
                                         "KILL",
                                         "--",
                                         options_.binary,
                                         "--name=" + m.name,
                                         "--data-dir=" + m.data_dir,
                                         "--listen-client-urls=" + url(m.client_port),
                                         "--advertise-client-urls=" + url(m.client_port),
                                         "--listen-peer-urls=" + url(m.peer_port),
                                         "--initial-advertise-peer-urls=" + url(m.peer_port),
                                         "--initial-cluster=" + initial_cluster_,
                                         "--initial-cluster-state=new",
                                         "--initial-cluster-token=" + root_,
                                         "--heartbeat-interval=" + std::to_string(options_.heartbeat_ms),
                                         "--election-timeout=" + std::to_string(options_.election_ms),
                                         "--max-txn-ops=" + std::to_string(options_.max_txn_ops),
                                         "--logger=zap",
                                         "--log-outputs=" + root_ + "/" + m.name + ".log"};
  using squall::testing::Stream;
  auto p = std::make_unique<squall::testing::Subprocess>(squall::testing::Subprocess::start(
      argv, squall::testing::SubprocessOptions{.in = Stream::kNull, .out = Stream::kNull, .err = Stream::kNull}));
  if (!p->started()) {
    *error = "could not start " + options_.binary;
    return false;
  }
  m.process = std::move(p);
  return true;
}

bool LocalCluster::wait_ready(int i, std::chrono::steady_clock::time_point deadline, std::string* error) {
  ClientOptions o;
  o.endpoints = {endpoint(i)};
  o.request_timeout = std::chrono::milliseconds(500);
  o.read_attempt_timeout = std::chrono::milliseconds(500);
  Client client(o);
  std::string last = "not tried";
  while (std::chrono::steady_clock::now() < deadline) {
    Member& m = members_[static_cast<size_t>(i)];
    if (m.process == nullptr || m.process->wait_for(std::chrono::milliseconds(0)).has_value()) {
      m.process.reset();
      *error = "etcd member " + std::to_string(i) + " exited during start-up (see " + root_ + "/" + m.name + ".log)";
      return false;
    }
    auto r = client.range(RangeRequest{"squall-health", {}, 1, 0, true}, Client::in(std::chrono::milliseconds(500)));
    if (r.ok()) return true;
    last = describe(r.error());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  *error = "etcd member " + std::to_string(i) + " not ready in time: " + last;
  return false;
}

void LocalCluster::kill(int i) {
  Member& m = members_[static_cast<size_t>(i)];
  if (m.process == nullptr) return;
  // The whole group (the member leads it once setsid ran), and the process itself in
  // case it was killed before that.
  ::kill(-m.process->pid(), SIGKILL);
  m.process->signal(SIGKILL);
  m.process->wait_for(std::chrono::seconds(10));
  m.process.reset();
}

bool LocalCluster::restart(int i, std::string* error) {
  kill(i);
  if (!spawn(i, error)) return false;
  return wait_ready(i, std::chrono::steady_clock::now() + options_.ready_timeout, error);
}

void LocalCluster::destroy() {
  for (int i = 0; i < size(); ++i) kill(i);
  if (!root_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
    root_.clear();
  }
}

}  // namespace squall::etcd::testing
