// Driver: runs one gossip-worker — the worker core (worker/core.h) in a blocking loop
// with a real clock, the coordinator (coord/coordinator.h) in-process over a
// RecordStore (etcd in production), and a DataPlane for findings and the done-ledger.
//
// The core decides everything a worker does; the driver only carries its requests out
// and its answers in, as core.h's loop describes, so the code the simulator explores is
// the code that runs here. What the driver adds:
//   - joining the run: create it (RunExists means someone did) and register the corpus's
//     root ranges under one fixed op_id, so every worker's registration is the same op;
//   - the done-ledger: a page's item keys are marked done just before its checkpoint;
//   - finishing: when a claim finds nothing, it tries finish_run; a run that is Done
//     (finished here, or a claim answered RunTerminal) ends the loop;
//   - the controlled mode's requests (handle()), applied to the coordinator directly:
//     the client owns op_ids and retries, so no core re-sends behind its back.
// Faults: skip-fence-check and ignore-live-lease also switch off the matching guard
// of the in-process coordinator (coord/mutations.h), so that the faulty writes reach
// the records; checkpoint-before-findings' unawaited findings are written late, in the
// background (kUnawaitedDelayMs), as an unawaited asynchronous send would be, and are
// lost when the process dies first.
//
// Time: the core runs on the process's steady clock; the coordinator's `now` (lease
// deadlines in the records) is the wall clock in ms, shared by every worker on a host.
// Not thread-safe; stop() may be requested from a signal handler through the flag.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "coord/coordinator.h"
#include "coord/store.h"
#include "worker/core.h"
#include "worker/corpus.h"
#include "worker_driver/control_codec.h"
#include "worker_driver/data_plane.h"

namespace squall::worker_driver {

inline constexpr int64_t kUnawaitedDelayMs = 500;
// The op_id of the run's root registration (worker ids start at 1, so no worker op_id,
// which carries its worker id in the top 16 bits, can equal it).
inline constexpr coord::OpId kRegisterOpId = 1;

struct DriverConfig {
  Identity who;
  uint32_t incarnation = 0;
  uint64_t seed = 1;
  uint64_t corpus_seed = 1;
  uint32_t items = 1000;
  uint32_t roots = 4;
  int64_t lease_ms = 2000;  // used when this worker creates the run
  int64_t claim_cooldown_ms = 0;
  int64_t give_up_ms = 60'000;
  uint32_t page_max = 32;
  uint32_t split_min_items = 64;
  uint32_t leases_max = 2;
  bool autonomous = true;
  bool clock_from_requests = false;  // control requests give the coordinator's `now` (now_ms)
  worker::Faults faults;
  coord::Mutations mutations;  // on top of those the faults imply (negative controls)
};

// Where the driver's lines go, and its clocks; defaults: stderr, no trace, host clocks.
struct DriverIo {
  std::function<void(std::string_view)> log;    // one line, no newline
  std::function<void(std::string_view)> trace;  // one wire-trace line, or empty
  std::function<int64_t()> steady_ms;
  std::function<int64_t()> wall_ms;
  std::function<void(int64_t ms)> sleep_ms;
};
DriverIo default_io();

enum class Outcome : uint8_t {
  Done,     // the run is Done
  Stopped,  // asked to stop
  Failed,   // could not go on (the log says why)
};

// The coordinator mutations a set of worker faults switches on.
coord::Mutations mutations_for(const worker::Faults& faults);

class Driver {
 public:
  Driver(const DriverConfig& cfg, coord::RecordStore* store, DataPlane* plane, DriverIo io);

  // Creates the run or joins it, and registers the roots. nullopt: joined, ready to
  // run() or handle(); Failed when the backend stayed unavailable for give_up_ms or the
  // run does not fit this corpus; Done when the run is already finished.
  // Stopped when `stop` (see set_stop) is set while it waits for the backend.
  std::optional<Outcome> join();
  // A flag join() watches between its retries (run() takes its own).
  void set_stop(const std::atomic<bool>* stop) { stop_ = stop; }
  // The autonomous loop, until the run is Done, `stop` is set or it fails.
  Outcome run(const std::atomic<bool>& stop);
  // Controlled mode: the answer line for one request line.
  std::string handle(std::string_view line);

  // One log line with the worker's timestamp and id.
  void log(std::string_view what);
  const worker::Corpus& corpus() const { return corpus_; }
  const coord::Coordinator& coordinator() const { return coord_; }

 private:
  // The corpus, noting which items the core scans (for the done-ledger).
  class Source final : public worker::ItemSource {
   public:
    explicit Source(worker::Corpus* c) : corpus_(c) {}
    void list(const coord::KeyRange& r, std::string_view after, size_t max, std::vector<std::string>* keys) override {
      corpus_->list(r, after, max, keys);
    }
    void scan(std::string_view key, std::vector<worker::Finding>* out) override {
      scanned.emplace_back(key);
      corpus_->scan(key, out);
    }
    std::vector<std::string> scanned;

   private:
    worker::Corpus* corpus_;
  };
  struct Unawaited {
    int64_t due_ms;
    std::vector<worker::FindingWrite> writes;
  };

  worker::Config core_config(int64_t lease_ms) const;
  // Carries out one coordinator request of the core; the answer goes to *reply.
  void carry(const worker::Send& s, std::optional<coord::Reply>* reply);
  // After a failed claim: finish the run if it is finished (rate-limited).
  void maybe_finish(int64_t now);
  void flush_unawaited(bool all);
  void note_events(const worker::Output& out);
  void trace(char dir, uint64_t req_id, const std::string& json);

  DriverConfig cfg_;
  coord::RecordStore* store_;
  DataPlane* plane_;
  DriverIo io_;
  coord::Coordinator coord_;
  worker::Corpus corpus_;
  Source source_;
  std::unique_ptr<worker::Core> core_;
  std::vector<std::string> page_keys_;  // the last page scanned, for the done-ledger
  std::vector<Unawaited> unawaited_;
  bool run_done_ = false;
  int64_t last_answer_ms_ = 0;  // steady ms of the last answer that was not Unavailable
  int64_t next_finish_ms_ = 0;  // steady ms before which no finish_run is tried
  coord::OpId finish_op_ = 0;
  const std::atomic<bool>* stop_ = nullptr;
};

}  // namespace squall::worker_driver
