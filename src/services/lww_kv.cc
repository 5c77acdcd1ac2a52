#include "services/lww_kv.h"

#include <algorithm>

namespace squall::services {

LwwKv::LwwKv(Rng rng, Options options) : rng_(rng), options_(options) {
  SQ_ASSERT(options.replicas >= 1 && options.replicas <= 16);
  SQ_ASSERT_GT(options.sync_interval_ms, 0);
  SQ_ASSERT_GE(options.full_sync_every, 1u);
  replicas_.resize(options.replicas);
}

bool LwwKv::newer(const Cell& a, const Cell& b) {
  if (a.clock != b.clock) return a.clock > b.clock;
  return a.writer > b.writer;
}

void LwwKv::merge(const Replica& from, Replica* into) {
  for (const auto& [key, cell] : from.cells) {
    auto it = into->cells.find(key);
    if (it == into->cells.end()) {
      // A replica may end up above kMaxKeys by merging peers' keys; the total stays
      // within replicas * kMaxKeys because every key was accepted by some replica.
      into->cells.emplace(key, cell);
    } else if (newer(cell, it->second)) {
      it->second = cell;
    }
  }
  into->clock = std::max(into->clock, from.clock);
}

void LwwKv::sync_round() {
  ++rounds_;
  size_t n = replicas_.size();
  if (n < 2) return;
  if (rounds_ % options_.full_sync_every == 0) {
    sync_all();
    return;
  }
  // Pulls run in replica order, so a pull may pass on what an earlier pull of the same
  // round brought in; the order is fixed, so this stays reproducible.
  for (size_t i = 0; i < n; ++i) {
    size_t peer = static_cast<size_t>(rng_.below(n - 1));
    if (peer >= i) ++peer;  // any replica but i
    merge(replicas_[peer], &replicas_[i]);
  }
}

void LwwKv::sync_all() {
  Replica all;
  for (const auto& r : replicas_) merge(r, &all);
  for (auto& r : replicas_) r = all;
}

void LwwKv::tick(int64_t now_ms) {
  if (!next_sync_ms_) {
    next_sync_ms_ = now_ms + options_.sync_interval_ms;
    return;
  }
  for (uint32_t done = 0; now_ms >= *next_sync_ms_; ++done) {
    if (done == options_.full_sync_every) {
      // Far behind: skip the missed rounds rather than replaying them all.
      next_sync_ms_ = now_ms + options_.sync_interval_ms;
      return;
    }
    sync_round();
    *next_sync_ms_ += options_.sync_interval_ms;
  }
}

bool LwwKv::converged() const {
  for (const auto& r : replicas_) {
    const auto& a = r.cells;
    const auto& b = replicas_.front().cells;
    if (a.size() != b.size()) return false;
    for (auto x = a.begin(), y = b.begin(); x != a.end(); ++x, ++y) {
      if (x->first != y->first || x->second.value != y->second.value) return false;
    }
  }
  return true;
}

Reply LwwKv::apply(std::string_view src, const KvRequest& request, int64_t now_ms) {
  (void)src;
  tick(now_ms);  // replication is due whether or not the harness ticked
  auto index = static_cast<uint32_t>(rng_.below(replicas_.size()));
  Replica& replica = replicas_[index];
  auto it = replica.cells.find(request.key);
  std::optional<std::string> current;
  if (it != replica.cells.end()) current = it->second.value;
  KvStep step = kv_step(request, current);
  if (step.new_value) {
    if (it == replica.cells.end() && replica.cells.size() >= kMaxKeys) return too_many_keys();
    ++replica.clock;
    replica.cells[request.key] = Cell{std::move(*step.new_value), replica.clock, index};
  }
  return std::move(step.reply);
}

}  // namespace squall::services
