#include "gossip/gset.h"

#include "core/rng.h"

namespace squall::gossip {

GSet& GSet::operator=(const GSet& other) {
  if (this != &other) {
    GSet copy(other);
    elements_.swap(copy.elements_);
    index_.swap(copy.index_);
    digest_ = copy.digest_;
  }
  return *this;
}

bool GSet::add(std::string_view json) {
  if (index_.count(json) > 0) return false;
  elements_.emplace_back(json);
  index_.insert(elements_.back());
  digest_ += fnv1a64(json);
  return true;
}

size_t GSet::merge(const GSet& other) {
  size_t added = 0;
  for (const std::string& e : other.elements_) added += add(e);
  return added;
}

bool GSet::same_as(const GSet& other) const {
  if (size() != other.size() || digest_ != other.digest_) return false;
  for (const std::string& e : elements_) {
    if (!other.contains(e)) return false;
  }
  return true;
}

}  // namespace squall::gossip
