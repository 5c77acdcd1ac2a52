#include "sim/truth_source.h"

#include <algorithm>

namespace squall::sim {

void TruthSource::list(const coord::KeyRange& range, std::string_view after, size_t max,
                       std::vector<std::string>* keys) {
  scratch_.assign(after);
  const auto [lo, hi] = truth_->remaining(range, scratch_);
  const size_t end = std::min(hi, lo + max);
  for (size_t i = lo; i < end; ++i) keys->push_back(truth_->items()[i].key);
}

void TruthSource::scan(std::string_view key, std::vector<worker::Finding>* out) {
  scratch_.assign(key);
  const std::optional<size_t> i = truth_->index_of(scratch_);
  if (!i) return;
  truth_->mark_processed(*i);
  ++stats_->items_processed;
  if (truth_->items()[*i].finding) out->push_back(worker::Finding{scratch_, 0, kSecret});
}

}  // namespace squall::sim
