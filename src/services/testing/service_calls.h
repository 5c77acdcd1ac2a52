// Test helpers for services: send a request body given as JSON text, get the reply
// parsed back. Test-only; not part of squall_services.
#pragma once

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "core/testing/json.h"
#include "services/service.h"

namespace squall::services::testing {

using ::squall::testing::parse_json;

// Sends `body` from `src` at time `now_ms` and returns the parsed reply.
inline rapidjson::Document call(Service& service, std::string_view src, std::string_view body, int64_t now_ms = 0) {
  rapidjson::Document request = parse_json(body);
  std::string reply = service.handle(src, request, now_ms);
  rapidjson::Document d = parse_json(reply);
  EXPECT_TRUE(d.IsObject()) << reply;
  EXPECT_FALSE(d.HasMember("msg_id")) << "service replies carry no msg_id: " << reply;
  return d;
}

inline std::string type_of(const rapidjson::Document& reply) {
  auto it = reply.FindMember("type");
  return it != reply.MemberEnd() && it->value.IsString() ? it->value.GetString() : "<no type>";
}

inline int code_of(const rapidjson::Document& reply) {
  auto it = reply.FindMember("code");
  return it != reply.MemberEnd() && it->value.IsInt() ? it->value.GetInt() : -1;
}

}  // namespace squall::services::testing
