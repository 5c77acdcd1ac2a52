// Console output of the squall commands: text from histories and nodes shown safely,
// and the flag that Ctrl-C (SIGINT, SIGTERM, SIGHUP) sets for commands that stop
// cleanly instead of dying with half-written files.
#pragma once

#include <atomic>
#include <string>

#include "core/progress.h"

namespace squall::cli {

// Every line of text shown goes through printable(): values, op names and the text of
// malformed input come from the history and must not drive the terminal. A live
// progress line, when set, is erased before any other output reaches the terminal.
void out(const std::string& text);
void err_line(const std::string& text);
void set_console_progress(core::Progress* progress);

// Installs the handlers once (no SA_RESTART: a signal interrupts poll() and the loop
// sees the flag at once) and returns the flag they set.
std::atomic<bool>& stop_on_signals();

}  // namespace squall::cli
