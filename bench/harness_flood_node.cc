// harness_flood_node: a Maelstrom node that only moves tokens, for measuring routers.
//
// After init it puts `tokens` (argv[1], default 8) messages into circulation; each token
// it receives is passed on to the next node (n(i+1) mod N) at once. Its own work per
// message is a few string searches and one write, so a router's cost dominates. Used by
// bench/harness_bench.sh under both `squall test` and the raw relay (harness_relay).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace {

std::string g_self;
int g_index = 0;
int g_count = 1;
std::string g_out;

long field_int(std::string_view line, std::string_view key) {
  auto at = line.find(key);
  if (at == std::string_view::npos) return 0;
  return std::strtol(line.data() + at + key.size(), nullptr, 10);
}

void token_to_next(long hop) {
  int next = (g_index + 1) % g_count;
  g_out += "{\"src\":\"" + g_self + "\",\"dest\":\"n" + std::to_string(next) +
           "\",\"body\":{\"type\":\"token\",\"hop\":" + std::to_string(hop) +
           ",\"payload\":\"0123456789abcdef0123456789abcdef0123456789abcdef\"}}\n";
}

void handle(std::string_view line, int tokens) {
  if (line.find("\"type\":\"token\"") != std::string_view::npos) {
    token_to_next(field_int(line, "\"hop\":") + 1);
    return;
  }
  if (line.find("\"type\":\"init\"") == std::string_view::npos) return;
  auto id_at = line.find("\"node_id\":\"");
  auto id_end = line.find('"', id_at + 11);
  g_self = std::string(line.substr(id_at + 11, id_end - id_at - 11));
  g_index = std::atoi(g_self.c_str() + 1);
  auto ids = line.substr(line.find("\"node_ids\":") + 11);
  g_count = 0;
  for (size_t p = ids.find("\"n"); p != std::string_view::npos; p = ids.find("\"n", p + 1)) ++g_count;
  auto src_at = line.find("\"src\":\"");
  auto src_end = line.find('"', src_at + 7);
  std::string client(line.substr(src_at + 7, src_end - src_at - 7));
  g_out += "{\"src\":\"" + g_self + "\",\"dest\":\"" + client +
           "\",\"body\":{\"type\":\"init_ok\",\"in_reply_to\":" + std::to_string(field_int(line, "\"msg_id\":")) +
           "}}\n";
  if (g_count > 1)
    for (int t = 0; t < tokens; ++t) token_to_next(0);
}

}  // namespace

int main(int argc, char** argv) {
  int tokens = argc > 1 ? std::atoi(argv[1]) : 8;
  std::string buf;
  char chunk[65536];
  while (true) {
    ssize_t n = ::read(0, chunk, sizeof chunk);
    if (n <= 0) return 0;
    buf.append(chunk, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1) {
      handle(std::string_view(buf).substr(start, nl - start), tokens);
    }
    buf.erase(0, start);
    // One write per batch of input: the same for every router under test.
    for (size_t off = 0; off < g_out.size();) {
      ssize_t w = ::write(1, g_out.data() + off, g_out.size() - off);
      if (w <= 0) return 1;
      off += static_cast<size_t>(w);
    }
    g_out.clear();
  }
}
