#include "checker/txn/checker.h"

#include <fmt/core.h>

#include <algorithm>
#include <unordered_map>

#include "checker/txn/flat_map.h"
#include "checker/txn/graph.h"
#include "checker/txn/writer_index.h"
#include "core/assert.h"
#include "history/edn.h"

namespace squall::checker::txn {

namespace {

using history::Value;

// A transaction's external read of a key: its first read of the key, before writing it.
struct ExtRead {
  int32_t key;
  uint32_t mop;
};

class Checker {
 public:
  Checker(const History& h, const Options& o) : h_(h), o_(o), graph_(static_cast<uint32_t>(h.txns.size())) {}

  CheckResult run() {
    count_txns();
    index_writers();
    index_ext_reads();
    for (uint32_t t = 0; t < h_.txns.size(); ++t)
      if (h_.txns[t].type == OpType::kOk) check_internal(t);
    if (o_.workload == Workload::kListAppend)
      infer_list_append();
    else
      infer_rw_register();
    lost_updates();
    order_edges();
    graph_.freeze();
    r_.stats.edges = static_cast<int64_t>(graph_.edge_count());
    search_cycles();
    decide();
    return std::move(r_);
  }

 private:
  // ---------- bookkeeping ----------
  bool failed(uint32_t t) const { return h_.txns[t].type == OpType::kFail; }
  bool node(uint32_t t) const { return t != kNoTxn && !failed(t); }
  const Mop& mop(uint32_t t, uint32_t i) const { return h_.mops[h_.txns[t].mops_at + i]; }

  Value key_value(int32_t k) const { return h_.keys[static_cast<size_t>(k)]; }

  Value txn_value(uint32_t t) const {
    const Txn& x = h_.txns[t];
    Value ops = Value::vector();
    for (const Mop& m : h_.mops_of(x)) {
      Value v;
      if (m.f != MopF::kRead) {
        v = Value(m.value);
      } else if (m.known && o_.workload == Workload::kListAppend) {
        v = Value::vector();
        for (int64_t e : h_.elems_of(m)) v.push(Value(e));
      } else if (m.known && !m.nil) {
        v = Value(m.value);
      }
      ops.push(Value::vector({Value::keyword(to_string(m.f)), key_value(m.key), v}));
    }
    Value op = Value::array_map();
    op.set("index", Value(x.index));
    op.set("process", Value(x.process));
    op.set("type", Value::keyword(std::string(history::to_string(x.type))));
    op.set("f", Value::keyword("txn"));
    op.set("value", ops);
    return op;
  }

  std::string txn_text(uint32_t t) const { return "T" + std::to_string(h_.txns[t].index); }

  // Counts an anomaly of `type`; while fewer than max_examples are kept, keeps the
  // example make() builds ({detail, words}). Building one costs far more than counting
  // it, and an anomalous history can have very many.
  template <typename Make>
  void report(const std::string& type, Make make) {
    ++r_.counts[type];
    r_.anomaly_types.insert(type);
    auto& ex = r_.anomalies[type];
    if (ex.size() < o_.max_examples) {
      auto [detail, text] = make();
      ex.push_back(std::move(detail));
      r_.texts[type].push_back(std::move(text));
    }
  }

  void count_txns() {
    r_.stats.txns = static_cast<int64_t>(h_.txns.size());
    r_.stats.keys = static_cast<int64_t>(h_.keys.size());
    for (const Txn& t : h_.txns) {
      if (t.type == OpType::kOk) ++r_.stats.ok;
      if (t.type == OpType::kFail) ++r_.stats.fail;
      if (t.type == OpType::kInfo) ++r_.stats.info;
    }
  }

  void index_writers() {
    writers_ = WriterIndex(h_);
    r_.stats.duplicate_writes = writers_.duplicates();
  }

  const Writer* writer(int32_t key, int64_t value) const { return writers_.find(key, value); }

  // External reads of txn t (known ones only).
  void ext_reads(uint32_t t, std::vector<ExtRead>& out) const {
    out.clear();
    const Txn& x = h_.txns[t];
    written_.clear();
    for (uint32_t i = 0; i < x.mops_len; ++i) {
      const Mop& m = mop(t, i);
      bool touched = std::find(written_.begin(), written_.end(), m.key) != written_.end();
      if (m.f != MopF::kRead) {
        if (!touched) written_.push_back(m.key);
        continue;
      }
      if (touched || !m.known) {
        if (!touched) written_.push_back(m.key);  // later reads of the key are not external
        continue;
      }
      written_.push_back(m.key);
      out.push_back({m.key, i});
    }
  }

  // The external reads of every ok transaction, computed once: three passes use them.
  void index_ext_reads() {
    ext_at_.assign(h_.txns.size() + 1, 0);
    ext_all_.reserve(h_.mops.size() / 2);
    std::vector<ExtRead> ext;
    for (uint32_t t = 0; t < h_.txns.size(); ++t) {
      if (h_.txns[t].type == OpType::kOk) {
        ext_reads(t, ext);
        ext_all_.insert(ext_all_.end(), ext.begin(), ext.end());
      }
      ext_at_[t + 1] = static_cast<uint32_t>(ext_all_.size());
    }
  }
  std::span<const ExtRead> ext_of(uint32_t t) const {
    return {ext_all_.data() + ext_at_[t], ext_at_[t + 1] - ext_at_[t]};
  }

  // ---------- internal consistency ----------
  // Per-key state of check_internal; kept across transactions so that their lists'
  // storage is reused rather than allocated per transaction.
  struct InternalState {
    int32_t key;
    bool read;                  // `expect` is the whole value (a read happened)
    bool nil;                   // rw-register: the value is nil
    std::vector<int64_t> list;  // list-append: the list, or the appends since the start
  };

  void check_internal(uint32_t t) {
    const Txn& x = h_.txns[t];
    using State = InternalState;
    std::vector<State>& st = internal_;
    size_t used = 0;
    auto find = [&](int32_t k) -> State& {
      for (size_t j = 0; j < used; ++j)
        if (st[j].key == k) return st[j];
      if (used == st.size()) st.emplace_back();
      State& s = st[used++];
      s.key = k;
      s.read = s.nil = false;
      s.list.clear();
      return s;
    };
    for (uint32_t i = 0; i < x.mops_len; ++i) {
      const Mop& m = mop(t, i);
      State& s = find(m.key);
      if (m.f != MopF::kRead) {
        if (o_.workload == Workload::kListAppend) {
          s.list.push_back(m.value);
        } else {
          s.read = true;
          s.nil = false;
          s.list.assign(1, m.value);
        }
        continue;
      }
      if (!m.known) continue;
      bool ok = true;
      const bool list = o_.workload == Workload::kListAppend;
      auto got = list ? h_.elems_of(m) : m.nil ? std::span<const int64_t>() : std::span<const int64_t>(&m.value, 1);
      if (list) {
        if (s.read)
          ok = std::equal(got.begin(), got.end(), s.list.begin(), s.list.end());
        else if (!s.list.empty())
          ok = got.size() >= s.list.size() && std::equal(s.list.begin(), s.list.end(), got.end() - s.list.size());
      } else {
        if (s.read) ok = s.nil ? m.nil : (!m.nil && s.list[0] == m.value);
      }
      if (!ok)
        report("internal", [&] {
          Value d = Value::array_map();
          d.set("op", txn_value(t));
          d.set("mop", Value(static_cast<int64_t>(i)));
          d.set("key", key_value(m.key));
          Value expected = Value::vector();
          for (int64_t v : s.list) expected.push(Value(v));
          if (!s.read && o_.workload == Workload::kListAppend)
            expected = Value::vector({Value::symbol("..."), expected});
          d.set("expected", s.read && s.nil ? Value() : expected);
          return std::pair(d, fmt::format("{} read key {} as {} after its own earlier reads and writes implied {}",
                                          txn_text(t), history::to_edn(key_value(m.key)),
                                          history::to_edn(txn_value(t).get("value")->items()[i].items()[2]),
                                          history::to_edn(expected)));
        });
      s.read = true;
      s.nil = o_.workload == Workload::kRwRegister && m.nil;
      s.list.assign(got.begin(), got.end());
    }
  }

  // ---------- reads of single values (both workloads) ----------
  // A read by reader (mop i) observed `value` of `key` as its latest value.
  void check_read_value(uint32_t reader, uint32_t i, int32_t key, int64_t value, bool latest) {
    const Writer* w = writer(key, value);
    auto detail = [&](const char* role, uint32_t other) {
      Value d = Value::array_map();
      d.set("op", txn_value(reader));
      d.set("key", key_value(key));
      d.set("value", Value(value));
      if (other != kNoTxn) d.set(role, txn_value(other));
      return d;
    };
    // Formatted only for a report: this runs for every value read.
    auto kv = [&] { return fmt::format("value {} of key {}", value, history::to_edn(key_value(key))); };
    if (w == nullptr) {
      report("garbage-read", [&] {
        return std::pair(detail("writer", kNoTxn),
                         fmt::format("{} read {}, which no transaction wrote", txn_text(reader), kv()));
      });
      return;
    }
    if (failed(w->txn)) {
      report("G1a", [&] {
        return std::pair(detail("writer", w->txn), fmt::format("{} read {}, written by {}, which aborted",
                                                               txn_text(reader), kv(), txn_text(w->txn)));
      });
      return;
    }
    if (w->txn == reader) {
      if (w->mop > i)
        report("future-read", [&] {
          return std::pair(detail("writer", kNoTxn),
                           fmt::format("{} read {} before writing it itself", txn_text(reader), kv()));
        });
      return;
    }
    if (latest && !w->last)
      report("G1b", [&] {
        return std::pair(detail("writer", w->txn),
                         fmt::format("{} read {}, an intermediate value: its writer {} wrote the key again later",
                                     txn_text(reader), kv(), txn_text(w->txn)));
      });
  }

  // ---------- list-append ----------
  void infer_list_append() {
    const size_t nkeys = h_.keys.size();
    // The version order of each key: the longest known read (ties: the first).
    std::vector<std::pair<uint32_t, uint32_t>> longest(nkeys, {kNoTxn, 0});  // (txn, mop)
    for (uint32_t t = 0; t < h_.txns.size(); ++t) {
      if (h_.txns[t].type != OpType::kOk) continue;
      for (uint32_t i = 0; i < h_.txns[t].mops_len; ++i) {
        const Mop& m = mop(t, i);
        if (m.f != MopF::kRead || !m.known) continue;
        auto& l = longest[static_cast<size_t>(m.key)];
        if (l.first == kNoTxn || m.elems_len > mop(l.first, l.second).elems_len) l = {t, i};
      }
    }
    order_.assign(nkeys, {});
    for (size_t k = 0; k < nkeys; ++k)
      if (longest[k].first != kNoTxn) {
        auto e = h_.elems_of(mop(longest[k].first, longest[k].second));
        order_[k].assign(e.begin(), e.end());
      }
    // Per key: duplicates, the first aborted and first unwritten positions, dirty updates,
    // ww edges between successive writers.
    std::vector<int64_t> first_bad(nkeys, INT64_MAX);
    for (size_t k = 0; k < nkeys; ++k) {
      const auto& ord = order_[k];
      report_duplicates(k, longest[k].first);
      int64_t first_aborted = -1;
      bool dirty_reported = false;
      uint32_t prev = kNoTxn;
      for (size_t p = 0; p < ord.size(); ++p) {
        Writer* w = writers_.find(static_cast<int32_t>(k), ord[p]);
        if (w != nullptr && w->pos == kNoPos) w->pos = static_cast<uint32_t>(p);
        if (w == nullptr || failed(w->txn)) {
          if (first_bad[k] == INT64_MAX) first_bad[k] = static_cast<int64_t>(p);
          if (w != nullptr && first_aborted < 0) first_aborted = static_cast<int64_t>(p);
          prev = kNoTxn;
          continue;
        }
        if (first_aborted >= 0 && !dirty_reported) {
          dirty_reported = true;
          report("dirty-update", [&] {
            Value d = Value::array_map();
            d.set("key", key_value(static_cast<int32_t>(k)));
            d.set("aborted", txn_value(writer(static_cast<int32_t>(k), ord[first_aborted])->txn));
            d.set("committed", txn_value(w->txn));
            return std::pair(
                d, fmt::format("key {}: {} appended {} after {}'s aborted append of {}",
                               history::to_edn(key_value(static_cast<int32_t>(k))), txn_text(w->txn), ord[p],
                               txn_text(writer(static_cast<int32_t>(k), ord[first_aborted])->txn), ord[first_aborted]));
          });
        }
        if (prev != kNoTxn && prev != w->txn) graph_.add(prev, w->txn, EdgeKind::kWW);
        prev = w->txn;
      }
    }
    // Every known read: prefix of the order, bad elements, G1b, future reads; external
    // reads give wr and rw edges.
    for (uint32_t t = 0; t < h_.txns.size(); ++t) {
      if (h_.txns[t].type != OpType::kOk) continue;
      const auto ext = ext_of(t);
      for (uint32_t i = 0; i < h_.txns[t].mops_len; ++i) {
        const Mop& m = mop(t, i);
        if (m.f != MopF::kRead || !m.known) continue;
        const size_t k = static_cast<size_t>(m.key);
        auto e = h_.elems_of(m);
        const auto& ord = order_[k];
        bool prefix = e.size() <= ord.size() && std::equal(e.begin(), e.end(), ord.begin());
        if (!prefix) {
          report_incompatible(t, i, longest[k]);
          for (size_t p = 0; p < e.size(); ++p) check_read_value(t, i, m.key, e[p], p + 1 == e.size());
          continue;
        }
        if (static_cast<int64_t>(e.size()) > first_bad[k]) {
          // Only the first bad element is reported per read; the rest follow from it.
          check_read_value(t, i, m.key, e[static_cast<size_t>(first_bad[k])], false);
        }
        // A future read needs an append of this key later in this transaction; look for
        // one before probing the writer of every element read.
        bool appends_later = false;
        for (uint32_t j = i + 1; j < h_.txns[t].mops_len && !appends_later; ++j)
          appends_later = mop(t, j).f == MopF::kAppend && mop(t, j).key == m.key;
        for (size_t p = 0; appends_later && p < e.size(); ++p) {
          const Writer* w = writer(m.key, e[p]);
          if (w && w->txn == t && w->mop > i) check_read_value(t, i, m.key, e[p], false);
        }
        // The writer of the last element read, looked up once for its three uses.
        const Writer* seen = e.empty() ? nullptr : writer(m.key, e.back());
        if (seen && !failed(seen->txn) && seen->txn != t && !seen->last) check_read_value(t, i, m.key, e.back(), true);
        bool external = std::any_of(ext.begin(), ext.end(), [&](const ExtRead& x) { return x.mop == i; });
        if (!external) continue;
        if (seen && node(seen->txn) && seen->txn != t) graph_.add(seen->txn, t, EdgeKind::kWR);
        if (e.size() < ord.size()) {
          // A read that stops between two appends of one transaction is an intermediate
          // read (G1b), reported above; the anti-dependency it would give is its echo.
          const Writer* w = writer(m.key, ord[e.size()]);
          if (w && node(w->txn) && w->txn != t && !(seen && seen->txn == w->txn)) graph_.add(t, w->txn, EdgeKind::kRW);
        }
      }
    }
  }

  // Elements that occur twice in the version order of key k (the longest read).
  void report_duplicates(size_t k, uint32_t reader) {
    std::vector<int64_t> sorted = order_[k];
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 1; i < sorted.size(); ++i) {
      if (sorted[i] != sorted[i - 1] || (i >= 2 && sorted[i - 2] == sorted[i])) continue;
      report("duplicate-elements", [&] {
        Value d = Value::array_map();
        d.set("op", txn_value(reader));
        d.set("key", key_value(static_cast<int32_t>(k)));
        d.set("value", Value(sorted[i]));
        return std::pair(d, fmt::format("{} read key {} with {} more than once", txn_text(reader),
                                        history::to_edn(key_value(static_cast<int32_t>(k))), sorted[i]));
      });
    }
  }

  void report_incompatible(uint32_t t, uint32_t i, std::pair<uint32_t, uint32_t> longest) {
    const Mop& m = mop(t, i);
    report("incompatible-order", [&] {
      Value d = Value::array_map();
      d.set("key", key_value(m.key));
      d.set("op", txn_value(t));
      d.set("longest", txn_value(longest.first));
      return std::pair(d, fmt::format("key {}: {}'s read is not a prefix of {}'s longer read",
                                      history::to_edn(key_value(m.key)), txn_text(t), txn_text(longest.first)));
    });
  }

  // ---------- rw-register ----------
  // Versions are (key, value)s named by a dense id: a written one by its writer's entry
  // id, one that nobody wrote (read anyway) by an id after those.
  uint32_t version(int32_t key, int64_t value) {
    uint32_t id = writers_.id(key, value);
    if (id != WriterIndex::kNone) return id;
    auto [p, fresh] =
        unwritten_.try_emplace(key, value, static_cast<uint32_t>(writers_.size() + unwritten_names_.size()));
    if (fresh) unwritten_names_.push_back({key, value});
    return *p;
  }
  std::pair<int32_t, int64_t> version_name(uint32_t id) const {
    if (id < writers_.size()) {
      const Writer& w = writers_.at(id);
      return {writers_.key_of(id), mop(w.txn, w.mop).value};
    }
    return unwritten_names_[id - writers_.size()];
  }
  size_t versions() const { return writers_.size() + unwritten_names_.size(); }

  void infer_rw_register() {
    // External reads of a value (by version) and of nil (by key).
    struct Read {
      uint32_t version;
      uint32_t reader;
    };
    std::vector<Read> reads;
    struct NilRead {
      int32_t key;
      uint32_t reader;
    };
    std::vector<NilRead> nil_reads;
    std::vector<VersionEdge> vedges;
    for (uint32_t t = 0; t < h_.txns.size(); ++t) {
      if (h_.txns[t].type != OpType::kOk) continue;
      for (uint32_t i = 0; i < h_.txns[t].mops_len; ++i) {
        const Mop& m = mop(t, i);
        if (m.f == MopF::kRead && m.known && !m.nil) check_read_value(t, i, m.key, m.value, true);
      }
      for (const ExtRead& x : ext_of(t)) {
        const Mop& m = mop(t, x.mop);
        uint32_t v = 0;
        if (m.nil) {
          nil_reads.push_back({m.key, t});
        } else {
          v = version(m.key, m.value);
          reads.push_back({v, t});
          if (v < writers_.size()) {
            const Writer& w = writers_.at(v);
            if (node(w.txn) && w.txn != t) graph_.add(w.txn, t, EdgeKind::kWR);
          }
        }
        // The transaction's last write of this key comes after the value it read.
        for (uint32_t j = h_.txns[t].mops_len; j-- > x.mop + 1;) {
          const Mop& w = mop(t, j);
          if (w.f == MopF::kWrite && w.key == m.key) {
            if (m.nil) break;  // nil precedes every write anyway
            if (w.value != m.value) vedges.push_back({v, version(m.key, w.value), t});
            break;
          }
        }
      }
    }
    cyclic_versions(vedges);
    // Readers of each version (a counting sort by version), for rw edges along version edges.
    std::vector<uint32_t> at(versions() + 1, 0);
    for (const Read& rd : reads) ++at[rd.version + 1];
    for (size_t v = 0; v + 1 < at.size(); ++v) at[v + 1] += at[v];
    std::vector<uint32_t> readers(reads.size());
    {
      std::vector<uint32_t> fill(at.begin(), at.end() - 1);
      for (const Read& rd : reads) readers[fill[rd.version]++] = rd.reader;
    }
    std::vector<Read>().swap(reads);
    for (const VersionEdge& v : vedges) {
      if (v.from < writers_.size()) {
        const Writer& from = writers_.at(v.from);
        if (node(from.txn) && from.txn != v.txn) graph_.add(from.txn, v.txn, EdgeKind::kWW);
      }
      for (uint32_t i = at[v.from]; i < at[v.from + 1]; ++i)
        if (readers[i] != v.txn) graph_.add(readers[i], v.txn, EdgeKind::kRW);
    }
    // A read of nil precedes every committed-or-maybe write of its key.
    if (nil_reads.empty()) return;
    std::vector<std::vector<uint32_t>> writers_by_key(h_.keys.size());
    std::vector<uint8_t> read_nil(h_.keys.size(), 0);
    for (const NilRead& rd : nil_reads) read_nil[static_cast<size_t>(rd.key)] = 1;
    for (uint32_t id = 0; id < writers_.size(); ++id) {
      const Writer& w = writers_.at(id);
      const auto k = static_cast<size_t>(writers_.key_of(id));
      if (read_nil[k] && node(w.txn) && w.last) writers_by_key[k].push_back(w.txn);
    }
    for (const NilRead& rd : nil_reads)
      for (uint32_t w : writers_by_key[static_cast<size_t>(rd.key)])
        if (w != rd.reader) graph_.add(rd.reader, w, EdgeKind::kRW);
  }

  // A transaction read version `from` of a key and then wrote version `to` of it.
  struct VersionEdge {
    uint32_t from, to;
    uint32_t txn;
  };

  void cyclic_versions(const std::vector<VersionEdge>& vedges) {
    if (vedges.empty()) return;
    // Nodes: the distinct versions of version edges, numbered in order of appearance.
    std::vector<uint32_t> node_of(versions(), kNoTxn);
    std::vector<uint32_t> names;
    auto get = [&](uint32_t version) {
      if (node_of[version] == kNoTxn) {
        node_of[version] = static_cast<uint32_t>(names.size());
        names.push_back(version);
      }
      return node_of[version];
    };
    std::vector<std::pair<uint32_t, uint32_t>> edges;
    edges.reserve(vedges.size());
    for (const auto& e : vedges) {
      uint32_t a = get(e.from);
      edges.push_back({a, get(e.to)});
    }
    DepGraph g(static_cast<uint32_t>(names.size()));
    for (auto [a, b] : edges) g.add(a, b, EdgeKind::kWW);
    g.freeze();
    for (const auto& comp : g.strongly_connected(0xff)) {
      std::vector<int64_t> values;
      for (uint32_t n : comp) values.push_back(version_name(names[n]).second);
      std::sort(values.begin(), values.end());
      const int32_t key = version_name(names[comp[0]]).first;
      report("cyclic-versions", [&] {
        Value d = Value::array_map();
        d.set("key", key_value(key));
        Value vs = Value::vector();
        for (int64_t v : values) vs.push(Value(v));
        d.set("values", vs);
        return std::pair(
            d, fmt::format("key {}: the values {} are each ordered before the other by the transactions that read and "
                           "overwrote them",
                           history::to_edn(key_value(key)), history::to_edn(vs)));
      });
    }
  }

  // ---------- lost update ----------
  void lost_updates() {
    struct ReadWrite {
      int32_t key;
      bool nil;
      int64_t version;  // list-append: prefix length; rw-register: the value read
      uint32_t txn;
    };
    std::vector<ReadWrite> rws;
    for (uint32_t t = 0; t < h_.txns.size(); ++t) {
      if (h_.txns[t].type != OpType::kOk) continue;
      const auto ext = ext_of(t);
      for (const ExtRead& x : ext) {
        bool writes = false;
        for (uint32_t j = x.mop + 1; j < h_.txns[t].mops_len && !writes; ++j)
          writes = mop(t, j).f != MopF::kRead && mop(t, j).key == x.key;
        if (!writes) continue;
        const Mop& m = mop(t, x.mop);
        if (o_.workload == Workload::kListAppend) {
          auto e = h_.elems_of(m);
          const auto& ord = order_[static_cast<size_t>(x.key)];
          if (!(e.size() <= ord.size() && std::equal(e.begin(), e.end(), ord.begin()))) continue;
          rws.push_back({x.key, false, static_cast<int64_t>(e.size()), t});
        } else {
          rws.push_back({x.key, m.nil, m.nil ? 0 : m.value, t});
        }
      }
    }
    std::sort(rws.begin(), rws.end(), [](const ReadWrite& a, const ReadWrite& b) {
      return std::tie(a.key, a.nil, a.version, a.txn) < std::tie(b.key, b.nil, b.version, b.txn);
    });
    for (size_t i = 0; i < rws.size();) {
      size_t j = i + 1;
      while (j < rws.size() && rws[j].key == rws[i].key && rws[j].nil == rws[i].nil && rws[j].version == rws[i].version)
        ++j;
      if (j - i >= 2)
        report("lost-update", [&] {
          Value d = Value::array_map();
          d.set("key", key_value(rws[i].key));
          Value read;
          if (o_.workload == Workload::kListAppend) {
            read = Value::vector();
            const auto& ord = order_[static_cast<size_t>(rws[i].key)];
            for (int64_t p = 0; p < rws[i].version; ++p) read.push(Value(ord[static_cast<size_t>(p)]));
          } else if (!rws[i].nil) {
            read = Value(rws[i].version);
          }
          d.set("value", read);
          Value txns = Value::vector();
          std::string names;
          for (size_t x = i; x < j; ++x) {
            txns.push(txn_value(rws[x].txn));
            names += (x == i ? "" : ", ") + txn_text(rws[x].txn);
          }
          d.set("txns", txns);
          return std::pair(d, fmt::format("key {}: {} all read {} and then wrote the key",
                                          history::to_edn(key_value(rws[i].key)), names, history::to_edn(read)));
        });
      i = j;
    }
  }

  // ---------- process and real-time order ----------
  // An invocation or completion of a node transaction, coded as txn * 2 + (1 if a
  // completion), in position order.
  static uint64_t event_code(uint32_t txn, bool complete) { return static_cast<uint64_t>(txn) * 2 + complete; }

  // The events of real-time order sorted by position. Positions are distinct op
  // indices, dense in a recorded history, so each event drops into its slot (linear,
  // 8 bytes a slot); positions spread too thinly, or shared, take a comparison sort.
  std::vector<uint64_t> events_in_order() const {
    auto each = [&](auto fn) {
      for (uint32_t t = 0; t < h_.txns.size(); ++t) {
        if (!node(t)) continue;
        fn(h_.txns[t].invoke, event_code(t, false));
        if (h_.txns[t].type == OpType::kOk && h_.txns[t].complete >= 0) fn(h_.txns[t].complete, event_code(t, true));
      }
    };
    size_t n = 0;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    each([&](int64_t pos, uint64_t) {
      ++n;
      lo = std::min(lo, pos);
      hi = std::max(hi, pos);
    });
    if (n == 0) return {};
    constexpr uint64_t kEmpty = UINT64_MAX;
    const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
    if (span < 4 * static_cast<uint64_t>(n) + 1024) {
      std::vector<uint64_t> slot(span + 1, kEmpty);
      bool shared = false;
      each([&](int64_t pos, uint64_t code) {
        uint64_t& s = slot[static_cast<uint64_t>(pos) - static_cast<uint64_t>(lo)];
        shared |= s != kEmpty;
        s = code;
      });
      if (!shared) {
        size_t out = 0;
        for (uint64_t code : slot)
          if (code != kEmpty) slot[out++] = code;
        slot.resize(out);
        return slot;
      }
    }
    struct Event {
      int64_t pos;
      uint64_t code;
    };
    std::vector<Event> events;
    events.reserve(n);
    each([&](int64_t pos, uint64_t code) { events.push_back({pos, code}); });
    std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.pos < b.pos; });
    std::vector<uint64_t> codes(n);
    for (size_t i = 0; i < n; ++i) codes[i] = events[i].code;
    return codes;
  }

  void order_edges() {
    KeyValueMap<uint32_t> last_of_process(64);  // (0, process) -> its latest transaction
    for (uint32_t t = 0; t < h_.txns.size(); ++t) {
      if (!node(t)) continue;
      auto [last, fresh] = last_of_process.try_emplace(0, h_.txns[t].process, t);
      if (!fresh) {
        graph_.add(*last, t, EdgeKind::kProcess);
        *last = t;
      }
    }
    // Real time: each invocation follows the completed transactions that no other
    // completed transaction follows (the frontier); edges to the rest are implied.
    const std::vector<uint64_t> events = events_in_order();
    // A completion removes from the frontier what its transaction saw there when it was
    // invoked: the members that joined before that invocation and are still there (a
    // transaction joins once and leaves for good), so no copy of the frontier is kept.
    struct Member {
      uint32_t txn;
      size_t since;  // the event at which it joined
    };
    std::vector<Member> frontier;
    constexpr size_t kNotInvoked = SIZE_MAX;
    std::vector<size_t> invoked_at(h_.txns.size(), kNotInvoked);  // ok transactions' invocation events
    for (size_t seq = 0; seq < events.size(); ++seq) {
      const auto txn = static_cast<uint32_t>(events[seq] / 2);
      if (events[seq] % 2 == 0) {
        for (const Member& f : frontier) graph_.add(f.txn, txn, EdgeKind::kRealtime);
        if (h_.txns[txn].type == OpType::kOk) invoked_at[txn] = seq;
        continue;
      }
      const size_t invoked = invoked_at[txn];
      if (invoked != kNotInvoked) {
        frontier.erase(
            std::remove_if(frontier.begin(), frontier.end(), [&](const Member& f) { return f.since < invoked; }),
            frontier.end());
        invoked_at[txn] = kNotInvoked;
      }
      frontier.push_back({txn, seq});
    }
  }

  // ---------- cycles ----------
  // Why the edge from -> to of this kind exists, as {:type :key :value} and words.
  std::pair<Value, std::string> explain(const Edge& e) const {
    Value step = Value::array_map();
    step.set("type", Value::keyword(to_string(e.kind)));
    step.set("from", Value(h_.txns[e.from].index));
    step.set("to", Value(h_.txns[e.to].index));
    std::string a = txn_text(e.from), b = txn_text(e.to);
    if (e.kind == EdgeKind::kProcess) {
      return {step, fmt::format("{} and then {} ran on process {}", a, b, h_.txns[e.from].process)};
    }
    if (e.kind == EdgeKind::kRealtime) {
      return {step, fmt::format("{} completed (op {}) before {} was invoked (op {})", a, h_.txns[e.from].complete, b,
                                h_.txns[e.to].invoke)};
    }
    std::vector<ExtRead> ext;
    // Find the key and values that produce this edge.
    auto writes = [&](uint32_t t, int32_t k, int64_t v) {
      const Writer* w = writer(k, v);
      return w && w->txn == t;
    };
    auto set_kv = [&](int32_t k, const Value& v, const Value& v2) {
      step.set("key", key_value(k));
      step.set("value", v);
      if (!v2.is_nil()) step.set("value'", v2);
    };
    const bool list = o_.workload == Workload::kListAppend;
    if (e.kind == EdgeKind::kWW) {
      if (list) {
        // The element `to` appended right after one of `from`'s, found from `to`'s side.
        for (const Mop& m : h_.mops_of(h_.txns[e.to])) {
          if (m.f != MopF::kAppend) continue;
          const Writer* w = writer(m.key, m.value);
          if (w == nullptr || w->txn != e.to || w->pos == kNoPos || w->pos == 0) continue;
          const auto& ord = order_[static_cast<size_t>(m.key)];
          int64_t prev = ord[w->pos - 1];
          if (!writes(e.from, m.key, prev)) continue;
          set_kv(m.key, Value(prev), Value(m.value));
          return {step, fmt::format("{} appended {} to key {}; {} appended {} right after it", a, prev,
                                    history::to_edn(key_value(m.key)), b, m.value)};
        }
      } else {
        ext_reads(e.to, ext);
        for (const ExtRead& x : ext) {
          const Mop& m = mop(e.to, x.mop);
          if (!m.nil && writes(e.from, m.key, m.value)) {
            set_kv(m.key, Value(m.value), Value());
            return {step, fmt::format("{} wrote {} to key {}; {} read it and then overwrote it", a, m.value,
                                      history::to_edn(key_value(m.key)), b)};
          }
        }
      }
    }
    if (e.kind == EdgeKind::kWR) {
      ext_reads(e.to, ext);
      for (const ExtRead& x : ext) {
        const Mop& m = mop(e.to, x.mop);
        int64_t v;
        if (list) {
          if (m.elems_len == 0) continue;
          v = h_.elems_of(m).back();
        } else {
          if (m.nil) continue;
          v = m.value;
        }
        if (writes(e.from, m.key, v)) {
          set_kv(m.key, Value(v), Value());
          return {step, fmt::format("{} wrote {} to key {}; {} read it{}", a, v, history::to_edn(key_value(m.key)), b,
                                    list ? " as the last element" : "")};
        }
      }
    }
    if (e.kind == EdgeKind::kRW) {
      ext_reads(e.from, ext);
      for (const ExtRead& x : ext) {
        const Mop& m = mop(e.from, x.mop);
        if (list) {
          const auto& ord = order_[static_cast<size_t>(m.key)];
          if (m.elems_len < ord.size() && writes(e.to, m.key, ord[m.elems_len])) {
            Value seen = m.elems_len == 0 ? Value() : Value(h_.elems_of(m).back());
            set_kv(m.key, seen, Value(ord[m.elems_len]));
            return {
                step,
                fmt::format("{} read key {} {}; {} appended {}, the next element", a, history::to_edn(key_value(m.key)),
                            m.elems_len == 0 ? std::string("empty") : "up to " + std::to_string(h_.elems_of(m).back()),
                            b, ord[m.elems_len])};
          }
        } else {
          for (const Mop& w : h_.mops_of(h_.txns[e.to]))
            if (w.f == MopF::kWrite && w.key == m.key) {
              set_kv(m.key, m.nil ? Value() : Value(m.value), Value(w.value));
              return {step, fmt::format("{} read key {} as {}; {} overwrote that version with {}", a,
                                        history::to_edn(key_value(m.key)),
                                        m.nil ? std::string("nil") : std::to_string(m.value), b, w.value)};
            }
        }
      }
    }
    return {step, fmt::format("{} {} {}", a, to_string(e.kind), b)};
  }

  void search_cycles() {
    auto found = graph_.find_cycles(o_.step_budget);
    r_.stats.components = found.components;
    r_.stats.unfinished = found.unfinished;
    r_.stats.steps = found.steps;
    for (const Cycle& c : found.cycles) {
      std::string cls = classify(c);
      report(cls, [&] {
        Value d = Value::array_map();
        Value cycle = Value::vector(), steps = Value::vector();
        std::string text = cls + ":";
        for (const Edge& e : c.edges) {
          cycle.push(txn_value(e.from));
          auto [step, words] = explain(e);
          steps.push(step);
          text += "\n    " + words;
        }
        cycle.push(txn_value(c.edges.front().from));
        d.set("type", Value::keyword(cls));
        d.set("cycle", cycle);
        d.set("steps", steps);
        return std::pair(d, text);
      });
    }
  }

  void decide() {
    r_.ruled = ruled_out(r_.anomaly_types);
    for (const auto& m : o_.consistency_models)
      if (r_.ruled.rules_out(m)) {
        r_.verdict = Verdict::kInvalid;
        return;
      }
    if (r_.stats.unfinished > 0) {
      r_.verdict = Verdict::kUnknown;
      r_.unknown_reason =
          fmt::format("the cycle search ran out of its budget of {} steps in {} of {} strongly connected components",
                      o_.step_budget, r_.stats.unfinished, r_.stats.components);
    }
  }

  const History& h_;
  const Options& o_;
  CheckResult r_;
  DepGraph graph_;
  WriterIndex writers_;
  KeyValueMap<uint32_t> unwritten_;                           // rw-register: versions nobody wrote -> id
  std::vector<std::pair<int32_t, int64_t>> unwritten_names_;  // and back
  std::vector<std::vector<int64_t>> order_;                   // list-append version orders
  std::vector<ExtRead> ext_all_;                              // external reads of ok transactions, by transaction
  std::vector<uint32_t> ext_at_;                              // transaction -> first in ext_all_ (txns + 1 entries)
  mutable std::vector<int32_t> written_;                      // scratch for ext_reads
  std::vector<InternalState> internal_;                       // scratch for check_internal
};

Value keyword_set(const std::set<std::string>& names) {
  std::vector<Value> v;
  for (const auto& n : names) v.push_back(Value::keyword(n));
  return Value::set(std::move(v));
}

}  // namespace

const char* to_string(MopF f) {
  switch (f) {
    case MopF::kRead: return "r";
    case MopF::kWrite: return "w";
    case MopF::kAppend: return "append";
  }
  return "?";
}

CheckResult check(const History& h, const Options& options) { return Checker(h, options).run(); }

Value to_value(const CheckResult& r) {
  Value out = Value::array_map();
  out.set("valid?", r.verdict == Verdict::kValid     ? Value(true)
                    : r.verdict == Verdict::kInvalid ? Value(false)
                                                     : Value::keyword("unknown"));
  if (!r.unknown_reason.empty()) out.set("unknown-reason", Value(r.unknown_reason));
  Value types = Value::vector();
  for (const auto& t : r.anomaly_types) types.push(Value::keyword(t));
  out.set("anomaly-types", types);
  Value anomalies = Value::array_map();
  for (const auto& [type, examples] : r.anomalies) anomalies.set(Value::keyword(type), Value::vector(examples));
  out.set("anomalies", anomalies);
  Value counts = Value::array_map();
  for (const auto& [type, n] : r.counts) counts.set(Value::keyword(type), Value(n));
  out.set("anomaly-counts", counts);
  out.set("not", keyword_set(r.ruled.not_));
  out.set("also-not", keyword_set(r.ruled.also_not));
  Value s = Value::array_map();
  s.set("txn-count", Value(r.stats.txns));
  s.set("ok-count", Value(r.stats.ok));
  s.set("fail-count", Value(r.stats.fail));
  s.set("info-count", Value(r.stats.info));
  s.set("key-count", Value(r.stats.keys));
  s.set("edge-count", Value(r.stats.edges));
  s.set("scc-count", Value(r.stats.components));
  s.set("search-steps", Value(r.stats.steps));
  if (r.stats.duplicate_writes > 0) s.set("duplicate-writes", Value(r.stats.duplicate_writes));
  out.set("stats", s);
  return out;
}

std::string summary(const CheckResult& r) {
  std::string out;
  out += fmt::format("{} ({} txns: {} ok, {} fail, {} info; {} keys; {} edges)\n", to_string(r.verdict), r.stats.txns,
                     r.stats.ok, r.stats.fail, r.stats.info, r.stats.keys, r.stats.edges);
  if (!r.unknown_reason.empty()) out += "  unknown: " + r.unknown_reason + "\n";
  for (const auto& [type, n] : r.counts) {
    out += fmt::format("  {}: {}\n", type, n);
    auto it = r.texts.find(type);
    if (it != r.texts.end() && !it->second.empty()) out += "    e.g. " + it->second.front() + "\n";
  }
  auto names = [](const std::set<std::string>& s) {
    std::string o;
    for (const auto& n : s) o += (o.empty() ? "" : ", ") + n;
    return o.empty() ? std::string("none") : o;
  };
  if (!r.ruled.not_.empty()) out += "  not: " + names(r.ruled.not_) + "\n  also not: " + names(r.ruled.also_not) + "\n";
  return out;
}

}  // namespace squall::checker::txn
