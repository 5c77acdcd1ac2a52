// HostAllowList: which Host headers `squall serve` answers, against DNS rebinding.
//
// A web page from evil.example can make its own name resolve to 127.0.0.1 and then read
// the store through the victim's browser; the browser still sends "Host: evil.example".
// So a request is answered only when its Host names this server: localhost, 127.0.0.1,
// [::1], the address it is bound to, or a name the user allowed explicitly
// (--allow-host), each with no port or with the listening port. Bound to every interface
// (0.0.0.0), any IPv4 literal is allowed too: rebinding needs a name, and the machine's
// own addresses are not known in advance. Names compare without regard to case.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace squall::serve {

class HostAllowList {
 public:
  HostAllowList(std::string bound_host, int port, std::vector<std::string> extra_names = {});

  // Whether a Host header's value (e.g. "localhost:8080", "[::1]") names this server.
  bool allows(std::string_view host_header) const;

  // "localhost, 127.0.0.1, [::1]" and the rest, with the port, for error messages.
  std::string describe() const;

 private:
  std::vector<std::string> names_;  // lower case
  int port_;
  bool any_ipv4_;
};

}  // namespace squall::serve
