// Values and JSON: op values arrive as JSON (from nodes, from JSON-lines histories) and
// result maps leave as JSON (results.json).
//
// From JSON: null, booleans, numbers, strings, arrays (vectors) and objects (maps with
// string keys, or keyword keys when asked). An integer beyond 64 bits is kept as a
// symbol spelling its digits, so writing it again gives the number as it was sent.
// Nesting deeper than the limit is kept as its JSON text, a string. Parsing and writing
// JSON recurse once per level, so text from outside has its depth bounded first
// (core/json_limits.h); parse_json_value() does so itself.
//
// To JSON (results style): keywords and symbols become strings, except a symbol that
// spells an integer (see above); sets and lists become arrays; map keys that are not
// strings or keywords become their EDN text; non-finite doubles become null. Whole
// doubles lose their ".0" here, unlike the JSON-lines history writer (writer.h), which
// must read back the same kinds. Functions are thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "core/json_limits.h"
#include "history/value.h"

namespace squall::history {

struct FromJson {
  int depth_max = kJsonDepthMax;  // deeper values are kept as JSON text
  bool keep_order = false;        // objects become array maps, in the order they were sent
  bool keyword_keys = false;      // object member names become keywords instead of strings
};

Value value_from_json(const rapidjson::Value& j, const FromJson& how = {});

// JSON text as a Value in the order sent (array maps); text that is not JSON becomes a
// string holding it, so nothing a node sends is lost.
Value parse_json_value(std::string_view text);

std::string to_json(const Value& v);

// Compact JSON text of a JSON value.
std::string json_text(const rapidjson::Value& j);

}  // namespace squall::history
