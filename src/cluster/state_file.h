// StateFile: the journal of every host object a cluster run creates, written before the
// object exists, so that `squall cluster cleanup` can remove all of it after squall was
// killed with SIGKILL.
//
// One file per run, /run/squall/cluster/<tag>.state (tmpfs: it does not outlive a reboot,
// and neither do namespaces or links). One record per line, "<kind> <name>", appended and
// flushed with fsync before the object is created. Kinds: netns, link, dir. Removing
// follows the teardown order: processes inside each namespace, the namespaces, the links,
// the directories. Not thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace squall::cluster {

struct StateRecord {
  std::string kind;  // "netns", "link", "dir"
  std::string name;
};

inline constexpr const char* kStateDir = "/run/squall/cluster";

class StateFile {
 public:
  // Creates <dir>/<tag>.state (and dir). The error names the path.
  static Result<StateFile> create(const std::string& dir, const std::string& tag);
  StateFile(StateFile&& other) noexcept;
  StateFile& operator=(StateFile&&) = delete;
  ~StateFile();

  // Appends and fsyncs one record. Precondition: kind and name hold no whitespace.
  Status record(std::string_view kind, std::string_view name);
  const std::string& path() const { return path_; }
  // Deletes the file (after a complete teardown).
  void remove();

 private:
  StateFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
};

// Parses a state file's text; lines that are not "<kind> <name>" are errors naming
// path:line.
Result<std::vector<StateRecord>> parse_state(std::string_view text, std::string_view path);

// What removing one run's records did, for the console.
struct CleanupReport {
  std::vector<std::string> removed;  // "netns squall-ab12cd-n1", "process 1234", ...
  std::vector<std::string> failed;   // "link sqab12cdh1: exit 2: ..."
};

// Removes everything the records name, in teardown order: kills every process inside
// each namespace (SIGKILL, waiting until they are gone), deletes the namespaces, deletes
// the links that remain, removes the directories (only paths under /tmp/squall-cluster-).
// Objects already gone are not errors.
CleanupReport remove_recorded(const std::vector<StateRecord>& records);

// Removes the objects of every state file in `dir` and the files themselves.
CleanupReport cleanup_all(const std::string& dir = kStateDir);

}  // namespace squall::cluster
