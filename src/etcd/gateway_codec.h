// The JSON of etcd's v3 gateway: request bodies built from types.h, answers parsed
// back into them. Bytes travel as base64 and 64-bit integers as decimal strings.
//
// Answers are untrusted input: a parse never crashes and never trusts a field's type;
// a malformed answer is an error string (the caller classifies it). Pure functions,
// thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "etcd/types.h"

namespace squall::etcd::gateway {

// URL paths of the gateway (etcd 3.4 serves them under /v3/).
inline constexpr std::string_view kRangePath = "/v3/kv/range";
inline constexpr std::string_view kPutPath = "/v3/kv/put";
inline constexpr std::string_view kDeletePath = "/v3/kv/deleterange";
inline constexpr std::string_view kTxnPath = "/v3/kv/txn";
inline constexpr std::string_view kLeaseGrantPath = "/v3/lease/grant";
inline constexpr std::string_view kLeaseRevokePath = "/v3/lease/revoke";
inline constexpr std::string_view kLeaseKeepAlivePath = "/v3/lease/keepalive";
inline constexpr std::string_view kLeaseTimeToLivePath = "/v3/lease/timetolive";
inline constexpr std::string_view kLockPath = "/v3/lock/lock";
inline constexpr std::string_view kUnlockPath = "/v3/lock/unlock";

std::string encode(const RangeRequest& r);
std::string encode(const PutRequest& r);
std::string encode(const DeleteRequest& r);
std::string encode(const TxnRequest& r);
std::string encode_lease_grant(int64_t ttl_s);
std::string encode_lease_id(int64_t id);  // revoke, keep-alive, time-to-live
std::string encode_lock(std::string_view name, int64_t lease);
std::string encode_unlock(std::string_view key);

// Each returns false with *error set when the body is not the expected answer.
bool decode(std::string_view body, RangeResponse* out, std::string* error);
bool decode(std::string_view body, PutResponse* out, std::string* error);
bool decode(std::string_view body, DeleteResponse* out, std::string* error);
bool decode(std::string_view body, TxnResponse* out, std::string* error);
bool decode(std::string_view body, LeaseGrantResponse* out, std::string* error);
bool decode(std::string_view body, LeaseKeepAliveResponse* out, std::string* error);
bool decode(std::string_view body, LeaseTimeToLiveResponse* out, std::string* error);
bool decode(std::string_view body, LockResponse* out, std::string* error);
// An answer that carries only a header (revoke, unlock).
bool decode(std::string_view body, Header* out, std::string* error);

// The error answer of a non-200 status: {"error": ..., "code": N}. False when the
// body is not one.
bool decode_error(std::string_view body, int* code, std::string* message);

}  // namespace squall::etcd::gateway
