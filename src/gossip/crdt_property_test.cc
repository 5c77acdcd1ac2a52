// Property tests: GSet and PnCounter merges are commutative, associative and
// idempotent, and merging never loses an element or a contribution.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "gossip/gset.h"
#include "gossip/pn_counter.h"

namespace squall::gossip {
namespace {

GSet make_set(const std::vector<int>& xs) {
  GSet s;
  for (int x : xs) s.add(std::to_string(x % 50));
  return s;
}

GSet merged(GSet a, const GSet& b) {
  a.merge(b);
  return a;
}

RC_GTEST_PROP(GSetProps, MergeIsCommutative, (std::vector<int> a, std::vector<int> b)) {
  GSet x = make_set(a), y = make_set(b);
  RC_ASSERT(merged(x, y).same_as(merged(y, x)));
}

RC_GTEST_PROP(GSetProps, MergeIsAssociative, (std::vector<int> a, std::vector<int> b, std::vector<int> c)) {
  GSet x = make_set(a), y = make_set(b), z = make_set(c);
  RC_ASSERT(merged(merged(x, y), z).same_as(merged(x, merged(y, z))));
}

RC_GTEST_PROP(GSetProps, MergeIsIdempotentAndKeepsEverything, (std::vector<int> a, std::vector<int> b)) {
  GSet x = make_set(a), y = make_set(b);
  RC_ASSERT(merged(x, x).same_as(x));
  GSet xy = merged(x, y);
  for (const std::string& e : x.elements()) RC_ASSERT(xy.contains(e));
  for (const std::string& e : y.elements()) RC_ASSERT(xy.contains(e));
  RC_ASSERT(merged(xy, y).same_as(xy));
}

// The set's own index (open addressing, grown as it fills) agrees with a plain model:
// add is new exactly once per text, find gives the learning order, absent texts miss.
RC_GTEST_PROP(GSetProps, IndexAgreesWithAModel, (std::vector<std::string> adds, std::vector<std::string> probes)) {
  GSet s;
  std::vector<std::string> order;
  std::map<std::string, uint32_t> model;
  for (const std::string& a : adds) {
    auto [index, added] = s.add_indexed(a);
    auto [it, fresh] = model.emplace(a, static_cast<uint32_t>(order.size()));
    if (fresh) order.push_back(a);
    RC_ASSERT(added == fresh);
    RC_ASSERT(index == it->second);
  }
  RC_ASSERT(std::vector<std::string>(s.elements().begin(), s.elements().end()) == order);
  for (const std::string& p : probes) {
    auto it = model.find(p);
    RC_ASSERT(s.find(p) == (it == model.end() ? GSet::kAbsent : it->second));
  }
  GSet copy;
  copy = s;
  for (const std::string& a : adds) RC_ASSERT(copy.contains(a));
  RC_ASSERT(copy.digest() == s.digest());
}

// Thousands of elements with near-identical texts (as broadcast's integers are).
TEST(GSet, ManyShortIntegersStayFindable) {
  GSet s;
  for (int i = 0; i < 20'000; ++i) ASSERT_TRUE(s.add(std::to_string(i)));
  for (int i = 0; i < 20'000; ++i) ASSERT_EQ(s.find(std::to_string(i)), static_cast<uint32_t>(i));
  for (int i = 20'000; i < 21'000; ++i) ASSERT_FALSE(s.contains(std::to_string(i)));
  ASSERT_FALSE(s.add("19999"));
  EXPECT_EQ(s.size(), 20'000u);
}

// A counter built from (node index, delta) adds.
PnCounter make_counter(const std::vector<std::pair<unsigned, int>>& adds) {
  PnCounter c;
  for (auto [node, delta] : adds) c.add("n" + std::to_string(node % 4), delta % 1000);
  return c;
}

PnCounter merged(PnCounter a, const PnCounter& b) {
  a.merge(b);
  return a;
}

using Adds = std::vector<std::pair<unsigned, int>>;

RC_GTEST_PROP(PnCounterProps, MergeIsCommutative, (Adds a, Adds b)) {
  PnCounter x = make_counter(a), y = make_counter(b);
  RC_ASSERT(merged(x, y) == merged(y, x));
}

RC_GTEST_PROP(PnCounterProps, MergeIsAssociative, (Adds a, Adds b, Adds c)) {
  PnCounter x = make_counter(a), y = make_counter(b), z = make_counter(c);
  RC_ASSERT(merged(merged(x, y), z) == merged(x, merged(y, z)));
}

RC_GTEST_PROP(PnCounterProps, MergeIsIdempotentAndAnUpperBound, (Adds a, Adds b)) {
  PnCounter x = make_counter(a), y = make_counter(b);
  RC_ASSERT(merged(x, x) == x);
  PnCounter xy = merged(x, y);
  RC_ASSERT(x.leq(xy));
  RC_ASSERT(y.leq(xy));
  RC_ASSERT(!merged(xy, y).merge(x));  // nothing left to learn
}

RC_GTEST_PROP(PnCounterProps, DisjointNodesSumUp, (Adds a)) {
  // Adds made on distinct nodes and merged give exactly the sum of the deltas.
  PnCounter total;
  int64_t sum = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    PnCounter one;
    int delta = a[i].second % 1000;
    one.add("n" + std::to_string(i), delta);
    sum += delta;
    total.merge(one);
  }
  RC_ASSERT(total.value() == sum);
}

// Negative control: a "merge" that adds instead of taking the maximum is not idempotent,
// and the property above must catch it.
TEST(PnCounterProps, SummingMergeWouldBeCaught) {
  PnCounter x;
  x.add("n0", 3);
  PnCounter doubled;
  doubled.merge_entry("n0", {x.entries().at("n0").p * 2, 0});  // what a summing merge of x with x gives
  EXPECT_FALSE(doubled == merged(x, x));
}

}  // namespace
}  // namespace squall::gossip
