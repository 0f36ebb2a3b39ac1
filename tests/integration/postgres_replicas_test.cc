// registry-server on PostgreSQL, through the real binary and a real
// throwaway server (postgres_server.h): two replicas on one database see
// each other's writes and change feeds; the database going away makes
// calls fail with UNAVAILABLE within their deadline and the health check
// report NOT_SERVING, and the registry serves again, with every
// acknowledged write, once the database is back (no restart).
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc_probe/health_probe.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "registry/v1/registry_api.grpc.pb.h"
#include "tests/integration/child_process.h"
#include "tests/integration/postgres_server.h"

namespace missions {
namespace {

namespace v1 = ::registry::v1;
using Stub = v1::RegistryApi::Stub;
using grpc::health::v1::HealthCheckResponse;

const std::string kRegistryServer = REGISTRY_SERVER_BIN;

std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout = absl::Seconds(10)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

grpc::Status CreateRegion(Stub& stub, const std::string& id, v1::Region* created) {
  v1::CreateRegionRequest request;
  request.set_region_id(id);
  (*request.mutable_region()->mutable_display_name())["nl"] = "Regio " + id;
  request.mutable_region()->set_report_order(70);
  return stub.CreateRegion(Context().get(), request, created);
}

// GetRegion; with `min_revision` (the revision a write returned) it reads
// that write on any replica.
grpc::Status GetRegion(Stub& stub, const std::string& name, v1::Region* region,
                       absl::Duration timeout = absl::Seconds(10), int64_t min_revision = 0) {
  v1::GetRegionRequest request;
  request.set_name(name);
  request.set_min_revision(min_revision);
  return stub.GetRegion(Context(timeout).get(), request, region);
}

// A registry-server child process on `storage` and stubs to it.
struct Replica {
  std::unique_ptr<testing::ChildProcess> process;
  std::unique_ptr<Stub> api;
  std::unique_ptr<grpc::health::v1::Health::Stub> health;
};

Replica StartReplica(const std::string& storage, const std::string& log) {
  Replica replica;
  auto process = testing::ChildProcess::Start(
      {kRegistryServer, "--insecure", "--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0", "--drain=0s", "--storage=" + storage}, log);
  EXPECT_TRUE(process.ok()) << process.status();
  if (!process.ok()) return replica;
  replica.process = std::move(*process);
  auto port = replica.process->WaitForPort();
  EXPECT_TRUE(port.ok()) << port.status();
  if (!port.ok()) return replica;
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", *port),
                                     grpc::InsecureChannelCredentials());
  replica.api = v1::RegistryApi::NewStub(channel);
  replica.health = grpc::health::v1::Health::NewStub(channel);
  return replica;
}

// The health status, or SERVICE_UNKNOWN if the check itself failed.
HealthCheckResponse::ServingStatus Health(Replica& replica) {
  grpc::health::v1::HealthCheckRequest request;
  HealthCheckResponse response;
  if (!replica.health->Check(Context(absl::Seconds(5)).get(), request, &response).ok()) {
    return HealthCheckResponse::SERVICE_UNKNOWN;
  }
  return response.status();
}

// Polls the health check until it reports `want` or `timeout` passes.
bool WaitForHealth(Replica& replica, HealthCheckResponse::ServingStatus want,
                   absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (Health(replica) == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

class PostgresReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::PostgresServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    auto database = server_->CreateDatabase();
    ASSERT_TRUE(database.ok()) << database.status();
    storage_ = server_->Uri(*database);
  }

  std::unique_ptr<testing::PostgresServer> server_;
  std::string storage_;
};

TEST_F(PostgresReplicasTest, TwoServersOnOneDatabaseShareWritesAndTheChangeFeed) {
  Replica a = StartReplica(storage_, server_->dir() + "/a.log");
  Replica b = StartReplica(storage_, server_->dir() + "/b.log");
  ASSERT_TRUE(a.api && b.api);

  // B follows the change feed from the start while A writes.
  std::vector<v1::AuditEvent> followed;
  std::thread watcher([&] {
    auto context = Context(absl::Seconds(20));
    v1::WatchChangesRequest request;
    auto reader = b.api->WatchChanges(context.get(), request);
    v1::ChangeEvent event;
    while (followed.size() < 3 && reader->Read(&event)) followed.push_back(event.event());
    context->TryCancel();
    reader->Finish().IgnoreError();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  v1::Region created;
  ASSERT_TRUE(CreateRegion(*a.api, "polar", &created).ok());
  v1::UpdateRegionRequest update;
  update.mutable_region()->set_name("regions/polar");
  update.mutable_region()->set_report_order(71);
  update.mutable_region()->set_etag(created.etag());
  update.mutable_update_mask()->add_paths("report_order");
  v1::Region updated;
  const grpc::Status status = a.api->UpdateRegion(Context().get(), update, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // And one write through B, read through A.
  v1::Region other;
  ASSERT_TRUE(CreateRegion(*b.api, "arctic", &other).ok());
  watcher.join();

  ASSERT_EQ(followed.size(), 3u);
  EXPECT_EQ(followed[0].resource(), "regions/polar");
  EXPECT_EQ(followed[1].resource(), "regions/polar");
  EXPECT_EQ(followed[2].resource(), "regions/arctic");
  for (size_t i = 0; i < followed.size(); ++i) {
    EXPECT_EQ(followed[i].revision(), static_cast<int64_t>(i) + 1);
  }
  // Read-your-writes across replicas: each replica reads the other's
  // write once it has the write's revision (min_revision).
  v1::Region read;
  ASSERT_EQ(updated.etag(), "r2");
  ASSERT_TRUE(GetRegion(*b.api, "regions/polar", &read, absl::Seconds(10), 2).ok());
  EXPECT_EQ(read.report_order(), 71);
  EXPECT_EQ(read.etag(), updated.etag());
  ASSERT_TRUE(GetRegion(*a.api, "regions/arctic", &read, absl::Seconds(10), 3).ok());
  EXPECT_EQ(read.etag(), "r3");
  // A revision no replica has yet: the read waits until its deadline.
  const absl::Time start = absl::Now();
  EXPECT_EQ(GetRegion(*a.api, "regions/arctic", &read, absl::Milliseconds(700), 4).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(600));
  // A stale etag written through B fails although A made the change.
  update.mutable_region()->set_report_order(72);
  const grpc::Status stale = b.api->UpdateRegion(Context().get(), update, &updated);
  EXPECT_EQ(stale.error_code(), grpc::StatusCode::ABORTED) << stale.error_message();
  // Page tokens of one replica are good on the other (one secret).
  v1::ListRegionsRequest list;
  list.set_page_size(1);
  v1::ListRegionsResponse page;
  ASSERT_TRUE(a.api->ListRegions(Context().get(), list, &page).ok());
  ASSERT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  const grpc::Status next = b.api->ListRegions(Context().get(), list, &page);
  EXPECT_TRUE(next.ok()) << next.error_message();

  // Hang up first: a server waits for open connections when it stops.
  a.api.reset();
  a.health.reset();
  b.api.reset();
  b.health.reset();
  EXPECT_EQ(a.process->Stop(), 0) << a.process->StderrText();
  EXPECT_EQ(b.process->Stop(), 0) << b.process->StderrText();
}

TEST_F(PostgresReplicasTest, DatabaseOutageIsUnavailableAndRecoversWithoutRestart) {
  Replica replica = StartReplica(storage_, server_->dir() + "/registry.log");
  ASSERT_TRUE(replica.api);
  EXPECT_EQ(Health(replica), HealthCheckResponse::SERVING);
  v1::Region acknowledged;
  ASSERT_TRUE(CreateRegion(*replica.api, "before", &acknowledged).ok());

  ASSERT_TRUE(server_->Stop("immediate").ok());
  // Reads of the current state are served from the replica's view (as of
  // its last revision); a read that needs a newer revision and every write
  // fail fast with UNAVAILABLE, well within their deadline.
  const absl::Time start = absl::Now();
  v1::Region region;
  const grpc::Status read = GetRegion(*replica.api, "regions/before", &region);
  ASSERT_TRUE(read.ok()) << read.error_message();
  EXPECT_EQ(region.etag(), acknowledged.etag());
  const grpc::Status newer =
      GetRegion(*replica.api, "regions/before", &region, absl::Seconds(10), 2);
  EXPECT_EQ(newer.error_code(), grpc::StatusCode::UNAVAILABLE) << newer.error_message();
  const grpc::Status write = CreateRegion(*replica.api, "during", &region);
  EXPECT_EQ(write.error_code(), grpc::StatusCode::UNAVAILABLE) << write.error_message();
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_TRUE(WaitForHealth(replica, HealthCheckResponse::NOT_SERVING, absl::Seconds(10)));

  ASSERT_TRUE(server_->Restart().ok());
  EXPECT_TRUE(WaitForHealth(replica, HealthCheckResponse::SERVING, absl::Seconds(15)))
      << replica.process->StderrText();
  // The acknowledged write survived; the refused one left no trace.
  const grpc::Status again = GetRegion(*replica.api, "regions/before", &region);
  ASSERT_TRUE(again.ok()) << again.error_message();
  EXPECT_EQ(region.etag(), acknowledged.etag());
  EXPECT_EQ(GetRegion(*replica.api, "regions/during", &region).error_code(),
            grpc::StatusCode::NOT_FOUND);
  const grpc::Status after = CreateRegion(*replica.api, "after", &region);
  ASSERT_TRUE(after.ok()) << after.error_message();
  EXPECT_EQ(region.etag(), "r2");
  replica.api.reset();
  replica.health.reset();
  EXPECT_EQ(replica.process->Stop(), 0) << replica.process->StderrText();
}

}  // namespace
}  // namespace missions
