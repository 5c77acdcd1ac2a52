#include "services/canonical_json.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace squall::services {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

bool name_less(const rapidjson::Value::ConstMemberIterator& a, const rapidjson::Value::ConstMemberIterator& b) {
  const auto& x = a->name;
  const auto& y = b->name;
  size_t n = std::min(x.GetStringLength(), y.GetStringLength());
  int c = std::memcmp(x.GetString(), y.GetString(), n);
  if (c != 0) return c < 0;
  return x.GetStringLength() < y.GetStringLength();
}

// Returns false when the value nests deeper than kJsonDepthMax.
bool write_canonical(const rapidjson::Value& v, int depth, Writer* w) {
  if (depth > kJsonDepthMax) return false;
  if (v.IsObject()) {
    // Sorting member iterators (not members) keeps the input untouched.
    std::vector<rapidjson::Value::ConstMemberIterator> members;
    members.reserve(v.MemberCount());
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) members.push_back(it);
    std::stable_sort(members.begin(), members.end(), name_less);
    w->StartObject();
    for (const auto& m : members) {
      w->String(m->name.GetString(), m->name.GetStringLength());
      if (!write_canonical(m->value, depth + 1, w)) return false;
    }
    w->EndObject();
    return true;
  }
  if (v.IsArray()) {
    w->StartArray();
    for (const auto& e : v.GetArray()) {
      if (!write_canonical(e, depth + 1, w)) return false;
    }
    w->EndArray();
    return true;
  }
  v.Accept(*w);  // scalar
  return true;
}

}  // namespace

Result<std::string> canonical_json(const rapidjson::Value& value) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  if (!write_canonical(value, 0, &w)) {
    return err("JSON value nests deeper than " + std::to_string(kJsonDepthMax) + " levels");
  }
  if (buf.GetSize() > kMaxJsonBytes) {
    return err("JSON value is " + std::to_string(buf.GetSize()) + " bytes, over the limit of " +
               std::to_string(kMaxJsonBytes));
  }
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace squall::services
