// Short, stable, human-readable renderings of requests and replies for traces.
#pragma once

#include <string>

#include "coord/ops.h"

namespace squall::sim {

std::string shard_name(coord::ShardId id);
std::string describe(const coord::Request& r);
std::string describe(const coord::Reply& r);

}  // namespace squall::sim
