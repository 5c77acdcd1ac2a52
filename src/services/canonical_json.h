// Canonical JSON text: the structural identity of a JSON value.
//
// Services store keys and values as canonical text so that two structurally equal JSON
// values (same members in any order, same elements in the same order, same scalars) map
// to the same string, and equality or ordering of values is a string comparison. Object
// members are written sorted by name; numbers and strings as RapidJSON writes them
// (so 1 and 1.0 stay distinct, as they are distinct JSON texts). Pure functions;
// thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <string>

#include "core/json_limits.h"
#include "core/result.h"

namespace squall::services {

// Deepest nesting of arrays/objects accepted in a key or value; deeper input is refused
// rather than recursed into.

// Largest canonical text accepted for one key or value.
inline constexpr size_t kMaxJsonBytes = 1 << 20;

// Canonical text of `value`, or an error naming the limit it broke.
Result<std::string> canonical_json(const rapidjson::Value& value);

}  // namespace squall::services
