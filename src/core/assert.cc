#include "core/assert.h"

#include <cstdio>
#include <cstdlib>

namespace squall::detail {

void assert_fail(const char* file, int line, const char* expr, const std::string& detail) {
  std::fprintf(stderr, "%s:%d: assertion failed: %s", file, line, expr);
  if (!detail.empty()) std::fprintf(stderr, " (%s)", detail.c_str());
  std::fputc('\n', stderr);
  std::fflush(stderr);
  std::abort();
}

}  // namespace squall::detail
