#include "history/edn.h"
#include "model/model.h"
#include "model/specs.h"

namespace squall::model {

namespace {

struct Entry {
  const char* name;
  const char* summary;
};

constexpr Entry kEntries[] = {
    {"register", "read/write register; :read returns the value (initial nil or --init; a nil read: see --nil-read)"},
    {"cas-register", "register with :cas [from to] as well (Knossos cas-register; initial nil or --init; --nil-read)"},
    {"kv", "per-key :get/:put/:append of strings (Porcupine kv; initial \"\")"},
    {"mutex", ":acquire/:release of one lock"},
    {"multi-register", ":txn [[:r k v] [:w k v] ...] over several registers"},
    {"set", ":add v and :read #{...} of a grow-only set"},
    {"fifo-queue", ":enqueue v / :dequeue v, first in first out"},
    {"unordered-queue", ":enqueue v / :dequeue v, any order"},
    {"shard-lease", "one shard's lease record (:key = shard id): :acquire/:renew/:checkpoint/:complete/:park/:unpark"},
};

}  // namespace

std::string_view to_string(NilRead r) {
  switch (r) {
    case NilRead::kUnknown: return "unknown";
    case NilRead::kStrict: return "strict";
  }
  SQ_UNREACHABLE("nil read");
}

std::optional<NilRead> nil_read_from(std::string_view name) {
  for (NilRead r : {NilRead::kUnknown, NilRead::kStrict})
    if (name == to_string(r)) return r;
  return std::nullopt;
}

const std::vector<std::string>& model_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& e : kEntries) n.emplace_back(e.name);
    return n;
  }();
  return names;
}

std::string describe_models() {
  std::string out;
  for (const auto& e : kEntries)
    out += std::string("  ") + e.name + std::string(18 - std::string_view(e.name).size(), ' ') + e.summary + "\n";
  return out;
}

Result<std::unique_ptr<Model>> make_model(std::string_view name, const ModelOptions& options) {
  history::Value init = options.initial.value_or(history::Value::nil());
  if (name == "register") return make_register(false, init, options.nil_read);
  if (name == "cas-register") return make_register(true, init, options.nil_read);
  if (name == "multi-register") return make_multi_register(init);
  if (name == "kv") {
    std::string s;
    if (options.initial) {
      if (!options.initial->is_string())
        return err("the kv model needs a string initial value, found " + history::to_edn(*options.initial));
      s = options.initial->as_string();
    }
    return make_kv(s);
  }
  if (name == "mutex") return make_mutex();
  if (name == "set") return make_set();
  if (name == "fifo-queue") return make_queue(true);
  if (name == "unordered-queue") return make_queue(false);
  if (name == "shard-lease") return make_shard_lease();
  std::string known;
  for (const auto& n : model_names()) known += (known.empty() ? "" : ", ") + n;
  return err("unknown model '" + std::string(name) + "' (known: " + known + ")");
}

}  // namespace squall::model
