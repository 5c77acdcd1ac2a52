#include "coord/types.h"
#include "coord/errors.h"
#include "coord/mutations.h"

namespace squall::coord {

const char* to_string(ShardStatus s) {
  switch (s) {
    case ShardStatus::Active: return "Active";
    case ShardStatus::Done: return "Done";
    case ShardStatus::Split: return "Split";
    case ShardStatus::Parked: return "Parked";
  }
  return "?";
}

const char* to_string(RunStatus s) { return s == RunStatus::Active ? "Active" : "Done"; }

const char* to_string(OpKind k) {
  switch (k) {
    case OpKind::CreateRun: return "create_run";
    case OpKind::RegisterShards: return "register_shards";
    case OpKind::ClaimNext: return "claim_next";
    case OpKind::Acquire: return "acquire";
    case OpKind::Renew: return "renew";
    case OpKind::Checkpoint: return "checkpoint";
    case OpKind::Complete: return "complete";
    case OpKind::Park: return "park";
    case OpKind::SplitReplace: return "split_replace";
    case OpKind::SplitResidual: return "split_residual";
    case OpKind::Unpark: return "unpark";
    case OpKind::FinishRun: return "finish_run";
  }
  return "?";
}

const char* to_string(CoordErrc c) {
  switch (c) {
    case CoordErrc::OpIdConflict: return "OpIdConflict";
    case CoordErrc::TenantMismatch: return "TenantMismatch";
    case CoordErrc::ShardTerminal: return "ShardTerminal";
    case CoordErrc::StaleFence: return "StaleFence";
    case CoordErrc::LeaseExpired: return "LeaseExpired";
    case CoordErrc::RunNotFound: return "RunNotFound";
    case CoordErrc::ShardNotFound: return "ShardNotFound";
    case CoordErrc::RunExists: return "RunExists";
    case CoordErrc::ShardExists: return "ShardExists";
    case CoordErrc::LeaseHeld: return "LeaseHeld";
    case CoordErrc::NotParked: return "NotParked";
    case CoordErrc::RunTerminal: return "RunTerminal";
    case CoordErrc::RunNotFinished: return "RunNotFinished";
    case CoordErrc::ClaimCooldown: return "ClaimCooldown";
    case CoordErrc::NoShardAvailable: return "NoShardAvailable";
    case CoordErrc::CursorMissing: return "CursorMissing";
    case CoordErrc::CursorRegression: return "CursorRegression";
    case CoordErrc::CursorOutOfBounds: return "CursorOutOfBounds";
    case CoordErrc::CursorTooLarge: return "CursorTooLarge";
    case CoordErrc::SplitChildCount: return "SplitChildCount";
    case CoordErrc::SplitCoverage: return "SplitCoverage";
    case CoordErrc::ResidualCoverage: return "ResidualCoverage";
    case CoordErrc::ResidualCursorOutside: return "ResidualCursorOutside";
    case CoordErrc::InvalidSpec: return "InvalidSpec";
    case CoordErrc::SpecOverlap: return "SpecOverlap";
    case CoordErrc::DerivedIdNotAllowed: return "DerivedIdNotAllowed";
    case CoordErrc::InvalidArgument: return "InvalidArgument";
    case CoordErrc::LimitExceeded: return "LimitExceeded";
    case CoordErrc::Unavailable: return "Unavailable";
    case CoordErrc::Indeterminate: return "Indeterminate";
    case CoordErrc::Contention: return "Contention";
  }
  return "?";
}

namespace {

struct MutationName {
  std::string_view name;
  bool Mutations::*flag;
};

constexpr MutationName kMutationNames[] = {
    {"skip-fence-check", &Mutations::skip_fence_check},
    {"allow-cursor-regression", &Mutations::allow_cursor_regression},
    {"split-with-gap", &Mutations::split_with_gap},
    {"no-idempotency", &Mutations::no_idempotency},
    {"acquire-ignores-live-lease", &Mutations::acquire_ignores_live_lease},
    {"ignore-claim-cooldown", &Mutations::ignore_claim_cooldown},
    {"residual-with-gap", &Mutations::residual_with_gap},
};

}  // namespace

const std::vector<std::string_view>& model_mutation_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const auto& m : kMutationNames) v.push_back(m.name);
    return v;
  }();
  return names;
}

bool set_model_mutation(std::string_view name, Mutations* m) {
  for (const auto& entry : kMutationNames) {
    if (entry.name == name) {
      m->*entry.flag = true;
      return true;
    }
  }
  return false;
}

}  // namespace squall::coord
