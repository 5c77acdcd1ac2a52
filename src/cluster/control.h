// Control: what the harness does on one node, in the spirit of Jepsen's control — run a
// command, start and stop a daemon (pid file, log file), send a signal, upload and
// download a file — all built on its Transport's exec(), so the local and SSH transports
// share every line of it. Thread-safe when the transport is (both are).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cluster/transport.h"
#include "core/result.h"

namespace squall::cluster {

struct DaemonSpec {
  std::vector<std::string> argv;  // argv[0] looked up in the node's PATH
  std::vector<std::string> env;   // extra "KEY=VALUE" entries
  std::string dir;                // working directory (must exist)
  std::string log_file;           // stdout and stderr, appended
  std::string pid_file;           // written with the daemon's pid
};

class Control {
 public:
  Control(std::string node, std::unique_ptr<Transport> transport)
      : node_(std::move(node)), transport_(std::move(transport)) {}

  const std::string& node() const { return node_; }
  Transport& transport() { return *transport_; }

  ExecResult exec(std::vector<std::string> argv, int64_t timeout_ms = 30'000, std::string stdin_data = "");
  // exec() that turns a non-zero exit into an error naming the node and the command.
  Result<std::string> run(std::vector<std::string> argv, int64_t timeout_ms = 30'000, std::string stdin_data = "");
  // `sh -c script`.
  Result<std::string> sh(const std::string& script, int64_t timeout_ms = 30'000);

  // Starts the daemon in its own session (it survives the shell that started it, and a
  // signal to its group reaches only it); returns its pid.
  Result<int> start_daemon(const DaemonSpec& spec);
  // kill -<signal> pid; `signal` is a name ("KILL", "STOP", "CONT", "TERM").
  Status signal(int pid, const std::string& signal);
  bool alive(int pid);
  // The process state letter from /proc/<pid>/stat ('R', 'S', 'T' = stopped, ...); '?' if
  // there is no such process.
  char process_state(int pid);

  Status upload(const std::string& local_path, const std::string& remote_path);
  Status write_file(const std::string& remote_path, const std::string& content);
  Status download(const std::string& remote_path, const std::string& local_path);

 private:
  std::string node_;
  std::unique_ptr<Transport> transport_;
};

}  // namespace squall::cluster
