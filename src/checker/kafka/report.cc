// Rendering of kafka::CheckResult: JSON for results files, text for the console.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <sstream>

#include "checker/kafka/checker.h"

namespace squall::checker::kafka {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void field(Writer& w, const char* name, int64_t v) {
  w.Key(name);
  w.Int64(v);
}

void field(Writer& w, const char* name, const std::string& v) {
  w.Key(name);
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}

void field(Writer& w, const char* name, const std::vector<int64_t>& v) {
  w.Key(name);
  w.StartArray();
  for (int64_t x : v) w.Int64(x);
  w.EndArray();
}

void write_case(Writer& w, const LostWrite& c) {
  field(w, "key", c.key);
  field(w, "offset", c.offset);
  field(w, "msg", c.msg);
  field(w, "send-index", c.send_index);
  field(w, "max-read-offset", c.max_read_offset);
}

void write_case(Writer& w, const Duplicate& c) {
  field(w, "key", c.key);
  field(w, "msg", c.msg);
  field(w, "offsets", c.offsets);
}

void write_case(Writer& w, const InconsistentOffset& c) {
  field(w, "key", c.key);
  field(w, "offset", c.offset);
  field(w, "msgs", c.msgs);
}

// Sends and polls that step backwards (or skip) are described by the same fields.
template <typename Step>
void write_step(Writer& w, const Step& c) {
  field(w, "key", c.key);
  field(w, "process", c.process);
  field(w, "prev-offset", c.prev_offset);
  field(w, "offset", c.offset);
  field(w, "prev-index", c.prev_index);
  field(w, "index", c.index);
}

void write_case(Writer& w, const NonmonotonicSend& c) { write_step(w, c); }

void write_case(Writer& w, const PollStep& c) {
  write_step(w, c);
  if (c.skipped > 0) {
    field(w, "skipped", c.skipped);
    field(w, "skipped-offsets", c.skipped_offsets);
  }
}

void write_case(Writer& w, const BadRead& c) {
  field(w, "key", c.key);
  field(w, "offset", c.offset);
  field(w, "msg", c.msg);
  field(w, "poll-index", c.poll_index);
  if (c.send_index >= 0) field(w, "send-index", c.send_index);
}

void write_case(Writer& w, const Unseen& c) {
  field(w, "key", c.key);
  field(w, "msg", c.msg);
  if (c.offset) field(w, "offset", *c.offset);
  field(w, "send-index", c.send_index);
}

template <typename Case>
void write_cases(Writer& w, const char* name, const Cases<Case>& cases) {
  if (cases.empty()) return;
  w.Key(name);
  w.StartObject();
  field(w, "count", cases.count);
  w.Key("examples");
  w.StartArray();
  for (const Case& c : cases.examples) {
    w.StartObject();
    write_case(w, c);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

std::string join(const std::vector<int64_t>& v) {
  std::ostringstream os;
  for (size_t i = 0; i < v.size(); ++i) os << (i ? "," : "") << v[i];
  return os.str();
}

}  // namespace

std::string to_json(const CheckResult& r) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("valid");
  w.Bool(r.valid);
  w.Key("error-types");
  w.StartArray();
  for (const auto& t : r.error_types()) w.String(t.data(), static_cast<rapidjson::SizeType>(t.size()));
  w.EndArray();
  w.Key("stats");
  w.StartObject();
  field(w, "ops", r.stats.ops);
  field(w, "keys", r.stats.keys);
  field(w, "send-ok", r.stats.send_ok);
  field(w, "send-fail", r.stats.send_fail);
  field(w, "send-info", r.stats.send_info);
  field(w, "poll-ok", r.stats.poll_ok);
  field(w, "poll-fail", r.stats.poll_fail);
  field(w, "poll-info", r.stats.poll_info);
  field(w, "polled-msgs", r.stats.polled_msgs);
  field(w, "send-ok-without-offset", r.stats.send_ok_without_offset);
  w.EndObject();
  write_cases(w, "lost-write", r.lost_write);
  write_cases(w, "duplicate", r.duplicate);
  write_cases(w, "inconsistent-offsets", r.inconsistent_offsets);
  write_cases(w, "nonmonotonic-send", r.nonmonotonic_send);
  write_cases(w, "nonmonotonic-poll", r.nonmonotonic_poll);
  write_cases(w, "int-nonmonotonic-poll", r.int_nonmonotonic_poll);
  write_cases(w, "poll-skip", r.poll_skip);
  write_cases(w, "int-poll-skip", r.int_poll_skip);
  write_cases(w, "aborted-read", r.aborted_read);
  write_cases(w, "phantom-read", r.phantom_read);
  write_cases(w, "unseen", r.unseen);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string summary(const CheckResult& r) {
  std::ostringstream os;
  os << "kafka: " << (r.valid ? "valid" : "INVALID") << " — " << r.stats.send_ok << " acknowledged sends, "
     << r.stats.poll_ok << " ok polls returning " << r.stats.polled_msgs << " messages over " << r.stats.keys
     << " keys\n";
  if (!r.lost_write.empty()) {
    const auto& c = r.lost_write.examples.front();
    os << "  lost-write (" << r.lost_write.count << "): key " << c.key << " msg " << c.msg << " acknowledged at offset "
       << c.offset << " (op " << c.send_index << ") never polled, though offset " << c.max_read_offset << " was\n";
  }
  if (!r.duplicate.empty()) {
    const auto& c = r.duplicate.examples.front();
    os << "  duplicate (" << r.duplicate.count << "): key " << c.key << " msg " << c.msg << " at offsets "
       << join(c.offsets) << "\n";
  }
  if (!r.inconsistent_offsets.empty()) {
    const auto& c = r.inconsistent_offsets.examples.front();
    os << "  inconsistent-offsets (" << r.inconsistent_offsets.count << "): key " << c.key << " offset " << c.offset
       << " holds msgs " << join(c.msgs) << "\n";
  }
  if (!r.nonmonotonic_send.empty()) {
    const auto& c = r.nonmonotonic_send.examples.front();
    os << "  nonmonotonic-send (" << r.nonmonotonic_send.count << "): process " << c.process << " key " << c.key
       << " offset " << c.prev_offset << " (op " << c.prev_index << ") then " << c.offset << " (op " << c.index
       << ")\n";
  }
  auto step = [&os](const char* name, const Cases<PollStep>& cases) {
    if (cases.empty()) return;
    const auto& c = cases.examples.front();
    os << "  " << name << " (" << cases.count << "): process " << c.process << " key " << c.key << " polled offset "
       << c.prev_offset << " (op " << c.prev_index << ") then " << c.offset << " (op " << c.index << ")";
    if (c.skipped > 0) os << ", skipping " << c.skipped << " known offsets: " << join(c.skipped_offsets);
    os << "\n";
  };
  step("nonmonotonic-poll", r.nonmonotonic_poll);
  step("int-nonmonotonic-poll", r.int_nonmonotonic_poll);
  step("poll-skip", r.poll_skip);
  step("int-poll-skip", r.int_poll_skip);
  auto bad = [&os](const char* name, const char* why, const Cases<BadRead>& cases) {
    if (cases.empty()) return;
    const auto& c = cases.examples.front();
    os << "  " << name << " (" << cases.count << "): poll (op " << c.poll_index << ") returned key " << c.key
       << " offset " << c.offset << " msg " << c.msg << ", " << why << "\n";
  };
  bad("aborted-read", "whose send failed", r.aborted_read);
  bad("phantom-read", "which no send carried", r.phantom_read);
  if (!r.unseen.empty()) {
    const auto& c = r.unseen.examples.front();
    os << "  unseen (" << r.unseen.count << "): key " << c.key << " msg " << c.msg << " acknowledged (op "
       << c.send_index << ") but never polled\n";
  }
  return os.str();
}

}  // namespace squall::checker::kafka
