#include "gossip/faults.h"

#include <charconv>

namespace squall::gossip {

bool Faults::any() const {
  return no_gossip || garbage_line || crash_after >= 0 || duplicate_ids || lose_adds || kafka_local_offsets ||
         lin_kv_via != "lin-kv" || txn_aborted_read || txn_lost_update || txn_read_skew;
}

Status apply_fault(std::string_view spec, Faults* f) {
  size_t eq = spec.find('=');
  std::string_view name = spec.substr(0, eq);
  std::string_view arg = eq == std::string_view::npos ? std::string_view() : spec.substr(eq + 1);
  bool has_arg = eq != std::string_view::npos;
  auto flag = [&](bool* b) -> Status {
    if (has_arg) return err("fault " + std::string(name) + " takes no argument");
    *b = true;
    return {};
  };
  if (name == "no-gossip") return flag(&f->no_gossip);
  if (name == "garbage-line") return flag(&f->garbage_line);
  if (name == "duplicate-ids") return flag(&f->duplicate_ids);
  if (name == "lose-adds") return flag(&f->lose_adds);
  if (name == "kafka-local-offsets") return flag(&f->kafka_local_offsets);
  if (name == "txn-aborted-read") return flag(&f->txn_aborted_read);
  if (name == "txn-lost-update") return flag(&f->txn_lost_update);
  if (name == "txn-read-skew") return flag(&f->txn_read_skew);
  if (name == "crash-after") {
    int64_t n = -1;
    auto [p, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), n);
    if (!has_arg || ec != std::errc() || p != arg.data() + arg.size() || n < 0) {
      return err("fault crash-after needs a count of messages, e.g. crash-after=10");
    }
    f->crash_after = n;
    return {};
  }
  if (name == "lin-kv-via") {
    if (arg != "lww-kv" && arg != "seq-kv" && arg != "lin-kv") {
      return err("fault lin-kv-via needs a service: lin-kv-via=lww-kv or lin-kv-via=seq-kv");
    }
    f->lin_kv_via = std::string(arg);
    return {};
  }
  return err("unknown fault \"" + std::string(spec) + "\"; choose from:\n" + faults_help());
}

std::string faults_help() {
  return "  no-gossip            never gossip or run anti-entropy (broadcast, g-set, counters diverge)\n"
         "  garbage-line         write one non-JSON line to stdout right after init_ok\n"
         "  crash-after=N        serve N input messages, then exit abnormally (status 86)\n"
         "  duplicate-ids        unique-ids hands every id out twice\n"
         "  lose-adds            g-set/g-counter/pn-counter acknowledge every third add but drop it\n"
         "  kafka-local-offsets  kafka allocates offsets per node instead of through lin-kv\n"
         "  lin-kv-via=SERVICE   lin-kv proxies to SERVICE (lww-kv or seq-kv) instead of lin-kv\n"
         "  txn-aborted-read     txn-rw-register: every third writing txn is answered error 30 but its writes\n"
         "                       stay visible (G1a)\n"
         "  txn-lost-update      txn-list-append: commits with a blind write instead of cas (lost updates)\n"
         "  txn-read-skew        txn-list-append: read-only txns read their first key from a stale copy\n"
         "                       (G-single)\n";
}

}  // namespace squall::gossip
