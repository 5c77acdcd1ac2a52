// Writing histories: EDN (one op map per line, the form Knossos and the Porcupine kv corpus
// read; optionally wrapped in a vector) and JSON lines (Squall's own format, read back by
// reader.h). Keywords become JSON strings, so a JSON round trip keeps every verdict but
// not the keyword/string distinction. Functions are thread-safe.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "core/result.h"
#include "history/history.h"

namespace squall::history {

// {:index 0, :type :invoke, :process 1, :f :read, :value nil[, :key k][, :time t]}
std::string op_to_edn(const Op& op);

// What a recorded op of `squall test` adds to a history::Op, and the field order of the
// store's history.edn (Jepsen's):
//   {:type :ok, :f :read, :value v, :process p, :time t, :index i[, :error e][, :final? true]}
// (:key is not written: recorded ops carry keys inside their values.)
struct RecordedFields {
  bool nemesis = false;    // :process :nemesis instead of the number
  std::string_view error;  // EDN text explaining a fail/info, e.g. "[:timeout]"; "" = none
  bool final = false;      // issued in the final phase
};
std::string op_to_edn(const Op& op, const RecordedFields& recorded);
// {"index":0,"type":"invoke","process":1,"f":"read","value":null[,"key":k][,"time":t]}
std::string op_to_json(const Op& op);

std::string history_to_edn(const History& h, bool as_vector = false);
std::string history_to_jsonl(const History& h);

// Streams to a file path ("-" is stdout); the error names the path.
Status write_history_file(const History& h, const std::string& path, bool json);

}  // namespace squall::history
