#include "report-service/report/render_json.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace missions::report {
namespace {

// Writes JSON with two-space indentation. Objects and arrays are opened
// and closed explicitly; the writer places commas and line breaks.
class JsonWriter {
 public:
  std::string Take() {
    out_.push_back('\n');
    return std::move(out_);
  }

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }

  // Starts the member `key` of the current object; the next value written
  // is its value.
  void Key(absl::string_view key) {
    Separate();
    absl::StrAppend(&out_, JsonString(key), ": ");
    after_key_ = true;
  }

  void String(absl::string_view value) { Value(JsonString(value)); }
  void Int(int64_t value) { Value(absl::StrCat(value)); }
  void Bool(bool value) { Value(value ? "true" : "false"); }
  void Null() { Value("null"); }
  void OptionalInt(const std::optional<int>& value) {
    if (value.has_value()) {
      Int(*value);
    } else {
      Null();
    }
  }

  // Shorthands for a member with a scalar value.
  void Member(absl::string_view key, absl::string_view value) {
    Key(key);
    String(value);
  }
  void MemberInt(absl::string_view key, int64_t value) {
    Key(key);
    Int(value);
  }
  void MemberOptionalInt(absl::string_view key,
                         const std::optional<int>& value) {
    Key(key);
    OptionalInt(value);
  }
  void MemberStrings(absl::string_view key,
                     const std::vector<std::string>& values) {
    Key(key);
    BeginArray();
    for (const std::string& value : values) String(value);
    EndArray();
  }
  void MemberInts(absl::string_view key, const std::vector<int>& values) {
    Key(key);
    BeginArray();
    for (int value : values) Int(value);
    EndArray();
  }

 private:
  struct Level {
    char close;
    bool empty = true;
  };

  // Before a value or key: a comma after a previous element, then a line
  // break and indentation (nothing right after a key).
  void Separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (levels_.empty()) return;
    if (!levels_.back().empty) out_.push_back(',');
    levels_.back().empty = false;
    out_.push_back('\n');
    out_.append(2 * levels_.size(), ' ');
  }

  void Value(absl::string_view text) {
    Separate();
    out_.append(text.data(), text.size());
  }

  void Open(char open) {
    Separate();
    out_.push_back(open);
    levels_.push_back(Level{open == '{' ? '}' : ']'});
  }

  void Close(char close) {
    const bool empty = levels_.back().empty;
    levels_.pop_back();
    if (!empty) {
      out_.push_back('\n');
      out_.append(2 * levels_.size(), ' ');
    }
    out_.push_back(close);
  }

  std::string out_;
  std::vector<Level> levels_;
  bool after_key_ = false;
};

void WriteText(JsonWriter& json, absl::string_view key, const Text& text) {
  json.Key(key);
  json.BeginObject();
  json.MemberStrings("paragraphs", text.paragraphs);
  json.Member("language", text.language);
  json.Member("language_note", text.language_note);
  json.EndObject();
}

void WriteChapter(JsonWriter& json, absl::string_view key,
                  const ReportChapter& chapter) {
  json.Key(key);
  json.BeginObject();
  json.Member("number", chapter.number);
  json.Member("title", chapter.title);
  WriteText(json, "text", chapter.text);
  json.EndObject();
}

void WriteMission(JsonWriter& json, const MissionSection& section) {
  json.BeginObject();
  json.Member("number", section.number);
  json.Member("mission", section.mission);
  json.Member("title", section.title);
  json.Key("subsections");
  json.BeginArray();
  for (const MissionSubsection& subsection : section.subsections) {
    json.BeginObject();
    json.Member("heading", subsection.heading);
    WriteText(json, "text", subsection.text);
    json.Member("postings_intro", subsection.postings_intro);
    json.MemberStrings("postings", subsection.postings);
    json.Member("financial_intro", subsection.financial_intro);
    json.MemberStrings("financial_contributions",
                       subsection.financial_contributions);
    json.EndObject();
  }
  json.EndArray();
  json.Member("missing_text_note", section.missing_text_note);
  json.EndObject();
}

void WriteMissions(JsonWriter& json, absl::string_view key,
                   const std::vector<MissionSection>& missions) {
  json.Key(key);
  json.BeginArray();
  for (const MissionSection& mission : missions) WriteMission(json, mission);
  json.EndArray();
}

void WriteExpeditionary(JsonWriter& json, const ExpeditionaryChapter& chapter) {
  json.Key("expeditionary");
  json.BeginObject();
  json.Member("number", chapter.number);
  json.Member("title", chapter.title);
  json.Key("coherence");
  json.BeginObject();
  json.Member("number", chapter.coherence.number);
  json.Member("title", chapter.coherence.title);
  WriteText(json, "text", chapter.coherence.text);
  const Headline& headline = chapter.coherence.headline;
  json.Key("headline");
  json.BeginObject();
  json.MemberInt("deployed_military", headline.deployed_military);
  json.MemberInt("deployed_civilian", headline.deployed_civilian);
  json.MemberInt("mission_count", headline.mission_count);
  json.Member("sentence", headline.sentence);
  json.MemberInt("footnote", headline.footnote);
  json.EndObject();
  json.EndObject();
  json.Key("regions");
  json.BeginArray();
  for (const RegionSection& region : chapter.regions) {
    json.BeginObject();
    json.Member("number", region.number);
    json.Member("region", region.region);
    json.Member("title", region.title);
    json.Member("rationale_heading", region.rationale_heading);
    WriteText(json, "rationale", region.rationale);
    json.Key("items");
    json.BeginArray();
    for (const RegionItem& item : region.items) {
      json.BeginObject();
      json.Key("mission");
      if (item.mission.has_value()) {
        WriteMission(json, *item.mission);
      } else {
        json.Null();
      }
      json.Key("cluster");
      if (item.cluster.has_value()) {
        const ClusterSection& cluster = *item.cluster;
        json.BeginObject();
        json.Member("number", cluster.number);
        json.Member("cluster", cluster.cluster);
        json.Member("title", cluster.title);
        json.Member("rationale_heading", cluster.rationale_heading);
        WriteText(json, "rationale", cluster.rationale);
        WriteMissions(json, "missions", cluster.missions);
        json.EndObject();
      } else {
        json.Null();
      }
      json.EndObject();
    }
    json.EndArray();
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
}

absl::string_view EndKindName(MandateEnd::Kind kind) {
  switch (kind) {
    case MandateEnd::Kind::kNone:
      return "none";
    case MandateEnd::Kind::kDate:
      return "date";
    case MandateEnd::Kind::kIndefinite:
      return "indefinite";
    case MandateEnd::Kind::kPerActivity:
      return "per_activity";
  }
  return "none";
}

void WriteMandateEnd(JsonWriter& json, absl::string_view key,
                     const MandateEnd& end) {
  json.Key(key);
  json.BeginObject();
  json.Member("kind", EndKindName(end.kind));
  json.Member("date", end.date);
  json.Member("qualifier", end.qualifier);
  json.Member("text", end.text);
  json.Member("csv_text", end.csv_text);
  json.EndObject();
}

void WriteAnnex1(JsonWriter& json, const Annex1& annex) {
  json.Key("annex1");
  json.BeginObject();
  json.Member("number", annex.number);
  json.Member("title", annex.title);
  json.Member("as_of", annex.as_of);
  json.Member("as_of_note", annex.as_of_note);
  json.Key("rows");
  json.BeginArray();
  for (const Annex1Row& row : annex.rows) {
    json.BeginObject();
    json.Member("region", row.region);
    json.Member("region_title", row.region_title);
    json.Member("mission", row.mission);
    json.Member("mission_title", row.mission_title);
    json.Member("legal_basis", row.legal_basis);
    WriteMandateEnd(json, "international_mandate_until",
                    row.international_mandate_until);
    WriteMandateEnd(json, "national_mandate_until", row.national_mandate_until);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
}

void WriteAnnex2(JsonWriter& json, const Annex2& annex) {
  json.Key("annex2");
  json.BeginObject();
  json.Member("number", annex.number);
  json.Member("title", annex.title);
  json.Key("rows");
  json.BeginArray();
  for (const Annex2Row& row : annex.rows) {
    json.BeginObject();
    json.Member("region", row.region);
    json.Member("region_title", row.region_title);
    json.Member("mission", row.mission);
    json.Member("short_name", row.short_name);
    json.MemberOptionalInt("mandate_military", row.mandate_military);
    json.MemberOptionalInt("mandate_civilian", row.mandate_civilian);
    json.MemberOptionalInt("mandate_combined", row.mandate_combined);
    json.Member("cap_pool", row.cap_pool);
    json.MemberOptionalInt("deployed_military", row.deployed_military);
    json.MemberOptionalInt("deployed_civilian", row.deployed_civilian);
    json.MemberOptionalInt("deployed_total", row.deployed_total);
    json.MemberStrings("notes", row.notes);
    json.MemberInts("footnotes", row.footnotes);
    json.EndObject();
  }
  json.EndArray();
  const Annex2Totals& totals = annex.totals;
  json.Key("totals");
  json.BeginObject();
  json.MemberInt("mandate_military", totals.mandate_military);
  json.MemberInt("mandate_civilian", totals.mandate_civilian);
  json.MemberInt("mandate_combined", totals.mandate_combined);
  json.MemberInt("mandate_persons", totals.mandate_persons);
  json.MemberInt("deployed_military", totals.deployed_military);
  json.MemberInt("deployed_civilian", totals.deployed_civilian);
  json.MemberInt("deployed_total", totals.deployed_total);
  json.MemberInt("footnote", totals.footnote);
  json.EndObject();
  json.MemberStrings("explanation", annex.explanation);
  json.EndObject();
}

void WriteExpiring(JsonWriter& json, const ExpiringMandatesAnnex& annex) {
  json.Key("expiring_mandates");
  json.BeginObject();
  json.Member("number", annex.number);
  json.Member("title", annex.title);
  json.MemberInt("horizon_days", annex.horizon_days);
  json.Member("until", annex.until);
  json.Member("intro", annex.intro);
  json.Key("rows");
  json.BeginArray();
  for (const ExpiringMandate& row : annex.rows) {
    json.BeginObject();
    json.Member("kind", row.kind == ExpiringMandate::Kind::kInternational
                            ? "international"
                            : "national");
    json.Member("kind_label", row.kind_label);
    json.Member("mission", row.mission);
    json.Member("mission_title", row.mission_title);
    json.Member("decision", row.decision);
    json.Member("basis", row.basis);
    json.Member("ends_on", row.ends_on);
    json.Member("ends_on_text", row.ends_on_text);
    json.MemberInt("days_after_publication", row.days_after_publication);
    json.EndObject();
  }
  json.EndArray();
  json.Member("empty_note", annex.empty_note);
  json.EndObject();
}

absl::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "info";
  }
  return "info";
}

void WriteChecks(JsonWriter& json, const ChecksAnnex& checks) {
  json.Key("checks");
  if (!checks.included) {
    json.Null();
    return;
  }
  json.BeginObject();
  json.Member("number", checks.number);
  json.Member("title", checks.title);
  json.Member("summary", checks.summary);
  json.MemberInt("error_count", checks.error_count);
  json.MemberInt("warning_count", checks.warning_count);
  json.MemberInt("info_count", checks.info_count);
  json.Key("findings");
  json.BeginArray();
  for (const Finding& finding : checks.findings) {
    json.BeginObject();
    json.Member("severity", SeverityName(finding.severity));
    json.Member("severity_label", finding.severity_label);
    json.Member("check", finding.check);
    json.MemberStrings("records", finding.records);
    json.Member("message", finding.message);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
}

}  // namespace

std::string JsonString(absl::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
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
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", static_cast<unsigned char>(c));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

std::string RenderJson(const ReportModel& model) {
  JsonWriter json;
  json.BeginObject();
  json.MemberInt("format_version", kJsonFormatVersion);
  json.MemberInt("year", model.year);
  json.Member("language", LanguageCode(model.language));
  json.Member("title", model.title);
  json.Member("publication_date", model.publication_date);
  json.Member("publication_date_text", model.publication_date_text);
  json.Key("provenance");
  json.BeginObject();
  json.MemberInt("registry_revision", model.provenance.registry_revision);
  json.Key("generated_at");
  if (model.provenance.generated_at.empty()) {
    json.Null();
  } else {
    json.String(model.provenance.generated_at);
  }
  json.Member("statement", model.provenance.statement);
  json.EndObject();
  WriteChapter(json, "introduction", model.introduction);
  WriteExpeditionary(json, model.expeditionary);
  json.Key("national");
  json.BeginObject();
  json.Member("number", model.national.number);
  json.Member("title", model.national.title);
  WriteText(json, "introduction", model.national.introduction);
  WriteMissions(json, "missions", model.national.missions);
  json.EndObject();
  WriteChapter(json, "closing", model.closing);
  WriteAnnex1(json, model.annex1);
  WriteAnnex2(json, model.annex2);
  WriteExpiring(json, model.expiring_mandates);
  WriteChecks(json, model.checks);
  json.Key("footnotes");
  json.BeginArray();
  for (const Footnote& footnote : model.footnotes) {
    json.BeginObject();
    json.MemberInt("number", footnote.number);
    json.Member("text", footnote.text);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return json.Take();
}

}  // namespace missions::report
