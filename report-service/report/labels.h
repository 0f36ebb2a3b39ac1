// Every fixed label, heading and generated sentence of the report, in Dutch
// (the reference language) and English, and the choice of a text among the
// languages it was entered in. Pure functions, no locale involved.
#ifndef REPORT_SERVICE_REPORT_LABELS_H_
#define REPORT_SERVICE_REPORT_LABELS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/map.h"
#include "registry/v1/resources.pb.h"

namespace missions::report {

// The language of the report's labels and generated sentences.
enum class Language { kDutch, kEnglish };

// Parses a language code: "" and "nl" give Dutch, "en" English (letter
// case is ignored). Returns InvalidArgument for anything else.
absl::StatusOr<Language> ParseLanguage(absl::string_view code);

// The BCP-47 tag of `language`: "nl" or "en".
absl::string_view LanguageCode(Language language);

// The fixed labels.
enum class LabelId {
  kTableOfContents,       // Inhoudsopgave
  kDate,                  // Datum
  kIntroduction,          // Inleiding
  kExpeditionary,         // Expeditionaire inzet van ...
  kCoherence,             // Samenhang
  kNational,              // Nationale inzet
  kClosing,               // Slotbeschouwing
  kRegionRationale,       // Rationale en samenhang Nederlandse bijdragen
  kRationale,             // Rationale Nederlandse bijdrage
  kDevelopments,          // Voor de missie relevante ontwikkelingen
  kMilitaryContribution,  // Militaire bijdrage
  kCivilianContribution,  // Civiele bijdrage
  kMilitaryAndCivilianContribution,  // Militaire en civiele bijdrage
  kContribution,                     // Nederlandse bijdrage (kind unknown)
  kFinancialContribution,            // Financiële bijdrage
  kFinancialContributionsIntro,      // Financiële bijdragen:
  kAnnex,                            // Bijlage
  kAnnex1Title,                      // Juridische grondslagen en mandaten
  kColumnRegion,
  kColumnMission,
  kColumnLegalBasis,
  kColumnInternationalMandateUntil,
  kColumnNationalMandateUntil,
  kColumnMandateMilitary,
  kColumnMandateCivilian,
  kColumnMandateCombined,
  kColumnDeployedMilitary,
  kColumnDeployedCivilian,
  kColumnDeployedTotal,
  kColumnNote,
  kTotal,        // Totaal / Total
  kIndefinite,   // Onbepaald / Indefinite
  kPerActivity,  // Per activiteit bepaald / Decided per activity
  kExpiringMandatesTitle,   // Aflopende mandaten
  kChecksTitle,             // Controles
  kColumnMandateKind,       // Mandaat
  kColumnBasis,             // Grondslag of kamerstuk
  kColumnEndsOn,            // Loopt af op
  kColumnDaysAfterPublication,  // Dagen na publicatie
  kColumnSeverity,          // Ernst
  kColumnCheck,             // Controle
  kColumnFinding,           // Bevinding
  kColumnRecords,           // Registergegevens
  kInternationalMandate,    // Internationaal
  kNationalMandate,         // Nationaal
  kSeverityError,           // Fout
  kSeverityWarning,         // Waarschuwing
  kSeverityInfo,            // Melding
  kFootnotes,               // Voetnoten
  kChartTitle,              // Personeel per regio en missie
  kChartMandated,           // Mandaat (personen tegelijk)
  kChartDeployed,           // Ingezet in het jaar (personen)
  kChartSharedCap,          // mandaat gedeeld
};

// The label `id` in `language`.
std::string Label(LabelId id, Language language);

// "Jaarlijkse voortgangsrapportage kleine missiebijdragen 2020" /
// "Annual progress report on small mission contributions 2020".
std::string ReportTitle(int year, Language language);

// "Totale inzet in 2020" / "Total deployment in 2020".
std::string Annex2Title(int year, Language language);

// The headline of section 2.1: "In totaal zijn in 2020 circa 1847
// Nederlandse militairen en 41 civiele experts en politiefunctionarissen
// ingezet in ongeveer 20 missies en operaties."
std::string HeadlineSentence(int year, int deployed_military,
                             int deployed_civilian, int mission_count,
                             Language language);

// The footnote to the headline: what was counted.
std::string HeadlineFootnote(int year, Language language);

// The heading of a contribution sub-section; kContribution's text for
// CONTRIBUTION_KIND_UNSPECIFIED.
std::string ContributionHeading(::registry::v1::ContributionKind kind,
                                Language language);

// How an end date is written.
enum class DateStyle {
  // In words: "14 juni 2021".
  kLong,
  // ISO 8601: "2021-06-14" (CSV).
  kIso,
};

// An end date as printed: the date (in `style`), "Onbepaald" /
// "Indefinite" or "Per activiteit bepaald" / "Decided per activity",
// followed by the qualifier in parentheses if there is one. Empty for
// KIND_UNSPECIFIED without a qualifier.
std::string FormatEndDate(const ::registry::v1::EndDate& end, Language language,
                          DateStyle style);

// One line of a posting list: "Chief of Case Monitoring Unit (Pristina): 1
// civiel expert, tot de zomer".
std::string PostingLine(const ::registry::v1::Posting& posting,
                        Language language);

// "Nederlandse functies in 2020:" / "Dutch positions in 2020:".
std::string PostingsIntro(int year, Language language);

// One line of a financial-contribution list: "Training van vredestroepen:
// 3,5 miljoen euro per jaar (2007 tot en met 2021)".
std::string FinancialContributionLine(
    const ::registry::v1::FinancialContribution& contribution,
    Language language);

// An amount of money in words: "3,5 miljoen euro", "250.000 euro" /
// "EUR 3.5 million", "EUR 250,000".
std::string FormatMoney(const google::type::Money& money, Language language);

// Said of a mission section for which nothing was recorded for the year.
std::string MissingTextNote(int year, Language language);

// Annex-2 notes of a pooled cap: on the row that shows the pool's cap
// ("mandaat gedeeld met EUCAP Sahel Niger", or, when no other member is in
// the table, "gedeeld mandaat: EUCAP Sahel Mali en Niger"), and on each
// other member's row ("mandaat gedeeld met EUCAP Sahel Mali").
std::string PoolFirstMemberNote(const std::vector<std::string>& other_members,
                                absl::string_view pool_title,
                                Language language);
std::string PoolOtherMemberNote(absl::string_view first_member,
                                Language language);

// The sentence above annex 1: "Grondslagen en mandaten zoals van kracht op
// 19 mei 2021." for a `date_text` of "19 mei 2021".
std::string Annex1AsOfNote(absl::string_view date_text, Language language);

// The footnote to the annex-2 totals: how combined and pooled caps are
// shown and counted, and how many persons the caps allow in all.
std::string CapTotalsFootnote(int military, int civilian, int combined,
                              Language language);

// The paragraph under the annex-2 table: why deployed figures exceed the
// caps, and the year's deployed totals.
std::string Annex2Explanation(int year, int deployed_military,
                              int deployed_civilian, Language language);

// The sentence that says where the report comes from: "Opgesteld uit
// revisie 12 van het missieregister op 19 mei 2021 om 07:30 UTC." Without
// a revision (0) the revision is not named; with an empty
// `generated_at_text` no time is named.
std::string ProvenanceStatement(int64_t revision,
                                absl::string_view generated_at_text,
                                Language language);

// A time in words, for ProvenanceStatement: "19 mei 2021 om 07:30 UTC" /
// "19 May 2021 at 07:30 UTC".
std::string GenerationTimeText(absl::string_view date_text, int hour,
                               int minute, Language language);

// The sentence above the expiring-mandates table: "Nationale en
// internationale mandaten die aflopen binnen 365 dagen na de publicatie,
// van 19 mei 2021 tot en met 19 mei 2022."
std::string ExpiringMandatesIntro(int horizon_days, absl::string_view from_text,
                                  absl::string_view until_text,
                                  Language language);

// Printed instead of an empty expiring-mandates table.
std::string NoExpiringMandatesNote(Language language);

// The summary above the findings: "2 fouten, 1 waarschuwing en 12
// meldingen." / "2 errors, 1 warning and 12 notes."
std::string ChecksSummary(int errors, int warnings, int infos,
                          Language language);

// "Pagina 3 van 12" / "Page 3 of 12".
std::string PageOf(int page, int pages, Language language);

// A text chosen among its languages, with the language it was found in.
struct PickedText {
  std::string text;
  std::string language;
};

// Chooses among texts keyed by language tag: the requested language, else
// Dutch, else the first tag in alphabetical order. Empty texts count as
// absent. Tags match on their primary subtag ("nl-BE" is Dutch). Returns
// nullopt when there is no text at all.
std::optional<PickedText> PickText(
    const google::protobuf::Map<std::string, std::string>& texts,
    Language language);

// The chosen text, or "" if there is none.
std::string PickTextOrEmpty(
    const google::protobuf::Map<std::string, std::string>& texts,
    Language language);

// Chooses among candidates by their language tags, with PickText's rule
// ("any" being the first candidate). Returns the index, or -1 if
// `languages` is empty.
int PickLanguageIndex(const std::vector<std::string>& languages,
                      Language language);

// The note printed before a text that is not in the report's language:
// "(Engelstalige tekst)", "(text in Dutch)". Empty if `text_language` is
// the report's language (or empty).
std::string LanguageNote(absl::string_view text_language, Language language);

}  // namespace missions::report

#endif  // REPORT_SERVICE_REPORT_LABELS_H_
