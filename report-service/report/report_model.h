// The report model: the yearly progress report on small mission
// contributions ("Jaarlijkse voortgangsrapportage kleine missiebijdragen")
// as plain data, in the order and with the numbering it is printed in.
//
// AssembleReport (report_assembly.h) builds it from a registry dataset; the
// renderers (render_markdown.h, render_csv.h, render_html.h, render_pdf.h,
// render_json.h) turn it into documents. Every
// text in the model is already in the report's language (or in the language
// it was entered in, see Text::language_note), every heading carries its
// number, every footnote its number. The structs hold values only (strings,
// integers, vectors, std::optional) so that they can be serialised as they
// are, e.g. to JSON.
#ifndef REPORT_SERVICE_REPORT_REPORT_MODEL_H_
#define REPORT_SERVICE_REPORT_REPORT_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "report-service/report/labels.h"

namespace missions::report {

// A narrative or report-level text: paragraphs without markup.
struct Text {
  // The paragraphs in order; empty when no text was recorded.
  std::vector<std::string> paragraphs;
  // BCP-47 tag of the language the text was entered in ("nl"); empty when
  // there is no text.
  std::string language;
  // Set when the text is not in the report's language: "(text in Dutch)",
  // "(Engelstalige tekst)". Renderers print it before the text.
  std::string language_note;

  bool empty() const { return paragraphs.empty(); }
};

// A numbered footnote. Numbers run from 1 through the whole report in the
// order of first reference.
struct Footnote {
  int number = 0;
  std::string text;
};

// An unnumbered sub-section of a mission section: "Rationale Nederlandse
// bijdrage", "Voor de missie relevante ontwikkelingen", "Militaire
// bijdrage", ...
struct MissionSubsection {
  std::string heading;
  Text text;
  // Functions filled in the year, one line each ("Chief of Case Monitoring
  // Unit (Pristina): 1 civiel expert"), printed as a list after the text
  // and introduced by `postings_intro`. Contribution sub-sections only.
  std::string postings_intro;
  std::vector<std::string> postings;
  // Financial contributions in force in the year, one line each, introduced
  // by `financial_intro`. Contribution sub-sections only.
  std::string financial_intro;
  std::vector<std::string> financial_contributions;
};

// The section of one mission in chapter 2 or 3: "2.2.1 EULEX (Kosovo)".
struct MissionSection {
  // Section number: "2.2.1", "2.4.1.3", "3.1".
  std::string number;
  // Resource name of the mission: "missions/eulex".
  std::string mission;
  // The heading after the number: short name and location, "EULEX
  // (Kosovo)".
  std::string title;
  // Rationale, developments and contribution(s), in that order; only those
  // with content.
  std::vector<MissionSubsection> subsections;
  // Set when nothing was recorded for the mission for the year; says so.
  std::string missing_text_note;
};

// A regional cluster within a region section: "2.4.1 Sahel".
struct ClusterSection {
  std::string number;
  // Resource name: "regions/africa/clusters/sahel".
  std::string cluster;
  std::string title;
  // The cluster's rationale under `rationale_heading`; may be empty.
  std::string rationale_heading;
  Text rationale;
  // The cluster's missions by report_order, ties by resource name.
  std::vector<MissionSection> missions;
};

// One numbered entry of a region section: a mission without a cluster
// ("2.4.4 GPOI") or a cluster with its missions ("2.4.1 Sahel"). Exactly
// one of the two is set.
struct RegionItem {
  std::optional<MissionSection> mission;
  std::optional<ClusterSection> cluster;
};

// One region in chapter 2: "2.3 Midden-Oosten".
struct RegionSection {
  std::string number;
  // Resource name: "regions/middle-east".
  std::string region;
  std::string title;
  // The region's rationale under `rationale_heading`; may be empty.
  std::string rationale_heading;
  Text rationale;
  // The region's clusters and missions without a cluster, in one order
  // and numbered in it: by report_order (a cluster's Cluster.report_order,
  // a mission's Mission.report_order); ties put clusters before missions,
  // then go by resource name.
  std::vector<RegionItem> items;
};

// The computed sentence of section 2.1: how many persons were deployed in
// how many missions, taken from annex 2.
struct Headline {
  int deployed_military = 0;
  int deployed_civilian = 0;
  // Annex-2 rows with a deployed total above zero.
  int mission_count = 0;
  std::string sentence;
  // Number of the footnote that says what was counted.
  int footnote = 0;
};

// Section 2.1, "Samenhang".
struct CoherenceSection {
  std::string number;
  std::string title;
  Text text;
  Headline headline;
};

// A chapter that is one text: 1 Inleiding, 4 Slotbeschouwing.
struct ReportChapter {
  std::string number;
  std::string title;
  Text text;
};

// Chapter 2, "Expeditionaire inzet van Nederlandse militairen en civiele
// experts".
struct ExpeditionaryChapter {
  std::string number;
  std::string title;
  CoherenceSection coherence;
  std::vector<RegionSection> regions;
};

// Chapter 3, "Nationale inzet".
struct NationalChapter {
  std::string number;
  std::string title;
  Text introduction;
  std::vector<MissionSection> missions;
};

// The end of a mandate as printed in annex 1.
struct MandateEnd {
  enum class Kind {
    // No decision in force: the cell stays empty.
    kNone,
    kDate,
    kIndefinite,
    kPerActivity,
  };
  Kind kind = Kind::kNone;
  // The last day, ISO ("2021-06-14"), for kDate only.
  std::string date;
  // The qualifier in the report's language, may be empty.
  std::string qualifier;
  // As printed in the document: "14 juni 2021 (EU-mandaat, afgeleid van
  // VNVR 1244)", "Onbepaald"; empty for kNone.
  std::string text;
  // As written to CSV: the date in ISO form, the rest as in `text`.
  std::string csv_text;
};

// One row of annex 1, "Juridische grondslagen en mandaten".
struct Annex1Row {
  // Resource name and heading of the region.
  std::string region;
  std::string region_title;
  // Resource name of the mission and its label, "EULEX (Kosovo)".
  std::string mission;
  std::string mission_title;
  // Citations of the legal basis in force on the publication date, joined
  // with "; "; empty when unknown.
  std::string legal_basis;
  MandateEnd international_mandate_until;
  MandateEnd national_mandate_until;
};

// Annex 1.
struct Annex1 {
  std::string number;
  std::string title;
  // The day the mandates are shown as in force: the publication date, ISO.
  std::string as_of;
  // The sentence that says so, printed above the table.
  std::string as_of_note;
  // Rows in report order: regions by report_order (ties by resource name);
  // within a region, clusters and missions without a cluster in the order
  // of RegionSection::items, a cluster's missions at the cluster's place.
  std::vector<Annex1Row> rows;
};

// One row of annex 2, "Totale inzet in {year}". Cells without a value are
// std::nullopt and print empty.
struct Annex2Row {
  std::string region;
  std::string region_title;
  // Resource name and short name of the mission.
  std::string mission;
  std::string short_name;
  // The cap of the national mandate: separate caps in `mandate_military` /
  // `mandate_civilian`, a combined cap in `mandate_combined`. A pooled cap
  // fills only the row of the pool's first member in report order.
  std::optional<int> mandate_military;
  std::optional<int> mandate_civilian;
  std::optional<int> mandate_combined;
  // Resource name of the cap pool, if the cap is pooled.
  std::string cap_pool;
  // Personnel deployed during the year; unset when no figures exist.
  std::optional<int> deployed_military;
  std::optional<int> deployed_civilian;
  std::optional<int> deployed_total;
  // Remarks in order: separate reporting, cap, personnel, pool.
  std::vector<std::string> notes;
  // Footnotes attached to the mission (capacity notes).
  std::vector<int> footnotes;
};

// The totals row of annex 2. Every cap is counted exactly once: a combined
// cap only in `mandate_combined`, a pooled cap once for the whole pool.
struct Annex2Totals {
  int mandate_military = 0;
  int mandate_civilian = 0;
  int mandate_combined = 0;
  // The most persons the caps allow at one time: the sum of the three
  // mandate totals.
  int mandate_persons = 0;
  int deployed_military = 0;
  int deployed_civilian = 0;
  int deployed_total = 0;
  // Footnote explaining combined and pooled caps.
  int footnote = 0;
};

// Annex 2.
struct Annex2 {
  std::string number;
  std::string title;
  // Rows in report order, as in annex 1.
  std::vector<Annex2Row> rows;
  Annex2Totals totals;
  // Paragraphs printed under the table.
  std::vector<std::string> explanation;
};

// A mandate ending within the horizon after the publication date: one row
// of the expiring-mandates annex.
struct ExpiringMandate {
  enum class Kind { kInternational, kNational };
  Kind kind = Kind::kInternational;
  // "Internationaal" / "Nationaal" in the report's language.
  std::string kind_label;
  // Resource name of the mission and its label, "EULEX (Kosovo)".
  std::string mission;
  std::string mission_title;
  // Resource name of the decision in force on the publication date.
  std::string decision;
  // What the decision rests on: the legal basis (international) or the
  // parliamentary paper (national); may be empty.
  std::string basis;
  // The last day of the mandate: ISO and in words.
  std::string ends_on;
  std::string ends_on_text;
  // Days from the publication date to `ends_on`, 0 or more.
  int days_after_publication = 0;
};

// Annex 3: the national and international mandates in force on the
// publication date that end within `horizon_days` after it, for the people
// who prepare the renewal decisions.
struct ExpiringMandatesAnnex {
  std::string number;
  std::string title;
  int horizon_days = 0;
  // The last day of the horizon, ISO.
  std::string until;
  // The sentence above the table ("Mandaten die aflopen tussen ... en
  // ...").
  std::string intro;
  // By end date, then report order; international before national.
  std::vector<ExpiringMandate> rows;
  // Printed instead of the table when `rows` is empty.
  std::string empty_note;
};

// How serious a finding of the cross-checks is.
enum class Severity { kInfo, kWarning, kError };

// One finding of the cross-checks (report_checks.h).
struct Finding {
  Severity severity = Severity::kInfo;
  // "Fout" / "Error", ... in the report's language.
  std::string severity_label;
  // Stable identifier of the check, e.g. "deployed-without-mandate".
  std::string check;
  // Resource names of the records involved.
  std::vector<std::string> records;
  // A sentence a person understands, in the report's language.
  std::string message;
};

// The last annex: the findings of the cross-checks. Left out of the
// documents when `included` is false (the findings are still computed).
struct ChecksAnnex {
  bool included = true;
  std::string number;
  std::string title;
  // "3 fouten, 1 waarschuwing, 12 meldingen."
  std::string summary;
  // Errors first, then warnings, then information; within a severity in
  // the order the checks run (report order).
  std::vector<Finding> findings;
  int error_count = 0;
  int warning_count = 0;
  int info_count = 0;
};

// Where the report comes from: the registry revision it was built from
// and, if given, when it was generated.
struct Provenance {
  // The registry revision the records were read at; 0 when unknown.
  int64_t registry_revision = 0;
  // The generation time, RFC 3339 in UTC to the second
  // ("2021-05-19T07:30:00Z"); empty when not given.
  std::string generated_at;
  // The sentence that states both, printed under the date.
  std::string statement;
};

// The whole report of one year in one language.
struct ReportModel {
  int year = 0;
  Language language = Language::kDutch;
  // "Jaarlijkse voortgangsrapportage kleine missiebijdragen 2020".
  std::string title;
  // The day the report is sent to parliament, ISO and in words.
  std::string publication_date;
  std::string publication_date_text;
  Provenance provenance;

  ReportChapter introduction;
  ExpeditionaryChapter expeditionary;
  NationalChapter national;
  ReportChapter closing;
  Annex1 annex1;
  Annex2 annex2;
  ExpiringMandatesAnnex expiring_mandates;
  ChecksAnnex checks;

  // All footnotes, by ascending number.
  std::vector<Footnote> footnotes;
};

}  // namespace missions::report

#endif  // REPORT_SERVICE_REPORT_REPORT_MODEL_H_
