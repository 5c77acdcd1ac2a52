// Always-on assertions for programmer errors.
//
// Squall never compiles its checks out: a violated invariant in a checker or a simulator
// would otherwise turn into a wrong verdict, which is worse than a crash. Each macro prints
// the expression, the operand values and file:line to stderr, then aborts.
//
// Operating errors (bad input, I/O) are not programmer errors: return a Result instead.
#pragma once

#include <sstream>
#include <string>

namespace squall::detail {

[[noreturn]] void assert_fail(const char* file, int line, const char* expr, const std::string& detail);

// Renders an operand for the failure message; falls back to a placeholder for types
// without an ostream operator.
template <typename T>
std::string show(const T& value) {
  if constexpr (requires(std::ostream & os, const T& v) { os << v; }) {
    std::ostringstream os;
    os << value;
    return os.str();
  } else {
    return "<unprintable>";
  }
}

template <typename A, typename B>
[[noreturn]] void assert_cmp_fail(const char* file, int line, const char* expr, const A& a, const B& b) {
  assert_fail(file, line, expr, "lhs = " + show(a) + ", rhs = " + show(b));
}

}  // namespace squall::detail

#define SQ_ASSERT(cond)                                             \
  do {                                                              \
    if (!(cond)) [[unlikely]]                                       \
      ::squall::detail::assert_fail(__FILE__, __LINE__, #cond, ""); \
  } while (0)

// SQ_ASSERT_MSG(cond, msg): msg is anything streamable with <<.
#define SQ_ASSERT_MSG(cond, msg)                                                     \
  do {                                                                               \
    if (!(cond)) [[unlikely]] {                                                      \
      std::ostringstream sq_assert_os_;                                              \
      sq_assert_os_ << msg;                                                          \
      ::squall::detail::assert_fail(__FILE__, __LINE__, #cond, sq_assert_os_.str()); \
    }                                                                                \
  } while (0)

#define SQ_ASSERT_CMP_(a, op, b)                                                              \
  do {                                                                                        \
    const auto& sq_a_ = (a);                                                                  \
    const auto& sq_b_ = (b);                                                                  \
    if (!(sq_a_ op sq_b_)) [[unlikely]]                                                       \
      ::squall::detail::assert_cmp_fail(__FILE__, __LINE__, #a " " #op " " #b, sq_a_, sq_b_); \
  } while (0)

#define SQ_ASSERT_EQ(a, b) SQ_ASSERT_CMP_(a, ==, b)
#define SQ_ASSERT_NE(a, b) SQ_ASSERT_CMP_(a, !=, b)
#define SQ_ASSERT_LT(a, b) SQ_ASSERT_CMP_(a, <, b)
#define SQ_ASSERT_LE(a, b) SQ_ASSERT_CMP_(a, <=, b)
#define SQ_ASSERT_GT(a, b) SQ_ASSERT_CMP_(a, >, b)
#define SQ_ASSERT_GE(a, b) SQ_ASSERT_CMP_(a, >=, b)

#define SQ_UNREACHABLE(msg) ::squall::detail::assert_fail(__FILE__, __LINE__, "unreachable", msg)
