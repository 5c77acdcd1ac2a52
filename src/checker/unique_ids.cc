#include "checker/unique_ids.h"

#include <fmt/format.h>

#include <map>

#include "checker/result_map.h"
#include "history/value_json.h"

namespace squall::checker {

using history::Value;

Value check_unique_ids(const UniqueIdsHistory& history) {
  std::map<std::string, std::vector<const GeneratedId*>> seen;
  for (const GeneratedId& g : history.acknowledged) seen[g.id].push_back(&g);
  auto acknowledged = static_cast<int64_t>(history.acknowledged.size());
  Value dups = Value::vector();
  int64_t duplicated = 0;
  for (const auto& [id, ids] : seen) {
    if (ids.size() < 2) continue;
    ++duplicated;
    if (dups.items().size() >= 8) continue;
    Value d = Value::array_map();
    d.set("id", history::parse_json_value(id));
    d.set("count", static_cast<int64_t>(ids.size()));
    Value nodes = Value::vector();
    for (size_t k = 0; k < ids.size() && k < 4; ++k) nodes.push(ids[k]->node);
    d.set("nodes", std::move(nodes));
    dups.push(std::move(d));
  }
  Value r = Value::array_map();
  // No request at all (--rate 0) is an empty history, valid as in Maelstrom.
  if (duplicated == 0 && acknowledged == 0 && history.attempted > 0) {
    set_unknown(
        &r, fmt::format("none of the {} generate requests succeeded, so no id could be compared", history.attempted));
  } else {
    r.set("valid?", verdict_value(duplicated > 0 ? Verdict::kInvalid : Verdict::kValid));
  }
  r.set("attempted-count", history.attempted);
  r.set("acknowledged-count", acknowledged);
  r.set("duplicated-count", duplicated);
  r.set("duplicated", std::move(dups));
  return r;
}

}  // namespace squall::checker
