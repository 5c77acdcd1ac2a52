#include "sim/network.h"

#include "core/assert.h"

namespace squall::sim {

Network::Network(Rng rng, const SimConfig& cfg, const FaultPlan& plan, Stats* stats, int nodes)
    : rng_(rng),
      cfg_(&cfg),
      plan_(plan),
      stats_(stats),
      cut_to_coord_until_(static_cast<size_t>(nodes), 0),
      cut_from_coord_until_(static_cast<size_t>(nodes), 0) {}

void Network::push(Message&& m) {
  if (in_flight() >= kInFlightMax) {
    stats_->count_fault(Fault::MsgLoss);
    return;
  }
  const uint32_t slot = reserve();
  *slots_[slot] = std::move(m);
  insert(slot);
}

void Network::insert(uint32_t slot) {
  Message& m = *slots_[slot];
  m.seq = seq_++;
  if (head_ == queue_.size()) {  // empty: start again at the front of the array
    queue_.clear();
    head_ = 0;
  } else if (head_ >= 64 && head_ * 2 >= queue_.size()) {  // reclaim the popped prefix
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(head_));
    head_ = 0;
  }
  // After every entry due at or before it: those were sent earlier (lower sequence).
  size_t i = queue_.size();
  while (i > head_ && queue_[i - 1].at_ms > m.deliver_at_ms) --i;
  if (i == queue_.size()) {
    queue_.push_back(Entry{m.deliver_at_ms, slot});
  } else {
    queue_.insert(queue_.begin() + static_cast<ptrdiff_t>(i), Entry{m.deliver_at_ms, slot});
  }
}

void Network::send(Message&& m, int64_t now_ms, bool faults) {
  const uint32_t slot = reserve();
  *slots_[slot] = std::move(m);
  send_reserved(slot, now_ms, faults);
}

uint32_t Network::reserve() {
  if (!free_slots_.empty()) {
    const uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  slots_.push_back(std::make_unique<Message>());
  return static_cast<uint32_t>(slots_.size() - 1);
}

void Network::enqueue(uint32_t slot) {
  if (in_flight() >= kInFlightMax) {
    stats_->count_fault(Fault::MsgLoss);
    free_slots_.push_back(slot);
    return;
  }
  insert(slot);
}

void Network::send_reserved(uint32_t slot, int64_t now_ms, bool faults) {
  Message& m = *slots_[slot];  // stays valid: messages are boxed
  m.deliver_at_ms = now_ms + rng_.range(cfg_->net_delay_ms_min, cfg_->net_delay_ms_max);
  if (faults) {
    if (rng_.chance(plan_.msg_loss_ppm, kPpm)) {
      stats_->count_fault(Fault::MsgLoss);
      free_slots_.push_back(slot);
      return;
    }
    if (rng_.chance(plan_.msg_delay_ppm, kPpm)) {
      stats_->count_fault(Fault::MsgDelay);
      m.deliver_at_ms += rng_.range(1, plan_.msg_delay_extra_ms_max);
    }
    if (rng_.chance(plan_.msg_dup_ppm, kPpm)) {
      stats_->count_fault(Fault::MsgDuplicate);
      Message copy = m;
      copy.deliver_at_ms += rng_.range(0, cfg_->net_delay_ms_max * 4);
      push(std::move(copy));
    }
  }
  enqueue(slot);
}

void Network::requeue(Message&& m, int64_t at_ms) {
  m.deliver_at_ms = at_ms;
  push(std::move(m));
}

void Network::defer(uint32_t slot, int64_t at_ms) {
  // Same order as re-sending the message: a fresh sequence number.
  slots_[slot]->deliver_at_ms = at_ms;
  enqueue(slot);
}

bool Network::link_up(int from, int to, int64_t now_ms) const {
  if (from != kCoordinatorNode && to == kCoordinatorNode)
    return now_ms >= cut_to_coord_until_[static_cast<size_t>(from)];
  if (from == kCoordinatorNode && to != kCoordinatorNode)
    return now_ms >= cut_from_coord_until_[static_cast<size_t>(to)];
  return true;
}

bool Network::pop_next_due(int64_t now_ms, uint32_t* slot_out) {
  while (head_ < queue_.size() && queue_[head_].at_ms <= now_ms) {
    const uint32_t slot = queue_[head_++].slot;
    const Message& m = *slots_[slot];
    if (!link_up(m.from, m.to, now_ms)) {  // lost to a partition
      free_slots_.push_back(slot);
      continue;
    }
    *slot_out = slot;
    return true;
  }
  return false;
}

void Network::cut(int worker, int64_t until_ms, bool to_coordinator, bool from_coordinator) {
  SQ_ASSERT(worker > 0 && static_cast<size_t>(worker) < cut_to_coord_until_.size());
  if (to_coordinator) cut_to_coord_until_[static_cast<size_t>(worker)] = until_ms;
  if (from_coordinator) cut_from_coord_until_[static_cast<size_t>(worker)] = until_ms;
}

void Network::heal() {
  for (auto& t : cut_to_coord_until_) t = 0;
  for (auto& t : cut_from_coord_until_) t = 0;
}

}  // namespace squall::sim
