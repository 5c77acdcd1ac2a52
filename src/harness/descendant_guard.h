// DescendantGuard: no process started for a run outlives it, not even when squall is
// killed with SIGKILL.
//
// Three mechanisms, because each alone has a gap:
//  * squall becomes a child subreaper (PR_SET_CHILD_SUBREAPER), so whatever a node forks
//    and orphans (a daemon, a `setsid` child) is reparented to squall rather than to
//    init. At the end of a run kill_all() kills and reaps every child squall still has
//    and returns them: those are processes the nodes left behind, reported as such.
//  * every node is started with a parent-death signal (see NodeProcess), so a node dies
//    with squall even if it ignores stdin EOF.
//  * a watchdog process, forked when the guard is created, in its own session and deaf
//    to terminal signals, waits on a pipe from squall. When the pipe closes (squall
//    exited, however it died) it SIGKILLs the nodes' process groups it was told about
//    and every process whose environment carries the run's marker variable, which each
//    node gets and its descendants inherit. Orphans of a SIGKILLed squall go to init
//    and only the watchdog can still find them. A process that clears its environment
//    and leaves its node's process group escapes only this last net.
// The guard lives on the thread that spawns the nodes (the parent-death signal follows
// the spawning thread). Not thread-safe.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace squall::harness {

struct LeftoverProcess {
  pid_t pid = 0;
  std::string command;  // argv joined by spaces, clipped
};

class DescendantGuard {
 public:
  static Result<std::unique_ptr<DescendantGuard>> create();
  // Kills what is left (see kill_all), lets the watchdog finish and clears the
  // subreaper flag.
  ~DescendantGuard();
  DescendantGuard(const DescendantGuard&) = delete;
  DescendantGuard& operator=(const DescendantGuard&) = delete;

  // "SQUALL_RUN_MARKER=<unique token>", to add to each node's environment.
  const std::string& marker_env() const { return marker_env_; }
  pid_t watchdog_pid() const { return watchdog_; }

  // The watchdog kills process group `pgid` if squall dies; forget() once it is reaped
  // (a reaped group's id may be reused by an unrelated process).
  void track(pid_t pgid);
  void forget(pid_t pgid);

  // Reaps orphans that already exited (zombies reparented to squall), so a node that
  // keeps forking short-lived daemons does not fill the process table. Stops at the
  // first exited child that is a tracked node: its status belongs to its NodeProcess.
  void reap_exited_orphans();

  // SIGKILLs and reaps every child of squall other than the watchdog and the tracked
  // nodes, again until none is left (killing one reparents its children to squall).
  // Returns what was still running. Call after the nodes themselves were reaped.
  std::vector<LeftoverProcess> kill_all();

 private:
  DescendantGuard() = default;
  void send(char op, pid_t pgid);
  bool tracked(pid_t pid) const;

  std::string marker_env_;
  pid_t watchdog_ = -1;
  int pipe_ = -1;  // write end; the watchdog acts when it closes
  std::vector<pid_t> tracked_;
};

}  // namespace squall::harness
