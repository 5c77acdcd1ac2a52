#include "cluster_shard/crash_checks.h"

#include <sstream>
#include <unordered_map>
#include <variant>

#include <fmt/format.h>

#include "worker_driver/control_codec.h"

namespace squall::cluster_shard {

IncarnationTrace read_incarnation_trace(std::string_view text, coord::TenantId tenant, coord::RunId run) {
  IncarnationTrace out;
  worker_driver::Identity who{tenant, run, 0};
  std::unordered_map<uint64_t, coord::Request> sent;
  std::optional<uint64_t> open;  // the last request sent, while it is unanswered
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream head(line);
    char dir = 0;
    uint64_t req = 0;
    if (!(head >> dir >> req)) {
      out.unreadable += line.empty() ? 0 : 1;
      continue;
    }
    if (dir == 'W') {
      who.worker = out.worker = req;
      continue;
    }
    const size_t brace = line.find('{');
    const std::string_view json =
        brace == std::string::npos ? std::string_view() : std::string_view(line).substr(brace);
    if (dir == 'S') {
      auto d = worker_driver::decode_request(json, who);
      if (!std::holds_alternative<worker_driver::ControlRequest>(d)) {
        ++out.unreadable;
        continue;
      }
      sent.insert_or_assign(req, std::get<worker_driver::ControlRequest>(d).request);
      open = req;
    } else if (dir == 'A') {
      auto reply = worker_driver::decode_reply(json);
      auto it = sent.find(req);
      if (!reply || it == sent.end()) {
        ++out.unreadable;
        continue;
      }
      if (open == req) open.reset();
      const auto* cp = std::get_if<coord::CheckpointOp>(&it->second);
      if (cp != nullptr && reply->ok())
        out.acked.push_back(AckedCheckpoint{cp->lease.ref.shard, cp->lease.fence, cp->cursor.last_key});
    } else {
      ++out.unreadable;
    }
  }
  if (open) out.in_flight = coord::kind_of(sent.at(*open));
  return out;
}

std::vector<std::string> lost_checkpoints(const std::vector<AckedCheckpoint>& acked,
                                          const std::map<coord::ShardId, coord::ShardRecord>& after) {
  std::vector<std::string> lost;
  for (const AckedCheckpoint& a : acked) {
    auto it = after.find(a.shard);
    if (it == after.end()) {
      lost.push_back(fmt::format("shard {:x} fence {}: checkpoint at {} acknowledged, but the shard has no record",
                                 a.shard, a.fence, a.cursor));
    } else if (coord::key_less(it->second.cursor.last_key, a.cursor)) {
      lost.push_back(fmt::format("shard {:x} fence {}: checkpoint at {} acknowledged, cursor afterwards '{}'", a.shard,
                                 a.fence, a.cursor, it->second.cursor.last_key));
    }
  }
  return lost;
}

std::vector<std::string> missing_entries(const std::set<std::string>& before, const std::set<std::string>& after,
                                         size_t max) {
  std::vector<std::string> missing;
  for (const auto& e : before) {
    if (missing.size() == max) break;
    if (after.count(e) == 0) missing.push_back(e);
  }
  return missing;
}

}  // namespace squall::cluster_shard
