#include "registry-service/storage/registry_copy.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "proto/common/status_macros.h"

namespace missions::registry {
namespace {

// DataLoss naming the first row where two tables differ, or OK.
template <typename Row, typename Describe>
absl::Status CompareRows(const char* table, const std::vector<Row>& a,
                         const std::vector<Row>& b, Describe describe) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (!(a[i] == b[i])) {
      return absl::DataLossError(absl::StrCat(table, " differ at row ", i + 1, ": ",
                                              describe(a[i]), " vs ", describe(b[i])));
    }
  }
  if (a.size() != b.size()) {
    return absl::DataLossError(
        absl::StrCat(table, ": ", a.size(), " rows vs ", b.size(), " rows"));
  }
  return absl::OkStatus();
}

// Every audit event through the API, paged.
absl::StatusOr<std::vector<AuditRecord>> ReadWholeAudit(RecordStore& store) {
  std::vector<AuditRecord> all;
  AuditQuery query;
  query.limit = 1000;
  while (true) {
    ASSIGN_OR_RETURN(std::vector<AuditRecord> page, store.ReadAudit(query));
    if (page.empty()) return all;
    query.after_id = page.back().id;
    for (AuditRecord& record : page) all.push_back(std::move(record));
  }
}

bool SameAudit(const AuditRecord& a, const AuditRecord& b) {
  return a.id == b.id && a.revision == b.revision && a.time == b.time &&
         a.principal == b.principal && a.display_name == b.display_name &&
         a.peer == b.peer && a.method == b.method && a.reason == b.reason &&
         a.request_id == b.request_id && a.resource == b.resource && a.kind == b.kind &&
         a.change == b.change && a.fields == b.fields && a.before == b.before &&
         a.after == b.after;
}

}  // namespace

std::string FormatSummary(const CopySummary& s) {
  return absl::StrCat("current revision: ", s.current_revision, "\nrevisions: ", s.revisions,
                      "\nresources: ", s.resources, "\nresource versions: ",
                      s.resource_versions, "\naudit events: ", s.audit_events,
                      "\nrequests: ", s.requests, "\nsecrets: ", s.secrets, "\n");
}

absl::StatusOr<CopySummary> VerifySameRegistry(RecordStore& a, RecordStore& b) {
  ASSIGN_OR_RETURN(const int64_t revision_a, a.CurrentRevision());
  ASSIGN_OR_RETURN(const int64_t revision_b, b.CurrentRevision());
  if (revision_a != revision_b) {
    return absl::DataLossError(
        absl::StrCat("current revision ", revision_a, " vs ", revision_b));
  }
  ASSIGN_OR_RETURN(const RegistryDump dump_a, a.ExportAll());
  ASSIGN_OR_RETURN(const RegistryDump dump_b, b.ExportAll());
  RETURN_IF_ERROR(CompareRows("revisions", dump_a.revisions, dump_b.revisions,
                              [](const auto& r) { return absl::StrCat("revision ", r.revision); }));
  RETURN_IF_ERROR(CompareRows("resources", dump_a.resources, dump_b.resources,
                              [](const auto& r) { return r.name; }));
  RETURN_IF_ERROR(CompareRows(
      "resource versions", dump_a.resource_versions, dump_b.resource_versions,
      [](const auto& v) { return absl::StrCat(v.name, "@", v.revision); }));
  RETURN_IF_ERROR(CompareRows("audit events", dump_a.audit_events, dump_b.audit_events,
                              [](const auto& e) { return absl::StrCat("event ", e.id); }));
  RETURN_IF_ERROR(CompareRows("requests", dump_a.requests, dump_b.requests,
                              [](const auto& r) { return r.request_id; }));
  RETURN_IF_ERROR(CompareRows("secrets", dump_a.secrets, dump_b.secrets,
                              [](const auto& s) { return s.name; }));
  // The audit log as the service reads it (joined with the revisions).
  ASSIGN_OR_RETURN(const std::vector<AuditRecord> audit_a, ReadWholeAudit(a));
  ASSIGN_OR_RETURN(const std::vector<AuditRecord> audit_b, ReadWholeAudit(b));
  if (audit_a.size() != audit_b.size()) {
    return absl::DataLossError(absl::StrCat("ReadAudit: ", audit_a.size(), " events vs ",
                                            audit_b.size()));
  }
  for (size_t i = 0; i < audit_a.size(); ++i) {
    if (!SameAudit(audit_a[i], audit_b[i])) {
      return absl::DataLossError(absl::StrCat("ReadAudit differs at event ", audit_a[i].id));
    }
  }
  CopySummary summary;
  summary.current_revision = revision_a;
  summary.revisions = static_cast<int64_t>(dump_a.revisions.size());
  summary.resources = static_cast<int64_t>(dump_a.resources.size());
  summary.resource_versions = static_cast<int64_t>(dump_a.resource_versions.size());
  summary.audit_events = static_cast<int64_t>(dump_a.audit_events.size());
  summary.requests = static_cast<int64_t>(dump_a.requests.size());
  summary.secrets = static_cast<int64_t>(dump_a.secrets.size());
  return summary;
}

absl::StatusOr<CopySummary> CopyRegistry(RecordStore& from, RecordStore& to) {
  ASSIGN_OR_RETURN(const RegistryDump dump, from.ExportAll());
  RETURN_IF_ERROR(to.ImportAll(dump));
  return VerifySameRegistry(from, to);
}

}  // namespace missions::registry
