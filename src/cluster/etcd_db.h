// EtcdDb: etcd (3.4, Debian's etcd-server) as the system under test, one member per
// node: data in <node dir>/data, log in <node dir>/etcd.log, pid in <node dir>/etcd.pid,
// peer port 2380 and client port 2379 on the node's address. Ready means
// `etcdctl endpoint health` succeeds against the node's own client URL, run on the node.
// Started under libfaketime (harmless: etcd is a Go binary and reads the clock without
// libc, so the clock-skew nemesis does not reach it). Not thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "cluster/db.h"

namespace squall::cluster {

struct EtcdOptions {
  std::string binary = "etcd";  // looked up in the node's PATH
  std::string etcdctl = "etcdctl";
  std::string token = "squall";  // --initial-cluster-token
};

std::unique_ptr<Db> etcd_db(EtcdOptions options = {});

// The client URL of a node, "http://<address>:2379".
std::string etcd_client_url(const Node& node);

}  // namespace squall::cluster
