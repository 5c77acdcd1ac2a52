// DataPlane: where a worker's page results go — its findings and its done-ledger.
//
// Both are sets written put-if-absent: a finding is stored as finding_content() (its id
// and fields), so an honest worker's content-addressed id makes a re-processed page's
// findings land on the entries already there; the done-ledger holds the key of every
// item whose page was checkpointed. EtcdDataPlane keeps both in etcd through
// etcd_store::ContentSet (one Txn per page). Not thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "coord/types.h"
#include "etcd/client.h"
#include "etcd_store/content_set.h"
#include "worker/finding.h"

namespace squall::worker_driver {

class DataPlane {
 public:
  virtual ~DataPlane() = default;
  // True when every write is durable (added now or present before); false when any may
  // not be (the caller writes the same again: the writes are idempotent).
  virtual bool put_findings(const std::vector<worker::FindingWrite>& writes) = 0;
  virtual bool mark_done(const std::vector<std::string>& item_keys) = 0;
  // Why the last write failed (for logs).
  virtual std::string last_error() const = 0;
};

// The stored form of a finding: "<id as 16 hex digits> <item key> <offset> <secret>".
std::string finding_content(const worker::FindingWrite& w);
// Its inverse; nullopt when `content` is not one.
std::optional<worker::FindingWrite> parse_finding_content(std::string_view content);

class EtcdDataPlane final : public DataPlane {
 public:
  // client: the caller's (used from the caller's thread only).
  EtcdDataPlane(etcd::Client* client, std::string_view store_prefix, coord::RunId run);
  bool put_findings(const std::vector<worker::FindingWrite>& writes) override;
  bool mark_done(const std::vector<std::string>& item_keys) override;
  std::string last_error() const override { return last_error_; }

 private:
  bool add(etcd_store::ContentSet* set, const std::vector<std::string>& contents);
  etcd_store::ContentSet findings_;
  etcd_store::ContentSet done_;
  std::vector<std::string> scratch_;
  std::vector<etcd_store::AddStatus> statuses_;
  std::string last_error_;
};

}  // namespace squall::worker_driver
