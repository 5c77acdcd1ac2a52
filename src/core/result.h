// Result<T>: a value or an error message a user can act on.
//
// Used for operating errors (I/O, parsing, a node's bad output), never for programmer
// errors (those assert). g++ 12 lacks std::expected, so this is a small stand-in with the
// same shape: ok() / value() / error(). Accessing the wrong side asserts.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "core/assert.h"

namespace squall {

struct Error {
  std::string message;
};

// Builds an Error; `return err("file.edn:3: expected a map")`.
inline Error err(std::string message) { return Error{std::move(message)}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    SQ_ASSERT_MSG(ok(), "Result holds error: " << error_unchecked());
    return std::get<0>(v_);
  }
  const T& value() const& {
    SQ_ASSERT_MSG(ok(), "Result holds error: " << error_unchecked());
    return std::get<0>(v_);
  }
  T&& value() && {
    SQ_ASSERT_MSG(ok(), "Result holds error: " << error_unchecked());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const std::string& error() const {
    SQ_ASSERT(!ok());
    return std::get<1>(v_).message;
  }

 private:
  const std::string& error_unchecked() const {
    static const std::string none;
    return ok() ? none : std::get<1>(v_).message;
  }
  std::variant<T, Error> v_;
};

// Result<void>: success or an error.
template <>
class [[nodiscard]] Result<void> {
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
