#include "harness/nemesis.h"

#include <algorithm>
#include <numeric>

#include "core/assert.h"

namespace squall::harness {
namespace {

// Grudge from components: each node drops messages from nodes in other components.
std::vector<std::vector<int>> grudge_of(const std::vector<std::vector<int>>& components, int n) {
  std::vector<int> comp(static_cast<size_t>(n), -1);
  for (size_t c = 0; c < components.size(); ++c)
    for (int node : components[c]) comp[static_cast<size_t>(node)] = static_cast<int>(c);
  std::vector<std::vector<int>> g(static_cast<size_t>(n));
  for (int d = 0; d < n; ++d)
    for (int s = 0; s < n; ++s)
      if (comp[static_cast<size_t>(d)] != comp[static_cast<size_t>(s)]) g[static_cast<size_t>(d)].push_back(s);
  return g;
}

std::vector<int> shuffled(int n, Rng& rng) {
  std::vector<int> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  rng.shuffle(v.begin(), v.end());
  return v;
}

std::vector<std::vector<int>> split(const std::vector<int>& order, size_t first) {
  std::vector<int> a(order.begin(), order.begin() + static_cast<long>(first));
  std::vector<int> b(order.begin() + static_cast<long>(first), order.end());
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return {a, b};
}

}  // namespace

NemesisEvent make_partition(const std::string& shape, int n, Rng& rng) {
  SQ_ASSERT_GE(n, 2);
  NemesisEvent e;
  e.start = true;
  e.shape = shape;
  std::vector<int> order = shuffled(n, rng);
  if (shape == "isolate") {
    e.grudge = grudge_of(split(order, 1), n);
  } else if (shape == "halves") {
    e.grudge = grudge_of(split(order, static_cast<size_t>(n / 2)), n);
  } else if (shape == "minority") {
    e.grudge = grudge_of(split(order, static_cast<size_t>(std::max(1, (n - 1) / 3))), n);
  } else if (shape == "majorities-ring") {
    // Node at ring position p hears positions p - back .. p + fwd (a majority window).
    int majority = n / 2 + 1;
    int back = (majority - 1) / 2, fwd = majority - 1 - back;
    e.grudge.assign(static_cast<size_t>(n), {});
    for (int p = 0; p < n; ++p) {
      std::vector<uint8_t> hears(static_cast<size_t>(n), 0);
      for (int k = -back; k <= fwd; ++k)
        hears[static_cast<size_t>(order[static_cast<size_t>(((p + k) % n + n) % n)])] = 1;
      auto& g = e.grudge[static_cast<size_t>(order[static_cast<size_t>(p)])];
      for (int s = 0; s < n; ++s)
        if (!hears[static_cast<size_t>(s)]) g.push_back(s);
    }
  } else if (shape == "one-way") {
    // The first half (in the shuffled order) drops everything from the second half;
    // the second half still hears the first.
    auto halves = split(order, static_cast<size_t>(std::max(1, n / 2)));
    e.grudge.assign(static_cast<size_t>(n), {});
    for (int d : halves[0]) e.grudge[static_cast<size_t>(d)] = halves[1];
  } else {
    SQ_UNREACHABLE("unknown partition shape");
  }
  return e;
}

std::vector<NemesisEvent> partition_schedule(int n, double interval_s, int64_t duration_ns, Rng rng, bool one_way,
                                             bool two_way) {
  std::vector<NemesisEvent> out;
  if (n < 2) return out;
  std::vector<std::string> shapes;
  if (two_way) {
    shapes = {"isolate", "halves"};
    if ((n - 1) / 3 >= 1) shapes.push_back("minority");
    if (n >= 3) shapes.push_back("majorities-ring");
  }
  if (one_way) shapes.push_back("one-way");
  SQ_ASSERT(!shapes.empty());
  int64_t t = 0;
  bool start = true;
  const double max_gap_ns = 2 * interval_s * 1e9;
  while (true) {
    t += static_cast<int64_t>(rng.unit() * max_gap_ns);
    if (t >= duration_ns) break;
    if (start) {
      NemesisEvent e = make_partition(shapes[rng.below(shapes.size())], n, rng);
      e.at_ns = t;
      out.push_back(std::move(e));
    } else {
      NemesisEvent e;
      e.at_ns = t;
      e.start = false;
      out.push_back(std::move(e));
    }
    start = !start;
  }
  return out;
}

std::string NemesisEvent::describe(const std::vector<std::string>& nodes) const {
  if (!start) return "heal";
  std::string out = "partition " + shape + ":";
  for (size_t d = 0; d < grudge.size(); ++d) {
    if (grudge[d].empty()) continue;
    out += " " + nodes[d] + " drops [";
    for (size_t i = 0; i < grudge[d].size(); ++i) out += (i ? " " : "") + nodes[static_cast<size_t>(grudge[d][i])];
    out += "]";
  }
  return out;
}

std::string NemesisEvent::value_json(const std::vector<std::string>& nodes) const {
  if (!start) return "\"network healed\"";
  std::string out = "{\"shape\":\"" + shape + "\",\"grudge\":{";
  bool first = true;
  for (size_t d = 0; d < grudge.size(); ++d) {
    if (grudge[d].empty()) continue;
    out += std::string(first ? "" : ",") + "\"" + nodes[d] + "\":[";
    first = false;
    for (size_t i = 0; i < grudge[d].size(); ++i)
      out += std::string(i ? "," : "") + "\"" + nodes[static_cast<size_t>(grudge[d][i])] + "\"";
    out += "]";
  }
  return out + "}}";
}

}  // namespace squall::harness
