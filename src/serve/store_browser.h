// StoreBrowser: answers requests for a store directory (what `squall test` writes).
//
// "/" is an index of runs (workload, time, verdict, links to each run's files), filtered
// by the query parameters workload=, verdict= (true, false, unknown, incomplete) and
// date= (a prefix of the run's time, "2024-01-02" or "20240102"); verdicts are cached
// by results.edn's modification time and size, so a store of a thousand runs lists fast.
// A run's directory (one holding results.edn or history.edn) is its run page (see
// run_page.h), "<run>/messages" its message diagram (message_page.h), and "?files"
// lists a directory instead; any other directory path lists the directory; a file path serves the file with a content
// type from its extension (.svg, .html, .edn, .txt, .log, .json; anything else as plain text, so untrusted node output
// is never rendered as a page), as a FileBody the server streams (HEAD only stats it). Nothing outside the store is
// ever served: ".." segments are refused (403), and every path is resolved through its symlinks and must still lie
// inside the store's own resolved root (403 otherwise), so the store's latest links work while a link leading out of
// the store does not. Thread-safe for concurrent handle() calls (it only reads the file system).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "serve/http.h"

namespace squall::serve {

class StoreBrowser {
 public:
  explicit StoreBrowser(std::string root);

  Response handle(const Request& request) const;

  // Content type for a file name (exposed for tests).
  static std::string_view content_type(std::string_view file_name);

 private:
  Response index(const std::string& query) const;
  std::string cached_verdict(const std::string& dir) const;
  Response listing(const std::string& dir, const std::string& url_path) const;
  Response file(const std::string& path, bool head_only) const;
  std::string root_;  // as given; resolved on every request (the store may appear later)
  struct CachedVerdict {
    int64_t mtime_ns = 0;
    uintmax_t size = 0;
    std::string verdict;
  };
  mutable std::mutex cache_mutex_;
  mutable std::map<std::string, CachedVerdict> verdicts_;  // by run directory
};

}  // namespace squall::serve
