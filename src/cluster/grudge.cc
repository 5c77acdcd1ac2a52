#include "cluster/grudge.h"

#include <algorithm>
#include <numeric>

#include "core/assert.h"

namespace squall::cluster {
namespace {

std::vector<size_t> shuffled(size_t n, Rng& rng) {
  std::vector<size_t> v(n);
  std::iota(v.begin(), v.end(), 0);
  rng.shuffle(v.begin(), v.end());
  return v;
}

}  // namespace

Grudge grudge_from_components(const std::vector<std::vector<size_t>>& components, size_t n) {
  std::vector<size_t> comp_of(n, SIZE_MAX);
  for (size_t c = 0; c < components.size(); ++c) {
    for (size_t i : components[c]) {
      SQ_ASSERT_LT(i, n);
      comp_of[i] = c;
    }
  }
  Grudge g(n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      if (i != j && comp_of[i] != comp_of[j]) g[i].push_back(j);
    }
  }
  return g;
}

Grudge random_halves(size_t n, Rng& rng) {
  std::vector<size_t> v = shuffled(n, rng);
  std::vector<size_t> a(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n / 2));
  std::vector<size_t> b(v.begin() + static_cast<std::ptrdiff_t>(n / 2), v.end());
  return grudge_from_components({a, b}, n);
}

Grudge random_node(size_t n, Rng& rng) {
  size_t lone = rng.below(n);
  std::vector<size_t> rest;
  for (size_t i = 0; i < n; ++i) {
    if (i != lone) rest.push_back(i);
  }
  return grudge_from_components({{lone}, rest}, n);
}

Grudge majorities_ring(size_t n, Rng& rng) {
  std::vector<size_t> ring = shuffled(n, rng);
  const size_t majority = n / 2 + 1;
  Grudge g(n);
  for (size_t pos = 0; pos < n; ++pos) {
    // Sees itself plus majority-1 neighbours: alternately right and left of it.
    std::vector<bool> sees(n, false);
    sees[ring[pos]] = true;
    for (size_t k = 1; k < majority; ++k) {
      size_t step = (k + 1) / 2;
      size_t at = (k % 2 == 1) ? (pos + step) % n : (pos + n - step) % n;
      sees[ring[at]] = true;
    }
    for (size_t j = 0; j < n; ++j) {
      if (!sees[j]) g[ring[pos]].push_back(j);
    }
    std::sort(g[ring[pos]].begin(), g[ring[pos]].end());
  }
  return g;
}

Grudge bridge(size_t n, Rng& rng) {
  SQ_ASSERT_GE(n, 3u);
  std::vector<size_t> v = shuffled(n, rng);
  size_t middle = v[0];
  std::vector<size_t> a(v.begin() + 1, v.begin() + 1 + static_cast<std::ptrdiff_t>((n - 1) / 2));
  std::vector<size_t> b(v.begin() + 1 + static_cast<std::ptrdiff_t>((n - 1) / 2), v.end());
  Grudge g = grudge_from_components({a, b}, n);
  g[middle].clear();
  for (auto& drops : g) drops.erase(std::remove(drops.begin(), drops.end(), middle), drops.end());
  return g;
}

Grudge one_way_halves(size_t n, Rng& rng) {
  std::vector<size_t> v = shuffled(n, rng);
  Grudge g(n);
  const size_t half = n / 2 == 0 ? 1 : n / 2;
  for (size_t x = 0; x < half; ++x) {
    for (size_t y = half; y < n; ++y) g[v[x]].push_back(v[y]);
    std::sort(g[v[x]].begin(), g[v[x]].end());
  }
  return g;
}

std::string describe_grudge(const Grudge& g, const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < g.size(); ++i) {
    if (!out.empty()) out += ' ';
    out += names[i] + "<-{";
    for (size_t k = 0; k < g[i].size(); ++k) out += (k ? "," : "") + names[g[i][k]];
    out += '}';
  }
  return out;
}

}  // namespace squall::cluster
