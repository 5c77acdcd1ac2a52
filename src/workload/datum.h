// Datum: a small tree of result data (checker results, the results map) that renders as
// EDN (results.edn, with Maelstrom's keyword names) and as JSON (results.json).
//
// Kinds: nil, bool, int, double, string, keyword, vector, map (ordered, insertion order
// kept so output is deterministic) and raw JSON text (op values, rendered to EDN by
// conversion). Map keys are Datums too (keywords, or numbers as in {0 0.5 ...}).
// Value type; not synchronised.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace squall::workload {

// valid / invalid / unknown, merged with false > unknown > true.
enum class Verdict { kValid, kUnknown, kInvalid };
Verdict merge(Verdict a, Verdict b);
std::string_view verdict_name(Verdict v);  // "valid", "unknown", "invalid"

class Datum {
 public:
  enum class Kind { kNil, kBool, kInt, kDouble, kString, kKeyword, kVector, kMap, kJson };

  Datum() = default;
  Datum(bool b) : kind_(Kind::kBool), int_(b) {}                       // NOLINT
  Datum(int v) : kind_(Kind::kInt), int_(v) {}                         // NOLINT
  Datum(int64_t v) : kind_(Kind::kInt), int_(v) {}                     // NOLINT
  Datum(uint64_t v) : kind_(Kind::kInt), int_(static_cast<int64_t>(v)) {}  // NOLINT
  Datum(double v) : kind_(Kind::kDouble), double_(v) {}                // NOLINT
  Datum(const char* s) : kind_(Kind::kString), text_(s) {}             // NOLINT
  Datum(std::string s) : kind_(Kind::kString), text_(std::move(s)) {}  // NOLINT

  static Datum keyword(std::string name);  // without the colon
  static Datum json(std::string text);     // must be valid JSON (asserted)
  static Datum vector();
  static Datum map();
  static Datum verdict(Verdict v);  // true / false / :unknown

  Kind kind() const { return kind_; }
  bool is_map() const { return kind_ == Kind::kMap; }

  // Map access. set() replaces an existing key.
  Datum& set(const Datum& key, Datum value);
  Datum& set(const char* keyword_name, Datum value) { return set(keyword(keyword_name), std::move(value)); }
  const Datum* get(std::string_view keyword_name) const;
  const std::vector<std::pair<Datum, Datum>>& entries() const { return map_; }

  // Vector access.
  Datum& push(Datum value);
  const std::vector<Datum>& items() const { return items_; }

  bool as_bool() const { return int_ != 0; }
  int64_t as_int() const { return int_; }
  double as_double() const { return double_; }
  const std::string& text() const { return text_; }

  std::string to_edn() const;
  std::string to_json() const;
  // Multi-line EDN for results.edn: top-level map entries one per line.
  std::string to_edn_pretty() const;

 private:
  void edn(std::string* out) const;
  void json_out(std::string* out) const;

  Kind kind_ = Kind::kNil;
  int64_t int_ = 0;
  double double_ = 0;
  std::string text_;
  std::vector<Datum> items_;
  std::vector<std::pair<Datum, Datum>> map_;
};

// Reads a Verdict from a result map's :valid? entry (absent = valid).
Verdict verdict_of(const Datum& result);

// Converts JSON text to EDN text (objects become maps with string keys, arrays vectors,
// null nil). Invalid JSON is returned quoted as an EDN string.
std::string json_to_edn(std::string_view json);

// Appends `s` as a quoted, escaped EDN/JSON string.
void append_quoted(std::string* out, std::string_view s);

}  // namespace squall::workload
