#include "cluster/network.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>

#include "cluster/exec.h"
#include "cluster/netns.h"

namespace squall::cluster {
namespace {

std::optional<uint32_t> parse_ipv4(std::string_view s) {
  uint32_t out = 0;
  int parts = 0;
  size_t pos = 0;
  while (parts < 4) {
    size_t end = s.find('.', pos);
    std::string_view part = s.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (part.empty() || part.size() > 3 || part.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::nullopt;
    }
    int v = std::stoi(std::string(part));
    if (v > 255) return std::nullopt;
    out = (out << 8) | static_cast<uint32_t>(v);
    ++parts;
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  if (parts != 4) return std::nullopt;
  return out;
}

bool overlaps(uint32_t a, int alen, uint32_t b, int blen) {
  int len = std::min(alen, blen);
  uint32_t mask = len == 0 ? 0 : ~uint32_t{0} << (32 - len);
  return (a & mask) == (b & mask);
}

// A file lock on /run/squall/cluster/.lock, held while a subnet is chosen and claimed.
class HostLock {
 public:
  HostLock() {
    std::error_code ec;
    std::filesystem::create_directories(kStateDir, ec);
    fd_ = ::open((std::string(kStateDir) + "/.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~HostLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  HostLock(const HostLock&) = delete;
  HostLock& operator=(const HostLock&) = delete;

 private:
  int fd_ = -1;
};

Status run_ok(std::vector<std::string> argv, const std::string& stdin_data = "") {
  ExecRequest req;
  req.argv = std::move(argv);
  req.stdin_data = stdin_data;
  req.timeout_ms = 10'000;
  ExecResult r = run_command(req);
  if (!r.ok()) {
    std::string cmd;
    for (const auto& a : req.argv) cmd += (cmd.empty() ? "" : " ") + a;
    return err(fmt::format("`{}` failed: {}", cmd, r.describe()));
  }
  return {};
}

}  // namespace

std::string ipv4_to_string(uint32_t a) {
  return fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

std::vector<std::pair<uint32_t, int>> parse_route_prefixes(std::string_view text) {
  std::vector<std::pair<uint32_t, int>> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    // The destination is the first word, after an optional route type.
    size_t sp = line.find(' ');
    std::string_view word = line.substr(0, sp);
    for (std::string_view type : {"unicast", "local", "broadcast", "multicast", "blackhole", "unreachable", "prohibit",
                                  "throw", "anycast", "nat"}) {
      if (word == type && sp != std::string_view::npos) {
        line = line.substr(sp + 1);
        sp = line.find(' ');
        word = line.substr(0, sp);
        break;
      }
    }
    if (word == "default") continue;
    size_t slash = word.find('/');
    int len = 32;
    if (slash != std::string_view::npos) {
      std::string_view l = word.substr(slash + 1);
      if (l.empty() || l.size() > 2 || l.find_first_not_of("0123456789") != std::string_view::npos) continue;
      len = std::stoi(std::string(l));
      if (len > 32) continue;
      word = word.substr(0, slash);
    }
    auto a = parse_ipv4(word);
    if (a) out.emplace_back(*a, len);
  }
  return out;
}

std::optional<uint32_t> choose_subnet(const std::vector<std::pair<uint32_t, int>>& used, uint32_t start) {
  // Candidates: 10.200.0.0/24 .. 10.255.255.0/24, i.e. 56 * 256 of them, walked from start.
  const uint32_t count = 56 * 256;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t k = (start + i) % count;
    uint32_t net = (10u << 24) | ((200 + k / 256) << 16) | ((k % 256) << 8);
    bool clash = false;
    for (const auto& [a, len] : used) clash = clash || (len > 0 && overlaps(net, 24, a, len));
    if (!clash) return net;
  }
  return std::nullopt;
}

Result<Network> Network::create(const std::string& tag, const std::vector<std::string>& names, StateFile* state) {
  Network net;
  net.tag_ = tag;
  net.bridge_ = "sqb" + tag;
  SQ_ASSERT_LE(net.bridge_.size(), 15u);
  HostLock lock;
  ExecResult routes = run_argv({"ip", "-4", "-o", "route", "show", "table", "all"});
  if (!routes.ok()) return err("cannot list the host's routes: " + routes.describe());
  auto used = parse_route_prefixes(routes.out);
  auto subnet = choose_subnet(used, static_cast<uint32_t>(std::hash<std::string>{}(tag) % (56 * 256)));
  if (!subnet) return err("no free private /24 under 10.200.0.0/13 for the cluster network");
  net.bridge_address_ = ipv4_to_string(*subnet + 1);
  for (size_t i = 0; i < names.size(); ++i) {
    NodeNet n;
    n.name = names[i];
    n.netns = fmt::format("squall-{}-{}", tag, names[i]);
    n.veth_host = fmt::format("sq{}h{}", tag, i);
    n.address = ipv4_to_string(*subnet + 11 + static_cast<uint32_t>(i));
    net.nodes_.push_back(n);
  }
  // Record everything first: links before the bridge so that cleanup deletes veths first.
  for (const auto& n : net.nodes_) {
    if (auto s = state->record("netns", n.netns); !s) return err(s.error());
  }
  for (const auto& n : net.nodes_) {
    if (auto s = state->record("link", n.veth_host); !s) return err(s.error());
  }
  if (auto s = state->record("link", net.bridge_); !s) return err(s.error());

  auto fail = [&](const Status& s) -> Result<Network> {
    (void)net.destroy();
    return err(s.error());
  };
  std::string host_batch = fmt::format("link add {0} type bridge\naddr add {1}/24 dev {0}\nlink set {0} up\n",
                                       net.bridge_, net.bridge_address_);
  if (auto s = run_ok({"ip", "-batch", "-"}, host_batch); !s) return fail(s);
  for (const auto& n : net.nodes_) {
    if (auto s = run_ok({"ip", "netns", "add", n.netns}); !s) return fail(s);
  }
  std::string veths;
  for (const auto& n : net.nodes_) {
    veths += fmt::format("link add {} type veth peer name eth0 netns {}\nlink set {} master {} up\n", n.veth_host,
                         n.netns, n.veth_host, net.bridge_);
  }
  if (auto s = run_ok({"ip", "-batch", "-"}, veths); !s) return fail(s);
  for (const auto& n : net.nodes_) {
    std::string inside = fmt::format("link set lo up\naddr add {}/24 dev eth0\nlink set eth0 up\n", n.address);
    if (auto s = run_ok({"ip", "-n", n.netns, "-batch", "-"}, inside); !s) return fail(s);
  }
  return net;
}

Status Network::destroy() {
  if (destroyed_) return {};
  destroyed_ = true;
  std::vector<StateRecord> recs;
  for (const auto& n : nodes_) recs.push_back({"netns", n.netns});
  for (const auto& n : nodes_) recs.push_back({"link", n.veth_host});
  recs.push_back({"link", bridge_});
  CleanupReport rep = remove_recorded(recs);
  std::string failed;
  for (const auto& f : rep.failed) failed += (failed.empty() ? "" : "; ") + f;
  for (const auto& n : nodes_) {
    if (std::filesystem::exists("/sys/class/net/" + n.veth_host)) failed += "; veth " + n.veth_host + " still present";
  }
  if (!failed.empty()) return err("network teardown: " + failed);
  return {};
}

}  // namespace squall::cluster
