#include "cluster/node.h"

namespace squall::cluster {

std::vector<std::string> faketime_env(const Node& node) {
  return {std::string("LD_PRELOAD=") + kLibfaketime, "FAKETIME_TIMESTAMP_FILE=" + node.faketime_file(),
          "FAKETIME_NO_CACHE=1"};
}

}  // namespace squall::cluster
