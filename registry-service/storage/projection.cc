#include "registry-service/storage/projection.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/generated_enum_reflection.h"
#include "proto/common/dates.h"
#include "registry-service/domain/resource_types.h"
#include "registry/v1/resources.pb.h"

namespace missions::registry {
namespace {

using ::google::protobuf::Map;
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

SqlValue Int(int64_t value) { return value; }

SqlValue OptionalInt(bool has, int32_t value) {
  return has ? SqlValue(int64_t{value}) : SqlValue();
}

// `value`, or NULL when it is empty.
SqlValue TextOrNull(const std::string& value) {
  return value.empty() ? SqlValue() : SqlValue(value);
}

template <typename T>
const T& Cast(const google::protobuf::Message& m) {
  return static_cast<const T&>(m);
}

// Collects the statements of one resource.
class Builder {
 public:
  void Add(const char* sql, std::vector<SqlValue> values) {
    statements_.push_back(SqlStatement{sql, std::move(values)});
  }

  // The rows of a resource's texts per language.
  void Texts(const std::string& resource, const std::string& field,
             const Map<std::string, std::string>& texts) {
    // Sorted for a deterministic insertion order.
    std::map<std::string, std::string> sorted(texts.begin(), texts.end());
    for (const auto& [language, text] : sorted) {
      Add("INSERT INTO localized_texts(resource, field, language, text) "
          "VALUES (?1, ?2, ?3, ?4)",
          {resource, field, language, text});
    }
  }

  void Remove(ResourceKind kind, const std::string& name) {
    std::vector<const char*> sqls;
    switch (kind) {
      case ResourceKind::kRegion: sqls = {"DELETE FROM regions WHERE name = ?1"}; break;
      case ResourceKind::kCluster: sqls = {"DELETE FROM clusters WHERE name = ?1"}; break;
      case ResourceKind::kCapPool: sqls = {"DELETE FROM cap_pools WHERE name = ?1"}; break;
      case ResourceKind::kReportYear: sqls = {"DELETE FROM report_years WHERE name = ?1"}; break;
      case ResourceKind::kReportText: sqls = {"DELETE FROM report_texts WHERE name = ?1"}; break;
      case ResourceKind::kMission:
        sqls = {"DELETE FROM mission_aliases WHERE mission = ?1",
                "DELETE FROM mission_countries WHERE mission = ?1",
                "DELETE FROM missions WHERE name = ?1"};
        break;
      case ResourceKind::kInternationalMandate:
        sqls = {"DELETE FROM legal_instruments WHERE decision = ?1",
                "DELETE FROM international_mandate_decisions WHERE name = ?1"};
        break;
      case ResourceKind::kNationalMandate:
        sqls = {"DELETE FROM national_mandate_decisions WHERE name = ?1"};
        break;
      case ResourceKind::kPersonnelFigures:
        sqls = {"DELETE FROM personnel_figures WHERE name = ?1"};
        break;
      case ResourceKind::kPosting: sqls = {"DELETE FROM postings WHERE name = ?1"}; break;
      case ResourceKind::kFinancialContribution:
        sqls = {"DELETE FROM financial_contributions WHERE name = ?1"};
        break;
      case ResourceKind::kNarrative: sqls = {"DELETE FROM narratives WHERE name = ?1"}; break;
    }
    sqls.push_back("DELETE FROM localized_texts WHERE resource = ?1");
    for (const char* sql : sqls) Add(sql, {name});
  }

  void Insert(ResourceKind kind, const google::protobuf::Message& m) {
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
  }

  std::vector<SqlStatement> Take() { return std::move(statements_); }

 private:
  void Region(const v1::Region& region) {
    Add("INSERT INTO regions(name, report_order) VALUES (?1, ?2)",
        {region.name(), Int(region.report_order())});
    Texts(region.name(), "display_name", region.display_name());
  }

  void Cluster(const v1::Cluster& cluster) {
    const std::string region = cluster.name().substr(0, cluster.name().find("/clusters/"));
    Add("INSERT INTO clusters(name, region, report_order) VALUES (?1, ?2, ?3)",
        {cluster.name(), region, Int(cluster.report_order())});
    Texts(cluster.name(), "display_name", cluster.display_name());
  }

  void CapPool(const v1::CapPool& pool) {
    const v1::PersonnelCap& cap = pool.cap();
    Add("INSERT INTO cap_pools(name, cap_military, cap_civilian, cap_combined) "
        "VALUES (?1, ?2, ?3, ?4)",
        {pool.name(), OptionalInt(cap.has_military(), cap.military()),
         OptionalInt(cap.has_civilian(), cap.civilian()),
         OptionalInt(cap.has_combined(), cap.combined())});
    Texts(pool.name(), "display_name", pool.display_name());
    Texts(pool.name(), "cap.note", cap.note());
  }

  void ReportYear(const v1::ReportYear& year) {
    Add("INSERT INTO report_years(name, year, publication_date) VALUES (?1, ?2, ?3)",
        {year.name(), Int(year.year()), DateText(year.publication_date())});
  }

  void ReportText(const v1::ReportText& text) {
    // reportYears/{year}/texts/{text}
    int year = 0;
    if (auto parsed = ParseResourceName(text.name()); parsed.ok()) year = YearOf(*parsed);
    Add("INSERT INTO report_texts(name, year, kind, subject, language, text) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        {text.name(), Int(year), EnumName(text.kind()), TextOrNull(text.subject()),
         text.language(), text.text()});
  }

  void Mission(const v1::Mission& m) {
    const bool has_start = !IsEmptyDate(m.start_date());
    const bool has_end = !IsEmptyDate(m.end_date());
    Add("INSERT INTO missions(name, short_name, region, cluster, report_order, "
        "lead_organization, kind, start_date, end_date, dutch_participation_start, "
        "active_from, active_until, separate_reporting) VALUES (?1, ?2, ?3, ?4, "
        "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        {m.name(), m.short_name(), m.region(), TextOrNull(m.cluster()),
         Int(m.report_order()), EnumName(m.lead_organization()), EnumName(m.kind()),
         TextOrNull(DateText(m.start_date())), TextOrNull(DateText(m.end_date())),
         TextOrNull(DateText(m.dutch_participation_start())),
         has_start ? SqlValue(absl::FormatCivilTime(FirstDay(m.start_date()))) : SqlValue(),
         has_end ? SqlValue(absl::FormatCivilTime(LastDay(m.end_date()))) : SqlValue(),
         m.separate_reporting().kind() == 0
             ? SqlValue()
             : SqlValue(EnumName(m.separate_reporting().kind()))});
    for (int i = 0; i < m.aliases_size(); ++i) {
      Add("INSERT INTO mission_aliases(mission, position, alias) VALUES (?1, ?2, ?3)",
          {m.name(), Int(i), m.aliases(i)});
    }
    for (int i = 0; i < m.countries_size(); ++i) {
      Add("INSERT INTO mission_countries(mission, position, country) VALUES (?1, ?2, ?3)",
          {m.name(), Int(i), m.countries(i)});
    }
    Texts(m.name(), "full_name", m.full_name());
    Texts(m.name(), "location", m.location());
    Texts(m.name(), "separate_reporting.remark", m.separate_reporting().remark());
  }

  void International(const std::string& mission, const v1::InternationalMandateDecision& d) {
    Add("INSERT INTO international_mandate_decisions(name, mission, decided_on, "
        "valid_until_kind, valid_until_date, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        {d.name(), mission, TextOrNull(DateText(d.decided_on())),
         v1::EndDate::Kind_Name(d.valid_until().kind()),
         TextOrNull(DateText(d.valid_until().date())), TextOrNull(d.source())});
    for (int i = 0; i < d.legal_basis_size(); ++i) {
      const v1::LegalInstrument& li = d.legal_basis(i);
      Add("INSERT INTO legal_instruments(decision, position, kind, reference) "
          "VALUES (?1, ?2, ?3, ?4)",
          {d.name(), Int(i), EnumName(li.kind()), TextOrNull(li.reference())});
      Texts(d.name(), absl::StrCat("legal_basis[", i, "].citation"), li.citation());
    }
    Texts(d.name(), "valid_until.qualifier", d.valid_until().qualifier());
    Texts(d.name(), "summary", d.summary());
  }

  void National(const std::string& mission, const v1::NationalMandateDecision& d) {
    const v1::PersonnelCap& cap = d.cap();
    Add("INSERT INTO national_mandate_decisions(name, mission, decided_on, "
        "valid_until_kind, valid_until_date, cap_military, cap_civilian, "
        "cap_combined, cap_pool, reference) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
        "?8, ?9, ?10)",
        {d.name(), mission, TextOrNull(DateText(d.decided_on())),
         v1::EndDate::Kind_Name(d.valid_until().kind()),
         TextOrNull(DateText(d.valid_until().date())),
         OptionalInt(cap.has_military(), cap.military()),
         OptionalInt(cap.has_civilian(), cap.civilian()),
         OptionalInt(cap.has_combined(), cap.combined()), TextOrNull(cap.pool()),
         TextOrNull(d.reference())});
    Texts(d.name(), "valid_until.qualifier", d.valid_until().qualifier());
    Texts(d.name(), "cap.note", cap.note());
    Texts(d.name(), "capacity_note", d.capacity_note());
    Texts(d.name(), "summary", d.summary());
  }

  void Personnel(const std::string& mission, const v1::PersonnelFigures& p) {
    Add("INSERT INTO personnel_figures(name, mission, year, military, civilian) "
        "VALUES (?1, ?2, ?3, ?4, ?5)",
        {p.name(), mission, Int(p.year()), Int(p.military()), Int(p.civilian())});
    Texts(p.name(), "note", p.note());
  }

  void Posting(const std::string& mission, const v1::Posting& p) {
    Add("INSERT INTO postings(name, mission, year, place, category, count) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        {p.name(), mission, Int(p.year()), TextOrNull(p.place()),
         EnumName(p.category()), Int(p.count())});
    Texts(p.name(), "function", p.function());
    Texts(p.name(), "period", p.period());
  }

  void Financial(const std::string& mission, const v1::FinancialContribution& f) {
    Add("INSERT INTO financial_contributions(name, mission, currency_code, units, "
        "nanos, annual, first_year, last_year) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        {f.name(), mission, f.amount().currency_code(), Int(f.amount().units()),
         Int(f.amount().nanos()), Int(f.annual() ? 1 : 0), Int(f.first_year()),
         OptionalInt(f.last_year() != 0, f.last_year())});
    Texts(f.name(), "purpose", f.purpose());
  }

  void Narrative(const std::string& mission, const v1::Narrative& n) {
    Add("INSERT INTO narratives(name, mission, year, section, contribution_kind, "
        "language, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        {n.name(), mission, Int(n.year()), EnumName(n.section()),
         n.contribution_kind() == 0 ? SqlValue() : SqlValue(EnumName(n.contribution_kind())),
         n.language(), n.text()});
  }

  std::vector<SqlStatement> statements_;
};

}  // namespace

std::vector<SqlStatement> ProjectionStatements(
    ResourceKind kind, const google::protobuf::Message& resource, bool deleted) {
  Builder builder;
  builder.Remove(kind, NameOf(resource));
  if (!deleted) builder.Insert(kind, resource);
  return builder.Take();
}

}  // namespace missions::registry
