#include "serve/host_allow_list.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace squall::serve {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_ipv4_literal(const std::string& name) {
  in_addr addr{};
  return ::inet_pton(AF_INET, name.c_str(), &addr) == 1;
}

// Splits "name:port" or "[v6]:port" into the name and the port text ("" when absent).
// Returns false when the value cannot be a host and port at all.
bool split_host_port(std::string_view value, std::string_view* name, std::string_view* port) {
  size_t name_end;
  if (value.starts_with('[')) {
    name_end = value.find(']');
    if (name_end == std::string_view::npos) return false;
    ++name_end;
  } else {
    name_end = value.find(':');
    if (name_end == std::string_view::npos) name_end = value.size();
  }
  *name = value.substr(0, name_end);
  std::string_view rest = value.substr(name_end);
  if (rest.empty()) {
    *port = {};
    return !name->empty();
  }
  if (rest.front() != ':') return false;
  *port = rest.substr(1);
  return !name->empty() && !port->empty();
}

}  // namespace

HostAllowList::HostAllowList(std::string bound_host, int port, std::vector<std::string> extra_names)
    : names_{"localhost", "127.0.0.1", "[::1]"}, port_(port), any_ipv4_(bound_host == "0.0.0.0") {
  if (!any_ipv4_) names_.push_back(lower(bound_host));
  for (const auto& n : extra_names) names_.push_back(lower(n));
}

bool HostAllowList::allows(std::string_view host_header) const {
  std::string_view name, port;
  if (!split_host_port(host_header, &name, &port)) return false;
  if (!port.empty()) {
    int value = -1;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value != port_) return false;
  }
  std::string n = lower(name);
  if (std::find(names_.begin(), names_.end(), n) != names_.end()) return true;
  return any_ipv4_ && is_ipv4_literal(n);
}

std::string HostAllowList::describe() const {
  std::string out;
  for (const auto& n : names_) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  if (any_ipv4_) out += ", any IPv4 address";
  return out + " (with no port or port " + std::to_string(port_) + ")";
}

}  // namespace squall::serve
