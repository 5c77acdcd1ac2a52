#include <cstdio>

#include "commands.h"

namespace squall::cli {

int cmd_check(int, char**) {
  std::fprintf(stderr, "squall check: not available in this build yet\n");
  return kExitUsage;
}

}  // namespace squall::cli
