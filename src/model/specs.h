// Factories for the built-in models, one per sequential spec (internal to src/model;
// callers use make_model() in model.h). Thread-safe: each returns a new immutable Model.
#pragma once

#include <memory>
#include <string>

#include "history/op.h"
#include "model/model.h"

namespace squall::model {

std::unique_ptr<Model> make_register(bool with_cas, history::Value initial, NilRead nil_read);
std::unique_ptr<Model> make_multi_register(history::Value initial);
std::unique_ptr<Model> make_kv(std::string initial);
std::unique_ptr<Model> make_mutex();
std::unique_ptr<Model> make_set();
std::unique_ptr<Model> make_queue(bool fifo);
// One shard's coordination record, stepped by src/coord/model.h's plan functions.
std::unique_ptr<Model> make_shard_lease();

// "op #12 (line 30, p3 :cas [1 2]): " — prefix of every malformed-op message.
std::string op_context(const history::Op& op);

}  // namespace squall::model
