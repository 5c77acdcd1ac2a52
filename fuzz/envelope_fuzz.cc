// libFuzzer target for the harness's message-line parser (net/envelope.h): any line a
// node prints gives an envelope or an error, never a crash. An accepted envelope, encoded
// again for delivery, must parse back to the same src, dest and body.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "net/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace squall::net;
  std::string_view line(reinterpret_cast<const char*>(data), size);
  (void)is_valid_json(line);
  auto e = parse_envelope(line);
  if (!e.ok()) return 0;
  (void)parse_body_head(e->body);
  std::string wire = encode_envelope(1, e->src, e->dest, e->body);
  auto back = parse_envelope(wire);
  if (!back.ok() || back->src != e->src || back->dest != e->dest || back->body != e->body) __builtin_trap();
  return 0;
}
