// Trace: what happened in one simulated run, event by event, for replay and diagnosis.
//
// Every send, delivery, drop (partition, loss, down node), duplication, timer firing,
// client op and nemesis action is one compact record. All of them feed a running
// 64-bit digest (so two runs compare exactly without keeping millions of lines); the
// last `tail_limit` are kept to print the end of a failing run; with a sink, every
// record is also written as a text line as it happens (--trace-out). Records hold
// endpoint indices; names are resolved only when a line is printed. Not thread-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace squall::msim {

enum class TraceKind : uint8_t {
  kSend,
  kRecv,
  kDropPartition,
  kDropLoss,
  kDropDown,
  kDup,
  kHeld,
  kTimer,
  kOp,
  kNemesis
};

struct TraceRecord {
  int64_t t_ns = 0;
  TraceKind kind = TraceKind::kSend;
  int32_t src = -1;
  int32_t dest = -1;
  int64_t msg_id = 0;
  std::string text;  // ops and nemesis actions only
};

class Trace {
 public:
  using NameOf = std::function<std::string(int endpoint)>;
  Trace(size_t tail_limit, std::FILE* sink) : tail_limit_(tail_limit), sink_(sink) {}
  void set_names(NameOf name_of) { name_of_ = std::move(name_of); }

  void add(int64_t t_ns, TraceKind kind, int src, int dest, int64_t msg_id, std::string text = {});
  uint64_t digest() const { return digest_; }
  uint64_t count() const { return count_; }
  // The kept tail, one line per record.
  std::vector<std::string> tail_lines() const;
  std::string line(const TraceRecord& r) const;

 private:
  size_t tail_limit_;
  std::FILE* sink_;
  NameOf name_of_;
  std::deque<TraceRecord> tail_;
  uint64_t digest_ = 1469598103934665603ull;
  uint64_t count_ = 0;
};

}  // namespace squall::msim
