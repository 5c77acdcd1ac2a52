// LinTso: the `lin-tso` service, a linearizable timestamp oracle.
//
// Answers ts{} with ts_ok{ts}, the integers 0, 1, 2, ... in the order requests are
// delivered, so every timestamp is unique and later requests get larger ones. Not
// thread-safe (see service.h).
#pragma once

#include <cstdint>

#include "services/service.h"

namespace squall::services {

class LinTso final : public Service {
 public:
  std::string_view name() const override { return "lin-tso"; }
  std::string handle(std::string_view src, const rapidjson::Value& body, int64_t now_ms) override;

 private:
  int64_t next_ts_ = 0;
};

}  // namespace squall::services
