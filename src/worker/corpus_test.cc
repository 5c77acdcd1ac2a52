// The deterministic corpus: same seed, same items; scanning every item finds exactly
// the ground truth; listing honours range, cursor and page size; root ranges tile the
// key space; malformed keys and near-miss secrets find nothing.
#include "worker/corpus.h"

#include <gtest/gtest.h>

#include <set>

namespace squall::worker {
namespace {

TEST(Corpus, SameSeedSameItemsOtherSeedOtherItems) {
  Corpus a(5, 100), b(5, 100), c(6, 100);
  int differ = 0;
  for (uint32_t n = 0; n < 100; ++n) {
    EXPECT_EQ(a.content_of(n), b.content_of(n));
    differ += a.content_of(n) != c.content_of(n);
  }
  EXPECT_EQ(a.ground_truth(), b.ground_truth());
  EXPECT_GT(differ, 95);
}

TEST(Corpus, ScanningEveryItemFindsExactlyTheGroundTruth) {
  Corpus corpus(42, 3000);
  std::vector<Finding> found;
  for (const coord::KeyRange& r : corpus.root_ranges(7)) {
    std::string after;
    for (;;) {
      std::vector<std::string> keys;
      corpus.list(r, after, 64, &keys);
      if (keys.empty()) break;
      for (const std::string& k : keys) corpus.scan(k, &found);
      after = keys.back();
    }
  }
  const std::vector<Finding> truth = corpus.ground_truth();
  EXPECT_EQ(found, truth);
  // About one item in five holds a secret, some two.
  EXPECT_GT(truth.size(), 3000u / 8);
  EXPECT_LT(truth.size(), 3000u / 2);
  std::set<uint64_t> ids;
  for (const Finding& f : truth) {
    ids.insert(content_id(f));
    EXPECT_EQ(corpus.content_of(std::stoul(f.item_key.substr(1))).substr(f.offset, f.secret.size()), f.secret);
  }
  EXPECT_EQ(ids.size(), truth.size());  // content addresses do not collide here
}

TEST(Corpus, ListHonoursRangeCursorAndPage) {
  Corpus corpus(1, 50);
  std::vector<std::string> keys;
  corpus.list({Corpus::key_of(10), Corpus::key_of(20)}, "", 100, &keys);
  ASSERT_EQ(keys.size(), 10u);
  EXPECT_EQ(keys.front(), Corpus::key_of(10));
  EXPECT_EQ(keys.back(), Corpus::key_of(19));
  keys.clear();
  corpus.list({Corpus::key_of(10), Corpus::key_of(20)}, Corpus::key_of(14), 3, &keys);
  EXPECT_EQ(keys, (std::vector<std::string>{Corpus::key_of(15), Corpus::key_of(16), Corpus::key_of(17)}));
  keys.clear();
  corpus.list({"", ""}, Corpus::key_of(48), 10, &keys);  // unbounded range
  EXPECT_EQ(keys, (std::vector<std::string>{Corpus::key_of(49)}));
  keys.clear();
  corpus.list({"c00000001x", ""}, "", 1, &keys);  // a bound between two keys
  EXPECT_EQ(keys, (std::vector<std::string>{Corpus::key_of(2)}));
}

TEST(Corpus, RootRangesTileTheKeySpace) {
  Corpus corpus(1, 1000);
  const auto roots = corpus.root_ranges(3);
  ASSERT_EQ(roots.size(), 3u);
  EXPECT_EQ(roots.front().start, "");
  EXPECT_EQ(roots.back().end, "");
  for (size_t i = 1; i < roots.size(); ++i) EXPECT_EQ(roots[i - 1].end, roots[i].start);
  size_t total = 0;
  for (const auto& r : roots) {
    std::vector<std::string> keys;
    corpus.list(r, "", 10'000, &keys);
    EXPECT_GE(keys.size(), 333u);
    total += keys.size();
  }
  EXPECT_EQ(total, 1000u);
}

TEST(Corpus, MalformedKeysAndNearMissesFindNothing) {
  Corpus corpus(1, 10);
  std::vector<Finding> out;
  for (const char* k : {"", "c", "c0000001", "c000000001", "x00000001", "c0000000a", "c00000010", "c99999999"})
    corpus.scan(k, &out);
  EXPECT_TRUE(out.empty());
  find_secrets("k", "SQK-0123456789ABCDEF012", &out);     // one digit short
  find_secrets("k", "SQK-0123456789abcdef0123", &out);    // lowercase
  find_secrets("k", "xxSQK-0123456789ABCDEF0G23", &out);  // a non-hex digit
  EXPECT_TRUE(out.empty());
  find_secrets("k", "abSQK-0123456789ABCDEF0123SQK-FFFFFFFFFFFFFFFFFFFF", &out);  // back to back
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].offset, 2u);
  EXPECT_EQ(out[1].offset, 26u);
}

TEST(Finding, ContentIdNamesTheContentOnly) {
  const Finding a{"c00000001", 4, "SQK-AAAAAAAAAAAAAAAAAAAA"};
  Finding b = a;
  EXPECT_EQ(content_id(a), content_id(b));
  b.offset = 5;
  EXPECT_NE(content_id(a), content_id(b));
  // Field boundaries count: moving a character from one field to the next changes the id.
  EXPECT_NE(content_id(Finding{"ab", 0, "c"}), content_id(Finding{"a", 0, "bc"}));
}

}  // namespace
}  // namespace squall::worker
