// parse_json: a JSON document from text, for tests that state requests and replies as
// JSON text. A parse error fails the calling test (non-fatally, naming the text) instead
// of passing a null document on silently. Header-only.
#pragma once

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string_view>

namespace squall::testing {

inline rapidjson::Document parse_json(std::string_view text) {
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  EXPECT_FALSE(d.HasParseError()) << "not JSON: " << text;
  return d;
}

}  // namespace squall::testing
