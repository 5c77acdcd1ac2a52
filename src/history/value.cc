#include "history/value.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/assert.h"

namespace squall::history {

Value Value::boolean(bool b) {
  Value v;
  v.kind_ = Kind::kBool;
  v.int_ = b ? 1 : 0;
  return v;
}

Value Value::integer(int64_t i) {
  Value v;
  v.kind_ = Kind::kInt;
  v.int_ = i;
  return v;
}

Value Value::floating(double d) {
  Value v;
  v.kind_ = Kind::kDouble;
  v.double_ = d;
  return v;
}

Value Value::string(std::string s) {
  Value v;
  v.kind_ = Kind::kString;
  v.str_ = std::move(s);
  return v;
}

Value Value::keyword(std::string name) {
  Value v;
  v.kind_ = Kind::kKeyword;
  v.str_ = std::move(name);
  return v;
}

Value Value::symbol(std::string name) {
  Value v;
  v.kind_ = Kind::kSymbol;
  v.str_ = std::move(name);
  return v;
}

Value Value::vector(std::vector<Value> items) {
  Value v;
  v.kind_ = Kind::kVector;
  v.items_ = std::move(items);
  return v;
}

Value Value::list(std::vector<Value> items) {
  Value v;
  v.kind_ = Kind::kList;
  v.items_ = std::move(items);
  return v;
}

Value Value::set(std::vector<Value> items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  Value v;
  v.kind_ = Kind::kSet;
  v.items_ = std::move(items);
  return v;
}

Value Value::map(std::vector<std::pair<Value, Value>> entries) {
  // A stable sort keeps duplicate keys in input order; later duplicates are dropped so
  // the first occurrence wins. Op maps have a handful of entries: an insertion sort
  // (stable, no buffer to allocate) is several times cheaper there than std::stable_sort.
  if (entries.size() <= 16) {
    for (size_t i = 1; i < entries.size(); ++i) {
      if (!(entries[i].first < entries[i - 1].first)) continue;
      auto moving = std::move(entries[i]);
      size_t j = i;
      for (; j > 0 && moving.first < entries[j - 1].first; --j) entries[j] = std::move(entries[j - 1]);
      entries[j] = std::move(moving);
    }
  } else {
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  Value v;
  v.kind_ = Kind::kMap;
  v.items_.reserve(entries.size() * 2);
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0 && entries[i].first == entries[i - 1].first) continue;
    v.items_.push_back(std::move(entries[i].first));
    v.items_.push_back(std::move(entries[i].second));
  }
  return v;
}

Value Value::array_map() {
  Value v;
  v.kind_ = Kind::kMap;
  v.keeps_order_ = true;
  return v;
}

Value Value::tagged(std::string tag, Value inner) {
  Value v;
  v.kind_ = Kind::kTagged;
  v.str_ = std::move(tag);
  v.items_.push_back(std::move(inner));
  return v;
}

bool Value::as_bool() const {
  SQ_ASSERT(kind_ == Kind::kBool);
  return int_ != 0;
}

int64_t Value::as_int() const {
  SQ_ASSERT(kind_ == Kind::kInt);
  return int_;
}

double Value::as_double() const {
  SQ_ASSERT(kind_ == Kind::kDouble);
  return double_;
}

const std::string& Value::as_string() const {
  SQ_ASSERT(kind_ == Kind::kString || kind_ == Kind::kKeyword || kind_ == Kind::kSymbol || kind_ == Kind::kTagged);
  return str_;
}

const std::vector<Value>& Value::items() const {
  SQ_ASSERT(kind_ == Kind::kVector || kind_ == Kind::kList || kind_ == Kind::kSet || kind_ == Kind::kMap ||
            kind_ == Kind::kTagged);
  return items_;
}

size_t Value::size() const {
  if (kind_ == Kind::kMap) return items_.size() / 2;
  return items_.size();
}

const Value* Value::get(std::string_view keyword_name) const {
  SQ_ASSERT(kind_ == Kind::kMap);
  for (size_t i = 0; i + 1 < items_.size(); i += 2) {
    const Value& k = items_[i];
    if ((k.kind_ == Kind::kKeyword || k.kind_ == Kind::kString) && k.str_ == keyword_name) return &items_[i + 1];
  }
  return nullptr;
}

Value& Value::set(Value key, Value value) {
  SQ_ASSERT(kind_ == Kind::kMap);
  size_t at = 0;
  for (; at < items_.size(); at += 2) {
    int c = compare(items_[at], key);
    if (c == 0) {
      items_[at + 1] = std::move(value);
      return items_[at + 1];
    }
    if (c > 0 && !keeps_order_) break;
  }
  auto pos = items_.begin() + static_cast<std::ptrdiff_t>(at);
  pos = items_.insert(pos, std::move(key));
  return *items_.insert(pos + 1, std::move(value));
}

Value& Value::push(Value item) {
  SQ_ASSERT(kind_ == Kind::kVector || kind_ == Kind::kList);
  items_.push_back(std::move(item));
  return items_.back();
}

Value::Entries Value::entries() const {
  SQ_ASSERT(kind_ == Kind::kMap);
  return Entries(items_);
}

std::string_view Value::name() const {
  if (kind_ == Kind::kKeyword || kind_ == Kind::kString || kind_ == Kind::kSymbol) return str_;
  return {};
}

namespace {

// Lists and vectors are one kind for comparison, as EDN equality says.
int kind_rank(Value::Kind k) {
  return k == Value::Kind::kList ? static_cast<int>(Value::Kind::kVector) : static_cast<int>(k);
}

// The sorted map an array map stands for, so that order never affects equality.
Value sorted(const Value& m) {
  std::vector<std::pair<Value, Value>> entries;
  entries.reserve(m.size());
  for (const auto& [k, v] : m.entries()) entries.emplace_back(k, v);
  return Value::map(std::move(entries));
}

}  // namespace

int compare(const Value& a, const Value& b) {
  int ka = kind_rank(a.kind()), kb = kind_rank(b.kind());
  if (ka != kb) return ka < kb ? -1 : 1;
  switch (a.kind()) {
    case Value::Kind::kNil: return 0;
    case Value::Kind::kBool: return static_cast<int>(a.as_bool()) - static_cast<int>(b.as_bool());
    case Value::Kind::kInt: {
      int64_t x = a.as_int(), y = b.as_int();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case Value::Kind::kDouble: {
      double x = a.as_double(), y = b.as_double();
      // NaN sorts after every number and equals itself, keeping the order total.
      bool xn = std::isnan(x), yn = std::isnan(y);
      if (xn || yn) return xn == yn ? 0 : (xn ? 1 : -1);
      if (x < y) return -1;
      if (x > y) return 1;
      return 0;
    }
    case Value::Kind::kString:
    case Value::Kind::kKeyword:
    case Value::Kind::kSymbol:
      return a.as_string().compare(b.as_string()) < 0 ? -1 : (a.as_string() == b.as_string() ? 0 : 1);
    case Value::Kind::kTagged: {
      int c = a.as_string().compare(b.as_string());
      if (c != 0) return c < 0 ? -1 : 1;
      return compare(a.items()[0], b.items()[0]);
    }
    case Value::Kind::kMap:
      if (a.keeps_order() && a.size() > 1) return compare(sorted(a), b);
      if (b.keeps_order() && b.size() > 1) return compare(a, sorted(b));
      [[fallthrough]];
    case Value::Kind::kVector:
    case Value::Kind::kList:
    case Value::Kind::kSet: {
      const auto& x = a.items();
      const auto& y = b.items();
      size_t n = std::min(x.size(), y.size());
      for (size_t i = 0; i < n; ++i) {
        int c = compare(x[i], y[i]);
        if (c != 0) return c;
      }
      if (x.size() == y.size()) return 0;
      return x.size() < y.size() ? -1 : 1;
    }
  }
  SQ_UNREACHABLE("value kind");
}

bool operator==(const Value& a, const Value& b) { return compare(a, b) == 0; }
bool operator<(const Value& a, const Value& b) { return compare(a, b) < 0; }

size_t Value::hash() const {
  if (keeps_order_ && size() > 1) return sorted(*this).hash();
  // FNV-style mixing; stable across runs so hashes never reach output differently.
  uint64_t h = 1469598103934665603ULL ^ static_cast<uint64_t>(kind_rank(kind_));
  auto mix = [&h](uint64_t x) { h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
  switch (kind_) {
    case Kind::kNil: break;
    case Kind::kBool:
    case Kind::kInt: mix(static_cast<uint64_t>(int_)); break;
    case Kind::kDouble: {
      uint64_t bits;
      std::memcpy(&bits, &double_, sizeof bits);
      mix(bits);
      break;
    }
    case Kind::kString:
    case Kind::kKeyword:
    case Kind::kSymbol:
    case Kind::kTagged:
      for (unsigned char c : str_) mix(c);
      for (const auto& item : items_) mix(item.hash());
      break;
    case Kind::kVector:
    case Kind::kList:
    case Kind::kSet:
    case Kind::kMap:
      for (const auto& item : items_) mix(item.hash());
      break;
  }
  return static_cast<size_t>(h);
}

}  // namespace squall::history
