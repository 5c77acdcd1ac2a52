// SeqKv: the `seq-kv` service, a sequentially consistent key-value map.
//
// The service keeps a totally ordered sequence of states (version 0 is empty; each
// successful write or cas makes the next version). A write or cas is evaluated against
// the latest version. A read observes a seeded-random version among the last `window`
// ones that is not older than the newest version its sender has already observed or
// written. So reads may be stale, yet each sender's view never goes backwards and the
// whole history fits one total order consistent with every sender's program order:
// sequential consistency, not linearizability.
//
// Not thread-safe (see service.h). Invariants: each key keeps at most window + 1
// entries; at most kMaxKeys keys and kMaxSenders senders.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/rng.h"
#include "services/kv_service.h"

namespace squall::services {

// Most distinct senders whose last-seen version seq-kv tracks.
inline constexpr size_t kMaxSenders = 1 << 16;

class SeqKv final : public KvService {
 public:
  // `window`: how many recent versions a read may choose from. Precondition: window >= 1.
  SeqKv(Rng rng, uint32_t window = 32);

  std::string_view name() const override { return "seq-kv"; }

  // Number of the latest version (count of successful writes so far).
  uint64_t latest_version() const { return latest_; }

 protected:
  Reply apply(std::string_view src, const KvRequest& request, int64_t now_ms) override;

 private:
  struct Entry {
    uint64_t version;
    std::string value;
  };

  std::optional<std::string> value_at(const std::string& key, uint64_t version) const;
  void record_write(const std::string& key, std::string value);
  uint64_t oldest_readable() const;

  Rng rng_;
  uint32_t window_;
  uint64_t latest_ = 0;
  std::map<std::string, std::vector<Entry>> history_;  // key -> entries by ascending version
  std::map<std::string, uint64_t, std::less<>> seen_;  // sender -> newest version observed
};

}  // namespace squall::services
