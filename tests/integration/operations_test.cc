// What operators rely on, through the real binaries on loopback: one JSON
// log line per call in both servers carrying one trace id from reportctl
// through report-server to the registry; the Prometheus endpoints (checked
// with promtool); the drain on SIGTERM (NOT_SERVING first, every call in
// flight and new ones still served, exit 0 within drain + grace); health
// per service name; report-server's health following the registry's and
// its reconnecting within about a second of the registry coming back;
// the caller's deadline and cancellation passed on to the registry (a fake
// registry that never answers) with --registry_timeout as the upper bound;
// `reportctl generate --format=all --language=all` building every document
// from one registry revision while a writer keeps committing; --help and
// --version.
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "grpc_probe/health_probe.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "registry/v1/registry_api.grpc.pb.h"
#include "registry/v1/registry_service.grpc.pb.h"
#include "report/v1/report_service.grpc.pb.h"
#include "tests/integration/child_process.h"

namespace missions {
namespace {

using ::grpc::health::v1::HealthCheckResponse;
using testing::ChildProcess;
using testing::CommandResult;
using testing::MakeTempDir;
using testing::ReadFileOrEmpty;
using testing::RunCommand;

const std::string kRegistryServer = REGISTRY_SERVER_BIN;
const std::string kReportServer = REPORT_SERVER_BIN;
const std::string kRegistryctl = REGISTRYCTL_BIN;
const std::string kReportctl = REPORTCTL_BIN;
const std::string kDataFile = DATA_FILE;
const std::string kPdftotext = PDFTOTEXT_BIN;

std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout = absl::Seconds(30)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

// "http://127.0.0.1:PORT" from a server's "listening on" line.
std::string MetricsUrl(const std::string& listening_line) {
  const size_t at = listening_line.find("metrics on http://");
  if (at == std::string::npos) return "";
  const size_t start = at + std::string("metrics on ").size();
  const size_t end = listening_line.find("/metrics", start);
  return listening_line.substr(start, end - start);
}

// A started server: its process, address, metrics URL and a channel.
struct Server {
  std::unique_ptr<ChildProcess> process;
  std::string address;
  std::string metrics_url;
  std::shared_ptr<grpc::Channel> channel;
  std::string log_path;
};

Server StartServer(std::vector<std::string> argv, const std::string& log_path) {
  Server server;
  server.log_path = log_path;
  auto process = ChildProcess::Start(argv, log_path);
  EXPECT_TRUE(process.ok()) << process.status();
  if (!process.ok()) return server;
  server.process = std::move(*process);
  absl::StatusOr<std::string> line =
      server.process->WaitForLine("listening on ", absl::Seconds(20));
  EXPECT_TRUE(line.ok()) << line.status();
  if (!line.ok()) return server;
  absl::StatusOr<int> port = server.process->WaitForPort();
  EXPECT_TRUE(port.ok()) << port.status();
  if (!port.ok()) return server;
  server.address = absl::StrCat("127.0.0.1:", *port);
  server.metrics_url = MetricsUrl(*line);
  server.channel = grpc::CreateChannel(server.address, grpc::InsecureChannelCredentials());
  return server;
}

std::vector<std::string> RegistryArgs(const std::string& dir, const std::string& listen,
                                      const std::string& drain = "0s") {
  return {kRegistryServer,
          "--insecure",
          "--listen=" + listen,
          "--metrics_listen=127.0.0.1:0",
          "--drain=" + drain,
          absl::StrCat("--storage=sqlite:", dir, "/registry.db")};
}

std::vector<std::string> ReportArgs(const std::string& registry, const std::string& drain) {
  return {kReportServer,        "--insecure",
          "--registry_plaintext", "--listen=127.0.0.1:0",
          "--metrics_listen=127.0.0.1:0", "--drain=" + drain,
          "--shutdown_grace=10s", "--registry=" + registry};
}

// The health status of `service` ("" overall); SERVICE_UNKNOWN if the
// check itself failed.
HealthCheckResponse::ServingStatus Health(const std::shared_ptr<grpc::Channel>& channel,
                                          const std::string& service = "") {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  if (!stub->Check(Context(absl::Seconds(2)).get(), request, &response).ok()) {
    return HealthCheckResponse::SERVICE_UNKNOWN;
  }
  return response.status();
}

bool WaitForHealth(const std::shared_ptr<grpc::Channel>& channel,
                   HealthCheckResponse::ServingStatus want, absl::Duration timeout,
                   const std::string& service = "") {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (Health(channel, service) == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

grpc::Status Generate(const std::shared_ptr<grpc::Channel>& channel,
                      ::report::v1::ReportFormat format,
                      absl::Duration timeout = absl::Seconds(60)) {
  auto stub = ::report::v1::ReportService::NewStub(channel);
  ::report::v1::GenerateReportRequest request;
  request.set_year(2020);
  request.set_format(format);
  ::report::v1::GenerateReportResponse response;
  return stub->GenerateReport(Context(timeout).get(), request, &response);
}

// The lines of `text` that contain all of `needles`.
std::vector<std::string> LinesWith(absl::string_view text,
                                   const std::vector<std::string>& needles) {
  std::vector<std::string> found;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    bool all = !line.empty();
    for (const std::string& needle : needles) all = all && absl::StrContains(line, needle);
    if (all) found.emplace_back(line);
  }
  return found;
}

// The log lines of a server (one JSON object per line) that contain all
// of `needles`.
std::vector<std::string> LogLines(const std::string& path,
                                  const std::vector<std::string>& needles) {
  return LinesWith(ReadFileOrEmpty(path), needles);
}

// The value of the sample `series` (exact name and labels as exposed),
// or -1 if absent.
double Sample(const std::string& exposition, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (absl::StartsWith(line, series + " ")) {
      double value = -1;
      if (absl::SimpleAtod(line.substr(series.size() + 1), &value)) return value;
    }
  }
  return -1;
}

// A registry with the 2020 data and a report-server in front of it.
class OperationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir();
    registry_ = StartServer(RegistryArgs(dir_, "127.0.0.1:0"), dir_ + "/registry.log");
    ASSERT_NE(registry_.channel, nullptr);
    const CommandResult imported = RunCommand(
        {kRegistryctl, "--plaintext", "import", kDataFile, "--server=" + registry_.address},
        dir_);
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }

  void StartReport(const std::string& drain = "0s") {
    report_ = StartServer(ReportArgs(registry_.address, drain), dir_ + "/report.log");
    ASSERT_NE(report_.channel, nullptr);
    ASSERT_TRUE(WaitForHealth(report_.channel, HealthCheckResponse::SERVING, absl::Seconds(5)))
        << report_.process->StderrText();
  }

  std::string dir_;
  Server registry_;
  Server report_;
};

TEST_F(OperationsTest, OneTraceIdFromReportctlThroughBothServersLogs) {
  StartReport();
  const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  setenv("TRACEPARENT", absl::StrCat("00-", trace_id, "-00f067aa0ba902b7-01").c_str(), 1);
  const CommandResult generated =
      RunCommand({kReportctl, "--plaintext", "generate", "--year=2020", "--format=markdown",
                  "--language=nl", "--output=" + dir_ + "/report.md",
                  "--server=" + report_.address},
                 dir_);
  unsetenv("TRACEPARENT");
  ASSERT_EQ(generated.exit_code, 0) << generated.err;

  const std::string traced = absl::StrCat("\"trace_id\":\"", trace_id, "\"");
  const std::vector<std::string> report_lines = LogLines(
      report_.log_path, {"\"rpc\":\"/report.v1.ReportService/StreamReport\"", traced});
  ASSERT_EQ(report_lines.size(), 1u) << ReadFileOrEmpty(report_.log_path);
  const std::vector<std::string> registry_lines = LogLines(
      registry_.log_path, {"\"rpc\":\"/registry.v1.RegistryService/StreamYearDataset\"", traced});
  ASSERT_EQ(registry_lines.size(), 1u) << ReadFileOrEmpty(registry_.log_path);
  std::printf("report-server: %s\nregistry-server: %s\n", report_lines[0].c_str(),
              registry_lines[0].c_str());
  for (const std::string& line : {report_lines[0], registry_lines[0]}) {
    EXPECT_TRUE(absl::StartsWith(line, "{\"time\":\"20")) << line;
    EXPECT_TRUE(absl::EndsWith(line, "}")) << line;
    for (const char* field : {"\"level\":\"info\"", "\"code\":\"OK\"", "\"latency_ms\":",
                              "\"peer\":\"ipv4:127.0.0.1:", "\"principal\":\"anonymous\"",
                              "\"revision\":\""}) {
      EXPECT_TRUE(absl::StrContains(line, field)) << field << " missing in " << line;
    }
  }
  EXPECT_TRUE(absl::StrContains(report_lines[0], "\"format\":\"REPORT_FORMAT_MARKDOWN\""));
  EXPECT_TRUE(absl::StrContains(registry_lines[0], "\"service\":\"registry-server\""));

  // A call without traceparent gets a trace of its own, still logged.
  ASSERT_TRUE(Generate(report_.channel, ::report::v1::REPORT_FORMAT_ANNEX1_CSV).ok());
  const std::vector<std::string> untraced = LogLines(
      report_.log_path, {"\"rpc\":\"/report.v1.ReportService/GenerateReport\"", "\"trace_id\":\""});
  ASSERT_EQ(untraced.size(), 1u);
  EXPECT_FALSE(absl::StrContains(untraced[0], trace_id));
}

TEST_F(OperationsTest, MetricsEndpointsPassPromtoolAndCountTheCalls) {
  StartReport();
  ASSERT_TRUE(Generate(report_.channel, ::report::v1::REPORT_FORMAT_MARKDOWN).ok());
  ASSERT_FALSE(registry_.metrics_url.empty()) << registry_.process->StderrText();
  ASSERT_FALSE(report_.metrics_url.empty()) << report_.process->StderrText();
  for (const Server* server : {&registry_, &report_}) {
    const std::string file = dir_ + "/metrics-" + std::to_string(server->process->pid());
    const CommandResult fetched =
        RunCommand({"/usr/bin/curl", "-fsS", "--max-time", "5", "-o", file,
                    server->metrics_url + "/metrics"},
                   dir_);
    ASSERT_EQ(fetched.exit_code, 0) << fetched.err;
    const CommandResult checked =
        RunCommand({"/bin/sh", "-c", "promtool check metrics < " + file}, dir_);
    EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
    const std::string text = ReadFileOrEmpty(file);
    EXPECT_TRUE(absl::StrContains(text, "build_info{version=\"")) << text;
    if (server == &registry_) {
      EXPECT_EQ(Sample(text, "grpc_server_handled_total{grpc_service=\"registry.v1.RegistryService\","
                             "grpc_method=\"StreamYearDataset\",grpc_type=\"server_stream\","
                             "grpc_code=\"OK\"}"),
                1)
          << text;
      EXPECT_EQ(Sample(text, "grpc_server_handled_total{grpc_service=\"registry.v1.RegistryService\","
                             "grpc_method=\"ImportDataset\",grpc_type=\"unary\",grpc_code=\"OK\"}"),
                1);
      EXPECT_EQ(Sample(text, "registry_revision"), 1) << text;
      EXPECT_EQ(Sample(text, "registry_commits_total{outcome=\"ok\"}"), 1) << text;
      EXPECT_EQ(Sample(text, "registry_storage_up"), 1) << text;
      EXPECT_GT(Sample(text, "registry_storage_operation_seconds_count{operation=\"commit\","
                             "outcome=\"ok\"}"),
                0);
    } else {
      EXPECT_EQ(Sample(text, "grpc_server_handled_total{grpc_service=\"report.v1.ReportService\","
                             "grpc_method=\"GenerateReport\",grpc_type=\"unary\",grpc_code=\"OK\"}"),
                1)
          << text;
      EXPECT_EQ(Sample(text, "report_generation_seconds_count{format=\"REPORT_FORMAT_MARKDOWN\","
                             "outcome=\"ok\"}"),
                1)
          << text;
      EXPECT_EQ(Sample(text, "report_registry_calls_total{method=\"StreamYearDataset\","
                             "code=\"OK\"}"),
                1)
          << text;
      EXPECT_EQ(Sample(text, "report_registry_up"), 1) << text;
    }
  }
}

TEST_F(OperationsTest, SigtermDrainsWithoutCancellingCallsAndExitsZero) {
  StartReport("2s");
  for (const char* service : {"", "report.v1.ReportService"}) {
    EXPECT_EQ(Health(report_.channel, service), HealthCheckResponse::SERVING) << service;
  }
  EXPECT_EQ(Health(registry_.channel, "registry.v1.RegistryApi"), HealthCheckResponse::SERVING);
  EXPECT_EQ(Health(registry_.channel, "registry.v1.RegistryService"),
            HealthCheckResponse::SERVING);

  // Calls in flight when SIGTERM arrives: PDFs take a while to typeset.
  constexpr int kInFlight = 8;
  std::vector<grpc::StatusCode> codes(kInFlight, grpc::StatusCode::UNKNOWN);
  std::atomic<int> started{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < kInFlight; ++i) {
    callers.emplace_back([&, i] {
      ++started;
      codes[i] = Generate(report_.channel, ::report::v1::REPORT_FORMAT_PDF).error_code();
    });
  }
  while (started.load() < kInFlight) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const absl::Time sigterm = absl::Now();
  ASSERT_EQ(kill(report_.process->pid(), SIGTERM), 0);

  // The health check turns first, for the overall and the service name...
  EXPECT_TRUE(WaitForHealth(report_.channel, HealthCheckResponse::NOT_SERVING,
                            absl::Milliseconds(1500)));
  EXPECT_EQ(Health(report_.channel, "report.v1.ReportService"),
            HealthCheckResponse::NOT_SERVING);
  // ...while calls are still served, new ones too.
  const grpc::Status during = Generate(report_.channel, ::report::v1::REPORT_FORMAT_MARKDOWN);
  EXPECT_TRUE(during.ok()) << during.error_message();
  EXPECT_LT(absl::Now() - sigterm, absl::Seconds(2)) << "the drain check came too late";

  for (std::thread& caller : callers) caller.join();
  for (int i = 0; i < kInFlight; ++i) {
    EXPECT_EQ(codes[i], grpc::StatusCode::OK) << "call " << i << " was not served";
  }
  // Stop() sends another SIGTERM (ignored while draining) and waits up to
  // 5 s for the exit.
  const int exit_code = report_.process->Stop();
  const absl::Duration took = absl::Now() - sigterm;
  EXPECT_EQ(exit_code, 0) << report_.process->StderrText();
  EXPECT_GE(took, absl::Seconds(2)) << "it did not wait out the drain";
  EXPECT_LT(took, absl::Seconds(7));
  std::printf("report-server stopped %.2f s after SIGTERM with --drain=2s\n",
              absl::ToDoubleSeconds(took));
  const std::string log = ReadFileOrEmpty(report_.log_path);
  for (const char* event : {"\"event\":\"drain\"", "\"event\":\"shutdown\"",
                            "\"event\":\"stopped\""}) {
    EXPECT_TRUE(absl::StrContains(log, event)) << event << " missing in\n" << log;
  }
}

TEST_F(OperationsTest, RegistryDrainKeepsServingThenExitsZero) {
  std::vector<std::string> args = RegistryArgs(dir_, "127.0.0.1:0", "1s");
  args.push_back("--health_listen=127.0.0.1:0");
  Server drained = StartServer(args, dir_ + "/drained.log");
  ASSERT_NE(drained.channel, nullptr);
  ASSERT_EQ(Health(drained.channel), HealthCheckResponse::SERVING);
  // The health-only plaintext listener (for Kubernetes' gRPC probes)
  // answers the same, and nothing else.
  absl::StatusOr<std::string> line = drained.process->WaitForLine("health on port ",
                                                                  absl::Seconds(1));
  ASSERT_TRUE(line.ok()) << line.status();
  int health_port = 0;
  ASSERT_TRUE(absl::SimpleAtoi(
      line->substr(line->find("health on port ") + 15,
                   line->find_first_not_of("0123456789", line->find("health on port ") + 15) -
                       (line->find("health on port ") + 15)),
      &health_port))
      << *line;
  auto probe = grpc::CreateChannel(absl::StrCat("127.0.0.1:", health_port),
                                   grpc::InsecureChannelCredentials());
  EXPECT_EQ(Health(probe, "registry.v1.RegistryApi"), HealthCheckResponse::SERVING);
  {
    ::registry::v1::ListMissionsRequest request;
    ::registry::v1::ListMissionsResponse response;
    EXPECT_EQ(::registry::v1::RegistryApi::NewStub(probe)
                  ->ListMissions(Context().get(), request, &response)
                  .error_code(),
              grpc::StatusCode::UNIMPLEMENTED);
  }
  const absl::Time sigterm = absl::Now();
  ASSERT_EQ(kill(drained.process->pid(), SIGTERM), 0);
  EXPECT_TRUE(WaitForHealth(drained.channel, HealthCheckResponse::NOT_SERVING,
                            absl::Milliseconds(800)));
  EXPECT_EQ(Health(drained.channel, "registry.v1.RegistryApi"), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Health(probe, "registry.v1.RegistryApi"), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Health(probe), HealthCheckResponse::NOT_SERVING);
  auto api = ::registry::v1::RegistryApi::NewStub(drained.channel);
  ::registry::v1::ListMissionsRequest request;
  request.set_page_size(50);
  ::registry::v1::ListMissionsResponse response;
  const grpc::Status listed = api->ListMissions(Context().get(), request, &response);
  EXPECT_TRUE(listed.ok()) << listed.error_message();
  EXPECT_GT(response.missions_size(), 0);
  EXPECT_LT(absl::Now() - sigterm, absl::Seconds(1)) << "the drain check came too late";
  EXPECT_EQ(drained.process->Stop(), 0) << drained.process->StderrText();
  EXPECT_LT(absl::Now() - sigterm, absl::Seconds(4));
}

TEST_F(OperationsTest, ReportServerFollowsTheRegistryAndReconnectsWithinASecond) {
  StartReport();
  ASSERT_TRUE(Generate(report_.channel, ::report::v1::REPORT_FORMAT_MARKDOWN).ok());
  const std::string registry_address = registry_.address;

  // The registry goes away: report-server says so on its health check.
  ASSERT_EQ(registry_.process->Stop(), 0);
  EXPECT_TRUE(WaitForHealth(report_.channel, HealthCheckResponse::NOT_SERVING, absl::Seconds(5)));
  EXPECT_EQ(Health(report_.channel, "report.v1.ReportService"), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Generate(report_.channel, ::report::v1::REPORT_FORMAT_MARKDOWN).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // Long enough for gRPC's default backoff to have grown past 10 s.
  std::this_thread::sleep_for(std::chrono::seconds(4));

  // It comes back on the same address.
  Server again = StartServer(RegistryArgs(dir_, registry_address), dir_ + "/registry-again.log");
  ASSERT_NE(again.channel, nullptr);
  const absl::Time back = absl::Now();
  absl::Duration first_report = absl::InfiniteDuration();
  while (absl::Now() - back < absl::Seconds(10)) {
    if (Generate(report_.channel, ::report::v1::REPORT_FORMAT_MARKDOWN, absl::Seconds(5)).ok()) {
      first_report = absl::Now() - back;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::printf("first report %.3f s after the registry was back\n",
              absl::ToDoubleSeconds(first_report));
  // Reconnect backoff at most 0.5 s (+ 20% jitter), plus the call.
  EXPECT_LT(first_report, absl::Milliseconds(1500));
  EXPECT_TRUE(WaitForHealth(report_.channel, HealthCheckResponse::SERVING, absl::Seconds(3)));
  registry_ = std::move(again);
}

// Every number that follows `marker` in `text` ("revisie " in "Opgesteld uit
// revisie 12 van ..."), as written.
std::set<std::string> NumbersAfter(absl::string_view text, absl::string_view marker) {
  std::set<std::string> numbers;
  for (size_t at = text.find(marker); at != absl::string_view::npos;
       at = text.find(marker, at + 1)) {
    const size_t start = at + marker.size();
    size_t end = start;
    while (end < text.size() && absl::ascii_isdigit(text[end])) ++end;
    if (end > start) numbers.emplace(text.substr(start, end - start));
  }
  return numbers;
}

// A registry whose StreamYearDataset never answers: it holds each call
// until the call ends (cancelled by its caller or past its deadline), for
// at most a minute, and notes what it saw.
class StallingRegistry final : public ::registry::v1::RegistryService::Service {
 public:
  struct Call {
    std::string traceparent;
    absl::Duration deadline_after;  // the call's deadline, from its start
    absl::Duration ended_after = absl::InfiniteDuration();  // when it ended
    bool cancelled = false;  // whether it ended by cancellation or deadline
  };

  grpc::Status StreamYearDataset(
      grpc::ServerContext* context, const ::registry::v1::StreamYearDatasetRequest*,
      grpc::ServerWriter<::registry::v1::StreamYearDatasetResponse>*) override {
    const absl::Time start = absl::Now();
    Call call;
    const auto traceparent = context->client_metadata().find("traceparent");
    if (traceparent != context->client_metadata().end()) {
      call.traceparent = std::string(traceparent->second.data(), traceparent->second.size());
    }
    call.deadline_after = absl::FromChrono(context->deadline()) - start;
    {
      absl::MutexLock lock(&mu_);
      started_ = true;
    }
    while (!context->IsCancelled() && absl::Now() - start < absl::Minutes(1)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    call.ended_after = absl::Now() - start;
    call.cancelled = context->IsCancelled();
    absl::MutexLock lock(&mu_);
    ended_ = call;
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "stalled on purpose");
  }

  // Waits until a call has arrived; false after `timeout`.
  bool WaitForStart(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&started_), timeout);
  }

  // Waits until a call has ended; nullopt after `timeout`.
  std::optional<Call> WaitForEnd(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    const auto ended = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return ended_.has_value(); };
    mu_.AwaitWithTimeout(absl::Condition(&ended), timeout);
    return ended_;
  }

 private:
  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<Call> ended_ ABSL_GUARDED_BY(mu_);
};

// A StallingRegistry on a free loopback port (with the health service
// report-server probes) and a real report-server in front of it.
class StallingRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir();
    grpc::EnableDefaultHealthCheckService(true);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&registry_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port, 0);
    registry_address_ = absl::StrCat("127.0.0.1:", port);
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
  }

  void StartReport(const std::string& registry_timeout) {
    std::vector<std::string> args = ReportArgs(registry_address_, "0s");
    args.push_back("--registry_timeout=" + registry_timeout);
    report_ = StartServer(args, dir_ + "/report.log");
    ASSERT_NE(report_.channel, nullptr);
    ASSERT_TRUE(WaitForHealth(report_.channel, HealthCheckResponse::SERVING, absl::Seconds(5)))
        << report_.process->StderrText();
  }

  // A GenerateReport call of report-server in `context` (which sets its
  // deadline, and may be cancelled from another thread); returns its status
  // and sets `took`.
  grpc::Status GenerateWithin(grpc::ClientContext& context, absl::Duration* took) {
    auto stub = ::report::v1::ReportService::NewStub(report_.channel);
    ::report::v1::GenerateReportRequest request;
    request.set_year(2020);
    request.set_format(::report::v1::REPORT_FORMAT_MARKDOWN);
    ::report::v1::GenerateReportResponse response;
    const absl::Time start = absl::Now();
    const grpc::Status status = stub->GenerateReport(&context, request, &response);
    *took = absl::Now() - start;
    return status;
  }

  std::string dir_;
  StallingRegistry registry_;
  std::unique_ptr<grpc::Server> server_;
  std::string registry_address_;
  Server report_;
};

TEST_F(StallingRegistryTest, TheCallersDeadlineBoundsTheRegistryCall) {
  StartReport("30s");
  const std::string trace_id = "0af7651916cd43dd8448eb211c80319c";
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
  context.AddMetadata("traceparent", absl::StrCat("00-", trace_id, "-b7ad6b7169203331-01"));
  absl::Duration took;
  const grpc::Status status = GenerateWithin(context, &took);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();
  const std::optional<StallingRegistry::Call> call = registry_.WaitForEnd(absl::Seconds(45));
  ASSERT_TRUE(call.has_value()) << "the registry call did not end within 45 s";
  std::printf("caller: code %d after %.2f s; registry call: deadline %.2f s, ended after %.2f s\n",
              static_cast<int>(status.error_code()), absl::ToDoubleSeconds(took), absl::ToDoubleSeconds(call->deadline_after),
              absl::ToDoubleSeconds(call->ended_after));
  // About the caller's 2 s, well under --registry_timeout's 30 s.
  EXPECT_LT(took, absl::Seconds(15));
  EXPECT_LT(call->deadline_after, absl::Milliseconds(2500));
  EXPECT_LT(call->ended_after, absl::Seconds(15));
  EXPECT_TRUE(call->cancelled);
  // The trace still reaches the registry.
  EXPECT_TRUE(absl::StrContains(call->traceparent, trace_id)) << call->traceparent;
}

TEST_F(StallingRegistryTest, TheCallersCancellationReachesTheRegistry) {
  StartReport("30s");
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  absl::Duration took;
  grpc::Status status;
  std::thread caller([&] { status = GenerateWithin(context, &took); });
  const bool started = registry_.WaitForStart(absl::Seconds(20));
  const absl::Time cancelled = absl::Now();
  context.TryCancel();
  caller.join();
  ASSERT_TRUE(started) << "the registry call never arrived";
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED) << status.error_message();
  const std::optional<StallingRegistry::Call> call = registry_.WaitForEnd(absl::Seconds(45));
  ASSERT_TRUE(call.has_value()) << "the registry call did not end within 45 s";
  const absl::Duration seen_after = absl::Now() - cancelled;
  std::printf("registry call ended %.2f s after its start, %.2f s after the caller cancelled\n",
              absl::ToDoubleSeconds(call->ended_after), absl::ToDoubleSeconds(seen_after));
  EXPECT_TRUE(call->cancelled);
  EXPECT_LT(call->ended_after, absl::Seconds(15)) << "not cancelled with its caller";
}

TEST_F(StallingRegistryTest, RegistryTimeoutStaysTheUpperBound) {
  StartReport("2s");
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  absl::Duration took;
  const grpc::Status status = GenerateWithin(context, &took);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();
  EXPECT_LT(took, absl::Seconds(30));
  const std::optional<StallingRegistry::Call> call = registry_.WaitForEnd(absl::Seconds(45));
  ASSERT_TRUE(call.has_value());
  EXPECT_LT(call->deadline_after, absl::Milliseconds(2500));
  std::printf("caller with 60 s, --registry_timeout=2s: answered after %.2f s\n",
              absl::ToDoubleSeconds(took));
}

TEST_F(OperationsTest, GenerateAllBuildsEveryDocumentFromOneRevisionWhileSomeoneWrites) {
  StartReport();
  // The writer changes EULEX's location, which annex 1 and the text print
  // ("EULEX (Kosovo 17)"): each write is one committed revision.
  std::atomic<bool> generating{false};
  std::atomic<bool> stop{false};
  std::atomic<int> writes{0};
  std::atomic<int> writes_while_generating{0};
  std::atomic<int> failed_writes{0};
  const std::string out = dir_ + "/out";
  ASSERT_EQ(mkdir(out.c_str(), 0755), 0);
  std::thread writer([&] {
    auto api = ::registry::v1::RegistryApi::NewStub(registry_.channel);
    const absl::Time until = absl::Now() + absl::Seconds(100);
    for (int i = 1; i <= 5000 && !stop.load() && absl::Now() < until; ++i) {
      ::registry::v1::UpdateMissionRequest request;
      ::registry::v1::Mission* mission = request.mutable_mission();
      mission->set_name("missions/eulex-kosovo");
      (*mission->mutable_location())["nl"] = absl::StrCat("Kosovo ", i);
      (*mission->mutable_location())["en"] = absl::StrCat("Kosovo ", i);
      request.mutable_update_mask()->add_paths("location");
      ::registry::v1::Mission updated;
      const bool during = generating.load();
      if (api->UpdateMission(Context(absl::Seconds(10)).get(), request, &updated).ok()) {
        ++writes;
        if (during && generating.load()) ++writes_while_generating;
      } else {
        ++failed_writes;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(15));
    }
  });
  for (int i = 0; i < 1000 && writes.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  generating = true;
  const CommandResult generated =
      RunCommand({kReportctl, "--plaintext", "generate", "--year=2020", "--format=all",
                  "--language=all", "--output=" + out, "--server=" + report_.address},
                 dir_, absl::Seconds(90));
  generating = false;
  stop = true;
  writer.join();
  ASSERT_EQ(generated.exit_code, 0) << generated.err;
  EXPECT_EQ(failed_writes.load(), 0);
  // The writer committed revisions while the documents were built, so
  // separate reads would have seen different ones.
  std::printf("%d writes, %d while reportctl ran\n", writes.load(),
              writes_while_generating.load());
  ASSERT_GE(writes_while_generating.load(), 2);

  // The revision of each of the 12 documents, as reportctl reports it
  // (from the server's ReportDocumentInfo)...
  const std::vector<std::string> wrote =
      LinesWith(generated.err, {"reportctl: wrote ", "registry revision "});
  ASSERT_EQ(wrote.size(), 12u) << generated.err;
  std::set<std::string> revisions;
  for (const std::string& line : wrote) {
    const std::set<std::string> in_line = NumbersAfter(line, "registry revision ");
    revisions.insert(in_line.begin(), in_line.end());
  }
  std::printf("revisions of the 12 documents: %s\n", absl::StrJoin(revisions, ", ").c_str());
  EXPECT_EQ(revisions.size(), 1u) << generated.err;
  // ...as the documents state it (the CSV files have no place for it), and
  // the state they show.
  std::set<std::string> stated = revisions;
  std::set<std::string> locations;
  for (const char* language : {"nl", "en"}) {
    const std::string base = absl::StrCat(out, "/vkm-2020-", language);
    // The PDF's text (pdftotext), one line.
    const std::string pdf_text = base + ".pdf.txt";
    const CommandResult extracted =
        RunCommand({kPdftotext, base + ".pdf", pdf_text}, dir_);
    ASSERT_EQ(extracted.exit_code, 0) << extracted.err;
    std::string collapsed;
    for (char c : ReadFileOrEmpty(pdf_text)) {
      if (c == '\n') c = ' ';
      if (c == ' ' && !collapsed.empty() && collapsed.back() == ' ') continue;
      collapsed.push_back(c);
    }
    std::ofstream(pdf_text, std::ios::trunc) << collapsed;
    for (const std::string& path : {base + ".md", base + ".html", pdf_text}) {
      const std::string text = ReadFileOrEmpty(path);
      ASSERT_FALSE(text.empty()) << path;
      const std::set<std::string> in_text = NumbersAfter(
          text, std::string(language) == "nl" ? "Opgesteld uit revisie " : "Built from revision ");
      ASSERT_FALSE(in_text.empty()) << path;
      stated.insert(in_text.begin(), in_text.end());
    }
    const std::set<std::string> in_json =
        NumbersAfter(ReadFileOrEmpty(base + ".json"), "\"registry_revision\": ");
    ASSERT_EQ(in_json.size(), 1u) << base << ".json";
    stated.insert(in_json.begin(), in_json.end());
    for (const std::string& path :
         {base + ".md", base + ".html", base + ".json", base + "-annex1.csv", pdf_text}) {
      const std::set<std::string> in_text = NumbersAfter(ReadFileOrEmpty(path), "Kosovo ");
      ASSERT_FALSE(in_text.empty()) << path;
      locations.insert(in_text.begin(), in_text.end());
    }
  }
  EXPECT_EQ(stated.size(), 1u) << absl::StrJoin(stated, ", ");
  EXPECT_EQ(locations.size(), 1u) << "the documents show different states: EULEX in Kosovo "
                                  << absl::StrJoin(locations, ", ");
}

TEST(OperationsBinaries, HelpExitsZeroAndVersionNamesTheRevision) {
  const std::string dir = MakeTempDir();
  for (const std::string& binary : {kRegistryServer, kReportServer, kRegistryctl, kReportctl}) {
    const CommandResult help = RunCommand({binary, "--help"}, dir);
    EXPECT_EQ(help.exit_code, 0) << binary << help.err;
    EXPECT_TRUE(absl::StrContains(help.out, "Usage")) << binary << help.out;
    const CommandResult version = RunCommand({binary, "--version"}, dir);
    EXPECT_EQ(version.exit_code, 0) << binary;
    EXPECT_TRUE(absl::StrContains(version.out, absl::StrCat(" ", MISSIONS_VERSION, " (source revision ")))
        << binary << ": " << version.out;
  }
  // An unknown flag is still an error.
  EXPECT_NE(RunCommand({kRegistryServer, "--no_such_flag"}, dir).exit_code, 0);
}

}  // namespace
}  // namespace missions
