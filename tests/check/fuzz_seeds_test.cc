// Runs the libFuzzer entry point of fuzz/edn_reader_fuzz.cc over the seed inputs and
// deterministic mutations of them, so every build exercises it without clang.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/rng.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace squall {
namespace {

std::vector<std::string> seeds() {
  std::vector<std::string> out;
  std::vector<std::filesystem::path> paths;
  // Every target's seeds (fuzz/seeds/<target>/): the reader entry point takes any text.
  for (const auto& e : std::filesystem::recursive_directory_iterator(std::string(SQUALL_SOURCE_DIR) + "/fuzz/seeds"))
    if (e.is_regular_file()) paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out.push_back(ss.str());
  }
  return out;
}

void feed(const std::string& s) { LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

TEST(FuzzSeeds, SeedsAndMutationsNeverCrash) {
  auto all = seeds();
  ASSERT_GE(all.size(), 5u);
  Rng rng(42);
  const char kBytes[] = "[]{}()#:\"\\ \n\t,;^_-0123456789.eNM/";
  size_t runs = 0;
  for (const auto& seed : all) {
    feed(seed);
    for (int i = 0; i < 400; ++i) {
      std::string m = seed;
      int edits = 1 + static_cast<int>(rng.below(4));
      for (int e = 0; e < edits && !m.empty(); ++e) {
        size_t at = rng.below(m.size());
        switch (rng.below(4)) {
          case 0: m[at] = kBytes[rng.below(sizeof kBytes - 1)]; break;
          case 1: m.erase(at, 1 + rng.below(8)); break;
          case 2: m.insert(at, 1, kBytes[rng.below(sizeof kBytes - 1)]); break;
          default: m = m.substr(0, at); break;
        }
      }
      feed(m);
      ++runs;
    }
  }
  feed(std::string(5000, '['));
  feed(std::string(5000, '{'));
  feed(std::string("\"") + std::string(3, '\\'));
  EXPECT_EQ(runs, all.size() * 400);
}

}  // namespace
}  // namespace squall
