#include "serve/store_browser.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <vector>

#include <fmt/format.h>

#include "serve/message_page.h"
#include "serve/run_page.h"
#include "viz/escape.h"

namespace squall::serve {
namespace fs = std::filesystem;
using viz::escape_xml;

namespace {

constexpr std::string_view kBrowserStyle = R"(<style>
body { font-family: sans-serif; font-size: 14px; margin: 20px; }
table { border-collapse: collapse; } td, th { padding: 3px 10px; text-align: left; border-bottom: 1px solid #eee; }
.valid-true { color: #1a7f37; font-weight: bold; } .valid-false { color: #c00; font-weight: bold; }
.valid-unknown, .valid-incomplete { color: #b36b00; font-weight: bold; }
a { margin-right: 8px; }
</style>
)";

// The files of a run worth a direct link, in the order they are listed.
constexpr std::string_view kRunFiles[] = {"report.txt",      "results.edn",    "messages.svg", "timeline.html",
                                          "latency-raw.svg", "rate.svg",       "history.txt",  "history.edn",
                                          "jepsen.log",      "elle/index.html"};

// "20240102T030405.678" -> "2024-01-02 03:04:05.678"; anything else as is.
std::string pretty_time(const std::string& stamp) {
  if (stamp.size() < 15 || stamp[8] != 'T') return stamp;
  return fmt::format("{}-{}-{} {}:{}:{}{}", stamp.substr(0, 4), stamp.substr(4, 2), stamp.substr(6, 2),
                     stamp.substr(9, 2), stamp.substr(11, 2), stamp.substr(13, 2), stamp.substr(15));
}

std::string page(std::string_view title, const std::string& body) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
      "charset=\"utf-8\"/><title>{}</title>\n{}</head><body>\n{}</body></html>\n",
      escape_xml(title), kBrowserStyle, body);
}

std::string link(const std::string& href, std::string_view text) {
  return fmt::format("<a href=\"{}\">{}</a>", escape_xml(percent_encode_path(href)), escape_xml(text));
}

// Splits a decoded request path into segments, refusing "..". Empty and "." segments
// are dropped, so "//etc/passwd" is the store's "etc/passwd", never the root's.
bool safe_segments(std::string_view path, std::vector<std::string>* out) {
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view seg = path.substr(i, j - i);
    if (seg == "..") return false;
    if (!seg.empty() && seg != ".") out->emplace_back(seg);
    i = j + 1;
  }
  return true;
}

bool inside(const fs::path& root, const fs::path& p) {
  auto r = root.begin(), q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (q == p.end() || *r != *q) return false;
  }
  return true;
}

}  // namespace

StoreBrowser::StoreBrowser(std::string root) : root_(std::move(root)) {}

std::string_view StoreBrowser::content_type(std::string_view name) {
  auto ends = [&](std::string_view ext) { return name.ends_with(ext); };
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".json")) return "application/json";
  if (ends(".edn")) return "application/edn; charset=utf-8";
  // Logs, histories, reports and anything unknown: plain text, never rendered.
  return "text/plain; charset=utf-8";
}

Response StoreBrowser::handle(const Request& req) const {
  if (req.method != "GET" && req.method != "HEAD") return error_response(405, "only GET and HEAD");
  std::vector<std::string> segs;
  if (!safe_segments(req.path, &segs)) return error_response(403, "paths may not contain '..'");
  std::error_code ec;
  fs::path root = fs::canonical(root_, ec);
  if (ec) return error_response(404, "no store at " + root_);
  if (segs.empty()) return index(req.query);
  fs::path p = root;
  for (const auto& s : segs) p /= s;
  fs::path real = fs::canonical(p, ec);  // resolves every symlink on the way
  if (ec && segs.back() == "messages" && !req.path.ends_with('/')) {
    // The message diagram of the run directory above, drawn from its messages.tsv.
    fs::path run = fs::canonical(p.parent_path(), ec);
    if (ec || !inside(root, run) || !fs::is_directory(run, ec)) return error_response(404, "not found");
    std::string base = req.path.substr(0, req.path.size() - std::string_view("messages").size());
    return render_message_page(run.string(), base, req.query);
  }
  if (ec) return error_response(404, "not found");
  if (!inside(root, real)) return error_response(403, "outside the store");
  if (fs::is_directory(real, ec)) {
    if (!req.path.ends_with('/')) {  // so relative links in the listing resolve
      Response r = error_response(301, "moved");
      r.location = percent_encode_path(req.path) + "/";
      return r;
    }
    bool is_run = fs::exists(real / "results.edn", ec) || fs::exists(real / "history.edn", ec);
    if (is_run && req.query != "files") {
      Response r;
      r.content_type = "text/html; charset=utf-8";
      r.body = render_run_page(real.string(), req.path);
      return r;
    }
    return listing(real.string(), req.path);
  }
  if (!fs::is_regular_file(real, ec)) return error_response(403, "not a regular file");
  return file(real.string(), req.method == "HEAD");
}

std::string StoreBrowser::cached_verdict(const std::string& dir) const {
  std::error_code ec;
  fs::path results = fs::path(dir) / "results.edn";
  auto mtime = fs::last_write_time(results, ec);
  if (ec) return run_verdict(dir);  // not cached: the run may still be writing its results
  uintmax_t size = fs::file_size(results, ec);
  int64_t mtime_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count();
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    auto it = verdicts_.find(dir);
    if (it != verdicts_.end() && it->second.mtime_ns == mtime_ns && it->second.size == size) return it->second.verdict;
  }
  std::string v = run_verdict(dir);
  std::lock_guard<std::mutex> lock(cache_mutex_);
  verdicts_[dir] = CachedVerdict{mtime_ns, size, v};
  return v;
}

Response StoreBrowser::index(const std::string& query) const {
  std::error_code ec;
  fs::path root = fs::canonical(root_, ec);
  struct Run {
    std::string workload, stamp;
  };
  std::vector<Run> runs;
  std::vector<std::string> workloads;
  for (const auto& w : fs::directory_iterator(root, ec)) {
    if (w.is_symlink() || !w.is_directory()) continue;  // "latest" links would list runs twice
    workloads.push_back(w.path().filename().string());
    std::error_code ec2;
    for (const auto& r : fs::directory_iterator(w.path(), ec2)) {
      if (r.is_symlink() || !r.is_directory()) continue;
      runs.push_back({w.path().filename().string(), r.path().filename().string()});
    }
  }
  std::sort(workloads.begin(), workloads.end());
  std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) {
    return a.stamp != b.stamp ? a.stamp > b.stamp : a.workload < b.workload;  // newest first
  });
  std::string want_workload = query_param(query, "workload").value_or("");
  std::string want_verdict = query_param(query, "verdict").value_or("");
  std::string want_date = query_param(query, "date").value_or("");
  want_date.erase(std::remove(want_date.begin(), want_date.end(), '-'), want_date.end());

  std::string rows;
  size_t shown = 0;
  for (const Run& r : runs) {
    if (!want_workload.empty() && r.workload != want_workload) continue;
    if (!want_date.empty() && !r.stamp.starts_with(want_date)) continue;
    fs::path dir = root / r.workload / r.stamp;
    std::string v = cached_verdict(dir.string());
    if (!want_verdict.empty() && v != want_verdict) continue;
    ++shown;
    std::string base = "/" + r.workload + "/" + r.stamp + "/";
    std::string files;
    for (std::string_view f : kRunFiles)
      if (fs::exists(dir / f, ec)) files += link(base + std::string(f), f);
    rows += fmt::format("<tr class=\"run\"><td>{}</td><td>{}</td><td class=\"valid-{}\">{}</td><td>{}</td></tr>\n",
                        escape_xml(r.workload), link(base, pretty_time(r.stamp)), v, v, files);
  }
  std::string options = "<option value=\"\">every workload</option>";
  for (const auto& w : workloads)
    options += fmt::format("<option{}>{}</option>", w == want_workload ? " selected=\"selected\"" : "", escape_xml(w));
  std::string verdicts;
  for (std::string_view v : {"", "true", "false", "unknown", "incomplete"})
    verdicts += fmt::format("<option value=\"{}\"{}>{}</option>", v, v == want_verdict ? " selected=\"selected\"" : "",
                            v.empty() ? "any verdict" : v);
  std::string body = fmt::format(
      "<h1>Squall store</h1>\n<p>{} ({})</p>\n"
      "<form id=\"filters\" method=\"get\" action=\"/\">workload <select name=\"workload\">{}</select> valid? "
      "<select name=\"verdict\">{}</select> date <input name=\"date\" placeholder=\"2024-01-02\" value=\"{}\"/> "
      "<button type=\"submit\">filter</button> <a href=\"/\">all</a></form>\n",
      escape_xml(root.string()),
      shown == runs.size() ? fmt::format("{} runs", runs.size())
                           : fmt::format("<span id=\"shown\">{}</span> of {} runs shown", shown, runs.size()),
      options, verdicts, escape_xml(query_param(query, "date").value_or("")));
  body +=
      "<table id=\"runs\"><tr><th>workload</th><th>time</th><th>valid?</th><th>files</th></tr>\n" + rows + "</table>\n";
  Response resp;
  resp.content_type = "text/html; charset=utf-8";
  resp.body = page("Squall store", body);
  return resp;
}

Response StoreBrowser::listing(const std::string& dir, const std::string& url_path) const {
  std::vector<std::pair<std::string, bool>> entries;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    entries.emplace_back(e.path().filename().string(), e.is_directory());
  std::sort(entries.begin(), entries.end());
  std::string body = fmt::format("<h1>{}</h1>\n<p>{}</p>\n<ul>\n", escape_xml(url_path), link("/", "all runs"));
  // The parent, computed here: this server refuses ".." in paths.
  std::string parent = url_path.substr(0, url_path.rfind('/', url_path.size() - 2) + 1);
  body += "<li>" + link(parent, "..") + "</li>\n";
  for (const auto& [name, is_dir] : entries) {
    std::string shown = is_dir ? name + "/" : name;
    body += "<li>" + link(url_path + shown, shown) + "</li>\n";
  }
  body += "</ul>\n";
  Response r;
  r.content_type = "text/html; charset=utf-8";
  r.body = page(url_path, body);
  return r;
}

Response StoreBrowser::file(const std::string& path, bool head_only) const {
  // Streamed by the server, never loaded: a store's logs can be larger than its memory.
  // HEAD only needs the size.
  auto body = head_only ? FileBody::stat(path) : FileBody::open(path);
  if (!body.ok()) return error_response(403, "cannot read this file");
  Response r;
  r.content_type = std::string(content_type(path));
  r.file = std::move(body.value());
  return r;
}

}  // namespace squall::serve
