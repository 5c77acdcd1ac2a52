#include "cluster/state_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "cluster/exec.h"
#include "cluster/netns.h"

namespace squall::cluster {

Result<StateFile> StateFile::create(const std::string& dir, const std::string& tag) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return err(fmt::format("{}: cannot create: {}", dir, ec.message()));
  std::string path = dir + "/" + tag + ".state";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return err(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
  return StateFile(std::move(path), fd);
}

StateFile::StateFile(StateFile&& other) noexcept : path_(std::move(other.path_)), fd_(other.fd_) { other.fd_ = -1; }

StateFile::~StateFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status StateFile::record(std::string_view kind, std::string_view name) {
  SQ_ASSERT(fd_ >= 0);
  SQ_ASSERT(kind.find_first_of(" \t\n") == std::string_view::npos);
  SQ_ASSERT(name.find_first_of(" \t\n") == std::string_view::npos);
  std::string line = fmt::format("{} {}\n", kind, name);
  if (::write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size()) || ::fsync(fd_) != 0) {
    return err(fmt::format("{}: cannot write: {}", path_, std::strerror(errno)));
  }
  return {};
}

void StateFile::remove() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(path_.c_str());
}

Result<std::vector<StateRecord>> parse_state(std::string_view text, std::string_view path) {
  std::vector<StateRecord> out;
  int line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    size_t sp = line.find(' ');
    std::string_view kind = line.substr(0, sp);
    if (sp == std::string_view::npos || sp + 1 >= line.size() || line.find(' ', sp + 1) != std::string_view::npos ||
        (kind != "netns" && kind != "link" && kind != "dir")) {
      return err(fmt::format("{}:{}: expected '<netns|link|dir> <name>'", path, line_no));
    }
    out.push_back({std::string(kind), std::string(line.substr(sp + 1))});
  }
  return out;
}

namespace {

bool gone_netns(const std::string& name) { return !std::filesystem::exists("/run/netns/" + name); }

bool link_exists(const std::string& name) { return std::filesystem::exists("/sys/class/net/" + name); }

}  // namespace

CleanupReport remove_recorded(const std::vector<StateRecord>& records) {
  CleanupReport rep;
  // 1. processes inside each namespace, then the namespace.
  for (const auto& r : records) {
    if (r.kind != "netns" || gone_netns(r.name)) continue;
    for (int pid : kill_netns_processes(r.name)) rep.removed.push_back(fmt::format("process {} (in {})", pid, r.name));
    ExecResult del = run_argv({"ip", "netns", "delete", r.name}, 10'000);
    if (del.ok() || gone_netns(r.name)) {
      rep.removed.push_back("netns " + r.name);
    } else {
      rep.failed.push_back(fmt::format("netns {}: {}", r.name, del.describe()));
    }
  }
  // 2. links: host veth ends (deleting one deletes its pair; most already went with their
  // namespace), then the bridge (recorded last).
  for (const auto& r : records) {
    if (r.kind != "link") continue;
    if (!link_exists(r.name)) continue;
    ExecResult del = run_argv({"ip", "link", "delete", r.name}, 10'000);
    if (del.ok() || !link_exists(r.name)) {
      rep.removed.push_back("link " + r.name);
    } else {
      rep.failed.push_back(fmt::format("link {}: {}", r.name, del.describe()));
    }
  }
  // 3. directories, only squall's own temp dirs.
  for (const auto& r : records) {
    if (r.kind != "dir") continue;
    if (r.name.rfind("/tmp/squall-cluster-", 0) != 0 || r.name.find("..") != std::string::npos) {
      rep.failed.push_back("dir " + r.name + ": not under /tmp/squall-cluster-, left alone");
      continue;
    }
    // Processes started from the directory go first, even when the directory is gone.
    for (int pid : kill_processes_mentioning(r.name + "/")) {
      rep.removed.push_back(fmt::format("process {} (using {})", pid, r.name));
    }
    std::error_code ec;
    if (!std::filesystem::exists(r.name, ec)) continue;
    std::filesystem::remove_all(r.name, ec);
    if (ec) {
      rep.failed.push_back(fmt::format("dir {}: {}", r.name, ec.message()));
    } else {
      rep.removed.push_back("dir " + r.name);
    }
  }
  return rep;
}

CleanupReport cleanup_all(const std::string& dir) {
  CleanupReport all;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return all;
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".state") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    std::stringstream ss;
    ss << in.rdbuf();
    auto recs = parse_state(ss.str(), f);
    if (!recs.ok()) {
      all.failed.push_back(recs.error());
      continue;
    }
    CleanupReport one = remove_recorded(*recs);
    all.removed.insert(all.removed.end(), one.removed.begin(), one.removed.end());
    all.failed.insert(all.failed.end(), one.failed.begin(), one.failed.end());
    if (one.failed.empty()) ::unlink(f.c_str());
  }
  return all;
}

}  // namespace squall::cluster
