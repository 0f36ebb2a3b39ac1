#include "registry-service/storage/sqlite_record_store.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/generated_enum_reflection.h"
#include "google/protobuf/timestamp.pb.h"
#include "proto/common/dates.h"
#include "proto/common/status_macros.h"
#include "registry-service/storage/sqlite_schema.h"
#include "registry/v1/resources.pb.h"

namespace missions::registry {
namespace {

using ::google::protobuf::Map;
using ::google::protobuf::Message;
using sqlite::Statement;
namespace v1 = ::registry::v1;

// --- Value conversions between protos and columns. ---------------------

template <typename E>
std::string EnumName(E value) {
  const auto* value_descriptor =
      google::protobuf::GetEnumDescriptor<E>()->FindValueByNumber(value);
  return value_descriptor != nullptr ? value_descriptor->name() : "";
}

// ISO text of a date, empty for an unset date.
std::string DateText(const google::type::Date& date) {
  return IsEmptyDate(date) ? "" : FormatIsoDate(date);
}

std::optional<int64_t> OptionalOf(bool has, int32_t value) {
  return has ? std::optional<int64_t>(value) : std::nullopt;
}

// --- The relational projection. ----------------------------------------

// Keeps the projection tables in step with the resources: prepared
// statements of one commit.
class ProjectionWriter {
 public:
  explicit ProjectionWriter(sqlite::Database& db) : db_(db) {}

  // Writes the current state of one resource: removes its rows, then
  // inserts them again unless it is deleted.
  absl::Status Replace(ResourceKind kind, const google::protobuf::Message& resource,
                       bool deleted) {
    const std::string name = NameOf(resource);
    RETURN_IF_ERROR(Remove(kind, name));
    if (deleted) return absl::OkStatus();
    return Insert(kind, resource);
  }

  absl::Status Insert(ResourceKind kind, const google::protobuf::Message& m) {
    const std::string mission = ParentMission(NameOf(m));
    switch (kind) {
      case ResourceKind::kRegion: return Region(Cast<v1::Region>(m));
      case ResourceKind::kCluster: return Cluster(Cast<v1::Cluster>(m));
      case ResourceKind::kCapPool: return CapPool(Cast<v1::CapPool>(m));
      case ResourceKind::kReportYear: return ReportYear(Cast<v1::ReportYear>(m));
      case ResourceKind::kReportText: return ReportText(Cast<v1::ReportText>(m));
      case ResourceKind::kMission: return Mission(Cast<v1::Mission>(m));
      case ResourceKind::kInternationalMandate:
        return International(mission, Cast<v1::InternationalMandateDecision>(m));
      case ResourceKind::kNationalMandate:
        return National(mission, Cast<v1::NationalMandateDecision>(m));
      case ResourceKind::kPersonnelFigures:
        return Personnel(mission, Cast<v1::PersonnelFigures>(m));
      case ResourceKind::kPosting: return Posting(mission, Cast<v1::Posting>(m));
      case ResourceKind::kFinancialContribution:
        return Financial(mission, Cast<v1::FinancialContribution>(m));
      case ResourceKind::kNarrative: return Narrative(mission, Cast<v1::Narrative>(m));
    }
    return absl::InternalError("unknown resource kind");
  }

  // Removes the projection rows of one resource.
  absl::Status Remove(ResourceKind kind, const std::string& name) {
    std::vector<const char*> statements;
    switch (kind) {
      case ResourceKind::kRegion: statements = {"DELETE FROM regions WHERE name = ?1"}; break;
      case ResourceKind::kCluster: statements = {"DELETE FROM clusters WHERE name = ?1"}; break;
      case ResourceKind::kCapPool: statements = {"DELETE FROM cap_pools WHERE name = ?1"}; break;
      case ResourceKind::kReportYear:
        statements = {"DELETE FROM report_years WHERE name = ?1"};
        break;
      case ResourceKind::kReportText:
        statements = {"DELETE FROM report_texts WHERE name = ?1"};
        break;
      case ResourceKind::kMission:
        statements = {"DELETE FROM mission_aliases WHERE mission = ?1",
                      "DELETE FROM mission_countries WHERE mission = ?1",
                      "DELETE FROM missions WHERE name = ?1"};
        break;
      case ResourceKind::kInternationalMandate:
        statements = {"DELETE FROM legal_instruments WHERE decision = ?1",
                      "DELETE FROM international_mandate_decisions WHERE name = ?1"};
        break;
      case ResourceKind::kNationalMandate:
        statements = {"DELETE FROM national_mandate_decisions WHERE name = ?1"};
        break;
      case ResourceKind::kPersonnelFigures:
        statements = {"DELETE FROM personnel_figures WHERE name = ?1"};
        break;
      case ResourceKind::kPosting: statements = {"DELETE FROM postings WHERE name = ?1"}; break;
      case ResourceKind::kFinancialContribution:
        statements = {"DELETE FROM financial_contributions WHERE name = ?1"};
        break;
      case ResourceKind::kNarrative:
        statements = {"DELETE FROM narratives WHERE name = ?1"};
        break;
    }
    statements.push_back("DELETE FROM localized_texts WHERE resource = ?1");
    for (const char* sql : statements) {
      ASSIGN_OR_RETURN(Statement * stmt, Get(sql));
      stmt->Reset();
      stmt->Bind(1, name);
      RETURN_IF_ERROR(stmt->Run());
    }
    return absl::OkStatus();
  }

  absl::Status Texts(const std::string& resource, const std::string& field,
                     const Map<std::string, std::string>& texts) {
    if (texts.empty()) return absl::OkStatus();
    ASSIGN_OR_RETURN(Statement * stmt,
                     Get("INSERT INTO localized_texts(resource, field, language, "
                         "text) VALUES (?1, ?2, ?3, ?4)"));
    // Sorted for a deterministic insertion order.
    std::map<std::string, std::string> sorted(texts.begin(), texts.end());
    for (const auto& [language, text] : sorted) {
      stmt->Reset();
      stmt->Bind(1, resource).Bind(2, field).Bind(3, language).Bind(4, text);
      RETURN_IF_ERROR(Named(stmt->Run(), resource));
    }
    return absl::OkStatus();
  }

  absl::Status Region(const v1::Region& region) {
    ASSIGN_OR_RETURN(Statement * stmt,
                     Get("INSERT INTO regions(name, report_order) VALUES (?1, ?2)"));
    stmt->Reset();
    stmt->Bind(1, region.name()).Bind(2, int64_t{region.report_order()});
    RETURN_IF_ERROR(Named(stmt->Run(), region.name()));
    return Texts(region.name(), "display_name", region.display_name());
  }

  absl::Status Cluster(const v1::Cluster& cluster) {
    ASSIGN_OR_RETURN(Statement * stmt,
                     Get("INSERT INTO clusters(name, region, report_order) "
                         "VALUES (?1, ?2, ?3)"));
    const std::string region =
        cluster.name().substr(0, cluster.name().find("/clusters/"));
    stmt->Reset();
    stmt->Bind(1, cluster.name()).Bind(2, region).Bind(3, int64_t{cluster.report_order()});
    RETURN_IF_ERROR(Named(stmt->Run(), cluster.name()));
    return Texts(cluster.name(), "display_name", cluster.display_name());
  }

  absl::Status CapPool(const v1::CapPool& pool) {
    ASSIGN_OR_RETURN(Statement * stmt,
                     Get("INSERT INTO cap_pools(name, cap_military, cap_civilian, "
                         "cap_combined) VALUES (?1, ?2, ?3, ?4)"));
    const v1::PersonnelCap& cap = pool.cap();
    stmt->Reset();
    stmt->Bind(1, pool.name())
        .Bind(2, OptionalOf(cap.has_military(), cap.military()))
        .Bind(3, OptionalOf(cap.has_civilian(), cap.civilian()))
        .Bind(4, OptionalOf(cap.has_combined(), cap.combined()));
    RETURN_IF_ERROR(Named(stmt->Run(), pool.name()));
    RETURN_IF_ERROR(Texts(pool.name(), "display_name", pool.display_name()));
    return Texts(pool.name(), "cap.note", cap.note());
  }

  absl::Status ReportYear(const v1::ReportYear& year) {
    ASSIGN_OR_RETURN(Statement * stmt,
                     Get("INSERT INTO report_years(name, year, publication_date) "
                         "VALUES (?1, ?2, ?3)"));
    stmt->Reset();
    stmt->Bind(1, year.name()).Bind(2, int64_t{year.year()})
        .Bind(3, DateText(year.publication_date()));
    return Named(stmt->Run(), year.name());
  }

  absl::Status ReportText(const v1::ReportText& text) {
    ASSIGN_OR_RETURN(Statement * stmt,
                     Get("INSERT INTO report_texts(name, year, kind, subject, "
                         "language, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    // reportYears/{year}/texts/{text}
    int year = 0;
    if (auto parsed = ParseResourceName(text.name()); parsed.ok()) year = YearOf(*parsed);
    stmt->Reset();
    stmt->Bind(1, text.name()).Bind(2, int64_t{year})
        .Bind(3, EnumName(text.kind())).BindTextOrNull(4, text.subject())
        .Bind(5, text.language()).Bind(6, text.text());
    return Named(stmt->Run(), text.name());
  }

  absl::Status Mission(const v1::Mission& m) {
    ASSIGN_OR_RETURN(
        Statement * stmt,
        Get("INSERT INTO missions(name, short_name, region, cluster, "
            "report_order, lead_organization, kind, start_date, end_date, "
            "dutch_participation_start, active_from, active_until, "
            "separate_reporting) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
            "?10, ?11, ?12, ?13)"));
    const bool has_start = !IsEmptyDate(m.start_date());
    const bool has_end = !IsEmptyDate(m.end_date());
    stmt->Reset();
    stmt->Bind(1, m.name()).Bind(2, m.short_name()).Bind(3, m.region())
        .BindTextOrNull(4, m.cluster()).Bind(5, int64_t{m.report_order()})
        .Bind(6, EnumName(m.lead_organization())).Bind(7, EnumName(m.kind()))
        .BindTextOrNull(8, DateText(m.start_date()))
        .BindTextOrNull(9, DateText(m.end_date()))
        .BindTextOrNull(10, DateText(m.dutch_participation_start()))
        .BindTextOrNull(11, has_start ? absl::FormatCivilTime(FirstDay(m.start_date())) : "")
        .BindTextOrNull(12, has_end ? absl::FormatCivilTime(LastDay(m.end_date())) : "")
        .BindTextOrNull(13, m.separate_reporting().kind() == 0
                                ? ""
                                : EnumName(m.separate_reporting().kind()));
    RETURN_IF_ERROR(Named(stmt->Run(), m.name()));
    ASSIGN_OR_RETURN(Statement * alias,
                     Get("INSERT INTO mission_aliases(mission, position, alias) "
                         "VALUES (?1, ?2, ?3)"));
    for (int i = 0; i < m.aliases_size(); ++i) {
      alias->Reset();
      alias->Bind(1, m.name()).Bind(2, int64_t{i}).Bind(3, m.aliases(i));
      RETURN_IF_ERROR(Named(alias->Run(), m.name()));
    }
    ASSIGN_OR_RETURN(Statement * country,
                     Get("INSERT INTO mission_countries(mission, position, "
                         "country) VALUES (?1, ?2, ?3)"));
    for (int i = 0; i < m.countries_size(); ++i) {
      country->Reset();
      country->Bind(1, m.name()).Bind(2, int64_t{i}).Bind(3, m.countries(i));
      RETURN_IF_ERROR(Named(country->Run(), m.name()));
    }
    RETURN_IF_ERROR(Texts(m.name(), "full_name", m.full_name()));
    RETURN_IF_ERROR(Texts(m.name(), "location", m.location()));
    return Texts(m.name(), "separate_reporting.remark",
                 m.separate_reporting().remark());
  }

  absl::Status International(const std::string& mission,
                             const v1::InternationalMandateDecision& d) {
    ASSIGN_OR_RETURN(
        Statement * stmt,
        Get("INSERT INTO international_mandate_decisions(name, mission, "
            "decided_on, valid_until_kind, valid_until_date, source) VALUES "
            "(?1, ?2, ?3, ?4, ?5, ?6)"));
    stmt->Reset();
    stmt->Bind(1, d.name()).Bind(2, mission)
        .BindTextOrNull(3, DateText(d.decided_on()))
        .Bind(4, v1::EndDate::Kind_Name(d.valid_until().kind()))
        .BindTextOrNull(5, DateText(d.valid_until().date()))
        .BindTextOrNull(6, d.source());
    RETURN_IF_ERROR(Named(stmt->Run(), d.name()));
    ASSIGN_OR_RETURN(Statement * instrument,
                     Get("INSERT INTO legal_instruments(decision, position, "
                         "kind, reference) VALUES (?1, ?2, ?3, ?4)"));
    for (int i = 0; i < d.legal_basis_size(); ++i) {
      const v1::LegalInstrument& li = d.legal_basis(i);
      instrument->Reset();
      instrument->Bind(1, d.name()).Bind(2, int64_t{i}).Bind(3, EnumName(li.kind()))
          .BindTextOrNull(4, li.reference());
      RETURN_IF_ERROR(Named(instrument->Run(), d.name()));
      RETURN_IF_ERROR(Texts(d.name(), absl::StrCat("legal_basis[", i, "].citation"),
                            li.citation()));
    }
    RETURN_IF_ERROR(Texts(d.name(), "valid_until.qualifier", d.valid_until().qualifier()));
    return Texts(d.name(), "summary", d.summary());
  }

  absl::Status National(const std::string& mission,
                        const v1::NationalMandateDecision& d) {
    ASSIGN_OR_RETURN(
        Statement * stmt,
        Get("INSERT INTO national_mandate_decisions(name, mission, decided_on, "
            "valid_until_kind, valid_until_date, cap_military, cap_civilian, "
            "cap_combined, cap_pool, reference) VALUES (?1, ?2, ?3, ?4, ?5, "
            "?6, ?7, ?8, ?9, ?10)"));
    const v1::PersonnelCap& cap = d.cap();
    stmt->Reset();
    stmt->Bind(1, d.name()).Bind(2, mission)
        .BindTextOrNull(3, DateText(d.decided_on()))
        .Bind(4, v1::EndDate::Kind_Name(d.valid_until().kind()))
        .BindTextOrNull(5, DateText(d.valid_until().date()))
        .Bind(6, OptionalOf(cap.has_military(), cap.military()))
        .Bind(7, OptionalOf(cap.has_civilian(), cap.civilian()))
        .Bind(8, OptionalOf(cap.has_combined(), cap.combined()))
        .BindTextOrNull(9, cap.pool()).BindTextOrNull(10, d.reference());
    RETURN_IF_ERROR(Named(stmt->Run(), d.name()));
    RETURN_IF_ERROR(Texts(d.name(), "valid_until.qualifier", d.valid_until().qualifier()));
    RETURN_IF_ERROR(Texts(d.name(), "cap.note", cap.note()));
    RETURN_IF_ERROR(Texts(d.name(), "capacity_note", d.capacity_note()));
    return Texts(d.name(), "summary", d.summary());
  }

  absl::Status Personnel(const std::string& mission, const v1::PersonnelFigures& p) {
    ASSIGN_OR_RETURN(Statement * stmt,
                     Get("INSERT INTO personnel_figures(name, mission, year, "
                         "military, civilian) VALUES (?1, ?2, ?3, ?4, ?5)"));
    stmt->Reset();
    stmt->Bind(1, p.name()).Bind(2, mission).Bind(3, int64_t{p.year()})
        .Bind(4, int64_t{p.military()}).Bind(5, int64_t{p.civilian()});
    RETURN_IF_ERROR(Named(stmt->Run(), p.name()));
    return Texts(p.name(), "note", p.note());
  }

  absl::Status Posting(const std::string& mission, const v1::Posting& p) {
    ASSIGN_OR_RETURN(Statement * stmt,
                     Get("INSERT INTO postings(name, mission, year, place, "
                         "category, count) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    stmt->Reset();
    stmt->Bind(1, p.name()).Bind(2, mission).Bind(3, int64_t{p.year()})
        .BindTextOrNull(4, p.place()).Bind(5, EnumName(p.category()))
        .Bind(6, int64_t{p.count()});
    RETURN_IF_ERROR(Named(stmt->Run(), p.name()));
    RETURN_IF_ERROR(Texts(p.name(), "function", p.function()));
    return Texts(p.name(), "period", p.period());
  }

  absl::Status Financial(const std::string& mission,
                         const v1::FinancialContribution& f) {
    ASSIGN_OR_RETURN(
        Statement * stmt,
        Get("INSERT INTO financial_contributions(name, mission, currency_code, "
            "units, nanos, annual, first_year, last_year) VALUES (?1, ?2, ?3, "
            "?4, ?5, ?6, ?7, ?8)"));
    stmt->Reset();
    stmt->Bind(1, f.name()).Bind(2, mission).Bind(3, f.amount().currency_code())
        .Bind(4, int64_t{f.amount().units()}).Bind(5, int64_t{f.amount().nanos()})
        .Bind(6, int64_t{f.annual() ? 1 : 0}).Bind(7, int64_t{f.first_year()})
        .Bind(8, OptionalOf(f.last_year() != 0, f.last_year()));
    RETURN_IF_ERROR(Named(stmt->Run(), f.name()));
    return Texts(f.name(), "purpose", f.purpose());
  }

  absl::Status Narrative(const std::string& mission, const v1::Narrative& n) {
    ASSIGN_OR_RETURN(Statement * stmt,
                     Get("INSERT INTO narratives(name, mission, year, section, "
                         "contribution_kind, language, text) VALUES (?1, ?2, "
                         "?3, ?4, ?5, ?6, ?7)"));
    stmt->Reset();
    stmt->Bind(1, n.name()).Bind(2, mission).Bind(3, int64_t{n.year()})
        .Bind(4, EnumName(n.section()))
        .BindTextOrNull(5, n.contribution_kind() == 0 ? "" : EnumName(n.contribution_kind()))
        .Bind(6, n.language()).Bind(7, n.text());
    return Named(stmt->Run(), n.name());
  }

 private:
  // Returns the prepared statement for `sql`, preparing it once.
  absl::StatusOr<Statement*> Get(const char* sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(sql));
      it = statements_.emplace(sql, std::move(stmt)).first;
    }
    return &it->second;
  }

  template <typename T>
  static const T& Cast(const google::protobuf::Message& m) {
    return static_cast<const T&>(m);
  }

  // Names the record in a failed write's message.
  static absl::Status Named(absl::Status status, const std::string& name) {
    if (status.ok()) return status;
    if (absl::IsAlreadyExists(status)) {
      return absl::AlreadyExistsError(
          absl::StrCat(name, " (or a record with the same key) already exists"));
    }
    return absl::Status(status.code(),
                        absl::StrCat("storing ", name, ": ", status.message()));
  }

  sqlite::Database& db_;
  std::map<const char*, Statement> statements_;
};

// --- The service's tables. -----------------------------------------------

constexpr absl::string_view kChangeNames[] = {"CREATE", "UPDATE", "DELETE", "UNDELETE"};

absl::string_view ChangeName(Change change) {
  return kChangeNames[static_cast<int>(change)];
}

Change ChangeFromName(absl::string_view name) {
  for (int i = 0; i < 4; ++i) {
    if (kChangeNames[i] == name) return static_cast<Change>(i);
  }
  return Change::kUpdate;
}

int64_t ToMicros(absl::Time time) { return absl::ToUnixMicros(time); }

std::string Rfc3339(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", time, absl::UTCTimeZone());
}

// Parses a stored resource row: kind, body, deleted, revision at `first`.
absl::StatusOr<StoredResource> ReadResourceRow(const Statement& row, int first) {
  StoredResource stored;
  ASSIGN_OR_RETURN(stored.kind, KindFromId(row.Text(first)));
  std::unique_ptr<Message> message = NewResource(stored.kind);
  if (!message->ParseFromString(row.Text(first + 1))) {
    return absl::DataLossError(absl::StrCat("stored resource of kind ", row.Text(first),
                                            " cannot be parsed"));
  }
  stored.message = std::move(message);
  stored.deleted = row.Int(first + 2) != 0;
  stored.revision = row.Int(first + 3);
  return stored;
}

// Copies a Timestamp field from one resource to another (both of one type).
void CopyTimestamp(const Message& from, Message* to, const char* field) {
  const auto* fd = from.GetDescriptor()->FindFieldByName(field);
  if (fd == nullptr) return;
  if (from.GetReflection()->HasField(from, fd)) {
    to->GetReflection()->MutableMessage(to, fd)->CopyFrom(
        from.GetReflection()->GetMessage(from, fd));
  } else {
    to->GetReflection()->ClearField(to, fd);
  }
}

// Runs `body` inside a transaction: commits on success, rolls back on error.
template <typename F>
absl::Status InTransaction(sqlite::Database& db, const char* begin, F&& body) {
  RETURN_IF_ERROR(db.Exec(begin));
  absl::Status status = body();
  if (status.ok()) status = db.Exec("COMMIT");
  if (!status.ok()) db.Exec("ROLLBACK").IgnoreError();
  return status;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteRecordStore>> SqliteRecordStore::Open(
    const std::string& path, std::function<absl::Time()> clock) {
  ASSIGN_OR_RETURN(std::unique_ptr<sqlite::Database> db,
                   sqlite::Database::Open(path));
  // WAL with synchronous=FULL: a committed transaction is durable.
  RETURN_IF_ERROR(db->Exec("PRAGMA busy_timeout = 5000"));
  {
    ASSIGN_OR_RETURN(sqlite::Statement wal, db->Prepare("PRAGMA journal_mode = WAL"));
    ASSIGN_OR_RETURN(bool has_mode, wal.Step());
    if (!has_mode || wal.Text(0) != "wal") {
      return absl::UnavailableError(
          absl::StrCat("cannot switch ", path, " to WAL mode"));
    }
  }
  RETURN_IF_ERROR(db->Exec("PRAGMA synchronous = FULL"));
  RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys = ON"));
  absl::Status migrated = sqlite::Migrate(*db);
  if (!migrated.ok()) {
    return absl::Status(migrated.code(),
                        absl::StrCat(path, ": ", migrated.message()));
  }
  auto store = std::unique_ptr<SqliteRecordStore>(
      new SqliteRecordStore(std::move(db), clock ? std::move(clock) : [] { return absl::Now(); }));
  absl::MutexLock lock(&store->mu_);
  ASSIGN_OR_RETURN(store->revision_, store->RevisionLocked());
  return store;
}

absl::StatusOr<int64_t> SqliteRecordStore::RevisionLocked() {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_->Prepare("SELECT COALESCE(MAX(revision), 0) FROM revisions"));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : 0;
}

absl::StatusOr<int64_t> SqliteRecordStore::CurrentRevision() {
  absl::MutexLock lock(&mu_);
  return revision_;
}

absl::StatusOr<int64_t> SqliteRecordStore::Commit(
    const std::vector<Mutation>& mutations, const CommitInfo& info,
    const std::function<absl::StatusOr<std::string>(
        int64_t, const std::vector<const Message*>&)>& make_response) {
  absl::MutexLock lock(&mu_);
  // Commit times never go backwards, so that RevisionAt is well defined.
  const absl::Time now = std::max(clock_(), last_commit_time_);
  const int64_t revision = revision_ + 1;
  std::vector<std::unique_ptr<Message>> stamped;
  RETURN_IF_ERROR(InTransaction(*db_, "BEGIN IMMEDIATE", [&]() -> absl::Status {
    RETURN_IF_ERROR(db_->Exec("PRAGMA defer_foreign_keys = ON"));
    {
      ASSIGN_OR_RETURN(Statement stmt,
                       db_->Prepare("INSERT INTO revisions(revision, commit_time, "
                                    "commit_time_us, actor, method, reason, request_id) "
                                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
      stmt.Bind(1, revision).Bind(2, Rfc3339(now)).Bind(3, ToMicros(now))
          .Bind(4, info.actor).Bind(5, info.method).Bind(6, info.reason)
          .Bind(7, info.request_id);
      RETURN_IF_ERROR(stmt.Run());
    }
    ASSIGN_OR_RETURN(Statement current,
                     db_->Prepare("SELECT kind, body, deleted, revision FROM "
                                  "resources WHERE name = ?1"));
    ASSIGN_OR_RETURN(Statement upsert,
                     db_->Prepare("INSERT INTO resources(name, kind, body, deleted, "
                                  "revision) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT"
                                  "(name) DO UPDATE SET body = excluded.body, deleted "
                                  "= excluded.deleted, revision = excluded.revision"));
    ASSIGN_OR_RETURN(Statement version,
                     db_->Prepare("INSERT INTO resource_versions(name, revision, kind, "
                                  "body, deleted) VALUES (?1, ?2, ?3, ?4, ?5)"));
    ASSIGN_OR_RETURN(Statement audit,
                     db_->Prepare("INSERT INTO audit_events(revision, resource, kind, "
                                  "change, fields, before, after) VALUES (?1, ?2, ?3, "
                                  "?4, ?5, ?6, ?7)"));
    ProjectionWriter projection(*db_);
    for (const Mutation& mutation : mutations) {
      const std::string name = NameOf(*mutation.after);
      current.Reset();
      current.Bind(1, name);
      ASSIGN_OR_RETURN(bool exists, current.Step());
      std::string before;
      std::unique_ptr<Message> message(mutation.after->New());
      message->CopyFrom(*mutation.after);
      if (mutation.change == Change::kCreate) {
        if (exists) {
          return absl::AlreadyExistsError(absl::StrCat(
              name, " already exists", current.Int(2) != 0 ? " (deleted; undelete it)" : ""));
        }
      } else {
        if (!exists) return absl::NotFoundError(absl::StrCat(name, " not found"));
        if (mutation.expected_revision != 0 && current.Int(3) != mutation.expected_revision) {
          return absl::AbortedError(absl::StrCat(
              name, " was changed since (etag ", EtagFor(mutation.expected_revision),
              ", now ", EtagFor(current.Int(3)), "); read it again and retry"));
        }
        before = current.Text(1);
        std::unique_ptr<Message> previous = NewResource(mutation.kind);
        if (!previous->ParseFromString(before)) {
          return absl::DataLossError(absl::StrCat("stored ", name, " cannot be parsed"));
        }
        CopyTimestamp(*previous, message.get(), "create_time");
        CopyTimestamp(*previous, message.get(), "delete_time");
      }
      StampOutputFields(mutation.change, revision, now, message.get());
      const bool deleted = IsDeleted(*message);
      const std::string body = message->SerializeAsString();
      const std::string kind(KindId(mutation.kind));
      upsert.Reset();
      upsert.Bind(1, name).Bind(2, kind).BindBlob(3, body).Bind(4, int64_t{deleted}).Bind(5, revision);
      RETURN_IF_ERROR(upsert.Run());
      version.Reset();
      version.Bind(1, name).Bind(2, revision).Bind(3, kind).BindBlob(4, body)
          .Bind(5, int64_t{deleted});
      RETURN_IF_ERROR(version.Run());
      audit.Reset();
      audit.Bind(1, revision).Bind(2, name).Bind(3, kind)
          .Bind(4, ChangeName(mutation.change))
          .Bind(5, absl::StrJoin(mutation.fields, ","));
      if (before.empty()) {
        audit.BindNull(6);
      } else {
        audit.BindBlob(6, before);
      }
      audit.BindBlob(7, body);
      RETURN_IF_ERROR(audit.Run());
      RETURN_IF_ERROR(projection.Replace(mutation.kind, *message, deleted));
      stamped.push_back(std::move(message));
    }
    std::string response;
    if (make_response) {
      std::vector<const Message*> views;
      for (const auto& m : stamped) views.push_back(m.get());
      ASSIGN_OR_RETURN(response, make_response(revision, views));
    }
    if (!info.request_id.empty()) {
      ASSIGN_OR_RETURN(Statement stmt,
                       db_->Prepare("INSERT INTO requests(request_id, method, "
                                    "fingerprint, revision, response) VALUES (?1, ?2, "
                                    "?3, ?4, ?5)"));
      stmt.Bind(1, info.request_id).Bind(2, info.method).Bind(3, info.request_fingerprint)
          .Bind(4, revision).BindBlob(5, response);
      absl::Status stored = stmt.Run();
      if (absl::IsAlreadyExists(stored)) {
        return absl::AlreadyExistsError(
            absl::StrCat("request_id '", info.request_id, "' was used already"));
      }
      RETURN_IF_ERROR(stored);
    }
    return absl::OkStatus();
  }));
  revision_ = revision;
  last_commit_time_ = now;
  changed_.SignalAll();
  return revision;
}

absl::StatusOr<std::optional<StoredRequest>> SqliteRecordStore::FindRequest(
    absl::string_view request_id) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement stmt,
                   db_->Prepare("SELECT method, fingerprint, revision, response FROM "
                                "requests WHERE request_id = ?1"));
  stmt.Bind(1, request_id);
  ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return std::optional<StoredRequest>();
  return std::optional<StoredRequest>(
      StoredRequest{stmt.Text(0), stmt.Text(1), stmt.Int(2), stmt.Text(3)});
}

absl::StatusOr<StoredResource> SqliteRecordStore::Get(absl::string_view name,
                                                      int64_t revision) {
  absl::MutexLock lock(&mu_);
  const char* sql =
      revision == 0
          ? "SELECT kind, body, deleted, revision FROM resources WHERE name = ?1"
          : "SELECT kind, body, deleted, revision FROM resource_versions WHERE "
            "name = ?1 AND revision <= ?2 ORDER BY revision DESC LIMIT 1";
  ASSIGN_OR_RETURN(Statement stmt, db_->Prepare(sql));
  stmt.Bind(1, name);
  if (revision != 0) stmt.Bind(2, revision);
  ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) {
    return absl::NotFoundError(
        revision == 0 ? absl::StrCat(name, " not found")
                      : absl::StrCat(name, " did not exist at revision ", revision));
  }
  return ReadResourceRow(stmt, 0);
}

absl::StatusOr<std::vector<StoredResource>> SqliteRecordStore::List(
    ResourceKind kind, absl::string_view name_prefix, int64_t revision) {
  absl::MutexLock lock(&mu_);
  const char* sql =
      revision == 0
          ? "SELECT kind, body, deleted, revision FROM resources WHERE kind = ?1 "
            "AND substr(name, 1, length(?2)) = ?2 ORDER BY rowid"
          : "SELECT v.kind, v.body, v.deleted, v.revision FROM resource_versions v "
            "JOIN resources r ON r.name = v.name "
            "WHERE v.kind = ?1 AND substr(v.name, 1, length(?2)) = ?2 AND "
            "v.revision = (SELECT MAX(w.revision) FROM resource_versions w WHERE "
            "w.name = v.name AND w.revision <= ?3) ORDER BY r.rowid";
  ASSIGN_OR_RETURN(Statement stmt, db_->Prepare(sql));
  stmt.Bind(1, KindId(kind)).Bind(2, name_prefix);
  if (revision != 0) stmt.Bind(3, revision);
  std::vector<StoredResource> result;
  while (true) {
    ASSIGN_OR_RETURN(bool more, stmt.Step());
    if (!more) break;
    ASSIGN_OR_RETURN(StoredResource stored, ReadResourceRow(stmt, 0));
    result.push_back(std::move(stored));
  }
  return result;
}

absl::StatusOr<int64_t> SqliteRecordStore::RevisionAt(absl::Time time) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement stmt,
                   db_->Prepare("SELECT COALESCE(MAX(revision), 0) FROM revisions "
                                "WHERE commit_time_us <= ?1"));
  stmt.Bind(1, ToMicros(time));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : 0;
}

absl::StatusOr<std::vector<AuditRecord>> SqliteRecordStore::ReadAudit(
    const AuditQuery& query) {
  absl::MutexLock lock(&mu_);
  std::string sql =
      "SELECT e.id, e.revision, r.commit_time_us, r.actor, r.method, r.reason, "
      "r.request_id, e.resource, e.kind, e.change, e.fields, e.before, e.after "
      "FROM audit_events e JOIN revisions r ON r.revision = e.revision "
      "WHERE e.id > ?1 AND e.revision > ?2";
  if (!query.resource.empty()) {
    absl::StrAppend(&sql, query.resource.back() == '/'
                              ? " AND substr(e.resource, 1, length(?3)) = ?3"
                              : " AND e.resource = ?3");
  }
  if (!query.actor.empty()) absl::StrAppend(&sql, " AND r.actor = ?4");
  if (query.from.has_value()) absl::StrAppend(&sql, " AND r.commit_time_us >= ?5");
  if (query.until.has_value()) absl::StrAppend(&sql, " AND r.commit_time_us < ?6");
  absl::StrAppend(&sql, " ORDER BY e.id LIMIT ?7");
  ASSIGN_OR_RETURN(Statement stmt, db_->Prepare(sql));
  stmt.Bind(1, query.after_id).Bind(2, query.after_revision);
  if (!query.resource.empty()) stmt.Bind(3, query.resource);
  if (!query.actor.empty()) stmt.Bind(4, query.actor);
  if (query.from.has_value()) stmt.Bind(5, ToMicros(*query.from));
  if (query.until.has_value()) stmt.Bind(6, ToMicros(*query.until));
  stmt.Bind(7, int64_t{query.limit});
  std::vector<AuditRecord> records;
  while (true) {
    ASSIGN_OR_RETURN(bool more, stmt.Step());
    if (!more) break;
    AuditRecord record;
    record.id = stmt.Int(0);
    record.revision = stmt.Int(1);
    record.time = absl::FromUnixMicros(stmt.Int(2));
    record.actor = stmt.Text(3);
    record.method = stmt.Text(4);
    record.reason = stmt.Text(5);
    record.request_id = stmt.Text(6);
    record.resource = stmt.Text(7);
    ASSIGN_OR_RETURN(record.kind, KindFromId(stmt.Text(8)));
    record.change = ChangeFromName(stmt.Text(9));
    const std::string fields = stmt.Text(10);
    if (!fields.empty()) record.fields = absl::StrSplit(fields, ',');
    record.before = stmt.Text(11);
    record.after = stmt.Text(12);
    records.push_back(std::move(record));
  }
  return records;
}

absl::StatusOr<std::string> SqliteRecordStore::Secret(absl::string_view name) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Statement insert,
                   db_->Prepare("INSERT OR IGNORE INTO secrets(name, value) "
                                "VALUES (?1, randomblob(32))"));
  insert.Bind(1, name);
  RETURN_IF_ERROR(insert.Run());
  ASSIGN_OR_RETURN(Statement select,
                   db_->Prepare("SELECT value FROM secrets WHERE name = ?1"));
  select.Bind(1, name);
  ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) return absl::InternalError("secret not stored");
  return select.Text(0);
}

int64_t SqliteRecordStore::WaitForRevisionAfter(int64_t revision, absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  while (revision_ <= revision) {
    if (changed_.WaitWithDeadline(&mu_, deadline)) break;
  }
  return revision_;
}

}  // namespace missions::registry
