// squall check: linearizability of history files against a model, with explanations.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "checker/explain.h"
#include "checker/linearizability.h"
#include "commands.h"
#include "parse_command_line.h"
#include "history/edn.h"
#include "history/reader.h"

namespace squall::cli {

namespace {

struct CheckArgs {
  std::string model = "cas-register";
  std::string init;
  std::string format = "auto";
  bool split_by_key = false;
  double timeout_s = 120;
  uint64_t memory_limit_mb = 0;  // set from physical memory
  int threads = 0;
  std::string html;
  bool linearization = false;
  bool quiet = false;
  bool stats = false;
  std::vector<std::string> files;
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
  uint64_t physical_mb = pages > 0 && page_size > 0 ? (static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size)) >> 20 : 4096;
  return std::max<uint64_t>(64, std::min<uint64_t>(4096, physical_mb / 4));
}

std::string html_path_for(const CheckArgs& a, const std::string& file) {
  if (a.files.size() == 1) return a.html;
  return (std::filesystem::path(a.html) / (std::filesystem::path(file).filename().string() + ".html")).string();
}

}  // namespace

int cmd_check(int argc, char** argv) {
  CLI::App app{"Check history files for linearizability against a sequential model.\n"
               "Formats: Jepsen/Knossos EDN (a vector of op maps or one per line), Jepsen console logs\n"
               "(INFO jepsen.util - <process> <type> <f> <value>), and JSON lines. :fail ops did not\n"
               "happen; :info ops and invocations without completion may take effect any time after\n"
               "their invocation, or never.\n\n"
               "Budgets: checking linearizability is NP-complete in general; a file whose search exceeds\n"
               "--timeout or --memory-limit gives unknown with the reason, never invalid. Many ops in flight\n"
               "at once on one object (dozens of always-busy clients, few distinct values) can exceed any\n"
               "budget; splitting by key, and fewer clients per key, keep searches small.\n\n"
               "Exit status: 0 all valid, 1 some invalid, 2 some unknown (budget exceeded), 254 bad usage\n"
               "or input.\n\nModels:\n" + model::describe_models(),
               "squall check"};
  CheckArgs a;
  a.memory_limit_mb = default_memory_limit_mb();
  app.add_option("--model,-m", a.model, "model name (see the list above)")->capture_default_str();
  app.add_option("--init", a.init, "initial value of the model, as EDN (default nil; kv: \"\")");
  app.add_option("--format", a.format, "input format: auto, edn, jepsen-log, jsonl")->capture_default_str();
  app.add_flag("--split-by-key", a.split_by_key, "check each :key separately (always done for single-object models)");
  app.add_option("--timeout", a.timeout_s, "time budget per file in seconds; exceeding it gives unknown (0 = none)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--memory-limit", a.memory_limit_mb,
                 "memory budget per file in MB for the search's tables; exceeding it gives unknown (0 = none; default: a quarter "
                 "of physical memory, at most 4096)")
      ->capture_default_str();
  app.add_option("--threads", a.threads, "worker threads for independent keys (0 = one per core, at most 8)")->check(CLI::NonNegativeNumber);
  app.add_option("--html", a.html, "write an HTML explanation to this file (a directory when several files are given)");
  app.add_flag("--linearization", a.linearization, "print a linearization order of valid histories");
  app.add_flag("--quiet,-q", a.quiet, "only the summary lines");
  app.add_flag("--stats", a.stats, "per key: search steps, memoised configurations, memory and time");
  app.add_option("files", a.files, "history files ('-' for stdin)")->required();
  if (auto stop = parse_command_line(app, argc, argv, "check")) return *stop;

  model::ModelOptions mo;
  if (!a.init.empty()) {
    auto v = history::parse_edn(a.init, "--init");
    if (!v.ok()) {
      std::fprintf(stderr, "squall check: %s\n", v.error().c_str());
      return kExitUsage;
    }
    mo.initial = *v;
  }
  auto model = model::make_model(a.model, mo);
  if (!model.ok()) {
    std::fprintf(stderr, "squall check: %s\n", model.error().c_str());
    return kExitUsage;
  }
  auto format = history::format_from(a.format);
  if (!format) {
    std::fprintf(stderr, "squall check: unknown --format '%s' (auto, edn, jepsen-log, jsonl)\n", a.format.c_str());
    return kExitUsage;
  }
  if (!a.html.empty() && a.files.size() > 1) {
    std::error_code ec;
    std::filesystem::create_directories(a.html, ec);
    if (ec) {
      std::fprintf(stderr, "squall check: cannot create --html directory %s: %s\n", a.html.c_str(), ec.message().c_str());
      return kExitUsage;
    }
  }

  checker::CheckOptions opt;
  opt.split_by_key = a.split_by_key;
  opt.timeout_ms = static_cast<uint64_t>(a.timeout_s * 1000);
  opt.memory_limit_bytes = a.memory_limit_mb << 20;
  opt.threads = a.threads;
  opt.want_linearization = a.linearization;

  auto start = std::chrono::steady_clock::now();
  size_t valid = 0, invalid = 0, unknown = 0, errors = 0, ops_total = 0;
  for (const auto& file : a.files) {
    auto h = history::read_history_file(file, history::ReadOptions{*format});
    if (!h.ok()) {
      std::fprintf(stderr, "%s\n", h.error().c_str());
      std::printf("%s: error (bad input)\n", file.c_str());
      ++errors;
      continue;
    }
    auto v = checker::check_linearizable(*h, **model, opt);
    if (!v.ok()) {
      std::fprintf(stderr, "%s: %s\n", file.c_str(), v.error().c_str());
      std::printf("%s: error (bad input)\n", file.c_str());
      ++errors;
      continue;
    }
    auto counts = h->counts();
    ops_total += counts.invocations;
    std::string detail;
    for (auto want : {checker::Outcome::kInvalid, checker::Outcome::kUnknown}) {
      for (const auto& k : v->keys)
        if (k.outcome == want) {
          detail = ": " + k.reason + (k.key ? " (key " + history::to_edn(*k.key) + ")" : "");
          break;
        }
      if (!detail.empty()) break;
    }
    std::printf("%s: %s (%s, %zu ops, %zu key%s, %.1f ms)%s\n", file.c_str(), std::string(checker::to_string(v->outcome)).c_str(),
                v->model.c_str(), counts.invocations, v->keys_total, v->keys_total == 1 ? "" : "s", v->stats.elapsed_ms, detail.c_str());
    if (a.stats)
      for (const auto& k : v->keys)
        std::printf("  %s: %s, %zu calls, %llu steps, %llu configurations, %.1f MB, %.1f ms\n",
                    k.key ? ("key " + history::to_edn(*k.key)).c_str() : "history", std::string(checker::to_string(k.outcome)).c_str(),
                    k.calls.size(), static_cast<unsigned long long>(k.stats.steps), static_cast<unsigned long long>(k.stats.configurations),
                    static_cast<double>(k.stats.peak_bytes) / (1 << 20), k.stats.elapsed_ms);
    if (!a.quiet && (v->outcome != checker::Outcome::kValid || a.linearization)) {
      std::string text = checker::explain_text(*h, *v);
      std::fputs(text.c_str(), stdout);
    }
    switch (v->outcome) {
      case checker::Outcome::kValid: ++valid; break;
      case checker::Outcome::kInvalid: ++invalid; break;
      case checker::Outcome::kUnknown: ++unknown; break;
    }
    if (!a.html.empty()) {
      std::string path = html_path_for(a, file);
      if (!write_file(path, checker::explain_html(*h, *v, std::filesystem::path(file).filename().string()))) {
        std::fprintf(stderr, "squall check: cannot write %s\n", path.c_str());
        ++errors;
      } else if (!a.quiet) {
        std::printf("  explanation written to %s\n", path.c_str());
      }
    }
    std::fflush(stdout);
  }
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("total: %zu file%s, %zu ops: %zu valid, %zu invalid, %zu unknown, %zu error%s (%.1f ms)\n", a.files.size(),
              a.files.size() == 1 ? "" : "s", ops_total, valid, invalid, unknown, errors, errors == 1 ? "" : "s", ms);
  if (errors > 0) return kExitUsage;
  if (invalid > 0) return kExitInvalid;
  if (unknown > 0) return kExitUnknown;
  return kExitValid;
}

}  // namespace squall::cli
