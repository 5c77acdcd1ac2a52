#include "viz/op_span.h"

namespace squall::viz {

std::string_view outcome_name(Outcome o) {
  switch (o) {
    case Outcome::kOk: return "ok";
    case Outcome::kFail: return "fail";
    case Outcome::kInfo: return "info";
    case Outcome::kOpen: return "open";
  }
  return "?";
}

}  // namespace squall::viz
