// Value: an EDN datum as it appears in a history (nil, booleans, integers, floats,
// strings, keywords, symbols, vectors, lists, sets, maps, tagged literals).
//
// Values are plain data with value semantics; not thread-safe for concurrent mutation,
// safe to share read-only. Invariants: sets are kept sorted and free of duplicates, maps
// sorted by key, so structural equality (operator==) is EDN equality and hashing is
// consistent with it. Lists and vectors compare equal when their items do, as in EDN.
//
// The one exception to sorted maps is the array map (named after Clojure's, which keeps
// insertion order): result maps and JSON objects are written in the order they were
// built or sent, so results.edn reads like Maelstrom's. An array map still compares and
// hashes as the sorted map with the same entries.
//
// Scalars convert implicitly so result data reads as data: m.set("count", n).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace squall::history {

class Value {
 public:
  enum class Kind : uint8_t {
    kNil,
    kBool,
    kInt,
    kDouble,
    kString,
    kKeyword,
    kSymbol,
    kVector,
    kList,
    kSet,
    kMap,
    kTagged
  };

  Value() = default;                                                       // nil
  Value(bool b) : kind_(Kind::kBool), int_(b ? 1 : 0) {}                   // NOLINT
  Value(int i) : kind_(Kind::kInt), int_(i) {}                             // NOLINT
  Value(int64_t i) : kind_(Kind::kInt), int_(i) {}                         // NOLINT
  Value(uint64_t i) : kind_(Kind::kInt), int_(static_cast<int64_t>(i)) {}  // NOLINT
  Value(double d) : kind_(Kind::kDouble), double_(d) {}                    // NOLINT
  Value(const char* s) : kind_(Kind::kString), str_(s) {}                  // NOLINT
  Value(std::string s) : kind_(Kind::kString), str_(std::move(s)) {}       // NOLINT

  static Value nil() { return Value(); }
  static Value boolean(bool b);
  static Value integer(int64_t i);
  static Value floating(double d);
  static Value string(std::string s);
  static Value keyword(std::string name);  // name without the leading ':'
  static Value symbol(std::string name);
  static Value vector(std::vector<Value> items = {});
  static Value list(std::vector<Value> items);
  static Value set(std::vector<Value> items);                      // sorts, dedups
  static Value map(std::vector<std::pair<Value, Value>> entries);  // sorts by key
  static Value array_map();                                        // empty, keeps insertion order
  static Value tagged(std::string tag, Value inner);               // #tag inner

  Kind kind() const { return kind_; }
  bool is_nil() const { return kind_ == Kind::kNil; }
  bool is_int() const { return kind_ == Kind::kInt; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_keyword() const { return kind_ == Kind::kKeyword; }
  bool is_sequential() const { return kind_ == Kind::kVector || kind_ == Kind::kList; }
  bool is_set() const { return kind_ == Kind::kSet; }
  bool is_map() const { return kind_ == Kind::kMap; }

  // Accessors; each asserts the kind.
  bool as_bool() const;
  int64_t as_int() const;
  double as_double() const;
  const std::string& as_string() const;     // string, keyword, symbol name or tag
  const std::vector<Value>& items() const;  // vector, list, set; map: k0 v0 k1 v1 ...; tagged: {inner}
  size_t size() const;                      // items, or entries of a map

  // Map lookup by keyword name; nullptr when absent. Precondition: is_map().
  const Value* get(std::string_view keyword_name) const;

  // Building in place. set() replaces the value of an equal key where it stands, else
  // adds the entry (at the end of an array map, in key order otherwise); push() appends
  // to a vector or list. Each returns the stored value.
  Value& set(Value key, Value value);
  Value& set(const char* keyword_name, Value value) { return set(keyword(keyword_name), std::move(value)); }
  // A literal 0 would pick the keyword overload as a null pointer: integer keys are
  // written Value(k).
  Value& set(int, Value) = delete;
  Value& push(Value item);

  // A map's entries as (key, value) pairs, in stored order. Precondition: is_map().
  class Entries;
  Entries entries() const;
  bool keeps_order() const { return keeps_order_; }

  // Textual form of a keyword, string or symbol, for use as an operation name (":read" and
  // "read" both give "read"); empty for other kinds.
  std::string_view name() const;

  friend bool operator==(const Value& a, const Value& b);
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }
  // Total order: by kind (lists and vectors as one kind), then content.
  friend bool operator<(const Value& a, const Value& b);
  size_t hash() const;

 private:
  Kind kind_ = Kind::kNil;
  bool keeps_order_ = false;  // array map
  // A value is never both a number and a float: sharing the word keeps Value (and every
  // Op of a parsed history, which holds two) a little smaller.
  union {
    int64_t int_ = 0;  // bool and int
    double double_;
  };
  std::string str_;
  std::vector<Value> items_;
};

class Value::Entries {
 public:
  class Iterator {
   public:
    explicit Iterator(const Value* at) : at_(at) {}
    std::pair<const Value&, const Value&> operator*() const { return {at_[0], at_[1]}; }
    Iterator& operator++() {
      at_ += 2;
      return *this;
    }
    bool operator!=(const Iterator& o) const { return at_ != o.at_; }

   private:
    const Value* at_;
  };
  explicit Entries(const std::vector<Value>& items) : items_(&items) {}
  Iterator begin() const { return Iterator(items_->data()); }
  Iterator end() const { return Iterator(items_->data() + items_->size()); }
  size_t size() const { return items_->size() / 2; }

 private:
  const std::vector<Value>* items_;
};

int compare(const Value& a, const Value& b);  // <0, 0, >0

struct ValueHash {
  size_t operator()(const Value& v) const { return v.hash(); }
};

}  // namespace squall::history
