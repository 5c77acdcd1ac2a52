// OpSpan: one client operation as the timeline and the plots draw it, from invocation
// to completion; and the nemesis windows they shade.
//
// Plain data the harness builds from its history, so the drawing code depends on no
// history representation. Times are nanoseconds since the run began.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace squall::viz {

enum class Outcome : uint8_t { kOk, kFail, kInfo, kOpen };  // kOpen: never completed

std::string_view outcome_name(Outcome o);  // "ok", "fail", "info", "open"

struct OpSpan {
  int64_t index = -1;  // the invocation's position in the history; the bar's anchor "op-<index>"
  int64_t process = 0;
  std::string f;
  Outcome outcome = Outcome::kOpen;
  int64_t invoke_ns = 0;
  int64_t complete_ns = -1;  // -1 when open
  std::string invoke_value;  // as the history prints it
  std::string complete_value;
  std::string error;
  std::string node;
};

// A period the nemesis was active (e.g. a partition), with what it did.
struct Window {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  std::string label;
};

struct Ops {
  std::vector<OpSpan> spans;  // in invocation order
  std::vector<Window> nemesis;
  int64_t end_ns = 0;  // when the run ended (open spans reach it)
};

}  // namespace squall::viz
