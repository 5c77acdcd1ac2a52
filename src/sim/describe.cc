#include "sim/describe.h"

#include <type_traits>

#include <fmt/format.h>

namespace squall::sim {

std::string shard_name(coord::ShardId id) {
  // Derived ids are 63 random bits; 24 of them are enough to tell shards apart in a trace.
  return coord::is_derived(id) ? fmt::format("d{:06x}", id & 0xffffff) : fmt::format("s{}", id);
}

namespace {

std::string range(const coord::KeyRange& r) {
  return fmt::format("[{},{})", r.start.empty() ? "-inf" : r.start, r.end.empty() ? "+inf" : r.end);
}

std::string lease(const coord::LeaseToken& l) {
  return fmt::format("{} w{} f{}", shard_name(l.ref.shard), l.owner, l.fence);
}

}  // namespace

std::string describe(const coord::Request& req) {
  return std::visit(
      [](const auto& op) -> std::string {
        using T = std::decay_t<decltype(op)>;
        if constexpr (std::is_same_v<T, coord::CreateRunOp>) {
          return fmt::format("create_run r{}", op.run);
        } else if constexpr (std::is_same_v<T, coord::RegisterShardsOp>) {
          return fmt::format("register_shards n={} op={:x}", op.shards.size(), op.op_id);
        } else if constexpr (std::is_same_v<T, coord::ClaimNextOp>) {
          return fmt::format("claim_next w{}", op.worker);
        } else if constexpr (std::is_same_v<T, coord::AcquireOp>) {
          return fmt::format("acquire {} w{}", shard_name(op.ref.shard), op.worker);
        } else if constexpr (std::is_same_v<T, coord::RenewOp>) {
          return fmt::format("renew {}", lease(op.lease));
        } else if constexpr (std::is_same_v<T, coord::CheckpointOp>) {
          return fmt::format("checkpoint {} key={} op={:x}", lease(op.lease), op.cursor.last_key, op.op_id);
        } else if constexpr (std::is_same_v<T, coord::CompleteOp>) {
          return fmt::format("complete {} key={} op={:x}", lease(op.lease),
                             op.final_cursor.last_key.empty() ? "-" : op.final_cursor.last_key, op.op_id);
        } else if constexpr (std::is_same_v<T, coord::ParkOp>) {
          return fmt::format("park {} op={:x}", lease(op.lease), op.op_id);
        } else if constexpr (std::is_same_v<T, coord::SplitReplaceOp>) {
          std::string kids;
          for (const auto& c : op.children) kids += range(c);
          return fmt::format("split_replace {} {} op={:x}", lease(op.lease), kids, op.op_id);
        } else if constexpr (std::is_same_v<T, coord::SplitResidualOp>) {
          return fmt::format("split_residual {} keep={} residual={} op={:x}", lease(op.lease), range(op.new_parent),
                             range(op.residual), op.op_id);
        } else if constexpr (std::is_same_v<T, coord::UnparkOp>) {
          return fmt::format("unpark {} op={:x}", shard_name(op.ref.shard), op.op_id);
        } else {
          return fmt::format("finish_run r{} op={:x}", op.run, op.op_id);
        }
      },
      req);
}

std::string describe(const coord::Reply& r) {
  if (!r.ok()) return coord::to_string(r.error().code);
  const coord::OpResult& v = r.value();
  std::string s = v.replayed ? "ok(replayed)" : "ok";
  if (v.fence != 0) s += fmt::format(" {} f{}", shard_name(v.shard), v.fence);
  if (v.deadline_ms != 0) s += fmt::format(" until={}", v.deadline_ms);
  for (coord::ShardId id : v.spawned) s += " +" + shard_name(id);
  return s;
}

}  // namespace squall::sim
