#include "proto/error_code.h"

namespace squall::proto {

bool is_definite(int code) {
  switch (code) {
    case 1:
    case 10:
    case 11:
    case 12:
    case 14:
    case 20:
    case 21:
    case 22:
    case 30: return true;
    default: return false;
  }
}

std::string_view error_name(int code) {
  switch (code) {
    case 0: return "timeout";
    case 1: return "node-not-found";
    case 10: return "not-supported";
    case 11: return "temporarily-unavailable";
    case 12: return "malformed-request";
    case 13: return "crash";
    case 14: return "abort";
    case 20: return "key-does-not-exist";
    case 21: return "key-already-exists";
    case 22: return "precondition-failed";
    case 30: return "txn-conflict";
    default: return code >= 1000 ? "user-defined" : "unknown";
  }
}

}  // namespace squall::proto
