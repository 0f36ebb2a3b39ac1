#include "registry-service/storage/sqlite_record_store.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/generated_enum_reflection.h"
#include "proto/common/dates.h"
#include "proto/common/status_macros.h"
#include "registry-service/storage/sqlite_schema.h"

namespace missions::registry {
namespace {

using ::google::protobuf::Map;
using sqlite::Statement;
namespace v1 = ::registry::v1;

// --- Value conversions between protos and columns. ---------------------

template <typename E>
std::string EnumName(E value) {
  const auto* value_descriptor =
      google::protobuf::GetEnumDescriptor<E>()->FindValueByNumber(value);
  return value_descriptor != nullptr ? value_descriptor->name() : "";
}

template <typename E>
E EnumValue(const std::string& name) {
  const auto* value_descriptor =
      google::protobuf::GetEnumDescriptor<E>()->FindValueByName(name);
  return static_cast<E>(value_descriptor != nullptr ? value_descriptor->number()
                                                    : 0);
}

// ISO text of a date, empty for an unset date.
std::string DateText(const google::type::Date& date) {
  return IsEmptyDate(date) ? "" : FormatIsoDate(date);
}

void SetDate(const std::string& text, google::type::Date* date) {
  if (text.empty()) return;
  absl::StatusOr<google::type::Date> parsed = ParseDate(text);
  if (parsed.ok()) *date = *parsed;
}

std::optional<int64_t> OptionalOf(bool has, int32_t value) {
  return has ? std::optional<int64_t>(value) : std::nullopt;
}

// Texts of the resources of one mission record (or of the global records):
// resource -> field -> language -> text.
using TextIndex =
    std::map<std::string, std::map<std::string, std::map<std::string, std::string>>>;

void FillTexts(const TextIndex& index, const std::string& resource,
               const std::string& field, Map<std::string, std::string>* out) {
  auto r = index.find(resource);
  if (r == index.end()) return;
  auto f = r->second.find(field);
  if (f == r->second.end()) return;
  for (const auto& [language, text] : f->second) (*out)[language] = text;
}

// Loads the texts of `resource` and every resource below it
// ("missions/x" and "missions/x/..."); with an empty `resource`, of all
// resources that are not missions or below missions.
absl::StatusOr<TextIndex> LoadTexts(sqlite::Database& db,
                                    const std::string& resource) {
  TextIndex index;
  std::string sql =
      resource.empty()
          ? "SELECT resource, field, language, text FROM localized_texts "
            "WHERE resource < 'missions/' OR resource >= 'missions0'"
          : "SELECT resource, field, language, text FROM localized_texts "
            "WHERE resource = ?1 OR (resource > ?1 || '/' AND resource < ?1 || '0')";
  ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
  if (!resource.empty()) stmt.Bind(1, resource);
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    index[stmt.Text(0)][stmt.Text(1)][stmt.Text(2)] = stmt.Text(3);
  }
  return index;
}

// --- Writing. ----------------------------------------------------------

// Prepared inserts of one import.
class Writer {
 public:
  explicit Writer(sqlite::Database& db) : db_(db) {}

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
    const std::string year_part = text.name().substr(
        12, text.name().find("/texts/") - 12);
    stmt->Reset();
    stmt->Bind(1, text.name()).Bind(2, int64_t{std::stoi(year_part)})
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

// --- Reading. ----------------------------------------------------------

constexpr char kMissionColumns[] =
    "m.name, m.short_name, m.region, m.cluster, m.report_order, "
    "m.lead_organization, m.kind, m.start_date, m.end_date, "
    "m.dutch_participation_start, m.separate_reporting";

absl::StatusOr<v1::Mission> ReadMissionRow(sqlite::Database& db,
                                           const Statement& row,
                                           const TextIndex& texts) {
  v1::Mission m;
  m.set_name(row.Text(0));
  m.set_short_name(row.Text(1));
  m.set_region(row.Text(2));
  m.set_cluster(row.Text(3));
  m.set_report_order(static_cast<int32_t>(row.Int(4)));
  m.set_lead_organization(EnumValue<v1::LeadOrganization>(row.Text(5)));
  m.set_kind(EnumValue<v1::MissionKind>(row.Text(6)));
  SetDate(row.Text(7), m.mutable_start_date());
  SetDate(row.Text(8), m.mutable_end_date());
  SetDate(row.Text(9), m.mutable_dutch_participation_start());
  if (!row.IsNull(10)) {
    m.mutable_separate_reporting()->set_kind(
        EnumValue<v1::SeparateReportingKind>(row.Text(10)));
  }
  if (!m.start_date().year()) m.clear_start_date();
  if (!m.end_date().year()) m.clear_end_date();
  if (!m.dutch_participation_start().year()) m.clear_dutch_participation_start();
  ASSIGN_OR_RETURN(Statement aliases,
                   db.Prepare("SELECT alias FROM mission_aliases WHERE mission "
                              "= ?1 ORDER BY position"));
  aliases.Bind(1, m.name());
  while (true) {
    ASSIGN_OR_RETURN(bool more, aliases.Step());
    if (!more) break;
    m.add_aliases(aliases.Text(0));
  }
  ASSIGN_OR_RETURN(Statement countries,
                   db.Prepare("SELECT country FROM mission_countries WHERE "
                              "mission = ?1 ORDER BY position"));
  countries.Bind(1, m.name());
  while (true) {
    ASSIGN_OR_RETURN(bool more, countries.Step());
    if (!more) break;
    m.add_countries(countries.Text(0));
  }
  FillTexts(texts, m.name(), "full_name", m.mutable_full_name());
  FillTexts(texts, m.name(), "location", m.mutable_location());
  if (m.has_separate_reporting()) {
    FillTexts(texts, m.name(), "separate_reporting.remark",
              m.mutable_separate_reporting()->mutable_remark());
  }
  return m;
}

void ReadEndDate(const Statement& row, int kind_column, int date_column,
                 const TextIndex& texts, const std::string& resource,
                 v1::EndDate* end) {
  v1::EndDate::Kind kind = v1::EndDate::KIND_UNSPECIFIED;
  v1::EndDate::Kind_Parse(row.Text(kind_column), &kind);
  end->set_kind(kind);
  SetDate(row.Text(date_column), end->mutable_date());
  if (!end->date().year()) end->clear_date();
  FillTexts(texts, resource, "valid_until.qualifier", end->mutable_qualifier());
}

// Reads a mission's full record. `name` must exist.
absl::StatusOr<v1::MissionRecord> ReadMissionRecord(sqlite::Database& db,
                                                    const std::string& name) {
  ASSIGN_OR_RETURN(TextIndex texts, LoadTexts(db, name));
  v1::MissionRecord record;
  {
    ASSIGN_OR_RETURN(Statement row,
                     db.Prepare(absl::StrCat("SELECT ", kMissionColumns,
                                             " FROM missions m WHERE m.name = ?1")));
    row.Bind(1, name);
    ASSIGN_OR_RETURN(bool found, row.Step());
    if (!found) return absl::NotFoundError(absl::StrCat(name, " not found"));
    ASSIGN_OR_RETURN(*record.mutable_mission(), ReadMissionRow(db, row, texts));
  }
  {
    ASSIGN_OR_RETURN(Statement row,
                     db.Prepare("SELECT name, decided_on, valid_until_kind, "
                                "valid_until_date, source FROM "
                                "international_mandate_decisions WHERE mission "
                                "= ?1 ORDER BY rowid"));
    ASSIGN_OR_RETURN(Statement instruments,
                     db.Prepare("SELECT kind, reference FROM legal_instruments "
                                "WHERE decision = ?1 ORDER BY position"));
    row.Bind(1, name);
    while (true) {
      ASSIGN_OR_RETURN(bool more, row.Step());
      if (!more) break;
      v1::InternationalMandateDecision* d = record.add_international_mandates();
      d->set_name(row.Text(0));
      SetDate(row.Text(1), d->mutable_decided_on());
      if (!d->decided_on().year()) d->clear_decided_on();
      ReadEndDate(row, 2, 3, texts, d->name(), d->mutable_valid_until());
      d->set_source(row.Text(4));
      FillTexts(texts, d->name(), "summary", d->mutable_summary());
      instruments.Reset();
      instruments.Bind(1, d->name());
      for (int i = 0;; ++i) {
        ASSIGN_OR_RETURN(bool has, instruments.Step());
        if (!has) break;
        v1::LegalInstrument* li = d->add_legal_basis();
        li->set_kind(EnumValue<v1::InstrumentKind>(instruments.Text(0)));
        li->set_reference(instruments.Text(1));
        FillTexts(texts, d->name(), absl::StrCat("legal_basis[", i, "].citation"),
                  li->mutable_citation());
      }
    }
  }
  {
    ASSIGN_OR_RETURN(Statement row,
                     db.Prepare("SELECT name, decided_on, valid_until_kind, "
                                "valid_until_date, cap_military, cap_civilian, "
                                "cap_combined, cap_pool, reference FROM "
                                "national_mandate_decisions WHERE mission = ?1 "
                                "ORDER BY rowid"));
    row.Bind(1, name);
    while (true) {
      ASSIGN_OR_RETURN(bool more, row.Step());
      if (!more) break;
      v1::NationalMandateDecision* d = record.add_national_mandates();
      d->set_name(row.Text(0));
      SetDate(row.Text(1), d->mutable_decided_on());
      if (!d->decided_on().year()) d->clear_decided_on();
      ReadEndDate(row, 2, 3, texts, d->name(), d->mutable_valid_until());
      v1::PersonnelCap cap;
      if (auto v = row.OptionalInt(4)) cap.set_military(static_cast<int32_t>(*v));
      if (auto v = row.OptionalInt(5)) cap.set_civilian(static_cast<int32_t>(*v));
      if (auto v = row.OptionalInt(6)) cap.set_combined(static_cast<int32_t>(*v));
      cap.set_pool(row.Text(7));
      FillTexts(texts, d->name(), "cap.note", cap.mutable_note());
      if (cap.ByteSizeLong() > 0) *d->mutable_cap() = std::move(cap);
      d->set_reference(row.Text(8));
      FillTexts(texts, d->name(), "capacity_note", d->mutable_capacity_note());
      FillTexts(texts, d->name(), "summary", d->mutable_summary());
    }
  }
  {
    ASSIGN_OR_RETURN(Statement row,
                     db.Prepare("SELECT name, year, military, civilian FROM "
                                "personnel_figures WHERE mission = ?1 ORDER BY year"));
    row.Bind(1, name);
    while (true) {
      ASSIGN_OR_RETURN(bool more, row.Step());
      if (!more) break;
      v1::PersonnelFigures* p = record.add_personnel();
      p->set_name(row.Text(0));
      p->set_year(static_cast<int32_t>(row.Int(1)));
      p->set_military(static_cast<int32_t>(row.Int(2)));
      p->set_civilian(static_cast<int32_t>(row.Int(3)));
      FillTexts(texts, p->name(), "note", p->mutable_note());
    }
  }
  {
    ASSIGN_OR_RETURN(Statement row,
                     db.Prepare("SELECT name, year, place, category, count FROM "
                                "postings WHERE mission = ?1 ORDER BY rowid"));
    row.Bind(1, name);
    while (true) {
      ASSIGN_OR_RETURN(bool more, row.Step());
      if (!more) break;
      v1::Posting* p = record.add_postings();
      p->set_name(row.Text(0));
      p->set_year(static_cast<int32_t>(row.Int(1)));
      p->set_place(row.Text(2));
      p->set_category(EnumValue<v1::PersonnelCategory>(row.Text(3)));
      p->set_count(static_cast<int32_t>(row.Int(4)));
      FillTexts(texts, p->name(), "function", p->mutable_function());
      FillTexts(texts, p->name(), "period", p->mutable_period());
    }
  }
  {
    ASSIGN_OR_RETURN(Statement row,
                     db.Prepare("SELECT name, currency_code, units, nanos, "
                                "annual, first_year, last_year FROM "
                                "financial_contributions WHERE mission = ?1 "
                                "ORDER BY rowid"));
    row.Bind(1, name);
    while (true) {
      ASSIGN_OR_RETURN(bool more, row.Step());
      if (!more) break;
      v1::FinancialContribution* f = record.add_financial_contributions();
      f->set_name(row.Text(0));
      f->mutable_amount()->set_currency_code(row.Text(1));
      f->mutable_amount()->set_units(row.Int(2));
      f->mutable_amount()->set_nanos(static_cast<int32_t>(row.Int(3)));
      f->set_annual(row.Int(4) != 0);
      f->set_first_year(static_cast<int32_t>(row.Int(5)));
      f->set_last_year(static_cast<int32_t>(row.OptionalInt(6).value_or(0)));
      FillTexts(texts, f->name(), "purpose", f->mutable_purpose());
    }
  }
  {
    ASSIGN_OR_RETURN(Statement row,
                     db.Prepare("SELECT name, year, section, contribution_kind, "
                                "language, text FROM narratives WHERE mission = "
                                "?1 ORDER BY rowid"));
    row.Bind(1, name);
    while (true) {
      ASSIGN_OR_RETURN(bool more, row.Step());
      if (!more) break;
      v1::Narrative* n = record.add_narratives();
      n->set_name(row.Text(0));
      n->set_year(static_cast<int32_t>(row.Int(1)));
      n->set_section(EnumValue<v1::NarrativeSection>(row.Text(2)));
      n->set_contribution_kind(EnumValue<v1::ContributionKind>(row.Text(3)));
      n->set_language(row.Text(4));
      n->set_text(row.Text(5));
    }
  }
  return record;
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
    const std::string& path) {
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
  return std::unique_ptr<SqliteRecordStore>(new SqliteRecordStore(std::move(db)));
}

absl::StatusOr<int64_t> SqliteRecordStore::ImportDataset(
    const v1::Dataset& dataset, absl::string_view actor) {
  absl::MutexLock lock(&mu_);
  int64_t revision = 0;
  RETURN_IF_ERROR(InTransaction(*db_, "BEGIN IMMEDIATE", [&]() -> absl::Status {
    RETURN_IF_ERROR(ImportLocked(dataset));
    ASSIGN_OR_RETURN(Statement stmt,
                     db_->Prepare("INSERT INTO revisions(commit_time, actor, action) "
                                  "VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?1, "
                                  "'ImportDataset') RETURNING revision"));
    stmt.Bind(1, actor);
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return absl::InternalError("no revision assigned");
    revision = stmt.Int(0);
    return absl::OkStatus();
  }));
  return revision;
}

absl::StatusOr<int64_t> SqliteRecordStore::CurrentRevision() {
  absl::MutexLock lock(&mu_);
  return RevisionLocked();
}

absl::StatusOr<int64_t> SqliteRecordStore::RevisionLocked() {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_->Prepare("SELECT COALESCE(MAX(revision), 0) FROM revisions"));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : 0;
}

absl::Status SqliteRecordStore::ImportLocked(const v1::Dataset& dataset) {
  Writer writer(*db_);
  for (const auto& r : dataset.regions()) RETURN_IF_ERROR(writer.Region(r));
  for (const auto& c : dataset.clusters()) RETURN_IF_ERROR(writer.Cluster(c));
  for (const auto& p : dataset.cap_pools()) RETURN_IF_ERROR(writer.CapPool(p));
  for (const auto& y : dataset.report_years()) RETURN_IF_ERROR(writer.ReportYear(y));
  for (const auto& t : dataset.report_texts()) RETURN_IF_ERROR(writer.ReportText(t));
  for (const v1::MissionRecord& record : dataset.missions()) {
    const std::string& mission = record.mission().name();
    RETURN_IF_ERROR(writer.Mission(record.mission()));
    for (const auto& d : record.international_mandates()) {
      RETURN_IF_ERROR(writer.International(mission, d));
    }
    for (const auto& d : record.national_mandates()) {
      RETURN_IF_ERROR(writer.National(mission, d));
    }
    for (const auto& p : record.personnel()) RETURN_IF_ERROR(writer.Personnel(mission, p));
    for (const auto& p : record.postings()) RETURN_IF_ERROR(writer.Posting(mission, p));
    for (const auto& f : record.financial_contributions()) {
      RETURN_IF_ERROR(writer.Financial(mission, f));
    }
    for (const auto& n : record.narratives()) RETURN_IF_ERROR(writer.Narrative(mission, n));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Mission> SqliteRecordStore::GetMission(absl::string_view name) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(TextIndex texts, LoadTexts(*db_, std::string(name)));
  ASSIGN_OR_RETURN(Statement row,
                   db_->Prepare(absl::StrCat("SELECT ", kMissionColumns,
                                             " FROM missions m WHERE m.name = ?1")));
  row.Bind(1, name);
  ASSIGN_OR_RETURN(bool found, row.Step());
  if (!found) return absl::NotFoundError(absl::StrCat(name, " not found"));
  return ReadMissionRow(*db_, row, texts);
}

absl::StatusOr<std::vector<ListedMission>> SqliteRecordStore::ListMissions(
    const MissionQuery& query) {
  absl::MutexLock lock(&mu_);
  return ListLocked(query, /*with_year_records=*/false);
}

absl::StatusOr<std::vector<ListedMission>> SqliteRecordStore::ListLocked(
    const MissionQuery& query, bool with_year_records) {
  std::string sql = absl::StrCat(
      "SELECT ", kMissionColumns,
      ", r.report_order, r.name, COALESCE(c.report_order, m.report_order),"
      " CASE WHEN m.cluster IS NULL THEN 1 ELSE 0 END, COALESCE(c.name, m.name)"
      " FROM missions m JOIN regions r ON r.name = m.region"
      " LEFT JOIN clusters c ON c.name = m.cluster WHERE 1");
  if (query.year != 0) {
    absl::StrAppend(&sql,
                    " AND ((COALESCE(m.active_from, '0000') <= ?1 AND"
                    " COALESCE(m.active_until, '9999') >= ?2)");
    if (with_year_records) {
      absl::StrAppend(&sql,
                      " OR EXISTS (SELECT 1 FROM personnel_figures p WHERE"
                      " p.mission = m.name AND p.year = ?3)"
                      " OR EXISTS (SELECT 1 FROM narratives n WHERE"
                      " n.mission = m.name AND n.year = ?3)");
    }
    absl::StrAppend(&sql, ")");
  }
  if (!query.region.empty()) absl::StrAppend(&sql, " AND m.region = ?4");
  if (query.after.has_value()) {
    absl::StrAppend(&sql,
                    " AND (r.report_order, r.name, COALESCE(c.report_order,"
                    " m.report_order), CASE WHEN m.cluster IS NULL THEN 1 ELSE 0"
                    " END, COALESCE(c.name, m.name), m.report_order, m.name) >"
                    " (?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  }
  absl::StrAppend(&sql,
                  " ORDER BY 12, 13, 14, 15, 16,"
                  " m.report_order, m.name LIMIT ?12");
  ASSIGN_OR_RETURN(Statement stmt, db_->Prepare(sql));
  if (query.year != 0) {
    stmt.Bind(1, absl::StrFormat("%04d-12-31", query.year))
        .Bind(2, absl::StrFormat("%04d-01-01", query.year));
    if (with_year_records) stmt.Bind(3, int64_t{query.year});
  }
  if (!query.region.empty()) stmt.Bind(4, query.region);
  if (query.after.has_value()) {
    const MissionOrderKey& k = *query.after;
    stmt.Bind(5, int64_t{k.region_order}).Bind(6, k.region)
        .Bind(7, int64_t{k.group_order}).Bind(8, int64_t{k.group_rank})
        .Bind(9, k.group).Bind(10, int64_t{k.mission_order}).Bind(11, k.mission);
  }
  stmt.Bind(12, int64_t{query.limit});
  std::vector<ListedMission> result;
  while (true) {
    ASSIGN_OR_RETURN(bool more, stmt.Step());
    if (!more) break;
    ASSIGN_OR_RETURN(TextIndex texts, LoadTexts(*db_, stmt.Text(0)));
    ListedMission listed;
    ASSIGN_OR_RETURN(listed.mission, ReadMissionRow(*db_, stmt, texts));
    listed.key = MissionOrderKey{
        .region_order = static_cast<int>(stmt.Int(11)),
        .region = stmt.Text(12),
        .group_order = static_cast<int>(stmt.Int(13)),
        .group_rank = static_cast<int>(stmt.Int(14)),
        .group = stmt.Text(15),
        .mission_order = listed.mission.report_order(),
        .mission = listed.mission.name(),
    };
    result.push_back(std::move(listed));
  }
  return result;
}

absl::Status SqliteRecordStore::ReadYearDataset(
    int year, int batch_size,
    const std::function<absl::Status(v1::StreamYearDatasetResponse)>& sink) {
  std::vector<v1::Dataset> parts;
  int64_t revision = 0;
  {
    // Read everything under the lock (one consistent state), then stream
    // without holding it, so a slow reader never blocks other calls.
    absl::MutexLock lock(&mu_);
    absl::Status status = InTransaction(*db_, "BEGIN", [&]() -> absl::Status {
      ASSIGN_OR_RETURN(parts, ReadYearLocked(year, batch_size));
      ASSIGN_OR_RETURN(revision, RevisionLocked());
      return absl::OkStatus();
    });
    RETURN_IF_ERROR(status);
  }
  for (v1::Dataset& part : parts) {
    v1::StreamYearDatasetResponse response;
    *response.mutable_records() = std::move(part);
    response.set_revision(revision);
    RETURN_IF_ERROR(sink(std::move(response)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::Dataset>> SqliteRecordStore::ReadYearLocked(
    int year, int batch_size) {
  std::vector<v1::Dataset> parts(1);
  v1::Dataset& head = parts.front();
  ASSIGN_OR_RETURN(TextIndex texts, LoadTexts(*db_, ""));
  {
    ASSIGN_OR_RETURN(Statement row,
                     db_->Prepare("SELECT name, publication_date FROM "
                                  "report_years WHERE year = ?1"));
    row.Bind(1, int64_t{year});
    ASSIGN_OR_RETURN(bool found, row.Step());
    if (!found) {
      return absl::NotFoundError(
          absl::StrCat("the registry holds no report year ", year,
                       " (reportYears/", year, ")"));
    }
    v1::ReportYear* ry = head.add_report_years();
    ry->set_name(row.Text(0));
    ry->set_year(year);
    SetDate(row.Text(1), ry->mutable_publication_date());
  }
  {
    ASSIGN_OR_RETURN(Statement row,
                     db_->Prepare("SELECT name, report_order FROM regions ORDER BY "
                                  "report_order, name"));
    while (true) {
      ASSIGN_OR_RETURN(bool more, row.Step());
      if (!more) break;
      v1::Region* r = head.add_regions();
      r->set_name(row.Text(0));
      r->set_report_order(static_cast<int32_t>(row.Int(1)));
      FillTexts(texts, r->name(), "display_name", r->mutable_display_name());
    }
  }
  {
    ASSIGN_OR_RETURN(Statement row,
                     db_->Prepare("SELECT name, report_order FROM clusters ORDER "
                                  "BY region, report_order, name"));
    while (true) {
      ASSIGN_OR_RETURN(bool more, row.Step());
      if (!more) break;
      v1::Cluster* c = head.add_clusters();
      c->set_name(row.Text(0));
      c->set_report_order(static_cast<int32_t>(row.Int(1)));
      FillTexts(texts, c->name(), "display_name", c->mutable_display_name());
    }
  }
  {
    ASSIGN_OR_RETURN(Statement row,
                     db_->Prepare("SELECT name, cap_military, cap_civilian, "
                                  "cap_combined FROM cap_pools ORDER BY name"));
    while (true) {
      ASSIGN_OR_RETURN(bool more, row.Step());
      if (!more) break;
      v1::CapPool* p = head.add_cap_pools();
      p->set_name(row.Text(0));
      if (auto v = row.OptionalInt(1)) p->mutable_cap()->set_military(static_cast<int32_t>(*v));
      if (auto v = row.OptionalInt(2)) p->mutable_cap()->set_civilian(static_cast<int32_t>(*v));
      if (auto v = row.OptionalInt(3)) p->mutable_cap()->set_combined(static_cast<int32_t>(*v));
      FillTexts(texts, p->name(), "display_name", p->mutable_display_name());
      FillTexts(texts, p->name(), "cap.note", p->mutable_cap()->mutable_note());
    }
  }
  {
    ASSIGN_OR_RETURN(Statement row,
                     db_->Prepare("SELECT name, kind, subject, language, text FROM "
                                  "report_texts WHERE year = ?1 ORDER BY rowid"));
    row.Bind(1, int64_t{year});
    while (true) {
      ASSIGN_OR_RETURN(bool more, row.Step());
      if (!more) break;
      v1::ReportText* t = head.add_report_texts();
      t->set_name(row.Text(0));
      t->set_kind(EnumValue<v1::ReportTextKind>(row.Text(1)));
      t->set_subject(row.Text(2));
      t->set_language(row.Text(3));
      t->set_text(row.Text(4));
    }
  }
  MissionQuery query;
  query.year = year;
  query.limit = -1;  // LIMIT -1: no limit
  ASSIGN_OR_RETURN(std::vector<ListedMission> missions,
                   ListLocked(query, /*with_year_records=*/true));
  for (const ListedMission& listed : missions) {
    if (parts.size() == 1 || parts.back().missions_size() >= batch_size) {
      parts.emplace_back();
    }
    ASSIGN_OR_RETURN(*parts.back().add_missions(),
                     ReadMissionRecord(*db_, listed.mission.name()));
  }
  return parts;
}

absl::StatusOr<bool> SqliteRecordStore::Exists(absl::string_view name) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(
      Statement stmt,
      db_->Prepare("SELECT 1 FROM regions WHERE name = ?1 UNION ALL "
                   "SELECT 1 FROM clusters WHERE name = ?1 UNION ALL "
                   "SELECT 1 FROM cap_pools WHERE name = ?1 UNION ALL "
                   "SELECT 1 FROM report_years WHERE name = ?1 UNION ALL "
                   "SELECT 1 FROM missions WHERE name = ?1"));
  stmt.Bind(1, name);
  return stmt.Step();
}

}  // namespace missions::registry
