// The subcommands of the `squall` binary. Each takes the arguments after its own name
// (argv[0] is the subcommand name) and returns the process exit code.
#pragma once

namespace squall::cli {

int cmd_test(int argc, char** argv);          // cmd_test.cc: Maelstrom-compatible workbench
int cmd_check(int argc, char** argv);         // cmd_check.cc: checkers over history files
int cmd_sim(int argc, char** argv);           // cmd_sim.cc: deterministic simulation
int cmd_sim_workload(int argc, char** argv);  // cmd_sim_workload.cc: squall sim -w (Maelstrom workloads)
int cmd_serve(int argc, char** argv);         // cmd_serve.cc: browse the store over HTTP
int cmd_cluster(int argc, char** argv);       // cmd_cluster.cc: real clusters (namespaces, etcd, nemeses)

// Exit codes shared by all subcommands.
inline constexpr int kExitValid = 0;
inline constexpr int kExitInvalid = 1;
inline constexpr int kExitUnknown = 2;
inline constexpr int kExitUsage = 254;

}  // namespace squall::cli
