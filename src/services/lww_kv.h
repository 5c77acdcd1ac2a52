// LwwKv: the `lww-kv` service, eventually consistent last-write-wins replicas.
//
// The service is `replicas` independent copies of the map. Each request is served by a
// seeded-random replica, which evaluates it against its own copy; a write is stamped
// with a Lamport clock and the replica's index. Replicas exchange state every
// `sync_interval_ms`: in each round every replica pulls from one random peer, and every
// `full_sync_every`-th round all replicas merge with all, so after writes stop the
// replicas converge within full_sync_every rounds. Merging keeps, per key, the cell with
// the larger (clock, replica) stamp, so every replica picks the same winner.
//
// Reads may be stale, a node may read its own write and then not see it, and a cas may
// succeed on two replicas at once: exactly the anomalies a node built on lww-kv must
// survive. Not thread-safe (see service.h). Invariants: at most kMaxKeys keys per
// replica; each replica's clock is >= every stamp it holds.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/rng.h"
#include "services/kv_service.h"

namespace squall::services {

class LwwKv final : public KvService {
 public:
  struct Options {
    uint32_t replicas = 3;           // 1..16
    int64_t sync_interval_ms = 100;  // > 0
    uint32_t full_sync_every = 4;    // >= 1
  };

  LwwKv(Rng rng, Options options);
  explicit LwwKv(Rng rng) : LwwKv(rng, Options{}) {}

  std::string_view name() const override { return "lww-kv"; }

  // Runs the replication rounds that are due by `now_ms` (at most full_sync_every of
  // them, so a long pause costs bounded work and still converges).
  void tick(int64_t now_ms) override;

  // True when every replica holds the same map.
  bool converged() const;

  // Runs one full all-to-all merge right away.
  void sync_all();

 protected:
  Reply apply(std::string_view src, const KvRequest& request, int64_t now_ms) override;

 private:
  struct Cell {
    std::string value;
    uint64_t clock = 0;
    uint32_t writer = 0;  // replica index, breaks clock ties
  };
  struct Replica {
    std::map<std::string, Cell> cells;
    uint64_t clock = 0;
  };

  static bool newer(const Cell& a, const Cell& b);
  static void merge(const Replica& from, Replica* into);
  void sync_round();

  Rng rng_;
  Options options_;
  std::vector<Replica> replicas_;
  std::optional<int64_t> next_sync_ms_;
  uint64_t rounds_ = 0;
};

}  // namespace squall::services
