#include "services/canonical_json.h"

#include <gtest/gtest.h>

#include <string>

#include "services/testing/service_calls.h"

namespace squall::services {
namespace {

using testing::parse_json;

std::string canon(const char* text) {
  auto d = parse_json(text);
  auto c = canonical_json(d);
  EXPECT_TRUE(c.ok());
  return c.ok() ? c.value() : "";
}

TEST(CanonicalJson, ObjectMemberOrderDoesNotMatter) {
  EXPECT_EQ(canon(R"({"b":[1,{"y":2,"x":1}],"a":null})"), canon(R"({"a":null,"b":[1,{"x":1,"y":2}]})"));
  EXPECT_EQ(canon(R"({"b":1,"a":2})"), R"({"a":2,"b":1})");
}

TEST(CanonicalJson, ArrayOrderAndScalarKindsMatter) {
  EXPECT_NE(canon("[1,2]"), canon("[2,1]"));
  EXPECT_NE(canon("1"), canon("1.0"));
  EXPECT_NE(canon("1"), canon("\"1\""));
  EXPECT_EQ(canon(" \"a\\u0062\" "), "\"ab\"");
}

TEST(CanonicalJson, RefusesDeepNesting) {
  std::string deep(kJsonDepthMax + 2, '[');
  deep += std::string(kJsonDepthMax + 2, ']');
  auto d = parse_json(deep);
  auto c = canonical_json(d);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().find("nests deeper"), std::string::npos);

  std::string ok(kJsonDepthMax, '[');
  ok += std::string(kJsonDepthMax, ']');
  EXPECT_TRUE(canonical_json(parse_json(ok)).ok());
}

}  // namespace
}  // namespace squall::services
