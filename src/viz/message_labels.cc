#include "viz/message_labels.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "viz/escape.h"

namespace squall::viz {
namespace {

constexpr size_t kLabelBytes = 48;  // long enough for "read_ok messages=[1,2,3,4]"
constexpr size_t kBodyBytes = 400;  // hover text

std::string compact(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace

std::string MessageLabels::label_of(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return clip_utf8(body, kLabelBytes);
  std::string type = "?";
  std::string rest;
  for (const auto& m : doc.GetObject()) {
    std::string_view key(m.name.GetString(), m.name.GetStringLength());
    if (key == "type") {
      if (m.value.IsString()) type.assign(m.value.GetString(), m.value.GetStringLength());
      continue;
    }
    // Ids say nothing a reader of the diagram needs: the arrow already links the pair.
    if (key == "msg_id" || key == "in_reply_to") continue;
    rest += ' ';
    rest += key;
    rest += '=';
    rest += compact(m.value);
    if (rest.size() > kLabelBytes) break;
  }
  return clip_utf8(type + rest, kLabelBytes);
}

void MessageLabels::note_slow(int64_t msg_id, std::string_view body) {
  auto i = static_cast<size_t>(msg_id - 1);
  if (i >= labels_.size()) labels_.resize(i + 1);
  labels_[i] = MessageLabel{label_of(body), clip_utf8(body, kBodyBytes)};
}

const MessageLabel* MessageLabels::find(int64_t msg_id) const {
  if (msg_id < 1 || static_cast<size_t>(msg_id) > labels_.size()) return nullptr;
  const MessageLabel& l = labels_[static_cast<size_t>(msg_id - 1)];
  return l.label.empty() ? nullptr : &l;
}

}  // namespace squall::viz
