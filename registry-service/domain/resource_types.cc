#include "registry-service/domain/resource_types.h"

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"
#include "registry/v1/resources.pb.h"

namespace missions::registry {
namespace {

namespace v1 = ::registry::v1;
using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;

struct KindInfo {
  ResourceKind kind;
  absl::string_view id;
  const Descriptor* (*descriptor)();
};

const KindInfo kKinds[] = {
    {ResourceKind::kRegion, "region", &v1::Region::descriptor},
    {ResourceKind::kCluster, "cluster", &v1::Cluster::descriptor},
    {ResourceKind::kMission, "mission", &v1::Mission::descriptor},
    {ResourceKind::kInternationalMandate, "international_mandate",
     &v1::InternationalMandateDecision::descriptor},
    {ResourceKind::kNationalMandate, "national_mandate",
     &v1::NationalMandateDecision::descriptor},
    {ResourceKind::kPersonnelFigures, "personnel_figures",
     &v1::PersonnelFigures::descriptor},
    {ResourceKind::kPosting, "posting", &v1::Posting::descriptor},
    {ResourceKind::kFinancialContribution, "financial_contribution",
     &v1::FinancialContribution::descriptor},
    {ResourceKind::kNarrative, "narrative", &v1::Narrative::descriptor},
    {ResourceKind::kCapPool, "cap_pool", &v1::CapPool::descriptor},
    {ResourceKind::kReportYear, "report_year", &v1::ReportYear::descriptor},
    {ResourceKind::kReportText, "report_text", &v1::ReportText::descriptor},
};

const KindInfo& InfoOf(ResourceKind kind) {
  for (const KindInfo& info : kKinds) {
    if (info.kind == kind) return info;
  }
  return kKinds[0];  // unreachable: every kind is listed
}

constexpr absl::string_view kEtagPrefix = "r";

void SetTimestamp(Message* resource, absl::string_view field, absl::Time time) {
  const FieldDescriptor* fd = resource->GetDescriptor()->FindFieldByName(std::string(field));
  if (fd == nullptr) return;
  auto* ts = static_cast<google::protobuf::Timestamp*>(
      resource->GetReflection()->MutableMessage(resource, fd));
  const absl::Duration since_epoch = time - absl::UnixEpoch();
  const int64_t seconds = absl::ToInt64Seconds(since_epoch);
  ts->set_seconds(seconds);
  ts->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(since_epoch - absl::Seconds(seconds))));
}

void ClearField(Message* resource, absl::string_view field) {
  const FieldDescriptor* fd = resource->GetDescriptor()->FindFieldByName(std::string(field));
  if (fd != nullptr) resource->GetReflection()->ClearField(resource, fd);
}

}  // namespace

absl::string_view KindId(ResourceKind kind) { return InfoOf(kind).id; }

absl::StatusOr<ResourceKind> KindFromId(absl::string_view id) {
  for (const KindInfo& info : kKinds) {
    if (info.id == id) return info.kind;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown resource kind '", id, "'"));
}

const Descriptor* DescriptorOf(ResourceKind kind) { return InfoOf(kind).descriptor(); }

std::unique_ptr<Message> NewResource(ResourceKind kind) {
  return std::unique_ptr<Message>(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(DescriptorOf(kind))
          ->New());
}

std::string NameOf(const Message& resource) {
  const FieldDescriptor* fd = resource.GetDescriptor()->FindFieldByName("name");
  return fd == nullptr ? "" : resource.GetReflection()->GetString(resource, fd);
}

std::string EtagFor(int64_t revision) { return absl::StrCat(kEtagPrefix, revision); }

absl::StatusOr<int64_t> RevisionOfEtag(absl::string_view etag) {
  int64_t revision = 0;
  if (!absl::ConsumePrefix(&etag, kEtagPrefix) || !absl::SimpleAtoi(etag, &revision) ||
      revision <= 0) {
    return absl::InvalidArgumentError(
        "is not an etag this registry issued; read the resource again");
  }
  return revision;
}

void ClearOutputFields(Message* resource) {
  for (absl::string_view field : {"etag", "create_time", "update_time", "delete_time"}) {
    ClearField(resource, field);
  }
}

void StampOutputFields(Change change, int64_t revision, absl::Time time,
                       Message* resource) {
  const FieldDescriptor* etag = resource->GetDescriptor()->FindFieldByName("etag");
  if (etag != nullptr) resource->GetReflection()->SetString(resource, etag, EtagFor(revision));
  if (change == Change::kCreate) SetTimestamp(resource, "create_time", time);
  SetTimestamp(resource, "update_time", time);
  if (change == Change::kDelete) SetTimestamp(resource, "delete_time", time);
  if (change == Change::kUndelete || change == Change::kCreate) {
    ClearField(resource, "delete_time");
  }
}

bool IsDeleted(const Message& resource) {
  const FieldDescriptor* fd = resource.GetDescriptor()->FindFieldByName("delete_time");
  return fd != nullptr && resource.GetReflection()->HasField(resource, fd);
}

}  // namespace missions::registry
