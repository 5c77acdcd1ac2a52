#include "gossip/basic_workloads.h"

#include <string>

#include "proto/error_code.h"
#include "proto/json_util.h"

namespace squall::gossip {

Echo::Echo(node::Node& node) : node_(node) {
  node_.on("echo", [this](const node::Request& req) {
    const rapidjson::Value* echo = proto::member(req.body(), "echo");
    if (echo == nullptr) {
      node_.reply_error(req, proto::code_of(proto::ErrorCode::kMalformedRequest), "echo requires key \"echo\"");
      return;
    }
    proto::BodyWriter w("echo_ok");
    w.put_value("echo", *echo);
    node_.reply(req, w);
  });
}

UniqueIds::UniqueIds(node::Node& node, const Faults& faults) : node_(node), faults_(faults) {
  node_.on("generate", [this](const node::Request& req) {
    uint64_t n = issued_++;
    if (faults_.duplicate_ids) n /= 2;  // fault: 0,0,1,1,2,2,…
    proto::BodyWriter w("generate_ok");
    w.put("id", node_.node_id() + "-" + std::to_string(n));
    node_.reply(req, w);
  });
}

}  // namespace squall::gossip
