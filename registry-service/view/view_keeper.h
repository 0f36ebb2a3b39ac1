// ViewKeeper: holds the registry's current RegistryView and keeps it in
// step with the store.
//
// - At start-up the view is read from the store once (Start).
// - Every commit of this process goes through Commit: the store commits,
//   and the next view is built from the commit's stamped records (the
//   messages the store wrote, not read back) before Commit returns, so a
//   caller reads its own write on this replica at once.
// - Commits of other replicas (PostgreSQL) are read from the audit log,
//   which holds every commit's records after the change: in the
//   background as the store announces them (LISTEN/NOTIFY), and before a
//   read when `follow_store` is set and the store is ahead of the view.
// - Reads take the current view, or the view of a recent revision (page
//   tokens and as_of of the last few commits) from a small ring of views;
//   older revisions are read from the store (RegistryView::Load).
//
// Readers never wait for a writer: the published view is swapped under a
// short lock and held by each reader as long as it needs it.
#ifndef REGISTRY_SERVICE_VIEW_VIEW_KEEPER_H_
#define REGISTRY_SERVICE_VIEW_VIEW_KEEPER_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "registry-service/storage/record_store.h"
#include "registry-service/view/registry_view.h"

namespace missions::registry {

class ViewKeeper {
 public:
  struct Options {
    // Other processes commit to the same store (PostgreSQL replicas):
    // follow their commits in the background (the store announces them),
    // and bring the view up to the store's revision before planning a
    // write. Reads see this replica's view, a few milliseconds behind the
    // others' commits at most; a read with a min_revision waits for it.
    bool follow_store = false;
    // Views of recent revisions kept for page tokens and recent as_of.
    int recent_views = 8;
  };

  // The longest a read waits for a min_revision, whatever its deadline.
  static constexpr absl::Duration kMaxMinRevisionWait = absl::Seconds(30);

  // `store` is not owned and must outlive the keeper.
  ViewKeeper(RecordStore* store, Options options);
  ~ViewKeeper();
  ViewKeeper(const ViewKeeper&) = delete;
  ViewKeeper& operator=(const ViewKeeper&) = delete;

  // Reads the current view from the store and, with follow_store, starts
  // following other replicas' commits.
  absl::Status Start();

  // The latest view this process has, without asking the store.
  std::shared_ptr<const RegistryView> Current() const;

  // The view for a read of the current state that must include
  // `min_revision` (0: none): Current(), or a newer one once the store has
  // that revision, waiting for it until `deadline` (at most
  // kMaxMinRevisionWait): DeadlineExceeded when the deadline passes first,
  // Unavailable after the longest wait.
  absl::StatusOr<std::shared_ptr<const RegistryView>> ForRead(
      int64_t min_revision = 0, absl::Time deadline = absl::InfiniteFuture());

  // Whether ForRead(min_revision) would answer at once, without waiting or
  // asking the store: the handlers on gRPC's callback API serve such reads
  // on the thread that received them and hand the others to a worker.
  bool ReadyFor(int64_t min_revision) const {
    return !stale_ && min_revision <= Current()->revision();
  }

  // The view a write is planned on: with follow_store, first brought up to
  // the store's current revision (one query), so that etags and names
  // are checked against every replica's commits.
  absl::StatusOr<std::shared_ptr<const RegistryView>> ForWrite();

  // The view at exactly `revision` if the keeper holds it (the current one
  // or a recent one), else nullptr.
  std::shared_ptr<const RegistryView> At(int64_t revision) const;

  // The view at `revision`: a held view if there is one, else read from
  // the store (only the records of `kinds` under `prefix`).
  absl::StatusOr<std::shared_ptr<const RegistryView>> AtOrLoad(
      int64_t revision, absl::Span<const ResourceKind> kinds = kAllKinds,
      absl::string_view prefix = "");

  // RecordStore::Commit, then the next view with the committed records.
  // Inside the commit's transaction, once its revision is known,
  // `validate` (if given) is called with the view of exactly the state the
  // commit is based on (every earlier commit, also other replicas'); an
  // error from it fails the commit and nothing is stored.
  absl::StatusOr<int64_t> Commit(
      const std::vector<Mutation>& mutations, const CommitInfo& info,
      const std::function<absl::StatusOr<std::string>(
          int64_t revision, const std::vector<const google::protobuf::Message*>& stamped)>&
          make_response,
      const std::function<absl::Status(const RegistryView& base)>& validate = nullptr);

  // Applies every commit after the view's revision up to at least
  // `revision` from the audit log. OK at once if the view is that new.
  absl::Status CatchUp(int64_t revision);

  RecordStore* store() const { return store_; }

 private:
  absl::Status CatchUpLocked(int64_t revision) ABSL_EXCLUSIVE_LOCKS_REQUIRED(update_mu_);
  // CatchUp to the store's current revision.
  absl::Status CatchUpWithStore();
  void Publish(std::shared_ptr<const RegistryView> view) ABSL_EXCLUSIVE_LOCKS_REQUIRED(update_mu_);
  void Follow();

  RecordStore* const store_;
  const Options options_;

  // Serialises the builders of views (commits of this process and
  // catching up): views are built in revision order.
  absl::Mutex update_mu_;
  // Set when a commit succeeded but its view could not be built (the
  // audit log of a preceding commit could not be read): reads catch up.
  std::atomic<bool> stale_{false};

  mutable absl::Mutex view_mu_;
  std::shared_ptr<const RegistryView> current_ ABSL_GUARDED_BY(view_mu_);
  std::deque<std::shared_ptr<const RegistryView>> recent_ ABSL_GUARDED_BY(view_mu_);

  absl::Notification stop_;
  std::thread follower_;
};

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_VIEW_VIEW_KEEPER_H_
