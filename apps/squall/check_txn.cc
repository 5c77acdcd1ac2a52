#include "check_txn.h"

#include <fmt/core.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "checker/txn/checker.h"
#include "checker/txn/convert.h"
#include "commands.h"
#include "console.h"
#include "core/clock.h"
#include "harness/elle_graphs.h"
#include "history/edn.h"
#include "history/printable.h"
#include "history/reader.h"

namespace squall::cli {

namespace {

Result<std::string> slurp(const std::string& path) {
  if (path == "-") {
    std::string s((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    return s;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return err(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The history of one file: elle-cli's JSON array when it looks like one (or when asked),
// otherwise whatever `squall check` reads.
Result<history::History> read_txn_history(const std::string& file, const TxnCheckArgs& a, const Clock& clock) {
  if (a.format == "elle-json" || a.format == "auto") {
    auto text = slurp(file);
    if (!text.ok()) return err(text.error());
    if (a.format == "elle-json" || checker::txn::looks_like_elle_json(*text))
      return checker::txn::parse_elle_json(*text, file == "-" ? "<stdin>" : file);
    history::ReadOptions ro;
    ro.clock = &clock;
    ro.timeout_ms = static_cast<uint64_t>(a.timeout_s * 1000);
    return history::parse_history(*text, ro, file == "-" ? "<stdin>" : file);
  }
  auto format = history::format_from(a.format);
  history::ReadOptions ro{*format};
  ro.clock = &clock;
  ro.timeout_ms = static_cast<uint64_t>(a.timeout_s * 1000);
  return history::read_history_file(file, ro);
}

// The folder of one file's drawings: the --elle-dir itself, or a subfolder named after
// the file when several are checked.
std::string elle_dir_for(const TxnCheckArgs& a, const std::string& file) {
  if (a.files.size() == 1) return a.elle_dir;
  std::string name = file == "-" ? "stdin" : std::filesystem::path(file).filename().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  if (name.empty() || name == "." || name == "..") name = "_" + name;
  return (std::filesystem::path(a.elle_dir) / name).string();
}

}  // namespace

bool is_txn_model(const std::string& model) { return model == "list-append" || model == "rw-register"; }

int check_txn_files(const TxnCheckArgs& a) {
  checker::txn::Options o;
  o.workload = a.model == "list-append" ? checker::txn::Workload::kListAppend : checker::txn::Workload::kRwRegister;
  if (!a.consistency_models.empty()) {
    o.consistency_models.clear();
    std::stringstream ss(a.consistency_models);
    std::string name;
    while (std::getline(ss, name, ',')) {
      if (name.empty()) continue;
      auto m = checker::txn::canonical_model(name);
      if (!m) {
        std::string known;
        for (const auto& k : checker::txn::model_names()) known += (known.empty() ? "" : ", ") + k;
        err_line("squall check: unknown consistency model '" + name + "' (known: " + known + ")");
        return kExitUsage;
      }
      o.consistency_models.push_back(*m);
    }
    if (o.consistency_models.empty()) {
      err_line("squall check: --consistency-models names no model");
      return kExitUsage;
    }
  }
  if (a.format != "elle-json" && !history::format_from(a.format)) {
    err_line("squall check: unknown --format '" + a.format + "' (auto, edn, jepsen-log, jsonl, elle-json)");
    return kExitUsage;
  }
  const SteadyClock clock;
  size_t valid = 0, invalid = 0, unknown = 0, errors = 0;
  for (const auto& file : a.files) {
    auto start = std::chrono::steady_clock::now();
    auto h = read_txn_history(file, a, clock);
    if (!h.ok()) {
      err_line(h.error());
      out(file + ": error (bad input)\n");
      ++errors;
      continue;
    }
    if (!h->incomplete().empty()) {
      out(fmt::format("{}: unknown: {}\n", file, h->incomplete()));
      ++unknown;
      continue;
    }
    if (h->counts().invocations == 0 && !a.allow_empty) {
      out(fmt::format("{}: error (empty: no client ops; --allow-empty counts it as valid)\n", file));
      ++errors;
      continue;
    }
    auto th = checker::txn::from_history(*h, o.workload);
    if (!th.ok()) {
      err_line(file + ": " + th.error());
      out(file + ": error (bad input)\n");
      ++errors;
      continue;
    }
    auto r = checker::txn::check(*th, o);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::string types;
    for (const auto& t : r.anomaly_types) types += (types.empty() ? "" : " ") + t;
    out(fmt::format("{}: {} ({}, {} txns, {:.1f} ms){}\n", file, to_string(r.verdict), a.model, r.stats.txns, ms,
                    types.empty() ? "" : ": " + types));
    history::Value result = checker::txn::to_value(r);
    if (!a.quiet) {
      out(checker::txn::summary(r));
      out(history::to_edn(result) + "\n");
    }
    if (!a.elle_dir.empty() && r.verdict == Verdict::kInvalid) {
      std::string dir = elle_dir_for(a, file);
      auto files = harness::write_elle_graphs(dir, result);
      if (!files.ok()) {
        err_line("squall check: " + files.error());
      } else if (!files->empty()) {
        out(fmt::format("{}: anomaly graphs: {} drawing{} in {}/ (index.html)\n", file, files->size() - 1,
                        files->size() == 2 ? "" : "s", dir));
      }
    }
    switch (r.verdict) {
      case Verdict::kValid: ++valid; break;
      case Verdict::kInvalid: ++invalid; break;
      case Verdict::kUnknown: ++unknown; break;
    }
    std::fflush(stdout);
  }
  out(fmt::format("total: {} file{}: {} valid, {} invalid, {} unknown, {} error{}\n", a.files.size(),
                  a.files.size() == 1 ? "" : "s", valid, invalid, unknown, errors, errors == 1 ? "" : "s"));
  if (errors > 0) return kExitUsage;
  if (invalid > 0) return kExitInvalid;
  if (unknown > 0) return kExitUnknown;
  return kExitValid;
}

}  // namespace squall::cli
