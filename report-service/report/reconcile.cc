#include "report-service/report/reconcile.h"

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
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "proto/common/dates.h"
#include "report-service/report/labels.h"
#include "report-service/report/render_csv.h"
#include "report-service/report/report_checks.h"
#include "report-service/report/report_rules.h"

namespace missions::report {
namespace {

using ::registry::v1::Dataset;
using ::registry::v1::InternationalMandateDecision;
using ::registry::v1::MissionRecord;
using ::registry::v1::NationalMandateDecision;

constexpr absl::string_view kAnnex1Columns[] = {
    "region", "mission", "legal_basis", "international_mandate_until",
    "national_mandate_until"};
constexpr absl::string_view kAnnex2Columns[] = {
    "region",           "mission",           "mandate_military",
    "mandate_civilian", "mandate_combined",  "deployed_military",
    "deployed_civilian", "deployed_total",   "note"};

bool IsNumericColumn(absl::string_view column) {
  return absl::StartsWith(column, "mandate_") ||
         absl::StartsWith(column, "deployed_");
}

// A text with its typography normalised: curly quotes straight, white
// space runs single spaces, no white space at the ends, no final full
// stop.
std::string Typography(absl::string_view text) {
  std::string straight = absl::StrReplaceAll(
      text, {{"’", "'"}, {"‘", "'"}, {"“", "\""}, {"”", "\""}});
  std::string out;
  for (absl::string_view word :
       absl::StrSplit(straight, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty())) {
    if (!out.empty()) out.push_back(' ');
    absl::StrAppend(&out, word);
  }
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

// The name without a parenthetical remark at its end: "Centraal Azië
// (Afghanistan)" -> "Centraal Azië".
absl::string_view WithoutRemark(absl::string_view name) {
  name = absl::StripTrailingAsciiWhitespace(name);
  if (absl::EndsWith(name, ")")) {
    const size_t open = name.rfind('(');
    if (open != absl::string_view::npos && open > 0) {
      return absl::StripTrailingAsciiWhitespace(name.substr(0, open));
    }
  }
  return name;
}

std::optional<int> Integer(absl::string_view text) {
  int value = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &value)) {
    return std::nullopt;
  }
  return value;
}

class Reconciler {
 public:
  Reconciler(const Dataset& data, const ReportModel& model)
      : data_(data), model_(model) {
    for (const MissionRecord& record : data.missions()) {
      records_.emplace(record.mission().name(), &record);
    }
    for (const Annex1Row& row : model.annex1.rows) {
      titles_.emplace(row.mission, row.mission_title);
    }
  }

  absl::StatusOr<Reconciliation> Run(absl::string_view csv) {
    absl::StatusOr<std::vector<std::vector<std::string>>> published =
        ParseCsv(csv);
    if (!published.ok()) return published.status();
    if (published->empty()) {
      return absl::InvalidArgumentError("the published CSV is empty");
    }
    const std::vector<std::string>& header = published->front();
    if (SameColumns(header, kAnnex1Columns)) {
      result_.annex = 1;
    } else if (SameColumns(header, kAnnex2Columns)) {
      result_.annex = 2;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "the header '", absl::StrJoin(header, ","),
          "' is neither annex 1's columns (", absl::StrJoin(kAnnex1Columns, ","),
          ") nor annex 2's (", absl::StrJoin(kAnnex2Columns, ","), ")"));
    }
    header_ = header;
    absl::StatusOr<std::vector<std::vector<std::string>>> registry = ParseCsv(
        result_.annex == 1 ? RenderAnnex1Csv(model_) : RenderAnnex2Csv(model_));
    if (!registry.ok()) return registry.status();
    // Header, one row per mission, totals: row i + 1 is the model's row i.
    registry_ = std::move(*registry);
    IndexRegistryRows();

    std::vector<std::vector<std::string>> rows(published->begin() + 1,
                                               published->end());
    std::vector<bool> matched(RegistryRowCount(), false);
    for (const std::vector<std::string>& row : rows) {
      if (std::all_of(row.begin(), row.end(),
                      [](const std::string& cell) { return cell.empty(); })) {
        continue;  // A blank line.
      }
      ++result_.rows_compared;
      const std::string name = Cell(row, "mission");
      if (IsTotalsLabel(name)) {
        CompareTotals(row, rows);
        continue;
      }
      const std::optional<size_t> index = Match(name);
      if (!index.has_value()) {
        Add({"", name, "", name, "",
             Say("Geen missie in de bijlage van het register heeft deze naam "
                 "of een vastgelegde andere spelling ervan.",
                 "No mission in the registry's annex has this name or a "
                 "recorded alias of it.")});
        continue;
      }
      matched[*index] = true;
      CompareRow(row, *index);
    }
    for (size_t i = 0; i < matched.size(); ++i) {
      if (matched[i]) continue;
      const std::vector<std::string>& row = registry_[i + 1];
      Add({MissionOf(i), row[1], "", "", row[1],
           Say("De gepubliceerde tabel heeft geen rij voor deze missie.",
               "The published table has no row for this mission.")});
    }
    return std::move(result_);
  }

 private:
  bool dutch() const { return model_.language == Language::kDutch; }
  std::string Say(std::string nl, std::string en) const {
    return dutch() ? std::move(nl) : std::move(en);
  }

  template <size_t N>
  static bool SameColumns(const std::vector<std::string>& header,
                          const absl::string_view (&columns)[N]) {
    if (header.size() != N) return false;
    for (size_t i = 0; i < N; ++i) {
      if (absl::StripAsciiWhitespace(header[i]) != columns[i]) return false;
    }
    return true;
  }

  static bool IsTotalsLabel(absl::string_view name) {
    const std::string lower = absl::AsciiStrToLower(Typography(name));
    return lower == "totaal" || lower == "total";
  }

  size_t RegistryRowCount() const {
    return registry_.size() < 2 ? 0 : registry_.size() - 2;
  }

  std::string MissionOf(size_t index) const {
    return result_.annex == 1 ? model_.annex1.rows[index].mission
                              : model_.annex2.rows[index].mission;
  }

  const MissionRecord* RecordOf(size_t index) const {
    const auto it = records_.find(MissionOf(index));
    return it == records_.end() ? nullptr : it->second;
  }

  std::string Cell(const std::vector<std::string>& row,
                   absl::string_view column) const {
    for (size_t i = 0; i < header_.size() && i < row.size(); ++i) {
      if (header_[i] == column) return row[i];
    }
    return "";
  }

  const std::string& RegistryCell(size_t index, size_t column) const {
    static const std::string kEmpty;
    const std::vector<std::string>& row = registry_[index + 1];
    return column < row.size() ? row[column] : kEmpty;
  }

  // Every name a registry row answers to, in normal form.
  void IndexRegistryRows() {
    for (size_t i = 0; i < RegistryRowCount(); ++i) {
      std::vector<std::string> names = {registry_[i + 1][1]};
      if (const MissionRecord* record = RecordOf(i)) {
        names.push_back(record->mission().short_name());
        for (const std::string& alias : record->mission().aliases()) {
          names.push_back(alias);
        }
        for (const auto& [language, full_name] : record->mission().full_name()) {
          names.push_back(full_name);
        }
      }
      if (const auto title = titles_.find(MissionOf(i)); title != titles_.end()) {
        names.push_back(title->second);
      }
      for (const std::string& name : names) {
        names_.try_emplace(NormalizedName(name), i);
      }
    }
  }

  std::optional<size_t> Match(absl::string_view name) const {
    for (const absl::string_view candidate : {name, WithoutRemark(name)}) {
      const auto it = names_.find(NormalizedName(candidate));
      if (it != names_.end()) return it->second;
    }
    return std::nullopt;
  }

  void Add(CellDifference difference) {
    result_.differences.push_back(std::move(difference));
  }

  // ---------------------------------------------------------------- rows

  void CompareRow(const std::vector<std::string>& row, size_t index) {
    const std::string name = Cell(row, "mission");
    for (size_t column = 0; column < header_.size(); ++column) {
      const std::string& label = header_[column];
      const std::string published = column < row.size() ? row[column] : "";
      const std::string& registry = RegistryCell(index, column);
      if (Same(label, published, registry)) continue;
      Add({MissionOf(index), name, label, published, registry,
           ReasonForCell(index, label, published, registry)});
    }
  }

  static bool Same(absl::string_view column, absl::string_view published,
                   absl::string_view registry) {
    if (IsNumericColumn(column)) {
      const std::optional<int> a = Integer(published);
      const std::optional<int> b = Integer(registry);
      if (a.has_value() || b.has_value()) return a == b;
    }
    return Typography(published) == Typography(registry);
  }

  std::string ReasonForCell(size_t index, absl::string_view column,
                            absl::string_view published,
                            absl::string_view registry) const {
    if (column == "region") return SpellingReason(published, registry, true);
    if (column == "mission") return MissionNameReason(index, published);
    if (result_.annex == 2) return Annex2Reason(index, column, published);
    if (column == "legal_basis") return LegalBasisReason(index, published);
    return EndReason(index, column, published);
  }

  std::string SpellingReason(absl::string_view published,
                             absl::string_view registry,
                             bool allow_remark) const {
    if (NormalizedName(published) == NormalizedName(registry)) {
      return Say("Dezelfde naam in een andere spelling (hoofdletters, spaties "
                 "of koppeltekens).",
                 "The same name spelled differently (letter case, spaces or "
                 "hyphens).");
    }
    if (allow_remark &&
        NormalizedName(WithoutRemark(published)) == NormalizedName(registry)) {
      return Say("Dezelfde naam, met een toevoeging tussen haakjes.",
                 "The same name, with a remark in parentheses.");
    }
    return "";
  }

  std::string MissionNameReason(size_t index,
                                absl::string_view published) const {
    const MissionRecord* record = RecordOf(index);
    if (record == nullptr) return "";
    const std::string& short_name = record->mission().short_name();
    const std::string normal = NormalizedName(published);
    for (const std::string& alias : record->mission().aliases()) {
      if (NormalizedName(alias) == normal) {
        return Say(absl::StrCat("‘", published,
                                "’ is een vastgelegde andere spelling van ",
                                short_name, "; het register gebruikt ‘",
                                short_name, "’."),
                   absl::StrCat("‘", published, "’ is a recorded alias of ",
                                short_name, "; the registry uses ‘",
                                short_name, "’."));
      }
    }
    const std::string spelling = SpellingReason(published, short_name, true);
    if (!spelling.empty()) return spelling;
    return Say(absl::StrCat("Het register noemt deze missie ‘", short_name,
                            "’."),
               absl::StrCat("The registry names this mission ‘", short_name,
                            "’."));
  }

  // The combined cap on the registry's row `index`, and what it covers.
  struct CombinedCap {
    int size = 0;
    // "EULEX", or the pool's members: "EUCAP Sahel Mali en EUCAP Sahel
    // Niger".
    std::string holders;
    // The pool's title; empty for a mission's own combined cap.
    std::string pool_title;
  };

  std::optional<CombinedCap> CombinedCapOf(size_t index) const {
    const Annex2Row& row = model_.annex2.rows[index];
    if (!row.mandate_combined.has_value()) return std::nullopt;
    CombinedCap cap{*row.mandate_combined, row.short_name, ""};
    if (!row.cap_pool.empty()) {
      std::vector<std::string> members;
      for (const Annex2Row& other : model_.annex2.rows) {
        if (other.cap_pool == row.cap_pool) members.push_back(other.short_name);
      }
      cap.holders = absl::StrJoin(members, Say(" en ", " and "));
      cap.pool_title = row.cap_pool;
      for (const ::registry::v1::CapPool& pool : data_.cap_pools()) {
        const std::string title =
            PickTextOrEmpty(pool.display_name(), model_.language);
        if (pool.name() == row.cap_pool && !title.empty()) {
          cap.pool_title = title;
        }
      }
    }
    return cap;
  }

  // "EULEX heeft één gecombineerd mandaat van 15 personen, militair en
  // civiel samen." / "EUCAP Sahel Mali en EUCAP Sahel Niger delen één
  // mandaat van 15 personen, militair en civiel samen (‘...’)."
  std::string CapSentence(const CombinedCap& cap) const {
    if (cap.pool_title.empty()) {
      return Say(absl::StrCat(cap.holders, " heeft één gecombineerd mandaat "
                                           "van ",
                              cap.size, " personen, militair en civiel samen."),
                 absl::StrCat(cap.holders, " has one combined cap of ",
                              cap.size,
                              " persons, military and civilian together."));
    }
    return Say(absl::StrCat(cap.holders, " delen één mandaat van ", cap.size,
                            " personen, militair en civiel samen (‘",
                            cap.pool_title, "’)."),
               absl::StrCat(cap.holders, " share one cap of ", cap.size,
                            " persons, military and civilian together (‘",
                            cap.pool_title, "’)."));
  }

  std::string Annex2Reason(size_t index, absl::string_view column,
                           absl::string_view published) const {
    if (column == "note") return NoteReason(index, published);
    const std::optional<CombinedCap> cap = CombinedCapOf(index);
    if (!cap.has_value()) return "";
    if (column == "mandate_military" || column == "mandate_civilian") {
      if (Integer(published) != cap->size) return "";
      return absl::StrCat(
          CapSentence(*cap),
          Say(" De gepubliceerde tabel zette dat mandaat zowel bij militair "
              "als bij civiel (een samengevoegde cel), zodat het in beide "
              "totalen meetelde; het register telt het één keer, in "
              "mandate_combined.",
              " The published table printed that cap under both military "
              "and civilian (a merged cell), so that both totals counted it; "
              "the registry counts it once, in mandate_combined."));
    }
    if (column == "mandate_combined" && Typography(published).empty()) {
      return absl::StrCat(
          CapSentence(*cap),
          Say(" De gepubliceerde tabel heeft geen kolom voor gecombineerde "
              "mandaten; het register zet het mandaat hier, één keer.",
              " The published table has no column for combined caps; the "
              "registry puts the cap here, once."));
    }
    return "";
  }

  std::string NoteReason(size_t index, absl::string_view published) const {
    const Annex2Row& row = model_.annex2.rows[index];
    if (!row.cap_pool.empty() && Typography(published).empty()) {
      return Say("Het register noemt bij een gedeeld mandaat met welke "
                 "missies het gedeeld wordt; de gepubliceerde tabel liet dat "
                 "alleen zien met een cel over meer rijen.",
                 "The registry names, with a shared cap, the missions that "
                 "share it; the published table showed that only with a cell "
                 "merged over several rows.");
    }
    return Say("Het register stelt de opmerking samen uit wat bij de missie, "
               "het mandaat en de personeelsaantallen is vastgelegd; de "
               "gepubliceerde opmerking is anders geformuleerd.",
               "The registry composes the note from the remarks recorded "
               "with the mission, its cap and its personnel figures; the "
               "published note is worded differently.");
  }

  // --------------------------------------------------------------- totals

  void CompareTotals(const std::vector<std::string>& row,
                     const std::vector<std::vector<std::string>>& rows) {
    const std::vector<std::string>& registry = registry_.back();
    const std::string name = Cell(row, "mission");
    for (size_t column = 0; column < header_.size(); ++column) {
      const std::string& label = header_[column];
      if (label == "mission") continue;
      const std::string published = column < row.size() ? row[column] : "";
      const std::string registry_cell =
          column < registry.size() ? registry[column] : "";
      if (Same(label, published, registry_cell)) continue;
      Add({"", name, label, published, registry_cell,
           TotalsReason(label, column, published, registry_cell, rows)});
    }
  }

  std::string TotalsReason(absl::string_view label, size_t column,
                           absl::string_view published,
                           absl::string_view registry,
                           const std::vector<std::vector<std::string>>& rows) const {
    if (!IsNumericColumn(label)) return "";
    // The published column's own sum, and the combined caps it counted.
    int sum = 0;
    int counted_twice = 0;
    std::vector<std::string> parts;
    std::vector<std::string> caps;
    for (const std::vector<std::string>& row : rows) {
      const std::string name = Cell(row, "mission");
      if (IsTotalsLabel(name)) continue;
      const std::optional<int> value =
          Integer(column < row.size() ? row[column] : "");
      sum += value.value_or(0);
      if (result_.annex != 2 ||
          (label != "mandate_military" && label != "mandate_civilian")) {
        continue;
      }
      const std::optional<size_t> index = Match(name);
      if (!index.has_value()) continue;
      const std::optional<CombinedCap> cap = CombinedCapOf(*index);
      if (cap.has_value() && value == cap->size) {
        counted_twice += cap->size;
        parts.push_back(absl::StrCat(cap->size));
        caps.push_back(absl::StrCat(
            cap->pool_title.empty() ? cap->holders : cap->pool_title, " (",
            cap->size, ")"));
      }
    }
    const std::optional<int> printed = Integer(published);
    const std::optional<int> ours = Integer(registry);
    if (label == "mandate_combined" && !printed.has_value() &&
        ours.has_value()) {
      return Say(absl::StrCat("De gepubliceerde tabel heeft geen kolom voor "
                              "gecombineerde mandaten; het register telt de ",
                              *ours,
                              " personen onder gecombineerde en gedeelde "
                              "mandaten hier, één keer."),
                 absl::StrCat("The published table has no column for "
                              "combined caps; the registry counts the ",
                              *ours,
                              " persons under combined and shared caps here, "
                              "once."));
    }
    if (!printed.has_value() || !ours.has_value()) return "";
    if (sum != *printed) {
      return Say(absl::StrCat("Het gepubliceerde totaal is niet de som van "
                              "de gepubliceerde rijen; die is ",
                              sum, "."),
                 absl::StrCat("The published total is not the sum of the "
                              "published rows, which is ",
                              sum, "."));
    }
    if (counted_twice > 0 && *ours + counted_twice == *printed) {
      return Say(
          absl::StrCat(
              "Het gepubliceerde totaal is de som van de gepubliceerde kolom "
              "en telt daarmee ook de gecombineerde mandaten ",
              absl::StrJoin(caps, " en "), " in deze kolom: ", *ours, " + ",
              absl::StrJoin(parts, " + "), " = ", *printed,
              ". Die mandaten gelden voor militairen en civiel personeel "
              "samen en staan zo in beide kolommen; het register telt elk "
              "één keer, in mandate_combined, zodat het verschil ",
              counted_twice, " is."),
          absl::StrCat(
              "The published total is the sum of the published column and "
              "so also counts the combined caps ",
              absl::StrJoin(caps, " and "), " in this column: ", *ours, " + ",
              absl::StrJoin(parts, " + "), " = ", *printed,
              ". Those caps cover military and civilian personnel together "
              "and are thus in both columns; the registry counts each once, "
              "in mandate_combined, hence the difference of ",
              counted_twice, "."));
    }
    return Say("De rijen van de gepubliceerde tabel verschillen van die van "
               "het register; zie de verschillen per rij.",
               "The published rows differ from the registry's; see the "
               "differences per row.");
  }

  // -------------------------------------------------------------- annex 1

  std::string Citation(const InternationalMandateDecision& decision) const {
    std::vector<std::string> citations;
    for (const ::registry::v1::LegalInstrument& instrument :
         decision.legal_basis()) {
      std::string citation =
          PickTextOrEmpty(instrument.citation(), model_.language);
      if (citation.empty()) citation = instrument.reference();
      if (!citation.empty()) citations.push_back(std::move(citation));
    }
    return absl::StrJoin(citations, "; ");
  }

  std::string DecidedOn(const google::type::Date& date, bool has) const {
    if (!has || IsEmptyDate(date)) return Say("zonder datum", "undated");
    return FormatLongDate(date, LanguageCode(model_.language));
  }

  std::string LegalBasisReason(size_t index, absl::string_view published) const {
    const MissionRecord* record = RecordOf(index);
    if (record == nullptr) return "";
    const InternationalMandateDecision* current = nullptr;
    if (absl::StatusOr<google::type::Date> day =
            ParseDate(model_.publication_date);
        day.ok() && IsFullDate(*day)) {
      current = InternationalDecisionOn(*record, FirstDay(*day),
                                        /*with_legal_basis=*/true);
    }
    for (const InternationalMandateDecision& decision :
         record->international_mandates()) {
      if (Typography(Citation(decision)) != Typography(published) ||
          &decision == current) {
        continue;
      }
      if (current == nullptr) break;
      return Say(
          absl::StrCat("‘", published, "’ is de rechtsgrond van besluit ",
                       decision.name(), " (",
                       DecidedOn(decision.decided_on(), decision.has_decided_on()),
                       "). Op de dag van publicatie gold een later besluit, ",
                       current->name(), " (",
                       DecidedOn(current->decided_on(), current->has_decided_on()),
                       "): ‘", Citation(*current), "’."),
          absl::StrCat("‘", published, "’ is the legal basis of decision ",
                       decision.name(), " (",
                       DecidedOn(decision.decided_on(), decision.has_decided_on()),
                       "). On the day of publication a later decision was in "
                       "force, ",
                       current->name(), " (",
                       DecidedOn(current->decided_on(), current->has_decided_on()),
                       "): ‘", Citation(*current), "’."));
    }
    return Say("Het register kent geen besluit met deze rechtsgrond voor deze "
               "missie.",
               "The registry holds no decision with this legal basis for this "
               "mission.");
  }

  std::string EndReason(size_t index, absl::string_view column,
                        absl::string_view published) const {
    const MissionRecord* record = RecordOf(index);
    if (record == nullptr) return "";
    const bool international = column == "international_mandate_until";
    std::vector<std::pair<std::string, std::string>> ends;  // name, csv text
    if (international) {
      for (const InternationalMandateDecision& decision :
           record->international_mandates()) {
        ends.emplace_back(decision.name(),
                          FormatEndDate(decision.valid_until(), model_.language,
                                        DateStyle::kIso));
      }
    } else {
      for (const NationalMandateDecision& decision :
           record->national_mandates()) {
        ends.emplace_back(decision.name(),
                          FormatEndDate(decision.valid_until(), model_.language,
                                        DateStyle::kIso));
      }
    }
    for (const auto& [name, text] : ends) {
      if (Typography(text) == Typography(published)) {
        return Say(absl::StrCat("Dit is het einde volgens besluit ", name,
                                "; op de dag van publicatie gold een later "
                                "besluit."),
                   absl::StrCat("This is the end set by decision ", name,
                                "; on the day of publication a later decision "
                                "was in force."));
      }
    }
    return "";
  }

  const Dataset& data_;
  const ReportModel& model_;
  std::map<std::string, const MissionRecord*> records_;
  std::map<std::string, std::string> titles_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> registry_;
  std::map<std::string, size_t> names_;
  Reconciliation result_;
};

}  // namespace

absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(
    absl::string_view text) {
  if (absl::StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  int line = 1;
  size_t i = 0;
  bool field_started = false;
  const auto end_field = [&] {
    row.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"' && !field_started && field.empty()) {
      // A quoted field.
      const int start_line = line;
      ++i;
      while (true) {
        if (i >= text.size()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "CSV line ", start_line, ": a quoted field is not closed"));
        }
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (text[i] == '\n') ++line;
        field.push_back(text[i++]);
      }
      field_started = true;
      if (i < text.size() && text[i] != ',' && text[i] != '\n' &&
          text[i] != '\r') {
        return absl::InvalidArgumentError(absl::StrCat(
            "CSV line ", line, ": text after the closing quote of a field"));
      }
      continue;
    }
    if (c == ',') {
      end_field();
      ++i;
      continue;
    }
    if (c == '\r' || c == '\n') {
      end_field();
      rows.push_back(std::move(row));
      row.clear();
      i += (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1;
      ++line;
      continue;
    }
    field.push_back(c);
    field_started = true;
    ++i;
  }
  if (field_started || !field.empty() || !row.empty()) {
    end_field();
    rows.push_back(std::move(row));
  }
  return rows;
}

absl::StatusOr<Reconciliation> ReconcileAnnex(const Dataset& data,
                                              const ReportModel& model,
                                              absl::string_view published_csv) {
  return Reconciler(data, model).Run(published_csv);
}

}  // namespace missions::report
