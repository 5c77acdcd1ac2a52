#include "worker_audit/run_audit.h"

#include <fstream>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>

#include "coord/memory_store.h"
#include "etcd_store/content_set.h"
#include "etcd_store/record_codec.h"
#include "etcd_store/record_keys.h"
#include "sim/checker.h"
#include "sim/conduct.h"
#include "worker_audit/split_tiling.h"
#include "worker_driver/control_codec.h"
#include "worker_driver/data_plane.h"

namespace squall::worker_audit {

namespace {

constexpr size_t kDetailsMax = 5;  // per reason, enough to see what went wrong

void add(AuditResult* r, const std::string& tag, std::string detail) {
  auto& v = r->reasons[tag];
  if (v.size() < kDetailsMax) v.push_back(std::move(detail));
}

// Every key-value under `prefix`, at one revision.
bool read_prefix(etcd::Client* c, const std::string& prefix, std::vector<etcd::KeyValue>* out, std::string* why) {
  etcd::RangeRequest req{prefix, etcd::prefix_end(prefix), 500, 0, false};
  for (;;) {
    auto r = c->range(req);
    if (!r.ok()) {
      *why = describe(r.error());
      return false;
    }
    if (req.revision == 0) req.revision = r->header.revision;
    for (auto& kv : r->kvs) out->push_back(std::move(kv));
    if (!r->more || r->kvs.empty()) return true;
    req.key = out->back().key + std::string(1, '\0');
  }
}

// The versions of one key, oldest first, walking back from `newest` through etcd's
// MVCC history (each version's predecessor is the key as of mod_revision - 1).
bool history(etcd::Client* c, const etcd::KeyValue& newest, std::vector<std::string>* values, std::string* why) {
  std::vector<std::string> back = {newest.value};
  int64_t mod = newest.mod_revision;
  while (mod > newest.create_revision) {
    auto r = c->range(etcd::RangeRequest{newest.key, "", 1, mod - 1, false});
    if (!r.ok() || r->kvs.size() != 1) {
      *why = r.ok() ? "a version vanished (compacted?)" : describe(r.error());
      return false;
    }
    back.push_back(r->kvs[0].value);
    mod = r->kvs[0].mod_revision;
  }
  values->assign(back.rbegin(), back.rend());
  return true;
}

void audit_records(etcd::Client* c, const AuditInput& in, AuditResult* out) {
  std::string why;
  std::vector<etcd::KeyValue> run_kv, shard_kvs;
  if (!read_prefix(c, etcd_store::run_key(in.prefix, in.run), &run_kv, &why) || run_kv.size() != 1 ||
      !read_prefix(c, etcd_store::shard_prefix(in.prefix, in.run), &shard_kvs, &why)) {
    add(out, "ReadFailed", "records: " + why);
    return;
  }
  coord::Txn load;
  coord::RunRecord run;
  if (!etcd_store::decode_record(run_kv[0].value, &run, &why)) return add(out, "ReadFailed", "run record: " + why);
  if (run.status != coord::RunStatus::Done) add(out, "RunNotDone", "the run record is not Done");
  load.guards.push_back(coord::Guard{in.run, true, 0, 0});
  load.run_puts.push_back(run);
  std::vector<coord::ShardId> ids;
  for (const auto& kv : shard_kvs) {
    coord::ShardRecord s;
    if (!etcd_store::decode_record(kv.value, &s, &why)) return add(out, "ReadFailed", "shard record: " + why);
    ids.push_back(s.id);
    load.guards.push_back(coord::Guard{in.run, false, s.id, 0});
    load.shard_puts.push_back(std::move(s));
  }
  coord::MemoryStore store;
  SQ_ASSERT(store.commit(load) == coord::StoreStatus::Ok);
  sim::SimConfig cfg;
  cfg.claim_cooldown_ms = in.claim_cooldown_ms;
  sim::Stats stats;
  sim::Checker checker(cfg, nullptr, nullptr, &store, in.run, &stats);
  checker.check_records(ids);
  out->shards = ids.size();
  // Every change each record went through; each shard as it was created and as it is
  // (for the split coverage: split_tiling.h).
  std::vector<std::string> versions;
  std::map<coord::ShardId, ShardVersions> shard_versions;
  worker::Corpus corpus(in.corpus->seed(), in.corpus->size());  // list() is not const
  for (const auto& kv : shard_kvs) {
    if (!history(c, kv, &versions, &why)) return add(out, "ReadFailed", "history: " + why);
    coord::ShardRecord prev, next;
    for (size_t i = 0; i < versions.size(); ++i) {
      if (!etcd_store::decode_record(versions[i], &next, &why)) return add(out, "ReadFailed", "version: " + why);
      if (i > 0) checker.check_version(prev, next, in.lease_ms);
      prev = next;
      ++out->versions;
    }
    out->splits += next.status == coord::ShardStatus::Split ? 1 : 0;
    coord::ShardRecord first;
    if (!etcd_store::decode_record(versions[0], &first, &why)) return add(out, "ReadFailed", "version: " + why);
    shard_versions[next.id] = ShardVersions{std::move(first), next};
    // Every item of a Done leaf lies at or before its cursor.
    if (next.status == coord::ShardStatus::Done) {
      std::vector<std::string> left;
      corpus.list(next.spec, next.cursor.last_key, 1, &left);
      if (!left.empty())
        add(out, "ItemNotProcessed",
            fmt::format("shard {:x} is Done but {} lies after its cursor '{}'", next.id, left[0],
                        next.cursor.last_key));
    }
  }
  if (!history(c, run_kv[0], &versions, &why)) return add(out, "ReadFailed", "run history: " + why);
  coord::RunRecord prev_run, next_run;
  for (size_t i = 0; i < versions.size(); ++i) {
    if (!etcd_store::decode_record(versions[i], &next_run, &why)) return add(out, "ReadFailed", "run version: " + why);
    if (i > 0) checker.check_run_version(prev_run, next_run);
    prev_run = next_run;
  }
  const std::vector<sim::Violation> split_violations = check_split_tiling(run, shard_versions, cfg, &stats);
  out->checks = stats.checks;
  for (const sim::Violation& v : checker.violations()) add(out, sim::to_string(v.invariant), v.detail);
  for (const sim::Violation& v : split_violations) add(out, sim::to_string(v.invariant), v.detail);
}

void audit_data(etcd::Client* c, const AuditInput& in, AuditResult* out) {
  etcd_store::ContentSet findings(c, etcd_store::findings_prefix(in.prefix, in.run));
  etcd_store::ContentSet done(c, etcd_store::done_prefix(in.prefix, in.run));
  std::vector<std::string> entries;
  if (!findings.list(&entries)) return add(out, "ReadFailed", "findings: " + findings.last_error());
  out->findings = entries.size();
  std::map<worker::Finding, int> copies;
  for (const auto& e : entries) {
    auto w = worker_driver::parse_finding_content(e);
    if (!w) {
      add(out, "UnexpectedFinding", "unparsable entry " + e);
      continue;
    }
    ++copies[w->finding];
  }
  std::map<worker::Finding, int> truth;
  for (const auto& f : in.corpus->ground_truth()) truth[f] = 0;
  out->truth = truth.size();
  for (const auto& [f, n] : copies) {
    if (truth.count(f) == 0) add(out, "UnexpectedFinding", fmt::format("{}@{} {}", f.item_key, f.offset, f.secret));
    if (n > 1) add(out, "DuplicateFinding", fmt::format("{}@{} stored {} times", f.item_key, f.offset, n));
  }
  for (const auto& [f, n] : truth) {
    if (copies.count(f) == 0) add(out, "MissingFinding", fmt::format("{}@{} {}", f.item_key, f.offset, f.secret));
  }
  if (!done.list(&entries)) return add(out, "ReadFailed", "done-ledger: " + done.last_error());
  std::set<std::string> ledger(entries.begin(), entries.end());
  out->done_items = ledger.size();
  out->items = in.corpus->size();
  for (uint32_t i = 0; i < in.corpus->size(); ++i) {
    if (ledger.count(worker::Corpus::key_of(i)) == 0)
      add(out, "ItemNotProcessed", worker::Corpus::key_of(i) + " is not in the done-ledger");
  }
}

// The wire traces through the simulator's conduct check: one node per process.
void audit_conduct(const AuditInput& in, AuditResult* out) {
  sim::Conduct conduct(static_cast<int>(in.trace_files.size()));
  for (size_t node = 0; node < in.trace_files.size(); ++node) {
    std::ifstream f(in.trace_files[node]);
    worker_driver::Identity who{in.tenant, in.run, 0};
    std::unordered_map<uint64_t, coord::Request> sent;
    std::string line;
    while (std::getline(f, line)) {
      std::istringstream head(line);
      char dir = 0;
      uint64_t req = 0;
      head >> dir >> req;
      if (dir == 'W') {
        who.worker = req;
        continue;
      }
      const std::string json = line.substr(std::min(line.size(), line.find('{')));
      if (dir == 'S') {
        auto d = worker_driver::decode_request(json, who);
        if (!std::holds_alternative<worker_driver::ControlRequest>(d)) {
          add(out, "ReadFailed", "trace line: " + line);
          continue;
        }
        const coord::Request& r = std::get<worker_driver::ControlRequest>(d).request;
        ++out->sends;
        if (auto v = conduct.on_send(static_cast<int>(node), req, r))
          add(out, sim::to_string(sim::Invariant::WorkerConduct),
              fmt::format("worker {} (process {}): {}", who.worker, node, *v));
        sent.insert_or_assign(req, r);
      } else if (dir == 'A') {
        auto reply = worker_driver::decode_reply(json);
        auto it = sent.find(req);
        // A SIGKILLed worker's last line may be cut short: it answers nothing.
        if (reply && it != sent.end()) conduct.on_answer(static_cast<int>(node), it->second, *reply);
      }
    }
  }
}

}  // namespace

std::set<std::string> AuditResult::tags() const {
  std::set<std::string> t;
  for (const auto& [tag, details] : reasons) t.insert(tag);
  return t;
}

std::string AuditResult::summary() const {
  std::string s =
      fmt::format("{} shards ({} split), {} record versions, {} findings, {} items done, {} requests traced", shards,
                  splits, versions, findings, done_items, sends);
  for (const auto& [tag, details] : reasons) {
    s += "\n  " + tag + ":";
    for (const auto& d : details) s += "\n    " + d;
  }
  return s;
}

AuditResult audit_run(etcd::Client* client, const AuditInput& in) {
  AuditResult out;
  audit_records(client, in, &out);
  audit_data(client, in, &out);
  audit_conduct(in, &out);
  return out;
}

}  // namespace squall::worker_audit
