#include "services/service.h"

#include "core/rng.h"
#include "services/lin_kv.h"
#include "services/lin_tso.h"
#include "services/lww_kv.h"
#include "services/seq_kv.h"

namespace squall::services {

bool is_service_name(std::string_view name) {
  return name == "lin-kv" || name == "seq-kv" || name == "lww-kv" || name == "lin-tso";
}

std::unique_ptr<Service> make_service(std::string_view name, uint64_t seed) {
  // Forking by name lets one run seed feed every service without their draws coupling.
  Rng rng = Rng(seed).fork(name);
  if (name == "lin-kv") return std::make_unique<LinKv>();
  if (name == "seq-kv") return std::make_unique<SeqKv>(rng);
  if (name == "lww-kv") return std::make_unique<LwwKv>(rng);
  if (name == "lin-tso") return std::make_unique<LinTso>();
  return nullptr;
}

}  // namespace squall::services
