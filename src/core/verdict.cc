#include "core/verdict.h"

#include "core/assert.h"

namespace squall {

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::kValid: return "valid";
    case Verdict::kInvalid: return "invalid";
    case Verdict::kUnknown: return "unknown";
  }
  SQ_UNREACHABLE("bad Verdict");
}

Verdict merge(Verdict a, Verdict b) {
  if (a == Verdict::kInvalid || b == Verdict::kInvalid) return Verdict::kInvalid;
  if (a == Verdict::kUnknown || b == Verdict::kUnknown) return Verdict::kUnknown;
  return Verdict::kValid;
}

}  // namespace squall
