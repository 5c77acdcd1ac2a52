// squall: entry point. Dispatches to one subcommand per concept; the work itself lives
// in the libraries under src/.
#include <cstdio>
#include <cstring>
#include <string_view>

#include "commands.h"

namespace {

struct Command {
  const char* name;
  int (*run)(int, char**);
  const char* summary;
};

constexpr Command kCommands[] = {
    {"test", squall::cli::cmd_test, "run a Maelstrom node binary on a simulated network and check it"},
    {"check", squall::cli::cmd_check, "check history files (linearizability and more)"},
    {"sim", squall::cli::cmd_sim, "deterministic simulation of the shard coordination protocol"},
    {"serve", squall::cli::cmd_serve, "browse the store of test runs over HTTP"},
    {"cluster", squall::cli::cmd_cluster, "real etcd cluster in network namespaces (or over SSH) with real faults"},
};

void usage(FILE* out) {
  std::fprintf(out,
               "usage: squall <command> [options]\n\n"
               "Squall tests distributed systems the way Jepsen and Maelstrom do.\n\n"
               "commands:\n");
  for (const auto& c : kCommands) std::fprintf(out, "  %-8s %s\n", c.name, c.summary);
  std::fprintf(out, "\n`squall <command> --help` describes each command's options.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return squall::cli::kExitUsage;
  }
  std::string_view name = argv[1];
  if (name == "-h" || name == "--help" || name == "help") {
    usage(stdout);
    return 0;
  }
  for (const auto& c : kCommands) {
    if (name == c.name) return c.run(argc - 1, argv + 1);
  }
  std::fprintf(stderr, "squall: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return squall::cli::kExitUsage;
}
