#include "cluster/transport.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>

#include <fmt/format.h>

#include "cluster/netns.h"

namespace squall::cluster {
namespace {

class LocalTransport final : public Transport {
 public:
  explicit LocalTransport(std::string netns) : netns_(std::move(netns)), path_(netns_path(netns_)) {}

  ExecResult exec(const ExecRequest& req) override {
    // Opened in the parent (no allocation after fork), closed on exec in the child.
    int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      ExecResult r;
      r.start_failed = true;
      r.err = fmt::format("{}: namespace not found", path_);
      return r;
    }
    ExecResult r = run_command(req, [fd] { return ::setns(fd, CLONE_NEWNET) == 0; });
    ::close(fd);
    return r;
  }
  std::string describe() const override { return "local netns " + netns_; }

 private:
  std::string netns_;
  std::string path_;
};

class SshTransport final : public Transport {
 public:
  explicit SshTransport(SshOptions o) : o_(std::move(o)) {}
  ~SshTransport() override { close(); }

  void close() override {
    if (o_.control_dir.empty() || !used_.exchange(false)) return;
    ExecRequest r;
    r.argv = base_argv();
    r.argv.insert(r.argv.begin() + 1, {"-O", "exit"});
    r.argv.push_back(o_.user + "@" + o_.host);
    r.timeout_ms = 5'000;
    (void)run_command(r);
  }

  ExecResult exec(const ExecRequest& req) override {
    ExecRequest r;
    r.argv = base_argv();
    used_ = true;
    if (!o_.key.empty()) {
      r.argv.push_back("-i");
      r.argv.push_back(o_.key);
    }
    for (const auto& e : o_.extra) {
      r.argv.push_back("-o");
      r.argv.push_back(e);
    }
    r.argv.push_back(o_.user + "@" + o_.host);
    r.argv.push_back("--");
    r.argv.push_back(shell_join(req.argv));
    r.stdin_data = req.stdin_data;
    r.timeout_ms = req.timeout_ms;
    r.output_bytes_max = req.output_bytes_max;
    return run_command(r);
  }
  std::string describe() const override { return fmt::format("ssh {}@{}:{}", o_.user, o_.host, o_.port); }

 private:
  std::vector<std::string> base_argv() const {
    std::vector<std::string> a = {"ssh",
                                  "-o",
                                  "BatchMode=yes",
                                  "-o",
                                  "StrictHostKeyChecking=no",
                                  "-o",
                                  "UserKnownHostsFile=/dev/null",
                                  "-o",
                                  "LogLevel=ERROR",
                                  "-o",
                                  "ConnectTimeout=5",
                                  "-p",
                                  std::to_string(o_.port)};
    if (!o_.control_dir.empty()) {
      for (std::string opt : {std::string("ControlMaster=auto"), "ControlPath=" + o_.control_dir + "/ssh-%C",
                              std::string("ControlPersist=60")}) {
        a.push_back("-o");
        a.push_back(opt);
      }
    }
    return a;
  }

  SshOptions o_;
  std::atomic<bool> used_{false};  // a master connection may exist
};

}  // namespace

std::unique_ptr<Transport> local_transport(const std::string& netns) { return std::make_unique<LocalTransport>(netns); }

std::unique_ptr<Transport> ssh_transport(SshOptions options) {
  return std::make_unique<SshTransport>(std::move(options));
}

std::string shell_quote(const std::string& word) {
  if (!word.empty() &&
      word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") ==
          std::string::npos) {
    return word;
  }
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string shell_join(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + shell_quote(a);
  return out;
}

}  // namespace squall::cluster
