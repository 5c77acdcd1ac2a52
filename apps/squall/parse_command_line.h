// parse_command_line: CLI11 parsing with the conventions every squall subcommand shares.
//
// --help prints the command's help on stdout (exit 0); a usage error prints
// "squall <command>: <what went wrong>" and a pointer to --help on stderr (exit 254).
#pragma once

#include <cstdio>
#include <optional>

#include <CLI/CLI.hpp>

#include "commands.h"

namespace squall::cli {

// Parses argv into app. Returns the exit code when the command must stop here (help was
// asked for, or the arguments are wrong), nullopt when it should run.
inline std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv, const char* command) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::printf("%s", app.help().c_str());
    return kExitValid;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "squall %s: %s\nRun 'squall %s --help' for the options.\n", command, e.what(), command);
    return kExitUsage;
  }
  return std::nullopt;
}

}  // namespace squall::cli
