// The kv model (get/put/append of string values per key), as in the Porcupine kv corpus.
// The state holds every key's value, so a keyed history can be checked whole or split by
// key; splitting gives the same verdict much faster.
//
// Strings are never built during a search: a key's value is a node in a trie of appends
// (node = parent + appended piece), with a polynomial hash and length kept per node, so
// an append is one hash-map probe and a get compares hash and length, then confirms the
// bytes once per (state, call) pair. Two nodes may spell the same string (append "ab" vs
// "a" then "b"); that only costs the search some memo hits, never a wrong verdict, since
// gets compare contents.
#include "history/edn.h"
#include "model/flat_map.h"
#include "model/interner.h"
#include "model/spec_session.h"
#include "model/specs.h"

namespace squall::model {

using history::Op;
using history::Value;
using history::ValueHash;

namespace {

constexpr uint64_t kBase = 0x100000001b3ULL;

struct Piece {
  std::string text;
  uint64_t hash = 0;             // polynomial hash of text
  uint64_t power = 1;            // kBase^len
  std::vector<uint64_t> prefix;  // prefix[n]: hash of text[0..n); only for values gets read
};

struct Node {
  uint32_t parent;  // UINT32_MAX for the empty string
  uint32_t piece;
  uint64_t hash;
  uint64_t len;
};

class KvSession final : public Session {
 public:
  explicit KvSession(std::string init) : init_(std::move(init)) {
    nodes_.push_back(Node{UINT32_MAX, 0, 0, 0});  // ""
  }

  Result<int64_t> add_call(const Op& inv, const Op* ok) override {
    if (!inv.key) return err(op_context(inv) + "expected a :key for the kv model");
    F f;
    if (inv.f == "get")
      f = kGet;
    else if (inv.f == "put")
      f = kPut;
    else if (inv.f == "append")
      f = kAppend;
    else
      return err(op_context(inv) + "expected f :get, :put or :append for the kv model");
    if (f == kGet && ok == nullptr) return kDropped;  // a pending get changes nothing
    const Value& v = f == kGet ? ok->value : inv.value;
    if (!v.is_nil() && !v.is_string()) return err(op_context(inv) + "expected a string value for the kv model");
    Call c{f, keys_.intern(*inv.key), piece(v.is_nil() ? std::string() : v.as_string())};
    if (f == kGet) {
      Piece& p = pieces_[c.piece];
      if (p.prefix.empty()) {
        p.prefix.push_back(0);
        for (unsigned char ch : p.text) p.prefix.push_back(p.prefix.back() * kBase + ch + 1);
      }
      if (gets_by_slot_.size() <= c.slot) gets_by_slot_.resize(c.slot + 1);
      gets_by_slot_[c.slot].push_back(c.piece);
    }
    calls_.push_back(c);
    classes_.push_back(
        call_ids_.intern((static_cast<uint64_t>(c.f) << 62) | (static_cast<uint64_t>(c.slot) << 32) | c.piece));
    return static_cast<int64_t>(calls_.size() - 1);
  }

  uint32_t call_class(uint32_t call) const override { return classes_[call]; }
  bool read_only(uint32_t call) const override { return calls_[call].f == kGet; }

  // Prefix order on each key's string: gets and appends only grow it, puts may not.
  bool grows(uint32_t call) const override { return calls_[call].f != kPut; }

  // A get can become legal later only if the key's string so far is a prefix of what it
  // read. Compared by length and prefix hash: a hash collision answers true, which only
  // costs pruning.
  bool may_become_legal(uint32_t state, uint32_t call) override {
    const Call& c = calls_[call];
    if (c.f != kGet) return true;
    const Node& n = nodes_[single_ ? state : vectors_.get(state)[c.slot]];
    const Piece& want = pieces_[c.piece];
    return n.len <= want.text.size() && want.prefix[n.len] == n.hash;
  }

  // A pending put is unobservable when no get of its key read a string starting with its
  // value: until the next put, the key's string starts with it. A pending append, when no
  // get read a string containing its piece: until the next put, the string contains it.
  // Either way nothing can read the key between the call and the next put, so leaving it
  // out changes nothing that is observed.
  bool unobservable(uint32_t call) const override {
    const Call& c = calls_[call];
    if (c.f == kGet) return false;
    const std::string& text = pieces_[c.piece].text;
    if (text.empty()) return false;
    if (c.slot >= gets_by_slot_.size()) return true;
    for (uint32_t g : gets_by_slot_[c.slot]) {
      const std::string& read = pieces_[g].text;
      if (c.f == kPut ? read.compare(0, text.size(), text) == 0 : read.find(text) != std::string::npos) return false;
    }
    return true;
  }

  uint32_t initial_state() override {
    uint32_t start = init_.empty() ? 0 : child(0, piece(init_));
    if (keys_.size() <= 1) return start;
    single_ = false;
    return vectors_.intern(std::vector<uint32_t>(keys_.size(), start));
  }

  int64_t step(uint32_t state, uint32_t call) override {
    const Call& c = calls_[call];
    if (single_) return step_node(state, c);
    uint64_t key = (static_cast<uint64_t>(state) << 32) | call;
    if (const int64_t* hit = cache_.find(key)) return *hit;
    std::vector<uint32_t> next = vectors_.get(state);
    int64_t node = step_node(next[c.slot], c);
    int64_t result = kIllegal;
    if (node != kIllegal) {
      next[c.slot] = static_cast<uint32_t>(node);
      result = vectors_.intern(next);
    }
    cache_.put(key, result);
    return result;
  }

  std::string describe_state(uint32_t state) const override {
    if (single_) return history::to_edn(Value::string(spell(state)));
    const auto& v = vectors_.get(state);
    std::string out = "{";
    for (size_t i = 0; i < v.size(); ++i) {
      if (i > 0) out += ", ";
      out += history::to_edn(keys_.get(static_cast<uint32_t>(i))) + " " + history::to_edn(Value::string(spell(v[i])));
    }
    return out + "}";
  }

  size_t memory_bytes() const override {
    return nodes_.capacity() * sizeof(Node) + children_.memory_bytes() + gets_.memory_bytes() + cache_.memory_bytes() +
           vectors_.memory_bytes() + pieces_.size() * sizeof(Piece) + calls_.capacity() * sizeof(Call);
  }

 private:
  enum F : uint8_t { kGet, kPut, kAppend };
  struct Call {
    F f;
    uint32_t slot, piece;
  };

  uint32_t piece(const std::string& text) {
    uint32_t id = piece_ids_.intern(text);
    if (id == pieces_.size()) {
      Piece p;
      p.text = text;
      for (unsigned char ch : text) {
        p.hash = p.hash * kBase + ch + 1;
        p.power *= kBase;
      }
      pieces_.push_back(std::move(p));
    }
    return id;
  }

  uint32_t child(uint32_t parent, uint32_t piece_id) {
    uint64_t key = (static_cast<uint64_t>(parent) << 32) | piece_id;
    if (const int64_t* hit = children_.find(key)) return static_cast<uint32_t>(*hit);
    const Piece& p = pieces_[piece_id];
    const Node& n = nodes_[parent];
    nodes_.push_back(Node{parent, piece_id, n.hash * p.power + p.hash, n.len + p.text.size()});
    uint32_t id = static_cast<uint32_t>(nodes_.size() - 1);
    children_.put(key, id);
    return id;
  }

  int64_t step_node(uint32_t node, const Call& c) {
    switch (c.f) {
      case kPut: return child(0, c.piece);
      case kAppend: return child(node, c.piece);
      case kGet: {
        const Piece& want = pieces_[c.piece];
        const Node& n = nodes_[node];
        if (n.len != want.text.size() || n.hash != want.hash) return kIllegal;
        uint64_t key = (static_cast<uint64_t>(node) << 32) | c.piece;
        if (const int64_t* hit = gets_.find(key)) return *hit;
        int64_t result = spells(node, want.text) ? node : kIllegal;
        gets_.put(key, result);
        return result;
      }
    }
    return kIllegal;
  }

  // True iff the node's string is exactly `text` (compared piece by piece from the end).
  bool spells(uint32_t node, const std::string& text) const {
    size_t end = text.size();
    for (uint32_t at = node; at != 0 && nodes_[at].parent != UINT32_MAX; at = nodes_[at].parent) {
      const std::string& p = pieces_[nodes_[at].piece].text;
      if (p.size() > end || text.compare(end - p.size(), p.size(), p) != 0) return false;
      end -= p.size();
    }
    return end == 0;
  }

  std::string spell(uint32_t node) const {
    std::vector<uint32_t> chain;
    for (uint32_t at = node; at != 0; at = nodes_[at].parent) chain.push_back(nodes_[at].piece);
    std::string s;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) s += pieces_[*it].text;
    return s;
  }

  std::string init_;
  bool single_ = true;
  std::vector<Call> calls_;
  std::vector<uint32_t> classes_;
  std::vector<std::vector<uint32_t>> gets_by_slot_;  // per key: the pieces its gets read
  Interner<uint64_t> call_ids_;
  Interner<Value, ValueHash> keys_;
  Interner<std::string> piece_ids_;
  std::vector<Piece> pieces_;
  std::vector<Node> nodes_;
  FlatMap64 children_;  // (parent, piece) -> node
  FlatMap64 gets_;      // (node, piece) -> node or kIllegal, after a hash match
  FlatMap64 cache_;     // multi-key steps
  Interner<std::vector<uint32_t>, U32VectorHash> vectors_;
};

class KvModel final : public Model {
 public:
  explicit KvModel(std::string init) : init_(std::move(init)) {}
  std::string_view name() const override { return "kv"; }
  bool multi_key() const override { return true; }
  std::unique_ptr<Session> new_session() const override { return std::make_unique<KvSession>(init_); }

 private:
  std::string init_;
};

}  // namespace

std::unique_ptr<Model> make_kv(std::string initial) { return std::make_unique<KvModel>(std::move(initial)); }

}  // namespace squall::model
