// load-bench: a closed-loop load benchmark of the real registry-server
// binary (issue 9, item 9). It starts registry-server as a child process on
// 127.0.0.1 (a free port), seeded with the 2020 data through `registryctl
// import`, on SQLite and on a throwaway PostgreSQL server, and two bare
// gRPC echo servers as baselines (one on the synchronous server API, one
// on the callback API, child processes of this binary started with
// --serve_echo). It drives N channels x M outstanding calls on each
// (closed loop, gRPC's callback client API, the same client code for the
// echo servers and the registry), bounded in time and in calls per phase,
// and interleaves echo and registry phases over several rounds. The echo
// servers answer with a payload of the measured method's response size.
// It prints the medians of QPS, p50 and p99, their ratios to the echo
// baselines, and the target lines with PASS or MISS.
//
// A scale mode imports synthetic registries (report-service/tools/
// synthetic_registry.h; 1000 and 10000 missions by default) and measures a
// full scan of ListMissions and ListPostings by pages of 100, the year
// stream, start-up to SERVING and the server's resident memory.
//
// Run: tests/bench/load.sh (builds first), or `load-bench --help`.
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/echo.grpc.pb.h"
#include "grpcpp/security/credentials.h"
#include "proto/common/command_line.h"
#include "proto/common/health_check.h"
#include "proto/common/secret_file.h"
#include "proto/common/server_runner.h"
#include "proto/common/status_macros.h"
#include "proto/common/tls.h"
#include "registry/v1/registry_api.grpc.pb.h"
#include "registry/v1/registry_service.grpc.pb.h"
#include "report-service/tools/synthetic_registry.h"
#include "tests/bench/load_driver.h"
#include "tests/integration/child_process.h"
#include "tests/integration/postgres_server.h"

ABSL_FLAG(std::string, registry_server, REGISTRY_SERVER_BIN,
          "the registry-server binary to measure");
ABSL_FLAG(std::string, registryctl, REGISTRYCTL_BIN, "registryctl, to import the 2020 data");
ABSL_FLAG(std::string, data_file, DATA_FILE, "the data file the load phases are seeded with");
ABSL_FLAG(std::string, source_dir, MISSIONS_SOURCE_DIR,
          "the checkout, for deploy/local/dev-pki.sh (--tls)");
ABSL_FLAG(std::string, mode, "all", "what to measure: load, scale or all");
ABSL_FLAG(std::vector<std::string>, backends, std::vector<std::string>({"sqlite", "postgresql"}),
          "storage backends, comma-separated: sqlite, postgresql");
ABSL_FLAG(int, channels, 8, "N: client channels, each its own connection (1 to 64)");
ABSL_FLAG(int, outstanding, 16, "M: calls in flight on each channel (1 to 256)");
ABSL_FLAG(double, phase_seconds, 3, "length of each measured phase, 0.05 to 60 s");
ABSL_FLAG(int, rounds, 3, "rounds of interleaved echo and registry phases (1 to 20)");
ABSL_FLAG(int64_t, max_calls, 2'000'000, "calls per phase at most");
ABSL_FLAG(bool, insecure, true, "measure over loopback plaintext (--insecure servers)");
ABSL_FLAG(bool, tls, false,
          "also measure with TLS and a bearer token on every call (servers and echo "
          "baselines with the development PKI of deploy/local/dev-pki.sh)");
ABSL_FLAG(std::vector<std::string>, scale_missions, std::vector<std::string>({"1000", "10000"}),
          "scale mode: synthetic registry sizes (missions), comma-separated");
ABSL_FLAG(int, scale_repeats, 3, "scale mode: repetitions of each scan and stream (median)");
ABSL_FLAG(bool, keep_scratch, false, "keep the scratch directory (server logs, databases)");
ABSL_FLAG(std::string, serve_echo, "",
          "internal: serve the echo baseline on the `sync` or `callback` API and wait for "
          "SIGTERM (with --echo_tls_dir: TLS with that PKI's registry-server certificate)");
ABSL_FLAG(std::string, echo_tls_dir, "", "internal: the development PKI of --serve_echo");

namespace missions::load {
namespace {

namespace v1 = ::registry::v1;
using testing::ChildProcess;

constexpr char kAddressHost[] = "127.0.0.1";
constexpr char kJwtIssuer[] = "https://auth.missions.local/dev";
constexpr char kJwtAudience[] = "missions-registry";
// Every synchronous call (set-up, sizes, scans) has this deadline.
constexpr absl::Duration kSyncDeadline = absl::Seconds(120);

// ---------------------------------------------------------------------------
// The echo baselines (run in a child process of this binary).

void FillEcho(const bench::EchoRequest& request, bench::EchoResponse* response) {
  if (request.response_size() > 0) {
    response->mutable_payload()->assign(request.response_size(), 'x');
  } else {
    response->set_payload(request.payload());
  }
}

class SyncEcho final : public bench::Echo::Service {
  grpc::Status Echo(grpc::ServerContext*, const bench::EchoRequest* request,
                    bench::EchoResponse* response) override {
    FillEcho(*request, response);
    return grpc::Status::OK;
  }
};

class CallbackEcho final : public bench::Echo::CallbackService {
  // The generated base's synchronous Echo stays (unused) beside this one.
  using bench::Echo::CallbackService::Echo;
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const bench::EchoRequest* request,
                                 bench::EchoResponse* response) override {
    FillEcho(*request, response);
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

// --serve_echo: serves one echo service with the same start-up as the
// registry (RunningServer: health, reflection) until SIGTERM.
int ServeEcho(const std::string& api, const std::string& tls_dir) {
  BlockTerminationSignals();
  SyncEcho sync;
  CallbackEcho callback;
  grpc::Service* service = nullptr;
  if (api == "sync") service = &sync;
  if (api == "callback") service = &callback;
  if (service == nullptr) {
    std::fprintf(stderr, "load-bench: --serve_echo is sync or callback\n");
    return 2;
  }
  std::shared_ptr<grpc::ServerCredentials> credentials;
  if (!tls_dir.empty()) {
    ServerTlsOptions tls;
    tls.cert_path = tls_dir + "/pki/registry-server.pem";
    tls.key_path = tls_dir + "/pki/registry-server-key.pem";
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> made = MakeServerCredentials(tls);
    if (!made.ok()) {
      std::fprintf(stderr, "load-bench: %s\n", made.status().ToString().c_str());
      return 1;
    }
    credentials = *made;
  }
  absl::StatusOr<std::unique_ptr<RunningServer>> server =
      RunningServer::Start(absl::StrCat(kAddressHost, ":0"), {service}, credentials);
  if (!server.ok()) {
    std::fprintf(stderr, "load-bench: %s\n", server.status().ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "echo-server (%s API) listening on %s:%d\n", api.c_str(), kAddressHost,
               (*server)->port());
  WaitForTerminationSignal();
  (*server)->Shutdown(std::chrono::seconds(1));
  return 0;
}

// ---------------------------------------------------------------------------
// Transport security of one measurement.

struct Security {
  bool tls = false;
  std::string pki_dir;        // deploy/local/dev-pki.sh output (tls)
  std::string authorization;         // "Bearer <reader token>" (tls)
  std::string import_authorization;  // "Bearer <admin token>": ImportDataset (tls)
  std::string import_token_file;     // the admin token, for registryctl (tls)

  std::string Name() const { return tls ? "TLS + token" : "insecure"; }

  // registry-server's flags of this mode; the benchmark sets its own rate.
  std::vector<std::string> RegistryFlags() const {
    if (!tls) return {"--insecure", "--rate_limit=0"};
    return {"--tls_cert=" + pki_dir + "/pki/registry-server.pem",
            "--tls_key=" + pki_dir + "/pki/registry-server-key.pem",
            "--jwks=" + pki_dir + "/auth/jwks.json",
            absl::StrCat("--jwt_issuer=", kJwtIssuer),
            absl::StrCat("--jwt_audience=", kJwtAudience), "--rate_limit=0"};
  }

  // registryctl's flags of this mode (the token comes from the
  // environment, see Import2020).
  std::vector<std::string> RegistryctlFlags() const {
    if (!tls) return {"--plaintext"};
    return {"--ca=" + pki_dir + "/pki/ca.pem"};
  }

  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> Credentials() const {
    if (!tls) return grpc::InsecureChannelCredentials();
    ChannelTlsOptions options;
    options.ca_path = pki_dir + "/pki/ca.pem";
    return MakeChannelCredentials(options);
  }

  // A context for one synchronous call, with the reader's token (the
  // admin's to import).
  std::unique_ptr<grpc::ClientContext> Context(bool import = false) const {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(absl::ToChronoTime(absl::Now() + kSyncDeadline));
    const std::string& token = import ? import_authorization : authorization;
    if (!token.empty()) context->AddMetadata("authorization", token);
    return context;
  }
};

// "Bearer " and the token in `path`.
absl::StatusOr<std::string> BearerToken(const std::string& path) {
  ASSIGN_OR_RETURN(std::string token, ReadSecretFile(path, "token"));
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  return "Bearer " + token;
}

// The development PKI in `dir`, and its tokens.
absl::StatusOr<Security> MakeTlsSecurity(const std::string& dir) {
  const testing::CommandResult made = testing::RunCommand(
      {"/bin/bash", absl::GetFlag(FLAGS_source_dir) + "/deploy/local/dev-pki.sh", dir}, dir,
      absl::Seconds(120));
  if (made.exit_code != 0) {
    return absl::InternalError(absl::StrCat("dev-pki.sh failed: ", made.err));
  }
  Security security;
  security.tls = true;
  security.pki_dir = dir;
  ASSIGN_OR_RETURN(security.authorization, BearerToken(dir + "/auth/reader.jwt"));
  ASSIGN_OR_RETURN(security.import_authorization, BearerToken(dir + "/auth/admin.jwt"));
  security.import_token_file = dir + "/auth/admin.jwt";  // ImportDataset needs admin
  return security;
}

// ---------------------------------------------------------------------------
// Servers as child processes.

std::string SelfPath() {
  std::error_code error;
  return std::filesystem::read_symlink("/proc/self/exe", error).string();
}

// One server child process and stubs on N channels to it.
struct Endpoint {
  std::unique_ptr<ChildProcess> process;
  std::string address;
  double startup_seconds = 0;  // from the start to SERVING
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<v1::RegistryApi::Stub>> api;
  std::vector<std::unique_ptr<v1::RegistryService::Stub>> bulk;
  std::vector<std::unique_ptr<bench::Echo::Stub>> echo;
};

// Starts `argv`, waits for its "listening on" line and then for the gRPC
// health check to answer SERVING; opens `channels` channels.
absl::StatusOr<Endpoint> StartServer(const std::vector<std::string>& argv,
                                     const std::string& log_path, const Security& security,
                                     size_t channels) {
  Endpoint endpoint;
  const absl::Time begin = absl::Now();
  ASSIGN_OR_RETURN(endpoint.process, ChildProcess::Start(argv, log_path));
  ASSIGN_OR_RETURN(const int port, endpoint.process->WaitForPort(absl::Seconds(60)));
  endpoint.address = absl::StrCat(kAddressHost, ":", port);
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                            security.Credentials());
  endpoint.channels = MakeChannels(endpoint.address, credentials, std::max<size_t>(channels, 1));
  const absl::Time give_up = begin + absl::Seconds(60);
  absl::StatusOr<ServingStatus> health = absl::UnavailableError("not asked yet");
  while (absl::Now() < give_up) {
    health = CheckHealth(endpoint.channels[0], "", absl::Seconds(2));
    if (health.ok() && *health == ServingStatus::kServing) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!health.ok() || *health != ServingStatus::kServing) {
    return absl::DeadlineExceededError(
        absl::StrCat(argv[0], " not SERVING within 60 s: ", health.status().ToString(), "\n",
                     endpoint.process->StderrText()));
  }
  endpoint.startup_seconds = absl::ToDoubleSeconds(absl::Now() - begin);
  for (const auto& channel : endpoint.channels) {
    endpoint.api.push_back(v1::RegistryApi::NewStub(channel));
    endpoint.bulk.push_back(v1::RegistryService::NewStub(channel));
    endpoint.echo.push_back(bench::Echo::NewStub(channel));
  }
  return endpoint;
}

absl::StatusOr<Endpoint> StartRegistry(const std::string& storage, const Security& security,
                                       const std::string& log_path, size_t channels) {
  std::vector<std::string> argv = {absl::GetFlag(FLAGS_registry_server),
                                   absl::StrCat("--listen=", kAddressHost, ":0"),
                                   absl::StrCat("--metrics_listen=", kAddressHost, ":0"),
                                   "--drain=0s", "--storage=" + storage};
  for (std::string& flag : security.RegistryFlags()) argv.push_back(std::move(flag));
  return StartServer(argv, log_path, security, channels);
}

absl::StatusOr<Endpoint> StartEcho(const std::string& api, const Security& security,
                                   const std::string& log_path, size_t channels) {
  std::vector<std::string> argv = {SelfPath(), "--serve_echo=" + api};
  if (security.tls) argv.push_back("--echo_tls_dir=" + security.pki_dir);
  return StartServer(argv, log_path, security, channels);
}

// `registryctl import FILE` into the registry at `address`.
absl::Status ImportFile(const std::string& file, const std::string& address,
                        const Security& security, const std::string& scratch) {
  std::vector<std::string> argv = {absl::GetFlag(FLAGS_registryctl)};
  for (std::string& flag : security.RegistryctlFlags()) argv.push_back(std::move(flag));
  argv.insert(argv.end(), {"import", file, "--server=" + address, "--timeout=300s"});
  // registryctl reads its token from the environment, never from a flag.
  if (security.tls) setenv("MISSIONS_TOKEN_FILE", security.import_token_file.c_str(), 1);
  const testing::CommandResult result = testing::RunCommand(argv, scratch, absl::Seconds(320));
  if (result.exit_code != 0) {
    return absl::InternalError(absl::StrCat("registryctl import ", file, " failed: ", result.err));
  }
  return absl::OkStatus();
}

// VmRSS and VmHWM of a process, in KiB.
struct Memory {
  int64_t rss_kb = 0;
  int64_t hwm_kb = 0;
};

absl::StatusOr<Memory> ReadMemory(pid_t pid) {
  const std::string status = testing::ReadFileOrEmpty(absl::StrCat("/proc/", pid, "/status"));
  Memory memory;
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    int64_t* field = absl::StartsWith(line, "VmRSS:")   ? &memory.rss_kb
                     : absl::StartsWith(line, "VmHWM:") ? &memory.hwm_kb
                                                        : nullptr;
    if (field == nullptr) continue;
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (words.size() < 2 || !absl::SimpleAtoi(words[1], field)) {
      return absl::InternalError(absl::StrCat("cannot read: ", line));
    }
  }
  if (memory.rss_kb == 0) return absl::NotFoundError(absl::StrCat("no VmRSS for pid ", pid));
  return memory;
}

// Storage for one registry: an SQLite file in `scratch` or a fresh
// database on the shared throwaway PostgreSQL server.
absl::StatusOr<std::string> MakeStorage(const std::string& backend, const std::string& scratch) {
  static int counter = 0;
  if (backend == "sqlite") return absl::StrCat("sqlite:", scratch, "/registry-", ++counter, ".db");
  if (backend == "postgresql") {
    ASSIGN_OR_RETURN(testing::PostgresServer * server, testing::PostgresServer::Shared());
    ASSIGN_OR_RETURN(const std::string database, server->CreateDatabase());
    return server->Uri(database);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown backend '", backend, "' (sqlite or postgresql)"));
}

absl::Status FromGrpc(const grpc::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(what, ": ", status.error_message()));
}

// ---------------------------------------------------------------------------
// The measured methods.

using ApiAsync = v1::RegistryApi::StubInterface::async_interface;
using EchoAsync = bench::Echo::StubInterface::async_interface;

// A CallStarter for the unary `method` of the stubs' callback interface
// (e.g. &ApiAsync::GetMission), always with `request`. `stubs` must
// outlive the calls.
template <typename Async, typename Request, typename Response, typename Stub>
CallStarter Unary(std::vector<std::unique_ptr<Stub>>& stubs, Request request,
                  void (Async::*method)(grpc::ClientContext*, const Request*, Response*,
                                        std::function<void(grpc::Status)>)) {
  auto shared = std::make_shared<const Request>(std::move(request));
  return [&stubs, shared, method](size_t channel, grpc::ClientContext* context, CallDone done) {
    auto response = std::make_shared<Response>();
    Async* async = stubs[channel]->async();
    (async->*method)(context, shared.get(), response.get(),
                     [response, done = std::move(done)](grpc::Status status) { done(status); });
  };
}

// StreamYearDataset on the callback API: reads every message, then ends.
class YearStreamReader final : public grpc::ClientReadReactor<v1::StreamYearDatasetResponse> {
 public:
  YearStreamReader(v1::RegistryService::Stub& stub, grpc::ClientContext* context,
                   const v1::StreamYearDatasetRequest& request, CallDone done)
      : done_(std::move(done)) {
    stub.async()->StreamYearDataset(context, &request, this);
    StartRead(&part_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (ok) StartRead(&part_);
  }
  void OnDone(const grpc::Status& status) override {
    done_(status);
    delete this;
  }

 private:
  CallDone done_;
  v1::StreamYearDatasetResponse part_;
};

// One measured registry method: how to call it, and the size of its
// response (for the stream: of all its messages together), which the echo
// baselines answer with.
struct Method {
  std::string name;
  CallStarter call;
  int64_t response_bytes = 0;
};

// The four methods of the issue on `registry`, each called once
// synchronously first to check it works and to measure its response.
absl::StatusOr<std::vector<Method>> RegistryMethods(Endpoint& registry, const Security& security) {
  std::vector<Method> methods;
  auto& api = registry.api;

  v1::GetMissionRequest get;
  get.set_name("missions/minusma");
  v1::Mission mission;
  RETURN_IF_ERROR(
      FromGrpc(api[0]->GetMission(security.Context().get(), get, &mission), "GetMission"));
  methods.push_back({"GetMission",
                     Unary(api, get, &ApiAsync::GetMission),
                     static_cast<int64_t>(mission.ByteSizeLong())});

  v1::ListMissionsRequest list;
  list.set_page_size(50);
  list.set_filter("active_in(2020)");
  v1::ListMissionsResponse listed;
  RETURN_IF_ERROR(
      FromGrpc(api[0]->ListMissions(security.Context().get(), list, &listed), "ListMissions"));
  if (listed.missions_size() < 20) {
    return absl::FailedPreconditionError(
        absl::StrCat("ListMissions active_in(2020) found ", listed.missions_size(),
                     " missions; the batch needs 20"));
  }
  methods.push_back({"ListMissions page 50",
                     Unary(api, list, &ApiAsync::ListMissions),
                     static_cast<int64_t>(listed.ByteSizeLong())});

  v1::BatchGetMissionsRequest batch;
  for (int i = 0; i < 20; ++i) batch.add_names(listed.missions(i).name());
  v1::BatchGetMissionsResponse batched;
  RETURN_IF_ERROR(FromGrpc(
      api[0]->BatchGetMissions(security.Context().get(), batch, &batched), "BatchGetMissions"));
  methods.push_back({"BatchGetMissions 20",
                     Unary(api, batch, &ApiAsync::BatchGetMissions),
                     static_cast<int64_t>(batched.ByteSizeLong())});

  auto year = std::make_shared<v1::StreamYearDatasetRequest>();
  year->set_year(2020);
  int64_t stream_bytes = 0;
  {
    auto context = security.Context();
    auto reader = registry.bulk[0]->StreamYearDataset(context.get(), *year);
    v1::StreamYearDatasetResponse part;
    for (int messages = 0; messages < 100000 && reader->Read(&part); ++messages) {
      stream_bytes += static_cast<int64_t>(part.ByteSizeLong());
    }
    RETURN_IF_ERROR(FromGrpc(reader->Finish(), "StreamYearDataset"));
  }
  auto& bulk = registry.bulk;
  methods.push_back({"StreamYearDataset 2020",
                     [&bulk, year](size_t c, grpc::ClientContext* context, CallDone done) {
                       new YearStreamReader(*bulk[c], context, *year, std::move(done));
                     },
                     stream_bytes});
  return methods;
}

// The echo call answering `response_bytes` bytes, on `echo`'s channels.
CallStarter EchoCall(Endpoint& echo, int64_t response_bytes) {
  bench::EchoRequest request;
  request.set_response_size(static_cast<uint32_t>(response_bytes));
  return Unary(echo.echo, request, &EchoAsync::Echo);
}

// ---------------------------------------------------------------------------
// The load phases.

PhaseOptions LoadPhaseOptions(const Security& security, absl::Duration duration) {
  PhaseOptions options;
  options.channels = static_cast<size_t>(absl::GetFlag(FLAGS_channels));
  options.outstanding = static_cast<size_t>(absl::GetFlag(FLAGS_outstanding));
  options.duration = duration;
  options.max_calls = absl::GetFlag(FLAGS_max_calls);
  options.authorization = security.authorization;
  return options;
}

// The phases of one target (echo-sync, echo-callback or registry) for one
// method, over the rounds.
struct Series {
  std::vector<double> qps, p50_us, p99_us;
  int64_t calls = 0;
  int64_t errors = 0;
  std::string first_error;

  void Add(const PhaseResult& phase) {
    qps.push_back(phase.qps);
    p50_us.push_back(phase.p50_us);
    p99_us.push_back(phase.p99_us);
    calls += phase.calls;
    errors += phase.errors;
    if (first_error.empty()) first_error = phase.first_error;
  }
  double Qps() const { return Median(qps); }
  double P50() const { return Median(p50_us); }
  double P99() const { return Median(p99_us); }
};

constexpr int kEchoSync = 0, kEchoCallback = 1, kRegistry = 2, kTargets = 3;
constexpr const char* kTargetNames[kTargets] = {"echo sync", "echo callback", "registry"};

struct MethodResult {
  std::string name;
  int64_t response_bytes = 0;
  Series series[kTargets];

  // The echo baseline with the higher median QPS.
  const Series& FasterEcho() const {
    return series[kEchoSync].Qps() > series[kEchoCallback].Qps() ? series[kEchoSync]
                                                                  : series[kEchoCallback];
  }
};

// The load measurement of one backend in one security mode.
struct LoadResult {
  std::string backend;
  std::string security;
  std::vector<MethodResult> methods;
  int64_t errors = 0;
};

absl::StatusOr<LoadResult> RunLoad(const std::string& backend, const Security& security,
                                   const std::string& scratch) {
  const size_t channels = static_cast<size_t>(absl::GetFlag(FLAGS_channels));
  const std::string tag = absl::StrCat(backend, security.tls ? "-tls" : "");
  ASSIGN_OR_RETURN(const std::string storage, MakeStorage(backend, scratch));
  ASSIGN_OR_RETURN(
      Endpoint registry,
      StartRegistry(storage, security, absl::StrCat(scratch, "/registry-", tag, ".log"), channels));
  RETURN_IF_ERROR(
      ImportFile(absl::GetFlag(FLAGS_data_file), registry.address, security, scratch));
  ASSIGN_OR_RETURN(
      Endpoint echo_sync,
      StartEcho("sync", security, absl::StrCat(scratch, "/echo-sync-", tag, ".log"), channels));
  ASSIGN_OR_RETURN(Endpoint echo_callback,
                            StartEcho("callback", security,
                                      absl::StrCat(scratch, "/echo-callback-", tag, ".log"),
                                      channels));
  ASSIGN_OR_RETURN(std::vector<Method> methods, RegistryMethods(registry, security));

  LoadResult result;
  result.backend = backend;
  result.security = security.Name();
  std::vector<std::array<CallStarter, kTargets>> calls;
  for (const Method& method : methods) {
    calls.push_back({EchoCall(echo_sync, method.response_bytes),
                     EchoCall(echo_callback, method.response_bytes), method.call});
    MethodResult& row = result.methods.emplace_back();
    row.name = method.name;
    row.response_bytes = method.response_bytes;
  }
  const absl::Duration phase = absl::Seconds(absl::GetFlag(FLAGS_phase_seconds));
  // A short unrecorded warm-up of every target (connections, caches).
  for (const auto& targets : calls) {
    for (const CallStarter& call : targets) {
      RETURN_IF_ERROR(
          RunClosedLoop(LoadPhaseOptions(security, std::min(phase, absl::Seconds(0.5))), call)
              .status());
    }
  }
  // Rounds: every method, each target in turn, the order of the targets
  // rotated each round so that none always runs first.
  const int rounds = absl::GetFlag(FLAGS_rounds);
  for (int round = 0; round < rounds; ++round) {
    for (size_t m = 0; m < calls.size(); ++m) {
      for (int t = 0; t < kTargets; ++t) {
        const int target = (t + round) % kTargets;
        ASSIGN_OR_RETURN(PhaseResult measured,
                                  RunClosedLoop(LoadPhaseOptions(security, phase), calls[m][target]));
        result.methods[m].series[target].Add(measured);
        result.errors += measured.errors;
      }
    }
    std::fprintf(stderr, "load-bench: %s, %s: round %d of %d done\n", backend.c_str(),
                 security.Name().c_str(), round + 1, rounds);
  }
  return result;
}

// A target line: PASS if `value` is on the right side of `bound`; both in
// `unit` ("x" for ratios, "s" for seconds).
void PrintTarget(const std::string& what, double value, double bound, bool at_least,
                 const char* unit = "x") {
  const bool pass = at_least ? value >= bound : value <= bound;
  const std::string line =
      absl::StrFormat("%s %s %.2f%s", what, at_least ? ">=" : "<=", bound, unit);
  std::printf("  %-78s %7.2f%s  %s\n", line.c_str(), value, unit, pass ? "PASS" : "MISS");
}

double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

void PrintLoad(const LoadResult& result) {
  std::printf("\n== Load: registry-server on %s, %s; %d channels x %d outstanding, "
              "%d round(s) of %.2f s phases; medians\n",
              result.backend.c_str(), result.security.c_str(), absl::GetFlag(FLAGS_channels),
              absl::GetFlag(FLAGS_outstanding), absl::GetFlag(FLAGS_rounds),
              absl::GetFlag(FLAGS_phase_seconds));
  std::printf("%-24s %9s  %-14s %10s %10s %10s %9s %9s %7s\n", "method", "resp_B", "target",
              "QPS", "p50_us", "p99_us", "QPS/echo", "p99/echo", "errors");
  for (const MethodResult& method : result.methods) {
    const Series& faster = method.FasterEcho();
    for (int t = 0; t < kTargets; ++t) {
      const Series& series = method.series[t];
      std::string ratios = "";
      if (t == kRegistry) {
        ratios = absl::StrFormat("%8.2fx %8.2fx", Ratio(series.Qps(), faster.Qps()),
                                 Ratio(series.P99(), faster.P99()));
      }
      std::printf("%-24s %9s  %-14s %10.0f %10.0f %10.0f %19s %7lld\n",
                  t == 0 ? method.name.c_str() : "",
                  t == 0 ? absl::StrCat(method.response_bytes).c_str() : "", kTargetNames[t],
                  series.Qps(), series.P50(), series.P99(), ratios.c_str(),
                  static_cast<long long>(series.errors));
      if (series.errors > 0) std::printf("%26s first error: %s\n", "", series.first_error.c_str());
    }
  }
  std::printf("(ratios: registry / the faster echo baseline; echo answers the method's "
              "response size)\n");
  std::printf("Targets (%s, %s):\n", result.backend.c_str(), result.security.c_str());
  const MethodResult& get = result.methods[0];
  const MethodResult& list = result.methods[1];
  const std::string load = absl::StrCat(absl::GetFlag(FLAGS_channels), "x",
                                        absl::GetFlag(FLAGS_outstanding));
  PrintTarget("GetMission QPS vs callback echo, " + load, Ratio(get.series[kRegistry].Qps(),
                                                             get.series[kEchoCallback].Qps()),
              0.85, true);
  PrintTarget("GetMission p99 vs callback echo's, " + load, Ratio(get.series[kRegistry].P99(),
                                                               get.series[kEchoCallback].P99()),
              1.5, false);
  PrintTarget("ListMissions page 50 QPS vs callback echo of the same size",
              Ratio(list.series[kRegistry].Qps(), list.series[kEchoCallback].Qps()), 0.5, true);
}

// PostgreSQL within 10% of SQLite: QPS of every method.
void PrintBackendComparison(const LoadResult& sqlite, const LoadResult& postgresql) {
  std::printf("\nTargets (%s): PostgreSQL within 10%% of SQLite\n", sqlite.security.c_str());
  for (size_t m = 0; m < sqlite.methods.size() && m < postgresql.methods.size(); ++m) {
    PrintTarget(absl::StrCat(sqlite.methods[m].name, " QPS PostgreSQL / SQLite"),
                Ratio(postgresql.methods[m].series[kRegistry].Qps(),
                      sqlite.methods[m].series[kRegistry].Qps()),
                0.9, true);
  }
}

// ---------------------------------------------------------------------------
// The scale mode.

struct ScaleResult {
  std::string backend;
  int missions = 0;
  int64_t postings = 0;
  int64_t serialized_bytes = 0;  // the whole synthetic registry, protobuf
  double import_seconds = 0;
  double startup_seconds = 0;    // restart on the stored registry, to SERVING
  double scan_missions_seconds = 0;
  double scan_postings_seconds = 0;
  int scan_missions_pages = 0;
  int scan_postings_pages = 0;
  double stream_seconds = 0;
  int64_t stream_bytes = 0;
  Memory before_stream;
  Memory after_stream;
};

// Imports `dataset` through ImportDataset in parts: the first carries
// everything but the missions, each next one up to `chunk` missions
// (registryctl refuses data files above 64 MiB or a million values, which
// 10000 synthetic missions exceed).
absl::Status ImportInChunks(const v1::Dataset& dataset, Endpoint& registry,
                            const Security& security, int chunk) {
  v1::ImportDatasetRequest request;
  *request.mutable_dataset() = dataset;
  request.mutable_dataset()->clear_missions();
  v1::ImportDatasetResponse response;
  RETURN_IF_ERROR(FromGrpc(
      registry.bulk[0]->ImportDataset(security.Context(true).get(), request, &response),
      "ImportDataset (regions, years, pools)"));
  for (int begin = 0; begin < dataset.missions_size(); begin += chunk) {
    v1::ImportDatasetRequest part;
    for (int i = begin; i < std::min(begin + chunk, dataset.missions_size()); ++i) {
      *part.mutable_dataset()->add_missions() = dataset.missions(i);
    }
    RETURN_IF_ERROR(FromGrpc(
        registry.bulk[0]->ImportDataset(security.Context(true).get(), part, &response),
        absl::StrCat("ImportDataset (missions ", begin, "..)")));
  }
  return absl::OkStatus();
}

// Lists everything with the synchronous `method` (e.g.
// &v1::RegistryApi::Stub::ListMissions) by pages of 100, starting from
// `request`; returns the number of pages. Bounded by `max_pages`.
template <typename Request, typename Response>
absl::StatusOr<int> ScanPages(v1::RegistryApi::Stub& api, Request request,
                              grpc::Status (v1::RegistryApi::Stub::*method)(
                                  grpc::ClientContext*, const Request&, Response*),
                              const Security& security, int max_pages) {
  request.set_page_size(100);
  for (int pages = 1; pages <= max_pages; ++pages) {
    Response response;
    RETURN_IF_ERROR(FromGrpc((api.*method)(security.Context().get(), request, &response),
                             Request::descriptor()->name()));
    if (response.next_page_token().empty()) return pages;
    request.set_page_token(response.next_page_token());
  }
  return absl::ResourceExhaustedError(absl::StrCat("more than ", max_pages, " pages"));
}

absl::StatusOr<ScaleResult> RunScale(const std::string& backend, int missions,
                                     const Security& security, const std::string& scratch) {
  ScaleResult result;
  result.backend = backend;
  result.missions = missions;
  report::SyntheticOptions options;
  options.missions = missions;
  const v1::Dataset dataset = report::SyntheticRegistry(options);
  result.serialized_bytes = static_cast<int64_t>(dataset.ByteSizeLong());
  for (const v1::MissionRecord& record : dataset.missions()) result.postings += record.postings_size();

  ASSIGN_OR_RETURN(const std::string storage, MakeStorage(backend, scratch));
  const std::string log = absl::StrCat(scratch, "/registry-scale-", backend, "-", missions);
  {
    ASSIGN_OR_RETURN(Endpoint registry,
                              StartRegistry(storage, security, log + "-import.log", 1));
    const absl::Time begin = absl::Now();
    RETURN_IF_ERROR(ImportInChunks(dataset, registry, security, 500));
    result.import_seconds = absl::ToDoubleSeconds(absl::Now() - begin);
    registry.process->Stop();
  }
  // Start-up on the stored registry, then the scans and the stream.
  ASSIGN_OR_RETURN(Endpoint registry, StartRegistry(storage, security, log + ".log", 1));
  result.startup_seconds = registry.startup_seconds;
  auto& api = *registry.api[0];
  const int max_pages = static_cast<int>(result.postings + missions) / 100 + 10;
  std::vector<double> scan_missions, scan_postings, stream;
  const int repeats = absl::GetFlag(FLAGS_scale_repeats);
  for (int r = 0; r < repeats; ++r) {
    absl::Time begin = absl::Now();
    ASSIGN_OR_RETURN(result.scan_missions_pages,
                     ScanPages(api, v1::ListMissionsRequest(), &v1::RegistryApi::Stub::ListMissions,
                               security, max_pages));
    scan_missions.push_back(absl::ToDoubleSeconds(absl::Now() - begin));
    begin = absl::Now();
    v1::ListPostingsRequest postings;
    postings.set_parent("missions/-");
    ASSIGN_OR_RETURN(result.scan_postings_pages,
                     ScanPages(api, postings, &v1::RegistryApi::Stub::ListPostings, security,
                               max_pages));
    scan_postings.push_back(absl::ToDoubleSeconds(absl::Now() - begin));
  }
  ASSIGN_OR_RETURN(result.before_stream, ReadMemory(registry.process->pid()));
  for (int r = 0; r < repeats; ++r) {
    const absl::Time begin = absl::Now();
    v1::StreamYearDatasetRequest request;
    request.set_year(options.year);
    auto context = security.Context();
    auto reader = registry.bulk[0]->StreamYearDataset(context.get(), request);
    v1::StreamYearDatasetResponse part;
    result.stream_bytes = 0;
    for (int messages = 0; messages < 1'000'000 && reader->Read(&part); ++messages) {
      result.stream_bytes += static_cast<int64_t>(part.ByteSizeLong());
    }
    RETURN_IF_ERROR(FromGrpc(reader->Finish(), "StreamYearDataset"));
    stream.push_back(absl::ToDoubleSeconds(absl::Now() - begin));
  }
  ASSIGN_OR_RETURN(result.after_stream, ReadMemory(registry.process->pid()));
  result.scan_missions_seconds = Median(scan_missions);
  result.scan_postings_seconds = Median(scan_postings);
  result.stream_seconds = Median(stream);
  return result;
}

void PrintScale(const std::vector<ScaleResult>& results) {
  if (results.empty()) return;
  const int repeats = absl::GetFlag(FLAGS_scale_repeats);
  std::printf("\n== Scale: synthetic registries; times are medians of %d\n", repeats);
  std::printf("%-10s %8s %8s %10s %9s %9s %12s %12s %9s %10s %10s %10s %10s\n", "backend",
              "missions", "postings", "records_MB", "import_s", "start_s", "scan_miss_s",
              "scan_post_s", "stream_s", "stream_MB", "RSS_MB", "RSS+str_MB", "HWM_MB");
  for (const ScaleResult& r : results) {
    std::printf("%-10s %8d %8lld %10.1f %9.2f %9.3f %12.3f %12.3f %9.3f %10.1f %10.1f %10.1f %10.1f\n",
                r.backend.c_str(), r.missions, static_cast<long long>(r.postings),
                r.serialized_bytes / 1e6, r.import_seconds, r.startup_seconds,
                r.scan_missions_seconds, r.scan_postings_seconds, r.stream_seconds,
                r.stream_bytes / 1e6, r.before_stream.rss_kb / 1024.0,
                r.after_stream.rss_kb / 1024.0, r.after_stream.hwm_kb / 1024.0);
  }
  std::printf("(scans: pages of 100 through ListMissions and ListPostings missions/-; "
              "RSS before and after the streams, HWM the peak after them)\n");
  // Targets per backend: the largest registry against the smallest.
  std::map<std::string, std::vector<const ScaleResult*>> by_backend;
  for (const ScaleResult& r : results) by_backend[r.backend].push_back(&r);
  for (const auto& [backend, rows] : by_backend) {
    const ScaleResult* small = rows.front();
    const ScaleResult* large = rows.front();
    for (const ScaleResult* r : rows) {
      if (r->missions < small->missions) small = r;
      if (r->missions > large->missions) large = r;
    }
    std::printf("Targets (scale, %s):\n", backend.c_str());
    if (large != small) {
      PrintTarget(absl::StrFormat("full ListPostings scan t(%d postings)/t(%d postings)",
                                  large->postings, small->postings),
                  Ratio(large->scan_postings_seconds, small->scan_postings_seconds), 20, false);
      PrintTarget(absl::StrFormat("full ListMissions scan t(%d)/t(%d missions)", large->missions,
                                  small->missions),
                  Ratio(large->scan_missions_seconds, small->scan_missions_seconds), 20, false);
    }
    const std::string at = absl::StrCat("at ", large->missions, " missions: ");
    PrintTarget(at + "RSS / serialized record size",
                Ratio(large->before_stream.rss_kb * 1024.0, large->serialized_bytes), 2, false);
    PrintTarget(at + "peak RSS while streaming / RSS before",
                Ratio(large->after_stream.hwm_kb, large->before_stream.rss_kb), 1.10, false);
    PrintTarget(at + "start-up to SERVING", large->startup_seconds, 5, false, "s");
  }
}

// ---------------------------------------------------------------------------

absl::Status CheckFlags() {
  const int channels = absl::GetFlag(FLAGS_channels);
  const int outstanding = absl::GetFlag(FLAGS_outstanding);
  const double phase = absl::GetFlag(FLAGS_phase_seconds);
  const int rounds = absl::GetFlag(FLAGS_rounds);
  const std::string mode = absl::GetFlag(FLAGS_mode);
  if (channels < 1 || channels > 64 || outstanding < 1 || outstanding > 256 || phase < 0.05 ||
      phase > 60 || rounds < 1 || rounds > 20 || absl::GetFlag(FLAGS_max_calls) < 1 ||
      absl::GetFlag(FLAGS_scale_repeats) < 1 || absl::GetFlag(FLAGS_scale_repeats) > 20) {
    return absl::InvalidArgumentError(
        "--channels 1 to 64, --outstanding 1 to 256, --phase_seconds 0.05 to 60, --rounds 1 "
        "to 20, --max_calls at least 1, --scale_repeats 1 to 20");
  }
  if (mode != "all" && mode != "load" && mode != "scale") {
    return absl::InvalidArgumentError("--mode is load, scale or all");
  }
  if (!absl::GetFlag(FLAGS_insecure) && !absl::GetFlag(FLAGS_tls)) {
    return absl::InvalidArgumentError("--noinsecure needs --tls: nothing to measure");
  }
  for (const std::string& size : absl::GetFlag(FLAGS_scale_missions)) {
    int missions = 0;
    if (!absl::SimpleAtoi(size, &missions) || missions < 1 || missions > 100000) {
      return absl::InvalidArgumentError("--scale_missions: numbers of missions, 1 to 100000");
    }
  }
  return absl::OkStatus();
}

// Runs what the flags select; returns the first error, or the number of
// failed calls.
absl::StatusOr<int64_t> Run(const std::string& scratch) {
  RETURN_IF_ERROR(CheckFlags());
  std::vector<Security> modes;
  if (absl::GetFlag(FLAGS_insecure)) modes.push_back(Security{});
  if (absl::GetFlag(FLAGS_tls)) {
    const std::string pki = scratch + "/pki";
    std::filesystem::create_directories(pki);
    ASSIGN_OR_RETURN(Security tls, MakeTlsSecurity(pki));
    modes.push_back(std::move(tls));
  }
  const std::vector<std::string> backends = absl::GetFlag(FLAGS_backends);
  const std::string mode = absl::GetFlag(FLAGS_mode);
  int64_t errors = 0;
  std::printf("load-bench: registry-server %s\n", absl::GetFlag(FLAGS_registry_server).c_str());
  if (mode != "scale") {
    for (const Security& security : modes) {
      std::map<std::string, LoadResult> results;
      for (const std::string& backend : backends) {
        ASSIGN_OR_RETURN(LoadResult result, RunLoad(backend, security, scratch));
        PrintLoad(result);
        std::fflush(stdout);
        errors += result.errors;
        results[backend] = std::move(result);
      }
      if (results.count("sqlite") > 0 && results.count("postgresql") > 0) {
        PrintBackendComparison(results["sqlite"], results["postgresql"]);
        std::fflush(stdout);
      }
    }
  }
  if (mode != "load") {
    std::vector<ScaleResult> results;
    for (const std::string& backend : backends) {
      for (const std::string& size : absl::GetFlag(FLAGS_scale_missions)) {
        int missions = 0;
        (void)absl::SimpleAtoi(size, &missions);
        std::fprintf(stderr, "load-bench: scale, %s, %d missions\n", backend.c_str(), missions);
        ASSIGN_OR_RETURN(ScaleResult result,
                                  RunScale(backend, missions, modes.front(), scratch));
        results.push_back(std::move(result));
      }
    }
    PrintScale(results);
  }
  return errors;
}

}  // namespace
}  // namespace missions::load

int main(int argc, char** argv) {
  missions::ParseCommandLine(
      argc, argv,
      "Closed-loop load benchmark of the real registry-server against bare gRPC echo "
      "servers (sync and callback API) in the same run, on SQLite and PostgreSQL, over "
      "127.0.0.1 only; and a scale mode on synthetic registries.\n"
      "Usage: load-bench [--mode=all|load|scale] [--backends=sqlite,postgresql] "
      "[--channels=8] [--outstanding=16] [--phase_seconds=3] [--rounds=3] [--tls] "
      "[--scale_missions=1000,10000] [--registry_server=PATH]\n"
      "Prints medians of QPS, p50 and p99, ratios to the echo baselines and the targets of "
      "issue 9 with PASS or MISS (a MISS is a measurement, not a failure).\n"
      "Exit status: 0 measured, 1 a server or call failed, 2 wrong usage.");
  if (!absl::GetFlag(FLAGS_serve_echo).empty()) {
    return missions::load::ServeEcho(absl::GetFlag(FLAGS_serve_echo),
                                      absl::GetFlag(FLAGS_echo_tls_dir));
  }
  const std::string scratch = missions::testing::MakeTempDir();
  if (scratch.empty()) {
    std::fprintf(stderr, "load-bench: cannot create a scratch directory\n");
    return 1;
  }
  absl::StatusOr<int64_t> errors = missions::load::Run(scratch);
  if (!absl::GetFlag(FLAGS_keep_scratch)) {
    std::error_code ignored;
    std::filesystem::remove_all(scratch, ignored);
  } else {
    std::printf("scratch directory (logs, databases): %s\n", scratch.c_str());
  }
  if (!errors.ok()) {
    std::fprintf(stderr, "load-bench: %s\n", errors.status().ToString().c_str());
    return errors.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  if (*errors > 0) {
    std::fprintf(stderr, "load-bench: %lld calls failed\n", static_cast<long long>(*errors));
    return 1;
  }
  return 0;
}
