#include <cstdio>

#include "commands.h"

namespace squall::cli {

int cmd_test(int, char**) {
  std::fprintf(stderr, "squall test: not available in this build yet\n");
  return kExitUsage;
}

}  // namespace squall::cli
