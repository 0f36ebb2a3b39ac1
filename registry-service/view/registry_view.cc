#include "registry-service/view/registry_view.h"

#include <algorithm>
#include <map>
#include <utility>

#include "proto/common/status_macros.h"
#include "registry-service/domain/resource_names.h"

namespace missions::registry {
namespace {

size_t Slot(ResourceKind kind) { return static_cast<size_t>(kind); }

bool NameLess(const ViewRecordPtr& a, absl::string_view b) { return a->name < b; }

// The records of `index` whose names start with `prefix`.
absl::Span<const ViewRecordPtr> PrefixRange(const std::vector<ViewRecordPtr>& index,
                                            absl::string_view prefix) {
  if (prefix.empty()) return absl::MakeConstSpan(index);
  const auto begin = std::lower_bound(index.begin(), index.end(), prefix, NameLess);
  // Names with the prefix form one run in name order; its end is the first
  // name that does not start with it.
  const auto end = std::partition_point(begin, index.end(), [&](const ViewRecordPtr& r) {
    return absl::string_view(r->name).substr(0, prefix.size()) == prefix;
  });
  return absl::MakeConstSpan(index.data() + (begin - index.begin()),
                             static_cast<size_t>(end - begin));
}

// `base` (sorted by name) with `changed` (sorted by name, unique) merged
// in: a changed record replaces the one of the same name. With `live`,
// deleted records are left out of the result.
std::shared_ptr<const std::vector<ViewRecordPtr>> Merge(
    const std::vector<ViewRecordPtr>& base, const std::vector<ViewRecordPtr>& changed,
    bool live) {
  auto out = std::make_shared<std::vector<ViewRecordPtr>>();
  out->reserve(base.size() + changed.size());
  auto b = base.begin();
  auto c = changed.begin();
  while (b != base.end() || c != changed.end()) {
    if (c == changed.end() || (b != base.end() && (*b)->name < (*c)->name)) {
      out->push_back(*b++);
      continue;
    }
    if (b != base.end() && (*b)->name == (*c)->name) ++b;  // replaced
    if (!live || !(*c)->deleted) out->push_back(*c);
    ++c;
  }
  return out;
}

}  // namespace

RegistryView::RegistryView() {
  static const auto* const kEmpty = new std::shared_ptr<const Index>(std::make_shared<Index>());
  for (KindIndex& k : kinds_) k = KindIndex{*kEmpty, *kEmpty};
}

const std::string& ViewRecord::Wire() const {
  const std::string* wire = wire_.load(std::memory_order_acquire);
  if (wire != nullptr) return *wire;
  auto made = std::make_unique<std::string>(message->SerializeAsString());
  const std::string* expected = nullptr;
  if (wire_.compare_exchange_strong(expected, made.get(), std::memory_order_acq_rel)) {
    return *made.release();
  }
  return *expected;  // another reader made them first
}

std::shared_ptr<const RegistryView> RegistryView::Empty() {
  return std::shared_ptr<const RegistryView>(new RegistryView());
}

absl::StatusOr<std::shared_ptr<const RegistryView>> RegistryView::Load(
    RecordStore& store, int64_t revision, absl::Span<const ResourceKind> kinds,
    absl::string_view prefix) {
  if (revision == 0) {
    ASSIGN_OR_RETURN(revision, store.CurrentRevision());
  }
  std::shared_ptr<RegistryView> view(new RegistryView());
  view->revision_ = revision;
  if (revision == 0) return std::shared_ptr<const RegistryView>(std::move(view));
  for (ResourceKind kind : kinds) {
    // The store lists in creation order: that order is the sequence.
    ASSIGN_OR_RETURN(std::vector<StoredResource> stored, store.List(kind, prefix, revision));
    auto all = std::make_shared<Index>();
    auto live = std::make_shared<Index>();
    all->reserve(stored.size());
    for (StoredResource& r : stored) {
      auto record = std::make_shared<ViewRecord>();
      record->name = NameOf(*r.message);
      record->kind = kind;
      record->message = std::move(r.message);
      record->revision = r.revision;
      record->deleted = r.deleted;
      record->sequence = view->next_sequence_++;
      all->push_back(std::move(record));
    }
    std::sort(all->begin(), all->end(),
              [](const ViewRecordPtr& a, const ViewRecordPtr& b) { return a->name < b->name; });
    for (const ViewRecordPtr& r : *all) {
      if (!r->deleted) live->push_back(r);
    }
    view->kinds_[Slot(kind)] = KindIndex{std::move(all), std::move(live)};
  }
  return std::shared_ptr<const RegistryView>(std::move(view));
}

std::shared_ptr<const RegistryView> RegistryView::Apply(
    int64_t revision, const std::vector<ViewChange>& changes) const {
  std::shared_ptr<RegistryView> next(new RegistryView(*this));
  next->revision_ = std::max(revision, revision_);
  // The changed records per kind, by name; a record changed twice in one
  // commit keeps its last state.
  std::map<ResourceKind, std::map<std::string, ViewRecordPtr>> by_kind;
  for (const ViewChange& change : changes) {
    auto record = std::make_shared<ViewRecord>();
    record->name = NameOf(*change.message);
    record->kind = change.kind;
    record->message = change.message;
    record->revision = revision;
    record->deleted = IsDeleted(*change.message);
    // A record keeps its place in the creation order through updates,
    // deletes and undeletes.
    if (const ViewRecord* before = Find(change.kind, record->name); before != nullptr) {
      record->sequence = before->sequence;
    } else if (auto& slot = by_kind[change.kind][record->name]; slot != nullptr) {
      record->sequence = slot->sequence;
    } else {
      record->sequence = next->next_sequence_++;
    }
    by_kind[change.kind][record->name] = std::move(record);
  }
  for (auto& [kind, records] : by_kind) {
    std::vector<ViewRecordPtr> changed;
    changed.reserve(records.size());
    for (auto& [name, record] : records) changed.push_back(std::move(record));
    const KindIndex& before = kinds_[Slot(kind)];
    next->kinds_[Slot(kind)] =
        KindIndex{Merge(*before.all, changed, /*live=*/false),
                  Merge(*before.live, changed, /*live=*/true)};
  }
  return next;
}

size_t RegistryView::size() const {
  size_t n = 0;
  for (const KindIndex& k : kinds_) n += k.all->size();
  return n;
}

const ViewRecord* RegistryView::Find(ResourceKind kind, absl::string_view name) const {
  const Index& index = *kinds_[Slot(kind)].all;
  const auto it = std::lower_bound(index.begin(), index.end(), name, NameLess);
  if (it == index.end() || (*it)->name != name) return nullptr;
  return it->get();
}

const ViewRecord* RegistryView::Find(absl::string_view name) const {
  absl::StatusOr<ResourceName> parsed = ParseResourceName(name);
  if (!parsed.ok()) return nullptr;
  return Find(parsed->kind, name);
}

absl::Span<const ViewRecordPtr> RegistryView::Range(ResourceKind kind, absl::string_view prefix,
                                                    bool live) const {
  const KindIndex& k = kinds_[Slot(kind)];
  return PrefixRange(live ? *k.live : *k.all, prefix);
}

}  // namespace missions::registry
