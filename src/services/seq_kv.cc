#include "services/seq_kv.h"

#include <algorithm>

namespace squall::services {

SeqKv::SeqKv(Rng rng, uint32_t window) : rng_(rng), window_(window) { SQ_ASSERT_GE(window, 1u); }

uint64_t SeqKv::oldest_readable() const { return latest_ + 1 > window_ ? latest_ + 1 - window_ : 0; }

std::optional<std::string> SeqKv::value_at(const std::string& key, uint64_t version) const {
  auto it = history_.find(key);
  if (it == history_.end()) return std::nullopt;
  const auto& entries = it->second;
  // Last entry written at or before `version`.
  auto after = std::upper_bound(entries.begin(), entries.end(), version,
                                [](uint64_t v, const Entry& e) { return v < e.version; });
  if (after == entries.begin()) return std::nullopt;
  return std::prev(after)->value;
}

void SeqKv::record_write(const std::string& key, std::string value) {
  ++latest_;
  auto& entries = history_[key];
  entries.push_back(Entry{latest_, std::move(value)});
  // Drop entries no read can reach: keep the newest one at or before the oldest
  // readable version (it is that version's value) and everything after it.
  uint64_t oldest = oldest_readable();
  auto first_newer = std::upper_bound(entries.begin(), entries.end(), oldest,
                                      [](uint64_t v, const Entry& e) { return v < e.version; });
  if (first_newer - entries.begin() > 1) entries.erase(entries.begin(), std::prev(first_newer));
  SQ_ASSERT_LE(entries.size(), static_cast<size_t>(window_) + 1);
}

Reply SeqKv::apply(std::string_view src, const KvRequest& request, int64_t now_ms) {
  (void)now_ms;
  auto seen = seen_.find(src);
  if (seen == seen_.end()) {
    if (seen_.size() >= kMaxSenders) {
      return error_reply(proto::ErrorCode::kTemporarilyUnavailable,
                         "seq-kv already tracks " + std::to_string(kMaxSenders) + " senders, its limit");
    }
    seen = seen_.emplace(std::string(src), 0).first;
  }
  if (!request.is_write()) {
    uint64_t lo = std::max(seen->second, oldest_readable());
    auto version = static_cast<uint64_t>(rng_.range(static_cast<int64_t>(lo), static_cast<int64_t>(latest_)));
    seen->second = version;
    return kv_step(request, value_at(request.key, version)).reply;
  }
  KvStep step = kv_step(request, value_at(request.key, latest_));
  if (step.new_value) {
    if (history_.find(request.key) == history_.end() && history_.size() >= kMaxKeys) return too_many_keys();
    record_write(request.key, std::move(*step.new_value));
  }
  // A write or cas (even a failed one) observed the latest version.
  seen->second = latest_;
  return std::move(step.reply);
}

}  // namespace squall::services
