#include "harness/node_log.h"
#include "core/testing/files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace squall::harness {
namespace {

namespace fs = std::filesystem;

std::string temp_log(const char* name) {
  return (fs::temp_directory_path() / (std::string("nodelog-") + name + std::to_string(::getpid()) + ".log")).string();
}

TEST(NodeLog, UnderTheCapTheLogIsExactlyWhatWasWritten) {
  std::string path = temp_log("small");
  std::string written;
  {
    NodeLog log;
    ASSERT_TRUE(log.open(path, 16384).ok());
    for (int i = 0; i < 1000; ++i) {
      std::string line = "line " + std::to_string(i) + "\n";
      if (written.size() + line.size() > 16384) break;
      log.write(line);
      written += line;
    }
    log.close();
    EXPECT_EQ(log.cut_bytes(), 0u);
  }
  EXPECT_EQ(squall::testing::read_file(path), written);
  EXPECT_FALSE(fs::exists(path + ".tail-a"));
  fs::remove(path);
}

TEST(NodeLog, OverTheCapKeepsHeadAndTailAndSaysWhatWasCut) {
  std::string path = temp_log("big");
  const uint64_t cap = 16384;
  NodeLog log;
  ASSERT_TRUE(log.open(path, cap).ok());
  std::string all;
  for (int i = 0; i < 20000; ++i) {
    std::string line = "line " + std::to_string(i) + "\n";
    log.write(line);
    all += line;
  }
  // While running, the disk holds at most the head and two tail segments.
  uint64_t on_disk = fs::file_size(path) + fs::file_size(path + ".tail-a") + fs::file_size(path + ".tail-b");
  EXPECT_LE(on_disk, cap);
  log.close();
  std::string text = squall::testing::read_file(path);
  EXPECT_LE(text.size(), cap + 200);
  EXPECT_FALSE(fs::exists(path + ".tail-a"));
  EXPECT_FALSE(fs::exists(path + ".tail-b"));
  EXPECT_EQ(text.substr(0, cap / 2), all.substr(0, cap / 2));
  size_t notice = text.find("[squall: ");
  ASSERT_NE(notice, std::string::npos);
  std::string expected = std::to_string(log.cut_bytes()) + " bytes of this node's stderr were cut here";
  EXPECT_NE(text.find(expected, notice), std::string::npos) << text.substr(notice, 200);
  // After the notice line: exactly the last bytes written.
  std::string tail = text.substr(text.find('\n', notice) + 1);
  EXPECT_GE(tail.size(), cap / 4);
  EXPECT_EQ(tail, all.substr(all.size() - tail.size()));
  // Nothing is lost silently: head + cut + tail = total.
  EXPECT_EQ(cap / 2 + log.cut_bytes() + tail.size(), all.size());
  fs::remove(path);
}

TEST(NodeLog, LastLinesComeFromMemoryAndAreClipped) {
  std::string path = temp_log("tail");
  NodeLog log;
  ASSERT_TRUE(log.open(path, 4096).ok());
  log.write(std::string(10u << 20, 'x'));  // one line far longer than what is kept in memory
  log.write("\nsecond\nlast");
  auto lines = log.last_lines(5);
  ASSERT_EQ(lines.size(), 2u) << "the first line began before the kept window and is dropped";
  EXPECT_EQ(lines[0], "second");
  EXPECT_EQ(lines[1], "last");
  NodeLog only;
  ASSERT_TRUE(only.open(path, 4096).ok());
  only.write(std::string(1000, 'y'));
  lines = only.last_lines(3);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], std::string(500, 'y') + "...");
  fs::remove(path);
}

}  // namespace
}  // namespace squall::harness
