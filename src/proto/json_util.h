// Small helpers over RapidJSON values used by every Maelstrom message handler.
//
// Lookups take std::string_view keys and return nullptr / nullopt when the member is
// absent or has the wrong type, so a handler can turn that into an error-12 reply.
// Stateless; thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace squall::proto {

// The member `key` of `obj`, or nullptr when `obj` is not an object or lacks it.
const rapidjson::Value* member(const rapidjson::Value& obj, std::string_view key);

// Typed lookups: nullopt when absent or of another type. Integers must fit int64.
std::optional<int64_t> get_int(const rapidjson::Value& obj, std::string_view key);
std::optional<std::string_view> get_string(const rapidjson::Value& obj, std::string_view key);
std::optional<bool> get_bool(const rapidjson::Value& obj, std::string_view key);

inline std::string_view view(const rapidjson::Value& v) { return std::string_view(v.GetString(), v.GetStringLength()); }

// Compact JSON text of a value (what a Writer would emit).
std::string to_json(const rapidjson::Value& v);

// `s` as a quoted, escaped JSON string literal, appended to `out`.
void append_json_string(std::string& out, std::string_view s);
std::string json_string(std::string_view s);

}  // namespace squall::proto
