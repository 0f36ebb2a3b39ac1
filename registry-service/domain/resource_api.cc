#include "registry-service/domain/resource_api.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "proto/common/dates.h"
#include "proto/common/errors.h"
#include "proto/common/status_macros.h"
#include "registry-service/domain/as_of.h"
#include "registry-service/domain/filter.h"
#include "registry-service/domain/mission_order.h"
#include "registry-service/domain/order_by.h"
#include "registry-service/domain/request_replay.h"
#include "registry-service/domain/resource_types.h"
#include "registry-service/domain/signed_token.h"
#include "registry-service/domain/validation.h"
#include "registry-service/view/view_lookup.h"
#include "registry/v1/resources.pb.h"

namespace missions::registry {
namespace {

namespace v1 = ::registry::v1;
using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::FieldMask;
using ::google::protobuf::Message;
using ::google::protobuf::util::FieldMaskUtil;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr int kMaxBatch = 500;
constexpr absl::string_view kTokenSecret = "page-tokens";
constexpr absl::string_view kWouldBlockPayload = "missions.registry/read-would-block";

// A read's "would block" (ReadOptions::may_block).
absl::Status WouldBlock() {
  absl::Status status = absl::UnavailableError("this read must run where it may wait");
  status.SetPayload(kWouldBlockPayload, absl::Cord());
  return status;
}

// --- Reflection on request messages. --------------------------------------

const FieldDescriptor* Field(const Message& m, absl::string_view name) {
  return m.GetDescriptor()->FindFieldByName(std::string(name));
}

std::string GetString(const Message& m, absl::string_view name) {
  const FieldDescriptor* fd = Field(m, name);
  return fd == nullptr ? "" : m.GetReflection()->GetString(m, fd);
}

int64_t GetInt(const Message& m, absl::string_view name) {
  const FieldDescriptor* fd = Field(m, name);
  if (fd == nullptr) return 0;
  return fd->cpp_type() == FieldDescriptor::CPPTYPE_INT64
             ? m.GetReflection()->GetInt64(m, fd)
             : m.GetReflection()->GetInt32(m, fd);
}

bool GetBool(const Message& m, absl::string_view name) {
  const FieldDescriptor* fd = Field(m, name);
  return fd != nullptr && m.GetReflection()->GetBool(m, fd);
}

bool Has(const Message& m, absl::string_view name) {
  const FieldDescriptor* fd = Field(m, name);
  return fd != nullptr && m.GetReflection()->HasField(m, fd);
}

// The field of `m` holding a message of `type` (the resource in Create and
// Update requests; the repeated results in List and BatchGet responses).
const FieldDescriptor* FieldOfType(const Message& m, const Descriptor* type) {
  const Descriptor* d = m.GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    if (d->field(i)->message_type() == type) return d->field(i);
  }
  return nullptr;
}

// The registry collection id of a kind ("missions", "postings", ...), taken
// from its name pattern.
std::string CollectionOf(ResourceKind kind) {
  const absl::string_view pattern = ResourceNamePattern(kind);
  // "missions/{mission}/postings/{posting}" -> "postings"
  const size_t last_brace = pattern.rfind('{');
  const absl::string_view before = pattern.substr(0, last_brace - 1);
  const size_t slash = before.rfind('/');
  return std::string(slash == absl::string_view::npos ? before : before.substr(slash + 1));
}

// The kind of the parent of a child kind, or nullopt for top-level kinds.
std::optional<ResourceKind> ParentKindOf(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kCluster:
      return ResourceKind::kRegion;
    case ResourceKind::kReportText:
      return ResourceKind::kReportYear;
    case ResourceKind::kInternationalMandate:
    case ResourceKind::kNationalMandate:
    case ResourceKind::kPersonnelFigures:
    case ResourceKind::kPosting:
    case ResourceKind::kFinancialContribution:
    case ResourceKind::kNarrative:
      return ResourceKind::kMission;
    default:
      return std::nullopt;
  }
}

// Kinds whose records lie under a record of `kind`.
std::vector<ResourceKind> ChildKindsOf(ResourceKind kind) {
  std::vector<ResourceKind> children;
  for (ResourceKind k : kAllKinds) {
    if (ParentKindOf(k) == kind) children.push_back(k);
  }
  return children;
}

// Checks that `name` is a name of `kind`; adds a violation of `field`.
void CheckName(ResourceKind kind, const std::string& name, const std::string& field,
               ViolationList* violations) {
  if (name.empty()) {
    violations->Add(field, absl::StrCat("is required: the name of the ",
                                        ResourceKindLabel(kind), " (",
                                        ResourceNamePattern(kind), ")"));
    return;
  }
  absl::Status status = ParseResourceName(name, kind).status();
  if (!status.ok()) violations->Add(field, std::string(status.message()));
}

// The `as_of` of a request, if it has one set.
absl::StatusOr<ReadPoint> ResolveAsOf(RecordStore& store, int64_t current,
                                      const Message& request, ViolationList* violations) {
  const FieldDescriptor* fd = Field(request, "as_of");
  const v1::AsOf* as_of =
      fd != nullptr && request.GetReflection()->HasField(request, fd)
          ? &static_cast<const v1::AsOf&>(request.GetReflection()->GetMessage(request, fd))
          : nullptr;
  return missions::registry::ResolveAsOf(store, current, as_of, "as_of", violations);
}

// --- Filter functions of each kind. ---------------------------------------

FilterValue::Kind kInt = FilterValue::Kind::kInteger;
FilterValue::Kind kString = FilterValue::Kind::kString;
FilterValue::Kind kDate = FilterValue::Kind::kDate;

bool EndsBefore(const v1::EndDate& end, const google::type::Date& date) {
  return end.kind() == v1::EndDate::DATE && IsFullDate(end.date()) &&
         LastDay(end.date()) < FirstDay(date);
}

// decided_on as a sortable day; undated decisions count as earliest.
absl::CivilDay DecidedDay(const google::type::Date& decided_on) {
  return IsEmptyDate(decided_on) ? absl::CivilDay(1, 1, 1) : FirstDay(decided_on);
}

// Names of the decisions in force on `day`: per mission, the latest one
// decided on or before it (creation order breaks ties).
template <typename Decision>
std::set<std::string> InForceOn(absl::Span<const ViewRecordPtr> by_name, absl::CivilDay day) {
  std::vector<const ViewRecord*> decisions;
  for (const ViewRecordPtr& r : by_name) {
    if (!r->deleted) decisions.push_back(r.get());
  }
  std::sort(decisions.begin(), decisions.end(),
            [](const ViewRecord* a, const ViewRecord* b) { return a->sequence < b->sequence; });
  std::map<std::string, std::pair<absl::CivilDay, std::string>> latest;
  for (const ViewRecord* r : decisions) {
    const auto& d = static_cast<const Decision&>(*r->message);
    const absl::CivilDay decided = DecidedDay(d.decided_on());
    if (decided > day) continue;
    auto& slot = latest[ParentMission(d.name())];
    if (slot.second.empty() || !(decided < slot.first)) slot = {decided, d.name()};
  }
  std::set<std::string> names;
  for (const auto& [mission, entry] : latest) names.insert(entry.second);
  return names;
}

// The functions filters on `kind` may call. `all` holds every record of
// the kind in the listed range at the read revision, by name (for
// predicates that compare records); the caller keeps it alive while the
// filter is used.
FunctionTable FunctionsFor(ResourceKind kind, absl::Span<const ViewRecordPtr> all) {
  FunctionTable table;
  if (kind == ResourceKind::kMission) {
    table.Add("active_in", {kInt}, [](const Message& m, absl::Span<const FilterValue> args)
                  -> absl::StatusOr<bool> {
      return IsActiveInYear(static_cast<const v1::Mission&>(m),
                            static_cast<int>(args[0].integer_value()));
    });
    table.Add("in_region", {kString},
              [](const Message& m, absl::Span<const FilterValue> args) -> absl::StatusOr<bool> {
                return static_cast<const v1::Mission&>(m).region() == args[0].string_value();
              });
    table.Add("in_cluster", {kString},
              [](const Message& m, absl::Span<const FilterValue> args) -> absl::StatusOr<bool> {
                return static_cast<const v1::Mission&>(m).cluster() == args[0].string_value();
              });
  }
  const auto add_decision_functions = [&](auto* tag) {
    using Decision = std::remove_pointer_t<decltype(tag)>;
    table.Add("ends_before", {kDate},
              [](const Message& m, absl::Span<const FilterValue> args) -> absl::StatusOr<bool> {
                return EndsBefore(static_cast<const Decision&>(m).valid_until(),
                                  args[0].date_value());
              });
    auto cache = std::make_shared<std::map<absl::CivilDay, std::set<std::string>>>();
    table.Add("in_force_on", {kDate},
              [all, cache](const Message& m,
                           absl::Span<const FilterValue> args) -> absl::StatusOr<bool> {
                const absl::CivilDay day = FirstDay(args[0].date_value());
                auto it = cache->find(day);
                if (it == cache->end()) {
                  it = cache->emplace(day, InForceOn<Decision>(all, day)).first;
                }
                return it->second.count(static_cast<const Decision&>(m).name()) > 0;
              });
  };
  if (kind == ResourceKind::kInternationalMandate) {
    add_decision_functions(static_cast<v1::InternationalMandateDecision*>(nullptr));
  }
  if (kind == ResourceKind::kNationalMandate) {
    add_decision_functions(static_cast<v1::NationalMandateDecision*>(nullptr));
  }
  return table;
}

// --- Validation of one record, by kind. -----------------------------------

ViolationList ValidateRecord(ResourceKind kind, const Message& m, const ReferenceLookup& refs) {
  const std::string mission = ParentMission(NameOf(m));
  switch (kind) {
    case ResourceKind::kRegion: return ValidateRegion(static_cast<const v1::Region&>(m));
    case ResourceKind::kCluster:
      return ValidateCluster(static_cast<const v1::Cluster&>(m), refs);
    case ResourceKind::kCapPool: return ValidateCapPool(static_cast<const v1::CapPool&>(m));
    case ResourceKind::kReportYear:
      return ValidateReportYear(static_cast<const v1::ReportYear&>(m));
    case ResourceKind::kReportText:
      return ValidateReportText(static_cast<const v1::ReportText&>(m), refs);
    case ResourceKind::kMission:
      return ValidateMission(static_cast<const v1::Mission&>(m), refs);
    case ResourceKind::kInternationalMandate:
      return ValidateInternationalMandateDecision(
          static_cast<const v1::InternationalMandateDecision&>(m), mission);
    case ResourceKind::kNationalMandate:
      return ValidateNationalMandateDecision(
          static_cast<const v1::NationalMandateDecision&>(m), mission, refs);
    case ResourceKind::kPersonnelFigures:
      return ValidatePersonnelFigures(static_cast<const v1::PersonnelFigures&>(m), mission);
    case ResourceKind::kPosting:
      return ValidatePosting(static_cast<const v1::Posting&>(m), mission);
    case ResourceKind::kFinancialContribution:
      return ValidateFinancialContribution(static_cast<const v1::FinancialContribution&>(m),
                                           mission);
    case ResourceKind::kNarrative:
      return ValidateNarrative(static_cast<const v1::Narrative&>(m), mission);
  }
  return ViolationList();
}

// Adds a violation of `field`.decided_on if another live decision of the
// same kind and mission was taken on the same (full) day as `decision`:
// in_force_on could not tell them apart.
template <typename Decision>
void CheckDecisionDay(const RegistryView& view, ResourceKind kind, const Decision& decision,
                      const std::string& field, ViolationList* violations) {
  if (!decision.has_decided_on() || !IsFullDate(decision.decided_on())) return;
  const absl::CivilDay day = FirstDay(decision.decided_on());
  for (const ViewRecordPtr& r : view.Range(kind, ParentMission(decision.name()) + "/", true)) {
    const auto& other = static_cast<const Decision&>(*r->message);
    if (other.name() != decision.name() && other.has_decided_on() &&
        IsFullDate(other.decided_on()) && FirstDay(other.decided_on()) == day) {
      violations->Add(absl::StrCat(field, ".decided_on"),
                      SameDayDecisionMessage(other.name(), decision.decided_on()));
    }
  }
}

// Rules across records that one record's validation cannot see: one
// narrative per (mission, year, section, language), one report text per
// (year, kind, subject, language), and one international and one national
// mandate decision per mission and day.
absl::Status CheckUniqueness(const RegistryView& view, ResourceKind kind, const Message& m,
                             const std::string& field, ViolationList* violations) {
  if (kind == ResourceKind::kInternationalMandate) {
    CheckDecisionDay(view, kind, static_cast<const v1::InternationalMandateDecision&>(m), field,
                     violations);
  }
  if (kind == ResourceKind::kNationalMandate) {
    CheckDecisionDay(view, kind, static_cast<const v1::NationalMandateDecision&>(m), field,
                     violations);
  }
  if (kind == ResourceKind::kNarrative) {
    const auto& n = static_cast<const v1::Narrative&>(m);
    for (const ViewRecordPtr& r : view.Range(kind, ParentMission(n.name()) + "/", true)) {
      const auto& other = static_cast<const v1::Narrative&>(*r->message);
      if (other.name() != n.name() && other.year() == n.year() &&
          other.section() == n.section() && other.language() == n.language()) {
        violations->Add(field, absl::StrCat(other.name(), " already holds this section for ",
                                            n.year(), " in '", n.language(), "'"));
      }
    }
  }
  if (kind == ResourceKind::kReportText) {
    const auto& t = static_cast<const v1::ReportText&>(m);
    ASSIGN_OR_RETURN(ResourceName parsed, ParseResourceName(t.name()));
    for (const ViewRecordPtr& r : view.Range(kind, ParentName(parsed) + "/", true)) {
      const auto& other = static_cast<const v1::ReportText&>(*r->message);
      if (other.name() != t.name() && other.kind() == t.kind() &&
          other.subject() == t.subject() && other.language() == t.language()) {
        violations->Add(field, absl::StrCat(other.name(), " already holds this text in '",
                                            t.language(), "'"));
      }
    }
  }
  return absl::OkStatus();
}

bool IsOutputOnly(absl::string_view path) {
  const absl::string_view top = path.substr(0, path.find('.'));
  return top == "etag" || top == "create_time" || top == "update_time" ||
         top == "delete_time";
}

// The implied update mask of an Update without one (AIP-134): the
// top-level fields of `given` that are set, `name` and output-only fields
// excepted. Set means: a message field or proto3 `optional` field that is
// present; a repeated or map field with an entry; any other field with a
// value other than its default (reflection's HasField for fields without
// presence).
FieldMask SetFieldsMask(const Message& given) {
  FieldMask mask;
  const Descriptor* d = given.GetDescriptor();
  const auto* reflection = given.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* fd = d->field(i);
    if (fd->name() == "name" || IsOutputOnly(fd->name())) continue;
    const bool set = fd->is_repeated() ? reflection->FieldSize(given, fd) > 0
                                       : reflection->HasField(given, fd);
    if (set) mask.add_paths(fd->name());
  }
  return mask;
}

// The top-level fields whose values differ between `a` and `b` (for the
// audit log), output-only fields excepted.
std::vector<std::string> ChangedFields(const Message& a, const Message& b) {
  std::vector<std::string> fields;
  const Descriptor* d = a.GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* fd = d->field(i);
    const std::string& name = fd->name();
    if (IsOutputOnly(name)) continue;
    google::protobuf::util::MessageDifferencer differencer;
    std::vector<const FieldDescriptor*> only = {fd};
    if (!differencer.CompareWithFields(a, b, only, only)) fields.push_back(name);
  }
  return fields;
}

// A deterministic serialization (map order fixed) for fingerprints.
std::string Deterministic(const Message& m) { return DeterministicBytes(m); }

void PackAny(const std::string& bytes, ResourceKind kind, google::protobuf::Any* any) {
  any->set_type_url(absl::StrCat("type.googleapis.com/", DescriptorOf(kind)->full_name()));
  any->set_value(bytes);
}

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  google::protobuf::Timestamp ts;
  const int64_t micros = absl::ToUnixMicros(time);
  ts.set_seconds(micros / 1000000);
  ts.set_nanos(static_cast<int32_t>((micros % 1000000) * 1000));
  return ts;
}

v1::AuditEvent ToAuditEvent(const AuditRecord& record) {
  v1::AuditEvent event;
  event.set_id(record.id);
  event.set_revision(record.revision);
  *event.mutable_time() = ToTimestamp(record.time);
  event.set_principal(record.principal);
  event.set_principal_display_name(record.display_name);
  event.set_peer(record.peer);
  // The deprecated `actor` names the principal, for older clients.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  event.set_actor(record.principal);
#pragma GCC diagnostic pop
  event.set_method(record.method);
  event.set_reason(record.reason);
  event.set_request_id(record.request_id);
  event.set_resource(record.resource);
  event.set_change(static_cast<v1::ChangeKind>(static_cast<int>(record.change) + 1));
  for (const std::string& f : record.fields) event.add_fields(f);
  if (!record.before.empty()) PackAny(record.before, record.kind, event.mutable_before());
  PackAny(record.after, record.kind, event.mutable_after());
  return event;
}

int PageSize(int64_t requested) {
  if (requested == 0) return kDefaultPageSize;
  return static_cast<int>(std::min<int64_t>(requested, kMaxPageSize));
}

// The revision an etag names (0 for an empty etag); a malformed etag is a
// violation of `field`.
int64_t ExpectedRevision(const std::string& etag, const std::string& field,
                         ViolationList* violations) {
  if (etag.empty()) return 0;
  absl::StatusOr<int64_t> revision = RevisionOfEtag(etag);
  if (!revision.ok()) {
    violations->Add(field, std::string(revision.status().message()));
    return 0;
  }
  return *revision;
}

// Aborted if the caller based its change on an older state than `current`.
absl::Status CheckEtag(const std::string& name, const std::string& etag, int64_t expected,
                       int64_t current) {
  if (expected == 0 || expected == current) return absl::OkStatus();
  return absl::AbortedError(absl::StrCat(name, " was changed since (etag ", etag, ", now ",
                                         EtagFor(current), "); read it again and retry"));
}

// True if two plans change the same records in the same way.
bool SameMutations(const std::vector<Mutation>& a, const std::vector<Mutation>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].change != b[i].change || a[i].kind != b[i].kind ||
        a[i].expected_revision != b[i].expected_revision || a[i].fields != b[i].fields ||
        !google::protobuf::util::MessageDifferencer::Equals(*a[i].after, *b[i].after)) {
      return false;
    }
  }
  return true;
}

// The record named `name` in `view`, as the store's Get returns it.
absl::StatusOr<StoredResource> CurrentRecord(const RegistryView& view, ResourceKind kind,
                                             absl::string_view name) {
  const ViewRecord* record = view.Find(kind, name);
  if (record == nullptr) return absl::NotFoundError(absl::StrCat(name, " not found"));
  return record->ToStored();
}

// The stored record a Delete or Undelete request names: checks the
// request's name and etag, that the record is (not) deleted as `deleted`
// asks, and that the etag is current.
absl::StatusOr<StoredResource> CurrentForChange(const RegistryView& view, ResourceKind kind,
                                                const Message& request,
                                                const std::string& method, bool deleted) {
  ViolationList violations;
  const std::string name = GetString(request, "name");
  CheckName(kind, name, "name", &violations);
  const std::string etag = GetString(request, "etag");
  const int64_t expected = ExpectedRevision(etag, "etag", &violations);
  RETURN_IF_ERROR(violations.ToStatus(absl::StrCat("invalid ", method, " request")));
  ASSIGN_OR_RETURN(StoredResource current, CurrentRecord(view, kind, name));
  if (current.deleted != deleted) {
    return absl::FailedPreconditionError(
        absl::StrCat(name, deleted ? " is not deleted" : " is deleted already"));
  }
  RETURN_IF_ERROR(CheckEtag(name, etag, expected, current.revision));
  return current;
}

}  // namespace

bool IsWouldBlock(const absl::Status& status) {
  return status.GetPayload(kWouldBlockPayload).has_value();
}

absl::StatusOr<std::string> ResourceApi::TokenKey(const ReadOptions& options) {
  // The secret never changes once created: read it from the store once.
  absl::MutexLock lock(&token_key_mu_);
  if (token_key_.empty()) {
    if (!options.may_block) return WouldBlock();
    ASSIGN_OR_RETURN(token_key_, store_->Secret(kTokenSecret));
  }
  return token_key_;
}

absl::StatusOr<std::shared_ptr<const RegistryView>> ResourceApi::ReadView(
    const Message& request, const ReadOptions& options, ViolationList* violations) {
  const int64_t min_revision = GetInt(request, "min_revision");
  if (min_revision < 0) violations->Add("min_revision", "must not be negative");
  const bool as_of = Has(request, "as_of");
  const int64_t wait_for = as_of ? 0 : std::max<int64_t>(min_revision, 0);
  // as_of resolves a time against the store, and reads a revision no
  // longer held in memory from it.
  if (!options.may_block && (as_of || !views_->ReadyFor(wait_for))) return WouldBlock();
  return views_->ForRead(wait_for, options.deadline);
}

absl::StatusOr<ResourceApi::ReadRecordResult> ResourceApi::ReadRecord(
    const std::shared_ptr<const RegistryView>& current, ResourceKind kind,
    const std::string& name, int64_t revision) {
  std::shared_ptr<const RegistryView> held =
      revision == current->revision() ? current : views_->At(revision);
  if (held != nullptr) {
    const ViewRecord* record = held->Find(kind, name);
    if (record == nullptr) {
      if (held == current) return absl::NotFoundError(absl::StrCat(name, " not found"));
      return absl::NotFoundError(absl::StrCat(name, " did not exist at revision ", revision));
    }
    return ReadRecordResult{record->ToStored(), &record->Wire(), std::move(held)};
  }
  ASSIGN_OR_RETURN(StoredResource stored, store_->Get(name, revision));
  return ReadRecordResult{std::move(stored), nullptr, nullptr};
}

absl::Status ResourceApi::Get(ResourceKind kind, const Message& request,
                              const ReadOptions& options, ReadOutput* output) {
  ViolationList violations;
  const std::string name = GetString(request, "name");
  CheckName(kind, name, "name", &violations);
  ASSIGN_OR_RETURN(const std::shared_ptr<const RegistryView> view,
                   ReadView(request, options, &violations));
  ReadPoint point{view->revision(), false};
  if (Has(request, "as_of")) {
    ASSIGN_OR_RETURN(point, ResolveAsOf(*store_, view->revision(), request, &violations));
  }
  RETURN_IF_ERROR(violations.ToStatus(
      absl::StrCat("invalid Get", DescriptorOf(kind)->name(), " request")));
  if (point.empty) {
    return absl::NotFoundError(absl::StrCat(name, " did not exist at that time"));
  }
  ASSIGN_OR_RETURN(const ReadRecordResult read, ReadRecord(view, kind, name, point.revision));
  output->AddRecord(*read.stored.message, read.wire);
  output->NoteRevision(read.stored.revision);
  return absl::OkStatus();
}

absl::Status ResourceApi::List(ResourceKind kind, const Message& request,
                               const ReadOptions& options, ReadOutput* output) {
  ViolationList violations;
  const Descriptor* type = DescriptorOf(kind);
  // Where to look.
  std::string prefix;
  const std::optional<ResourceKind> parent_kind = ParentKindOf(kind);
  const std::string parent = GetString(request, "parent");
  if (parent_kind.has_value()) {
    const std::string wildcard =
        absl::StrCat(CollectionOf(*parent_kind), "/-");
    if (parent == wildcard) {
      prefix = "";
    } else if (parent.empty()) {
      violations.Add("parent", absl::StrCat("is required: ", ResourceNamePattern(*parent_kind),
                                            ", or ", wildcard, " for all"));
    } else {
      absl::Status status = ParseResourceName(parent, *parent_kind).status();
      if (!status.ok()) {
        violations.Add("parent", std::string(status.message()));
      } else {
        prefix = parent + "/";
      }
    }
  }
  const int64_t page_size = GetInt(request, "page_size");
  if (page_size < 0) violations.Add("page_size", "must not be negative");
  ASSIGN_OR_RETURN(const std::shared_ptr<const RegistryView> current,
                   ReadView(request, options, &violations));
  ASSIGN_OR_RETURN(ReadPoint point,
                   ResolveAsOf(*store_, current->revision(), request, &violations));

  ASSIGN_OR_RETURN(const std::string key, TokenKey(options));
  const std::string filter_text = GetString(request, "filter");
  const std::string order_text = GetString(request, "order_by");
  const bool show_deleted = GetBool(request, "show_deleted");
  // The request minus paging, to bind tokens to it: computed only for a
  // page token to check or to issue (a first page that holds everything
  // needs none).
  const auto fingerprint_of_request = [&request] {
    std::unique_ptr<Message> shape(request.New());
    shape->CopyFrom(request);
    for (absl::string_view f : {"page_token", "page_size", "as_of"}) {
      if (const FieldDescriptor* fd = Field(*shape, f)) {
        shape->GetReflection()->ClearField(shape.get(), fd);
      }
    }
    return absl::StrCat(StableDigest(Deterministic(*shape)));
  };
  std::string fingerprint;
  int64_t offset = 0;
  const std::string token = GetString(request, "page_token");
  if (!token.empty()) {
    fingerprint = fingerprint_of_request();
    absl::StatusOr<std::vector<std::string>> fields = VerifyToken(key, token);
    int64_t revision = 0;
    if (!fields.ok() || fields->size() != 4 || (*fields)[0] != KindId(kind) ||
        (*fields)[1] != fingerprint || !absl::SimpleAtoi((*fields)[2], &revision) ||
        !absl::SimpleAtoi((*fields)[3], &offset) || revision < 0 || offset < 0) {
      violations.Add("page_token",
                     "is not a token this registry issued for this request (same "
                     "parent, filter, order_by and show_deleted); start again without it");
    } else {
      point = ReadPoint{revision, revision == 0};
    }
  }
  // The view at the read revision: the current one, a recent one (the
  // pages of a listing that began a few commits ago), or read from the
  // store for an older revision.
  std::shared_ptr<const RegistryView> view = RegistryView::Empty();
  if (point.revision == current->revision()) {
    view = current;
  } else if (!point.empty && violations.empty()) {
    view = views_->At(point.revision);
    if (view == nullptr) {
      if (!options.may_block) return WouldBlock();
      const ResourceKind kinds[] = {kind};
      ASSIGN_OR_RETURN(view, views_->AtOrLoad(point.revision, kinds, prefix));
    }
  }
  // Every record of the range, by name, as the filters' functions see it.
  const absl::Span<const ViewRecordPtr> all = view->Range(kind, prefix, /*live=*/false);
  absl::StatusOr<Filter> filter = Filter::Parse(filter_text, type, FunctionsFor(kind, all));
  if (!filter.ok()) {
    violations.Add("filter", std::string(absl::StripPrefix(filter.status().message(), "filter: ")));
  }
  absl::StatusOr<OrderBy> order = OrderBy::Parse(order_text, type);
  if (!order.ok()) {
    violations.Add("order_by",
                   std::string(absl::StripPrefix(order.status().message(), "order_by: ")));
  }
  RETURN_IF_ERROR(violations.ToStatus(absl::StrCat("invalid List request")));

  // The view's ranges are in name order, the default order: without a
  // filter or order_by a page is a slice of the range.
  const absl::Span<const ViewRecordPtr> candidates =
      show_deleted ? all : view->Range(kind, prefix, /*live=*/true);
  std::vector<const ViewRecord*> matched;
  const bool sliced = filter->empty() && order->empty();
  if (!sliced) {
    for (const ViewRecordPtr& r : candidates) {
      ASSIGN_OR_RETURN(const bool matches, filter->Matches(*r->message));
      if (matches) matched.push_back(r.get());
    }
    // Stable: records of equal keys stay in name order.
    if (!order->empty()) {
      std::stable_sort(matched.begin(), matched.end(),
                       [&](const ViewRecord* a, const ViewRecord* b) {
                         return order->Less(*a->message, *b->message);
                       });
    }
  }
  const int64_t total = sliced ? static_cast<int64_t>(candidates.size())
                               : static_cast<int64_t>(matched.size());
  const int size = PageSize(page_size);
  for (int64_t i = offset; i < total && i < offset + size; ++i) {
    const ViewRecord& item = sliced ? *candidates[i] : *matched[i];
    output->AddRecord(*item.message, &item.Wire());
  }
  if (offset + size < total) {
    if (fingerprint.empty()) fingerprint = fingerprint_of_request();
    output->SetNextPageToken(
        SignToken(key, {std::string(KindId(kind)), fingerprint, absl::StrCat(point.revision),
                        absl::StrCat(offset + size)}));
  }
  output->SetRevision(point.revision);
  return absl::OkStatus();
}

absl::Status ResourceApi::BatchGet(ResourceKind kind, const Message& request,
                                   const ReadOptions& options, ReadOutput* output) {
  ViolationList violations;
  const FieldDescriptor* names_field = Field(request, "names");
  const int count = request.GetReflection()->FieldSize(request, names_field);
  if (count == 0) violations.Add("names", "must name at least one record");
  if (count > kMaxBatch) {
    violations.Add("names", absl::StrCat("may name at most ", kMaxBatch, " records"));
  }
  const std::string parent = GetString(request, "parent");
  std::vector<std::string> names;
  for (int i = 0; i < count && i < kMaxBatch; ++i) {
    names.push_back(request.GetReflection()->GetRepeatedString(request, names_field, i));
    const std::string field = absl::StrCat("names[", i, "]");
    CheckName(kind, names.back(), field, &violations);
    if (!parent.empty() && names.back().rfind(parent + "/", 0) != 0) {
      violations.Add(field, absl::StrCat("does not lie under ", parent));
    }
  }
  ASSIGN_OR_RETURN(const std::shared_ptr<const RegistryView> view,
                   ReadView(request, options, &violations));
  ASSIGN_OR_RETURN(const ReadPoint point,
                   ResolveAsOf(*store_, view->revision(), request, &violations));
  RETURN_IF_ERROR(violations.ToStatus("invalid BatchGet request"));
  if (point.empty) return absl::NotFoundError(absl::StrCat(names[0], " did not exist then"));
  // All or nothing: every record is found before the first goes out.
  std::vector<ReadRecordResult> reads;
  reads.reserve(names.size());
  for (const std::string& name : names) {
    ASSIGN_OR_RETURN(ReadRecordResult read, ReadRecord(view, kind, name, point.revision));
    reads.push_back(std::move(read));
  }
  for (const ReadRecordResult& read : reads) output->AddRecord(*read.stored.message, read.wire);
  output->SetRevision(point.revision);
  return absl::OkStatus();
}

absl::Status ResourceApi::Write(
    absl::string_view method, const Message& request, const Caller& caller,
    Message* response,
    const std::function<absl::StatusOr<std::vector<Mutation>>(const RegistryView*, Message*)>&
        plan,
    const std::function<void(int64_t, const std::vector<const Message*>&, Message*)>& finish) {
  const std::string request_id = GetString(request, "request_id");
  const std::string fingerprint = RequestFingerprint(method, request);
  const auto replay = [&]() -> absl::StatusOr<bool> {
    return ReplayRequest(*store_, request_id, fingerprint, response);
  };
  RETURN_IF_ERROR(CheckRequestId(request_id));
  ASSIGN_OR_RETURN(const bool replayed, replay());
  if (replayed) return absl::OkStatus();

  CommitInfo info;
  info.principal = caller.principal;
  info.display_name = caller.display_name;
  info.peer = caller.peer;
  info.method = std::string(method);
  info.reason = GetString(request, "reason");
  info.request_id = request_id;
  info.request_fingerprint = fingerprint;
  // The plan is made on the latest view, then checked again inside the
  // commit against the exact state the commit is based on (the view at
  // the revision before it): if other commits came in between, the plan
  // is made again on that state, and it must come out the same (else the
  // commit is Aborted and planned anew), so that references, names and
  // children are checked against what the commit really follows. A
  // caller's stale etag fails in the plan; without one the change applies
  // to the new state (nothing is stale when no etag was given).
  constexpr int kMaxAttempts = 5;
  std::vector<Mutation> mutations;
  absl::StatusOr<int64_t> committed;
  for (int attempt = 1;; ++attempt) {
    absl::StatusOr<std::shared_ptr<const RegistryView>> view = views_->ForWrite();
    if (!view.ok()) {
      committed = view.status();
      break;
    }
    absl::StatusOr<std::vector<Mutation>> planned = plan(view->get(), response);
    if (!planned.ok()) {
      committed = planned.status();
      break;
    }
    mutations = *std::move(planned);
    if (GetBool(request, "validate_only") || mutations.empty()) return absl::OkStatus();
    const int64_t planned_on = (*view)->revision();
    const auto recheck = [&](const RegistryView& base) -> absl::Status {
      if (base.revision() == planned_on) return absl::OkStatus();
      std::unique_ptr<Message> scratch(response->New());
      ASSIGN_OR_RETURN(const std::vector<Mutation> again, plan(&base, scratch.get()));
      if (!SameMutations(again, mutations)) {
        return absl::AbortedError(absl::StrCat("the registry changed while this ", method,
                                               " was prepared; try again"));
      }
      return absl::OkStatus();
    };
    committed = views_->Commit(
        mutations, info,
        [&](int64_t revision,
            const std::vector<const Message*>& stamped) -> absl::StatusOr<std::string> {
          if (finish) {
            finish(revision, stamped, response);
          } else {
            // The target record is the last mutation; children (force) come first.
            response->CopyFrom(*stamped.back());
          }
          return response->SerializeAsString();
        },
        recheck);
    if (!absl::IsAborted(committed.status()) || attempt == kMaxAttempts) break;
  }
  if (!committed.ok() && !request_id.empty()) {
    // A concurrent call with the same request_id may have won the race:
    // its commit made this one's plan fail (the record exists, is deleted,
    // or has a newer etag) or this one's commit (the request_id is taken).
    // The caller gets the first call's response, as for any retry.
    ASSIGN_OR_RETURN(const bool raced, replay());
    if (raced) return absl::OkStatus();
  }
  RETURN_IF_ERROR(committed.status());
  return absl::OkStatus();
}

namespace {

// Plans a Create: the record built from parent and id, validated as a
// whole; NotFound for a missing parent, AlreadyExists for a taken name.
absl::StatusOr<std::vector<Mutation>> PlanCreate(ResourceKind kind, const std::string& method,
                                                 const Message& request, const RegistryView* view,
                                                 Message* out) {
  ViolationList violations;
  const Descriptor* type = DescriptorOf(kind);
  const FieldDescriptor* resource_field = FieldOfType(request, type);
  const std::string resource_path = resource_field->name();
  const std::string id_field = absl::StrCat(resource_path, "_id");
  const std::string id = GetString(request, id_field);
  std::string name;
  const std::optional<ResourceKind> parent_kind = ParentKindOf(kind);
  std::string parent;
  if (parent_kind.has_value()) {
    parent = GetString(request, "parent");
    CheckName(*parent_kind, parent, "parent", &violations);
    name = absl::StrCat(parent, "/", CollectionOf(kind), "/", id);
  } else {
    name = absl::StrCat(CollectionOf(kind), "/", id);
  }
  if (id.empty()) {
    violations.Add(id_field, "is required");
  } else if (absl::Status s = ParseResourceName(name, kind).status();
             !s.ok() && violations.empty()) {
    violations.Add(id_field, std::string(s.message()));
  }
  // A well-formed name: parent and id are valid.
  const bool name_ok = violations.empty();
  if (!Has(request, resource_path)) violations.Add(resource_path, "is required");
  auto record = std::shared_ptr<Message>(NewResource(kind));
  record->CopyFrom(request.GetReflection()->GetMessage(request, resource_field));
  ClearOutputFields(record.get());
  record->GetReflection()->SetString(record.get(), Field(*record, "name"), name);
  // Personnel figures and report years carry their year twice.
  if (const FieldDescriptor* year = Field(*record, "year");
      year != nullptr && (kind == ResourceKind::kPersonnelFigures ||
                          kind == ResourceKind::kReportYear) &&
      record->GetReflection()->GetInt32(*record, year) == 0) {
    int parsed = 0;
    if (absl::SimpleAtoi(id, &parsed)) record->GetReflection()->SetInt32(record.get(), year, parsed);
  }
  ViewLookup refs(view);
  // A missing parent is NOT_FOUND (as documented), not a violation of the
  // record's name that some validators would report.
  if (name_ok && parent_kind.has_value() && !refs.Exists(parent)) {
    return absl::NotFoundError(absl::StrCat("the parent ", parent, " does not exist"));
  }
  if (Has(request, resource_path)) {
    // Every violation at once, also next to a bad parent or id; the
    // record's name is built from those, so its violations are theirs.
    const ViolationList checked = ValidateRecord(kind, *record, refs);
    for (const FieldViolation& v : checked.violations()) {
      if (name_ok || v.field != "name") {
        violations.Add(absl::StrCat(resource_path, ".", v.field), v.description);
      }
    }
    if (name_ok) {
      RETURN_IF_ERROR(CheckUniqueness(*view, kind, *record, resource_path, &violations));
    }
  }
  RETURN_IF_ERROR(violations.ToStatus(absl::StrCat("invalid ", method, " request")));
  // Taken names are found here too, so that validate_only reports them;
  // the commit checks again.
  if (const ViewRecord* existing = view->Find(kind, name); existing != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat(
        name, " already exists", existing->deleted ? " (deleted; undelete it)" : ""));
  }
  out->CopyFrom(*record);
  Mutation mutation;
  mutation.change = Change::kCreate;
  mutation.kind = kind;
  mutation.after = std::move(record);
  return std::vector<Mutation>{std::move(mutation)};
}

// Plans an Update: the stored record with the fields the mask names (or,
// without a mask, the fields set in the request; `*`: all) taken from the
// request, validated as a whole; no mutation if nothing changes.
absl::StatusOr<std::vector<Mutation>> PlanUpdate(ResourceKind kind, const std::string& method,
                                                 const Message& request, const RegistryView* view,
                                                 Message* out) {
  ViolationList violations;
  const Descriptor* type = DescriptorOf(kind);
  const FieldDescriptor* resource_field = FieldOfType(request, type);
  const std::string resource_path = resource_field->name();
  const Message& given = request.GetReflection()->GetMessage(request, resource_field);
  const std::string name = NameOf(given);
  CheckName(kind, name, resource_path + ".name", &violations);
  const auto& mask =
      static_cast<const FieldMask&>(request.GetReflection()->GetMessage(request, Field(request, "update_mask")));
  // `*` (alone) replaces the whole record (AIP-134).
  const bool replace_all = mask.paths_size() == 1 && mask.paths(0) == "*";
  for (int i = 0; i < mask.paths_size() && !replace_all; ++i) {
    const std::string& path = mask.paths(i);
    const std::string field = absl::StrCat("update_mask.paths[", i, "]");
    if (path == "*") {
      violations.Add(field, "'*' replaces the whole record and must be the only path");
    } else if (!FieldMaskUtil::GetFieldDescriptors(type, path, nullptr)) {
      violations.Add(field, absl::StrCat("'", path, "' is not a field of ", type->name()));
    } else if (IsOutputOnly(path)) {
      violations.Add(field, absl::StrCat("'", path, "' is output only"));
    } else if (path == "name") {
      violations.Add(field, "the name cannot change");
    }
  }
  const std::string etag = GetString(given, "etag");
  const int64_t expected = ExpectedRevision(etag, resource_path + ".etag", &violations);
  RETURN_IF_ERROR(violations.ToStatus(absl::StrCat("invalid ", method, " request")));
  ASSIGN_OR_RETURN(StoredResource current, CurrentRecord(*view, kind, name));
  if (current.deleted) {
    return absl::FailedPreconditionError(absl::StrCat(name, " is deleted; undelete it first"));
  }
  RETURN_IF_ERROR(CheckEtag(name, etag, expected, current.revision));
  auto merged = std::shared_ptr<Message>(NewResource(kind));
  if (replace_all) {
    merged->CopyFrom(given);
  } else {
    // Without a mask: the fields set in the request.
    const FieldMask applied = mask.paths_size() > 0 ? mask : SetFieldsMask(given);
    merged->CopyFrom(*current.message);
    FieldMaskUtil::MergeOptions options;
    options.set_replace_message_fields(true);
    options.set_replace_repeated_fields(true);
    if (applied.paths_size() > 0) {
      FieldMaskUtil::MergeMessageTo(given, applied, options, merged.get());
    }
  }
  ClearOutputFields(merged.get());
  merged->GetReflection()->SetString(merged.get(), Field(*merged, "name"), name);
  ViewLookup refs(view);
  violations.Merge(resource_path, ValidateRecord(kind, *merged, refs));
  RETURN_IF_ERROR(CheckUniqueness(*view, kind, *merged, resource_path, &violations));
  RETURN_IF_ERROR(violations.ToStatus(absl::StrCat("invalid ", method, " request")));
  std::unique_ptr<Message> before(current.message->New());
  before->CopyFrom(*current.message);
  ClearOutputFields(before.get());
  Mutation mutation;
  mutation.change = Change::kUpdate;
  mutation.kind = kind;
  mutation.fields = ChangedFields(*before, *merged);
  mutation.expected_revision = current.revision;
  out->CopyFrom(*merged);
  if (mutation.fields.empty()) {
    // Nothing changes: no revision, the stored record is the answer.
    out->CopyFrom(*current.message);
    return std::vector<Mutation>();
  }
  mutation.after = std::move(merged);
  return std::vector<Mutation>{std::move(mutation)};
}

// Plans a Delete: the record and, with force, its live children;
// FailedPrecondition for live children without force and for referrers.
absl::StatusOr<std::vector<Mutation>> PlanDelete(ResourceKind kind, const std::string& method,
                                                 const Message& request, const RegistryView* view,
                                                 Message* out) {
  ASSIGN_OR_RETURN(StoredResource current,
                   CurrentForChange(*view, kind, request, method, /*deleted=*/false));
  const std::string name = NameOf(*current.message);
  std::vector<Mutation> mutations;
  // Live records under it.
  std::vector<std::string> live_children;
  for (ResourceKind child : ChildKindsOf(kind)) {
    for (const ViewRecordPtr& child_record : view->Range(child, name + "/", /*live=*/true)) {
      const StoredResource c = child_record->ToStored();
      live_children.push_back(NameOf(*c.message));
      auto after = std::shared_ptr<Message>(c.message->New());
      after->CopyFrom(*c.message);
      ClearOutputFields(after.get());
      Mutation m;
      m.change = Change::kDelete;
      m.kind = child;
      m.after = std::move(after);
      m.expected_revision = c.revision;
      mutations.push_back(std::move(m));
    }
  }
  if (!live_children.empty() && !GetBool(request, "force")) {
    return absl::FailedPreconditionError(absl::StrCat(
        name, " has ", live_children.size(), " live record(s) under it (e.g. ",
        live_children.front(), "); delete them first or set force"));
  }
  // Live records elsewhere that refer to it.
  std::vector<std::string> referrers;
  if (kind == ResourceKind::kRegion || kind == ResourceKind::kCluster) {
    for (const ViewRecordPtr& r : view->Range(ResourceKind::kMission, "", /*live=*/true)) {
      const auto& m = static_cast<const v1::Mission&>(*r->message);
      if ((m.region() == name || m.cluster() == name)) referrers.push_back(m.name());
    }
  }
  if (kind == ResourceKind::kCapPool) {
    for (const ViewRecordPtr& r :
         view->Range(ResourceKind::kNationalMandate, "", /*live=*/true)) {
      const auto& d = static_cast<const v1::NationalMandateDecision&>(*r->message);
      if (d.cap().pool() == name) referrers.push_back(d.name());
    }
  }
  if (!referrers.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        name, " is referred to by ", referrers.size(), " live record(s) (e.g. ",
        referrers.front(), "); change or delete them first"));
  }
  auto after = std::shared_ptr<Message>(current.message->New());
  after->CopyFrom(*current.message);
  ClearOutputFields(after.get());
  out->CopyFrom(*current.message);
  Mutation m;
  m.change = Change::kDelete;
  m.kind = kind;
  m.after = std::move(after);
  m.expected_revision = current.revision;
  mutations.push_back(std::move(m));
  return mutations;
}

// Plans an Undelete: FailedPrecondition unless the record is deleted and
// its parent and references exist.
absl::StatusOr<std::vector<Mutation>> PlanUndelete(ResourceKind kind, const std::string& method,
                                                   const Message& request, const RegistryView* view,
                                                   Message* out) {
  ASSIGN_OR_RETURN(StoredResource current,
                   CurrentForChange(*view, kind, request, method, /*deleted=*/true));
  const std::string name = NameOf(*current.message);
  auto after = std::shared_ptr<Message>(current.message->New());
  after->CopyFrom(*current.message);
  ClearOutputFields(after.get());
  // Whatever it refers to must exist again.
  ViewLookup refs(view);
  // Nor may a live record have taken its place (a narrative's section, a
  // decision's day) while it was deleted.
  ViolationList taken;
  RETURN_IF_ERROR(CheckUniqueness(*view, kind, *after, "", &taken));
  if (!taken.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        name, " cannot be restored: ", taken.violations().front().description));
  }
  ViolationList broken = ValidateRecord(kind, *after, refs);
  if (!broken.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        name, " cannot be restored: ", broken.violations().front().field, " ",
        broken.violations().front().description));
  }
  if (const std::optional<ResourceKind> parent_kind = ParentKindOf(kind)) {
    ASSIGN_OR_RETURN(ResourceName parsed, ParseResourceName(name));
    if (!refs.Exists(ParentName(parsed))) {
      return absl::FailedPreconditionError(
          absl::StrCat(name, " cannot be restored while ", ParentName(parsed), " is deleted"));
    }
  }
  out->CopyFrom(*after);
  Mutation m;
  m.change = Change::kUndelete;
  m.kind = kind;
  m.after = std::move(after);
  m.expected_revision = current.revision;
  return std::vector<Mutation>{std::move(m)};
}

}  // namespace

absl::Status ResourceApi::Create(ResourceKind kind, const Message& request,
                                 const Caller& caller, Message* response) {
  const std::string method = absl::StrCat("Create", DescriptorOf(kind)->name());
  return Write(method, request, caller, response, [&](const RegistryView* view, Message* out) {
    return PlanCreate(kind, method, request, view, out);
  });
}

absl::Status ResourceApi::Update(ResourceKind kind, const Message& request,
                                 const Caller& caller, Message* response) {
  const std::string method = absl::StrCat("Update", DescriptorOf(kind)->name());
  return Write(method, request, caller, response, [&](const RegistryView* view, Message* out) {
    return PlanUpdate(kind, method, request, view, out);
  });
}

absl::Status ResourceApi::Delete(ResourceKind kind, const Message& request,
                                 const Caller& caller, Message* response) {
  const std::string method = absl::StrCat("Delete", DescriptorOf(kind)->name());
  return Write(method, request, caller, response, [&](const RegistryView* view, Message* out) {
    return PlanDelete(kind, method, request, view, out);
  });
}

absl::Status ResourceApi::Undelete(ResourceKind kind, const Message& request,
                                   const Caller& caller, Message* response) {
  const std::string method = absl::StrCat("Undelete", DescriptorOf(kind)->name());
  return Write(method, request, caller, response, [&](const RegistryView* view, Message* out) {
    return PlanUndelete(kind, method, request, view, out);
  });
}

absl::Status ResourceApi::ListAuditEvents(const v1::ListAuditEventsRequest& request,
                                          v1::ListAuditEventsResponse* response) {
  ViolationList violations;
  if (request.page_size() < 0) violations.Add("page_size", "must not be negative");
  // `actor` is the deprecated alias of `principal`.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  const std::string& alias = request.actor();
#pragma GCC diagnostic pop
  if (!alias.empty() && !request.principal().empty() && alias != request.principal()) {
    violations.Add("actor", "is a deprecated alias of principal; set only principal, or both "
                            "to the same value");
  }
  AuditQuery query;
  query.resource = request.resource();
  query.principal = request.principal().empty() ? alias : request.principal();
  if (request.has_start_time()) {
    query.from = absl::FromUnixSeconds(request.start_time().seconds()) +
                 absl::Nanoseconds(request.start_time().nanos());
  }
  if (request.has_end_time()) {
    query.until = absl::FromUnixSeconds(request.end_time().seconds()) +
                  absl::Nanoseconds(request.end_time().nanos());
  }
  if (query.from.has_value() && query.until.has_value() && *query.until < *query.from) {
    violations.Add("end_time", "must not be before start_time");
  }
  ASSIGN_OR_RETURN(const std::string key, TokenKey(ReadOptions{}));
  v1::ListAuditEventsRequest shape = request;
  shape.clear_page_size();
  shape.clear_page_token();
  // A page token fits the same filter whether it was given as actor or
  // principal.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  shape.clear_actor();
#pragma GCC diagnostic pop
  shape.set_principal(query.principal);
  const std::string fingerprint = absl::StrCat(StableDigest(Deterministic(shape)));
  if (!request.page_token().empty()) {
    absl::StatusOr<std::vector<std::string>> fields = VerifyToken(key, request.page_token());
    if (!fields.ok() || fields->size() != 3 || (*fields)[0] != "audit" ||
        (*fields)[1] != fingerprint || !absl::SimpleAtoi((*fields)[2], &query.after_id)) {
      violations.Add("page_token", "is not a token this registry issued for this request");
    }
  }
  RETURN_IF_ERROR(violations.ToStatus("invalid ListAuditEvents request"));
  const int size = PageSize(request.page_size());
  query.limit = size + 1;
  ASSIGN_OR_RETURN(std::vector<AuditRecord> records, store_->ReadAudit(query));
  const bool more = static_cast<int>(records.size()) > size;
  if (more) records.resize(size);
  for (const AuditRecord& r : records) *response->add_audit_events() = ToAuditEvent(r);
  if (more) {
    response->set_next_page_token(
        SignToken(key, {"audit", fingerprint, absl::StrCat(records.back().id)}));
  }
  return absl::OkStatus();
}

absl::Status ResourceApi::WatchChanges(
    const v1::WatchChangesRequest& request,
    const std::function<bool(const v1::ChangeEvent&)>& send,
    const std::function<bool()>& cancelled, absl::Time deadline) {
  ViolationList violations;
  if (request.after_revision() < 0) violations.Add("after_revision", "must not be negative");
  if (request.after_event_id() < 0) violations.Add("after_event_id", "must not be negative");
  RETURN_IF_ERROR(violations.ToStatus("invalid WatchChanges request"));
  AuditQuery query;
  query.after_revision = request.after_revision();
  query.after_id = request.after_event_id();
  query.limit = 500;
  int64_t seen_revision = request.after_revision();
  while (!cancelled() && absl::Now() < deadline) {
    ASSIGN_OR_RETURN(std::vector<AuditRecord> records, store_->ReadAudit(query));
    for (const AuditRecord& r : records) {
      v1::ChangeEvent event;
      *event.mutable_event() = ToAuditEvent(r);
      if (!send(event)) return absl::OkStatus();
      query.after_id = r.id;
      seen_revision = std::max(seen_revision, r.revision);
    }
    if (static_cast<int>(records.size()) == query.limit) continue;
    // Caught up: sleep until the next commit (waking now and then to see
    // whether the caller went away).
    store_->WaitForRevisionAfter(seen_revision,
                                 std::min(deadline, absl::Now() + absl::Seconds(1)));
  }
  return absl::OkStatus();
}

namespace {

constexpr int kMaxBatchWrite = 500;

// The record a BatchWriteItem or BatchWriteResult holds in its `resource`
// oneof: its kind and field; nullopt if none is set.
std::optional<std::pair<ResourceKind, const FieldDescriptor*>> ResourceOf(const Message& item) {
  const google::protobuf::OneofDescriptor* oneof =
      item.GetDescriptor()->FindOneofByName("resource");
  const FieldDescriptor* fd = item.GetReflection()->GetOneofFieldDescriptor(item, oneof);
  if (fd == nullptr) return std::nullopt;
  for (ResourceKind kind : kAllKinds) {
    if (DescriptorOf(kind) == fd->message_type()) return std::make_pair(kind, fd);
  }
  return std::nullopt;
}

// Sets the `resource` oneof of `result` to a copy of `record`.
void SetResult(const Message& record, v1::BatchWriteResult* result) {
  const FieldDescriptor* fd = FieldOfType(*result, record.GetDescriptor());
  result->GetReflection()->MutableMessage(result, fd)->CopyFrom(record);
}

// The single write one BatchWriteItem stands for: the request of the
// standard method (e.g. a CreateMissionRequest) and how to plan it.
struct SingleWrite {
  ResourceKind kind = ResourceKind::kRegion;
  v1::WriteAction action = v1::WRITE_ACTION_UNSPECIFIED;
  // e.g. "CreateMission".
  std::string method;
  std::unique_ptr<Message> request;
  // The field of `request` that the item calls `id` (e.g. "mission_id").
  std::string id_field;
};

// A new, empty request of the standard method `method` ("CreateMission":
// registry.v1.CreateMissionRequest).
std::unique_ptr<Message> NewRequest(const std::string& method) {
  const Descriptor* d = google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
      absl::StrCat("registry.v1.", method, "Request"));
  return std::unique_ptr<Message>(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(d)->New());
}

// Builds the single write of `item` (at `prefix`, "items[3]"); the item's
// own shape errors (no action, no record, fields the action does not use)
// go to `violations`, and nullopt is returned when there is nothing to plan.
std::optional<SingleWrite> SingleWriteOf(const v1::BatchWriteItem& item,
                                         const std::string& prefix,
                                         ViolationList* violations) {
  const auto at = [&](absl::string_view field) { return absl::StrCat(prefix, ".", field); };
  const v1::WriteAction action = item.action();
  const auto unused = [&](bool set, absl::string_view field) {
    if (set) {
      violations->Add(at(field), absl::StrCat("is not used by ", v1::WriteAction_Name(action),
                                              "; leave it empty"));
    }
  };
  const std::optional<std::pair<ResourceKind, const FieldDescriptor*>> resource = ResourceOf(item);
  SingleWrite single;
  single.action = action;
  switch (action) {
    case v1::WRITE_ACTION_CREATE:
    case v1::WRITE_ACTION_UPDATE: {
      const bool create = action == v1::WRITE_ACTION_CREATE;
      unused(!create && !item.parent().empty(), "parent");
      unused(!create && !item.id().empty(), "id");
      unused(create && item.update_mask().paths_size() > 0, "update_mask");
      unused(!item.name().empty(), "name");
      unused(!item.etag().empty(), "etag");
      if (!resource.has_value()) {
        violations->Add(prefix, absl::StrCat(v1::WriteAction_Name(action),
                                             " needs the record: set one of region, cluster, "
                                             "cap_pool, report_year, report_text, mission, "
                                             "international_mandate_decision, "
                                             "national_mandate_decision, personnel_figures, "
                                             "posting, financial_contribution, narrative"));
        return std::nullopt;
      }
      single.kind = resource->first;
      const std::string resource_field = resource->second->name();
      single.method =
          absl::StrCat(create ? "Create" : "Update", DescriptorOf(single.kind)->name());
      single.request = NewRequest(single.method);
      Message& request = *single.request;
      request.GetReflection()
          ->MutableMessage(&request, Field(request, resource_field))
          ->CopyFrom(item.GetReflection()->GetMessage(item, resource->second));
      if (create) {
        single.id_field = absl::StrCat(resource_field, "_id");
        request.GetReflection()->SetString(&request, Field(request, single.id_field), item.id());
        if (const FieldDescriptor* parent = Field(request, "parent")) {
          request.GetReflection()->SetString(&request, parent, item.parent());
        } else if (!item.parent().empty()) {
          violations->Add(at("parent"), absl::StrCat("must be empty: a ",
                                                     ResourceKindLabel(single.kind),
                                                     " has no parent"));
        }
      } else {
        request.GetReflection()
            ->MutableMessage(&request, Field(request, "update_mask"))
            ->CopyFrom(item.update_mask());
      }
      return single;
    }
    case v1::WRITE_ACTION_DELETE: {
      unused(!item.parent().empty(), "parent");
      unused(!item.id().empty(), "id");
      unused(item.update_mask().paths_size() > 0, "update_mask");
      if (resource.has_value()) {
        violations->Add(at(resource->second->name()),
                        "must be unset for WRITE_ACTION_DELETE: the name says which record");
      }
      if (item.name().empty()) {
        violations->Add(at("name"), "is required for WRITE_ACTION_DELETE");
        return std::nullopt;
      }
      absl::StatusOr<ResourceName> parsed = ParseResourceName(item.name());
      if (!parsed.ok()) {
        violations->Add(at("name"), std::string(parsed.status().message()));
        return std::nullopt;
      }
      single.kind = parsed->kind;
      single.method = absl::StrCat("Delete", DescriptorOf(single.kind)->name());
      single.request = NewRequest(single.method);
      Message& request = *single.request;
      request.GetReflection()->SetString(&request, Field(request, "name"), item.name());
      request.GetReflection()->SetString(&request, Field(request, "etag"), item.etag());
      return single;
    }
    default:
      violations->Add(at("action"), "is required: WRITE_ACTION_CREATE, WRITE_ACTION_UPDATE or "
                                    "WRITE_ACTION_DELETE");
      return std::nullopt;
  }
}

// Plans `single` on `view`, its record (as the single method would return
// it) in `result`.
absl::StatusOr<std::vector<Mutation>> PlanSingle(const SingleWrite& single,
                                                 const RegistryView* view, Message* result) {
  switch (single.action) {
    case v1::WRITE_ACTION_CREATE:
      return PlanCreate(single.kind, single.method, *single.request, view, result);
    case v1::WRITE_ACTION_UPDATE:
      return PlanUpdate(single.kind, single.method, *single.request, view, result);
    default:
      return PlanDelete(single.kind, single.method, *single.request, view, result);
  }
}

}  // namespace

absl::Status ResourceApi::BatchWrite(const v1::BatchWriteRequest& request, const Caller& caller,
                                     v1::BatchWriteResponse* response) {
  // Per item, the index of its record's mutation in the commit (-1: the
  // item changes nothing).
  std::vector<int> mutation_of;
  const auto plan = [&](const RegistryView* base,
                        Message* out_message) -> absl::StatusOr<std::vector<Mutation>> {
    auto* out = static_cast<v1::BatchWriteResponse*>(out_message);
    out->Clear();
    mutation_of.assign(request.items_size(), -1);
    ViolationList violations;
    if (request.items_size() == 0) violations.Add("items", "must hold at least one write");
    if (request.items_size() > kMaxBatchWrite) {
      violations.Add("items", absl::StrCat("may hold at most ", kMaxBatchWrite, " writes, not ",
                                           request.items_size()));
      return violations.ToStatus("invalid BatchWrite request");
    }
    // Each item is planned on the state the items before it leave: the
    // base view with their records applied (stamped as the commit would).
    std::shared_ptr<const RegistryView> view(std::shared_ptr<const RegistryView>(), base);
    std::vector<Mutation> mutations;
    std::map<std::string, int> item_of_record;
    std::optional<absl::Status> failed;
    for (int i = 0; i < request.items_size(); ++i) {
      const std::string prefix = absl::StrCat("items[", i, "]");
      v1::BatchWriteResult* result = out->add_results();
      const std::optional<SingleWrite> single =
          SingleWriteOf(request.items(i), prefix, &violations);
      if (!single.has_value()) continue;
      std::unique_ptr<Message> record = NewResource(single->kind);
      absl::StatusOr<std::vector<Mutation>> planned = PlanSingle(*single, view.get(), record.get());
      if (!planned.ok()) {
        if (absl::IsInvalidArgument(planned.status())) {
          const std::vector<FieldViolation> found = FieldViolationsOf(planned.status());
          if (found.empty()) violations.Add(prefix, std::string(planned.status().message()));
          for (const FieldViolation& v : found) {
            violations.Add(
                absl::StrCat(prefix, ".", v.field == single->id_field ? "id" : v.field),
                v.description);
          }
        } else if (!failed.has_value()) {
          failed = absl::Status(planned.status().code(),
                                absl::StrCat(prefix, ": ", planned.status().message()));
        }
        continue;
      }
      SetResult(*record, result);
      std::vector<ViewChange> changes;
      for (Mutation& m : *planned) {
        const std::string name = NameOf(*m.after);
        const auto [it, inserted] = item_of_record.try_emplace(name, i);
        if (!inserted) {
          violations.Add(prefix, absl::StrCat("changes ", name, ", which items[", it->second,
                                              "] changes already; a batch changes each "
                                              "record once"));
        }
        std::shared_ptr<Message> stamped(m.after->New());
        stamped->CopyFrom(*m.after);
        StampOutputFields(m.change, base->revision() + 1, absl::Now(), stamped.get());
        changes.push_back(ViewChange{m.kind, std::move(stamped)});
        mutations.push_back(std::move(m));
      }
      // The item's own record is its last mutation.
      if (!planned->empty()) mutation_of[i] = static_cast<int>(mutations.size()) - 1;
      if (!changes.empty()) view = view->Apply(view->revision(), changes);
    }
    RETURN_IF_ERROR(violations.ToStatus("invalid BatchWrite request"));
    if (failed.has_value()) return *failed;
    return mutations;
  };
  const auto finish = [&](int64_t revision, const std::vector<const Message*>& stamped,
                          Message* out_message) {
    auto* out = static_cast<v1::BatchWriteResponse*>(out_message);
    for (int i = 0; i < out->results_size() && i < static_cast<int>(mutation_of.size()); ++i) {
      const int m = mutation_of[i];
      if (m >= 0 && m < static_cast<int>(stamped.size())) {
        SetResult(*stamped[m], out->mutable_results(i));
      }
    }
    out->set_revision(revision);
  };
  return Write("BatchWrite", request, caller, response, plan, finish);
}

}  // namespace missions::registry
