// Constructors of the workloads this component ships (see workload.h for the interface
// and registry.cc for the name table). Internal to src/workload and its tests.
#pragma once

#include <memory>

#include "workload/workload.h"

namespace squall::workload {

std::unique_ptr<Workload> make_echo();
std::unique_ptr<Workload> make_unique_ids();
std::unique_ptr<Workload> make_broadcast();
std::unique_ptr<Workload> make_g_set();
std::unique_ptr<Workload> make_counter(bool allow_negative);  // pn-counter if true
std::unique_ptr<Workload> make_lin_kv();
std::unique_ptr<Workload> make_kafka();
// txn-list-append (list_append true) and txn-rw-register; errors name a bad option.
Result<std::unique_ptr<Workload>> make_txn(bool list_append, const WorkloadOptions& options);

}  // namespace squall::workload
