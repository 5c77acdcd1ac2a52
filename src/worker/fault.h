// Fault: deliberate worker bugs (negative controls), as flags of the worker core.
//
// Each one breaks one rule an honest worker follows, so that a test harness (the
// simulator, or a cluster test) can prove it notices. Production runs never set them.
//   skip-fence-check            keeps its cached lease after its own clock or the
//                               coordinator says it is gone (StaleFence, LeaseExpired),
//                               and keeps writing under it
//   ignore-live-lease           treats a LeaseHeld answer to an acquire as a grant and
//                               works the shard under a lease it was never given
//   checkpoint-before-findings  advances the cursor without waiting for the findings to
//                               be durable (sends them and forgets them)
//   non-idempotent-findings     writes findings under per-attempt ids, so a retried or
//                               re-processed page stores a second copy
// The first two only ever send writes that a coordinator which validates fences and
// leases rejects; they show as the worker's conduct (what it sends after losing or
// never holding a lease), or as lost liveness, not as bad records. Value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace squall::worker {

enum class Fault : uint8_t {
  SkipFenceCheck = 1 << 0,
  IgnoreLiveLease = 1 << 1,
  CheckpointBeforeFindings = 1 << 2,
  NonIdempotentFindings = 1 << 3,
};

class Faults {
 public:
  Faults() = default;
  Faults(Fault f) : bits_(static_cast<uint8_t>(f)) {}  // NOLINT: implicit by design
  bool has(Fault f) const { return (bits_ & static_cast<uint8_t>(f)) != 0; }
  void add(Fault f) { bits_ |= static_cast<uint8_t>(f); }
  bool any() const { return bits_ != 0; }
  bool operator==(const Faults&) const = default;

 private:
  uint8_t bits_ = 0;
};

// The command-line name of a fault ("skip-fence-check", ...).
std::string_view fault_name(Fault f);
// Every fault, in a stable order.
const std::vector<Fault>& all_faults();
// The fault with this name, if any.
std::optional<Fault> parse_fault(std::string_view name);

}  // namespace squall::worker
