// squall check: linearizability of history files against a model, with explanations.
#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <unistd.h>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "check_txn.h"
#include "checker/explain.h"
#include "checker/linearizability.h"
#include "commands.h"
#include "console.h"
#include "core/clock.h"
#include "core/progress.h"
#include "history/edn.h"
#include "history/printable.h"
#include "history/reader.h"
#include "parse_command_line.h"

namespace squall::cli {

namespace {

struct CheckArgs {
  std::string model = "cas-register";
  std::string init;
  std::string format = "auto";
  std::string nil_read = "unknown";
  bool split_by_key = false;  // the default now; kept so that existing scripts still run
  bool no_split = false;
  bool allow_empty = false;
  double timeout_s = 120;
  uint64_t memory_limit_mb = 0;  // set from physical memory
  int threads = 0;
  std::string html;
  bool linearization = false;
  bool quiet = false;
  bool stats = false;
  std::vector<std::string> files;
  std::string consistency_models;  // txn models only
  std::string elle_dir;            // txn models only
};

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

// Default memory budget: a quarter of physical memory, at most 4 GB. The budget counts the
// search's own tables; a table doubling between two budget polls can briefly take the
// process about half as much again, which still leaves room on any machine.
uint64_t default_memory_limit_mb() {
  long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
  uint64_t physical_mb =
      pages > 0 && page_size > 0 ? (static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size)) >> 20 : 4096;
  return std::max<uint64_t>(64, std::min<uint64_t>(4096, physical_mb / 4));
}

// --timeout: seconds, finite, not negative, and small enough that the deadline in
// nanoseconds cannot overflow (about 30 years is plenty).
std::string check_seconds(const std::string& text) {
  char* end = nullptr;
  double s = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(s) || s < 0 || s > 1e9)
    return "expected a number of seconds from 0 to 1e9, found '" + text + "'";
  return "";
}

// --memory-limit: a whole number of MB; "-1" must not wrap around to 2^64 - 1.
std::string check_megabytes(const std::string& text) {
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
    return "expected a whole number of MB from 0 to 999999999, found '" + text + "'";
  return "";
}

std::string check_not_empty(const std::string& text) {
  return text.empty() ? "expected a file or directory name, found ''" : "";
}

std::string html_path_for(const CheckArgs& a, const std::string& file) {
  if (a.files.size() == 1) return a.html;
  return (std::filesystem::path(a.html) / (std::filesystem::path(file).filename().string() + ".html")).string();
}

}  // namespace

int cmd_check(int argc, char** argv) {
  CLI::App app{
      "Check history files for linearizability against a sequential model.\n"
      "Formats: Jepsen/Knossos EDN (a vector of op maps or one per line), Jepsen console logs\n"
      "(INFO jepsen.util - <process> <type> <f> <value>), and JSON lines. :fail ops did not\n"
      "happen; :info ops and invocations without completion may take effect any time after\n"
      "their invocation, or never.\n\n"
      "Budgets: checking linearizability is NP-complete in general; a file whose search exceeds\n"
      "--timeout or --memory-limit gives unknown with the reason, never invalid. Many ops in flight\n"
      "at once on one object (dozens of always-busy clients, few distinct values) can exceed any\n"
      "budget; splitting by key, and fewer clients per key, keep searches small.\n\n"
      "Budgets cover reading the file too: a file that cannot be read within them gives unknown.\n\n"
      "Input that holds no history (binary data, a text file without one op line) is an error. A\n"
      "history with no client ops is not counted as valid unless --allow-empty is given. Ops of\n"
      "non-client processes (:nemesis) are left out and counted in the summary.\n\n"
      "A completed read of nil (register, cas-register) means, as in Knossos, that the value read\n"
      "is unknown: it matches every state. --nil-read strict reads it as the register holding nil.\n\n"
      "Keyed histories are split by key and each key checked on its own (keys are independent);\n"
      "--no-split checks a kv or multi-register history as one search instead.\n\n"
      "Exit status: 0 all valid, 1 some invalid, 2 some unknown (budget exceeded), 254 bad usage\n"
      "or input (including an empty history without --allow-empty).\n\nModels:\n" +
          model::describe_models(),
      "squall check"};
  CheckArgs a;
  a.memory_limit_mb = default_memory_limit_mb();
  app.add_option("--model,-m", a.model, "model name (see the list above)")->capture_default_str();
  app.add_option("--init", a.init, "initial value of the model, as EDN (default nil; kv: \"\")");
  app.add_option("--format", a.format, "input format: auto, edn, jepsen-log, jsonl (txn models also elle-json)")
      ->capture_default_str();
  app.add_option("--consistency-models", a.consistency_models,
                 "txn models only: comma-separated models the history must satisfy (default strict-serializable)");
  app.add_option("--elle-dir", a.elle_dir,
                 "txn models only: write an SVG of each cycle anomaly of an invalid history, and index.html, into "
                 "this directory (one subdirectory per file when several files are given)")
      ->check(CLI::Validator(check_not_empty, "DIR"));
  app.add_option(
         "--nil-read", a.nil_read,
         "what a completed read of nil means for register and cas-register: unknown (Knossos: matches any value) or "
         "strict (the register held nil)")
      ->check(CLI::IsMember({"unknown", "strict"}))
      ->capture_default_str();
  app.add_flag("--split-by-key", a.split_by_key, "check each :key separately (the default; kept for compatibility)");
  app.add_flag("--no-split", a.no_split,
               "check a keyed kv or multi-register history as one search instead of key by key")
      ->excludes("--split-by-key");
  app.add_flag("--allow-empty", a.allow_empty, "count a history with no client ops as valid instead of an error");
  app.add_option("--timeout", a.timeout_s,
                 "time budget per file in seconds, reading included; exceeding it gives unknown (0 = none)")
      ->check(CLI::Validator(check_seconds, "SECONDS"))
      ->capture_default_str();
  app.add_option("--memory-limit", a.memory_limit_mb,
                 "memory budget per file in MB for the parsed history and for the search's tables; exceeding it gives "
                 "unknown (0 = "
                 "none; default: a quarter of physical memory, at most 4096)")
      ->check(CLI::Validator(check_megabytes, "MB"))
      ->capture_default_str();
  app.add_option("--threads", a.threads, "worker threads for independent keys (0 = one per core, at most 8)")
      ->check(CLI::Range(0, 1024));
  app.add_option("--html", a.html, "write an HTML explanation to this file (a directory when several files are given)")
      ->check(CLI::Validator(check_not_empty, "PATH"));
  app.add_flag("--linearization", a.linearization, "print a linearization order of valid histories");
  app.add_flag("--quiet,-q", a.quiet, "only the summary lines");
  app.add_flag("--stats", a.stats, "per key: search steps, memoised configurations, memory and time");
  app.add_option("files", a.files, "history files ('-' for stdin)")->required();
  if (auto stop = parse_command_line(app, argc, argv, "check")) return *stop;
  if (is_txn_model(a.model)) {
    TxnCheckArgs t{a.model, a.consistency_models, a.format, a.timeout_s, a.quiet, a.allow_empty, a.files, a.elle_dir};
    return check_txn_files(t);
  }
  if (!a.consistency_models.empty()) {
    err_line("squall check: --consistency-models applies to --model list-append or rw-register only");
    return kExitUsage;
  }
  if (!a.elle_dir.empty()) {
    err_line("squall check: --elle-dir applies to --model list-append or rw-register only");
    return kExitUsage;
  }

  model::ModelOptions mo;
  mo.nil_read = *model::nil_read_from(a.nil_read);  // validated by IsMember above
  if (!a.init.empty()) {
    auto v = history::parse_edn(a.init, "--init");
    if (!v.ok()) {
      err_line("squall check: " + v.error());
      return kExitUsage;
    }
    mo.initial = *v;
  }
  auto model = model::make_model(a.model, mo);
  if (!model.ok()) {
    err_line("squall check: " + model.error());
    return kExitUsage;
  }
  auto format = history::format_from(a.format);
  if (!format) {
    err_line("squall check: unknown --format '" + a.format + "' (auto, edn, jepsen-log, jsonl)");
    return kExitUsage;
  }
  if (!a.html.empty() && a.files.size() > 1) {
    std::error_code ec;
    std::filesystem::create_directories(a.html, ec);
    if (ec) {
      err_line("squall check: cannot create --html directory " + a.html + ": " + ec.message());
      return kExitUsage;
    }
  }

  checker::CheckOptions opt;
  opt.split_by_key = !a.no_split;
  opt.memory_limit_bytes = a.memory_limit_mb << 20;
  opt.threads = a.threads;
  opt.want_linearization = a.linearization;
  const SteadyClock clock;
  const int64_t timeout_ns = static_cast<int64_t>(a.timeout_s * 1e9);

  auto start = std::chrono::steady_clock::now();
  size_t valid = 0, invalid = 0, unknown = 0, errors = 0, ops_total = 0;
  // Several files: progress on stderr (a live line on a terminal, erased before each
  // result line; a line every 10 s in a log).
  const int64_t start_ns = clock.now_ns();
  core::Progress progress(core::Progress::stderr_sink(), ::isatty(2) != 0);
  core::ProgressState state;
  state.unit = "files";
  state.total = static_cast<int64_t>(a.files.size());
  auto file_done = [&] {
    if (a.files.size() < 2) return;
    state.elapsed_s = static_cast<double>(clock.now_ns() - start_ns) / 1e9;
    state.done = static_cast<int64_t>(valid + invalid + unknown + errors);
    state.failing = static_cast<int64_t>(invalid + errors);
    progress.update(clock.now_ns() - start_ns, state);
  };
  set_console_progress(&progress);
  for (const auto& file : a.files) {
    file_done();
    // One budget per file, reading included.
    const int64_t file_start = clock.now_ns();
    history::ReadOptions ro{*format};
    ro.clock = &clock;
    ro.timeout_ms = static_cast<uint64_t>(timeout_ns / 1'000'000);
    ro.memory_limit_bytes = opt.memory_limit_bytes;
    auto h = history::read_history_file(file, ro);
    if (!h.ok()) {
      err_line(h.error());
      out(file + ": error (bad input)\n");
      ++errors;
      continue;
    }
    auto counts = h->counts();
    std::string ignored = h->ignored_ops() == 0 ? "" : fmt::format(", {} non-client ops ignored", h->ignored_ops());
    if (!h->incomplete().empty()) {
      out(fmt::format("{}: unknown: {}\n", file, h->incomplete()));
      ++unknown;
      std::fflush(stdout);
      continue;
    }
    if (counts.invocations == 0 && !a.allow_empty) {
      out(fmt::format("{}: error (empty: no client ops{}; --allow-empty counts it as valid)\n", file, ignored));
      ++errors;
      continue;
    }
    if (timeout_ns != 0) {
      // What reading left of the budget; at least 1 ms so that a search can still start.
      int64_t left_ns = file_start + timeout_ns - clock.now_ns();
      opt.timeout_ms = static_cast<uint64_t>(std::max<int64_t>(1, left_ns / 1'000'000));
    }
    auto v = checker::check_linearizable(*h, **model, opt);
    if (!v.ok()) {
      err_line(file + ": " + v.error());
      out(file + ": error (bad input)\n");
      ++errors;
      continue;
    }
    ops_total += counts.invocations;
    std::string detail;
    for (auto want : {Verdict::kInvalid, Verdict::kUnknown}) {
      for (const auto& k : v->keys)
        if (k.verdict == want) {
          detail = ": " + k.reason + (k.key ? " (key " + history::to_edn(*k.key) + ")" : "");
          break;
        }
      if (!detail.empty()) break;
    }
    out(fmt::format("{}: {} ({}, {} ops, {} key{}, {:.1f} ms{}){}\n", file, to_string(v->verdict), v->model,
                    counts.invocations, v->keys_total, v->keys_total == 1 ? "" : "s", v->stats.elapsed_ms, ignored,
                    detail));
    if (a.stats)
      for (const auto& k : v->keys)
        out(fmt::format("  {}: {}, {} calls, {} steps, {} configurations, {:.1f} MB, {:.1f} ms\n",
                        k.key ? ("key " + history::to_edn(*k.key)) : std::string("history"), to_string(k.verdict),
                        k.calls.size(), k.stats.steps, k.stats.configurations,
                        static_cast<double>(k.stats.peak_bytes) / (1 << 20), k.stats.elapsed_ms));
    if (!a.quiet && (v->verdict != Verdict::kValid || a.linearization)) out(checker::explain_text(*h, *v));
    switch (v->verdict) {
      case Verdict::kValid: ++valid; break;
      case Verdict::kInvalid: ++invalid; break;
      case Verdict::kUnknown: ++unknown; break;
    }
    if (!a.html.empty()) {
      std::string path = html_path_for(a, file);
      if (!write_file(path, checker::explain_html(*h, *v, std::filesystem::path(file).filename().string()))) {
        err_line("squall check: cannot write " + path);
        ++errors;
      } else if (!a.quiet) {
        out("  explanation written to " + path + "\n");
      }
    }
    std::fflush(stdout);
  }
  set_console_progress(nullptr);
  progress.clear();
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  out(fmt::format("total: {} file{}, {} ops: {} valid, {} invalid, {} unknown, {} error{} ({:.1f} ms)\n",
                  a.files.size(), a.files.size() == 1 ? "" : "s", ops_total, valid, invalid, unknown, errors,
                  errors == 1 ? "" : "s", ms));
  if (errors > 0) return kExitUsage;
  if (invalid > 0) return kExitInvalid;
  if (unknown > 0) return kExitUnknown;
  return kExitValid;
}

}  // namespace squall::cli
