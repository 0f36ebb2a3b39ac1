// Scaled out, tested for real on one machine (issue 11, item 8), through
// the real binaries:
//
// 1. Two registry-server replicas on one PostgreSQL database behind HAProxy
//    (gRPC over h2c on loopback, the `defaults` of
//    deploy/haproxy/registry.cfg verbatim): writes through either replica
//    are read through the other and through the load balancer; under load
//    (writers and readers through HAProxy, report-server and reportctl
//    through it too) one replica is killed with SIGKILL, and no call fails
//    but those that were in flight on it, each of which succeeds when
//    retried.
// 2. PostgreSQL primary with a synchronous streaming standby
//    (postgres_pair.h), the registry on a multi-host URI with
//    target_session_attrs=read-write; writes run while the standby falls
//    behind (stopped), the primary dies (pg_ctl stop -m immediate) and the
//    standby is promoted: the registry follows to the new primary without a
//    restart, and every write it acknowledged is there afterwards.
//
// Each property has a switch that breaks it, to show the test catches it:
// SCALEOUT_BREAK=haproxy runs HAProxy without health checks, retries or
// redispatch (SCALEOUT_BREAK=no-replay only without `retry-on`: then the
// calls in flight on the killed replica fail, which the test allows); SCALEOUT_BREAK=async makes the standby asynchronous;
// SCALEOUT_BREAK=single-host gives the registry only the primary's address.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "grpc_probe/health_probe.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "registry/v1/registry_api.grpc.pb.h"
#include "tests/integration/child_process.h"
#include "tests/integration/postgres_server.h"
#include "tests/scaleout/postgres_pair.h"

namespace missions {
namespace {

namespace v1 = ::registry::v1;
using Stub = v1::RegistryApi::Stub;
using grpc::health::v1::HealthCheckResponse;
using testing::ChildProcess;
using testing::CommandResult;
using testing::PostgresPair;
using testing::RunCommand;

const std::string kRegistryServer = REGISTRY_SERVER_BIN;
const std::string kReportServer = REPORT_SERVER_BIN;
const std::string kRegistryctl = REGISTRYCTL_BIN;
const std::string kReportctl = REPORTCTL_BIN;
const std::string kHaproxy = HAPROXY_BIN;
const std::string kDataFile = DATA_FILE;
const std::string kHaproxyTemplate = HAPROXY_TEMPLATE;

// Which property to break on purpose (see the file comment); "" for none.
std::string Break() {
  const char* value = std::getenv("SCALEOUT_BREAK");
  return value != nullptr ? value : "";
}

std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout = absl::Seconds(10)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

// A loopback TCP port that was free a moment ago.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

bool CanConnect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return ok;
}

// Flags every replica gets: several servers on one machine need ephemeral
// metrics ports, and a killed replica has nothing to drain.
const std::vector<std::string>& RegistryFlags() {
  static const std::vector<std::string> flags = {"--insecure", "--listen=127.0.0.1:0",
                                                 "--rate_limit=0", "--metrics_listen=127.0.0.1:0",
                                                 "--drain=0s"};
  return flags;
}

// A registry-server child process and stubs to it.
struct Replica {
  std::unique_ptr<ChildProcess> process;
  int port = 0;
  std::unique_ptr<Stub> api;
  std::unique_ptr<grpc::health::v1::Health::Stub> health;
};

Replica StartReplica(const std::string& storage, const std::string& log) {
  Replica replica;
  std::vector<std::string> argv = {kRegistryServer};
  for (const std::string& flag : RegistryFlags()) argv.push_back(flag);
  argv.push_back("--storage=" + storage);
  auto process = ChildProcess::Start(argv, log);
  EXPECT_TRUE(process.ok()) << process.status();
  if (!process.ok()) return replica;
  replica.process = std::move(*process);
  auto port = replica.process->WaitForPort();
  EXPECT_TRUE(port.ok()) << port.status();
  if (!port.ok()) return replica;
  replica.port = *port;
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", *port),
                                     grpc::InsecureChannelCredentials());
  replica.api = v1::RegistryApi::NewStub(channel);
  replica.health = grpc::health::v1::Health::NewStub(channel);
  return replica;
}

std::unique_ptr<Stub> StubTo(int port) {
  return v1::RegistryApi::NewStub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                                      grpc::InsecureChannelCredentials()));
}

grpc::Status CreateRegion(Stub& stub, const std::string& id, const std::string& request_id,
                          v1::Region* created, absl::Duration timeout = absl::Seconds(10)) {
  v1::CreateRegionRequest request;
  request.set_region_id(id);
  request.set_request_id(request_id);
  (*request.mutable_region()->mutable_display_name())["nl"] = "Regio " + id;
  request.mutable_region()->set_report_order(70);
  return stub.CreateRegion(Context(timeout).get(), request, created);
}

// The revision an etag names ("r42" -> 42): what a write returned, for
// min_revision.
int64_t RevisionOf(const std::string& etag) {
  int64_t revision = 0;
  EXPECT_TRUE(absl::SimpleAtoi(absl::StripPrefix(etag, "r"), &revision)) << etag;
  return revision;
}

// GetRegion; with `min_revision`, read-your-writes on any replica.
grpc::Status GetRegion(Stub& stub, const std::string& name, v1::Region* region,
                       absl::Duration timeout = absl::Seconds(10), int64_t min_revision = 0) {
  v1::GetRegionRequest request;
  request.set_name(name);
  request.set_min_revision(min_revision);
  return stub.GetRegion(Context(timeout).get(), request, region);
}

HealthCheckResponse::ServingStatus Health(Replica& replica) {
  grpc::health::v1::HealthCheckRequest request;
  HealthCheckResponse response;
  if (!replica.health->Check(Context(absl::Seconds(5)).get(), request, &response).ok()) {
    return HealthCheckResponse::SERVICE_UNKNOWN;
  }
  return response.status();
}

// The `defaults` section of deploy/haproxy/registry.cfg, as it is there.
std::string TemplateDefaults() {
  std::ifstream in(kHaproxyTemplate);
  std::string line;
  std::string out;
  bool inside = false;
  while (std::getline(in, line)) {
    const bool section = !line.empty() && line[0] != ' ' && line[0] != '\t' && line[0] != '#';
    if (section) inside = absl::StartsWith(line, "defaults");
    if (inside) absl::StrAppend(&out, line, "\n");
  }
  return out;
}

// HAProxy in the foreground (-db) on a free loopback port, balancing h2c
// over the given replica ports, with an admin socket for `show stat`.
class Haproxy {
 public:
  static absl::StatusOr<std::unique_ptr<Haproxy>> Start(const std::string& dir,
                                                        const std::vector<int>& backends,
                                                        bool broken) {
    if (kHaproxy.empty() || !std::filesystem::exists(kHaproxy)) {
      return absl::FailedPreconditionError(
          "haproxy is not installed (Debian package haproxy, see deploy/deps.sh)");
    }
    auto proxy = std::unique_ptr<Haproxy>(new Haproxy());
    proxy->socket_ = dir + "/haproxy.sock";
    proxy->port_ = FreePort();
    std::string defaults = TemplateDefaults();
    if (!absl::StrContains(defaults, "retry-on")) {
      return absl::FailedPreconditionError(
          absl::StrCat("no defaults section with retry-on in ", kHaproxyTemplate));
    }
    if (Break() == "no-replay") {
      // Only the default retry-on conn-failure: calls in flight on a dying
      // replica fail (the test allows those; the client retries them).
      std::string kept;
      for (absl::string_view line : absl::StrSplit(defaults, '\n')) {
        if (!absl::StrContains(line, "retry-on")) absl::StrAppend(&kept, line, "\n");
      }
      defaults = kept;
    }
    if (broken) {
      // No health checks, retries only on the same server, no L7 retries.
      defaults =
          "defaults\n    mode http\n    log global\n    option httplog\n"
          "    timeout connect 1s\n    timeout client 1h\n    timeout server 1h\n";
    }
    std::string config = absl::StrCat(
        "global\n    log stderr format raw local0 info\n    stats socket ", proxy->socket_,
        " mode 600 level admin\n\n", defaults, "\nfrontend registry\n    bind 127.0.0.1:",
        proxy->port_, " proto h2\n    default_backend registry\n\nbackend registry\n"
        "    balance roundrobin\n");
    for (size_t i = 0; i < backends.size(); ++i) {
      absl::StrAppend(&config, "    server r", i, " 127.0.0.1:", backends[i], " proto h2\n");
    }
    const std::string path = dir + "/haproxy.cfg";
    std::ofstream(path) << config;
    const CommandResult check = RunCommand({kHaproxy, "-c", "-f", path}, dir);
    if (check.exit_code != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("haproxy -c: ", check.out, check.err, "\n", config));
    }
    auto process = ChildProcess::Start({kHaproxy, "-db", "-f", path}, dir + "/haproxy.log");
    if (!process.ok()) return process.status();
    proxy->process_ = std::move(*process);
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (!CanConnect(proxy->port_)) {
      if (absl::Now() > deadline) {
        return absl::DeadlineExceededError(
            absl::StrCat("haproxy does not listen:\n", proxy->process_->StderrText()));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return proxy;
  }

  int port() const { return port_; }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  std::string Log() const { return process_->StderrText(); }

  // `show stat` of the backend's servers: name -> {status, total sessions}.
  std::map<std::string, std::pair<std::string, int64_t>> Servers() const {
    std::map<std::string, std::pair<std::string, int64_t>> out;
    const std::string csv = Command("show stat");
    std::vector<std::string> header;
    for (absl::string_view line : absl::StrSplit(csv, '\n')) {
      if (absl::ConsumePrefix(&line, "# ")) {
        header = absl::StrSplit(line, ',');
        continue;
      }
      std::vector<std::string> fields = absl::StrSplit(line, ',');
      std::map<std::string, std::string> row;
      for (size_t i = 0; i < fields.size() && i < header.size(); ++i) row[header[i]] = fields[i];
      if (row["pxname"] != "registry" || row["svname"] == "FRONTEND" ||
          row["svname"] == "BACKEND") {
        continue;
      }
      int64_t total = 0;
      (void)absl::SimpleAtoi(row["stot"], &total);
      out[row["svname"]] = {row["status"], total};
    }
    return out;
  }

 private:
  Haproxy() = default;

  std::string Command(const std::string& command) const {
    const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    snprintf(address.sun_path, sizeof(address.sun_path), "%s", socket_.c_str());
    std::string out;
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
      const std::string line = command + "\n";
      if (write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size())) {
        char buffer[4096];
        ssize_t n;
        while ((n = read(fd, buffer, sizeof(buffer))) > 0) out.append(buffer, n);
      }
    }
    close(fd);
    return out;
  }

  std::unique_ptr<ChildProcess> process_;
  std::string socket_;
  int port_ = 0;
};

// ---------------------------------------------------------------------------
// Two replicas behind HAProxy.

class HaproxyReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::PostgresServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    auto database = server_->CreateDatabase();
    ASSERT_TRUE(database.ok()) << database.status();
    storage_ = server_->Uri(*database);
    a_ = StartReplica(storage_, server_->dir() + "/a.log");
    b_ = StartReplica(storage_, server_->dir() + "/b.log");
    ASSERT_TRUE(a_.api && b_.api);
    auto proxy = Haproxy::Start(server_->dir(), {a_.port, b_.port}, Break() == "haproxy");
    ASSERT_TRUE(proxy.ok()) << proxy.status();
    proxy_ = std::move(*proxy);
    lb_ = StubTo(proxy_->port());
  }

  void TearDown() override {
    if (HasFailure() && proxy_ != nullptr) {
      const std::string log = proxy_->Log();
      // The last lines: HAProxy logs every call.
      std::cerr << "haproxy log (tail):\n"
                << log.substr(log.size() > 6000 ? log.size() - 6000 : 0) << "\n";
    }
    lb_.reset();
    proxy_.reset();
  }

  std::unique_ptr<testing::PostgresServer> server_;
  std::string storage_;
  Replica a_;
  Replica b_;
  std::unique_ptr<Haproxy> proxy_;
  std::unique_ptr<Stub> lb_;
};

TEST_F(HaproxyReplicasTest, WritesThroughOneReplicaAreReadThroughTheOtherAndTheBalancer) {
  // B and the balancer follow the change feed while A writes.
  std::vector<std::string> followed;
  std::thread watcher([&] {
    auto context = Context(absl::Seconds(20));
    v1::WatchChangesRequest request;
    auto reader = lb_->WatchChanges(context.get(), request);
    v1::ChangeEvent event;
    while (followed.size() < 4 && reader->Read(&event)) followed.push_back(event.event().resource());
    context->TryCancel();
    reader->Finish().IgnoreError();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::map<std::string, std::string> etags;  // name -> etag
  for (int i = 0; i < 4; ++i) {
    Stub& writer = i % 2 == 0 ? *a_.api : *b_.api;
    v1::Region created;
    const std::string id = absl::StrCat("shared-", i);
    const grpc::Status status = CreateRegion(writer, id, "request-" + id, &created);
    ASSERT_TRUE(status.ok()) << status.error_message();
    etags[created.name()] = created.etag();
    // Read back at once through the other replica and, several times (so
    // that both replicas answer), through HAProxy.
    Stub& other = i % 2 == 0 ? *b_.api : *a_.api;
    v1::Region read;
    // Read-your-writes across replicas: the write's revision as
    // min_revision (the other replica may not have heard of it yet).
    const int64_t written = RevisionOf(created.etag());
    const grpc::Status direct =
        GetRegion(other, created.name(), &read, absl::Seconds(10), written);
    ASSERT_TRUE(direct.ok()) << direct.error_message();
    EXPECT_EQ(read.etag(), created.etag());
    for (int j = 0; j < 4; ++j) {
      const grpc::Status balanced =
          GetRegion(*lb_, created.name(), &read, absl::Seconds(10), written);
      ASSERT_TRUE(balanced.ok()) << balanced.error_message();
      EXPECT_EQ(read.etag(), created.etag());
    }
  }
  // A retry with the same request_id through the balancer (whichever
  // replica takes it) returns the first response and writes nothing.
  v1::Region again;
  const grpc::Status retried = CreateRegion(*lb_, "shared-0", "request-shared-0", &again);
  ASSERT_TRUE(retried.ok()) << retried.error_message();
  EXPECT_EQ(again.etag(), etags["regions/shared-0"]);
  watcher.join();
  EXPECT_EQ(followed, (std::vector<std::string>{"regions/shared-0", "regions/shared-1",
                                                "regions/shared-2", "regions/shared-3"}));
  // HAProxy spread the calls over both replicas.
  const auto servers = proxy_->Servers();
  ASSERT_EQ(servers.size(), 2u);
  for (const auto& [name, state] : servers) {
    EXPECT_EQ(state.first, "UP") << name;
    EXPECT_GE(state.second, 3) << name << " took too few calls";
  }
}

// One call of the load: when it started, and how it ended.
struct Attempt {
  absl::Time start;
  grpc::StatusCode code;
  std::string message;
  std::string what;
};

TEST_F(HaproxyReplicasTest, KillingAReplicaUnderLoadFailsNoCallButThoseInFlightOnIt) {
  const std::string dir = server_->dir();
  // The 2020 data, imported through the balancer, for report-server.
  const CommandResult imported = RunCommand(
      {kRegistryctl, "--plaintext", "import", kDataFile, "--server=" + proxy_->address()}, dir);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  std::vector<std::string> report_argv = {kReportServer, "--insecure", "--registry_plaintext",
                                          "--listen=127.0.0.1:0", "--rate_limit=0",
                                          "--registry=" + proxy_->address(),
                                          "--registry_timeout=10s",
                                          "--metrics_listen=127.0.0.1:0", "--drain=0s"};
  auto report = ChildProcess::Start(report_argv, dir + "/report-server.log");
  ASSERT_TRUE(report.ok()) << report.status();
  auto report_port = (*report)->WaitForPort();
  ASSERT_TRUE(report_port.ok()) << report_port.status();
  const auto generate = [&](const std::string& name) {
    const std::string out = dir + "/" + name;
    std::filesystem::create_directories(out);
    return RunCommand({kReportctl, "--plaintext", "generate", "--year=2020",
                       "--format=markdown,annex2-csv", "--language=nl", "--output=" + out,
                       absl::StrCat("--server=127.0.0.1:", *report_port), "--deadline=20s"},
                      dir, absl::Seconds(30));
  };

  // Load through HAProxy: each worker writes a region (with a request_id)
  // and reads it back, one call at a time, so at most kWorkers calls are in
  // flight when the replica dies. A failed call is retried (same
  // request_id) after 50 ms if it was UNAVAILABLE, up to 5 times.
  constexpr int kWorkers = 4;
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<Attempt> failures;
  std::vector<std::string> lost;  // calls that never succeeded
  std::atomic<int> calls{0};
  std::atomic<int> calls_after_kill{0};
  std::atomic<bool> killed{false};
  const auto call = [&](const std::string& what, const std::function<grpc::Status()>& body) {
    for (int attempt = 0; attempt < 6; ++attempt) {
      const absl::Time start = absl::Now();
      const grpc::Status status = body();
      if (status.ok()) {
        ++calls;
        if (killed) ++calls_after_kill;
        return true;
      }
      {
        std::lock_guard<std::mutex> lock(mu);
        failures.push_back({start, status.error_code(), status.error_message(), what});
      }
      if (status.error_code() != grpc::StatusCode::UNAVAILABLE) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::lock_guard<std::mutex> lock(mu);
    lost.push_back(what);
    return false;
  };
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      auto stub = StubTo(proxy_->port());
      for (int i = 0; i < 100000 && !stop; ++i) {
        const std::string id = absl::StrCat("load-", w, "-", i);
        v1::Region created;
        if (!call("create " + id, [&] {
              return CreateRegion(*stub, id, "request-" + id, &created, absl::Seconds(5));
            })) {
          continue;
        }
        call("get " + id, [&] {
          v1::Region read;
          grpc::Status status = GetRegion(*stub, created.name(), &read, absl::Seconds(5),
                                          RevisionOf(created.etag()));
          if (status.ok() && read.etag() != created.etag()) {
            return grpc::Status(grpc::StatusCode::DATA_LOSS, "stale read " + read.etag());
          }
          return status;
        });
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const CommandResult before = generate("before");
  EXPECT_EQ(before.exit_code, 0) << before.err;
  const auto servers = proxy_->Servers();
  for (const auto& [name, state] : servers) {
    EXPECT_GT(state.second, 10) << name << " took too few calls before the kill";
  }
  const int calls_before = calls;

  const absl::Time kill_time = absl::Now();
  killed = true;
  a_.process->Kill();
  // report-server and reportctl go on through the balancer at once.
  const CommandResult after = generate("after");
  EXPECT_EQ(after.exit_code, 0) << after.err;
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  stop = true;
  for (std::thread& worker : workers) worker.join();

  EXPECT_GT(calls_before, 50);
  EXPECT_GT(calls_after_kill, 50) << "the load did not go on after the kill";
  EXPECT_TRUE(lost.empty()) << "calls that never succeeded: " << absl::StrJoin(lost, ", ");
  // Only calls in flight when the replica died may have failed: at most one
  // per worker, each started before the kill.
  int in_flight_failures = 0;
  for (const Attempt& failure : failures) {
    const bool before_kill = failure.start < kill_time;
    if (before_kill) ++in_flight_failures;
    EXPECT_TRUE(before_kill) << failure.what << " started "
                             << absl::FormatDuration(failure.start - kill_time)
                             << " after the kill and failed: " << failure.code << " "
                             << failure.message;
  }
  EXPECT_LE(in_flight_failures, kWorkers);
  std::cerr << "calls before the kill " << calls_before << ", after " << calls_after_kill
            << ", failed attempts " << failures.size() << " (in flight " << in_flight_failures
            << ")\n";
  EXPECT_EQ(testing::ReadFileOrEmpty(dir + "/before/vkm-2020-nl-annex2.csv"),
            testing::ReadFileOrEmpty(dir + "/after/vkm-2020-nl-annex2.csv"));
  EXPECT_FALSE(testing::ReadFileOrEmpty(dir + "/after/vkm-2020-nl.md").empty());
  // HAProxy took the dead replica out.
  const auto final_servers = proxy_->Servers();
  ASSERT_EQ(final_servers.size(), 2u);
  EXPECT_TRUE(absl::StartsWith(final_servers.at("r0").first, "DOWN") ||
              Break() == "haproxy")
      << final_servers.at("r0").first;
  EXPECT_EQ(final_servers.at("r1").first, "UP");
}

// ---------------------------------------------------------------------------
// A primary with a synchronous standby, failed over under writes.

TEST(PostgresFailoverTest, RegistryFollowsPromotedStandbyAndLosesNoAcknowledgedWrite) {
  const bool synchronous = Break() != "async";
  auto pair = PostgresPair::Start("registry", synchronous);
  ASSERT_TRUE(pair.ok()) << pair.status();
  PostgresPair& pg = **pair;
  const std::string storage = Break() == "single-host"
                                  ? pg.Uri(PostgresPair::kPrimary, "registry")
                                  : pg.FailoverUri("registry");
  Replica registry = StartReplica(storage, pg.dir() + "/registry.log");
  ASSERT_TRUE(registry.api);

  // Writers: each creates regions one after the other with a request_id,
  // retrying a failed write with the same request_id until it is
  // acknowledged (bounded by the test's clock).
  constexpr int kWriters = 3;
  // A write is retried until it is acknowledged or give_up_at passes: 40 s
  // from now, or 5 s after the test stops the writers.
  std::atomic<int64_t> give_up_at{absl::ToUnixMillis(absl::Now() + absl::Seconds(40))};
  std::atomic<bool> stop{false};
  std::atomic<bool> promoted{false};
  std::atomic<int> acknowledged_after_promotion{0};
  std::atomic<int> failed_attempts{0};
  std::mutex mu;
  std::map<std::string, std::string> acknowledged;  // name -> etag
  std::vector<std::string> given_up;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto stub = StubTo(registry.port);
      for (int i = 0; i < 100000 && !stop; ++i) {
        const std::string id = absl::StrCat("failover-", w, "-", i);
        bool done = false;
        while (!done && absl::ToUnixMillis(absl::Now()) < give_up_at) {
          v1::Region created;
          const grpc::Status status =
              CreateRegion(*stub, id, "request-" + id, &created, absl::Seconds(2));
          if (status.ok()) {
            std::lock_guard<std::mutex> lock(mu);
            acknowledged[created.name()] = created.etag();
            if (promoted) ++acknowledged_after_promotion;
            done = true;
          } else {
            ++failed_attempts;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
          }
        }
        if (!done) {
          std::lock_guard<std::mutex> lock(mu);
          given_up.push_back(id);
          return;
        }
      }
    });
  }
  const auto count = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return acknowledged.size();
  };
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const size_t healthy = count();
  EXPECT_GT(healthy, 10u);
  // The standby falls behind: it is stopped while the writes go on. With
  // synchronous replication the primary acknowledges nothing now; with
  // asynchronous replication it acknowledges writes the standby never gets.
  ASSERT_TRUE(pg.Stop(PostgresPair::kStandby, "fast").ok());
  const size_t standby_stopped = count();
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  const size_t lagging = count() - standby_stopped;
  if (synchronous) {
    // At most the writes the standby had confirmed as it stopped.
    EXPECT_LE(lagging, static_cast<size_t>(kWriters))
        << "the primary acknowledged writes without its synchronous standby";
  }
  // The primary dies; the standby comes back and is promoted.
  const absl::Time failover_start = absl::Now();
  ASSERT_TRUE(pg.Stop(PostgresPair::kPrimary, "immediate").ok());
  absl::Status started = pg.Start(PostgresPair::kStandby);
  ASSERT_TRUE(started.ok()) << started;
  absl::Status promote = pg.Promote();
  ASSERT_TRUE(promote.ok()) << promote;
  promoted = true;
  const absl::Duration failover = absl::Now() - failover_start;
  // The registry follows to the new primary without a restart.
  const absl::Time follow_deadline = absl::Now() + absl::Seconds(20);
  while (acknowledged_after_promotion < 20 && absl::Now() < follow_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const absl::Duration followed = absl::Now() - failover_start;
  give_up_at = std::min<int64_t>(give_up_at, absl::ToUnixMillis(absl::Now() + absl::Seconds(5)));
  stop = true;
  for (std::thread& writer : writers) writer.join();

  std::cerr << "acknowledged " << acknowledged.size() << " writes (" << standby_stopped
            << " before the standby stopped, " << lagging << " while it was away, "
            << acknowledged_after_promotion << " after promotion); " << failed_attempts
            << " failed attempts; fail-over " << absl::FormatDuration(failover)
            << ", 20 writes on the new primary after " << absl::FormatDuration(followed)
            << "\n";
  EXPECT_GE(acknowledged_after_promotion, 20)
      << "the registry did not follow to the promoted standby:\n"
      << registry.process->StderrText();
  EXPECT_TRUE(given_up.empty()) << absl::StrJoin(given_up, ", ");
  // Health is re-checked every second: SERVING again soon after writes are.
  const absl::Time health_deadline = absl::Now() + absl::Seconds(5);
  while (Health(registry) != HealthCheckResponse::SERVING && absl::Now() < health_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(Health(registry), HealthCheckResponse::SERVING);
  // Every acknowledged write is on the new primary, as acknowledged.
  int missing = 0;
  for (const auto& [name, etag] : acknowledged) {
    v1::Region read;
    const grpc::Status status = GetRegion(*registry.api, name, &read);
    if (!status.ok() || read.etag() != etag) {
      ++missing;
      ADD_FAILURE() << "acknowledged " << name << " at " << etag << ", now: "
                    << (status.ok() ? read.etag() : status.error_message());
      if (missing > 5) break;
    }
  }
  EXPECT_EQ(missing, 0);
  // And the revisions stay gap-free across the fail-over.
  const auto revisions = pg.Query(PostgresPair::kStandby, "registry",
                                  "SELECT count(*) = max(revision) FROM revisions");
  ASSERT_TRUE(revisions.ok()) << revisions.status();
  EXPECT_EQ(*revisions, "t");
  registry.api.reset();
  registry.health.reset();
  EXPECT_EQ(registry.process->Stop(), 0) << registry.process->StderrText();
}

}  // namespace
}  // namespace missions
