// Result<T, E>: a value or an error a user (or a caller) can act on.
//
// Used for operating errors (I/O, parsing, a node's bad output), never for programmer
// errors (those assert). g++ 12 lacks std::expected, so this is a small stand-in with the
// same shape: ok() / value() / error(). Accessing the wrong side asserts.
#pragma once

#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/assert.h"

namespace squall {

struct Error {
  std::string message;
};

// Builds an Error; `return err("file.edn:3: expected a map")`.
inline Error err(std::string message) { return Error{std::move(message)}; }

// The error side is Error (a message) by default; a component whose callers act on the
// kind of failure (etcd, the coordinator) names its own error type instead.
template <typename T, typename E = Error>
class [[nodiscard]] Result {
 public:
  // By reference, not by value: results carry whole records, and the extra move of a
  // by-value parameter showed in the simulator's profile.
  Result(T&& value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(const T& value) : v_(std::in_place_index<0>, value) {}        // NOLINT: implicit by design
  Result(E error) : v_(std::in_place_index<1>, std::move(error)) {}    // NOLINT: implicit by design
  // A default-constructed value, to be filled in place.
  explicit Result(std::in_place_t) : v_(std::in_place_index<0>) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    SQ_ASSERT_MSG(ok(), "Result holds error" << describe_unchecked());
    return std::get<0>(v_);
  }
  const T& value() const& {
    SQ_ASSERT_MSG(ok(), "Result holds error" << describe_unchecked());
    return std::get<0>(v_);
  }
  T&& value() && {
    SQ_ASSERT_MSG(ok(), "Result holds error" << describe_unchecked());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // The error: its message for the default Error, the error value itself otherwise.
  decltype(auto) error() const {
    SQ_ASSERT(!ok());
    if constexpr (std::is_same_v<E, Error>) {
      return (std::get<1>(v_).message);
    } else {
      return (std::get<1>(v_));
    }
  }

 private:
  std::string describe_unchecked() const {
    if constexpr (std::is_same_v<E, Error>) {
      return ok() ? std::string() : ": " + std::get<1>(v_).message;
    } else {
      return std::string();
    }
  }
  std::variant<T, E> v_;
};

// Result<void>: success or an error.
template <>
class [[nodiscard]] Result<void, Error> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error.message)), failed_(true) {}  // NOLINT

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const std::string& error() const {
    SQ_ASSERT(failed_);
    return error_;
  }

 private:
  std::string error_;
  bool failed_ = false;
};

using Status = Result<void>;

}  // namespace squall
