#include "report-service/report/report_checks.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "proto/common/dates.h"
#include "report-service/report/labels.h"
#include "report-service/report/report_rules.h"

namespace missions::report {
namespace {

using ::registry::v1::Dataset;
using ::registry::v1::EndDate;
using ::registry::v1::InternationalMandateDecision;
using ::registry::v1::MissionRecord;
using ::registry::v1::NationalMandateDecision;

// A byte that belongs to a word: an ASCII letter or digit, or part of a
// multi-byte UTF-8 character.
bool IsWordByte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 0x80 || absl::ascii_isalnum(byte);
}

// True if `a` and `b` differ at most in the letter case of their first
// character ("anti-ISIS" at a sentence start is no other spelling).
bool SameButFirstLetterCase(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size() || a.empty()) return a == b;
  return absl::ascii_tolower(static_cast<unsigned char>(a[0])) ==
             absl::ascii_tolower(static_cast<unsigned char>(b[0])) &&
         a.substr(1) == b.substr(1);
}

// The last day a mission was active in `year`: its end date if it ended
// during the year, else 31 December.
absl::CivilDay LastActiveDay(const ::registry::v1::Mission& mission,
                             int year) {
  const absl::CivilDay year_end(year, 12, 31);
  if (mission.has_end_date() && !IsEmptyDate(mission.end_date())) {
    return std::min(year_end, LastDay(mission.end_date()));
  }
  return year_end;
}

// The last day of a DATE end; nullopt for other ends.
std::optional<absl::CivilDay> EndDay(const EndDate& end) {
  if (end.kind() != EndDate::DATE || !IsValidPartialDate(end.date()) ||
      IsEmptyDate(end.date())) {
    return std::nullopt;
  }
  return LastDay(end.date());
}

class Checker {
 public:
  Checker(const Dataset& data, const ReportModel& model)
      : data_(data), model_(model), language_(model.language) {
    for (const MissionRecord& record : data.missions()) {
      records_.emplace(record.mission().name(), &record);
    }
    for (const ::registry::v1::CapPool& pool : data.cap_pools()) {
      pool_titles_.emplace(pool.name(),
                           PickTextOrEmpty(pool.display_name(), language_));
    }
    year_end_ = absl::CivilDay(model.year, 12, 31);
    if (absl::StatusOr<google::type::Date> parsed =
            ParseDate(model.publication_date);
        parsed.ok() && IsFullDate(*parsed)) {
      publication_day_ = FirstDay(*parsed);
    } else {
      publication_day_ = year_end_;
    }
  }

  std::vector<Finding> Run() {
    Totals();
    CapsCountedOnce();
    LegalBases();
    NationalMandates();
    Headquarters();
    Narratives();
    Names();
    std::stable_sort(findings_.begin(), findings_.end(),
                     [](const Finding& a, const Finding& b) {
                       return static_cast<int>(a.severity) >
                              static_cast<int>(b.severity);
                     });
    return std::move(findings_);
  }

 private:
  bool dutch() const { return language_ == Language::kDutch; }
  int year() const { return model_.year; }

  // The sentence in the report's language.
  std::string Say(std::string nl, std::string en) const {
    return dutch() ? std::move(nl) : std::move(en);
  }

  std::string Long(absl::CivilDay day) const {
    return FormatLongDate(ToDate(day), LanguageCode(language_));
  }

  std::string Long(const google::type::Date& date) const {
    return FormatLongDate(date, LanguageCode(language_));
  }

  void Add(Severity severity, absl::string_view check,
           std::vector<std::string> records, std::string message) {
    Finding finding;
    finding.severity = severity;
    finding.severity_label =
        Label(severity == Severity::kError     ? LabelId::kSeverityError
              : severity == Severity::kWarning ? LabelId::kSeverityWarning
                                               : LabelId::kSeverityInfo,
              language_);
    finding.check = std::string(check);
    finding.records = std::move(records);
    finding.message = std::move(message);
    findings_.push_back(std::move(finding));
  }

  const MissionRecord* Record(const std::string& mission) const {
    const auto it = records_.find(mission);
    return it == records_.end() ? nullptr : it->second;
  }

  std::string ShortName(const std::string& mission) const {
    const MissionRecord* record = Record(mission);
    return record == nullptr ? mission : record->mission().short_name();
  }

  // -------------------------------------------------------------- totals

  void Totals() {
    const Annex2& annex = model_.annex2;
    Annex2Totals sum;
    int missions_with_personnel = 0;
    for (const Annex2Row& row : annex.rows) {
      sum.mandate_military += row.mandate_military.value_or(0);
      sum.mandate_civilian += row.mandate_civilian.value_or(0);
      sum.mandate_combined += row.mandate_combined.value_or(0);
      sum.deployed_military += row.deployed_military.value_or(0);
      sum.deployed_civilian += row.deployed_civilian.value_or(0);
      sum.deployed_total += row.deployed_total.value_or(0);
      if (row.deployed_total.value_or(0) > 0) ++missions_with_personnel;
      const int parts =
          row.deployed_military.value_or(0) + row.deployed_civilian.value_or(0);
      if (row.deployed_total.value_or(0) != parts) {
        Add(Severity::kError, "totals", {row.mission},
            Say(absl::StrCat("In bijlage 2 is het totaal ingezet voor ",
                             row.short_name, " ",
                             row.deployed_total.value_or(0), ", maar ",
                             "militair en civiel tellen op tot ", parts, "."),
                absl::StrCat("In annex 2 the total deployed for ",
                             row.short_name, " is ",
                             row.deployed_total.value_or(0),
                             ", but military and civilian add up to ", parts,
                             ".")));
      }
    }
    const Annex2Totals& totals = annex.totals;
    struct Column {
      LabelId label;
      int printed;
      int recomputed;
    };
    const Column columns[] = {
        {LabelId::kColumnMandateMilitary, totals.mandate_military,
         sum.mandate_military},
        {LabelId::kColumnMandateCivilian, totals.mandate_civilian,
         sum.mandate_civilian},
        {LabelId::kColumnMandateCombined, totals.mandate_combined,
         sum.mandate_combined},
        {LabelId::kColumnDeployedMilitary, totals.deployed_military,
         sum.deployed_military},
        {LabelId::kColumnDeployedCivilian, totals.deployed_civilian,
         sum.deployed_civilian},
        {LabelId::kColumnDeployedTotal, totals.deployed_total,
         sum.deployed_total},
    };
    bool all_agree = true;
    for (const Column& column : columns) {
      if (column.printed == column.recomputed) continue;
      all_agree = false;
      const std::string label = Label(column.label, language_);
      Add(Severity::kError, "totals", {},
          Say(absl::StrCat("Het totaal ‘", label, "’ van bijlage 2 is ",
                           column.printed, ", maar de rijen tellen op tot ",
                           column.recomputed, "."),
              absl::StrCat("The annex 2 total ‘", label, "’ is ",
                           column.printed, ", but the rows add up to ",
                           column.recomputed, ".")));
    }
    const Headline& headline = model_.expeditionary.coherence.headline;
    if (headline.deployed_military != sum.deployed_military ||
        headline.deployed_civilian != sum.deployed_civilian ||
        headline.mission_count != missions_with_personnel) {
      all_agree = false;
      Add(Severity::kError, "totals", {},
          Say(absl::StrCat(
                  "De kernzin van paragraaf 2.1 noemt ",
                  headline.deployed_military, " militairen, ",
                  headline.deployed_civilian, " civiele experts en ",
                  headline.mission_count, " missies; bijlage 2 telt ",
                  sum.deployed_military, ", ", sum.deployed_civilian, " en ",
                  missions_with_personnel, "."),
              absl::StrCat("The headline of section 2.1 states ",
                           headline.deployed_military, " military, ",
                           headline.deployed_civilian, " civilian and ",
                           headline.mission_count,
                           " missions; annex 2 counts ",
                           sum.deployed_military, ", ", sum.deployed_civilian,
                           " and ", missions_with_personnel, ".")));
    }
    if (!all_agree) return;
    const int persons =
        sum.mandate_military + sum.mandate_civilian + sum.mandate_combined;
    Add(Severity::kInfo, "totals", {},
        Say(absl::StrCat(
                "De totalen van bijlage 2 zijn uit de ", annex.rows.size(),
                " rijen herberekend en kloppen: mandaat ", sum.mandate_military,
                " militair, ", sum.mandate_civilian, " civiel/IPO en ",
                sum.mandate_combined, " gecombineerd (", persons,
                " personen tegelijk); ingezet ", sum.deployed_military,
                " militair, ", sum.deployed_civilian, " civiel/IPO, ",
                sum.deployed_total,
                " in totaal. De kernzin van paragraaf 2.1 noemt dezelfde "
                "aantallen."),
            absl::StrCat(
                "The annex 2 totals were recomputed from its ",
                annex.rows.size(), " rows and agree: caps ",
                sum.mandate_military, " military, ", sum.mandate_civilian,
                " civilian/IPO and ", sum.mandate_combined, " combined (",
                persons, " persons at a time); deployed ",
                sum.deployed_military, " military, ", sum.deployed_civilian,
                " civilian/IPO, ", sum.deployed_total,
                " in all. The headline of section 2.1 states the same "
                "figures.")));
  }

  // --------------------------------------------------- caps counted once

  void CapsCountedOnce() {
    const Annex2& annex = model_.annex2;
    // Pool -> its member rows, in report order.
    std::map<std::string, std::vector<const Annex2Row*>> pools;
    std::vector<std::string> pool_order;
    for (const Annex2Row& row : annex.rows) {
      if (row.mandate_combined.has_value() &&
          (row.mandate_military.has_value() ||
           row.mandate_civilian.has_value())) {
        Add(Severity::kError, "caps-counted-once", {row.mission},
            Say(absl::StrCat("Bijlage 2 toont voor ", row.short_name,
                             " zowel een gecombineerd mandaat als een "
                             "militair of civiel mandaat; zo telt hetzelfde "
                             "mandaat twee keer mee."),
                absl::StrCat("Annex 2 shows both a combined cap and a "
                             "military or civilian cap for ",
                             row.short_name,
                             "; the same cap is then counted twice.")));
      }
      if (!row.cap_pool.empty()) {
        auto [it, inserted] = pools.try_emplace(row.cap_pool);
        if (inserted) pool_order.push_back(row.cap_pool);
        it->second.push_back(&row);
      }
    }
    for (const std::string& pool : pool_order) {
      const std::vector<const Annex2Row*>& members = pools.at(pool);
      std::vector<std::string> filled;
      std::vector<std::string> records = {pool};
      for (const Annex2Row* row : members) {
        records.push_back(row->mission);
        if (row->mandate_military.has_value() ||
            row->mandate_civilian.has_value() ||
            row->mandate_combined.has_value()) {
          filled.push_back(row->short_name);
        }
      }
      if (filled.size() > 1) {
        Add(Severity::kError, "caps-counted-once", records,
            Say(absl::StrCat("Het gedeelde mandaat ", PoolTitle(pool),
                             " staat in bijlage 2 op ", filled.size(),
                             " rijen (", JoinAnd(filled),
                             ") en telt zo meer dan één keer mee."),
                absl::StrCat("The shared cap ", PoolTitle(pool),
                             " appears on ", filled.size(),
                             " rows of annex 2 (", JoinAnd(filled),
                             ") and is counted more than once.")));
      }
    }
    // What was counted once, for the reader who compares with a table
    // that counted it twice.
    std::vector<std::string> combined;
    int combined_sum = 0;
    std::vector<std::string> records;
    for (const Annex2Row& row : annex.rows) {
      if (!row.mandate_combined.has_value()) continue;
      combined_sum += *row.mandate_combined;
      records.push_back(row.mission);
      if (row.cap_pool.empty()) {
        combined.push_back(
            absl::StrCat(row.short_name, " (", *row.mandate_combined, ")"));
        continue;
      }
      records.push_back(row.cap_pool);
      std::vector<std::string> names;
      for (const Annex2Row* member : pools.at(row.cap_pool)) {
        names.push_back(member->short_name);
      }
      combined.push_back(absl::StrCat(JoinAnd(names), " (",
                                      *row.mandate_combined, ", ",
                                      Say("één gedeeld mandaat",
                                          "one shared cap"),
                                      ")"));
    }
    if (combined.empty()) return;
    Add(Severity::kInfo, "caps-counted-once", records,
        Say(absl::StrCat(
                "Gecombineerde en gedeelde mandaten tellen elk precies één "
                "keer mee, in de kolom ‘Mandaat gecombineerd’: ",
                JoinAnd(combined),
                ". Wie ze zowel bij militair als bij civiel meetelt, komt in "
                "elk van die kolommen ",
                combined_sum, " te hoog uit."),
            absl::StrCat(
                "Combined and shared caps each count exactly once, in the "
                "column ‘Cap combined’: ",
                JoinAnd(combined),
                ". Counting them under both military and civilian makes "
                "each of those columns ",
                combined_sum, " too high.")));
  }

  std::string PoolTitle(const std::string& pool) const {
    const auto it = pool_titles_.find(pool);
    return it == pool_titles_.end() || it->second.empty() ? pool : it->second;
  }

  std::string JoinAnd(const std::vector<std::string>& items) const {
    if (items.size() <= 1) return absl::StrJoin(items, "");
    const std::vector<std::string> head(items.begin(), items.end() - 1);
    return absl::StrCat(absl::StrJoin(head, ", "), Say(" en ", " and "),
                        items.back());
  }

  // ---------------------------------------------------------- legal bases

  std::string Citation(const InternationalMandateDecision& decision) const {
    std::vector<std::string> citations;
    for (const ::registry::v1::LegalInstrument& instrument :
         decision.legal_basis()) {
      std::string citation = PickTextOrEmpty(instrument.citation(), language_);
      if (citation.empty()) citation = instrument.reference();
      if (!citation.empty()) citations.push_back(std::move(citation));
    }
    return absl::StrJoin(citations, "; ");
  }

  std::string DecidedOnText(const InternationalMandateDecision& decision) const {
    if (!decision.has_decided_on() || IsEmptyDate(decision.decided_on())) {
      return Say("zonder datum", "undated");
    }
    return Long(decision.decided_on());
  }

  void LegalBases() {
    // Separately reported missions: their legal basis is in their own
    // report (a stated exception).
    for (const Annex2Row& row : model_.annex2.rows) {
      const MissionRecord* record = Record(row.mission);
      if (record == nullptr ||
          record->mission().separate_reporting().kind() !=
              ::registry::v1::SEPARATE_REPORTING_KIND_PROGRESS_REPORT) {
        continue;
      }
      Add(Severity::kInfo, "exception", {row.mission},
          Say(absl::StrCat(row.short_name,
                           " heeft een eigen voortgangsrapportage: de "
                           "rechtsgrond en het mandaat staan daar, niet in "
                           "bijlage 1."),
              absl::StrCat(row.short_name,
                           " has its own progress report: its legal basis "
                           "and mandate are given there, not in annex 1.")));
    }
    for (const Annex1Row& row : model_.annex1.rows) {
      const MissionRecord* record = Record(row.mission);
      if (record == nullptr) continue;
      const std::string name = ShortName(row.mission);
      const InternationalMandateDecision* in_year = InternationalDecisionOn(
          *record, year_end_, /*with_legal_basis=*/true);
      const InternationalMandateDecision* at_publication =
          InternationalDecisionOn(*record, publication_day_,
                                  /*with_legal_basis=*/true);
      if (in_year == nullptr) {
        if (at_publication != nullptr) {
          Add(Severity::kWarning, "legal-basis-missing",
              {row.mission, at_publication->name()},
              Say(absl::StrCat("Voor ", name,
                               " is geen rechtsgrond vastgelegd die in ",
                               year(), " van kracht was; bijlage 1 noemt ‘",
                               Citation(*at_publication), "’ (besluit van ",
                               DecidedOnText(*at_publication), ", na ",
                               year(), ")."),
                  absl::StrCat("No legal basis in force during ", year(),
                               " is recorded for ", name, "; annex 1 cites ‘",
                               Citation(*at_publication), "’ (decided ",
                               DecidedOnText(*at_publication), ", after ",
                               year(), ").")));
        } else {
          Add(Severity::kError, "legal-basis-missing", {row.mission},
              Say(absl::StrCat("Voor ", name,
                               " is geen rechtsgrond vastgelegd; de cel in "
                               "bijlage 1 blijft leeg."),
                  absl::StrCat("No legal basis is recorded for ", name,
                               "; its annex 1 cell stays empty.")));
        }
      } else if (at_publication != nullptr && at_publication != in_year) {
        Add(Severity::kInfo, "legal-basis-not-latest",
            {row.mission, in_year->name(), at_publication->name()},
            Say(absl::StrCat("Bijlage 1 noemt voor ", name, " ‘",
                             Citation(*at_publication),
                             "’, van kracht op de dag van publicatie (besluit "
                             "van ",
                             DecidedOnText(*at_publication), "); in ", year(),
                             " gold ‘", Citation(*in_year), "’."),
                absl::StrCat("Annex 1 cites ‘", Citation(*at_publication),
                             "’ for ", name,
                             ", in force on the day of publication (decided ",
                             DecidedOnText(*at_publication), "); during ",
                             year(), " the basis was ‘", Citation(*in_year),
                             "’.")));
      }
      BasisChangedDuringYear(*record, name);
      InternationalLapse(*record, name);
      ResolutionsInText(*record, row, name);
    }
  }

  // A legal basis replaced by another during the year: worth knowing for
  // whoever compares annex 1 with an older table.
  void BasisChangedDuringYear(const MissionRecord& record,
                              const std::string& name) {
    const absl::CivilDay year_start(year(), 1, 1);
    const InternationalMandateDecision* previous = InternationalDecisionOn(
        record, year_start, /*with_legal_basis=*/true);
    if (previous == nullptr) return;
    std::vector<std::string> steps;
    std::vector<std::string> records = {record.mission().name(),
                                        previous->name()};
    for (const InternationalMandateDecision* decision :
         InDecisionOrder(record.international_mandates())) {
      if (decision->legal_basis().empty() || !decision->has_decided_on() ||
          IsEmptyDate(decision->decided_on())) {
        continue;
      }
      const absl::CivilDay decided = FirstDay(decision->decided_on());
      if (decided <= year_start || decided > year_end_) continue;
      if (Citation(*decision) == Citation(*previous)) continue;
      steps.push_back(absl::StrCat(Say("vanaf ", "from "),
                                   Long(decision->decided_on()), " ‘",
                                   Citation(*decision), "’"));
      records.push_back(decision->name());
    }
    if (steps.empty()) return;
    Add(Severity::kInfo, "legal-basis-not-latest", records,
        Say(absl::StrCat("De rechtsgrond van ", name, " veranderde in ",
                         year(), ": eerst ‘", Citation(*previous), "’, ",
                         JoinAnd(steps),
                         ". Bijlage 1 noemt het laatste besluit, niet het "
                         "eerdere."),
            absl::StrCat("The legal basis of ", name, " changed in ", year(),
                         ": first ‘", Citation(*previous), "’, ",
                         JoinAnd(steps),
                         ". Annex 1 cites the latest decision, not the "
                         "earlier one.")));
  }

  void InternationalLapse(const MissionRecord& record,
                          const std::string& name) {
    const InternationalMandateDecision* latest =
        InternationalDecisionOn(record, year_end_, /*with_legal_basis=*/false);
    if (latest == nullptr) return;
    const std::optional<absl::CivilDay> end = EndDay(latest->valid_until());
    const absl::CivilDay active_until = LastActiveDay(record.mission(), year());
    if (!end.has_value() || *end >= active_until) return;
    Add(Severity::kWarning, "international-mandate-lapsed",
        {record.mission().name(), latest->name()},
        Say(absl::StrCat("Het internationale mandaat van ", name,
                         " liep tot ", Long(*end),
                         "; er is geen later besluit vastgelegd, terwijl de "
                         "missie tot ",
                         Long(active_until), " actief was."),
            absl::StrCat("The international mandate of ", name, " ran until ",
                         Long(*end),
                         "; no later decision is recorded, while the mission "
                         "was active until ",
                         Long(active_until), ".")));
  }

  // A narrative of the year that cites a newer UN resolution than any the
  // registry records for a mission whose legal basis is a resolution: the
  // renewal was not recorded, so annex 1 cites the old one.
  void ResolutionsInText(const MissionRecord& record, const Annex1Row& row,
                         const std::string& name) {
    int newest_recorded = 0;
    for (const InternationalMandateDecision& decision :
         record.international_mandates()) {
      for (const ::registry::v1::LegalInstrument& instrument :
           decision.legal_basis()) {
        if (instrument.kind() !=
            ::registry::v1::INSTRUMENT_KIND_UN_SECURITY_COUNCIL_RESOLUTION) {
          continue;
        }
        int number = 0;
        if (absl::SimpleAtoi(instrument.reference(), &number)) {
          newest_recorded = std::max(newest_recorded, number);
        }
        for (const auto& [language, citation] : instrument.citation()) {
          for (int cited : CitedResolutions(citation)) {
            newest_recorded = std::max(newest_recorded, cited);
          }
        }
      }
    }
    if (newest_recorded == 0) return;
    std::map<int, std::vector<std::string>> newer;  // number -> narratives
    for (const ::registry::v1::Narrative& narrative : record.narratives()) {
      if (narrative.year() != year()) continue;
      for (int cited : CitedResolutions(narrative.text())) {
        if (cited > newest_recorded) newer[cited].push_back(narrative.name());
      }
    }
    for (const auto& [number, narratives] : newer) {
      std::vector<std::string> records = {record.mission().name()};
      records.insert(records.end(), narratives.begin(), narratives.end());
      Add(Severity::kWarning, "legal-basis-not-latest", records,
          Say(absl::StrCat("De tekst over ", name, " in ", year(),
                           " noemt VN-Veiligheidsraadresolutie ", number,
                           ", maar geen vastgelegd besluit noemt die "
                           "resolutie; bijlage 1 noemt daardoor ‘",
                           row.legal_basis,
                           "’. Leg het besluit vast dat de resolutie "
                           "vastlegt."),
              absl::StrCat("The ", year(), " text on ", name,
                           " cites UN Security Council resolution ", number,
                           ", but no recorded decision cites it; annex 1 "
                           "therefore cites ‘",
                           row.legal_basis,
                           "’. Record the decision that the resolution "
                           "took.")));
    }
  }

  // --------------------------------------------------- national mandates

  void NationalMandates() {
    const absl::CivilDay year_start(year(), 1, 1);
    for (const Annex2Row& row : model_.annex2.rows) {
      const MissionRecord* record = Record(row.mission);
      if (record == nullptr) continue;
      const int deployed = row.deployed_total.value_or(0);
      const std::vector<const NationalMandateDecision*> in_force =
          NationalDecisionsInForceDuring(*record, year());
      if (in_force.empty()) {
        const NationalMandateDecision* before =
            NationalDecisionOn(*record, year_start - 1);
        const std::optional<absl::CivilDay> ended =
            before == nullptr ? std::nullopt : EndDay(before->valid_until());
        if (deployed > 0 && ended.has_value() && *ended < year_start) {
          Add(Severity::kError, "mandate-ended-before-year",
              {row.mission, before->name()},
              Say(absl::StrCat("Het Nederlandse mandaat voor ",
                               row.short_name, " liep af op ", Long(*ended),
                               ", vóór ", year(), ", maar in ", year(),
                               " waren er ", deployed,
                               " personen ingezet."),
                  absl::StrCat("The Dutch mandate for ", row.short_name,
                               " ended on ", Long(*ended), ", before ",
                               year(), ", but ", deployed,
                               " persons were deployed in ", year(), ".")));
        } else if (deployed > 0) {
          Add(Severity::kError, "deployed-without-mandate", {row.mission},
              Say(absl::StrCat("In ", year(), " waren er ", deployed,
                               " personen ingezet bij ", row.short_name,
                               ", maar er is geen Nederlands mandaat "
                               "vastgelegd dat in ",
                               year(), " van kracht was."),
                  absl::StrCat(deployed, " persons were deployed in ",
                               row.short_name, " in ", year(),
                               ", but no Dutch mandate in force during ",
                               year(), " is recorded.")));
        } else {
          Add(Severity::kWarning, "national-mandate-missing", {row.mission},
              Say(absl::StrCat(row.short_name,
                               " staat in bijlage 2 zonder Nederlands "
                               "mandaat dat in ",
                               year(), " van kracht was."),
                  absl::StrCat(row.short_name,
                               " is listed in annex 2 without a Dutch "
                               "mandate in force during ",
                               year(), ".")));
        }
        continue;
      }
      bool states_cap = false;
      std::vector<std::string> records = {row.mission};
      for (const NationalMandateDecision* decision : in_force) {
        records.push_back(decision->name());
        if (CapSize(decision->cap()) >= 0 || !decision->cap().pool().empty() ||
            !decision->capacity_note().empty()) {
          states_cap = true;
        }
      }
      if (!states_cap) {
        Add(Severity::kWarning, "cap-missing", records,
            Say(absl::StrCat("Het Nederlandse mandaat voor ", row.short_name,
                             " in ", year(),
                             " noemt geen maximum aantal personen en geen "
                             "capaciteit."),
                absl::StrCat("The Dutch mandate for ", row.short_name, " in ",
                             year(),
                             " states neither a personnel cap nor a "
                             "capacity.")));
      }
      const NationalMandateDecision& latest = *in_force.back();
      const std::optional<absl::CivilDay> end = EndDay(latest.valid_until());
      const absl::CivilDay active_until =
          LastActiveDay(record->mission(), year());
      if (deployed > 0 && end.has_value() && *end < active_until) {
        Add(Severity::kWarning, "national-mandate-lapsed",
            {row.mission, latest.name()},
            Say(absl::StrCat("Het Nederlandse mandaat voor ", row.short_name,
                             " liep tot ", Long(*end),
                             "; er is geen later besluit vastgelegd, terwijl "
                             "de missie tot ",
                             Long(active_until),
                             " actief was en er dat jaar personeel was "
                             "ingezet."),
                absl::StrCat("The Dutch mandate for ", row.short_name,
                             " ran until ", Long(*end),
                             "; no later decision is recorded, while the "
                             "mission was active until ",
                             Long(active_until),
                             " and personnel was deployed that year.")));
      }
    }
  }

  // Headquarters postings have no mandate of their own in the annexes.
  void Headquarters() {
    for (const RegionSection& region : model_.expeditionary.regions) {
      for (const RegionItem& item : region.items) {
        std::vector<const MissionSection*> sections;
        if (item.mission.has_value()) sections.push_back(&*item.mission);
        if (item.cluster.has_value()) {
          for (const MissionSection& section : item.cluster->missions) {
            sections.push_back(&section);
          }
        }
        for (const MissionSection* section : sections) {
          const MissionRecord* record = Record(section->mission);
          if (record == nullptr ||
              record->mission().kind() !=
                  ::registry::v1::MISSION_KIND_HEADQUARTERS ||
              !NationalDecisionsInForceDuring(*record, year()).empty()) {
            continue;
          }
          Add(Severity::kInfo, "exception", {section->mission},
              Say(absl::StrCat(record->mission().short_name(),
                               " is een plaatsing bij een internationaal "
                               "hoofdkwartier (paragraaf ",
                               section->number,
                               "): daarvoor staat geen mandaat in de "
                               "bijlagen."),
                  absl::StrCat(record->mission().short_name(),
                               " is a posting to an international "
                               "headquarters (section ",
                               section->number,
                               "): the annexes list no mandate for it.")));
        }
      }
    }
  }

  // ----------------------------------------------------------- narratives

  void NarrativeOf(const MissionSection& section) {
    const std::string name = ShortName(section.mission);
    if (!section.missing_text_note.empty()) {
      Add(Severity::kWarning, "narrative-missing", {section.mission},
          Say(absl::StrCat("Voor ", name, " (paragraaf ", section.number,
                           ") is voor ", year(), " geen tekst vastgelegd."),
              absl::StrCat("No text is recorded for ", name, " (section ",
                           section.number, ") for ", year(), ".")));
      return;
    }
    std::set<std::string> other_languages;
    for (const MissionSubsection& subsection : section.subsections) {
      if (!subsection.text.language_note.empty()) {
        other_languages.insert(subsection.text.language_note);
      }
    }
    if (other_languages.empty()) return;
    Add(Severity::kInfo, "narrative-missing", {section.mission},
        Say(absl::StrCat("Een deel van de tekst over ", name, " (paragraaf ",
                         section.number,
                         ") is niet in het Nederlands vastgelegd en staat er "
                         "in de oorspronkelijke taal: ",
                         absl::StrJoin(other_languages, ", "), "."),
            absl::StrCat("Part of the text on ", name, " (section ",
                         section.number,
                         ") is not recorded in English and is printed in its "
                         "original language: ",
                         absl::StrJoin(other_languages, ", "), ".")));
  }

  void Narratives() {
    for (const RegionSection& region : model_.expeditionary.regions) {
      for (const RegionItem& item : region.items) {
        if (item.mission.has_value()) NarrativeOf(*item.mission);
        if (item.cluster.has_value()) {
          for (const MissionSection& section : item.cluster->missions) {
            NarrativeOf(section);
          }
        }
      }
    }
    for (const MissionSection& section : model_.national.missions) {
      NarrativeOf(section);
    }
  }

  // ---------------------------------------------------------------- names

  // The records whose names the report uses, in report order: annex 2's
  // missions, then the other reported ones in dataset order.
  std::vector<const MissionRecord*> ReportedRecords() const {
    std::vector<const MissionRecord*> ordered;
    std::set<std::string> seen;
    for (const Annex2Row& row : model_.annex2.rows) {
      if (const MissionRecord* record = Record(row.mission);
          record != nullptr && seen.insert(row.mission).second) {
        ordered.push_back(record);
      }
    }
    for (const MissionRecord& record : data_.missions()) {
      if (IsActiveInYear(record.mission(), year()) &&
          seen.insert(record.mission().name()).second) {
        ordered.push_back(&record);
      }
    }
    return ordered;
  }

  void Names() {
    const std::vector<const MissionRecord*> reported = ReportedRecords();
    // Normal form -> (mission, spelling, is the short name), every mission
    // of the dataset.
    struct Spelling {
      std::string mission;
      std::string text;
      bool short_name;
    };
    std::map<std::string, std::vector<Spelling>> forms;
    for (const MissionRecord& record : data_.missions()) {
      const ::registry::v1::Mission& mission = record.mission();
      forms[NormalizedName(mission.short_name())].push_back(
          {mission.name(), mission.short_name(), true});
      for (const std::string& alias : mission.aliases()) {
        forms[NormalizedName(alias)].push_back({mission.name(), alias, false});
      }
    }
    for (const auto& [form, spellings] : forms) {
      std::set<std::string> missions;
      for (const Spelling& spelling : spellings) {
        missions.insert(spelling.mission);
      }
      if (form.empty() || missions.size() < 2) continue;
      std::vector<std::string> parts;
      std::vector<std::string> records(missions.begin(), missions.end());
      for (const Spelling& spelling : spellings) {
        parts.push_back(absl::StrCat(
            "‘", spelling.text, "’ (",
            spelling.short_name ? Say("korte naam van ", "short name of ")
                                : Say("andere spelling van ", "alias of "),
            ShortName(spelling.mission), ")"));
      }
      Add(Severity::kError, "name-collision", records,
          Say(absl::StrCat("Verschillende missies dragen dezelfde naam in "
                           "andere spelling: ",
                           JoinAnd(parts),
                           ". Zo is niet te zien welke missie bedoeld is."),
              absl::StrCat("Different missions bear the same name in other "
                           "spellings: ",
                           JoinAnd(parts),
                           ". It cannot be told which mission is meant.")));
    }
    for (const MissionRecord* record : reported) {
      const ::registry::v1::Mission& mission = record->mission();
      const std::string normal = NormalizedName(mission.short_name());
      std::vector<std::string> variants;
      for (const std::string& alias : mission.aliases()) {
        if (alias != mission.short_name() && NormalizedName(alias) == normal) {
          variants.push_back(absl::StrCat("‘", alias, "’"));
        }
      }
      if (variants.empty()) continue;
      Add(Severity::kInfo, "name-variants", {mission.name()},
          Say(absl::StrCat(mission.short_name(), " wordt ook gespeld als ",
                           JoinAnd(variants), "; het rapport gebruikt overal ‘",
                           mission.short_name(), "’."),
              absl::StrCat(mission.short_name(), " is also spelled ",
                           JoinAnd(variants), "; the report uses ‘",
                           mission.short_name(), "’ throughout.")));
    }
    VariantsInTexts(reported);
  }

  // Texts of the year that spell a mission's short name differently: the
  // report-level texts (introduction, rationales, ...) and the mission's
  // own narratives. (Other missions' narratives are not searched: that
  // would cost missions x texts.)
  void VariantsInTexts(const std::vector<const MissionRecord*>& reported) {
    struct Source {
      std::string name;
      const std::string* text;
    };
    std::vector<Source> report_texts;
    const std::string prefix = absl::StrCat("reportYears/", year(), "/");
    for (const ::registry::v1::ReportText& text : data_.report_texts()) {
      if (absl::StartsWith(text.name(), prefix)) {
        report_texts.push_back({text.name(), &text.text()});
      }
    }
    for (const MissionRecord* record : reported) {
      const ::registry::v1::Mission& mission = record->mission();
      std::vector<Source> texts = report_texts;
      for (const ::registry::v1::Narrative& narrative : record->narratives()) {
        if (narrative.year() == year()) {
          texts.push_back({narrative.name(), &narrative.text()});
        }
      }
      // Spelling -> texts using it.
      std::map<std::string, std::vector<std::string>> found;
      for (const Source& source : texts) {
        for (const std::string& spelling :
             SpellingsIn(*source.text, mission.short_name())) {
          std::vector<std::string>& names = found[spelling];
          if (names.empty() || names.back() != source.name) {
            names.push_back(source.name);
          }
        }
      }
      for (const auto& [spelling, names] : found) {
        std::vector<std::string> records = {mission.name()};
        records.insert(records.end(), names.begin(), names.end());
        Add(Severity::kWarning, "name-variant-in-text", records,
            Say(absl::StrCat(names.size() == 1 ? "Een tekst" : "Teksten",
                             " van ", year(), " schrijft ‘", spelling,
                             "’ waar het register ‘", mission.short_name(),
                             "’ gebruikt (", absl::StrJoin(names, ", "),
                             ")."),
                absl::StrCat(names.size() == 1 ? "A text" : "Texts", " of ",
                             year(), " spell ‘", spelling,
                             "’ where the registry uses ‘",
                             mission.short_name(), "’ (",
                             absl::StrJoin(names, ", "), ").")));
      }
    }
  }

  // The spellings of `name` in `text` other than `name` itself: stretches
  // of whole words whose normal form is the name's.
  static std::vector<std::string> SpellingsIn(absl::string_view text,
                                              absl::string_view name) {
    const std::string needle = NormalizedName(name);
    std::vector<std::string> spellings;
    if (needle.empty()) return spellings;
    std::string normal;
    std::vector<size_t> positions;
    normal.reserve(text.size());
    positions.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
      const auto byte = static_cast<unsigned char>(text[i]);
      if (byte >= 0x80 || absl::ascii_isalnum(byte)) {
        normal.push_back(static_cast<char>(absl::ascii_toupper(byte)));
        positions.push_back(i);
      }
    }
    for (size_t at = normal.find(needle); at != std::string::npos;
         at = normal.find(needle, at + 1)) {
      const size_t begin = positions[at];
      size_t end = positions[at + needle.size() - 1] + 1;
      while (end < text.size() &&
             (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
        ++end;  // The rest of a multi-byte character.
      }
      if ((begin > 0 && IsWordByte(text[begin - 1])) ||
          (end < text.size() && IsWordByte(text[end]))) {
        continue;
      }
      const absl::string_view spelled = text.substr(begin, end - begin);
      if (SameButFirstLetterCase(spelled, name)) continue;
      // Only blanks, hyphens and letter case may differ: a stretch that
      // crosses a sentence or a line is not a spelling.
      if (spelled.find_first_of(".,;:()\n") != absl::string_view::npos) {
        continue;
      }
      spellings.emplace_back(spelled);
    }
    return spellings;
  }

  const Dataset& data_;
  const ReportModel& model_;
  Language language_;
  absl::CivilDay year_end_;
  absl::CivilDay publication_day_;
  std::map<std::string, const MissionRecord*> records_;
  std::map<std::string, std::string> pool_titles_;
  std::vector<Finding> findings_;
};

}  // namespace

std::string NormalizedName(absl::string_view name) {
  std::string normal;
  normal.reserve(name.size());
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80 || absl::ascii_isalnum(byte)) {
      normal.push_back(static_cast<char>(absl::ascii_toupper(byte)));
    }
  }
  return normal;
}

std::vector<int> CitedResolutions(absl::string_view text) {
  static constexpr absl::string_view kKeywords[] = {
      "resolutie", "resoluties", "resolution", "resolutions",
      "vnvr",      "unsc",       "unscr"};
  // Words: stretches of letters and digits; a hyphen splits them
  // ("VNVR-resolutie").
  std::vector<std::string> words;
  std::string word;
  for (const char c : text) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      word.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  std::vector<int> numbers;
  for (size_t i = 0; i < words.size(); ++i) {
    if (std::find(std::begin(kKeywords), std::end(kKeywords), words[i]) ==
        std::end(kKeywords)) {
      continue;
    }
    for (size_t j = i + 1; j < words.size() && j <= i + 3; ++j) {
      const std::string& candidate = words[j];
      int number = 0;
      if (candidate.size() >= 3 && candidate.size() <= 4 &&
          absl::SimpleAtoi(candidate, &number)) {
        if (std::find(numbers.begin(), numbers.end(), number) ==
            numbers.end()) {
          numbers.push_back(number);
        }
        break;
      }
    }
  }
  return numbers;
}

std::vector<Finding> CheckReport(const Dataset& data,
                                 const ReportModel& model) {
  return Checker(data, model).Run();
}

}  // namespace missions::report
