#include "history/writer.h"

#include <cerrno>
#include <cmath>
#include <cstring>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "history/edn.h"

namespace squall::history {

std::string op_to_edn(const Op& op) {
  std::string s = "{:index " + std::to_string(op.index) + ", :type :" + std::string(to_string(op.type)) +
                  ", :process " + std::to_string(op.process) + ", :f :" + op.f + ", :value ";
  append_edn(&s, op.value);
  if (op.key) {
    s += ", :key ";
    append_edn(&s, *op.key);
  }
  if (op.time_ns >= 0) s += ", :time " + std::to_string(op.time_ns);
  s += "}";
  return s;
}

std::string op_to_edn(const Op& op, const RecordedFields& recorded) {
  std::string s = "{:type :" + std::string(to_string(op.type)) + ", :f :" + op.f + ", :value ";
  append_edn(&s, op.value);
  s += recorded.nemesis ? std::string(", :process :nemesis") : ", :process " + std::to_string(op.process);
  s += ", :time " + std::to_string(op.time_ns) + ", :index " + std::to_string(op.index);
  if (!recorded.error.empty()) s += ", :error " + std::string(recorded.error);
  if (recorded.final) s += ", :final? true";
  s += "}";
  return s;
}

namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void write_json_value(JsonWriter& w, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNil: w.Null(); return;
    case Value::Kind::kBool: w.Bool(v.as_bool()); return;
    case Value::Kind::kInt: w.Int64(v.as_int()); return;
    case Value::Kind::kDouble:
      // JSON has no infinity or NaN (RapidJSON's writer would emit nothing): they become
      // null, as in results.json. Found by the jepsen-log fuzz target (EDN 32e422 is ##Inf).
      if (std::isfinite(v.as_double())) {
        w.Double(v.as_double());
      } else {
        w.Null();
      }
      return;
    case Value::Kind::kString:
    case Value::Kind::kKeyword:
    case Value::Kind::kSymbol:
      w.String(v.as_string().c_str(), static_cast<rapidjson::SizeType>(v.as_string().size()));
      return;
    case Value::Kind::kVector:
    case Value::Kind::kList:
    case Value::Kind::kSet:
      w.StartArray();
      for (const auto& item : v.items()) write_json_value(w, item);
      w.EndArray();
      return;
    case Value::Kind::kMap: {
      w.StartObject();
      const auto& items = v.items();
      for (size_t i = 0; i < items.size(); i += 2) {
        std::string key = items[i].name().empty() ? to_edn(items[i]) : std::string(items[i].name());
        w.Key(key.c_str(), static_cast<rapidjson::SizeType>(key.size()));
        write_json_value(w, items[i + 1]);
      }
      w.EndObject();
      return;
    }
    case Value::Kind::kTagged: write_json_value(w, v.items()[0]); return;
  }
}

}  // namespace

std::string op_to_json(const Op& op) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("index");
  w.Int64(op.index);
  w.Key("type");
  w.String(std::string(to_string(op.type)).c_str());
  w.Key("process");
  w.Int64(op.process);
  w.Key("f");
  w.String(op.f.c_str(), static_cast<rapidjson::SizeType>(op.f.size()));
  w.Key("value");
  write_json_value(w, op.value);
  if (op.key) {
    w.Key("key");
    write_json_value(w, *op.key);
  }
  if (op.time_ns >= 0) {
    w.Key("time");
    w.Int64(op.time_ns);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string history_to_edn(const History& h, bool as_vector) {
  std::string out;
  if (as_vector) out += "[";
  for (const auto& op : h.ops()) {
    out += op_to_edn(op);
    out += "\n";
  }
  if (as_vector) out += "]\n";
  return out;
}

std::string history_to_jsonl(const History& h) {
  std::string out;
  for (const auto& op : h.ops()) {
    out += op_to_json(op);
    out += "\n";
  }
  return out;
}

Status write_history_file(const History& h, const std::string& path, bool json) {
  std::FILE* f = path == "-" ? stdout : std::fopen(path.c_str(), "wb");
  if (f == nullptr) return err(path + ": cannot write: " + std::strerror(errno));
  bool ok = true;
  for (const auto& op : h.ops()) {
    std::string line = json ? op_to_json(op) : op_to_edn(op);
    line += "\n";
    ok = ok && std::fwrite(line.data(), 1, line.size(), f) == line.size();
  }
  if (f != stdout) ok = (std::fclose(f) == 0) && ok;
  if (!ok) return err(path + ": write failed: " + std::strerror(errno));
  return {};
}

}  // namespace squall::history
