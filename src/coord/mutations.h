// Mutations: switches that deliberately break the coordination protocol.
//
// They exist only to prove that the simulator's checks are not vacuous: with a switch
// on, `squall sim` must find a violation within a bounded number of seeds. Production
// code paths never set them (the default is all off). Value type.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace squall::coord {

struct Mutations {
  bool skip_fence_check = false;            // lease validation ignores the fence
  bool allow_cursor_regression = false;     // checkpoint accepts a cursor below the current one
  bool split_with_gap = false;              // split_replace accepts children with gaps/overlaps
  bool no_idempotency = false;              // op-log lookup skipped: replays re-apply
  bool acquire_ignores_live_lease = false;  // acquire steals a live lease
  bool ignore_claim_cooldown = false;       // claim_next ignores the per-worker cooldown
  bool residual_with_gap = false;           // split_residual accepts a gap between the halves

  bool any() const {
    return skip_fence_check || allow_cursor_regression || split_with_gap || no_idempotency ||
           acquire_ignores_live_lease || ignore_claim_cooldown || residual_with_gap;
  }
};

// Names accepted on the command line, in a stable order.
const std::vector<std::string_view>& model_mutation_names();
// Sets the named switch; false if the name is not a model mutation.
bool set_model_mutation(std::string_view name, Mutations* m);

}  // namespace squall::coord
