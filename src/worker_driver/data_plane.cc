#include "worker_driver/data_plane.h"

#include <charconv>

#include <fmt/format.h>

namespace squall::worker_driver {

std::string finding_content(const worker::FindingWrite& w) {
  return fmt::format("{:016x} {} {} {}", w.id, w.finding.item_key, w.finding.offset, w.finding.secret);
}

std::optional<worker::FindingWrite> parse_finding_content(std::string_view content) {
  worker::FindingWrite w;
  // Four fields separated by single spaces; keys and secrets hold no spaces.
  std::string_view f[4];
  for (int i = 0; i < 3; ++i) {
    const size_t sp = content.find(' ');
    if (sp == std::string_view::npos) return std::nullopt;
    f[i] = content.substr(0, sp);
    content.remove_prefix(sp + 1);
  }
  f[3] = content;
  if (f[0].size() != 16 || f[1].empty() || f[3].empty() || f[3].find(' ') != std::string_view::npos)
    return std::nullopt;
  auto [e0, c0] = std::from_chars(f[0].data(), f[0].data() + f[0].size(), w.id, 16);
  auto [e2, c2] = std::from_chars(f[2].data(), f[2].data() + f[2].size(), w.finding.offset);
  if (c0 != std::errc() || e0 != f[0].data() + f[0].size() || c2 != std::errc() || e2 != f[2].data() + f[2].size())
    return std::nullopt;
  w.finding.item_key = std::string(f[1]);
  w.finding.secret = std::string(f[3]);
  return w;
}

EtcdDataPlane::EtcdDataPlane(etcd::Client* client, std::string_view store_prefix, coord::RunId run)
    : findings_(client, etcd_store::findings_prefix(store_prefix, run)),
      done_(client, etcd_store::done_prefix(store_prefix, run)) {}

bool EtcdDataPlane::add(etcd_store::ContentSet* set, const std::vector<std::string>& contents) {
  if (set->add_all(contents, &statuses_)) return true;
  for (size_t i = 0; i < statuses_.size(); ++i) {
    using etcd_store::AddStatus;
    if (statuses_[i] != AddStatus::Added && statuses_[i] != AddStatus::Present) {
      last_error_ =
          fmt::format("{} of entry {}: {}", etcd_store::to_string(statuses_[i]), contents[i], set->last_error());
      break;
    }
  }
  return false;
}

bool EtcdDataPlane::put_findings(const std::vector<worker::FindingWrite>& writes) {
  scratch_.clear();
  for (const auto& w : writes) scratch_.push_back(finding_content(w));
  return add(&findings_, scratch_);
}

bool EtcdDataPlane::mark_done(const std::vector<std::string>& item_keys) { return add(&done_, item_keys); }

}  // namespace squall::worker_driver
