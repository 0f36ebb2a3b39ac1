// Benchmarks of the registry's read path over gRPC on loopback, each
// compared with a bare echo service served by the same server start-up
// and called by the same client: Get of a mission, List of all missions
// active in 2020, and the year dataset stream. Prints medians and the
// ratio to the echo baseline measured in the same run. The registry
// benchmarks run on each storage backend (…/sqlite, …/postgresql on a
// throwaway local server over a Unix socket), in the same run.
//
// Authentication: the same Get over TLS with a bearer token on every call
// (the production set-up), next to the echo service over TLS, and the cost
// of checking a token with and without the verified-token cache. The
// certificates and token come from deploy/local/dev-pki.sh in a temporary
// directory.
//
// Run: tests/bench/run.sh (or the `bench` build target).
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "proto/common/access_control.h"
#include "proto/common/auth/jwt.h"
#include "proto/common/secret_file.h"
#include "proto/common/tls.h"
#include "tests/integration/child_process.h"
#include "absl/strings/str_format.h"
#include "bench/echo.grpc.pb.h"
#include "benchmark/benchmark.h"
#include "grpcpp/create_channel.h"
#include "proto/common/server_runner.h"
#include "registry-service/dataset_file/dataset_file.h"
#include "registry-service/domain/registry.h"
#include "registry-service/domain/resource_api.h"
#include "registry-service/service/registry_api_service.h"
#include "registry-service/service/registry_service.h"
#include "registry-service/storage/open_record_store.h"
#include "tests/integration/test_backends.h"

namespace missions {
namespace {

namespace v1 = ::registry::v1;

class EchoService final : public bench::Echo::Service {
  grpc::Status Echo(grpc::ServerContext*, const bench::EchoRequest* request,
                    bench::EchoResponse* response) override {
    response->set_payload(request->payload());
    return grpc::Status::OK;
  }
};

// Imports the 2020 data into `registry`.
void ImportSeed(registry::Registry& registry) {
  auto parsed = registry::ReadDatasetFile(DATA_FILE);
  if (!parsed.ok()) std::abort();
  v1::ImportDatasetRequest import;
  *import.mutable_dataset() = parsed->dataset;
  if (!registry.ImportDataset(import, registry::Caller{"bench", "", ""}).ok()) std::abort();
}

// One registry with the 2020 data on `backend_name`, served on 127.0.0.1.
struct Fixture {
  explicit Fixture(const std::string& backend_name) {
    auto made = testing::MakeTestBackend(backend_name);
    if (!made.ok()) std::abort();
    backend = std::move(*made);
    store = std::move(*backend->Open());
    views = std::make_unique<registry::ViewKeeper>(store.get(), registry::ViewKeeper::Options{});
    if (!views->Start().ok()) std::abort();
    domain = std::make_unique<registry::Registry>(views.get());
    ImportSeed(*domain);
    bulk = std::make_unique<registry::RegistryServiceImpl>(domain.get(), access.get());
    api = std::make_unique<registry::ResourceApi>(views.get());
    api_service = std::make_unique<registry::RegistryApiService>(api.get(), access.get());
    server = std::move(*RunningServer::Start("127.0.0.1:0", {bulk.get(), api_service.get(), &echo}));
    channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server->port()),
                                  grpc::InsecureChannelCredentials());
    api_stub = v1::RegistryApi::NewStub(channel);
    bulk_stub = v1::RegistryService::NewStub(channel);
    echo_stub = bench::Echo::NewStub(channel);
  }
  ~Fixture() { server->Shutdown(); }

  std::unique_ptr<testing::TestBackend> backend;
  std::unique_ptr<registry::RecordStore> store;
  std::unique_ptr<registry::ViewKeeper> views;
  std::unique_ptr<registry::Registry> domain;
  std::unique_ptr<AccessControl> access = AccessControl::AllowAll();
  std::unique_ptr<registry::RegistryServiceImpl> bulk;
  std::unique_ptr<registry::ResourceApi> api;
  std::unique_ptr<registry::RegistryApiService> api_service;
  EchoService echo;
  std::unique_ptr<RunningServer> server;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::RegistryApi::Stub> api_stub;
  std::unique_ptr<v1::RegistryService::Stub> bulk_stub;
  std::unique_ptr<bench::Echo::Stub> echo_stub;
};

// The development PKI (deploy/local/dev-pki.sh) in a temporary directory.
struct DevPki {
  DevPki() : dir(testing::MakeTempDir()) {
    const std::string command = absl::StrCat("bash '", MISSIONS_SOURCE_DIR,
                                             "/deploy/local/dev-pki.sh' '", dir,
                                             "' 2>/dev/null");
    if (std::system(command.c_str()) != 0) std::abort();
    reader_token = *ReadSecretFile(dir + "/auth/reader.jwt", "token");
    while (!reader_token.empty() && reader_token.back() == '\n') reader_token.pop_back();
  }
  auth::JwtVerifierOptions VerifierOptions() const {
    auth::JwtVerifierOptions options;
    options.jwks_path = dir + "/auth/jwks.json";
    options.issuer = "https://auth.missions.local/dev";
    options.audience = "missions-registry";
    return options;
  }
  std::string dir;
  std::string reader_token;
};

const DevPki& Pki() {
  static const DevPki* pki = new DevPki();
  return *pki;
}

// The SQLite registry again, served over TLS with bearer tokens checked on
// every call (as registry-server runs in production), plus the echo
// service on the same TLS server.
struct SecureFixture {
  SecureFixture() {
    const DevPki& pki = Pki();
    AccessControlOptions options;
    options.verifier = std::move(*auth::JwtVerifier::Create(pki.VerifierOptions()));
    options.rate.rate_per_second = 0;  // the benchmark's own rate
    access = std::move(*AccessControl::Create(std::move(options)));
    store = std::move(*registry::OpenRecordStore("sqlite:" + pki.dir + "/registry.db"));
    views = std::make_unique<registry::ViewKeeper>(store.get(), registry::ViewKeeper::Options{});
    if (!views->Start().ok()) std::abort();
    domain = std::make_unique<registry::Registry>(views.get());
    ImportSeed(*domain);
    api = std::make_unique<registry::ResourceApi>(views.get());
    api_service = std::make_unique<registry::RegistryApiService>(api.get(), access.get());
    ServerTlsOptions tls;
    tls.cert_path = pki.dir + "/pki/registry-server.pem";
    tls.key_path = pki.dir + "/pki/registry-server-key.pem";
    server = std::move(*RunningServer::Start("127.0.0.1:0", {api_service.get(), &echo},
                                             *MakeServerCredentials(tls)));
    ChannelTlsOptions client;
    client.ca_path = pki.dir + "/pki/ca.pem";
    channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server->port()),
                                  *MakeChannelCredentials(client));
    api_stub = v1::RegistryApi::NewStub(channel);
    echo_stub = bench::Echo::NewStub(channel);
  }
  ~SecureFixture() { server->Shutdown(); }

  std::unique_ptr<AccessControl> access;
  std::unique_ptr<registry::RecordStore> store;
  std::unique_ptr<registry::ViewKeeper> views;
  std::unique_ptr<registry::Registry> domain;
  std::unique_ptr<registry::ResourceApi> api;
  std::unique_ptr<registry::RegistryApiService> api_service;
  EchoService echo;
  std::unique_ptr<RunningServer> server;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::RegistryApi::Stub> api_stub;
  std::unique_ptr<bench::Echo::Stub> echo_stub;
};

SecureFixture& Secure() {
  static auto* fixture = new SecureFixture();
  return *fixture;
}

// The fixture of one backend, set up at its first benchmark and kept for
// the run.
Fixture& Shared(const std::string& backend = testing::kSqlite) {
  static auto* fixtures = new std::map<std::string, std::unique_ptr<Fixture>>();
  std::unique_ptr<Fixture>& fixture = (*fixtures)[backend];
  if (fixture == nullptr) fixture = std::make_unique<Fixture>(backend);
  return *fixture;
}

void BM_EchoBaseline(benchmark::State& state) {
  Fixture& f = Shared();
  bench::EchoRequest request;
  request.set_payload(std::string(static_cast<size_t>(state.range(0)), 'x'));
  for (auto _ : state) {
    grpc::ClientContext context;
    bench::EchoResponse response;
    if (!f.echo_stub->Echo(&context, request, &response).ok()) state.SkipWithError("echo");
  }
}

void BM_GetMission(benchmark::State& state, const char* backend) {
  Fixture& f = Shared(backend);
  v1::GetMissionRequest request;
  request.set_name("missions/minusma");
  for (auto _ : state) {
    grpc::ClientContext context;
    v1::Mission response;
    if (!f.api_stub->GetMission(&context, request, &response).ok()) state.SkipWithError("get");
  }
}

void BM_ListMissions2020(benchmark::State& state, const char* backend) {
  Fixture& f = Shared(backend);
  v1::ListMissionsRequest request;
  request.set_filter("active_in(2020)");
  request.set_page_size(500);
  for (auto _ : state) {
    grpc::ClientContext context;
    v1::ListMissionsResponse response;
    if (!f.api_stub->ListMissions(&context, request, &response).ok() ||
        response.missions_size() != 23) {
      state.SkipWithError("list");
    }
  }
}

void BM_StreamYearDataset2020(benchmark::State& state, const char* backend) {
  Fixture& f = Shared(backend);
  v1::StreamYearDatasetRequest request;
  request.set_year(2020);
  for (auto _ : state) {
    grpc::ClientContext context;
    auto reader = f.bulk_stub->StreamYearDataset(&context, request);
    v1::StreamYearDatasetResponse part;
    while (reader->Read(&part)) {
    }
    if (!reader->Finish().ok()) state.SkipWithError("stream");
  }
}

void BM_TlsEchoBaseline(benchmark::State& state) {
  SecureFixture& f = Secure();
  bench::EchoRequest request;
  request.set_payload(std::string(static_cast<size_t>(state.range(0)), 'x'));
  for (auto _ : state) {
    grpc::ClientContext context;
    bench::EchoResponse response;
    if (!f.echo_stub->Echo(&context, request, &response).ok()) state.SkipWithError("echo");
  }
}

// GetMission over TLS with the reader token sent and checked on every call.
void BM_GetMissionTlsToken(benchmark::State& state) {
  SecureFixture& f = Secure();
  v1::GetMissionRequest request;
  request.set_name("missions/minusma");
  const std::string authorization = "Bearer " + Pki().reader_token;
  for (auto _ : state) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", authorization);
    v1::Mission response;
    if (!f.api_stub->GetMission(&context, request, &response).ok()) state.SkipWithError("get");
  }
}

// What checking one token costs in the server, without gRPC: a token seen
// before (answered from the verified-token cache, the hot path) and, with
// the cache off, the full RS256 signature check and claim parsing.
void BM_VerifyToken(benchmark::State& state) {
  auth::JwtVerifierOptions options = Pki().VerifierOptions();
  const bool cached = state.range(0) != 0;
  if (!cached) options.cache_capacity = 0;
  std::unique_ptr<auth::JwtVerifier> verifier = std::move(*auth::JwtVerifier::Create(options));
  const std::string& token = Pki().reader_token;
  for (auto _ : state) {
    if (!verifier->Verify(token).ok()) state.SkipWithError("verify");
  }
  state.SetLabel(cached ? "cached" : "uncached");
}

// Every benchmark: 5 repetitions of at least 0.3 s (bounded in time),
// medians reported.
#define MISSIONS_BENCH(fn) \
  BENCHMARK(fn)->MinTime(0.3)->Repetitions(5)->ReportAggregatesOnly(true)->UseRealTime()

MISSIONS_BENCH(BM_EchoBaseline)->Arg(64)->Arg(1024);
MISSIONS_BENCH(BM_TlsEchoBaseline)->Arg(64);
MISSIONS_BENCH(BM_GetMissionTlsToken);
MISSIONS_BENCH(BM_VerifyToken)->Arg(1)->Arg(0);
#define MISSIONS_BENCH_BACKENDS(fn)                          \
  BENCHMARK_CAPTURE(fn, sqlite, testing::kSqlite)            \
      ->MinTime(0.3)->Repetitions(5)->ReportAggregatesOnly(true)->UseRealTime(); \
  BENCHMARK_CAPTURE(fn, postgresql, testing::kPostgresql)    \
      ->MinTime(0.3)->Repetitions(5)->ReportAggregatesOnly(true)->UseRealTime()

MISSIONS_BENCH_BACKENDS(BM_GetMission);
MISSIONS_BENCH_BACKENDS(BM_ListMissions2020);
MISSIONS_BENCH_BACKENDS(BM_StreamYearDataset2020);

// Collects the medians to print ratios after the run.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.aggregate_name == "median") {
        medians_[run.run_name.function_name + (run.run_name.args.empty() ? "" : "/" + run.run_name.args)] =
            run.GetAdjustedRealTime();
      }
    }
  }
  void PrintRatios() const {
    const auto base = medians_.find("BM_EchoBaseline/64");
    if (base == medians_.end() || base->second <= 0) return;
    std::printf("\nMedian real time per call, and ratio to the bare echo baseline (64 B):\n");
    for (const auto& [name, time] : medians_) {
      std::printf("  %-34s %10.1f us   x%.2f\n", name.c_str(), time / 1000.0,
                  time / base->second);
    }
    const auto tls_echo = medians_.find("BM_TlsEchoBaseline/64");
    const auto secure_get = medians_.find("BM_GetMissionTlsToken");
    const auto cached = medians_.find("BM_VerifyToken/1");
    const auto uncached = medians_.find("BM_VerifyToken/0");
    if (tls_echo != medians_.end() && secure_get != medians_.end() && tls_echo->second > 0) {
      std::printf("\nAuthenticated GetMission (TLS + token) / TLS echo (64 B): x%.2f\n",
                  secure_get->second / tls_echo->second);
    }
    if (cached != medians_.end() && uncached != medians_.end()) {
      std::printf("Checking the token: %.2f us per call from the cache, %.1f us uncached "
                  "(RS256 signature and claims)\n",
                  cached->second / 1000.0, uncached->second / 1000.0);
    }
  }

 private:
  std::map<std::string, double> medians_;
};

}  // namespace
}  // namespace missions

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  missions::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatios();
  benchmark::Shutdown();
  return 0;
}
