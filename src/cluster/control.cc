#include "cluster/control.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace squall::cluster {

ExecResult Control::exec(std::vector<std::string> argv, int64_t timeout_ms, std::string stdin_data) {
  ExecRequest req;
  req.argv = std::move(argv);
  req.timeout_ms = timeout_ms;
  req.stdin_data = std::move(stdin_data);
  return transport_->exec(req);
}

Result<std::string> Control::run(std::vector<std::string> argv, int64_t timeout_ms, std::string stdin_data) {
  std::string cmd = shell_join(argv);
  ExecResult r = exec(std::move(argv), timeout_ms, std::move(stdin_data));
  if (!r.ok()) return err(fmt::format("{} ({}): `{}` failed: {}", node_, transport_->describe(), cmd, r.describe()));
  return std::move(r.out);
}

Result<std::string> Control::sh(const std::string& script, int64_t timeout_ms) {
  return run({"sh", "-c", script}, timeout_ms);
}

Result<int> Control::start_daemon(const DaemonSpec& spec) {
  // The background job of a non-interactive shell is not a group leader, so setsid
  // execs in place: $! is the daemon's own pid.
  std::string cmd = "setsid env";
  for (const auto& e : spec.env) cmd += " " + shell_quote(e);
  cmd += " " + shell_join(spec.argv);
  std::string script = fmt::format("cd {} && {} >>{} 2>&1 </dev/null & echo $! >{}; echo $!", shell_quote(spec.dir),
                                   cmd, shell_quote(spec.log_file), shell_quote(spec.pid_file));
  auto out = sh(script, 10'000);
  if (!out.ok()) return err(out.error());
  try {
    return std::stoi(*out);
  } catch (...) {
    return err(fmt::format("{}: starting {} printed no pid: '{}'", node_, spec.argv.at(0), *out));
  }
}

Status Control::signal(int pid, const std::string& sig) {
  auto r = run({"kill", "-" + sig, std::to_string(pid)}, 10'000);
  if (!r.ok()) return err(r.error());
  return {};
}

bool Control::alive(int pid) { return process_state(pid) != '?'; }

char Control::process_state(int pid) {
  ExecResult r = exec({"cat", fmt::format("/proc/{}/stat", pid)}, 10'000);
  if (!r.ok()) return '?';
  // "pid (comm) S ...": the state follows the last ')'.
  size_t close = r.out.rfind(')');
  if (close == std::string::npos || close + 2 >= r.out.size()) return '?';
  char state = r.out[close + 2];
  return state == 'Z' || state == 'X' ? '?' : state;
}

Status Control::upload(const std::string& local_path, const std::string& remote_path) {
  std::ifstream in(local_path, std::ios::binary);
  if (!in) return err(fmt::format("{}: cannot read", local_path));
  std::stringstream ss;
  ss << in.rdbuf();
  return write_file(remote_path, ss.str());
}

Status Control::write_file(const std::string& remote_path, const std::string& content) {
  auto r = run({"sh", "-c", "cat >\"$1\"", "sh", remote_path}, 30'000, content);
  if (!r.ok()) return err(r.error());
  return {};
}

Status Control::download(const std::string& remote_path, const std::string& local_path) {
  auto r = run({"cat", remote_path}, 30'000);
  if (!r.ok()) return err(r.error());
  std::ofstream out(local_path, std::ios::binary | std::ios::trunc);
  out << *r;
  if (!out) return err(fmt::format("{}: cannot write", local_path));
  return {};
}

}  // namespace squall::cluster
