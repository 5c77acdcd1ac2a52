// The store files of fixed histories, byte for byte: history.edn and history.txt from the
// ops, results.edn and results.json from each workload's checker (plus the stats and
// availability checks). Tools read these files, so a change to how Squall renders values
// must show up here as a changed golden file, never silently.
//
// To accept a deliberate change: SQUALL_UPDATE_GOLDEN=1 ./harness_test, then review the
// diff of src/harness/testdata/store_golden.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>

#include "core/testing/files.h"
#include "harness/store.h"
#include "workload/stats.h"
#include "workload/testing/history_builder.h"
#include "workload/workloads.h"

namespace squall::harness {
namespace {

namespace fs = std::filesystem;
using history::OpType;
using workload::History;
using workload::testing::HistoryBuilder;

// A file's text with the checker's wall-clock times masked: they differ run to run.
std::string read_masked(const fs::path& p) {
  static const std::regex elapsed(R"((:elapsed-ms |"elapsed-ms":)[-+.0-9e]+)");
  return std::regex_replace(squall::testing::read_file(p), elapsed, "$1<masked>");
}

struct Case {
  std::string name;
  History history;
  std::function<void(Store&, const History&)> write_results;
};

Case workload_case(const std::string& workload, const History& h, const workload::CheckContext& ctx = {}) {
  return Case{workload, h, [workload, ctx](Store& s, const History& history) {
                auto w = workload::make_workload(workload);
                ASSERT_TRUE(w.ok()) << w.error();
                ASSERT_TRUE(s.write_results((*w)->check(history, ctx)).ok());
              }};
}

History broadcast_history() {
  HistoryBuilder b;
  b.op(OpType::kOk, 0, "broadcast", "0", "0", 0, "n0");
  b.op(OpType::kOk, 1, "broadcast", "1", "1", 5, "n1");
  b.op(OpType::kInfo, 2, "broadcast", "2", "2", 7, "n2");
  b.op(OpType::kOk, 1, "read", "null", "[1]", 10, "n1");
  b.op(OpType::kOk, 0, "read", "null", "[0,1,77]", 40, "n0");
  b.op(OpType::kOk, 0, "read", "null", "[1,0]", 100, "n0", true);
  b.op(OpType::kOk, 1, "read", "null", "[1]", 100, "n1", true);
  b.op(OpType::kOk, 2, "read", "null", "[0,1]", 100, "n2", true);
  return b.history();
}

History echo_history() {
  HistoryBuilder b;
  b.op(OpType::kOk, 0, "echo", "\"Please echo 7\"", "\"Please echo 7\"", 0);
  b.op(OpType::kOk, 1, "echo", R"({"z":1,"a":[1.5,2.0,-0.25]})", R"({"z":1,"a":[1.5,2.0]})", 2, "n1");
  b.op(OpType::kOk, 2, "echo", "\"tab\\tquote\\\"\"", "\"ctl\\u0001 \\u00e9\"", 4, "n2");
  return b.history();
}

History unique_ids_history() {
  HistoryBuilder b;
  b.op(OpType::kOk, 0, "generate", "null", "18446744073709551615", 0, "n0");
  b.op(OpType::kOk, 1, "generate", "null", "18446744073709551615", 1, "n1");
  b.op(OpType::kOk, 0, "generate", "null", R"({"b":"x","a":1})", 2, "n0");
  b.op(OpType::kOk, 1, "generate", "null", R"({"b":"x","a":1})", 3, "n1");
  b.op(OpType::kOk, 2, "generate", "null", "1e300", 4, "n2");
  b.op(OpType::kFail, 2, "generate", "null", "null", 5, "n2");
  return b.history();
}

History counter_history() {
  HistoryBuilder b;
  b.op(OpType::kOk, 0, "add", "3", "3", 0);
  b.op(OpType::kInfo, 1, "add", "-2", "-2", 1);
  b.op(OpType::kInfo, 2, "add", "4", "4", 2);
  b.op(OpType::kFail, 3, "add", "100", "100", 3);
  b.op(OpType::kOk, 0, "read", "null", "5", 50, "n0", true);
  b.op(OpType::kOk, 1, "read", "null", "7", 50, "n1", true);
  b.op(OpType::kOk, 2, "read", "null", "4", 60, "n2", true);
  return b.history();
}

History lin_kv_history() {
  HistoryBuilder b;
  b.op(OpType::kOk, 0, "write", "[0,1]", "[0,1]", 0)
      .invoke(1, "write", "[0,2]", 2)
      .complete(OpType::kInfo, 1, "write", "[0,2]", 3)
      .op(OpType::kOk, 2, "read", "[0,null]", "[0,2]", 4)
      .op(OpType::kOk, 2, "read", "[0,null]", "[0,1]", 6)
      .op(OpType::kOk, 3, "write", "[1,1]", "[1,1]", 7)
      .op(OpType::kFail, 3, "cas", "[1,[4,0]]", "[1,[4,0]]", 8)
      .op(OpType::kOk, 0, "read", "[1,null]", "[1,1]", 9);
  return b.history();
}

History kafka_history() {
  HistoryBuilder b;
  auto send = [&b](int64_t p, int64_t msg, int64_t offset, int64_t t) {
    b.op(OpType::kOk, p, "send", R"({"key":"0","msg":)" + std::to_string(msg) + "}",
         R"({"key":"0","msg":)" + std::to_string(msg) + R"(,"offset":)" + std::to_string(offset) + "}", t);
  };
  send(0, 1, 0, 0);
  send(1, 2, 0, 2);
  send(0, 3, 1, 4);
  send(0, 4, 2, 6);
  b.op(OpType::kOk, 2, "poll", R"({"offsets":{"0":0}})", R"({"msgs":{"0":[[0,1],[2,4]]}})", 8, "n0", true);
  return b.history();
}

History ops_history() {
  HistoryBuilder b;
  b.op(OpType::kOk, 0, "read", "null", R"({"k":[1,2.5,1e21,100.0],"e":{},"n":null,"t":true})", 1);
  b.complete(OpType::kInfo, workload::kNemesisProcess, "start-partition", R"({"n0":["n1"]})", 2, "");
  return b.history();
}

std::vector<Case> cases() {
  workload::CheckContext nodes;
  nodes.nodes = {"n0", "n1", "n2"};
  nodes.final_phase_start_ns = 90'000'000;
  std::vector<Case> out;
  out.push_back(workload_case("broadcast", broadcast_history(), nodes));
  out.push_back(workload_case("g-set", broadcast_history(), nodes));
  out.push_back(workload_case("echo", echo_history()));
  out.push_back(workload_case("unique-ids", unique_ids_history()));
  out.push_back(workload_case("g-counter", counter_history()));
  out.push_back(workload_case("pn-counter", counter_history()));
  out.push_back(workload_case("lin-kv", lin_kv_history()));
  out.push_back(workload_case("kafka", kafka_history()));
  out.push_back(Case{"stats", ops_history(),
                     [](Store& s, const History& h) { ASSERT_TRUE(s.write_results(workload::check_stats(h)).ok()); }});
  out.push_back(Case{"availability", counter_history(), [](Store& s, const History& h) {
                       ASSERT_TRUE(s.write_results(workload::check_availability(h, 0.75)).ok());
                     }});
  return out;
}

// The files of a run directory that do not depend on the wall clock, relative paths.
std::vector<fs::path> stable_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    fs::path rel = fs::relative(e.path(), dir);
    if (rel == "jepsen.log") continue;
    out.push_back(rel);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(StoreGolden, FilesKeepTheirBytes) {
  const fs::path golden_root = fs::path(SQUALL_SOURCE_DIR) / "src/harness/testdata/store_golden";
  const bool update = std::getenv("SQUALL_UPDATE_GOLDEN") != nullptr;
  fs::path root = fs::temp_directory_path() / ("squall-store-golden-" + std::to_string(::getpid()));
  fs::remove_all(root);
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    auto store = Store::create(root.string(), c.name);
    ASSERT_TRUE(store.ok()) << store.error();
    for (const auto& op : c.history) (*store)->append_op(op);
    c.write_results(**store, c.history);
    (*store)->flush();
    fs::path dir = (*store)->dir();
    fs::path golden = golden_root / c.name;
    std::vector<fs::path> files = stable_files(dir);
    if (update) {
      fs::remove_all(golden);
      for (const auto& rel : files) {
        fs::create_directories((golden / rel).parent_path());
        std::ofstream(golden / rel) << read_masked(dir / rel);
      }
      continue;
    }
    ASSERT_TRUE(fs::is_directory(golden)) << golden << " missing; run with SQUALL_UPDATE_GOLDEN=1";
    EXPECT_EQ(files, stable_files(golden));
    for (const auto& rel : files) EXPECT_EQ(read_masked(dir / rel), read_masked(golden / rel)) << rel;
  }
  fs::remove_all(root);
}

}  // namespace
}  // namespace squall::harness
