#include "report-service/report/report_assembly.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "proto/common/dates.h"
#include "proto/common/status_macros.h"
#include "report-service/report/report_checks.h"
#include "report-service/report/report_rules.h"

namespace missions::report {
namespace {

using ::registry::v1::CapPool;
using ::registry::v1::Cluster;
using ::registry::v1::Dataset;
using ::registry::v1::EndDate;
using ::registry::v1::InternationalMandateDecision;
using ::registry::v1::Mission;
using ::registry::v1::MissionRecord;
using ::registry::v1::Narrative;
using ::registry::v1::NationalMandateDecision;
using ::registry::v1::PersonnelCap;
using ::registry::v1::Region;
using ::registry::v1::ReportText;
using ::registry::v1::ReportTextKind;
using ::registry::v1::ReportYear;

// A mission of the report with its place in the report's order.
struct PlacedMission {
  const MissionRecord* record = nullptr;
  const Region* region = nullptr;
  const Cluster* cluster = nullptr;  // nullptr: none.
};

// Hands out footnote numbers in the order footnotes are added.
class FootnoteList {
 public:
  int Add(std::string text) {
    const int number = static_cast<int>(footnotes_.size()) + 1;
    footnotes_.push_back(Footnote{number, std::move(text)});
    return number;
  }
  std::vector<Footnote> Take() { return std::move(footnotes_); }

 private:
  std::vector<Footnote> footnotes_;
};

// Everything the assembly steps share.
struct Context {
  const Dataset& data;
  int year;
  Language language;
  absl::CivilDay publication_day;
  std::map<std::string, const Region*> regions;
  std::map<std::string, const Cluster*> clusters;
  std::map<std::string, const CapPool*> pools;
  // Active missions in report order.
  std::vector<PlacedMission> missions;
};

bool IsSeparateProgressReport(const Mission& mission) {
  return mission.separate_reporting().kind() ==
         ::registry::v1::SEPARATE_REPORTING_KIND_PROGRESS_REPORT;
}

bool InAnnexes(const Mission& mission) {
  return mission.kind() == ::registry::v1::MISSION_KIND_INTERNATIONAL ||
         mission.kind() == ::registry::v1::MISSION_KIND_NATIONAL_OPERATION;
}

// Splits a text into paragraphs at blank lines; the lines of a paragraph
// are joined with single spaces.
std::vector<std::string> Paragraphs(absl::string_view text) {
  std::vector<std::string> paragraphs;
  std::string current;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) {
      if (!current.empty()) paragraphs.push_back(std::move(current));
      current.clear();
      continue;
    }
    if (!current.empty()) current.push_back(' ');
    absl::StrAppend(&current, line);
  }
  if (!current.empty()) paragraphs.push_back(std::move(current));
  return paragraphs;
}

Text MakeText(absl::string_view text, absl::string_view text_language,
              Language language) {
  Text out;
  out.paragraphs = Paragraphs(text);
  if (out.paragraphs.empty()) return out;
  out.language = std::string(text_language);
  out.language_note = LanguageNote(text_language, language);
  return out;
}

// The report-level text of `kind` (about `subject`, if given) for the year.
Text ReportTextOf(const Context& ctx, ReportTextKind kind,
                  absl::string_view subject) {
  const std::string prefix = absl::StrCat("reportYears/", ctx.year, "/");
  std::vector<const ReportText*> candidates;
  std::vector<std::string> languages;
  for (const ReportText& text : ctx.data.report_texts()) {
    if (text.kind() != kind || text.subject() != subject ||
        !absl::StartsWith(text.name(), prefix) ||
        Paragraphs(text.text()).empty()) {
      continue;
    }
    candidates.push_back(&text);
    languages.push_back(text.language());
  }
  const int index = PickLanguageIndex(languages, ctx.language);
  if (index < 0) return Text{};
  return MakeText(candidates[index]->text(), candidates[index]->language(),
                  ctx.language);
}

std::string DisplayName(
    const google::protobuf::Map<std::string, std::string>& names,
    absl::string_view resource_name, Language language) {
  std::string name = PickTextOrEmpty(names, language);
  return name.empty() ? std::string(resource_name) : name;
}

// "EULEX (Kosovo)", or the short name alone when no location is recorded.
std::string MissionTitle(const Mission& mission, Language language) {
  const std::string location = PickTextOrEmpty(mission.location(), language);
  if (location.empty()) return mission.short_name();
  return absl::StrCat(mission.short_name(), " (", location, ")");
}

// The place of a mission in report order. A region's clusters and its
// missions without a cluster share one sequence of positions: an
// unclustered mission takes its position by its own report_order and name,
// a clustered one by its cluster's; at equal report_order a cluster comes
// before a mission, then the name decides. The last two fields order the
// missions within a cluster.
std::tuple<int, absl::string_view, int, int, absl::string_view, int,
           absl::string_view>
ReportOrderKey(const PlacedMission& placed) {
  constexpr int kClusterRank = 0;
  constexpr int kMissionRank = 1;
  const Region& region = *placed.region;
  const Mission& mission = placed.record->mission();
  const bool clustered = placed.cluster != nullptr;
  const int position_order =
      clustered ? placed.cluster->report_order() : mission.report_order();
  const absl::string_view position_name =
      clustered ? placed.cluster->name() : mission.name();
  return {region.report_order(), region.name(),
          position_order,        clustered ? kClusterRank : kMissionRank,
          position_name,         mission.report_order(),
          mission.name()};
}

// Indexes the dataset, checks the references of the active missions and
// puts those in report order.
absl::Status PlaceMissions(Context& ctx) {
  for (const Region& region : ctx.data.regions()) {
    ctx.regions.emplace(region.name(), &region);
  }
  for (const Cluster& cluster : ctx.data.clusters()) {
    ctx.clusters.emplace(cluster.name(), &cluster);
  }
  for (const CapPool& pool : ctx.data.cap_pools()) {
    ctx.pools.emplace(pool.name(), &pool);
  }
  for (const MissionRecord& record : ctx.data.missions()) {
    const Mission& mission = record.mission();
    if (!IsActiveInYear(mission, ctx.year)) continue;
    PlacedMission placed{&record, nullptr, nullptr};
    const auto region = ctx.regions.find(mission.region());
    if (region == ctx.regions.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(mission.name(), " refers to region '", mission.region(),
                       "', which the dataset does not hold"));
    }
    placed.region = region->second;
    if (!mission.cluster().empty()) {
      const auto cluster = ctx.clusters.find(mission.cluster());
      if (cluster == ctx.clusters.end()) {
        return absl::InvalidArgumentError(absl::StrCat(
            mission.name(), " refers to cluster '", mission.cluster(),
            "', which the dataset does not hold"));
      }
      placed.cluster = cluster->second;
    }
    ctx.missions.push_back(placed);
  }
  std::stable_sort(ctx.missions.begin(), ctx.missions.end(),
                   [](const PlacedMission& a, const PlacedMission& b) {
                     return ReportOrderKey(a) < ReportOrderKey(b);
                   });
  return absl::OkStatus();
}

// ---------------------------------------------------------------- Annex 2

// An annex-2 row while it is built: the notes are kept by kind so that
// they can be joined in their fixed order at the end.
struct Annex2Draft {
  Annex2Row row;
  std::string separate_remark;
  std::vector<std::string> cap_notes;
  std::string personnel_note;
  std::string pool_note;
  std::string capacity_note;  // Becomes a footnote.
};

void FillCap(const PersonnelCap& cap, Annex2Row& row) {
  if (cap.has_combined()) {
    row.mandate_combined = cap.combined();
    return;
  }
  if (cap.has_military()) row.mandate_military = cap.military();
  if (cap.has_civilian()) row.mandate_civilian = cap.civilian();
}

// Chooses, among the national decisions in force during the year, the one
// with the largest stated cap (a pooled cap counts with the pool's size);
// ties go to the latest.
absl::StatusOr<const NationalMandateDecision*> ChooseCapDecision(
    const Context& ctx, const MissionRecord& record) {
  const NationalMandateDecision* best = nullptr;
  int best_size = -2;
  for (const NationalMandateDecision* decision :
       NationalDecisionsInForceDuring(record, ctx.year)) {
    int size = CapSize(decision->cap());
    if (!decision->cap().pool().empty()) {
      const auto pool = ctx.pools.find(decision->cap().pool());
      if (pool == ctx.pools.end()) {
        return absl::InvalidArgumentError(absl::StrCat(
            decision->name(), " refers to cap pool '", decision->cap().pool(),
            "', which the dataset does not hold"));
      }
      size = CapSize(pool->second->cap());
    }
    if (size >= best_size) {
      best = decision;
      best_size = size;
    }
  }
  return best;
}

absl::StatusOr<std::vector<Annex2Draft>> Annex2Drafts(const Context& ctx) {
  std::vector<Annex2Draft> drafts;
  // Pool name -> indexes of its member rows, in report order.
  std::map<std::string, std::vector<size_t>> pool_members;
  std::vector<std::string> pool_order;
  for (const PlacedMission& placed : ctx.missions) {
    const Mission& mission = placed.record->mission();
    if (!InAnnexes(mission)) continue;
    Annex2Draft draft;
    Annex2Row& row = draft.row;
    row.region = placed.region->name();
    row.region_title = DisplayName(placed.region->display_name(),
                                   placed.region->name(), ctx.language);
    row.mission = mission.name();
    row.short_name = mission.short_name();
    if (mission.separate_reporting().kind() !=
        ::registry::v1::SEPARATE_REPORTING_KIND_UNSPECIFIED) {
      draft.separate_remark =
          PickTextOrEmpty(mission.separate_reporting().remark(), ctx.language);
    }
    ASSIGN_OR_RETURN(const NationalMandateDecision* decision,
                     ChooseCapDecision(ctx, *placed.record));
    if (decision != nullptr) {
      const PersonnelCap& cap = decision->cap();
      std::string cap_note = PickTextOrEmpty(cap.note(), ctx.language);
      if (!cap_note.empty()) draft.cap_notes.push_back(std::move(cap_note));
      draft.capacity_note =
          PickTextOrEmpty(decision->capacity_note(), ctx.language);
      if (cap.pool().empty()) {
        FillCap(cap, row);
      } else {
        row.cap_pool = cap.pool();
        auto [members, inserted] = pool_members.try_emplace(cap.pool());
        if (inserted) pool_order.push_back(cap.pool());
        members->second.push_back(drafts.size());
      }
    }
    for (const ::registry::v1::PersonnelFigures& figures :
         placed.record->personnel()) {
      if (figures.year() != ctx.year) continue;
      row.deployed_military = figures.military();
      row.deployed_civilian = figures.civilian();
      row.deployed_total = figures.military() + figures.civilian();
      draft.personnel_note = PickTextOrEmpty(figures.note(), ctx.language);
      break;
    }
    drafts.push_back(std::move(draft));
  }
  // A pool's cap goes on the row of its first member in report order.
  for (const std::string& pool_name : pool_order) {
    const CapPool& pool = *ctx.pools.at(pool_name);
    const std::vector<size_t>& members = pool_members.at(pool_name);
    Annex2Draft& first = drafts[members.front()];
    FillCap(pool.cap(), first.row);
    std::string pool_cap_note =
        PickTextOrEmpty(pool.cap().note(), ctx.language);
    if (!pool_cap_note.empty()) {
      first.cap_notes.push_back(std::move(pool_cap_note));
    }
    std::vector<std::string> others;
    for (size_t i = 1; i < members.size(); ++i) {
      Annex2Draft& other = drafts[members[i]];
      others.push_back(other.row.short_name);
      other.pool_note = PoolOtherMemberNote(first.row.short_name, ctx.language);
    }
    first.pool_note = PoolFirstMemberNote(
        others, DisplayName(pool.display_name(), pool.name(), ctx.language),
        ctx.language);
  }
  for (Annex2Draft& draft : drafts) {
    std::vector<std::string>& notes = draft.row.notes;
    if (!draft.separate_remark.empty()) notes.push_back(draft.separate_remark);
    for (std::string& note : draft.cap_notes) notes.push_back(std::move(note));
    if (!draft.personnel_note.empty()) notes.push_back(draft.personnel_note);
    if (!draft.pool_note.empty()) notes.push_back(draft.pool_note);
  }
  return drafts;
}

Annex2Totals SumAnnex2(const std::vector<Annex2Row>& rows) {
  Annex2Totals totals;
  for (const Annex2Row& row : rows) {
    totals.mandate_military += row.mandate_military.value_or(0);
    totals.mandate_civilian += row.mandate_civilian.value_or(0);
    totals.mandate_combined += row.mandate_combined.value_or(0);
    totals.deployed_military += row.deployed_military.value_or(0);
    totals.deployed_civilian += row.deployed_civilian.value_or(0);
    totals.deployed_total += row.deployed_total.value_or(0);
  }
  totals.mandate_persons = totals.mandate_military + totals.mandate_civilian +
                           totals.mandate_combined;
  return totals;
}

// ---------------------------------------------------------------- Annex 1

MandateEnd MakeMandateEnd(const EndDate& end, Language language) {
  MandateEnd out;
  switch (end.kind()) {
    case EndDate::DATE:
      out.kind = MandateEnd::Kind::kDate;
      out.date = FormatIsoDate(end.date());
      break;
    case EndDate::INDEFINITE:
      out.kind = MandateEnd::Kind::kIndefinite;
      break;
    case EndDate::PER_ACTIVITY:
      out.kind = MandateEnd::Kind::kPerActivity;
      break;
    default:
      break;
  }
  out.qualifier = PickTextOrEmpty(end.qualifier(), language);
  out.text = FormatEndDate(end, language, DateStyle::kLong);
  out.csv_text = FormatEndDate(end, language, DateStyle::kIso);
  return out;
}

std::string LegalBasisText(const InternationalMandateDecision& decision,
                           Language language) {
  std::vector<std::string> citations;
  for (const ::registry::v1::LegalInstrument& instrument :
       decision.legal_basis()) {
    std::string citation = PickTextOrEmpty(instrument.citation(), language);
    if (citation.empty()) citation = instrument.reference();
    if (!citation.empty()) citations.push_back(std::move(citation));
  }
  return absl::StrJoin(citations, "; ");
}

Annex1 BuildAnnex1(const Context& ctx) {
  Annex1 annex;
  annex.number = "1";
  annex.title = std::string(Label(LabelId::kAnnex1Title, ctx.language));
  const google::type::Date as_of = ToDate(ctx.publication_day);
  annex.as_of = FormatIsoDate(as_of);
  annex.as_of_note = Annex1AsOfNote(
      FormatLongDate(as_of, LanguageCode(ctx.language)), ctx.language);
  for (const PlacedMission& placed : ctx.missions) {
    const Mission& mission = placed.record->mission();
    if (!InAnnexes(mission) || IsSeparateProgressReport(mission)) continue;
    Annex1Row row;
    row.region = placed.region->name();
    row.region_title = DisplayName(placed.region->display_name(),
                                   placed.region->name(), ctx.language);
    row.mission = mission.name();
    row.mission_title = MissionTitle(mission, ctx.language);
    if (const InternationalMandateDecision* basis = InternationalDecisionOn(
            *placed.record, ctx.publication_day, /*with_legal_basis=*/true)) {
      row.legal_basis = LegalBasisText(*basis, ctx.language);
    }
    if (const InternationalMandateDecision* international =
            InternationalDecisionOn(*placed.record, ctx.publication_day,
                                    /*with_legal_basis=*/false)) {
      row.international_mandate_until =
          MakeMandateEnd(international->valid_until(), ctx.language);
    }
    if (const NationalMandateDecision* national =
            NationalDecisionOn(*placed.record, ctx.publication_day)) {
      row.national_mandate_until =
          MakeMandateEnd(national->valid_until(), ctx.language);
    }
    annex.rows.push_back(std::move(row));
  }
  return annex;
}

// ------------------------------------------------------- Mission sections

// The heading of a contribution sub-section without a narrative, from the
// categories of the postings.
std::string DerivedContributionHeading(const MissionRecord& record, int year,
                                       Language language) {
  bool military = false;
  bool civilian = false;
  for (const ::registry::v1::Posting& posting : record.postings()) {
    if (posting.year() != year) continue;
    if (posting.category() == ::registry::v1::PERSONNEL_CATEGORY_MILITARY) {
      military = true;
    } else {
      civilian = true;
    }
  }
  if (military && civilian) {
    return ContributionHeading(
        ::registry::v1::CONTRIBUTION_KIND_MILITARY_AND_CIVILIAN, language);
  }
  if (military) {
    return ContributionHeading(::registry::v1::CONTRIBUTION_KIND_MILITARY,
                               language);
  }
  if (civilian) {
    return ContributionHeading(::registry::v1::CONTRIBUTION_KIND_CIVILIAN,
                               language);
  }
  return Label(LabelId::kFinancialContribution, language);
}

bool FinancialContributionInYear(
    const ::registry::v1::FinancialContribution& contribution, int year) {
  return contribution.first_year() <= year &&
         (contribution.last_year() == 0 || contribution.last_year() >= year);
}

MissionSection BuildMissionSection(const Context& ctx,
                                   const MissionRecord& record,
                                   std::string number) {
  MissionSection section;
  section.number = std::move(number);
  section.mission = record.mission().name();
  section.title = MissionTitle(record.mission(), ctx.language);

  // Narratives of the year, grouped by sub-section (and contribution kind),
  // each group in its candidate languages.
  std::map<std::pair<int, int>, std::vector<const Narrative*>> groups;
  for (const Narrative& narrative : record.narratives()) {
    if (narrative.year() != ctx.year || Paragraphs(narrative.text()).empty()) {
      continue;
    }
    const int kind =
        narrative.section() == ::registry::v1::NARRATIVE_SECTION_CONTRIBUTION
            ? narrative.contribution_kind()
            : 0;
    groups[{narrative.section(), kind}].push_back(&narrative);
  }
  bool ends_with_contribution = false;
  for (const auto& [key, candidates] : groups) {
    std::vector<std::string> languages;
    for (const Narrative* narrative : candidates) {
      languages.push_back(narrative->language());
    }
    const Narrative& chosen =
        *candidates[PickLanguageIndex(languages, ctx.language)];
    MissionSubsection subsection;
    switch (chosen.section()) {
      case ::registry::v1::NARRATIVE_SECTION_RATIONALE:
        subsection.heading = Label(LabelId::kRationale, ctx.language);
        break;
      case ::registry::v1::NARRATIVE_SECTION_DEVELOPMENTS:
        subsection.heading = Label(LabelId::kDevelopments, ctx.language);
        break;
      case ::registry::v1::NARRATIVE_SECTION_CONTRIBUTION:
        subsection.heading =
            chosen.contribution_kind() ==
                    ::registry::v1::CONTRIBUTION_KIND_UNSPECIFIED
                ? DerivedContributionHeading(record, ctx.year, ctx.language)
                : ContributionHeading(chosen.contribution_kind(), ctx.language);
        break;
      default:
        continue;  // Unknown sections are not printed.
    }
    subsection.text = MakeText(chosen.text(), chosen.language(), ctx.language);
    section.subsections.push_back(std::move(subsection));
    ends_with_contribution =
        chosen.section() == ::registry::v1::NARRATIVE_SECTION_CONTRIBUTION;
  }

  // Postings and money go with the (last) contribution sub-section.
  std::vector<std::string> postings;
  for (const ::registry::v1::Posting& posting : record.postings()) {
    if (posting.year() == ctx.year) {
      postings.push_back(PostingLine(posting, ctx.language));
    }
  }
  std::vector<std::string> financial;
  for (const ::registry::v1::FinancialContribution& contribution :
       record.financial_contributions()) {
    if (FinancialContributionInYear(contribution, ctx.year)) {
      financial.push_back(
          FinancialContributionLine(contribution, ctx.language));
    }
  }
  if (!postings.empty() || !financial.empty()) {
    if (!ends_with_contribution) {
      MissionSubsection subsection;
      subsection.heading =
          DerivedContributionHeading(record, ctx.year, ctx.language);
      section.subsections.push_back(std::move(subsection));
    }
    MissionSubsection& contribution = section.subsections.back();
    if (!postings.empty()) {
      contribution.postings_intro = PostingsIntro(ctx.year, ctx.language);
      contribution.postings = std::move(postings);
    }
    if (!financial.empty()) {
      contribution.financial_intro =
          Label(LabelId::kFinancialContributionsIntro, ctx.language);
      contribution.financial_contributions = std::move(financial);
    }
  }
  if (section.subsections.empty()) {
    section.missing_text_note = MissingTextNote(ctx.year, ctx.language);
  }
  return section;
}

// ------------------------------------------------------------- Chapters

bool InChapter2(const Mission& mission) {
  return (mission.kind() == ::registry::v1::MISSION_KIND_INTERNATIONAL ||
          mission.kind() == ::registry::v1::MISSION_KIND_HEADQUARTERS) &&
         !IsSeparateProgressReport(mission);
}

std::vector<RegionSection> BuildRegionSections(const Context& ctx,
                                               int first_number) {
  std::vector<RegionSection> sections;
  int region_number = first_number;
  size_t i = 0;
  while (i < ctx.missions.size()) {
    // The missions of one region, [i, end).
    const Region* region = ctx.missions[i].region;
    size_t end = i;
    while (end < ctx.missions.size() && ctx.missions[end].region == region) {
      ++end;
    }
    std::vector<const PlacedMission*> members;
    for (size_t j = i; j < end; ++j) {
      if (InChapter2(ctx.missions[j].record->mission())) {
        members.push_back(&ctx.missions[j]);
      }
    }
    i = end;
    if (members.empty()) continue;

    RegionSection section;
    section.number = absl::StrCat("2.", region_number++);
    section.region = region->name();
    section.title =
        DisplayName(region->display_name(), region->name(), ctx.language);
    section.rationale = ReportTextOf(
        ctx, ::registry::v1::REPORT_TEXT_KIND_REGION_RATIONALE, region->name());
    if (!section.rationale.empty()) {
      section.rationale_heading =
          Label(LabelId::kRegionRationale, ctx.language);
    }
    // `members` is in report order, so a cluster's missions are adjacent.
    const auto next_item_number = [&section] {
      return absl::StrCat(section.number, ".", section.items.size() + 1);
    };
    for (const PlacedMission* member : members) {
      if (member->cluster == nullptr) {
        section.items.push_back(RegionItem{
            BuildMissionSection(ctx, *member->record, next_item_number()),
            std::nullopt});
        continue;
      }
      if (section.items.empty() || !section.items.back().cluster.has_value() ||
          section.items.back().cluster->cluster != member->cluster->name()) {
        ClusterSection cluster;
        cluster.number = next_item_number();
        cluster.cluster = member->cluster->name();
        cluster.title = DisplayName(member->cluster->display_name(),
                                    member->cluster->name(), ctx.language);
        cluster.rationale = ReportTextOf(
            ctx, ::registry::v1::REPORT_TEXT_KIND_CLUSTER_RATIONALE,
            member->cluster->name());
        if (!cluster.rationale.empty()) {
          cluster.rationale_heading =
              Label(LabelId::kRegionRationale, ctx.language);
        }
        section.items.push_back(RegionItem{std::nullopt, std::move(cluster)});
      }
      ClusterSection& cluster = *section.items.back().cluster;
      cluster.missions.push_back(BuildMissionSection(
          ctx, *member->record,
          absl::StrCat(cluster.number, ".", cluster.missions.size() + 1)));
    }
    sections.push_back(std::move(section));
  }
  return sections;
}

// ------------------------------------------------ Annex 3 (expiring)

// The last day of `end` if it is a full date.
std::optional<absl::CivilDay> EndDay(const EndDate& end) {
  if (end.kind() != EndDate::DATE || !IsFullDate(end.date())) {
    return std::nullopt;
  }
  return FirstDay(end.date());
}

ExpiringMandatesAnnex BuildExpiringMandates(const Context& ctx,
                                            int horizon_days,
                                            std::string number) {
  ExpiringMandatesAnnex annex;
  annex.number = std::move(number);
  annex.title = Label(LabelId::kExpiringMandatesTitle, ctx.language);
  annex.horizon_days = horizon_days;
  const absl::CivilDay from = ctx.publication_day;
  const absl::CivilDay until = from + horizon_days;
  annex.until = FormatIsoDate(ToDate(until));
  const std::string language(LanguageCode(ctx.language));
  annex.intro = ExpiringMandatesIntro(
      horizon_days, FormatLongDate(ToDate(from), language),
      FormatLongDate(ToDate(until), language), ctx.language);
  annex.empty_note = NoExpiringMandatesNote(ctx.language);

  struct Keyed {
    absl::CivilDay end;
    size_t order;
    ExpiringMandate row;
  };
  std::vector<Keyed> rows;
  const auto add = [&](size_t order, const PlacedMission& placed,
                       ExpiringMandate::Kind kind, absl::string_view decision,
                       const EndDate& end, std::string basis) {
    const std::optional<absl::CivilDay> end_day = EndDay(end);
    if (!end_day.has_value() || *end_day < from || *end_day > until) return;
    ExpiringMandate row;
    row.kind = kind;
    row.kind_label = Label(kind == ExpiringMandate::Kind::kInternational
                               ? LabelId::kInternationalMandate
                               : LabelId::kNationalMandate,
                           ctx.language);
    row.mission = placed.record->mission().name();
    row.mission_title = MissionTitle(placed.record->mission(), ctx.language);
    row.decision = std::string(decision);
    row.basis = std::move(basis);
    row.ends_on = FormatIsoDate(end.date());
    row.ends_on_text = FormatLongDate(end.date(), language);
    row.days_after_publication = static_cast<int>(*end_day - from);
    rows.push_back(Keyed{*end_day, order, std::move(row)});
  };
  for (size_t i = 0; i < ctx.missions.size(); ++i) {
    const PlacedMission& placed = ctx.missions[i];
    const MissionRecord& record = *placed.record;
    if (const InternationalMandateDecision* international =
            InternationalDecisionOn(record, from, /*with_legal_basis=*/false)) {
      const InternationalMandateDecision* basis =
          InternationalDecisionOn(record, from, /*with_legal_basis=*/true);
      add(i, placed, ExpiringMandate::Kind::kInternational,
          international->name(), international->valid_until(),
          basis == nullptr ? "" : LegalBasisText(*basis, ctx.language));
    }
    if (const NationalMandateDecision* national =
            NationalDecisionOn(record, from)) {
      add(i, placed, ExpiringMandate::Kind::kNational, national->name(),
          national->valid_until(), national->reference());
    }
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Keyed& a, const Keyed& b) {
                     return std::tie(a.end, a.order) < std::tie(b.end, b.order);
                   });
  for (Keyed& keyed : rows) annex.rows.push_back(std::move(keyed.row));
  return annex;
}

Provenance MakeProvenance(const ReportOptions& options, Language language) {
  Provenance provenance;
  provenance.registry_revision = options.registry_revision;
  std::string time_text;
  if (options.generation_time.has_value()) {
    const absl::TimeZone utc = absl::UTCTimeZone();
    const absl::Time time = absl::FromUnixSeconds(
        absl::ToUnixSeconds(*options.generation_time));
    provenance.generated_at = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, utc);
    const absl::CivilSecond civil = absl::ToCivilSecond(time, utc);
    time_text = GenerationTimeText(
        FormatLongDate(ToDate(absl::CivilDay(civil)), LanguageCode(language)),
        civil.hour(), civil.minute(), language);
  }
  provenance.statement =
      ProvenanceStatement(options.registry_revision, time_text, language);
  return provenance;
}

void CountFindings(ChecksAnnex& checks, Language language) {
  for (const Finding& finding : checks.findings) {
    switch (finding.severity) {
      case Severity::kError:
        ++checks.error_count;
        break;
      case Severity::kWarning:
        ++checks.warning_count;
        break;
      case Severity::kInfo:
        ++checks.info_count;
        break;
    }
  }
  checks.summary = ChecksSummary(checks.error_count, checks.warning_count,
                                 checks.info_count, language);
}

absl::StatusOr<absl::CivilDay> PublicationDay(const ReportYear& report_year) {
  if (!report_year.has_publication_date() ||
      !IsFullDate(report_year.publication_date())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "report year ", report_year.year(), " has no valid publication_date"));
  }
  const google::type::Date& date = report_year.publication_date();
  return absl::CivilDay(date.year(), date.month(), date.day());
}

}  // namespace

absl::StatusOr<ReportModel> AssembleReport(const Dataset& data, int year,
                                           Language language) {
  return AssembleReport(data, year, language, ReportOptions{});
}

absl::StatusOr<ReportModel> AssembleReport(const Dataset& data, int year,
                                           Language language,
                                           const ReportOptions& options) {
  if (options.expiring_horizon_days < 0 ||
      options.expiring_horizon_days > kMaxExpiringHorizonDays) {
    return absl::InvalidArgumentError(
        absl::StrCat("the expiring-mandates horizon must be 0 to ",
                     kMaxExpiringHorizonDays, " days"));
  }
  const ReportYear* report_year = nullptr;
  for (const ReportYear& candidate : data.report_years()) {
    if (candidate.year() == year) {
      report_year = &candidate;
      break;
    }
  }
  if (report_year == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("the dataset holds no report year ", year));
  }
  ASSIGN_OR_RETURN(const absl::CivilDay publication_day,
                   PublicationDay(*report_year));
  Context ctx{data, year, language, publication_day, {}, {}, {}, {}};
  RETURN_IF_ERROR(PlaceMissions(ctx));

  ReportModel model;
  model.year = year;
  model.language = language;
  model.title = ReportTitle(year, language);
  model.publication_date = FormatIsoDate(report_year->publication_date());
  model.publication_date_text =
      FormatLongDate(report_year->publication_date(), LanguageCode(language));
  model.provenance = MakeProvenance(options, language);

  // Annex 2 comes first: the headline of section 2.1 is computed from it.
  ASSIGN_OR_RETURN(std::vector<Annex2Draft> drafts, Annex2Drafts(ctx));
  Annex2& annex2 = model.annex2;
  annex2.number = "2";
  annex2.title = Annex2Title(year, language);
  for (Annex2Draft& draft : drafts) annex2.rows.push_back(draft.row);
  annex2.totals = SumAnnex2(annex2.rows);
  annex2.explanation.push_back(
      Annex2Explanation(year, annex2.totals.deployed_military,
                        annex2.totals.deployed_civilian, language));

  Headline& headline = model.expeditionary.coherence.headline;
  headline.deployed_military = annex2.totals.deployed_military;
  headline.deployed_civilian = annex2.totals.deployed_civilian;
  headline.mission_count = static_cast<int>(std::count_if(
      annex2.rows.begin(), annex2.rows.end(),
      [](const Annex2Row& row) { return row.deployed_total.value_or(0) > 0; }));
  headline.sentence = HeadlineSentence(year, headline.deployed_military,
                                       headline.deployed_civilian,
                                       headline.mission_count, language);

  model.introduction.number = "1";
  model.introduction.title = Label(LabelId::kIntroduction, language);
  model.introduction.text =
      ReportTextOf(ctx, ::registry::v1::REPORT_TEXT_KIND_INTRODUCTION, "");

  ExpeditionaryChapter& chapter2 = model.expeditionary;
  chapter2.number = "2";
  chapter2.title = Label(LabelId::kExpeditionary, language);
  chapter2.coherence.number = "2.1";
  chapter2.coherence.title = Label(LabelId::kCoherence, language);
  chapter2.coherence.text =
      ReportTextOf(ctx, ::registry::v1::REPORT_TEXT_KIND_COHERENCE, "");
  chapter2.regions = BuildRegionSections(ctx, 2);

  NationalChapter& chapter3 = model.national;
  chapter3.number = "3";
  chapter3.title = Label(LabelId::kNational, language);
  chapter3.introduction = ReportTextOf(
      ctx, ::registry::v1::REPORT_TEXT_KIND_NATIONAL_INTRODUCTION, "");
  for (const PlacedMission& placed : ctx.missions) {
    const Mission& mission = placed.record->mission();
    if (mission.kind() != ::registry::v1::MISSION_KIND_NATIONAL_OPERATION ||
        IsSeparateProgressReport(mission)) {
      continue;
    }
    chapter3.missions.push_back(BuildMissionSection(
        ctx, *placed.record, absl::StrCat("3.", chapter3.missions.size() + 1)));
  }

  model.closing.number = "4";
  model.closing.title = Label(LabelId::kClosing, language);
  model.closing.text =
      ReportTextOf(ctx, ::registry::v1::REPORT_TEXT_KIND_CLOSING, "");

  model.annex1 = BuildAnnex1(ctx);
  model.expiring_mandates =
      BuildExpiringMandates(ctx, options.expiring_horizon_days, "3");

  // Footnotes, numbered in the order they appear in the report.
  FootnoteList footnotes;
  headline.footnote = footnotes.Add(HeadlineFootnote(year, language));
  for (size_t i = 0; i < drafts.size(); ++i) {
    if (!drafts[i].capacity_note.empty()) {
      annex2.rows[i].footnotes.push_back(
          footnotes.Add(std::move(drafts[i].capacity_note)));
    }
  }
  annex2.totals.footnote = footnotes.Add(CapTotalsFootnote(
      annex2.totals.mandate_military, annex2.totals.mandate_civilian,
      annex2.totals.mandate_combined, language));
  model.footnotes = footnotes.Take();

  // The checks read the finished model.
  model.checks.number = "4";
  model.checks.title = Label(LabelId::kChecksTitle, language);
  model.checks.included = options.include_checks;
  model.checks.findings = CheckReport(data, model);
  CountFindings(model.checks, language);
  return model;
}

}  // namespace missions::report
