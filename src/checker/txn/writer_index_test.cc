#include "checker/txn/writer_index.h"

#include <gtest/gtest.h>

#include <limits>

namespace squall::checker::txn {
namespace {

// A history of ok transactions, each a list of (f, key, value) micro-ops.
struct HistoryBuilder {
  History h;
  explicit HistoryBuilder(int keys) {
    for (int k = 0; k < keys; ++k) h.keys.push_back(history::Value(static_cast<int64_t>(k)));
  }
  HistoryBuilder& txn(std::initializer_list<Mop> mops) {
    Txn t;
    t.index = static_cast<int64_t>(h.txns.size());
    t.mops_at = static_cast<uint32_t>(h.mops.size());
    for (const Mop& m : mops) h.mops.push_back(m);
    t.mops_len = static_cast<uint32_t>(mops.size());
    h.txns.push_back(t);
    return *this;
  }
};

Mop w(int32_t key, int64_t value) {
  Mop m;
  m.f = MopF::kWrite;
  m.key = key;
  m.value = value;
  return m;
}
Mop r(int32_t key) {
  Mop m;
  m.key = key;
  m.value = 1;  // a read's value is not a write
  return m;
}

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

TEST(TxnWriterIndex, DenseKeyFindsEachWriterAndNothingElse) {
  HistoryBuilder b(1);
  b.txn({w(0, 3), r(0), w(0, 4)}).txn({w(0, 5)});
  WriterIndex idx(b.h);
  ASSERT_EQ(idx.size(), 3u);
  const Writer* x = idx.find(0, 3);
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->txn, 0u);
  EXPECT_EQ(x->mop, 0u);
  EXPECT_FALSE(x->last);  // the transaction wrote the key again (4)
  EXPECT_EQ(x->pos, kNoPos);
  ASSERT_NE(idx.find(0, 4), nullptr);
  EXPECT_TRUE(idx.find(0, 4)->last);
  EXPECT_EQ(idx.find(0, 4)->mop, 2u);
  ASSERT_NE(idx.find(0, 5), nullptr);
  EXPECT_EQ(idx.find(0, 5)->txn, 1u);
  for (int64_t v : {kMin, int64_t{-1}, int64_t{0}, int64_t{1}, int64_t{2}, int64_t{6}, int64_t{100}, kMax})
    EXPECT_EQ(idx.find(0, v), nullptr) << v;
  // Ids are dense, in history order (the transaction's writes back to front).
  EXPECT_EQ(idx.id(0, 4), 0u);
  EXPECT_EQ(idx.id(0, 3), 1u);
  EXPECT_EQ(idx.id(0, 5), 2u);
  EXPECT_EQ(idx.key_of(2), 0);
}

TEST(TxnWriterIndex, ScatteredAndExtremeValuesUseTheHashMap) {
  HistoryBuilder b(2);
  // Key 0's span covers the whole int64 range (it wraps to 0 when counted); key 1's is
  // far wider than its writes.
  b.txn({w(0, kMin), w(1, -5)}).txn({w(0, kMax), w(1, 1'000'000'000'000)}).txn({w(0, 0)});
  WriterIndex idx(b.h);
  EXPECT_EQ(idx.size(), 5u);
  ASSERT_NE(idx.find(0, kMin), nullptr);
  EXPECT_EQ(idx.find(0, kMin)->txn, 0u);
  ASSERT_NE(idx.find(0, kMax), nullptr);
  EXPECT_EQ(idx.find(0, kMax)->txn, 1u);
  ASSERT_NE(idx.find(0, 0), nullptr);
  EXPECT_EQ(idx.find(0, 0)->txn, 2u);
  ASSERT_NE(idx.find(1, 1'000'000'000'000), nullptr);
  EXPECT_EQ(idx.find(1, -5)->txn, 0u);
  EXPECT_EQ(idx.find(0, 1), nullptr);
  EXPECT_EQ(idx.find(1, 0), nullptr);
  EXPECT_EQ(idx.find(1, kMin), nullptr);
}

TEST(TxnWriterIndex, FirstWriterWinsAndOtherTransactionsCountAsDuplicates) {
  HistoryBuilder b(1);
  b.txn({w(0, 1), w(0, 1)}).txn({w(0, 1)}).txn({w(0, 2)}).txn({w(0, 1)});
  WriterIndex idx(b.h);
  EXPECT_EQ(idx.size(), 2u);
  ASSERT_NE(idx.find(0, 1), nullptr);
  EXPECT_EQ(idx.find(0, 1)->txn, 0u);
  EXPECT_EQ(idx.find(0, 1)->mop, 1u);  // the transaction's last write of it
  EXPECT_EQ(idx.duplicates(), 2);      // transactions 1 and 3; not 0's own repeat
}

TEST(TxnWriterIndex, UnknownKeysAreAbsent) {
  HistoryBuilder b(2);
  b.txn({w(0, 1)});
  WriterIndex idx(b.h);
  EXPECT_EQ(idx.find(1, 1), nullptr);  // a key nobody wrote
  EXPECT_EQ(idx.find(-1, 1), nullptr);
  EXPECT_EQ(idx.find(2, 1), nullptr);
  EXPECT_EQ(WriterIndex().find(0, 1), nullptr);
}

}  // namespace
}  // namespace squall::checker::txn
