// Transport: how the control node runs a command on a node. Two kinds, one interface:
// LocalTransport enters the node's network namespace on this host (setns in the child
// between fork and exec); SshTransport runs it through the OpenSSH client on a real or
// namespaced host. Everything else the harness does on a node (daemons, signals, files,
// logs) is built on exec() by Control, so both transports behave the same. Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cluster/exec.h"

namespace squall::cluster {

class Transport {
 public:
  virtual ~Transport() = default;
  // Runs req.argv on the node (argv[0] looked up in the node's PATH).
  virtual ExecResult exec(const ExecRequest& req) = 0;
  // "local netns squall-ab12cd-n1", "ssh root@10.0.0.5:22".
  virtual std::string describe() const = 0;
  // Releases what the transport keeps open between commands (an SSH master connection).
  virtual void close() {}
};

// Runs commands inside /run/netns/<netns> on this host.
std::unique_ptr<Transport> local_transport(const std::string& netns);

struct SshOptions {
  std::string host;  // address or name
  std::string user = "root";
  std::string key;  // private key file; "" = ssh's default
  int port = 22;
  std::vector<std::string> extra;  // more `-o` options, e.g. "ConnectTimeout=5"
  // When set, commands share one master connection per host (ControlMaster, socket in
  // this directory, closed by close() and ended by the master itself after 60 s idle):
  // a new SSH handshake costs a few hundred ms on a loaded host, a shared one little.
  std::string control_dir;
};

std::unique_ptr<Transport> ssh_transport(SshOptions options);

// Quotes one word for a POSIX shell: 'it'\''s'. Pure.
std::string shell_quote(const std::string& word);
// The argv joined into one shell command line, each word quoted.
std::string shell_join(const std::vector<std::string>& argv);

}  // namespace squall::cluster
