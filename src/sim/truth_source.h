// TruthSource: the simulator's ground truth as the worker core's ItemSource.
//
// Listing reads the item keys of a range; scanning an item counts it as processed (for
// the end-to-end check) and, for an item with a finding, runs the real worker's secret
// scanner (worker/corpus.h) over a content with one secret planted in it, derived from
// the key. One per simulated worker (it keeps scratch strings). Not thread-safe.
#pragma once

#include <string>

#include "sim/ground_truth.h"
#include "sim/stats.h"
#include "worker/item_source.h"

namespace squall::sim {

class TruthSource final : public worker::ItemSource {
 public:
  TruthSource(GroundTruth* truth, Stats* stats) : truth_(truth), stats_(stats) {}

  void list(const coord::KeyRange& range, std::string_view after, size_t max, std::vector<std::string>* keys) override;
  void scan(std::string_view key, std::vector<worker::Finding>* out) override;

 private:
  GroundTruth* truth_;
  Stats* stats_;
  std::string scratch_;
  std::string content_;
};

}  // namespace squall::sim
