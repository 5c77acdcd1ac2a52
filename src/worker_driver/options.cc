#include "worker_driver/options.h"

#include <charconv>
#include <functional>
#include <limits>
#include <map>

#include "etcd/client.h"
#include "worker/corpus.h"
#include "worker_driver/control_server.h"

namespace squall::worker_driver {
namespace {

// A decimal integer in [lo, hi], or a message.
template <typename T>
bool parse_int(const std::string& flag, const std::string& text, T lo, T hi, T* out, std::string* why) {
  T v{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi) {
    *why =
        flag + ": expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got '" + text + "'";
    return false;
  }
  *out = v;
  return true;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t c = s.find(',', pos);
    if (c == std::string::npos) c = s.size();
    if (c > pos) out.push_back(s.substr(pos, c - pos));
    pos = c + 1;
  }
  return out;
}

using Setter = std::function<bool(Options*, const std::string& flag, const std::string& value, std::string* why)>;

template <typename T>
Setter int_flag(T Options::*field, T lo, T hi) {
  return [=](Options* o, const std::string& f, const std::string& v, std::string* why) {
    return parse_int(f, v, lo, hi, &(o->*field), why);
  };
}

template <typename T>
Setter optional_int_flag(std::optional<T> Options::*field, T lo, T hi) {
  return [=](Options* o, const std::string& f, const std::string& v, std::string* why) {
    T x{};
    if (!parse_int(f, v, lo, hi, &x, why)) return false;
    o->*field = x;
    return true;
  };
}

const std::map<std::string, Setter>& setters() {
  constexpr int64_t kMsMax = 24LL * 3600 * 1000;
  static const std::map<std::string, Setter> kSetters = {
      {"--endpoints",
       [](Options* o, const std::string& f, const std::string& v, std::string* why) {
         o->endpoints = split_commas(v);
         if (o->endpoints.empty()) {
           *why = f + ": give at least one host:port";
           return false;
         }
         for (const auto& e : o->endpoints) {
           std::string host;
           uint16_t port = 0;
           if (!etcd::parse_endpoint(e, &host, &port)) {
             *why = f + ": '" + e + "' is not host:port";
             return false;
           }
         }
         return true;
       }},
      {"--worker-id", int_flag<uint64_t>(&Options::worker_id, 1, 65535)},
      {"--tenant", int_flag<uint64_t>(&Options::tenant, 1, std::numeric_limits<uint64_t>::max())},
      {"--run", int_flag<uint64_t>(&Options::run, 1, std::numeric_limits<uint64_t>::max())},
      {"--prefix",
       [](Options* o, const std::string& f, const std::string& v, std::string* why) {
         if (v.empty() || v.size() > 256) {
           *why = f + ": give a non-empty prefix of at most 256 bytes";
           return false;
         }
         o->prefix = v;
         return true;
       }},
      {"--corpus-seed", int_flag<uint64_t>(&Options::corpus_seed, 0, std::numeric_limits<uint64_t>::max())},
      {"--items", int_flag<uint32_t>(&Options::items, 1, worker::Corpus::kItemsMax)},
      {"--roots", int_flag<uint32_t>(&Options::roots, 1, 1024)},
      {"--listen",
       [](Options* o, const std::string& f, const std::string& v, std::string* why) {
         std::string host;
         uint16_t port = 0;
         if (!parse_listen_endpoint(v, &host, &port)) {
           *why = f + ": '" + v + "' is not host:port (port 0: any free port)";
           return false;
         }
         o->listen = v;
         return true;
       }},
      {"--control-clock",
       [](Options* o, const std::string& f, const std::string& v, std::string* why) {
         if (v != "own" && v != "request") {
           *why = f + ": '" + v + "' is neither own nor request";
           return false;
         }
         o->clock_from_requests = v == "request";
         return true;
       }},
      {"--lease-ms", int_flag<int64_t>(&Options::lease_ms, 50, kMsMax)},
      {"--claim-cooldown-ms", int_flag<int64_t>(&Options::claim_cooldown_ms, 0, kMsMax)},
      {"--etcd-timeout-ms", int_flag<int64_t>(&Options::etcd_timeout_ms, 10, kMsMax)},
      {"--give-up-ms", int_flag<int64_t>(&Options::give_up_ms, 100, kMsMax)},
      {"--page-max", int_flag<uint32_t>(&Options::page_max, 1, 100)},
      {"--split-min-items", int_flag<uint32_t>(&Options::split_min_items, 2, 1 << 20)},
      {"--leases-max", int_flag<uint32_t>(&Options::leases_max, 1, 64)},
      {"--incarnation", optional_int_flag<uint32_t>(&Options::incarnation, 0, 65535)},
      {"--seed", optional_int_flag<uint64_t>(&Options::seed, 0, std::numeric_limits<uint64_t>::max())},
      {"--trace",
       [](Options* o, const std::string&, const std::string& v, std::string*) {
         o->trace = v;
         return true;
       }},
      {"--fault",
       [](Options* o, const std::string& f, const std::string& v, std::string* why) {
         auto fault = worker::parse_fault(v);
         if (!fault) {
           *why = f + ": unknown fault '" + v + "' (see --help)";
           return false;
         }
         o->faults.add(*fault);
         return true;
       }},
      {"--coord-mutation",
       [](Options* o, const std::string& f, const std::string& v, std::string* why) {
         if (!coord::set_model_mutation(v, &o->mutations)) {
           *why = f + ": unknown coordinator mutation '" + v + "' (see --help)";
           return false;
         }
         return true;
       }},
  };
  return kSetters;
}

}  // namespace

std::variant<Options, OptionsError> parse_options(const std::vector<std::string>& args) {
  Options o;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    if (flag == "--help" || flag == "-h") {
      o.help = true;
      return o;
    }
    std::string value;
    bool inline_value = false;
    if (size_t eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
      inline_value = true;
    }
    auto it = setters().find(flag);
    if (it == setters().end()) return OptionsError{"unknown argument '" + args[i] + "' (see --help)"};
    if (!inline_value) {
      if (i + 1 >= args.size()) return OptionsError{flag + ": missing value"};
      value = args[++i];
    }
    std::string why;
    if (!it->second(&o, flag, value, &why)) return OptionsError{why};
  }
  if (o.endpoints.empty()) return OptionsError{"--endpoints is required (comma-separated host:port of etcd)"};
  if (o.worker_id == 0) return OptionsError{"--worker-id is required (1..65535, unique among the run's workers)"};
  if (o.roots > o.items) return OptionsError{"--roots must not exceed --items"};
  if (o.etcd_timeout_ms >= o.give_up_ms) return OptionsError{"--etcd-timeout-ms must be below --give-up-ms"};
  return o;
}

std::string usage() {
  std::string faults;
  for (worker::Fault f : worker::all_faults())
    faults += "                          " + std::string(worker::fault_name(f)) + "\n";
  std::string mutations;
  for (std::string_view m : coord::model_mutation_names())
    mutations += "                          " + std::string(m) + "\n";
  return "usage: gossip-worker --endpoints H:P[,H:P...] --worker-id N [options]\n"
         "\n"
         "A secret-scanning worker: claims key-range shards of a run under fenced leases kept in\n"
         "etcd, scans the items of a deterministic corpus, writes each finding exactly once and\n"
         "checkpoints its cursor. Without --listen it works autonomously until the run is done\n"
         "(exit 0); with --listen it serves the control API (line-delimited JSON over TCP).\n"
         "\n"
         "  --endpoints H:P,...     etcd client endpoints (required)\n"
         "  --worker-id N           this worker's id, 1..65535, unique in the run (required)\n"
         "  --run N                 the run to create or join (default 1)\n"
         "  --tenant N              the run's tenant (default 1)\n"
         "  --prefix P              etcd key prefix of every record (default /squall/)\n"
         "  --corpus-seed N         seed of the deterministic corpus (default 1)\n"
         "  --items N               items in the corpus (default 10000)\n"
         "  --roots N               root shards the run is registered with (default 16)\n"
         "  --listen H:P            controlled mode: serve the control API there\n"
         "  --control-clock C       controlled mode: own (default: the host's clock) or request\n"
         "                          (each control request gives the coordinator's now in now_ms,\n"
         "                          so a harness can check the answers against the model)\n"
         "  --lease-ms N            lease duration of a run this worker creates (default 2000)\n"
         "  --claim-cooldown-ms N   claim cooldown of a run this worker creates (default 0)\n"
         "  --etcd-timeout-ms N     bound on one etcd call (default 1000)\n"
         "  --give-up-ms N          exit 1 after this long without a coordinator answer (default 60000)\n"
         "  --page-max N            items per page, at most, 1..100 (default 32)\n"
         "  --split-min-items N     shards with fewer items are not split (default 64)\n"
         "  --leases-max N          leases held at once (default 2)\n"
         "  --incarnation N         0..65535, differs per start (default: from the start time)\n"
         "  --seed N                seed of the worker's own choices (default: worker id, incarnation)\n"
         "  --trace FILE            append the wire trace (requests sent, answers) to FILE\n"
         "  --fault NAME            a deliberate bug (negative control; repeatable):\n" +
         faults +
         "  --coord-mutation NAME   a deliberate bug in the in-process coordinator (negative\n"
         "                          control for the control API's clients; repeatable):\n" +
         mutations +
         "  --help                  this text\n"
         "\n"
         "Exit status: 0 the run is done (or SIGTERM), 1 runtime failure, 2 bad configuration.\n";
}

}  // namespace squall::worker_driver
