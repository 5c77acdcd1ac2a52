// TruthSource: the simulator's ground truth as the worker core's ItemSource.
//
// Listing reads the item keys of a range; scanning an item counts it as processed (for
// the end-to-end check) and reports its one finding, if it has one, as the secret
// kSecret at offset 0. One per simulated worker (it keeps a scratch string). Not
// thread-safe.
#pragma once

#include <string>

#include "sim/ground_truth.h"
#include "sim/stats.h"
#include "worker/item_source.h"

namespace squall::sim {

class TruthSource final : public worker::ItemSource {
 public:
  static constexpr const char* kSecret = "sim-secret";

  TruthSource(GroundTruth* truth, Stats* stats) : truth_(truth), stats_(stats) {}

  void list(const coord::KeyRange& range, std::string_view after, size_t max, std::vector<std::string>* keys) override;
  void scan(std::string_view key, std::vector<worker::Finding>* out) override;

 private:
  GroundTruth* truth_;
  Stats* stats_;
  std::string scratch_;
};

}  // namespace squall::sim
