// Test helper: a JSON document from text, for node replies and op values in workload
// tests. A parse error fails the calling test instead of handing on a null document.
#pragma once

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>

namespace squall::workload::testing {

inline rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  EXPECT_FALSE(d.HasParseError()) << text;
  return d;
}

}  // namespace squall::workload::testing
