// Service: a built-in Maelstrom service node (lin-kv, seq-kv, lww-kv, lin-tso).
//
// Sans-IO: the harness routes a request addressed to the service's node id here, with
// the harness time, and sends the returned reply through the simulated network (so
// service traffic gets latency like any node-to-node message). All randomness comes from
// the seed given at construction, so a run is reproducible. Not thread-safe; the harness
// calls it from its event loop only.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace squall::services {

class Service {
 public:
  virtual ~Service() = default;

  // The node id this service answers to, e.g. "lin-kv".
  virtual std::string_view name() const = 0;

  // Handles one request body from node `src` and returns the reply body as JSON object
  // text: it carries "type" and "in_reply_to" (the request's msg_id) and no msg_id.
  // Unknown request types get an error reply (code 10), malformed ones code 12; never
  // silence.
  virtual std::string handle(std::string_view src, const rapidjson::Value& body, int64_t now_ms) = 0;

  // Lets time-driven services (lww-kv replication) make progress between requests.
  virtual void tick(int64_t now_ms) { (void)now_ms; }
};

// True for the node ids of the built-in services.
bool is_service_name(std::string_view name);

// Builds the named service, or nullptr for an unknown name.
std::unique_ptr<Service> make_service(std::string_view name, uint64_t seed);

}  // namespace squall::services
