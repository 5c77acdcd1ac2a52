#include "gossip/testing/node_harness.h"

#include "proto/json_util.h"
#include "proto/message.h"

namespace squall::gossip::testing {

std::string envelope(const std::string& src, const std::string& dest, const std::string& body) {
  std::string line;
  proto::append_envelope(line, src, dest, body);
  line.pop_back();
  return line;
}

NodeHarness::NodeHarness(GossipConfig config, Faults faults, std::string self, std::vector<std::string> ids)
    : server(node, std::move(config), std::move(faults)) {
  std::string init = R"({"type":"init","msg_id":1,"node_id":)" + proto::json_string(self) + R"(,"node_ids":[)";
  for (size_t i = 0; i < ids.size(); ++i) init += (i ? "," : "") + proto::json_string(ids[i]);
  init += "]}";
  node.receive_line(envelope("c0", self, init), 0);
  node.outbox().clear();
}

std::vector<std::string> NodeHarness::drain() {
  std::vector<std::string> out;
  for (const node::Outgoing& o : node.outbox()) out.push_back(o.dest + " " + o.body);
  node.outbox().clear();
  return out;
}

std::vector<std::string> NodeHarness::deliver(const std::string& src, const std::string& body_json, int64_t now_ms) {
  node.receive_line(envelope(src, node.node_id(), body_json), now_ms);
  return drain();
}

std::vector<std::string> NodeHarness::ask(const std::string& body_json, const std::string& src, int64_t now_ms) {
  node.receive_line(envelope(src, node.node_id(), body_json), now_ms);
  std::vector<std::string> out;
  for (const node::Outgoing& o : node.outbox()) {
    if (o.dest == src) out.push_back(o.body);
  }
  node.outbox().clear();
  return out;
}

std::vector<std::string> NodeHarness::tick(int64_t now_ms) {
  node.tick(now_ms);
  return drain();
}

}  // namespace squall::gossip::testing
