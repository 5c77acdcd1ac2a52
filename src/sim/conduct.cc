#include "sim/conduct.h"

#include <fmt/format.h>

#include "sim/describe.h"

namespace squall::sim {

void Conduct::on_answer(int node, const coord::Request& req, const coord::Reply& reply) {
  Node& n = nodes_[static_cast<size_t>(node)];
  const bool grant = std::holds_alternative<coord::AcquireOp>(req) || std::holds_alternative<coord::ClaimNextOp>(req);
  if (reply.ok()) {
    if (grant) n.granted.insert({reply->shard, reply->fence});
    const bool finishes = std::holds_alternative<coord::CompleteOp>(req) ||
                          std::holds_alternative<coord::ParkOp>(req) ||
                          std::holds_alternative<coord::SplitReplaceOp>(req);
    if (const coord::LeaseToken* t = coord::lease_of(req); t != nullptr && finishes)
      n.over.insert({t->ref.shard, t->fence});
    return;
  }
  const coord::CoordErrc code = reply.error().code;
  const bool lost = code == coord::CoordErrc::StaleFence || code == coord::CoordErrc::LeaseExpired ||
                    code == coord::CoordErrc::ShardTerminal;
  if (const coord::LeaseToken* t = coord::lease_of(req); t != nullptr && lost) n.over.insert({t->ref.shard, t->fence});
}

std::optional<std::string> Conduct::on_send(int node, uint64_t req_id, const coord::Request& req) {
  Node& n = nodes_[static_cast<size_t>(node)];
  if (!n.sent.insert(req_id).second) return std::nullopt;  // a re-send
  const coord::LeaseToken* t = coord::lease_of(req);
  if (t == nullptr) return std::nullopt;
  const LeaseKey key{t->ref.shard, t->fence};
  if (!n.granted.contains(key))
    return fmt::format("n{} sent {} under a lease it was never granted", node, describe(req));
  if (n.over.contains(key)) return fmt::format("n{} sent {} after being told the lease was over", node, describe(req));
  return std::nullopt;
}

}  // namespace squall::sim
