// Consistency models and the anomalies that rule them out, for the txn checker.
//
// Anomaly names are Elle's (G0, G1a, G1b, G1c, G-single, G-nonadjacent, G2-item, G2,
// each cycle class also with -process and -realtime, plus the graph-free ones:
// internal, dirty-update, duplicate-elements, incompatible-order, lost-update,
// cyclic-versions, future-read, garbage-read). Having one anomaly implies having the
// weaker ones it specialises (G-single is a G-nonadjacent cycle, which is a G2-item
// cycle, which is a G2 cycle; a cycle without process edges is also one in the graph
// with them, so G0 implies G0-process implies G0-realtime).
//
// Models follow Adya's PL levels and their session / real-time strengthenings:
// read-uncommitted (PL-1) proscribes G0; read-committed (PL-2) G1; repeatable-read
// (PL-2.99) G2-item; snapshot-isolation G-nonadjacent (cycles without two adjacent
// anti-dependencies cannot arise under SI); serializable (PL-3) G2; the strong-session-
// variants add process order (the -process forms) and the strong- variants real-time
// order (the -realtime forms); strict-serializable is strong serializable. Lost update
// rules out repeatable-read and snapshot-isolation; the graph-free anomalies that break
// the data model itself (internal, duplicate-elements, incompatible-order,
// cyclic-versions, future-read, garbage-read) rule out every model. Pure; thread-safe.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace squall::checker::txn {

// Every model name known, weakest first.
const std::vector<std::string>& model_names();

// The canonical name for a model ("strong-serializable" is "strict-serializable"), or
// nullopt when unknown.
std::optional<std::string> canonical_model(std::string_view name);

// Every anomaly name the checker can report.
const std::vector<std::string>& anomaly_names();

// The anomalies implied by `found` (found included).
std::set<std::string> implied_anomalies(const std::set<std::string>& found);

// Models ruled out by the anomalies found: `not_` are those none of whose weaker models
// is ruled out, `also_not` the rest.
struct RuledOut {
  std::set<std::string> not_;
  std::set<std::string> also_not;
  bool rules_out(const std::string& model) const { return not_.count(model) || also_not.count(model); }
};
RuledOut ruled_out(const std::set<std::string>& found);

// Whether `model` proscribes `anomaly` (directly or through a weaker model it implies),
// taking implications between anomalies into account.
bool proscribes(const std::string& model, const std::string& anomaly);

}  // namespace squall::checker::txn
