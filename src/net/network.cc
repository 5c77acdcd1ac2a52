#include "net/network.h"

#include <algorithm>
#include <climits>

namespace squall::net {

Network::Network(NetworkOptions options, Rng rng) : options_(options), rng_(rng), journal_(options.journal_limit) {}

int Network::add_endpoint(std::string name, EndpointKind kind) {
  SQ_ASSERT_MSG(by_name_.find(name) == by_name_.end(), "duplicate endpoint " << name);
  int index = static_cast<int>(endpoints_.size());
  int server_index = -1;
  if (kind == EndpointKind::kServer) {
    // Servers join before any partition exists; the matrix is sized by the first
    // partition (growing it per server cost O(n^3) bytes written at 10,000 nodes).
    SQ_ASSERT_EQ(blocked_count_, 0u);
    server_index = server_count_++;
    blocked_.clear();
  }
  by_name_.emplace(name, index);
  endpoints_.push_back(Endpoint{std::move(name), kind, server_index});
  return index;
}

std::optional<int> Network::find(std::string_view name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

void Network::set_partition(const std::vector<std::pair<int, int>>& blocked_src_dest) {
  const size_t cells = static_cast<size_t>(server_count_) * static_cast<size_t>(server_count_);
  if (blocked_.size() != cells) blocked_.assign(cells, 0);
  heal();
  for (auto [src, dest] : blocked_src_dest) {
    int s = endpoints_.at(static_cast<size_t>(src)).server_index;
    int d = endpoints_.at(static_cast<size_t>(dest)).server_index;
    SQ_ASSERT_MSG(s >= 0 && d >= 0, "partitions apply to servers only");
    uint8_t& cell = blocked_[static_cast<size_t>(s) * static_cast<size_t>(server_count_) + static_cast<size_t>(d)];
    if (!cell) {
      cell = 1;
      ++blocked_count_;
    }
  }
}

void Network::heal() {
  std::fill(blocked_.begin(), blocked_.end(), 0);
  blocked_count_ = 0;
}

bool Network::blocked(int src, int dest) const {
  if (blocked_count_ == 0) return false;
  int s = endpoints_[static_cast<size_t>(src)].server_index;
  int d = endpoints_[static_cast<size_t>(dest)].server_index;
  if (s < 0 || d < 0) return false;
  return blocked_[static_cast<size_t>(s) * static_cast<size_t>(server_count_) + static_cast<size_t>(d)] != 0;
}

SendResult Network::send(int src, int dest, int64_t msg_id, std::string line, int64_t now_ns,
                         std::unique_ptr<const proto::Message> message) {
  SQ_ASSERT(src >= 0 && static_cast<size_t>(src) < endpoints_.size());
  SQ_ASSERT(dest >= 0 && static_cast<size_t>(dest) < endpoints_.size());
  bool with_client = client_involved(src, dest);
  auto usrc = static_cast<uint32_t>(src);
  auto udest = static_cast<uint32_t>(dest);
  if (heap_.size() >= options_.max_in_flight) {
    journal_.record_overflow();
    return SendResult::kOverflow;
  }
  journal_.record(now_ns, msg_id, usrc, udest, JournalEvent::kSend, with_client);
  if (blocked(src, dest)) {
    journal_.record(now_ns, msg_id, usrc, udest, JournalEvent::kDrop, with_client);
    return SendResult::kDropped;
  }
  int64_t deadline = now_ns;
  if (!with_client) deadline += sample_latency_ns(options_.dist, options_.latency_ms, rng_);
  heap_.push_back(
      Slot{deadline, next_seq_++, Delivery{src, dest, msg_id, deadline, std::move(line), std::move(message)}});
  std::push_heap(heap_.begin(), heap_.end(), later);
  return SendResult::kQueued;
}

int64_t Network::next_deadline_ns() const { return heap_.empty() ? INT64_MAX : heap_.front().deadline_ns; }

bool Network::pop_due(int64_t now_ns, Delivery* out) {
  if (heap_.empty() || heap_.front().deadline_ns > now_ns) return false;
  std::pop_heap(heap_.begin(), heap_.end(), later);
  *out = std::move(heap_.back().delivery);
  heap_.pop_back();
  journal_.record(now_ns, out->msg_id, static_cast<uint32_t>(out->src), static_cast<uint32_t>(out->dest),
                  JournalEvent::kRecv, client_involved(out->src, out->dest));
  return true;
}

}  // namespace squall::net
