#include "registry-service/view/view_keeper.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "proto/common/status_macros.h"
#include "registry-service/domain/resource_types.h"

namespace missions::registry {
namespace {

// Audit events read per query while catching up.
constexpr int kCatchUpBatch = 2000;
// How long the follower waits for a commit before it looks again.
constexpr absl::Duration kFollowInterval = absl::Seconds(1);

absl::StatusOr<ViewChange> ChangeOf(const AuditRecord& event) {
  std::unique_ptr<google::protobuf::Message> message = NewResource(event.kind);
  if (!message->ParseFromString(event.after)) {
    return absl::DataLossError(absl::StrCat("the audit event of ", event.resource,
                                            " at revision ", event.revision,
                                            " cannot be parsed"));
  }
  return ViewChange{event.kind, std::move(message)};
}

}  // namespace

ViewKeeper::ViewKeeper(RecordStore* store, Options options)
    : store_(store), options_(options), current_(RegistryView::Empty()) {}

ViewKeeper::~ViewKeeper() {
  stop_.Notify();
  if (follower_.joinable()) follower_.join();
}

absl::Status ViewKeeper::Start() {
  {
    absl::MutexLock lock(&update_mu_);
    ASSIGN_OR_RETURN(std::shared_ptr<const RegistryView> loaded,
                     RegistryView::Load(*store_, 0));
    Publish(std::move(loaded));
  }
  if (options_.follow_store && !follower_.joinable()) {
    follower_ = std::thread([this] { Follow(); });
  }
  return absl::OkStatus();
}

std::shared_ptr<const RegistryView> ViewKeeper::Current() const {
  absl::MutexLock lock(&view_mu_);
  return current_;
}

absl::Status ViewKeeper::CatchUpWithStore() {
  ASSIGN_OR_RETURN(const int64_t revision, store_->CurrentRevision());
  return CatchUp(revision);
}

absl::StatusOr<std::shared_ptr<const RegistryView>> ViewKeeper::ForRead(int64_t min_revision,
                                                                        absl::Time deadline) {
  if (stale_) RETURN_IF_ERROR(CatchUpWithStore());
  std::shared_ptr<const RegistryView> view = Current();
  if (min_revision <= view->revision()) return view;
  // Wait for the store to hold the revision (another replica committed
  // it and this one has not heard yet, or it is still committing), then
  // catch up to it.
  const absl::Time until = std::min(deadline, absl::Now() + kMaxMinRevisionWait);
  for (;;) {
    ASSIGN_OR_RETURN(const int64_t revision, store_->CurrentRevision());
    if (revision >= min_revision) {
      RETURN_IF_ERROR(CatchUp(revision));
      return Current();
    }
    if (absl::Now() >= until) {
      const std::string message =
          absl::StrCat("the registry's latest revision is ", revision,
                       ", older than min_revision ", min_revision);
      if (until >= deadline) return absl::DeadlineExceededError(message);
      return absl::UnavailableError(absl::StrCat(message, "; retry later"));
    }
    store_->WaitForRevisionAfter(revision, std::min(until, absl::Now() + absl::Milliseconds(50)));
  }
}

absl::StatusOr<std::shared_ptr<const RegistryView>> ViewKeeper::ForWrite() {
  if (options_.follow_store || stale_) RETURN_IF_ERROR(CatchUpWithStore());
  return Current();
}

std::shared_ptr<const RegistryView> ViewKeeper::At(int64_t revision) const {
  absl::MutexLock lock(&view_mu_);
  if (current_->revision() == revision) return current_;
  for (const auto& view : recent_) {
    if (view->revision() == revision) return view;
  }
  return nullptr;
}

absl::StatusOr<std::shared_ptr<const RegistryView>> ViewKeeper::AtOrLoad(
    int64_t revision, absl::Span<const ResourceKind> kinds, absl::string_view prefix) {
  if (std::shared_ptr<const RegistryView> held = At(revision)) return held;
  return RegistryView::Load(*store_, revision, kinds, prefix);
}

absl::StatusOr<int64_t> ViewKeeper::Commit(
    const std::vector<Mutation>& mutations, const CommitInfo& info,
    const std::function<absl::StatusOr<std::string>(
        int64_t, const std::vector<const google::protobuf::Message*>&)>& make_response,
    const std::function<absl::Status(const RegistryView&)>& validate) {
  absl::MutexLock lock(&update_mu_);
  // The stamped records as the store wrote them (copied: the store owns
  // its messages). A store that retries its transaction calls this again;
  // the last call is the one that committed.
  std::vector<ViewChange> changes;
  const auto capture = [&](int64_t revision,
                           const std::vector<const google::protobuf::Message*>& stamped)
      -> absl::StatusOr<std::string> {
    if (validate) {
      // The state this commit follows: every revision before it. Commits of
      // this process are all in the view (they take update_mu_); other
      // replicas' are read from the audit log (committed, so visible while
      // this transaction holds the commit lock). A store that takes no
      // other replica's commits has none to read: a gap there means the
      // view fell behind (stale_), and the caller plans again.
      if (revision - 1 > Current()->revision()) {
        if (!options_.follow_store) {
          return absl::AbortedError("the registry's view is behind; try again");
        }
        RETURN_IF_ERROR(CatchUpLocked(revision - 1));
      }
      RETURN_IF_ERROR(validate(*Current()));
    }
    changes.clear();
    for (size_t i = 0; i < stamped.size() && i < mutations.size(); ++i) {
      std::shared_ptr<google::protobuf::Message> copy(stamped[i]->New());
      copy->CopyFrom(*stamped[i]);
      changes.push_back(ViewChange{mutations[i].kind, std::move(copy)});
    }
    if (make_response) return make_response(revision, stamped);
    return std::string();
  };
  ASSIGN_OR_RETURN(const int64_t revision, store_->Commit(mutations, info, capture));
  // Other replicas may have committed since the view's revision: their
  // records come first, from the audit log.
  absl::Status caught_up = absl::OkStatus();
  if (revision > Current()->revision() + 1) caught_up = CatchUpLocked(revision - 1);
  if (!caught_up.ok()) {
    // The commit stands; the view follows on the next read.
    stale_ = true;
    return revision;
  }
  if (revision > Current()->revision()) Publish(Current()->Apply(revision, changes));
  return revision;
}

absl::Status ViewKeeper::CatchUp(int64_t revision) {
  absl::MutexLock lock(&update_mu_);
  return CatchUpLocked(revision);
}

absl::Status ViewKeeper::CatchUpLocked(int64_t revision) {
  std::shared_ptr<const RegistryView> view = Current();
  while (view->revision() < revision) {
    AuditQuery query;
    query.after_revision = view->revision();
    query.limit = kCatchUpBatch;
    ASSIGN_OR_RETURN(const std::vector<AuditRecord> events, store_->ReadAudit(query));
    // Commits are visible whole and in revision order; a full batch may
    // end inside one, which the next batch then reads again whole.
    const bool full = static_cast<int>(events.size()) == kCatchUpBatch;
    const int64_t complete_until =
        full ? events.back().revision - 1 : std::max(revision, view->revision());
    if (full && complete_until <= view->revision()) {
      return absl::ResourceExhaustedError(
          absl::StrCat("revision ", events.back().revision, " changed more than ",
                       kCatchUpBatch, " records at once; restart to read it"));
    }
    size_t i = 0;
    while (i < events.size() && events[i].revision <= complete_until) {
      const int64_t commit = events[i].revision;
      std::vector<ViewChange> changes;
      for (; i < events.size() && events[i].revision == commit; ++i) {
        ASSIGN_OR_RETURN(ViewChange change, ChangeOf(events[i]));
        changes.push_back(std::move(change));
      }
      view = view->Apply(commit, changes);
    }
    // Revisions without records (none in the log) up to what was asked.
    if (!full && view->revision() < complete_until) view = view->Apply(complete_until, {});
    Publish(view);
  }
  stale_ = false;
  return absl::OkStatus();
}

void ViewKeeper::Publish(std::shared_ptr<const RegistryView> view) {
  absl::MutexLock lock(&view_mu_);
  if (view == current_) return;
  recent_.push_front(std::move(current_));
  while (static_cast<int>(recent_.size()) > options_.recent_views) recent_.pop_back();
  current_ = std::move(view);
}

void ViewKeeper::Follow() {
  while (!stop_.HasBeenNotified()) {
    const int64_t seen = Current()->revision();
    const int64_t revision =
        store_->WaitForRevisionAfter(seen, absl::Now() + kFollowInterval);
    if (stop_.HasBeenNotified()) break;
    if (revision > seen) {
      // A storage outage is retried on the next round (and by ForRead).
      CatchUp(revision).IgnoreError();
    }
  }
}

}  // namespace missions::registry
