#include <cstdio>

#include "commands.h"

namespace squall::cli {

int cmd_sim(int, char**) {
  std::fprintf(stderr, "squall sim: not available in this build yet\n");
  return kExitUsage;
}

}  // namespace squall::cli
