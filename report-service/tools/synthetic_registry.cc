#include "report-service/tools/synthetic_registry.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "google/type/date.pb.h"

namespace missions::report {
namespace {

namespace v1 = ::registry::v1;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// -------------------------------------------------------------- the data

google::type::Date Day(int year, int month, int day) {
  google::type::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

void Texts(google::protobuf::Map<std::string, std::string>* texts,
           const std::string& nl, const std::string& en) {
  (*texts)["nl"] = nl;
  (*texts)["en"] = en;
}

// Deterministic filler text: `paragraphs` paragraphs of sentences drawn
// from a small vocabulary by a linear congruential generator.
std::string Filler(uint32_t seed, int paragraphs, bool dutch) {
  static constexpr const char* kDutch[] = {
      "de missie",     "ondersteunt",  "het mandaat",  "in de regio",
      "Nederland",     "levert",       "stafofficieren", "voor de veiligheid",
      "met partners",  "de bevolking", "werd verlengd", "in het verslagjaar",
      "de rechtsstaat", "training",    "advies",        "op het hoofdkwartier"};
  static constexpr const char* kEnglish[] = {
      "the mission",   "supports",      "the mandate",  "in the region",
      "the Netherlands", "provides",    "staff officers", "for security",
      "with partners", "the population", "was extended", "in the year",
      "the rule of law", "training",    "advice",        "at headquarters"};
  uint32_t state = seed * 2654435761u + 12345u;
  const auto next = [&state] {
    state = state * 1103515245u + 12345u;
    return (state >> 16) & 0x7fff;
  };
  std::string text;
  for (int p = 0; p < paragraphs; ++p) {
    if (p > 0) text.append("\n\n");
    for (int sentence = 0; sentence < 4; ++sentence) {
      if (sentence > 0) text.push_back(' ');
      std::string words;
      const int count = 8 + static_cast<int>(next() % 6);
      for (int w = 0; w < count; ++w) {
        if (w > 0) words.push_back(' ');
        words.append(dutch ? kDutch[next() % 16] : kEnglish[next() % 16]);
      }
      words[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(words[0])));
      absl::StrAppend(&text, words, ".");
    }
  }
  return text;
}

void AddReportText(v1::Dataset& data, int year, v1::ReportTextKind kind,
                   const std::string& id, const std::string& subject,
                   uint32_t seed, int paragraphs) {
  for (const bool dutch : {true, false}) {
    v1::ReportText* text = data.add_report_texts();
    const char* language = dutch ? "nl" : "en";
    text->set_name(absl::StrCat("reportYears/", year, "/texts/", id, "-",
                                language));
    text->set_kind(kind);
    text->set_subject(subject);
    text->set_language(language);
    text->set_text(Filler(seed, paragraphs, dutch));
  }
}

void AddMission(v1::Dataset& data, const SyntheticOptions& options, int i) {
  const int year = options.year;
  const std::string id = absl::StrFormat("m%04d", i);
  const std::string name = absl::StrCat("missions/", id);
  const int region = i % options.regions;
  v1::MissionRecord* record = data.add_missions();
  v1::Mission* mission = record->mutable_mission();
  mission->set_name(name);
  mission->set_short_name(absl::StrFormat("Missie %04d", i));
  if (i % 50 == 7) mission->add_aliases(absl::StrFormat("MISSIE %04d", i));
  Texts(mission->mutable_full_name(),
        absl::StrFormat("Synthetische missie nummer %d", i),
        absl::StrFormat("Synthetic mission number %d", i));
  Texts(mission->mutable_location(), absl::StrFormat("Gebied %d", i % 37),
        absl::StrFormat("Area %d", i % 37));
  mission->add_countries(i % 2 == 0 ? "ML" : "NE");
  mission->set_region(absl::StrCat("regions/r", region));
  // Two of three missions belong to one of the region's two clusters.
  if (i % 3 != 0) {
    mission->set_cluster(absl::StrCat("regions/r", region, "/clusters/c", i % 2));
  }
  mission->set_report_order(10 + i);
  mission->set_lead_organization(static_cast<v1::LeadOrganization>(1 + i % 5));
  mission->set_kind(i % 100 == 99 ? v1::MISSION_KIND_HEADQUARTERS
                                  : v1::MISSION_KIND_INTERNATIONAL);
  *mission->mutable_start_date() = Day(2005 + i % 15, 1 + i % 12, 1);
  if (i % 25 == 24) *mission->mutable_end_date() = Day(year, 6, 30);
  if (i % 40 == 5) {
    mission->mutable_separate_reporting()->set_kind(
        v1::SEPARATE_REPORTING_KIND_PROGRESS_REPORT);
    Texts(mission->mutable_separate_reporting()->mutable_remark(),
          "separate VGR", "separate progress report");
  }

  // International mandates: a resolution of the year before, renewed
  // during the year by a later one.
  const int resolution = 2400 + i % 90;
  const std::pair<int, google::type::Date> decisions[] = {
      {resolution, Day(year - 1, 6, 28)}, {resolution + 100, Day(year, 6, 29)}};
  for (const auto& [number, decided] : decisions) {
    v1::InternationalMandateDecision* decision =
        record->add_international_mandates();
    decision->set_name(
        absl::StrCat(name, "/internationalMandates/unscr-", number));
    *decision->mutable_decided_on() = decided;
    v1::LegalInstrument* instrument = decision->add_legal_basis();
    instrument->set_kind(v1::INSTRUMENT_KIND_UN_SECURITY_COUNCIL_RESOLUTION);
    instrument->set_reference(absl::StrCat(number));
    Texts(instrument->mutable_citation(), absl::StrCat("VNVR resolutie ", number),
          absl::StrCat("UNSC resolution ", number));
    decision->mutable_valid_until()->set_kind(v1::EndDate::DATE);
    *decision->mutable_valid_until()->mutable_date() =
        Day(decided.year() + 1, 6, 30);
  }

  // The national mandate: separate, combined or pooled caps.
  if (i % 100 != 99) {
    v1::NationalMandateDecision* national = record->add_national_mandates();
    national->set_name(absl::StrCat(name, "/nationalMandates/until-",
                                    year + 1 + i % 2, "-12-31"));
    *national->mutable_decided_on() = Day(year - 1, 11, 1 + i % 28);
    national->mutable_valid_until()->set_kind(v1::EndDate::DATE);
    *national->mutable_valid_until()->mutable_date() =
        Day(year + 1 + i % 2, 12, 31);
    national->set_reference(absl::StrFormat("Kamerstuk 29521, nr. %d", 300 + i));
    v1::PersonnelCap* cap = national->mutable_cap();
    if (i % 20 == 1 || i % 20 == 2) {
      cap->set_pool(absl::StrCat("capPools/p", i / 20));
    } else if (i % 7 == 0) {
      cap->set_combined(10 + i % 20);
    } else {
      cap->set_military(2 + (i * 13) % 60);
      cap->set_civilian(i % 4);
    }
  }

  v1::PersonnelFigures* figures = record->add_personnel();
  figures->set_name(absl::StrCat(name, "/personnelFigures/", year));
  figures->set_year(year);
  figures->set_military((i * 7) % 90);
  figures->set_civilian(i % 6);

  for (int p = 0; p < 2; ++p) {
    v1::Posting* posting = record->add_postings();
    posting->set_name(absl::StrCat(name, "/postings/", year, "-post-", p));
    posting->set_year(year);
    Texts(posting->mutable_function(), absl::StrCat("stafofficier ", p + 1),
          absl::StrCat("staff officer ", p + 1));
    posting->set_place(absl::StrFormat("Plaats %d", i % 11));
    posting->set_category(p == 0 ? v1::PERSONNEL_CATEGORY_MILITARY
                                 : v1::PERSONNEL_CATEGORY_CIVILIAN);
    posting->set_count(1 + i % 3);
  }
  if (i % 10 == 3) {
    v1::FinancialContribution* money = record->add_financial_contributions();
    money->set_name(absl::StrCat(name, "/financialContributions/fund"));
    money->mutable_amount()->set_currency_code("EUR");
    money->mutable_amount()->set_units(250000 + 1000 * i);
    money->set_first_year(year - 1);
    money->set_last_year(year + 1);
    money->set_annual(true);
    Texts(money->mutable_purpose(), "Bijdrage aan het trustfonds",
          "Contribution to the trust fund");
  }

  const struct {
    v1::NarrativeSection section;
    const char* id;
  } sections[] = {{v1::NARRATIVE_SECTION_RATIONALE, "rationale"},
                  {v1::NARRATIVE_SECTION_DEVELOPMENTS, "developments"},
                  {v1::NARRATIVE_SECTION_CONTRIBUTION, "contribution"}};
  for (const auto& section : sections) {
    for (const bool dutch : {true, false}) {
      v1::Narrative* narrative = record->add_narratives();
      const char* language = dutch ? "nl" : "en";
      narrative->set_name(absl::StrCat(name, "/narratives/", year, "-",
                                       section.id, "-", language));
      narrative->set_year(year);
      narrative->set_section(section.section);
      if (section.section == v1::NARRATIVE_SECTION_CONTRIBUTION) {
        narrative->set_contribution_kind(v1::CONTRIBUTION_KIND_MILITARY);
      }
      narrative->set_language(language);
      narrative->set_text(Filler(static_cast<uint32_t>(i * 3 + section.section),
                                 options.paragraphs, dutch));
    }
  }
}

// ------------------------------------------------------------ the writer

std::string Quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\r':
        out.append("\\r");
        break;
      default:
        out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

std::string DateText(const google::type::Date& date) {
  if (date.month() == 0) return absl::StrFormat("%04d", date.year());
  if (date.day() == 0) return absl::StrFormat("%04d-%02d", date.year(), date.month());
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

std::string Scalar(const Message& message, const FieldDescriptor* field,
                   int index) {
  const Reflection* reflection = message.GetReflection();
  const bool repeated = field->is_repeated();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return Quoted(repeated ? reflection->GetRepeatedString(message, field, index)
                             : reflection->GetString(message, field));
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(repeated ? reflection->GetRepeatedInt32(message, field, index)
                                   : reflection->GetInt32(message, field));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(repeated ? reflection->GetRepeatedInt64(message, field, index)
                                   : reflection->GetInt64(message, field));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(repeated ? reflection->GetRepeatedUInt32(message, field, index)
                                   : reflection->GetUInt32(message, field));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(repeated ? reflection->GetRepeatedUInt64(message, field, index)
                                   : reflection->GetUInt64(message, field));
    case FieldDescriptor::CPPTYPE_BOOL:
      return (repeated ? reflection->GetRepeatedBool(message, field, index)
                       : reflection->GetBool(message, field))
                 ? "true"
                 : "false";
    case FieldDescriptor::CPPTYPE_ENUM:
      return (repeated ? reflection->GetRepeatedEnum(message, field, index)
                       : reflection->GetEnum(message, field))
          ->name();
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrCat(repeated ? reflection->GetRepeatedDouble(message, field, index)
                                   : reflection->GetDouble(message, field));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrCat(repeated ? reflection->GetRepeatedFloat(message, field, index)
                                   : reflection->GetFloat(message, field));
    default:
      return "";
  }
}

void WriteFields(const Message& message, int indent, std::string& out);

// A message as the value of a key (or a sequence item) at `indent`.
void WriteMessageValue(const Message& message, int indent, std::string& out) {
  if (message.GetDescriptor() == google::type::Date::descriptor()) {
    absl::StrAppend(&out, " ",
                    Quoted(DateText(static_cast<const google::type::Date&>(message))),
                    "\n");
    return;
  }
  std::string fields;
  WriteFields(message, indent, fields);
  if (fields.empty()) {
    out.append(" {}\n");
    return;
  }
  absl::StrAppend(&out, "\n", fields);
}

void WriteFields(const Message& message, int indent, std::string& out) {
  const Reflection* reflection = message.GetReflection();
  const std::string pad(indent, ' ');
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    absl::StrAppend(&out, pad, field->name(), ":");
    if (field->is_map()) {
      // Entries sorted by key, so that the file does not depend on the
      // map's order.
      std::map<std::string, std::string> entries;
      for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
        const Message& entry = reflection->GetRepeatedMessage(message, field, i);
        const Reflection* entry_reflection = entry.GetReflection();
        const google::protobuf::Descriptor* entry_type = entry.GetDescriptor();
        entries[entry_reflection->GetString(entry, entry_type->map_key())] =
            entry_reflection->GetString(entry, entry_type->map_value());
      }
      out.push_back('\n');
      for (const auto& [key, value] : entries) {
        absl::StrAppend(&out, pad, "  ", Quoted(key), ": ", Quoted(value), "\n");
      }
      continue;
    }
    if (field->is_repeated()) {
      const int size = reflection->FieldSize(message, field);
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
        out.append(" [");
        for (int i = 0; i < size; ++i) {
          if (i > 0) out.append(", ");
          out.append(Scalar(message, field, i));
        }
        out.append("]\n");
        continue;
      }
      out.push_back('\n');
      for (int i = 0; i < size; ++i) {
        std::string item;
        WriteFields(reflection->GetRepeatedMessage(message, field, i),
                    indent + 4, item);
        if (item.empty()) {
          absl::StrAppend(&out, pad, "  - {}\n");
          continue;
        }
        // "    key: value" -> "  - key: value" for the item's first line.
        item.replace(0, indent + 4, absl::StrCat(pad, "  - "));
        out.append(item);
      }
      continue;
    }
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      WriteMessageValue(reflection->GetMessage(message, field), indent + 2, out);
      continue;
    }
    absl::StrAppend(&out, " ", Scalar(message, field, 0), "\n");
  }
}

}  // namespace

v1::Dataset SyntheticRegistry(const SyntheticOptions& options) {
  v1::Dataset data;
  const int year = options.year;
  v1::ReportYear* report_year = data.add_report_years();
  report_year->set_name(absl::StrCat("reportYears/", year));
  report_year->set_year(year);
  *report_year->mutable_publication_date() = Day(year + 1, 5, 19);
  for (int r = 0; r < options.regions; ++r) {
    v1::Region* region = data.add_regions();
    region->set_name(absl::StrCat("regions/r", r));
    Texts(region->mutable_display_name(), absl::StrCat("Regio ", r + 1),
          absl::StrCat("Region ", r + 1));
    region->set_report_order(10 * (r + 1));
    for (int c = 0; c < 2; ++c) {
      v1::Cluster* cluster = data.add_clusters();
      cluster->set_name(absl::StrCat("regions/r", r, "/clusters/c", c));
      Texts(cluster->mutable_display_name(),
            absl::StrCat("Cluster ", r + 1, ".", c + 1),
            absl::StrCat("Cluster ", r + 1, ".", c + 1));
      cluster->set_report_order(5 + 500 * c);
      AddReportText(data, year, v1::REPORT_TEXT_KIND_CLUSTER_RATIONALE,
                    absl::StrCat("cluster-r", r, "-c", c), cluster->name(),
                    static_cast<uint32_t>(100 + 10 * r + c), 1);
    }
    AddReportText(data, year, v1::REPORT_TEXT_KIND_REGION_RATIONALE,
                  absl::StrCat("region-r", r), region->name(),
                  static_cast<uint32_t>(200 + r), 1);
  }
  for (int p = 0; p * 20 + 2 < options.missions; ++p) {
    v1::CapPool* pool = data.add_cap_pools();
    pool->set_name(absl::StrCat("capPools/p", p));
    Texts(pool->mutable_display_name(),
          absl::StrFormat("Missies %04d en %04d gezamenlijk", p * 20 + 1,
                          p * 20 + 2),
          absl::StrFormat("Missions %04d and %04d together", p * 20 + 1,
                          p * 20 + 2));
    pool->mutable_cap()->set_combined(15);
  }
  AddReportText(data, year, v1::REPORT_TEXT_KIND_INTRODUCTION, "introduction",
                "", 1, 4);
  AddReportText(data, year, v1::REPORT_TEXT_KIND_COHERENCE, "coherence", "", 2,
                3);
  AddReportText(data, year, v1::REPORT_TEXT_KIND_NATIONAL_INTRODUCTION,
                "national-introduction", "", 3, 1);
  AddReportText(data, year, v1::REPORT_TEXT_KIND_CLOSING, "closing", "", 4, 2);
  for (int i = 0; i < options.missions; ++i) AddMission(data, options, i);
  return data;
}

std::string ToDataFileYaml(const Message& message) {
  std::string out;
  WriteFields(message, 0, out);
  return out;
}

}  // namespace missions::report
