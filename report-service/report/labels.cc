#include "report-service/report/labels.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "proto/common/dates.h"

namespace missions::report {
namespace {

using ::registry::v1::ContributionKind;
using ::registry::v1::EndDate;
using ::registry::v1::PersonnelCategory;

// A label in both languages.
struct Bilingual {
  absl::string_view nl;
  absl::string_view en;
};

std::string In(const Bilingual& text, Language language) {
  return std::string(language == Language::kEnglish ? text.en : text.nl);
}

bool IsDutch(Language language) { return language == Language::kDutch; }

// The primary subtag of a BCP-47 tag, lower case: "nl-BE" -> "nl".
std::string PrimarySubtag(absl::string_view tag) {
  const size_t end = tag.find_first_of("-_");
  return absl::AsciiStrToLower(tag.substr(0, end));
}

// "a", "a en b", "a, b en c" / "a and b", "a, b and c".
std::string JoinList(const std::vector<std::string>& items, Language language) {
  if (items.size() <= 1) return absl::StrJoin(items, "");
  const std::vector<std::string> head(items.begin(), items.end() - 1);
  return absl::StrCat(absl::StrJoin(head, ", "),
                      IsDutch(language) ? " en " : " and ", items.back());
}

// Groups the digits of `value` in threes with `separator`: 250000 ->
// "250.000".
std::string GroupDigits(int64_t value, absl::string_view separator) {
  const std::string digits = absl::StrCat(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) absl::StrAppend(&out, separator);
    out.push_back(digits[i]);
  }
  return value < 0 ? absl::StrCat("-", out) : out;
}

// "3,5", "3,25", "4" for hundredths = 350, 325, 400.
std::string Hundredths(int64_t hundredths, absl::string_view decimal_mark) {
  std::string out = absl::StrCat(hundredths / 100);
  const int64_t fraction = hundredths % 100;
  if (fraction == 0) return out;
  if (fraction % 10 == 0) return absl::StrCat(out, decimal_mark, fraction / 10);
  return absl::StrCat(out, decimal_mark, fraction < 10 ? "0" : "", fraction);
}

std::string CategoryNoun(PersonnelCategory category, int count,
                         Language language) {
  const bool one = count == 1;
  switch (category) {
    case ::registry::v1::PERSONNEL_CATEGORY_MILITARY:
      return std::string(IsDutch(language)
                             ? (one ? "militair" : "militairen")
                             : (one ? "service member" : "service members"));
    case ::registry::v1::PERSONNEL_CATEGORY_CIVILIAN:
      return std::string(IsDutch(language)
                             ? (one ? "civiel expert" : "civiele experts")
                             : (one ? "civilian expert" : "civilian experts"));
    case ::registry::v1::PERSONNEL_CATEGORY_POLICE:
      return std::string(
          IsDutch(language)
              ? (one ? "politiefunctionaris" : "politiefunctionarissen")
              : (one ? "police officer" : "police officers"));
    default:
      return std::string(IsDutch(language) ? (one ? "persoon" : "personen")
                                           : (one ? "person" : "persons"));
  }
}

}  // namespace

absl::StatusOr<Language> ParseLanguage(absl::string_view code) {
  const std::string lower = absl::AsciiStrToLower(code);
  if (lower.empty() || lower == "nl") return Language::kDutch;
  if (lower == "en") return Language::kEnglish;
  return absl::InvalidArgumentError(absl::StrCat(
      "unsupported language '", code, "': use \"nl\" (default) or \"en\""));
}

absl::string_view LanguageCode(Language language) {
  return IsDutch(language) ? "nl" : "en";
}

std::string Label(LabelId id, Language language) {
  switch (id) {
    case LabelId::kTableOfContents:
      return In({"Inhoudsopgave", "Contents"}, language);
    case LabelId::kDate:
      return In({"Datum", "Date"}, language);
    case LabelId::kIntroduction:
      return In({"Inleiding", "Introduction"}, language);
    case LabelId::kExpeditionary:
      return In({"Expeditionaire inzet van Nederlandse militairen en civiele "
                 "experts",
                 "Expeditionary deployment of Dutch military personnel and "
                 "civilian experts"},
                language);
    case LabelId::kCoherence:
      return In({"Samenhang", "Coherence"}, language);
    case LabelId::kNational:
      return In({"Nationale inzet", "National deployment"}, language);
    case LabelId::kClosing:
      return In({"Slotbeschouwing", "Concluding remarks"}, language);
    case LabelId::kRegionRationale:
      return In({"Rationale en samenhang Nederlandse bijdragen",
                 "Rationale and coherence of the Dutch contributions"},
                language);
    case LabelId::kRationale:
      return In({"Rationale Nederlandse bijdrage",
                 "Rationale for the Dutch contribution"},
                language);
    case LabelId::kDevelopments:
      return In({"Voor de missie relevante ontwikkelingen",
                 "Developments relevant to the mission"},
                language);
    case LabelId::kMilitaryContribution:
      return In({"Militaire bijdrage", "Military contribution"}, language);
    case LabelId::kCivilianContribution:
      return In({"Civiele bijdrage", "Civilian contribution"}, language);
    case LabelId::kMilitaryAndCivilianContribution:
      return In({"Militaire en civiele bijdrage",
                 "Military and civilian contribution"},
                language);
    case LabelId::kContribution:
      return In({"Nederlandse bijdrage", "Dutch contribution"}, language);
    case LabelId::kFinancialContribution:
      return In({"Financiële bijdrage", "Financial contribution"}, language);
    case LabelId::kFinancialContributionsIntro:
      return In({"Financiële bijdragen:", "Financial contributions:"},
                language);
    case LabelId::kAnnex:
      return In({"Bijlage", "Annex"}, language);
    case LabelId::kAnnex1Title:
      return In(
          {"Juridische grondslagen en mandaten", "Legal bases and mandates"},
          language);
    case LabelId::kColumnRegion:
      return In({"Regio", "Region"}, language);
    case LabelId::kColumnMission:
      return In({"Missie", "Mission"}, language);
    case LabelId::kColumnLegalBasis:
      return In({"Rechtsgrond", "Legal basis"}, language);
    case LabelId::kColumnInternationalMandateUntil:
      return In({"Duur internationaal mandaat", "International mandate until"},
                language);
    case LabelId::kColumnNationalMandateUntil:
      return In({"Duur Nederlands mandaat", "Dutch mandate until"}, language);
    case LabelId::kColumnMandateMilitary:
      return In({"Mandaat militair", "Cap military"}, language);
    case LabelId::kColumnMandateCivilian:
      return In({"Mandaat civiel/IPO", "Cap civilian/IPO"}, language);
    case LabelId::kColumnMandateCombined:
      return In({"Mandaat gecombineerd", "Cap combined"}, language);
    case LabelId::kColumnDeployedMilitary:
      return In({"Ingezet militair", "Deployed military"}, language);
    case LabelId::kColumnDeployedCivilian:
      return In({"Ingezet civiel/IPO", "Deployed civilian/IPO"}, language);
    case LabelId::kColumnDeployedTotal:
      return In({"Ingezet totaal", "Deployed total"}, language);
    case LabelId::kColumnNote:
      return In({"Opmerking", "Note"}, language);
    case LabelId::kTotal:
      return In({"Totaal", "Total"}, language);
    case LabelId::kIndefinite:
      return In({"Onbepaald", "Indefinite"}, language);
    case LabelId::kPerActivity:
      return In({"Per activiteit bepaald", "Decided per activity"}, language);
    case LabelId::kExpiringMandatesTitle:
      return In({"Aflopende mandaten", "Expiring mandates"}, language);
    case LabelId::kChecksTitle:
      return In({"Controles", "Checks"}, language);
    case LabelId::kColumnMandateKind:
      return In({"Mandaat", "Mandate"}, language);
    case LabelId::kColumnBasis:
      return In({"Grondslag of kamerstuk", "Basis or parliamentary paper"},
                language);
    case LabelId::kColumnEndsOn:
      return In({"Loopt af op", "Ends on"}, language);
    case LabelId::kColumnDaysAfterPublication:
      return In({"Dagen na publicatie", "Days after publication"}, language);
    case LabelId::kColumnSeverity:
      return In({"Ernst", "Severity"}, language);
    case LabelId::kColumnCheck:
      return In({"Controle", "Check"}, language);
    case LabelId::kColumnFinding:
      return In({"Bevinding", "Finding"}, language);
    case LabelId::kColumnRecords:
      return In({"Registergegevens", "Records"}, language);
    case LabelId::kInternationalMandate:
      return In({"Internationaal", "International"}, language);
    case LabelId::kNationalMandate:
      return In({"Nationaal", "National"}, language);
    case LabelId::kSeverityError:
      return In({"Fout", "Error"}, language);
    case LabelId::kSeverityWarning:
      return In({"Waarschuwing", "Warning"}, language);
    case LabelId::kSeverityInfo:
      return In({"Melding", "Note"}, language);
    case LabelId::kFootnotes:
      return In({"Voetnoten", "Notes"}, language);
    case LabelId::kChartTitle:
      return In({"Personeel per regio en missie: mandaat en inzet",
                 "Personnel per region and mission: cap and deployment"},
                language);
    case LabelId::kChartMandated:
      return In({"Mandaat (personen tegelijk)", "Cap (persons at a time)"},
                language);
    case LabelId::kChartDeployed:
      return In({"Ingezet in het jaar (personen)",
                 "Deployed during the year (persons)"},
                language);
    case LabelId::kChartSharedCap:
      return In({"gedeeld mandaat", "shared cap"}, language);
  }
  return "";
}

std::string ReportTitle(int year, Language language) {
  return IsDutch(language)
             ? absl::StrCat(
                   "Jaarlijkse voortgangsrapportage kleine missiebijdragen ",
                   year)
             : absl::StrCat(
                   "Annual progress report on small mission contributions ",
                   year);
}

std::string Annex2Title(int year, Language language) {
  return IsDutch(language) ? absl::StrCat("Totale inzet in ", year)
                           : absl::StrCat("Total deployment in ", year);
}

std::string HeadlineSentence(int year, int deployed_military,
                             int deployed_civilian, int mission_count,
                             Language language) {
  if (IsDutch(language)) {
    return absl::StrCat("In totaal zijn in ", year, " circa ",
                        deployed_military, " Nederlandse militairen en ",
                        deployed_civilian,
                        " civiele experts en politiefunctionarissen ingezet "
                        "in ongeveer ",
                        mission_count, " missies en operaties.");
  }
  return absl::StrCat("In ", year, ", a total of approximately ",
                      deployed_military, " Dutch military personnel and ",
                      deployed_civilian,
                      " civilian experts and police officers were deployed in "
                      "some ",
                      mission_count, " missions and operations.");
}

std::string HeadlineFootnote(int year, Language language) {
  if (IsDutch(language)) {
    return absl::StrCat(
        "Het betreft de missies en operaties uit bijlage 2 waarin in ", year,
        " personeel is ingezet, inclusief de missies waarover afzonderlijk "
        "wordt gerapporteerd; civiele missies zijn niet meegenomen.");
  }
  return absl::StrCat(
      "Counted are the missions and operations of annex 2 to which personnel "
      "was deployed in ",
      year,
      ", including those reported on separately; civilian missions are not "
      "included.");
}

std::string ContributionHeading(ContributionKind kind, Language language) {
  switch (kind) {
    case ::registry::v1::CONTRIBUTION_KIND_MILITARY:
      return Label(LabelId::kMilitaryContribution, language);
    case ::registry::v1::CONTRIBUTION_KIND_CIVILIAN:
      return Label(LabelId::kCivilianContribution, language);
    case ::registry::v1::CONTRIBUTION_KIND_MILITARY_AND_CIVILIAN:
      return Label(LabelId::kMilitaryAndCivilianContribution, language);
    default:
      return Label(LabelId::kContribution, language);
  }
}

std::string FormatEndDate(const EndDate& end, Language language,
                          DateStyle style) {
  std::string text;
  switch (end.kind()) {
    case EndDate::DATE:
      text = style == DateStyle::kIso
                 ? FormatIsoDate(end.date())
                 : FormatLongDate(end.date(), LanguageCode(language));
      break;
    case EndDate::INDEFINITE:
      text = Label(LabelId::kIndefinite, language);
      break;
    case EndDate::PER_ACTIVITY:
      text = Label(LabelId::kPerActivity, language);
      break;
    default:
      break;
  }
  const std::string qualifier = PickTextOrEmpty(end.qualifier(), language);
  if (qualifier.empty()) return text;
  if (text.empty()) return qualifier;
  return absl::StrCat(text, " (", qualifier, ")");
}

std::string PostingLine(const ::registry::v1::Posting& posting,
                        Language language) {
  std::string line = PickTextOrEmpty(posting.function(), language);
  if (!posting.place().empty()) {
    absl::StrAppend(&line, " (", posting.place(), ")");
  }
  const int count = std::max(posting.count(), 1);
  absl::StrAppend(&line, ": ", count, " ",
                  CategoryNoun(posting.category(), count, language));
  const std::string period = PickTextOrEmpty(posting.period(), language);
  if (!period.empty()) absl::StrAppend(&line, ", ", period);
  return line;
}

std::string PostingsIntro(int year, Language language) {
  return IsDutch(language) ? absl::StrCat("Nederlandse functies in ", year, ":")
                           : absl::StrCat("Dutch positions in ", year, ":");
}

std::string FormatMoney(const google::type::Money& money, Language language) {
  const bool dutch = IsDutch(language);
  const bool euro = money.currency_code() == "EUR";
  // Amounts are positive; work in cents to stay exact.
  const int64_t cents = money.units() * 100 + money.nanos() / 10000000;
  constexpr int64_t kCentsPerHundredthMillion = 1000000;
  std::string number;
  bool millions = false;
  if (cents >= 100 * 1000000 && cents % kCentsPerHundredthMillion == 0) {
    number = Hundredths(cents / kCentsPerHundredthMillion, dutch ? "," : ".");
    millions = true;
  } else {
    number = GroupDigits(cents / 100, dutch ? "." : ",");
    if (cents % 100 != 0) {
      const int64_t rest = std::llabs(cents % 100);
      absl::StrAppend(&number, dutch ? "," : ".", rest < 10 ? "0" : "", rest);
    }
  }
  if (dutch) {
    return absl::StrCat(number, millions ? " miljoen " : " ",
                        euro ? "euro" : money.currency_code());
  }
  return absl::StrCat(money.currency_code(), " ", number,
                      millions ? " million" : "");
}

std::string FinancialContributionLine(
    const ::registry::v1::FinancialContribution& contribution,
    Language language) {
  const bool dutch = IsDutch(language);
  std::string purpose = PickTextOrEmpty(contribution.purpose(), language);
  if (purpose.empty()) {
    purpose = Label(LabelId::kFinancialContribution, language);
  }
  std::string period;
  if (contribution.last_year() == 0) {
    period =
        absl::StrCat(dutch ? "vanaf " : "from ", contribution.first_year());
  } else if (contribution.last_year() == contribution.first_year()) {
    period = absl::StrCat(contribution.first_year());
  } else {
    period =
        absl::StrCat(contribution.first_year(), dutch ? " tot en met " : " to ",
                     contribution.last_year());
  }
  return absl::StrCat(
      purpose, ": ", FormatMoney(contribution.amount(), language),
      contribution.annual() ? (dutch ? " per jaar" : " a year") : "", " (",
      period, ")");
}

std::string MissingTextNote(int year, Language language) {
  return IsDutch(language)
             ? absl::StrCat("Over ", year,
                            " is voor deze missie geen tekst vastgelegd.")
             : absl::StrCat("No text has been recorded for this mission for ",
                            year, ".");
}

std::string PoolFirstMemberNote(const std::vector<std::string>& other_members,
                                absl::string_view pool_title,
                                Language language) {
  const bool dutch = IsDutch(language);
  if (other_members.empty()) {
    return absl::StrCat(dutch ? "gedeeld mandaat: " : "shared cap: ",
                        pool_title);
  }
  return absl::StrCat(dutch ? "mandaat gedeeld met " : "cap shared with ",
                      JoinList(other_members, language));
}

std::string PoolOtherMemberNote(absl::string_view first_member,
                                Language language) {
  return absl::StrCat(
      IsDutch(language) ? "mandaat gedeeld met " : "cap shared with ",
      first_member);
}

std::string Annex1AsOfNote(absl::string_view date_text, Language language) {
  return IsDutch(language)
             ? absl::StrCat("Grondslagen en mandaten zoals van kracht op ",
                            date_text, ".")
             : absl::StrCat("Legal bases and mandates as in force on ",
                            date_text, ".");
}

std::string CapTotalsFootnote(int military, int civilian, int combined,
                              Language language) {
  const int persons = military + civilian + combined;
  if (IsDutch(language)) {
    return absl::StrCat(
        "Een gecombineerd mandaat geldt voor militairen en civiele "
        "functionarissen samen en staat in de kolom ‘Mandaat gecombineerd’. "
        "Een mandaat dat meerdere missies delen, staat eenmaal vermeld, in de "
        "rij van de eerste van die missies. In de totalen telt elk mandaat "
        "precies één keer mee. Samen staan de mandaten de gelijktijdige "
        "inzet toe van ten hoogste ",
        persons, " personen: ", military, " militairen, ", civilian,
        " civiele experts en politiefunctionarissen en ", combined,
        " personen onder gecombineerde mandaten.");
  }
  return absl::StrCat(
      "A combined cap covers military and civilian personnel together and is "
      "shown in the column ‘Cap combined’. A cap shared by several missions "
      "is shown once, in the row of the first of those missions. In the "
      "totals every cap counts exactly once. Together the caps allow at most ",
      persons, " persons to be deployed at the same time: ", military,
      " military personnel, ", civilian,
      " civilian experts and police officers, and ", combined,
      " persons under combined caps.");
}

std::string Annex2Explanation(int year, int deployed_military,
                              int deployed_civilian, Language language) {
  if (IsDutch(language)) {
    return absl::StrCat(
        "In de tabel zijn per missie de mandaataantallen opgenomen. Deze "
        "wijken af van het aantal daadwerkelijk ingezette functionarissen. "
        "Militairen worden voor de duur van vier tot zes maanden uitgezonden, "
        "waardoor er meerdere rotaties per jaar nodig zijn. Civiele "
        "functionarissen worden doorgaans voor de duur van een heel jaar "
        "ingezet. In ",
        year, " zijn er ongeveer ", deployed_military, " militairen en ",
        deployed_civilian,
        " civiele experts en politiefunctionarissen "
        "uitgezonden.");
  }
  return absl::StrCat(
      "The table shows the caps of the Dutch mandate per mission. They differ "
      "from the numbers of persons actually deployed: military personnel are "
      "deployed for four to six months, so that several rotations a year are "
      "needed, while civilian personnel are usually deployed for a whole "
      "year. In ",
      year, ", approximately ", deployed_military, " military personnel and ",
      deployed_civilian,
      " civilian experts and police officers were deployed.");
}

std::string ProvenanceStatement(int64_t revision,
                                absl::string_view generated_at_text,
                                Language language) {
  const bool dutch = IsDutch(language);
  std::string out = dutch ? "Opgesteld uit " : "Built from ";
  if (revision > 0) {
    absl::StrAppend(&out, dutch ? "revisie " : "revision ", revision,
                    dutch ? " van het missieregister" : " of the mission registry");
  } else {
    absl::StrAppend(&out, dutch ? "het missieregister" : "the mission registry");
  }
  if (!generated_at_text.empty()) {
    absl::StrAppend(&out, dutch ? " op " : " on ", generated_at_text);
  }
  absl::StrAppend(&out, ".");
  return out;
}

std::string GenerationTimeText(absl::string_view date_text, int hour,
                               int minute, Language language) {
  return absl::StrCat(date_text, IsDutch(language) ? " om " : " at ",
                      hour < 10 ? "0" : "", hour, ":", minute < 10 ? "0" : "",
                      minute, " UTC");
}

std::string ExpiringMandatesIntro(int horizon_days, absl::string_view from_text,
                                  absl::string_view until_text,
                                  Language language) {
  if (IsDutch(language)) {
    return absl::StrCat(
        "Nationale en internationale mandaten die van kracht zijn op de dag "
        "van publicatie en binnen ",
        horizon_days, " dagen daarna aflopen: van ", from_text,
        " tot en met ", until_text,
        ". Over deze mandaten moet op tijd een besluit tot verlenging of "
        "beëindiging worden voorbereid.");
  }
  return absl::StrCat(
      "National and international mandates in force on the day of "
      "publication that end within ",
      horizon_days, " days after it: from ", from_text, " to ", until_text,
      ". Decisions to renew or end them must be prepared in time.");
}

std::string NoExpiringMandatesNote(Language language) {
  return IsDutch(language)
             ? "Binnen deze termijn loopt geen mandaat af."
             : "No mandate ends within this period.";
}

std::string ChecksSummary(int errors, int warnings, int infos,
                          Language language) {
  const bool dutch = IsDutch(language);
  const auto count = [dutch](int n, absl::string_view nl_one,
                             absl::string_view nl_many,
                             absl::string_view en_one,
                             absl::string_view en_many) {
    return absl::StrCat(n, " ",
                        dutch ? (n == 1 ? nl_one : nl_many)
                              : (n == 1 ? en_one : en_many));
  };
  return absl::StrCat(
      JoinList({count(errors, "fout", "fouten", "error", "errors"),
                count(warnings, "waarschuwing", "waarschuwingen", "warning",
                      "warnings"),
                count(infos, "melding", "meldingen", "note", "notes")},
               language),
      ".");
}

std::string PageOf(int page, int pages, Language language) {
  return IsDutch(language) ? absl::StrCat("Pagina ", page, " van ", pages)
                           : absl::StrCat("Page ", page, " of ", pages);
}

int PickLanguageIndex(const std::vector<std::string>& languages,
                      Language language) {
  if (languages.empty()) return -1;
  const std::string wanted(LanguageCode(language));
  for (const std::string& preferred : {wanted, std::string("nl")}) {
    for (size_t i = 0; i < languages.size(); ++i) {
      if (PrimarySubtag(languages[i]) == preferred) return static_cast<int>(i);
    }
  }
  return 0;
}

std::optional<PickedText> PickText(
    const google::protobuf::Map<std::string, std::string>& texts,
    Language language) {
  std::vector<std::string> tags;
  for (const auto& [tag, text] : texts) {
    if (!text.empty()) tags.push_back(tag);
  }
  std::sort(tags.begin(), tags.end());
  const int index = PickLanguageIndex(tags, language);
  if (index < 0) return std::nullopt;
  return PickedText{texts.at(tags[index]), tags[index]};
}

std::string PickTextOrEmpty(
    const google::protobuf::Map<std::string, std::string>& texts,
    Language language) {
  std::optional<PickedText> picked = PickText(texts, language);
  return picked.has_value() ? std::move(picked->text) : std::string();
}

std::string LanguageNote(absl::string_view text_language, Language language) {
  const std::string tag = PrimarySubtag(text_language);
  if (tag.empty() || tag == LanguageCode(language)) return "";
  struct Name {
    absl::string_view tag;
    Bilingual adjective;  // nl: "Nederlandstalige", en: "Dutch"
  };
  static constexpr Name kNames[] = {
      {"nl", {"Nederlandstalige", "Dutch"}},
      {"en", {"Engelstalige", "English"}},
      {"fr", {"Franstalige", "French"}},
      {"de", {"Duitstalige", "German"}},
  };
  for (const Name& name : kNames) {
    if (name.tag == tag) {
      return IsDutch(language)
                 ? absl::StrCat("(", name.adjective.nl, " tekst)")
                 : absl::StrCat("(text in ", name.adjective.en, ")");
    }
  }
  return IsDutch(language) ? absl::StrCat("(tekst in taal ‘", tag, "’)")
                           : absl::StrCat("(text in language ‘", tag, "’)");
}

}  // namespace missions::report
