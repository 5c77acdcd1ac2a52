#include "checker/linearized_set.h"

#include <gtest/gtest.h>

#include <set>

#include "checker/memo_table.h"
#include "core/rng.h"

namespace squall::checker {
namespace {

std::vector<uint64_t> keys(size_t n) {
  Rng rng(7);
  std::vector<uint64_t> z(n);
  for (auto& x : z) x = rng.next();
  return z;
}

// Random insert/erase sequences: the memo table must recognise exactly the sets it has
// seen, compared against a std::set of sorted member lists.
TEST(LinearizedSet, MemoAgreesWithReferenceSets) {
  for (uint32_t completed : {1u, 63u, 64u, 65u, 200u}) {
    for (uint32_t pending : {0u, 1u, 70u}) {
      uint32_t n = completed + pending;
      LinearizedSet set(completed, pending, keys(n));
      MemoTable memo;
      std::set<std::pair<std::vector<uint32_t>, uint32_t>> reference;
      std::vector<bool> in(n, false);
      Rng rng(completed * 1000 + pending);
      for (int step = 0; step < 4000; ++step) {
        uint32_t c = static_cast<uint32_t>(rng.below(n));
        if (in[c])
          set.erase(c);
        else
          set.insert(c);
        in[c] = !in[c];
        std::vector<uint32_t> members;
        for (uint32_t i = 0; i < n; ++i) {
          ASSERT_EQ(set.contains(i), in[i]);
          if (in[i]) members.push_back(i);
        }
        uint32_t state = static_cast<uint32_t>(rng.below(3));
        bool fresh = reference.emplace(members, state).second;
        ASSERT_EQ(memo.insert(set, state), fresh)
            << "completed=" << completed << " pending=" << pending << " step=" << step;
      }
      EXPECT_EQ(memo.size(), reference.size());
    }
  }
}

TEST(LinearizedSet, HashReturnsAfterUndo) {
  LinearizedSet set(100, 10, keys(110));
  uint64_t empty = set.hash();
  set.insert(5);
  set.insert(105);
  EXPECT_NE(set.hash(), empty);
  set.erase(5);
  set.erase(105);
  EXPECT_EQ(set.hash(), empty);
}

}  // namespace
}  // namespace squall::checker
