#include "sim/config.h"

#include <string>

#include "core/assert.h"

namespace squall::sim {

FaultPlan fault_plan_for_level(int level) {
  SQ_ASSERT(level >= 1 && level <= 3);
  FaultPlan p;
  if (level == 1) return p;
  p.msg_loss_ppm = 20'000;
  p.msg_dup_ppm = 20'000;
  p.msg_delay_ppm = 50'000;
  p.msg_delay_extra_ms_max = 250;
  p.partition_ppm = 1'500;
  p.pause_ppm = 1'000;
  p.time_jump_ppm = 400;
  p.skew_ppm = 1'500;
  p.lease_expiry_ppm = 1'000;
  if (level == 2) return p;
  p.crash_ppm = 800;
  p.replay_ppm = 3'000;
  p.commit_fail_ppm = 15'000;
  p.commit_ambiguous_ppm = 15'000;
  return p;
}

const char* level_name(int level) {
  switch (level) {
    case 1: return "sunny";
    case 2: return "stormy";
    case 3: return "radioactive";
  }
  return "?";
}

namespace {

constexpr std::string_view kWorkerPrefix = "worker-";

}  // namespace

std::vector<std::string> all_mutation_names() {
  std::vector<std::string> names(coord::model_mutation_names().begin(), coord::model_mutation_names().end());
  for (worker::Fault f : worker::all_faults())
    names.push_back(std::string(kWorkerPrefix) + std::string(worker::fault_name(f)));
  return names;
}

bool apply_mutation(std::string_view name, SimConfig* cfg) {
  if (name.starts_with(kWorkerPrefix)) {
    const std::optional<worker::Fault> f = worker::parse_fault(name.substr(kWorkerPrefix.size()));
    if (!f) return false;
    cfg->worker_faults.add(*f);
  } else if (!coord::set_model_mutation(name, &cfg->mutations)) {
    return false;
  }
  cfg->mutation_name = std::string(name);
  return true;
}

}  // namespace squall::sim
