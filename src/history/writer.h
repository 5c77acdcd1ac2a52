// Writing histories: EDN (one op map per line, the form Knossos and the Porcupine kv corpus
// read; optionally wrapped in a vector) and JSON lines (Squall's own format, read back by
// reader.h). Keywords become JSON strings, so a JSON round trip keeps every verdict but
// not the keyword/string distinction. Functions are thread-safe.
#pragma once

#include <cstdio>
#include <string>

#include "core/result.h"
#include "history/history.h"

namespace squall::history {

// {:index 0, :type :invoke, :process 1, :f :read, :value nil[, :key k][, :time t]}
std::string op_to_edn(const Op& op);
// {"index":0,"type":"invoke","process":1,"f":"read","value":null[,"key":k][,"time":t]}
std::string op_to_json(const Op& op);

std::string history_to_edn(const History& h, bool as_vector = false);
std::string history_to_jsonl(const History& h);

// Streams to a file path ("-" is stdout); the error names the path.
Status write_history_file(const History& h, const std::string& path, bool json);

}  // namespace squall::history
