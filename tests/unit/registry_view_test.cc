// RegistryView and ViewKeeper on both backends: a view holds what the store
// holds at its revision (compared record by record after every kind of
// change), shares untouched records with the view before it, answers
// ranges by prefix in name order with and without deleted records, keeps
// the creation order; the keeper builds the next view from each commit,
// catches up from the audit log with commits made past it (another
// replica), keeps recent views, and waits for a min_revision.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "registry-service/domain/resource_types.h"
#include "registry-service/storage/record_store.h"
#include "registry-service/view/registry_view.h"
#include "registry-service/view/view_keeper.h"
#include "registry/v1/resources.pb.h"
#include "tests/integration/test_backends.h"

namespace missions {
namespace {

namespace v1 = ::registry::v1;
using registry::Change;
using registry::CommitInfo;
using registry::Mutation;
using registry::RecordStore;
using registry::RegistryView;
using registry::ResourceKind;
using registry::ViewChange;
using registry::ViewKeeper;
using registry::ViewRecordPtr;

Mutation RegionChange(Change change, const std::string& id, int order,
                      int64_t expected_revision = 0) {
  auto region = std::make_shared<v1::Region>();
  region->set_name("regions/" + id);
  (*region->mutable_display_name())["nl"] = "Regio " + id;
  region->set_report_order(order);
  Mutation m;
  m.change = change;
  m.kind = ResourceKind::kRegion;
  m.after = region;
  m.expected_revision = expected_revision;
  return m;
}

Mutation ClusterChange(Change change, const std::string& region, const std::string& id,
                       int64_t expected_revision = 0) {
  auto cluster = std::make_shared<v1::Cluster>();
  cluster->set_name(absl::StrCat("regions/", region, "/clusters/", id));
  (*cluster->mutable_display_name())["nl"] = "Cluster " + id;
  Mutation m;
  m.change = change;
  m.kind = ResourceKind::kCluster;
  m.after = cluster;
  m.expected_revision = expected_revision;
  return m;
}

Mutation ClusterCreate(const std::string& region, const std::string& id) {
  return ClusterChange(Change::kCreate, region, id);
}

CommitInfo Info() {
  CommitInfo info;
  info.principal = "test";
  info.method = "Test";
  return info;
}

std::vector<std::string> Names(absl::Span<const ViewRecordPtr> range) {
  std::vector<std::string> names;
  for (const ViewRecordPtr& r : range) names.push_back(r->name);
  return names;
}

class RegistryViewTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto backend = testing::MakeTestBackend(GetParam());
    ASSERT_TRUE(backend.ok()) << backend.status();
    backend_ = std::move(*backend);
    auto store = backend_->Open();
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  // The view equals what the store returns at the view's revision, for
  // every record of every kind (messages, revisions, deleted flags).
  void ExpectViewMatchesStore(const RegistryView& view) {
    for (ResourceKind kind : registry::kAllKinds) {
      auto stored = store_->List(kind, "", view.revision());
      ASSERT_TRUE(stored.ok()) << stored.status();
      const absl::Span<const ViewRecordPtr> all = view.Range(kind, "", /*live=*/false);
      ASSERT_EQ(all.size(), stored->size()) << registry::KindId(kind);
      for (const registry::StoredResource& s : *stored) {
        const std::string name = registry::NameOf(*s.message);
        const registry::ViewRecord* r = view.Find(kind, name);
        ASSERT_NE(r, nullptr) << name;
        EXPECT_EQ(r->message->SerializeAsString(), s.message->SerializeAsString()) << name;
        EXPECT_EQ(r->revision, s.revision) << name;
        EXPECT_EQ(r->deleted, s.deleted) << name;
      }
    }
  }

  std::unique_ptr<testing::TestBackend> backend_;
  std::unique_ptr<RecordStore> store_;
};

TEST_P(RegistryViewTest, NextViewHoldsTheCommitAndSharesEverythingElse) {
  ViewKeeper keeper(store_.get(), ViewKeeper::Options{});
  ASSERT_TRUE(keeper.Start().ok());
  EXPECT_EQ(keeper.Current()->revision(), 0);
  ASSERT_TRUE(keeper
                  .Commit({RegionChange(Change::kCreate, "north", 1),
                           RegionChange(Change::kCreate, "south", 2),
                           ClusterCreate("north", "a"), ClusterCreate("south", "b")},
                          Info(), nullptr)
                  .ok());
  const std::shared_ptr<const RegistryView> first = keeper.Current();
  EXPECT_EQ(first->revision(), 1);
  ExpectViewMatchesStore(*first);

  // Update one region: the other records are the very same objects.
  auto updated = keeper.Commit({RegionChange(Change::kUpdate, "north", 5, 1)}, Info(), nullptr);
  ASSERT_TRUE(updated.ok()) << updated.status();
  const std::shared_ptr<const RegistryView> second = keeper.Current();
  EXPECT_EQ(second->revision(), 2);
  ExpectViewMatchesStore(*second);
  EXPECT_EQ(second->Find("regions/south"), first->Find("regions/south"));
  EXPECT_EQ(second->Find("regions/south/clusters/b"), first->Find("regions/south/clusters/b"));
  EXPECT_NE(second->Find("regions/north"), first->Find("regions/north"));
  EXPECT_EQ(static_cast<const v1::Region&>(*second->Find("regions/north")->message).report_order(),
            5);
  // The first view is unchanged (immutable).
  EXPECT_EQ(static_cast<const v1::Region&>(*first->Find("regions/north")->message).report_order(),
            1);
  // Creation order survives the update.
  EXPECT_EQ(second->Find("regions/north")->sequence, first->Find("regions/north")->sequence);
  EXPECT_LT(second->Find("regions/north")->sequence, second->Find("regions/south")->sequence);

  // Delete and undelete: the deleted record leaves the live range only.
  ASSERT_TRUE(
      keeper.Commit({ClusterChange(Change::kDelete, "south", "b", 1)}, Info(), nullptr).ok());
  const std::shared_ptr<const RegistryView> third = keeper.Current();
  ExpectViewMatchesStore(*third);
  EXPECT_TRUE(third->Range(ResourceKind::kCluster, "regions/south/", true).empty());
  EXPECT_EQ(Names(third->Range(ResourceKind::kCluster, "", false)),
            (std::vector<std::string>{"regions/north/clusters/a", "regions/south/clusters/b"}));
  EXPECT_TRUE(third->Find("regions/south/clusters/b")->deleted);
  ASSERT_TRUE(
      keeper.Commit({ClusterChange(Change::kUndelete, "south", "b", 3)}, Info(), nullptr).ok());
  ExpectViewMatchesStore(*keeper.Current());
  EXPECT_EQ(keeper.Current()->Range(ResourceKind::kCluster, "", true).size(), 2u);

  // Ranges by parent, in name order.
  EXPECT_EQ(Names(keeper.Current()->Range(ResourceKind::kCluster, "regions/south/", true)),
            (std::vector<std::string>{"regions/south/clusters/b"}));
  EXPECT_TRUE(keeper.Current()->Range(ResourceKind::kCluster, "regions/west/", true).empty());
  EXPECT_TRUE(keeper.Current()->Range(ResourceKind::kMission, "", false).empty());

  // Recent views are kept for reads of their revision.
  EXPECT_EQ(keeper.At(1), first);
  EXPECT_EQ(keeper.At(2), second);
  EXPECT_EQ(keeper.At(99), nullptr);
}

TEST_P(RegistryViewTest, BuildsFromTheStoreAndCatchesUpWithCommitsMadePastIt) {
  ASSERT_TRUE(store_->Commit({RegionChange(Change::kCreate, "north", 1)}, Info(), nullptr).ok());
  ViewKeeper keeper(store_.get(), ViewKeeper::Options{});
  ASSERT_TRUE(keeper.Start().ok());
  EXPECT_EQ(keeper.Current()->revision(), 1);
  ExpectViewMatchesStore(*keeper.Current());

  // Commits the keeper did not make (as another replica's): an empty
  // revision, a create, an update, a delete.
  ASSERT_TRUE(store_->Commit({}, Info(), nullptr).ok());
  ASSERT_TRUE(store_->Commit({RegionChange(Change::kCreate, "south", 2),
                              ClusterCreate("south", "b")},
                             Info(), nullptr)
                  .ok());
  ASSERT_TRUE(store_->Commit({RegionChange(Change::kUpdate, "north", 7, 1)}, Info(), nullptr).ok());
  ASSERT_TRUE(store_->Commit({RegionChange(Change::kDelete, "north", 7, 4)}, Info(), nullptr).ok());
  EXPECT_EQ(keeper.Current()->revision(), 1);

  // A read that must see revision 5 catches up from the audit log.
  auto view = keeper.ForRead(5, absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ((*view)->revision(), 5);
  ExpectViewMatchesStore(**view);

  // The keeper's own next commit lands after them.
  ASSERT_TRUE(store_->Commit({RegionChange(Change::kCreate, "west", 3)}, Info(), nullptr).ok());
  auto own = keeper.Commit({RegionChange(Change::kCreate, "east", 4)}, Info(), nullptr);
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(*own, 7);
  EXPECT_EQ(keeper.Current()->revision(), 7);
  ExpectViewMatchesStore(*keeper.Current());

  // A revision the store does not have: the read waits until its deadline.
  const absl::Time start = absl::Now();
  auto ahead = keeper.ForRead(8, absl::Now() + absl::Milliseconds(300));
  EXPECT_TRUE(absl::IsDeadlineExceeded(ahead.status())) << ahead.status();
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(250));

  // A read waiting for a revision gets it as soon as it is committed.
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(store_->Commit({RegionChange(Change::kCreate, "far", 9)}, Info(), nullptr).ok());
  });
  auto waited = keeper.ForRead(8, absl::Now() + absl::Seconds(10));
  writer.join();
  ASSERT_TRUE(waited.ok()) << waited.status();
  EXPECT_EQ((*waited)->revision(), 8);
  EXPECT_NE((*waited)->Find("regions/far"), nullptr);
}

TEST_P(RegistryViewTest, AFailedCommitLeavesTheViewAsItWas) {
  ViewKeeper keeper(store_.get(), ViewKeeper::Options{});
  ASSERT_TRUE(keeper.Start().ok());
  ASSERT_TRUE(keeper.Commit({RegionChange(Change::kCreate, "north", 1)}, Info(), nullptr).ok());
  const std::shared_ptr<const RegistryView> before = keeper.Current();
  // A create of a taken name and a stale etag fail in the store.
  EXPECT_FALSE(keeper.Commit({RegionChange(Change::kCreate, "north", 2)}, Info(), nullptr).ok());
  EXPECT_FALSE(
      keeper.Commit({RegionChange(Change::kUpdate, "north", 3, 99)}, Info(), nullptr).ok());
  // A response that cannot be built fails the whole commit.
  EXPECT_FALSE(keeper
                   .Commit({RegionChange(Change::kCreate, "south", 2)}, Info(),
                           [](int64_t, const std::vector<const google::protobuf::Message*>&)
                               -> absl::StatusOr<std::string> {
                             return absl::InternalError("no response");
                           })
                   .ok());
  EXPECT_EQ(keeper.Current(), before);
  ExpectViewMatchesStore(*keeper.Current());
}

TEST_P(RegistryViewTest, ConcurrentCommitsArePublishedInRevisionOrder) {
  ViewKeeper keeper(store_.get(), ViewKeeper::Options{});
  ASSERT_TRUE(keeper.Start().ok());
  constexpr int kThreads = 4;
  constexpr int kEach = 10;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto committed = keeper.Commit(
            {RegionChange(Change::kCreate, absl::StrCat("r", t, "-", i), i)}, Info(), nullptr);
        ASSERT_TRUE(committed.ok()) << committed.status();
        // Read-your-writes in this process, at once.
        EXPECT_GE(keeper.Current()->revision(), *committed);
        EXPECT_NE(keeper.Current()->Find(absl::StrCat("regions/r", t, "-", i)), nullptr);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(keeper.Current()->revision(), kThreads * kEach);
  EXPECT_EQ(keeper.Current()->size(), static_cast<size_t>(kThreads * kEach));
  ExpectViewMatchesStore(*keeper.Current());
}

INSTANTIATE_TEST_SUITE_P(Backends, RegistryViewTest,
                         ::testing::Values(std::string(testing::kSqlite),
                                           std::string(testing::kPostgresql)),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return param.param;
                         });

}  // namespace
}  // namespace missions
