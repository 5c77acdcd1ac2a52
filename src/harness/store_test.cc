#include "harness/store.h"
#include "core/testing/files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace squall::harness {
namespace {

namespace fs = std::filesystem;

TEST(Store, OpRendering) {
  workload::Op op;
  op.type = history::OpType::kOk;
  op.f = "read";
  op.value = "[1,2]";
  op.process = 3;
  op.time_ns = 42;
  op.index = 7;
  op.final = true;
  EXPECT_EQ(Store::op_edn(op), "{:type :ok, :f :read, :value [1 2], :process 3, :time 42, :index 7, :final? true}");
  op.type = history::OpType::kInfo;
  op.process = workload::kNemesisProcess;
  op.error = "[:net-timeout]";
  EXPECT_EQ(Store::op_txt(op), ":nemesis\t:info\t:read\t[1 2]\t[:net-timeout]");
}

TEST(Store, LayoutAndLatestLinks) {
  fs::path root = fs::temp_directory_path() / ("squall-store-test-" + std::to_string(::getpid()));
  fs::remove_all(root);
  auto s = Store::create(root.string(), "echo");
  ASSERT_TRUE(s.ok()) << s.error();
  workload::Op op;
  op.f = "echo";
  op.value = "\"x\"";
  EXPECT_EQ((*s)->append_op(op), Store::op_edn(op));  // returned for the caller to reuse
  (*s)->log("hello");
  history::Value r = history::Value::array_map();
  r.set("valid?", true);
  ASSERT_TRUE((*s)->write_results(r).ok());
  ASSERT_TRUE((*s)->write_report("REPORT").ok());
  fs::path dir = (*s)->dir();
  EXPECT_TRUE(fs::is_directory(dir / "node-logs"));
  EXPECT_EQ(squall::testing::read_file(dir / "results.edn"), "{:valid? true}\n");
  EXPECT_EQ(squall::testing::read_file(dir / "results.json"), "{\"valid?\":true}\n");
  EXPECT_NE(squall::testing::read_file(dir / "history.edn").find(":f :echo"), std::string::npos);
  EXPECT_EQ(fs::canonical(root / "latest"), fs::canonical(dir));
  EXPECT_EQ(fs::canonical(root / "echo" / "latest"), fs::canonical(dir));
  auto s2 = Store::create(root.string(), "echo");
  ASSERT_TRUE(s2.ok());
  EXPECT_NE((*s2)->dir(), (*s)->dir());
  EXPECT_EQ(fs::canonical(root / "latest"), fs::canonical((*s2)->dir()));
  fs::remove_all(root);
}

TEST(Store, UnwritableRootIsAnError) {
  auto s = Store::create("/proc/squall-cannot-write-here", "echo");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().find("cannot create"), std::string::npos);
}

}  // namespace
}  // namespace squall::harness
