#include "checker/result_map.h"

#include "core/assert.h"

namespace squall::checker {

using history::Value;

Value verdict_value(Verdict v) {
  switch (v) {
    case Verdict::kValid: return Value::boolean(true);
    case Verdict::kInvalid: return Value::boolean(false);
    case Verdict::kUnknown: return Value::keyword("unknown");
  }
  SQ_UNREACHABLE("bad Verdict");
}

Verdict verdict_of(const Value& result) {
  const Value* v = result.is_map() ? result.get("valid?") : nullptr;
  if (!v) return Verdict::kValid;
  if (v->kind() == Value::Kind::kBool) return v->as_bool() ? Verdict::kValid : Verdict::kInvalid;
  return Verdict::kUnknown;
}

void set_unknown(Value* result, std::string reason) {
  SQ_ASSERT(result->is_map());
  SQ_ASSERT_MSG(!reason.empty(), "an unknown verdict needs a reason");
  result->set("valid?", verdict_value(Verdict::kUnknown));
  result->set("reason", std::move(reason));
}

std::string unknown_reason(const Value& result) {
  for (const char* key : {"reason", "error"}) {
    const Value* v = result.is_map() ? result.get(key) : nullptr;
    if (v && v->kind() == Value::Kind::kString && !v->as_string().empty()) return v->as_string();
  }
  return "no reason recorded";
}

}  // namespace squall::checker
