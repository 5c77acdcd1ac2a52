#include "msim/trace.h"

#include <fmt/format.h>

namespace squall::msim {
namespace {

const char* kind_name(TraceKind k) {
  switch (k) {
    case TraceKind::kSend: return "send";
    case TraceKind::kRecv: return "recv";
    case TraceKind::kDropPartition: return "drop-partition";
    case TraceKind::kDropLoss: return "drop-loss";
    case TraceKind::kDropDown: return "drop-down";
    case TraceKind::kDup: return "dup";
    case TraceKind::kHeld: return "held-paused";
    case TraceKind::kTimer: return "timer";
    case TraceKind::kOp: return "op";
    case TraceKind::kNemesis: return "nemesis";
  }
  return "?";
}

constexpr uint64_t kFnvPrime = 1099511628211ull;

void mix(uint64_t* h, uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    *h ^= (v >> (8 * i)) & 0xff;
    *h *= kFnvPrime;
  }
}

constexpr uint64_t pow_prime(int k) {
  uint64_t p = 1;
  for (int i = 0; i < k; ++i) p *= kFnvPrime;
  return p;
}
// mix() of a value below 256: its seven zero high bytes only multiply, so the eight
// rounds fold into one xor and one multiply by prime^8 (the same digest, 8x cheaper on
// the long texts of ops).
constexpr uint64_t kFnvPrime8 = pow_prime(8);
void mix_byte(uint64_t* h, unsigned char c) { *h = (*h ^ c) * kFnvPrime8; }

}  // namespace

void Trace::add(int64_t t_ns, TraceKind kind, int src, int dest, int64_t msg_id, std::string text) {
  ++count_;
  mix(&digest_, static_cast<uint64_t>(t_ns));
  mix_byte(&digest_, static_cast<unsigned char>(kind));
  mix(&digest_, static_cast<uint64_t>(static_cast<uint32_t>(src)) << 32 | static_cast<uint32_t>(dest));
  mix(&digest_, static_cast<uint64_t>(msg_id));
  for (char c : text) mix_byte(&digest_, static_cast<unsigned char>(c));
  TraceRecord r{t_ns, kind, src, dest, msg_id, std::move(text)};
  if (sink_ != nullptr) {
    std::string l = line(r);
    std::fputs(l.c_str(), sink_);
    std::fputc('\n', sink_);
  }
  if (tail_limit_ == 0) return;
  if (tail_.size() == tail_limit_) tail_.pop_front();
  tail_.push_back(std::move(r));
}

std::string Trace::line(const TraceRecord& r) const {
  auto name = [&](int e) { return e < 0 ? std::string("-") : name_of_ ? name_of_(e) : std::to_string(e); };
  std::string out = fmt::format("{:>12.3f} ms {:<14}", static_cast<double>(r.t_ns) / 1e6, kind_name(r.kind));
  if (r.kind == TraceKind::kOp || r.kind == TraceKind::kNemesis) return out + " " + r.text;
  if (r.kind == TraceKind::kTimer) return out + " " + name(r.src);
  return out + fmt::format(" {} -> {} #{}", name(r.src), name(r.dest), r.msg_id);
}

std::vector<std::string> Trace::tail_lines() const {
  std::vector<std::string> out;
  out.reserve(tail_.size());
  for (const auto& r : tail_) out.push_back(line(r));
  return out;
}

}  // namespace squall::msim
