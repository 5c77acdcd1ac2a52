// gossip-worker's process contract, without etcd: --help lists every flag and fault and
// exits 0; bad configuration exits 2 with a message naming the flag; an unreachable
// etcd is a runtime failure (exit 1) after --give-up-ms; SIGTERM while it waits for
// etcd stops it at once with exit 0.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "core/testing/subprocess.h"
#include "worker/fault.h"

namespace squall::gossip_worker_test {
namespace {

using namespace std::chrono_literals;
using squall::testing::Completed;

const std::string kBinary = std::string(SQUALL_BINARY_DIR) + "/gossip-worker";

Completed run(std::vector<std::string> args) {
  args.insert(args.begin(), kBinary);
  return squall::testing::run(args);
}

TEST(GossipWorkerCli, HelpListsFlagsAndFaults) {
  Completed c = run({"--help"});
  EXPECT_EQ(c.exit_code(), 0);
  for (const char* flag : {"--endpoints", "--worker-id", "--run", "--prefix", "--corpus-seed", "--items", "--listen",
                           "--lease-ms", "--fault"})
    EXPECT_NE(c.out.find(flag), std::string::npos) << flag;
  for (worker::Fault f : worker::all_faults()) EXPECT_NE(c.out.find(worker::fault_name(f)), std::string::npos);
}

TEST(GossipWorkerCli, BadConfigurationExitsTwoNamingTheFlag) {
  Completed c = run({"--endpoints", "127.0.0.1:1", "--worker-id", "0"});
  EXPECT_EQ(c.exit_code(), 2);
  EXPECT_NE(c.err.find("--worker-id"), std::string::npos) << c.err;
  c = run({"--endpoints", "127.0.0.1:1", "--worker-id", "1", "--fault", "typo"});
  EXPECT_EQ(c.exit_code(), 2);
  EXPECT_NE(c.err.find("unknown fault 'typo'"), std::string::npos) << c.err;
  c = run({"--endpoints", "127.0.0.1:1", "--worker-id", "1", "--listen", "256.1.1.1:5"});
  EXPECT_EQ(c.exit_code(), 2);
  EXPECT_NE(c.err.find("--listen"), std::string::npos) << c.err;
}

TEST(GossipWorkerCli, UnreachableEtcdIsARuntimeFailure) {
  // Port 1 on loopback refuses at once.
  Completed c =
      run({"--endpoints", "127.0.0.1:1", "--worker-id", "1", "--give-up-ms", "300", "--etcd-timeout-ms", "50"});
  EXPECT_EQ(c.exit_code(), 1);
  EXPECT_NE(c.err.find("cannot create the run: Unavailable"), std::string::npos) << c.err;
}

TEST(GossipWorkerCli, SigtermStopsAWaitingWorkerWithExitZero) {
  auto p = squall::testing::Subprocess::start(
      {kBinary, "--endpoints", "127.0.0.1:1", "--worker-id", "1", "--give-up-ms", "60000", "--etcd-timeout-ms", "50"},
      {squall::testing::Stream::kNull, squall::testing::Stream::kNull, squall::testing::Stream::kNull});
  std::this_thread::sleep_for(300ms);
  p.signal(SIGTERM);
  const auto status = p.wait_for(3s);
  ASSERT_TRUE(status.has_value()) << "still running 3 s after SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
}

}  // namespace
}  // namespace squall::gossip_worker_test
