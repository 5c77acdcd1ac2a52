// Grudge: who drops whose packets during a network partition — grudge[i] lists the nodes
// whose packets node i drops on input. Symmetric partitions list each pair both ways;
// one-way faults list it once. The shapes of Jepsen's partition nemeses, computed from a
// seeded Rng; pure, so tests check them without root.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/rng.h"

namespace squall::cluster {

using Grudge = std::vector<std::vector<size_t>>;

// Every node drops packets from every node outside its own component.
Grudge grudge_from_components(const std::vector<std::vector<size_t>>& components, size_t n);

// Shuffled nodes cut into two halves (the first half the smaller one when n is odd).
Grudge random_halves(size_t n, Rng& rng);
// One random node cut off from all the others.
Grudge random_node(size_t n, Rng& rng);
// Nodes on a shuffled ring; each sees itself and its nearest neighbours up to a majority
// and drops the rest, so every node has a majority but no two agree on which.
Grudge majorities_ring(size_t n, Rng& rng);
// Two halves that both see one bridge node in the middle (n >= 3).
Grudge bridge(size_t n, Rng& rng);
// One-way: a random half drops what the other half sends; the other half hears everything.
Grudge one_way_halves(size_t n, Rng& rng);

// {n1 [n2 n3], ...}-style text for logs: "n1<-{n2,n3} n2<-{} ...".
std::string describe_grudge(const Grudge& g, const std::vector<std::string>& names);

}  // namespace squall::cluster
