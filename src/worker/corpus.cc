#include "worker/corpus.h"

#include <algorithm>

#include "core/assert.h"
#include "core/rng.h"

namespace squall::worker {

namespace {

constexpr std::string_view kFiller = "abcdefghijklmnopqrstuvwxyz ";
constexpr std::string_view kHex = "0123456789ABCDEF";
constexpr size_t kKeyDigits = 8;

bool is_upper_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

// The item's own generator: a function of (seed, number) only.
Rng item_rng(uint64_t seed, uint32_t number) { return Rng(seed ^ (uint64_t{number} + 1) * 0x9e3779b97f4a7c15ULL); }

}  // namespace

Corpus::Corpus(uint64_t seed, uint32_t items) : seed_(seed), items_(items) { SQ_ASSERT(items <= kItemsMax); }

std::string Corpus::key_of(uint32_t number) {
  std::string k(1 + kKeyDigits, '0');
  k[0] = 'c';
  for (size_t i = kKeyDigits; i >= 1; --i, number /= 10) k[i] = static_cast<char>('0' + number % 10);
  return k;
}

void Corpus::generate(uint32_t number, std::string* content, std::vector<Finding>* plants) const {
  Rng r = item_rng(seed_, number);
  const auto length = static_cast<size_t>(r.range(48, 240));
  std::string filler(length, ' ');
  for (char& c : filler) c = kFiller[r.below(kFiller.size())];
  const int secrets = r.chance(1, 5) ? (r.chance(1, 4) ? 2 : 1) : 0;
  // Insertion points in the filler, ascending; a secret's offset is counted in the
  // final content, past the secrets inserted before it.
  std::vector<size_t> at;
  for (int i = 0; i < secrets; ++i) at.push_back(static_cast<size_t>(r.below(length + 1)));
  std::sort(at.begin(), at.end());
  content->clear();
  size_t from = 0;
  for (size_t pos : at) {
    content->append(filler, from, pos - from);
    from = pos;
    std::string secret(kSecretPrefix);
    for (size_t d = 0; d < kSecretDigits; ++d) secret.push_back(kHex[r.below(kHex.size())]);
    if (plants != nullptr) plants->push_back(Finding{key_of(number), static_cast<uint32_t>(content->size()), secret});
    content->append(secret);
  }
  content->append(filler, from, std::string::npos);
}

std::string Corpus::content_of(uint32_t number) const {
  std::string c;
  generate(number, &c, nullptr);
  return c;
}

std::vector<coord::KeyRange> Corpus::root_ranges(uint32_t n) const {
  SQ_ASSERT(n >= 1 && n <= std::max<uint32_t>(items_, 1));
  std::vector<coord::KeyRange> out;
  std::string start;
  for (uint32_t i = 1; i < n; ++i) {
    std::string cut = key_of(static_cast<uint32_t>(uint64_t{i} * items_ / n));
    out.push_back(coord::KeyRange{start, cut});
    start = std::move(cut);
  }
  out.push_back(coord::KeyRange{start, ""});
  return out;
}

std::vector<Finding> Corpus::ground_truth() const {
  std::vector<Finding> out;
  std::string content;
  for (uint32_t n = 0; n < items_; ++n) generate(n, &content, &out);
  return out;
}

uint32_t Corpus::lower(std::string_view k, bool strict) const {
  uint32_t lo = 0;
  uint32_t hi = items_;
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    const int c = key_of(mid).compare(k);
    if (c < 0 || (strict && c == 0)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

void Corpus::list(const coord::KeyRange& range, std::string_view after, size_t max, std::vector<std::string>* keys) {
  uint32_t lo = range.start.empty() ? 0 : lower(range.start, false);
  if (!after.empty()) lo = std::max(lo, lower(after, true));
  const uint32_t hi = range.end.empty() ? items_ : lower(range.end, false);
  for (uint32_t n = lo; n < hi && n - lo < max; ++n) keys->push_back(key_of(n));
}

void Corpus::scan(std::string_view key, std::vector<Finding>* out) {
  // Only well-formed keys of this corpus name items; anything else holds nothing.
  if (key.size() != 1 + kKeyDigits || key[0] != 'c') return;
  uint64_t n = 0;
  for (size_t i = 1; i < key.size(); ++i) {
    if (key[i] < '0' || key[i] > '9') return;
    n = n * 10 + static_cast<uint64_t>(key[i] - '0');
  }
  if (n >= items_) return;
  find_secrets(key, content_of(static_cast<uint32_t>(n)), out);
}

void find_secrets(std::string_view key, std::string_view content, std::vector<Finding>* out) {
  const size_t len = Corpus::kSecretPrefix.size() + Corpus::kSecretDigits;
  for (size_t pos = content.find(Corpus::kSecretPrefix); pos != std::string_view::npos;
       pos = content.find(Corpus::kSecretPrefix, pos + 1)) {
    if (content.size() - pos < len) break;
    const std::string_view digits = content.substr(pos + Corpus::kSecretPrefix.size(), Corpus::kSecretDigits);
    if (!std::all_of(digits.begin(), digits.end(), is_upper_hex)) continue;
    out->push_back(Finding{std::string(key), static_cast<uint32_t>(pos), std::string(content.substr(pos, len))});
  }
}

}  // namespace squall::worker
