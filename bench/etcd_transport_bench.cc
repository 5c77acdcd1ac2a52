// etcd transport benchmark: put + range latency (p50/p99) and throughput with 1 and 4
// client threads against a local 3-member etcd cluster, for the JSON-gateway client
// (src/etcd) and for gRPC (GenericStub with hand-encoded protobuf Put/Range messages,
// the smallest gRPC client that does the same work). It decides which transport the
// etcd client uses; the figures are in README.md.
//
//   ./build/bench/etcd_transport_bench [--ops N] [--value-bytes B]
//
// Each thread talks to its own member (thread t to member t mod 3), writes its own keys
// and reads each back. Latencies are per operation, measured with the steady clock.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "etcd/client.h"
#include "etcd/testing/local_cluster.h"

namespace {

using Clock = std::chrono::steady_clock;
using squall::etcd::Client;
using squall::etcd::ClientOptions;

// ---- protobuf wire format, just what Put and Range need ----
void put_varint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
void put_bytes_field(std::string* out, int field, const std::string& b) {
  put_varint(out, (static_cast<uint64_t>(field) << 3) | 2);
  put_varint(out, b.size());
  out->append(b);
}
// etcdserverpb.PutRequest {key = 1; value = 2} and RangeRequest {key = 1}.
std::string put_request(const std::string& key, const std::string& value) {
  std::string m;
  put_bytes_field(&m, 1, key);
  put_bytes_field(&m, 2, value);
  return m;
}
std::string range_request(const std::string& key) {
  std::string m;
  put_bytes_field(&m, 1, key);
  return m;
}

grpc::ByteBuffer to_buffer(const std::string& s) {
  grpc::Slice slice(s);
  return grpc::ByteBuffer(&slice, 1);
}
std::string from_buffer(const grpc::ByteBuffer& b) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!b.Dump(&slices).ok()) return out;
  for (const grpc::Slice& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

class GrpcKv {
 public:
  explicit GrpcKv(const std::string& endpoint)
      : channel_(grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials())), stub_(channel_) {}
  bool call(const std::string& method, const std::string& request, std::string* response) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    grpc::ByteBuffer req = to_buffer(request);
    grpc::ByteBuffer resp;
    grpc::Status status;
    auto rpc = stub_.PrepareUnaryCall(&ctx, method, req, &cq_);
    rpc->StartCall();
    rpc->Finish(&resp, &status, this);
    void* tag = nullptr;
    bool ok = false;
    if (!cq_.Next(&tag, &ok) || !ok || !status.ok()) return false;
    *response = from_buffer(resp);
    return true;
  }
  ~GrpcKv() {
    cq_.Shutdown();
    void* tag;
    bool ok;
    while (cq_.Next(&tag, &ok)) {
    }
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  grpc::GenericStub stub_;
  grpc::CompletionQueue cq_;
};

struct Sample {
  std::vector<double> put_us;
  std::vector<double> range_us;
  int errors = 0;
};

double pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

double micros(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

// One thread's work for one transport: `ops` puts, each followed by a range of its key.
using Worker = std::function<void(int thread, int ops, Sample* out)>;

void run(const char* name, int threads, int ops, const Worker& worker) {
  std::vector<Sample> samples(static_cast<size_t>(threads));
  std::vector<std::thread> pool;
  const auto start = Clock::now();
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker, t, ops, &samples[static_cast<size_t>(t)]);
  for (std::thread& th : pool) th.join();
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  Sample all;
  for (const Sample& s : samples) {
    all.put_us.insert(all.put_us.end(), s.put_us.begin(), s.put_us.end());
    all.range_us.insert(all.range_us.end(), s.range_us.begin(), s.range_us.end());
    all.errors += s.errors;
  }
  const double total = static_cast<double>(all.put_us.size() + all.range_us.size());
  std::printf(
      "%-8s threads=%d  put p50 %6.0f us p99 %6.0f us | range p50 %6.0f us p99 %6.0f us | %7.0f ops/s | errors %d\n",
      name, threads, pct(all.put_us, 0.5), pct(all.put_us, 0.99), pct(all.range_us, 0.5), pct(all.range_us, 0.99),
      total / secs, all.errors);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  int ops = 2000;
  size_t value_bytes = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--ops") == 0) ops = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--value-bytes") == 0) value_bytes = static_cast<size_t>(std::atoi(argv[i + 1]));
  }
  if (ops <= 0) {
    std::fprintf(stderr, "usage: etcd_transport_bench [--ops N>0] [--value-bytes B]\n");
    return 2;
  }
  std::string error;
  auto cluster = squall::etcd::testing::LocalCluster::start({}, &error);
  if (cluster == nullptr) {
    std::fprintf(stderr, "etcd_transport_bench: %s\n", error.c_str());
    return 1;
  }
  const std::string value(value_bytes, 'v');
  const auto endpoints = cluster->endpoints();

  Worker gateway = [&](int t, int n, Sample* s) {
    ClientOptions o;
    for (size_t k = 0; k < endpoints.size(); ++k)
      o.endpoints.push_back(endpoints[(static_cast<size_t>(t) + k) % endpoints.size()]);
    Client c(o);
    for (int i = 0; i < n; ++i) {
      const std::string key = "gw/" + std::to_string(t) + "/" + std::to_string(i);
      auto a = Clock::now();
      bool ok = c.put({key, value}).ok();
      auto b = Clock::now();
      auto r = c.range({key});
      auto e = Clock::now();
      ok = ok && r.ok() && r->kvs.size() == 1 && r->kvs[0].value == value;
      s->put_us.push_back(micros(a, b));
      s->range_us.push_back(micros(b, e));
      s->errors += ok ? 0 : 1;
    }
  };
  Worker grpc_kv = [&](int t, int n, Sample* s) {
    GrpcKv kv(endpoints[static_cast<size_t>(t) % endpoints.size()]);
    std::string resp;
    for (int i = 0; i < n; ++i) {
      const std::string key = "grpc/" + std::to_string(t) + "/" + std::to_string(i);
      auto a = Clock::now();
      bool ok = kv.call("/etcdserverpb.KV/Put", put_request(key, value), &resp);
      auto b = Clock::now();
      ok = kv.call("/etcdserverpb.KV/Range", range_request(key), &resp) && ok;
      auto e = Clock::now();
      ok = ok && resp.find(value) != std::string::npos;  // the value came back
      s->put_us.push_back(micros(a, b));
      s->range_us.push_back(micros(b, e));
      s->errors += ok ? 0 : 1;
    }
  };
  // Warm-up (connections, etcd's first compactions), then the measured runs.
  run("warmup", 1, 200, gateway);
  run("warmup", 1, 200, grpc_kv);
  for (int threads : {1, 4}) {
    run("gateway", threads, ops, gateway);
    run("grpc", threads, ops, grpc_kv);
  }
  return 0;
}
