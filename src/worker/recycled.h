// Recycled<T>: an optional-like slot whose value keeps its buffers when emptied.
//
// A worker core's outstanding request and current page are created and dropped
// thousands of times per seed; with std::optional each cycle freed and reallocated
// their vectors. Here reset() only marks the slot empty, and emplace() hands back the
// same object after T::clear_for_reuse() has reset every field (capacity stays).
// Reading an empty slot is a bug, asserted. Not thread-safe.
#pragma once

#include "core/assert.h"

namespace squall::worker {

template <typename T>
class Recycled {
 public:
  explicit operator bool() const { return engaged_; }
  bool has_value() const { return engaged_; }
  T& operator*() { return get(); }
  const T& operator*() const { return get(); }
  T* operator->() { return &get(); }
  const T* operator->() const { return &get(); }

  // A value with every field at its default, reusing the previous value's storage.
  T& emplace() {
    value_.clear_for_reuse();
    engaged_ = true;
    return value_;
  }
  void reset() { engaged_ = false; }

 private:
  T& get() {
    SQ_ASSERT_MSG(engaged_, "read of an empty Recycled slot");
    return value_;
  }
  const T& get() const {
    SQ_ASSERT_MSG(engaged_, "read of an empty Recycled slot");
    return value_;
  }

  T value_{};
  bool engaged_ = false;
};

}  // namespace squall::worker
