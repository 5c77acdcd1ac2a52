// Interner<T>: maps values to dense uint32 ids and back, so models can store and compare
// states and arguments as integers.
//
// Not thread-safe (one per Session). Invariant: ids are 0..size()-1 in first-seen order,
// and get(intern(x)) == x.
#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>

#include "core/assert.h"

namespace squall::model {

template <typename T, typename Hash = std::hash<T>>
class Interner {
 public:
  uint32_t intern(const T& x) {
    auto [it, inserted] = ids_.try_emplace(x, static_cast<uint32_t>(values_.size()));
    if (inserted) {
      values_.push_back(x);
      bytes_ += sizeof(T) + 48;  // node and bucket overhead, approximately
      if constexpr (requires {
                      x.size();
                      x[0];
                    })
        bytes_ += x.size() * sizeof(x[0]);
    }
    return it->second;
  }
  const T& get(uint32_t id) const {
    SQ_ASSERT_LT(id, values_.size());
    return values_[id];
  }
  size_t size() const { return values_.size(); }
  size_t memory_bytes() const { return bytes_; }

 private:
  std::unordered_map<T, uint32_t, Hash> ids_;
  std::deque<T> values_;  // stable references
  size_t bytes_ = 0;
};

}  // namespace squall::model
