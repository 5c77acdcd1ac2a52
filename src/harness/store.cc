#include "harness/store.h"

#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include <fmt/format.h>

#include "history/edn.h"
#include "history/value_json.h"
#include "history/writer.h"

namespace squall::harness {
namespace fs = std::filesystem;
using history::OpType;
using workload::Op;

namespace {

std::string wall_stamp(bool for_path) {
  struct timeval tv;
  ::gettimeofday(&tv, nullptr);
  struct tm tm;
  ::localtime_r(&tv.tv_sec, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, for_path ? "%Y%m%dT%H%M%S" : "%Y-%m-%d %H:%M:%S", &tm);
  return fmt::format("{}{}{:03d}", buf, for_path ? "." : ",", static_cast<int>(tv.tv_usec / 1000));
}

Status relink(const fs::path& link, const fs::path& target) {
  std::error_code ec;
  fs::path tmp = link;
  tmp += ".tmp" + std::to_string(::getpid());
  fs::remove(tmp, ec);
  fs::create_symlink(target, tmp, ec);
  if (ec) return err("cannot create symlink " + tmp.string() + ": " + ec.message());
  fs::rename(tmp, link, ec);  // atomic replace, even of an existing symlink
  if (ec) return err("cannot update symlink " + link.string() + ": " + ec.message());
  return {};
}

// results.edn: the top-level entries one per line, as Jepsen writes them.
std::string results_edn(const history::Value& results) {
  if (!results.is_map()) return history::to_edn(results);
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : results.entries()) {
    if (!first) out += ",\n ";
    first = false;
    history::append_edn(&out, key);
    out.push_back(' ');
    history::append_edn(&out, value);
  }
  out += "}\n";
  return out;
}

}  // namespace

Result<std::unique_ptr<Store>> Store::create(const std::string& root, const std::string& workload) {
  std::error_code ec;
  fs::path base = fs::path(root) / workload;
  fs::create_directories(base, ec);
  if (ec) return err("cannot create store directory " + base.string() + ": " + ec.message());
  std::string stamp = wall_stamp(true);
  fs::path dir = base / stamp;
  for (int k = 1; fs::exists(dir) && k < 1000; ++k) dir = base / (stamp + "-" + std::to_string(k));
  fs::create_directories(dir / "node-logs", ec);
  if (ec) return err("cannot create run directory " + dir.string() + ": " + ec.message());

  auto store = std::unique_ptr<Store>(new Store());
  store->dir_ = dir.string();
  auto open = [&](const char* name, FILE** f) -> Status {
    *f = std::fopen((dir / name).c_str(), "w");
    if (!*f) return err("cannot write " + (dir / name).string() + ": " + std::strerror(errno));
    return {};
  };
  for (auto [name, f] : {std::pair{"history.edn", &store->history_edn_}, std::pair{"history.txt", &store->history_txt_},
                         std::pair{"jepsen.log", &store->log_}}) {
    if (auto s = open(name, f); !s.ok()) return err(s.error());
  }
  // Links are relative so the store can be moved as a whole.
  if (auto s = relink(base / "latest", dir.filename()); !s.ok()) return err(s.error());
  if (auto s = relink(fs::path(root) / "latest", fs::path(workload) / dir.filename()); !s.ok()) return err(s.error());
  return store;
}

Store::~Store() {
  for (FILE* f : {history_edn_, history_txt_, log_})
    if (f) std::fclose(f);
}

std::string Store::node_log_path(std::string_view node) const {
  return dir_ + "/node-logs/" + std::string(node) + ".log";
}

namespace {

// The two renderings from an already parsed value: append_op parses each op's value
// once for both files (a broadcast read's value is the whole set, and parsing it
// dominated `squall sim -w`'s bookkeeping).
std::string edn_with_value(const Op& op, history::Value value) {
  history::Op h;
  h.index = op.index;
  h.type = op.type;
  h.process = op.process;
  h.f = op.f;
  h.value = std::move(value);
  h.time_ns = op.time_ns;
  return history::op_to_edn(h, {op.process == workload::kNemesisProcess, op.error, op.final});
}

std::string txt_with_value(const Op& op, const history::Value& value) {
  std::string proc = op.process == workload::kNemesisProcess ? ":nemesis" : std::to_string(op.process);
  std::string out = fmt::format("{}\t:{}\t:{}\t{}", proc, history::to_string(op.type), op.f, history::to_edn(value));
  if (!op.error.empty()) out += "\t" + op.error;
  return out;
}

}  // namespace

std::string Store::op_edn(const Op& op) { return edn_with_value(op, history::parse_json_value(op.value)); }

std::string Store::op_txt(const Op& op) { return txt_with_value(op, history::parse_json_value(op.value)); }

std::string Store::append_op(const Op& op) {
  history::Value value = history::parse_json_value(op.value);
  std::string txt = txt_with_value(op, value);
  std::string edn = edn_with_value(op, std::move(value));
  std::fprintf(history_edn_, "%s\n", edn.c_str());
  std::fprintf(history_txt_, "%s\n", txt.c_str());
  return edn;
}

void Store::log(std::string_view line) {
  std::string stamp = wall_stamp(false);
  std::fprintf(log_, "%s %.*s\n", stamp.c_str(), static_cast<int>(line.size()), line.data());
}

void Store::flush() {
  for (FILE* f : {history_edn_, history_txt_, log_}) std::fflush(f);
}

Status write_file_atomic(const std::string& path, std::string_view text) {
  std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) return err("cannot write " + tmp + ": " + std::strerror(errno));
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0)
    return err("cannot write " + path + ": " + std::strerror(errno));
  return {};
}

Status Store::write_results(const history::Value& results) {
  flush();
  if (auto s = write_file_atomic(dir_ + "/results.edn", results_edn(results)); !s.ok()) return s;
  if (auto s = write_file_atomic(dir_ + "/results.json", history::to_json(results) + "\n"); !s.ok()) return s;
  return write_independent(results);
}

Status Store::write_independent(const history::Value& results) {
  const history::Value* w = results.get("workload");
  const history::Value* per_key = w ? w->get("results") : nullptr;
  if (!per_key || !per_key->is_map()) return {};
  for (const auto& [key, result] : per_key->entries()) {
    // Keys become directory names: keep them to a safe alphabet.
    std::string name = key.kind() == history::Value::Kind::kString ? key.as_string() : history::to_edn(key);
    for (char& c : name)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
    if (name.empty() || name == "." || name == "..") name = "_" + name;
    fs::path dir = fs::path(dir_) / "independent" / name;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return err("cannot create " + dir.string() + ": " + ec.message());
    if (auto s = write_file_atomic((dir / "results.edn").string(), results_edn(result)); !s.ok()) return s;
    if (auto s = write_file_atomic((dir / "results.json").string(), history::to_json(result) + "\n"); !s.ok()) return s;
  }
  return {};
}

Status Store::write_report(std::string_view text) { return write_file_atomic(dir_ + "/report.txt", text); }

}  // namespace squall::harness
