#include "serve/run_page.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <rapidjson/document.h>

#include "history/edn.h"
#include "history/value.h"
#include "serve/http.h"
#include "serve/run_history.h"
#include "viz/escape.h"

namespace squall::serve {
namespace fs = std::filesystem;
using history::Value;
using viz::escape_xml;

namespace {

constexpr std::string_view kStyle = R"(<style>
body { font-family: sans-serif; font-size: 14px; margin: 20px; max-width: 1200px; }
h2 { margin-top: 28px; border-bottom: 1px solid #ddd; }
.verdict { font-size: 22px; font-weight: bold; padding: 8px 14px; border-radius: 4px; display: inline-block; }
.verdict-true { background: #dff3e3; color: #1a7f37; } .verdict-false { background: #fbe0e0; color: #b00; }
.verdict-unknown, .verdict-incomplete { background: #fff1d6; color: #8a5300; }
.why li { margin: 3px 0; }
.anomaly { border-left: 4px solid #c00; padding: 4px 12px; margin: 10px 0; background: #fff8f8; }
.example { font-family: monospace; font-size: 12px; margin: 4px 0; }
.example a { margin-left: 8px; font-family: sans-serif; }
pre { background: #f6f6f6; padding: 10px; overflow-x: auto; font-size: 12px; }
.plots img { max-width: 100%; border: 1px solid #eee; margin: 6px 0; }
table { border-collapse: collapse; } td, th { padding: 2px 10px; text-align: left; border-bottom: 1px solid #eee; }
.repro { display: flex; gap: 8px; align-items: flex-start; } .repro pre { flex: 1; margin: 0; white-space: pre-wrap; }
nav a { margin-right: 12px; }
</style>
)";

constexpr std::string_view kCopyScript = R"(<script>
function squallCopy(id, button) {
  var text = document.getElementById(id).textContent;
  var done = function () { button.textContent = 'copied'; };
  var failed = function () { button.textContent = 'select and copy'; };
  // The clipboard API needs a secure context; plain http on another host falls back.
  if (navigator.clipboard) {
    if (window.isSecureContext) { navigator.clipboard.writeText(text).then(done, failed); return; }
  }
  var range = document.createRange();
  range.selectNodeContents(document.getElementById(id));
  var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
  try { document.execCommand('copy'); done(); } catch (e) { failed(); }
}
</script>
)";

std::string read_prefix(const fs::path& p, size_t max_bytes, bool* cut = nullptr) {
  std::error_code ec;
  uintmax_t size = fs::file_size(p, ec);
  if (ec) size = 0;
  std::ifstream in(p, std::ios::binary);
  // Sized by the file, not the limit: a store's index reads a thousand small results.
  std::string s(static_cast<size_t>(std::min<uintmax_t>(size + 1, max_bytes)), '\0');
  in.read(s.data(), static_cast<std::streamsize>(max_bytes));
  s.resize(static_cast<size_t>(in.gcount()));
  if (cut) *cut = in.peek() != std::ifstream::traits_type::eof();
  return s;
}

// The last `bytes` of a file, from a line start; `*cut` says whether anything was left out.
std::string read_tail(const fs::path& p, size_t bytes, bool* cut) {
  std::error_code ec;
  uintmax_t size = fs::file_size(p, ec);
  if (ec) return "";
  std::ifstream in(p, std::ios::binary);
  *cut = size > bytes;
  if (*cut) in.seekg(static_cast<std::streamoff>(size - bytes));
  std::string s(static_cast<size_t>(std::min<uintmax_t>(size, bytes)), '\0');
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  s.resize(static_cast<size_t>(in.gcount()));
  if (*cut) {
    size_t nl = s.find('\n');
    if (nl != std::string::npos) s.erase(0, nl + 1);
  }
  return s;
}

std::optional<Value> read_results(const fs::path& dir) {
  std::error_code ec;
  fs::path p = dir / "results.edn";
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  bool cut = false;
  std::string text = read_prefix(p, kMaxResultsBytes, &cut);
  if (cut) return std::nullopt;
  auto v = history::parse_edn(text, p.string());
  if (!v.ok() || !v->is_map()) return std::nullopt;
  return std::move(v.value());
}

std::string verdict_text(const Value* v) {
  if (v == nullptr) return "unknown";
  if (v->kind() == Value::Kind::kBool) return v->as_bool() ? "true" : "false";
  return "unknown";
}

std::string edn(const Value& v, size_t max_bytes = 240) { return viz::clip_utf8(history::to_edn(v), max_bytes); }

std::string key_name(const Value& k) { return k.is_keyword() || k.is_string() ? k.as_string() : history::to_edn(k); }

// The lists of a failed checker worth showing as anomalies: "...examples" lists first,
// then the usual anomaly names; else every non-empty list.
std::vector<std::pair<std::string, const Value*>> anomaly_lists(const Value& checker) {
  static const std::vector<std::string_view> kNamed = {"lost",       "unexpected",     "duplicated", "crashes",
                                                       "never-read", "anomalies",      "errors",     "duplicates",
                                                       "mismatches", "setup-problems", "bad-reads"};
  std::vector<std::pair<std::string, const Value*>> examples, named, other;
  for (const auto& [k, v] : checker.entries()) {
    if (!(v.is_sequential() || v.is_set()) || v.size() == 0) continue;
    std::string name = key_name(k);
    if (name.ends_with("examples")) {
      examples.emplace_back(name, &v);
    } else if (std::find(kNamed.begin(), kNamed.end(), name) != kNamed.end()) {
      named.emplace_back(name, &v);
    } else {
      other.emplace_back(name, &v);
    }
  }
  if (!examples.empty()) {
    // "lost-examples" covers "lost": do not list the same anomaly twice.
    for (auto& n : named) {
      bool covered = std::any_of(examples.begin(), examples.end(),
                                 [&](const auto& e) { return e.first == n.first + "-examples"; });
      if (!covered) examples.push_back(n);
    }
    return examples;
  }
  return named.empty() ? other : named;
}

// Where an example shows: its operation (an explicit index, else the op that added its
// element) and a time in ns.
struct Place {
  const HistoryOp* op = nullptr;
  int64_t t_ns = -1;
};

Place place_of(const Value& example, const RunHistory& history) {
  Place p;
  const Value* element = &example;
  if (example.is_map()) {
    for (const auto& [k, v] : example.entries()) {
      std::string name = key_name(k);
      if ((name == "index" || name == "op-index") && v.is_int() && !p.op) p.op = history.op_at_index(v.as_int());
      if (name.ends_with("time-ms") && v.is_int() && p.t_ns < 0) p.t_ns = v.as_int() * 1'000'000;
      if (name == "time" && v.is_int() && p.t_ns < 0) p.t_ns = v.as_int();
      if (name == "op" && v.is_map()) {
        const Value* idx = v.get("index");
        if (idx && idx->is_int() && !p.op) p.op = history.op_at_index(idx->as_int());
      }
    }
    element = example.get("element");
    if (element == nullptr) element = example.get("value");
  }
  if (!p.op && element && !element->is_map()) p.op = history.invocation_with_value(history::to_edn(*element));
  if (!p.op && p.t_ns >= 0) p.op = history.invocation_at(p.t_ns);
  if (p.t_ns < 0 && p.op) p.t_ns = p.op->time_ns;
  return p;
}

struct Anomalies {
  std::string html;
  std::vector<std::string> why;  // one line per failed checker, linking its anomalies
  int64_t first_ns = -1;
};

Anomalies anomalies_of(const Value& results, const RunHistory& history, bool has_timeline) {
  Anomalies a;
  int n = 0;
  for (const auto& [k, checker] : results.entries()) {
    if (!checker.is_map()) continue;
    const Value* valid = checker.get("valid?");
    if (valid == nullptr || verdict_text(valid) == "true") continue;
    std::string name = key_name(k);
    auto lists = anomaly_lists(checker);
    // The counts of the anomalies shown ("lost 10"), not of everything counted.
    std::string counts;
    for (const auto& [ck, cv] : checker.entries()) {
      std::string cn = key_name(ck);
      if (!cn.ends_with("-count") || !cv.is_int() || cv.as_int() == 0) continue;
      std::string base = cn.substr(0, cn.size() - 6);
      bool shown = std::any_of(lists.begin(), lists.end(),
                               [&](const auto& l) { return l.first == base || l.first == base + "-examples"; });
      if (shown) counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", base, cv.as_int());
    }
    std::string anchor = fmt::format("anomaly-{}", n++);
    a.why.push_back(fmt::format("<li><a href=\"#{}\">{}</a> is {}{}</li>", anchor, escape_xml(name),
                                escape_xml(verdict_text(valid) == "false" ? "invalid" : "unknown"),
                                counts.empty() ? "" : ": " + escape_xml(counts)));
    a.html += fmt::format("<div class=\"anomaly\" id=\"{}\"><h3>{}</h3>\n", anchor, escape_xml(name));
    if (lists.empty()) a.html += "<p>No examples recorded; see the results below.</p>\n";
    for (const auto& [list_name, list] : lists) {
      a.html += fmt::format("<p><b>{}</b> ({} in all{})</p>\n", escape_xml(list_name), list->size(),
                            list->size() > kExamplesShown ? fmt::format(", the first {} shown", kExamplesShown) : "");
      size_t shown = 0;
      for (const Value& example : list->items()) {
        if (shown++ == kExamplesShown) break;
        Place p = place_of(example, history);
        std::string links;
        if (p.op && has_timeline)
          links += fmt::format("<a class=\"to-timeline\" href=\"timeline.html#op-{}\">operation {} in the timeline</a>",
                               p.op->invocation, p.op->invocation);
        if (p.t_ns >= 0) {
          links += fmt::format("<a class=\"to-diagram\" href=\"messages?at={}#focus\">messages around {:.3f} s</a>",
                               p.t_ns / 1'000'000, static_cast<double>(p.t_ns) / 1e9);
          if (a.first_ns < 0 || p.t_ns < a.first_ns) a.first_ns = p.t_ns;
        }
        a.html += fmt::format("<div class=\"example\">{}{}</div>\n", escape_xml(edn(example)), links);
      }
    }
    a.html += "</div>\n";
  }
  return a;
}

// The flags of a reproduce command: "--name value" pairs and bare "--switch"es.
std::vector<std::pair<std::string, std::string>> flags_of(const std::string& command) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < command.size()) {
    size_t j = command.find(' ', i);
    if (j == std::string::npos) j = command.size();
    if (j > i) words.push_back(command.substr(i, j - i));
    i = j + 1;
  }
  std::vector<std::pair<std::string, std::string>> flags;
  for (size_t w = 0; w < words.size(); ++w) {
    if (!words[w].starts_with("-")) continue;
    std::string value;
    if (w + 1 < words.size() && !words[w + 1].starts_with("-")) value = words[++w];
    flags.emplace_back(words[w - (value.empty() ? 0 : 1)], value);
  }
  return flags;
}

std::string section_reproduce(const std::string& report) {
  size_t at = report.find("Reproduce: ");
  if (at == std::string::npos) return "";
  size_t end = report.find('\n', at);
  std::string command = report.substr(at + 11, end == std::string::npos ? std::string::npos : end - at - 11);
  std::string html = "<h2 id=\"reproduce\">Reproduce</h2>\n<div class=\"repro\"><pre id=\"repro-command\">" +
                     escape_xml(command) +
                     "</pre><button type=\"button\" id=\"copy-repro\" "
                     "onclick=\"squallCopy('repro-command', this)\">copy</button></div>\n";
  auto flags = flags_of(command);
  if (!flags.empty()) {
    html += "<h3>Flags</h3>\n<table id=\"flags\">";
    for (const auto& [f, v] : flags)
      html += fmt::format("<tr><td>{}</td><td>{}</td></tr>", escape_xml(f), escape_xml(v));
    html += "</table>\n";
  }
  return html;
}

// Node logs: node-logs/*.log (squall test) and <node>/*.log (a cluster run's per-node
// directories); the tail of each, newest lines first in view.
std::string section_logs(const fs::path& dir) {
  std::vector<fs::path> logs;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir, fs::directory_options::none, ec)) {
    if (logs.size() >= 64) break;
    if (e.is_regular_file() && e.path().extension() == ".log" && e.path().parent_path() != dir)
      logs.push_back(e.path());
  }
  if (logs.empty()) return "";
  std::sort(logs.begin(), logs.end());
  std::string html = "<h2 id=\"logs\">Node logs</h2>\n";
  for (const fs::path& p : logs) {
    bool cut = false;
    std::string tail = read_tail(p, kLogTailBytes, &cut);
    std::string rel = fs::relative(p, dir, ec).string();
    html +=
        fmt::format("<details{}><summary>{} ({}, <a href=\"{}\">whole file</a>)</summary><pre>{}</pre></details>\n",
                    html.size() < 100 ? " open=\"open\"" : "", escape_xml(rel), cut ? "its last lines" : "all of it",
                    escape_xml(percent_encode_path(rel)), escape_xml(tail.empty() ? "(empty)" : tail));
  }
  return html;
}

std::string section_files(const fs::path& dir) {
  std::vector<std::pair<std::string, uintmax_t>> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (files.size() >= 500) break;
    if (it.depth() > 2) it.disable_recursion_pending();
    std::error_code ec2;
    if (it->is_regular_file(ec2)) files.emplace_back(fs::relative(it->path(), dir, ec2).string(), it->file_size(ec2));
  }
  std::sort(files.begin(), files.end());
  std::string html = "<h2 id=\"files\">Files</h2>\n<table>";
  for (const auto& [rel, size] : files)
    html += fmt::format("<tr><td><a href=\"{}\">{}</a></td><td>{} bytes</td></tr>",
                        escape_xml(percent_encode_path(rel)), escape_xml(rel), size);
  return html + "</table>\n<p><a href=\"?files\">directory listing</a></p>\n";
}

}  // namespace

int64_t first_anomaly_ns(const std::string& dir, const RunHistory& history) {
  auto results = read_results(dir);
  if (!results) return -1;
  return anomalies_of(*results, history, false).first_ns;
}

std::string run_verdict(const std::string& dir) {
  auto results = read_results(dir);
  if (results) return verdict_text(results->get("valid?"));
  std::error_code ec;
  if (fs::exists(fs::path(dir) / "results.edn", ec)) return "unknown";
  // A run with only results.json (written by other tools): its top-level "valid?".
  fs::path json = fs::path(dir) / "results.json";
  if (!fs::is_regular_file(json, ec)) return "incomplete";
  bool cut = false;
  std::string text = read_prefix(json, kMaxResultsBytes, &cut);
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (cut || doc.HasParseError() || !doc.IsObject() || !doc.HasMember("valid?")) return "unknown";
  const auto& v = doc["valid?"];
  return v.IsBool() ? (v.GetBool() ? "true" : "false") : "unknown";
}

std::string render_run_page(const std::string& dir_text, const std::string& url_base) {
  fs::path dir(dir_text);
  std::error_code ec;
  auto results = read_results(dir);
  std::string verdict = run_verdict(dir_text);
  RunHistory history = RunHistory::read((dir / "history.edn").string());
  bool has_timeline = fs::exists(dir / "timeline.html", ec);
  bool has_messages = fs::exists(dir / "messages.tsv", ec);
  bool cut = false;
  std::string report = read_prefix(dir / "report.txt", 1 << 20, &cut);

  std::string body = fmt::format("<p><a href=\"/\">all runs</a></p>\n<h1>{}</h1>\n", escape_xml(url_base));
  const char* shown = verdict == "true"         ? "VALID"
                      : verdict == "false"      ? "INVALID"
                      : verdict == "incomplete" ? "INCOMPLETE (no results yet)"
                                                : "UNKNOWN";
  body += fmt::format("<div id=\"verdict\" class=\"verdict verdict-{}\">{}</div>\n", verdict, shown);
  body += "<nav>";
  if (has_messages) body += "<a href=\"messages\">message diagram</a>";
  if (has_timeline) body += "<a href=\"timeline.html\">timeline</a>";
  if (fs::exists(dir / "elle" / "index.html", ec)) body += "<a href=\"elle/index.html\">anomaly graphs</a>";
  body += "<a href=\"#report\">report</a><a href=\"#logs\">node logs</a><a href=\"#files\">files</a></nav>\n";

  Anomalies anomalies;
  if (results) anomalies = anomalies_of(*results, history, has_timeline);
  if (!anomalies.why.empty()) {
    body += "<h2 id=\"why\">Why</h2>\n<ul class=\"why\">";
    for (const auto& line : anomalies.why) body += line;
    body += "</ul>\n<h2 id=\"anomalies\">Anomalies</h2>\n" + anomalies.html;
  } else if (verdict == "incomplete") {
    body += "<p>The run has no results.edn: it is still running, or it was killed before the end.</p>\n";
  }
  if (has_messages)
    body += "<p><a id=\"diagram-link\" href=\"messages#focus\">The message diagram</a>, around the " +
            std::string(anomalies.first_ns >= 0 ? "first anomaly" : "first fault") + ".</p>\n";

  std::string plots;
  for (const char* p : {"latency-raw.svg", "rate.svg", "latency-quantiles.svg"})
    if (fs::exists(dir / p, ec)) plots += fmt::format("<img src=\"{}\" alt=\"{}\" loading=\"lazy\"/>\n", p, p);
  if (!plots.empty()) body += "<h2 id=\"plots\">Plots</h2>\n<div class=\"plots\">" + plots + "</div>\n";

  body += section_reproduce(report);
  if (!report.empty())
    body += "<h2 id=\"report\">Report</h2>\n<pre>" + escape_xml(report) + (cut ? "\n…" : "") + "</pre>\n";

  std::string pages;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.ends_with(".html"))
      pages += fmt::format("<li><a href=\"{}\">{}</a></li>", escape_xml(percent_encode_path(name)), escape_xml(name));
  }
  if (!pages.empty()) body += "<h2 id=\"pages\">Pages</h2>\n<ul>" + pages + "</ul>\n";
  body += section_logs(dir);
  body += section_files(dir);

  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>{} {}</title>\n{}{}</head><body>\n{}"
      "</body></html>\n",
      escape_xml(url_base), shown, kStyle, kCopyScript, body);
}

}  // namespace squall::serve
