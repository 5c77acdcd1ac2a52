// libFuzzer target for the HTTP request parser of `squall serve` (serve/http.h): any
// bytes a client sends give a request or an error, never a crash. A parsed path starts
// with '/', and percent-encoding it for a link decodes back to the same path.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "serve/http.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace squall::serve;
  std::string_view head(reinterpret_cast<const char*>(data), size);
  (void)percent_decode(head);
  auto r = parse_request(head);
  if (!r.ok()) return 0;
  if (r->path.empty() || r->path[0] != '/') __builtin_trap();
  auto back = percent_decode(percent_encode_path(r->path));
  if (!back.ok() || *back != r->path) __builtin_trap();
  return 0;
}
