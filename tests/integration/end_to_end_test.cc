// End to end: starts the real registry-server and report-server on free
// loopback ports, imports the 2020 data file with registryctl, generates
// the report with reportctl in every format and language and checks every
// annex row and the totals against the published 2020 report (with its
// known errors corrected, see kAnnex1 and kAnnex2Totals); the HTML is
// well-formed (xmllint), the PDF's text (pdftotext) holds the totals, the
// JSON validates against its schema, the same state gives the same bytes;
// `reportctl check` and `reportctl reconcile` on the published annex 2; and
// documents larger than one gRPC message, streamed.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpc_probe/health_probe.grpc.pb.h"
#include "grpc_probe/reflection_probe.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "tests/integration/child_process.h"
#include "tests/unit/report_json_schema.h"

namespace missions::testing {
namespace {

using ::missions::testing::JsonValue;
using ::missions::testing::ParseJson;
using ::missions::testing::ValidateAgainstSchema;

const std::string kRegistryServer = REGISTRY_SERVER_BIN;
const std::string kReportServer = REPORT_SERVER_BIN;
const std::string kRegistryctl = REGISTRYCTL_BIN;
const std::string kReportctl = REPORTCTL_BIN;
const std::string kDataFile = DATA_FILE;
const std::string kSyntheticRegistry = SYNTHETIC_REGISTRY_BIN;
const std::string kXmllint = XMLLINT_BIN;
const std::string kPdftotext = PDFTOTEXT_BIN;
const std::string kSourceDir = MISSIONS_SOURCE_DIR;

// The files `reportctl generate --format=all --language=all` writes.
const std::vector<std::string>& AllDocuments() {
  static const std::vector<std::string> names = {
      "vkm-2020-en-annex1.csv", "vkm-2020-en-annex2.csv", "vkm-2020-en.html",
      "vkm-2020-en.json",       "vkm-2020-en.md",         "vkm-2020-en.pdf",
      "vkm-2020-nl-annex1.csv", "vkm-2020-nl-annex2.csv", "vkm-2020-nl.html",
      "vkm-2020-nl.json",       "vkm-2020-nl.md",         "vkm-2020-nl.pdf"};
  return names;
}

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Parses RFC 4180 CSV (CRLF line ends, quoted fields) into rows of cells.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(cell));
      cell.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(std::move(cell));
      cell.clear();
      rows.push_back(std::move(row));
      row.clear();
      ++i;
    } else {
      cell += c;
    }
  }
  if (!cell.empty() || !row.empty()) {
    row.push_back(std::move(cell));
    rows.push_back(std::move(row));
  }
  return rows;
}

// Rows keyed by the `mission` column, as column name -> cell.
std::map<std::string, std::map<std::string, std::string>> ByMission(
    const std::vector<std::vector<std::string>>& rows) {
  std::map<std::string, std::map<std::string, std::string>> result;
  if (rows.empty()) return result;
  const std::vector<std::string>& header = rows[0];
  size_t mission_column = 0;
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == "mission") mission_column = i;
  }
  for (size_t r = 1; r < rows.size(); ++r) {
    std::map<std::string, std::string> cells;
    for (size_t i = 0; i < header.size() && i < rows[r].size(); ++i) {
      cells[header[i]] = rows[r][i];
    }
    result[rows[r][mission_column]] = cells;
  }
  return result;
}

// Annex 2 of the published 2020 report, row by row: mandate military,
// civilian, combined (EULEX's fifteen and the EUCAP Sahel pool's fifteen,
// which the published table printed in both columns), deployed military,
// civilian, total. The pool is listed once, on EUCAP Sahel Mali's row.
struct Annex2Row {
  const char* mission;
  const char* mandate_military;
  const char* mandate_civilian;
  const char* mandate_combined;
  int deployed_military;
  int deployed_civilian;
};
constexpr Annex2Row kAnnex2[] = {
    {"eFP", "270", "0", "", 675, 0},
    {"EULEX", "", "", "15", 0, 6},
    {"Anti-ISIS coalitie en brede veiligheidsinzet in Irak", "210", "20", "", 475, 6},
    {"UNIFIL", "1", "0", "", 2, 0},
    {"UNDOF", "2", "0", "", 3, 0},
    {"UNTSO", "12", "0", "", 22, 0},
    {"EUBAM Rafah", "3", "0", "", 0, 0},
    {"USSC", "3", "3", "", 6, 3},
    {"EMASoH", "240", "1", "", 242, 1},
    {"MINUSMA", "6", "10", "", 10, 11},
    {"EUTM", "5", "0", "", 6, 0},
    {"EUCAP Sahel Mali", "", "", "15", 0, 3},
    {"EUCAP Sahel Niger", "", "", "", 0, 4},
    {"EUBAM Libië", "1", "4", "", 0, 1},
    {"EULPC", "1", "0", "", 2, 0},
    {"EUNAVFOR MED Sophia", "3", "0", "", 2, 0},
    {"EUNAVFOR MED IRINI", "2", "0", "", 4, 0},
    {"EUNAVFOR Atalanta", "3", "1", "", 6, 1},
    {"GPOI", "15", "0", "", 15, 0},
    {"Resolute Support Mission", "165", "5", "", 300, 5},
    {"VPD", "121", "0", "", 77, 0},
};

// Annex 1 of the published 2020 report: legal basis, end of the
// international mandate, end of the Dutch mandate, as the registry yields
// them in CSV (ISO dates). Two cells differ from the published table
// because the registry holds the later decisions the report's own text
// describes: MINUSMA was renewed by resolution 2531 (annex 1 still cited
// 2480) and UNIFIL by resolution 2539 in August 2020 (annex 1: 2433).
struct Annex1Row {
  const char* mission;
  const char* legal_basis_contains;
  const char* international_until;
  const char* national_until;
};
constexpr Annex1Row kAnnex1[] = {
    {"EULEX", "1244", "2021-06-14", "2022-08-01"},
    {"UNTSO", "50", "Onbepaald", "Onbepaald"},
    {"UNIFIL", "2539", "2021-08-31", "2022-08-01"},
    {"UNDOF", "2394", "2021-06-30", "2022-08-01"},
    {"EUBAM Rafah", "Israël", "2021-06-30", "2022-08-01"},
    {"USSC", "Palestijnse Autoriteit", "Onbepaald", "2022-08-01"},
    {"EMASoH", "Verenigde Arabische Emiraten", "2021-12-31", "2022-08-01"},
    {"EUNAVFOR Atalanta", "2383", "2022-12-31", "2021-12-31"},
    {"MINUSMA", "2531", "2021-06-30", "2021-12-31"},
    {"EUTM", "2085", "2024-05-18", "2021-12-31"},
    {"EUCAP Sahel Mali", "Mali", "2023-01-14", "2021-12-31"},
    {"EUCAP Sahel Niger", "Niger", "2022-09-30", "2021-12-31"},
    {"EUNAVFOR MED Sophia", "2016/993", "2020-03-31", "2020-03-31"},
    {"EUNAVFOR MED IRINI", "2020/472", "2023-03-31", "2021-12-31"},
    {"EUBAM Libië", "2016/207", "2021-06-30", "2021-06-30"},
    {"EULPC", "Libië", "2021-06-30", "2021-06-30"},
    {"GPOI", "Afrikaanse landen", "Onbepaald", "Per activiteit"},
    {"VPD", "97", "Onbepaald", "Onbepaald"},
};

class EndToEndTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(MakeTempDir());
    auto registry = ChildProcess::Start(
        {kRegistryServer, "--insecure", "--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0", "--drain=0s",
         absl::StrCat("--storage=sqlite:", *dir_, "/registry.db")},
        *dir_ + "/registry-server.log");
    ASSERT_TRUE(registry.ok()) << registry.status();
    registry_ = registry->release();
    auto registry_port = registry_->WaitForPort();
    ASSERT_TRUE(registry_port.ok()) << registry_port.status();
    registry_address_ = new std::string(absl::StrCat("127.0.0.1:", *registry_port));

    const CommandResult imported = RunCommand(
        {kRegistryctl, "--plaintext", "import", kDataFile, "--server=" + *registry_address_}, *dir_);
    ASSERT_EQ(imported.exit_code, 0) << imported.err;

    auto report = ChildProcess::Start(
        {kReportServer, "--insecure", "--registry_plaintext", "--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0", "--drain=0s", "--registry=" + *registry_address_},
        *dir_ + "/report-server.log");
    ASSERT_TRUE(report.ok()) << report.status();
    report_ = report->release();
    auto report_port = report_->WaitForPort();
    ASSERT_TRUE(report_port.ok()) << report_port.status();
    report_address_ = new std::string(absl::StrCat("127.0.0.1:", *report_port));

    out_dir_ = new std::string(*dir_ + "/out");
    std::filesystem::create_directories(*out_dir_);
    const CommandResult generated =
        RunCommand({kReportctl, "--plaintext", "generate", "--year=2020", "--format=all",
                    "--language=all", "--output=" + *out_dir_,
                    "--server=" + *report_address_},
                   *dir_);
    ASSERT_EQ(generated.exit_code, 0) << generated.err;
  }

  static void TearDownTestSuite() {
    delete report_;
    delete registry_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
    delete registry_address_;
    delete report_address_;
    delete out_dir_;
  }

  void SetUp() override {
    ASSERT_NE(report_, nullptr) << "the servers did not start";
  }

  static std::string Output(const std::string& name) {
    return ReadFileOrEmpty(*out_dir_ + "/" + name);
  }

  static std::string* dir_;
  static std::string* out_dir_;
  static std::string* registry_address_;
  static std::string* report_address_;
  static ChildProcess* registry_;
  static ChildProcess* report_;
};

std::string* EndToEndTest::dir_ = nullptr;
std::string* EndToEndTest::out_dir_ = nullptr;
std::string* EndToEndTest::registry_address_ = nullptr;
std::string* EndToEndTest::report_address_ = nullptr;
ChildProcess* EndToEndTest::registry_ = nullptr;
ChildProcess* EndToEndTest::report_ = nullptr;

TEST_F(EndToEndTest, Annex2MatchesThePublishedRowsAndCountsEachCapOnce) {
  const auto rows = ParseCsv(Output("vkm-2020-nl-annex2.csv"));
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(absl::StrJoin(rows[0], ","),
            "region,mission,mandate_military,mandate_civilian,mandate_combined,"
            "deployed_military,deployed_civilian,deployed_total,note");
  // Header, one row per mission, totals.
  EXPECT_EQ(rows.size(), std::size(kAnnex2) + 2);
  const auto by_mission = ByMission(rows);
  for (const Annex2Row& expected : kAnnex2) {
    SCOPED_TRACE(expected.mission);
    auto it = by_mission.find(expected.mission);
    ASSERT_NE(it, by_mission.end()) << "no annex 2 row";
    const auto& cells = it->second;
    EXPECT_EQ(cells.at("mandate_military"), expected.mandate_military);
    EXPECT_EQ(cells.at("mandate_civilian"), expected.mandate_civilian);
    EXPECT_EQ(cells.at("mandate_combined"), expected.mandate_combined);
    EXPECT_EQ(cells.at("deployed_military"), absl::StrCat(expected.deployed_military));
    EXPECT_EQ(cells.at("deployed_civilian"), absl::StrCat(expected.deployed_civilian));
    EXPECT_EQ(cells.at("deployed_total"),
              absl::StrCat(expected.deployed_military + expected.deployed_civilian));
  }
  EXPECT_TRUE(absl::StrContains(by_mission.at("EUCAP Sahel Niger").at("note"),
                                "EUCAP Sahel Mali"));
  // The last row is the totals row; each cap counts once (the published
  // 1093 / 74 counted the two combined caps of 15 in both columns).
  const auto& totals = rows.back();
  EXPECT_EQ(totals[1], "Totaal");
  EXPECT_EQ(absl::StrJoin(totals.begin() + 2, totals.begin() + 8, ","),
            "1063,44,30,1847,41,1888");
}

TEST_F(EndToEndTest, Annex1MatchesThePublishedRows) {
  const auto rows = ParseCsv(Output("vkm-2020-nl-annex1.csv"));
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(absl::StrJoin(rows[0], ","),
            "region,mission,legal_basis,international_mandate_until,"
            "national_mandate_until");
  EXPECT_EQ(rows.size(), std::size(kAnnex1) + 2);
  const auto by_mission = ByMission(rows);
  for (const Annex1Row& expected : kAnnex1) {
    SCOPED_TRACE(expected.mission);
    const std::map<std::string, std::string>* cells = nullptr;
    for (const auto& [mission, row] : by_mission) {
      if (absl::StartsWith(mission, expected.mission)) cells = &row;
    }
    ASSERT_NE(cells, nullptr) << "no annex 1 row";
    EXPECT_TRUE(absl::StrContains(cells->at("legal_basis"), expected.legal_basis_contains))
        << cells->at("legal_basis");
    EXPECT_TRUE(absl::StartsWith(cells->at("international_mandate_until"),
                                 expected.international_until))
        << cells->at("international_mandate_until");
    EXPECT_TRUE(absl::StartsWith(cells->at("national_mandate_until"),
                                 expected.national_until))
        << cells->at("national_mandate_until");
  }
  EXPECT_EQ(rows.back()[1], "Totaal");
}

TEST_F(EndToEndTest, MarkdownReportHasTheComputedHeadlineInBothLanguages) {
  const std::string nl = Output("vkm-2020-nl.md");
  EXPECT_TRUE(absl::StrContains(
      nl, "circa 1847 Nederlandse militairen en 41 civiele experts en "
          "politiefunctionarissen"))
      << nl.substr(0, 2000);
  for (const char* heading : {"Inleiding", "Expeditionaire inzet", "Nationale inzet",
                              "Slotbeschouwing", "Bijlage 1", "Bijlage 2"}) {
    EXPECT_TRUE(absl::StrContains(nl, heading)) << heading;
  }
  const std::string en = Output("vkm-2020-en.md");
  EXPECT_TRUE(absl::StrContains(en, "1847")) << en.substr(0, 2000);
  EXPECT_TRUE(absl::StrContains(en, "Annex 2")) << en.substr(0, 2000);
}

TEST_F(EndToEndTest, RegistryAnswersHealthAndReflection) {
  auto channel = grpc::CreateChannel(*registry_address_, grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext health_context;
  grpc::health::v1::HealthCheckRequest check;
  grpc::health::v1::HealthCheckResponse status;
  ASSERT_TRUE(health->Check(&health_context, check, &status).ok());
  EXPECT_EQ(status.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  auto reflection = grpc::reflection::v1alpha::ServerReflection::NewStub(channel);
  grpc::ClientContext reflection_context;
  auto stream = reflection->ServerReflectionInfo(&reflection_context);
  grpc::reflection::v1alpha::ServerReflectionRequest list;
  list.set_list_services("*");
  ASSERT_TRUE(stream->Write(list));
  stream->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse response;
  ASSERT_TRUE(stream->Read(&response));
  std::vector<std::string> services;
  for (const auto& service : response.list_services_response().service()) {
    services.push_back(service.name());
  }
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_NE(std::find(services.begin(), services.end(), "registry.v1.RegistryService"),
            services.end())
      << absl::StrJoin(services, " ");
}

TEST_F(EndToEndTest, InvalidFileIsRejectedWithPositionsAndChangesNothing) {
  const std::string bad = *dir_ + "/bad.yaml";
  {
    std::ofstream out(bad);
    out << "regions:\n"
           "  - name: regions/oceania\n"
           "    display_name: {nl: Oceanië}\n"
           "missions:\n"
           "  - mission:\n"
           "      name: missions/new-mission\n"
           "      short_name: Nieuw\n"
           "      region: regions/oceania\n"
           "      lead_organization: UN\n"
           "      kind: INTERNATIONAL\n"
           "      start_date: 2021-02-30\n"
           "    personnel:\n"
           "      - name: missions/new-mission/personnelFigures/2020\n"
           "        year: 2020\n"
           "        military: -4\n";
  }
  const CommandResult result =
      RunCommand({kRegistryctl, "--plaintext", "import", bad, "--server=" + *registry_address_}, *dir_);
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_TRUE(absl::StrContains(result.err, "bad.yaml:11:")) << result.err;
  EXPECT_TRUE(absl::StrContains(result.err, "bad.yaml:15:")) << result.err;
  EXPECT_TRUE(absl::StrContains(result.err, "military")) << result.err;
  EXPECT_TRUE(absl::StrContains(result.err, "nothing was imported")) << result.err;

  // Importing the 2020 file again is refused as a whole: nothing changes.
  const CommandResult again = RunCommand(
      {kRegistryctl, "--plaintext", "import", kDataFile, "--server=" + *registry_address_}, *dir_);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(again.err, "already exists")) << again.err;

  const std::string before = Output("vkm-2020-nl-annex2.csv");
  const std::string path = *dir_ + "/after.csv";
  const CommandResult regenerated =
      RunCommand({kReportctl, "--plaintext", "generate", "--year=2020", "--format=annex2-csv",
                  "--output=" + path, "--server=" + *report_address_},
                 *dir_);
  ASSERT_EQ(regenerated.exit_code, 0) << regenerated.err;
  EXPECT_EQ(ReadFileOrEmpty(path), before);
}

TEST_F(EndToEndTest, ReportctlFailsClearly) {
  const std::string target = *dir_ + "/never.md";
  // An unknown year.
  CommandResult result = RunCommand({kReportctl, "--plaintext", "generate", "--year=1990",
                                     "--output=" + target,
                                     "--server=" + *report_address_},
                                    *dir_);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(result.err, "NOT_FOUND")) << result.err;
  EXPECT_TRUE(absl::StrContains(result.err, "1990")) << result.err;
  // A bad flag value.
  result = RunCommand({kReportctl, "--plaintext", "generate", "--year=2020", "--format=docx",
                       "--output=" + target, "--server=" + *report_address_},
                      *dir_);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(result.err, "--format")) << result.err;
  // A report server whose registry is down.
  auto orphan = ChildProcess::Start(
      {kReportServer, "--insecure", "--registry_plaintext", "--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0", "--drain=0s", "--registry=127.0.0.1:1",
       "--registry_timeout=2s"},
      *dir_ + "/orphan.log");
  ASSERT_TRUE(orphan.ok());
  auto port = (*orphan)->WaitForPort();
  ASSERT_TRUE(port.ok()) << port.status();
  // reportctl retries an unavailable service until --deadline.
  result = RunCommand({kReportctl, "--plaintext", "generate", "--year=2020", "--output=" + target,
                       absl::StrCat("--server=127.0.0.1:", *port), "--deadline=6s"},
                      *dir_);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(result.err, "UNAVAILABLE")) << result.err;
  // No report server at all.
  result = RunCommand({kReportctl, "--plaintext", "generate", "--year=2020", "--output=" + target,
                       "--server=127.0.0.1:1", "--timeout=3s", "--deadline=6s"},
                      *dir_);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(target));
}

TEST_F(EndToEndTest, EveryFormatInBothLanguagesWithStableNames) {
  EXPECT_EQ(FilesIn(*out_dir_), AllDocuments());
  for (const std::string& name : AllDocuments()) {
    EXPECT_FALSE(Output(name).empty()) << name;
  }
  EXPECT_TRUE(absl::StartsWith(Output("vkm-2020-nl.pdf"), "%PDF-"));
  // Every document states the registry revision it was built from.
  EXPECT_TRUE(absl::StrContains(Output("vkm-2020-nl.md"),
                                "Opgesteld uit revisie "));
  EXPECT_TRUE(absl::StrContains(Output("vkm-2020-en.html"), "Built from revision "));
}

TEST_F(EndToEndTest, HtmlIsWellFormedAndSelfContained) {
  for (const char* name : {"vkm-2020-nl.html", "vkm-2020-en.html"}) {
    const CommandResult lint =
        RunCommand({kXmllint, "--noout", *out_dir_ + "/" + name}, *dir_);
    EXPECT_EQ(lint.exit_code, 0) << name << ": " << lint.err;
    const std::string html = Output(name);
    EXPECT_TRUE(absl::StrContains(html, "<svg ")) << name;
    EXPECT_TRUE(absl::StrContains(html, "<style>")) << name;
    EXPECT_FALSE(absl::StrContains(html, "<script")) << name;
    EXPECT_FALSE(absl::StrContains(html, "<link ")) << name;
    EXPECT_FALSE(absl::StrContains(html, "src=\"http")) << name;
  }
}

TEST_F(EndToEndTest, PdfTextHoldsTheAnnex2TotalsAndPageNumbers) {
  const std::string text_path = *dir_ + "/nl.txt";
  const CommandResult extracted = RunCommand(
      {kPdftotext, "-layout", *out_dir_ + "/vkm-2020-nl.pdf", text_path}, *dir_);
  ASSERT_EQ(extracted.exit_code, 0) << extracted.err;
  std::string text = ReadFileOrEmpty(text_path);
  // Collapse runs of spaces (the layout aligns the columns).
  std::string collapsed;
  for (const char c : text) {
    if (c == ' ' && !collapsed.empty() && collapsed.back() == ' ') continue;
    collapsed.push_back(c);
  }
  EXPECT_TRUE(absl::StrContains(collapsed, " 1063 44 30 1847 41 1888")) << collapsed;
  EXPECT_TRUE(absl::StrContains(collapsed, "Pagina 2 van ")) << collapsed;
  EXPECT_TRUE(absl::StrContains(collapsed, "Bijlage 2 Totale inzet in 2020"));
  EXPECT_TRUE(absl::StrContains(collapsed, "circa 1847 Nederlandse militairen"));
}

TEST_F(EndToEndTest, JsonValidatesAgainstItsSchema) {
  absl::StatusOr<JsonValue> schema = ParseJson(
      ReadFileOrEmpty(kSourceDir + "/report-service/docs/report.schema.json"));
  ASSERT_TRUE(schema.ok()) << schema.status();
  for (const char* name : {"vkm-2020-nl.json", "vkm-2020-en.json"}) {
    absl::StatusOr<JsonValue> document = ParseJson(Output(name));
    ASSERT_TRUE(document.ok()) << name << ": " << document.status();
    const std::vector<std::string> violations =
        ValidateAgainstSchema(*schema, *document);
    EXPECT_TRUE(violations.empty()) << name << ": " << absl::StrJoin(violations, "\n");
    const JsonValue* totals = document->Find("annex2")->Find("totals");
    EXPECT_EQ(totals->Find("mandate_military")->number, 1063);
    EXPECT_EQ(totals->Find("mandate_combined")->number, 30);
    EXPECT_GE(document->Find("provenance")->Find("registry_revision")->number, 1);
  }
}

TEST_F(EndToEndTest, SameStateGivesIdenticalDocuments) {
  const std::string again = *dir_ + "/again";
  std::filesystem::create_directories(again);
  const CommandResult generated =
      RunCommand({kReportctl, "--plaintext", "generate", "--year=2020", "--format=all",
                  "--language=all", "--output=" + again,
                  "--server=" + *report_address_},
                 *dir_);
  ASSERT_EQ(generated.exit_code, 0) << generated.err;
  for (const std::string& name : AllDocuments()) {
    EXPECT_TRUE(ReadFileOrEmpty(again + "/" + name) == Output(name))
        << name << " differs between two runs on the same registry state";
  }
  // A generation time is printed when asked for, and only then.
  const std::string timed = *dir_ + "/timed.md";
  const CommandResult with_time = RunCommand(
      {kReportctl, "--plaintext", "generate", "--year=2020", "--format=markdown",
       "--generation_time=2021-05-19T07:30:00Z", "--output=" + timed,
       "--server=" + *report_address_},
      *dir_);
  ASSERT_EQ(with_time.exit_code, 0) << with_time.err;
  EXPECT_TRUE(absl::StrContains(ReadFileOrEmpty(timed),
                                "op 19 mei 2021 om 07:30 UTC."));
}

TEST_F(EndToEndTest, CheckListsTheExpectedFindings) {
  const CommandResult checked = RunCommand(
      {kReportctl, "--plaintext", "check", "--year=2020", "--language=en",
       "--server=" + *report_address_},
      *dir_);
  EXPECT_EQ(checked.exit_code, 0) << checked.err;
  const std::string& out = checked.out;
  EXPECT_TRUE(absl::StrContains(out, "0 error(s), 0 warning(s)")) << out;
  // The totals are recomputed and each combined or shared cap counts once
  // (the published 1093 / 74 counted them twice).
  EXPECT_TRUE(absl::StrContains(out, "caps 1063 military, 44 civilian/IPO and "
                                     "30 combined"))
      << out;
  EXPECT_TRUE(absl::StrContains(out, "makes each of those columns 30 too high"))
      << out;
  // MINUSMA's renewal by resolution 2531, which the published annex 1
  // missed; the spellings EMASOH and EUNAVFORMED.
  EXPECT_TRUE(absl::StrContains(out, "from 29 June 2020 ‘UNSC resolution 2531’"))
      << out;
  EXPECT_TRUE(absl::StrContains(out, "EMASoH is also spelled ‘EMASOH’")) << out;
  EXPECT_TRUE(absl::StrContains(out, "‘EUNAVFORMED Sophia’")) << out;
}

TEST_F(EndToEndTest, ReconcileExplainsThePublishedTotals) {
  const CommandResult reconciled = RunCommand(
      {kReportctl, "--plaintext", "reconcile", "--year=2020",
       kSourceDir + "/tests/data/vkm-2020-published-annex2.csv",
       "--server=" + *report_address_},
      *dir_);
  EXPECT_EQ(reconciled.exit_code, 3) << reconciled.err;
  const std::string& out = reconciled.out;
  EXPECT_TRUE(absl::StrContains(out, "Totaal, mandate_military: published "
                                     "\"1093\", registry \"1063\""))
      << out;
  EXPECT_TRUE(absl::StrContains(out, "1063 + 15 + 15 = 1093")) << out;
  EXPECT_TRUE(absl::StrContains(out, "Totaal, mandate_civilian: published "
                                     "\"74\", registry \"44\""))
      << out;
  EXPECT_TRUE(absl::StrContains(out, "44 + 15 + 15 = 74")) << out;
  EXPECT_FALSE(absl::StrContains(out, "deployed_total: published")) << out;
}

// A change to the registry changes today's report, and the report as of
// the revision it stated is rebuilt byte for byte. (Runs last: it changes
// the registry the other tests read.)
TEST_F(EndToEndTest, ZzReportAsOfAnEarlierRevisionIsRebuiltAsItWas) {
  const std::string markdown = Output("vkm-2020-nl.md");
  const std::string marker = "Opgesteld uit revisie ";
  const size_t at = markdown.find(marker);
  ASSERT_NE(at, std::string::npos);
  const std::string revision = markdown.substr(
      at + marker.size(), markdown.find(' ', at + marker.size()) - at - marker.size());
  const std::string extra = *dir_ + "/extra.yaml";
  {
    std::ofstream out(extra);
    out << "missions:\n"
           "  - mission:\n"
           "      name: missions/nieuwe-missie\n"
           "      short_name: Nieuwe missie\n"
           "      region: regions/europe\n"
           "      report_order: 90\n"
           "      lead_organization: EU\n"
           "      kind: INTERNATIONAL\n"
           "    personnel:\n"
           "      - name: missions/nieuwe-missie/personnelFigures/2020\n"
           "        year: 2020\n"
           "        military: 4\n"
           "        civilian: 0\n";
  }
  const CommandResult imported = RunCommand(
      {kRegistryctl, "--plaintext", "import", extra, "--server=" + *registry_address_}, *dir_);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;

  const auto generate = [&](const std::string& format, const std::string& path,
                            const std::string& as_of, int exit_code = 0) {
    std::vector<std::string> argv = {kReportctl, "--plaintext", "generate", "--year=2020",
                                     "--format=" + format, "--output=" + path,
                                     "--server=" + *report_address_};
    if (!as_of.empty()) argv.push_back("--as_of=" + as_of);
    const CommandResult result = RunCommand(argv, *dir_);
    EXPECT_EQ(result.exit_code, exit_code) << result.err;
    return ReadFileOrEmpty(path);
  };
  // The new mission has personnel but no mandate: written, and exit 3.
  const std::string today =
      generate("annex2-csv", *dir_ + "/today.csv", "", /*exit_code=*/3);
  EXPECT_TRUE(absl::StrContains(today, "Nieuwe missie")) << today;
  const CommandResult checked = RunCommand(
      {kReportctl, "--plaintext", "check", "--year=2020", "--server=" + *report_address_}, *dir_);
  EXPECT_EQ(checked.exit_code, 3);
  EXPECT_TRUE(absl::StrContains(checked.out, "ERROR deployed-without-mandate"))
      << checked.out;
  const CommandResult checked_then =
      RunCommand({kReportctl, "--plaintext", "check", "--year=2020", "--as_of=" + revision,
                  "--server=" + *report_address_},
                 *dir_);
  EXPECT_EQ(checked_then.exit_code, 0) << checked_then.out;
  EXPECT_NE(today, Output("vkm-2020-nl-annex2.csv"));
  EXPECT_EQ(generate("annex2-csv", *dir_ + "/then.csv", revision),
            Output("vkm-2020-nl-annex2.csv"));
  EXPECT_EQ(generate("markdown", *dir_ + "/then.md", revision), markdown);
  EXPECT_EQ(generate("pdf", *dir_ + "/then.pdf", revision),
            Output("vkm-2020-nl.pdf"));
}

// A registry of 1,000 synthetic missions: the HTML and JSON exceed one
// gRPC message (4 MiB) and arrive in chunks, whole.
TEST(EndToEndLargeTest, DocumentsLargerThanOneMessageAreStreamed) {
  const std::string dir = MakeTempDir();
  const std::string data = dir + "/synthetic.yaml";
  ASSERT_EQ(RunCommand({kSyntheticRegistry, "--missions=1000", "--output=" + data},
                       dir)
                .exit_code,
            0);
  auto registry = ChildProcess::Start(
      {kRegistryServer, "--insecure", "--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0", "--drain=0s",
       absl::StrCat("--storage=sqlite:", dir, "/registry.db")},
      dir + "/registry-server.log");
  ASSERT_TRUE(registry.ok()) << registry.status();
  auto registry_port = (*registry)->WaitForPort();
  ASSERT_TRUE(registry_port.ok()) << registry_port.status();
  const std::string registry_address = absl::StrCat("127.0.0.1:", *registry_port);
  const CommandResult imported = RunCommand(
      {kRegistryctl, "--plaintext", "import", data, "--server=" + registry_address}, dir);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  auto report = ChildProcess::Start(
      {kReportServer, "--insecure", "--registry_plaintext", "--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0", "--drain=0s", "--registry=" + registry_address},
      dir + "/report-server.log");
  ASSERT_TRUE(report.ok()) << report.status();
  auto report_port = (*report)->WaitForPort();
  ASSERT_TRUE(report_port.ok()) << report_port.status();
  const CommandResult generated = RunCommand(
      {kReportctl, "--plaintext", "generate", "--year=2020", "--format=html,json",
       "--language=en", "--output=" + dir,
       absl::StrCat("--server=127.0.0.1:", *report_port)},
      dir);
  ASSERT_EQ(generated.exit_code, 0) << generated.err;
  const std::string html = ReadFileOrEmpty(dir + "/vkm-2020-en.html");
  EXPECT_GT(html.size(), size_t{4} << 20);
  EXPECT_TRUE(absl::EndsWith(html, "</html>\n"));
  EXPECT_EQ(RunCommand({kXmllint, "--noout", dir + "/vkm-2020-en.html"}, dir)
                .exit_code,
            0);
  absl::StatusOr<JsonValue> json = ParseJson(ReadFileOrEmpty(dir + "/vkm-2020-en.json"));
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(json->Find("annex2")->Find("rows")->array.size(), 990u);
  report->reset();
  registry->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace missions::testing
