// squall serve: browse the store over HTTP (runs, verdicts, reports, diagrams).
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>

#include "commands.h"
#include "console.h"
#include "parse_command_line.h"
#include "serve/server.h"
#include "serve/store_browser.h"

namespace squall::cli {
int cmd_serve(int argc, char** argv) {
  std::string store = "store";
  std::string host = "127.0.0.1";
  int port = 8080;
  serve::ServerOptions options;
  CLI::App app{
      "Serves the store over HTTP: an index of runs (workload, time, valid?) linking to each\n"
      "run's report, results, message diagram, timeline and plots. Ctrl-C stops it.",
      "squall serve"};
  app.option_defaults()->always_capture_default();
  app.add_option("--store", store, "Directory of the store to browse");
  app.add_option("--port", port, "TCP port to listen on (0 picks a free one)");
  app.add_option("--host", host, "IPv4 address to listen on (0.0.0.0 for every interface)");
  app.add_option("--allow-host", options.allowed_hosts,
                 "A name this server may be reached by, beyond localhost and the listening address (repeatable); "
                 "requests naming any other Host are refused, against DNS rebinding");
  if (auto stop = parse_command_line(app, argc, argv, "serve")) return *stop;

  auto server = serve::HttpServer::listen(host, port, options);
  if (!server.ok()) {
    std::fprintf(stderr, "squall serve: %s\n", server.error().c_str());
    return kExitUsage;
  }
  std::atomic<bool>& stop = stop_on_signals();
  ::signal(SIGPIPE, SIG_IGN);

  serve::StoreBrowser browser(store);
  std::printf("squall serve: serving %s at http://%s:%d/ (Ctrl-C stops)\n", store.c_str(), host.c_str(),
              (*server)->port());
  std::fflush(stdout);
  (*server)->serve([&](const serve::Request& r) { return browser.handle(r); }, stop);
  std::printf("squall serve: stopped\n");
  return 0;
}

}  // namespace squall::cli
