#include "msim/faults.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace squall::msim {

bool FaultMix::has(const std::string& kind) const {
  return std::find(nemesis.begin(), nemesis.end(), kind) != nemesis.end();
}

namespace {

std::string percent(uint32_t ppm) { return fmt::format("{:.1f}%", static_cast<double>(ppm) / 1e4); }
std::string fraction(uint32_t ppm) { return fmt::format("{}", static_cast<double>(ppm) / kPpm); }

}  // namespace

std::string FaultMix::describe() const {
  std::vector<std::string> parts;
  if (loss_ppm) parts.push_back("loss " + percent(loss_ppm));
  if (dup_ppm) parts.push_back("dup " + percent(dup_ppm));
  if (reorder_ppm) parts.push_back(fmt::format("reorder {} (<= {} ms)", percent(reorder_ppm), reorder_max_ms));
  if (skew_ppm) parts.push_back("timer skew " + percent(skew_ppm));
  if (!nemesis.empty()) parts.push_back(fmt::format("nemesis {}", fmt::join(nemesis, ",")));
  return parts.empty() ? "none" : fmt::format("{}", fmt::join(parts, ", "));
}

std::string FaultMix::flags() const {
  std::string out;
  if (loss_ppm) out += " --p-loss " + fraction(loss_ppm);
  if (dup_ppm) out += " --p-dup " + fraction(dup_ppm);
  if (reorder_ppm) out += fmt::format(" --p-reorder {} --reorder-max {}", fraction(reorder_ppm), reorder_max_ms);
  if (skew_ppm) out += " --skew " + fraction(skew_ppm);
  if (!nemesis.empty()) out += fmt::format(" --nemesis {}", fmt::join(nemesis, ","));
  return out;
}

const std::vector<std::string>& nemesis_kinds() {
  static const std::vector<std::string> kinds = {"partition", "one-way", "kill", "pause"};
  return kinds;
}

Status validate_nemesis(const std::vector<std::string>& kinds) {
  for (const auto& k : kinds) {
    const auto& all = nemesis_kinds();
    if (std::find(all.begin(), all.end(), k) == all.end())
      return err(fmt::format("unknown nemesis '{}' (expected a comma-separated list of {})", k, fmt::join(all, ", ")));
  }
  return {};
}

bool survives_kill(const std::string& workload) { return workload == "echo" || workload == "lin-kv"; }

FaultMix draw_swarm(const std::string& workload, Rng rng) {
  // Each fault is on with probability 1/2, so 100 seeds cover every combination often.
  FaultMix m;
  static const uint32_t kLoss[] = {10'000, 50'000, 200'000};
  static const uint32_t kDup[] = {10'000, 100'000};
  if (rng.chance(1, 2)) m.loss_ppm = kLoss[rng.below(3)];
  if (rng.chance(1, 2)) m.dup_ppm = kDup[rng.below(2)];
  if (rng.chance(1, 2)) {
    m.reorder_ppm = 100'000;
    m.reorder_max_ms = rng.range(50, 500);
  }
  if (rng.chance(1, 2)) m.skew_ppm = static_cast<uint32_t>(rng.range(10'000, 200'000));
  for (const auto& k : nemesis_kinds()) {
    bool on = rng.chance(1, 2);
    if (k == "kill" && !survives_kill(workload)) on = false;
    if (on) m.nemesis.push_back(k);
  }
  return m;
}

Result<uint32_t> parse_probability(const std::string& text, const std::string& flag) {
  char* end = nullptr;
  double p = std::strtod(text.c_str(), &end);
  if (text.empty() || end == nullptr || *end != '\0' || !std::isfinite(p) || p < 0 || p > 1)
    return err(fmt::format("{} must be a probability between 0 and 1 (got '{}')", flag, text));
  return static_cast<uint32_t>(std::llround(p * kPpm));
}

}  // namespace squall::msim
