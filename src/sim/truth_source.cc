#include "sim/truth_source.h"

#include <algorithm>

#include "core/rng.h"
#include "worker/corpus.h"

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
  if (!truth_->items()[*i].finding) return;
  // "<key>: SQK-<20 hex digits of a hash of the key>", scanned like any real item.
  content_ = scratch_ + ": ";
  content_.append(worker::Corpus::kSecretPrefix);
  uint64_t h = fnv1a64(scratch_);
  for (size_t d = 0; d < worker::Corpus::kSecretDigits; ++d, h = h >> 4 | h << 60)
    content_.push_back("0123456789ABCDEF"[h & 0xf]);
  worker::find_secrets(scratch_, content_, out);
}

}  // namespace squall::sim
