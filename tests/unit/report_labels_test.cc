#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "report-service/report/labels.h"
#include "tests/unit/report_test_data.h"

namespace missions::report {
namespace {

using ::registry::v1::EndDate;
using test_data::ParseText;

TEST(ParseLanguageTest, DutchIsTheDefault) {
  EXPECT_EQ(ParseLanguage("").value(), Language::kDutch);
  EXPECT_EQ(ParseLanguage("nl").value(), Language::kDutch);
  EXPECT_EQ(ParseLanguage("NL").value(), Language::kDutch);
  EXPECT_EQ(ParseLanguage("en").value(), Language::kEnglish);
}

TEST(ParseLanguageTest, RejectsOtherLanguages) {
  for (const char* code : {"fr", "nl-BE", "english", " nl"}) {
    const absl::StatusOr<Language> language = ParseLanguage(code);
    EXPECT_EQ(language.status().code(), absl::StatusCode::kInvalidArgument)
        << code;
  }
}

TEST(LanguageCodeTest, RoundTrips) {
  EXPECT_EQ(LanguageCode(Language::kDutch), "nl");
  EXPECT_EQ(LanguageCode(Language::kEnglish), "en");
}

google::protobuf::Map<std::string, std::string> Texts(
    const std::vector<std::pair<std::string, std::string>>& entries) {
  google::protobuf::Map<std::string, std::string> texts;
  for (const auto& [language, text] : entries) texts[language] = text;
  return texts;
}

TEST(PickTextTest, PrefersTheRequestedLanguage) {
  const auto texts = Texts({{"nl", "Europa"}, {"en", "Europe"}});
  EXPECT_EQ(PickText(texts, Language::kEnglish)->text, "Europe");
  EXPECT_EQ(PickText(texts, Language::kDutch)->text, "Europa");
}

TEST(PickTextTest, FallsBackToDutchThenToAnyLanguage) {
  const auto dutch_and_french =
      Texts({{"fr", "Europe (fr)"}, {"nl", "Europa"}});
  const std::optional<PickedText> picked =
      PickText(dutch_and_french, Language::kEnglish);
  ASSERT_TRUE(picked.has_value());
  EXPECT_EQ(picked->text, "Europa");
  EXPECT_EQ(picked->language, "nl");

  // Without Dutch: the first language in alphabetical order.
  const auto others = Texts({{"fr", "Europe (fr)"}, {"de", "Europa (de)"}});
  EXPECT_EQ(PickText(others, Language::kEnglish)->language, "de");

  const auto english_only = Texts({{"en", "Chief of Case Monitoring Unit"}});
  EXPECT_EQ(PickText(english_only, Language::kDutch)->text,
            "Chief of Case Monitoring Unit");
}

TEST(PickTextTest, IgnoresEmptyTextsAndMatchesRegionalTags) {
  const auto texts = Texts({{"en", ""}, {"nl-BE", "Europa"}});
  const std::optional<PickedText> picked = PickText(texts, Language::kEnglish);
  ASSERT_TRUE(picked.has_value());
  EXPECT_EQ(picked->text, "Europa");
  EXPECT_FALSE(PickText(Texts({}), Language::kDutch).has_value());
  EXPECT_EQ(PickTextOrEmpty(Texts({{"nl", ""}}), Language::kDutch), "");
}

TEST(PickLanguageIndexTest, UsesCandidateOrderAsLastResort) {
  EXPECT_EQ(PickLanguageIndex({}, Language::kDutch), -1);
  EXPECT_EQ(PickLanguageIndex({"nl", "en"}, Language::kEnglish), 1);
  EXPECT_EQ(PickLanguageIndex({"en", "nl"}, Language::kDutch), 1);
  EXPECT_EQ(PickLanguageIndex({"fr", "en"}, Language::kDutch), 0);
  EXPECT_EQ(PickLanguageIndex({"fr", "nl"}, Language::kEnglish), 1);
}

TEST(LanguageNoteTest, NamesTheLanguageOfAForeignText) {
  EXPECT_EQ(LanguageNote("nl", Language::kEnglish), "(text in Dutch)");
  EXPECT_EQ(LanguageNote("en", Language::kDutch), "(Engelstalige tekst)");
  EXPECT_EQ(LanguageNote("fr", Language::kDutch), "(Franstalige tekst)");
  EXPECT_EQ(LanguageNote("nl", Language::kDutch), "");
  EXPECT_EQ(LanguageNote("en-GB", Language::kEnglish), "");
  EXPECT_EQ(LanguageNote("", Language::kEnglish), "");
}

TEST(FormatEndDateTest, DateInWordsOrIso) {
  const auto end =
      ParseText<EndDate>("kind: DATE date { year: 2021 month: 6 day: 14 }");
  EXPECT_EQ(FormatEndDate(end, Language::kDutch, DateStyle::kLong),
            "14 juni 2021");
  EXPECT_EQ(FormatEndDate(end, Language::kEnglish, DateStyle::kLong),
            "14 June 2021");
  EXPECT_EQ(FormatEndDate(end, Language::kDutch, DateStyle::kIso),
            "2021-06-14");
}

TEST(FormatEndDateTest, IndefiniteAndPerActivityInWords) {
  const auto indefinite = ParseText<EndDate>("kind: INDEFINITE");
  const auto per_activity = ParseText<EndDate>("kind: PER_ACTIVITY");
  EXPECT_EQ(FormatEndDate(indefinite, Language::kDutch, DateStyle::kIso),
            "Onbepaald");
  EXPECT_EQ(FormatEndDate(indefinite, Language::kEnglish, DateStyle::kLong),
            "Indefinite");
  EXPECT_EQ(FormatEndDate(per_activity, Language::kDutch, DateStyle::kLong),
            "Per activiteit bepaald");
  EXPECT_EQ(FormatEndDate(per_activity, Language::kEnglish, DateStyle::kIso),
            "Decided per activity");
}

TEST(FormatEndDateTest, QualifierFollowsInParentheses) {
  const auto end = ParseText<EndDate>(R"pb(
    kind: DATE
    date { year: 2021 month: 6 day: 14 }
    qualifier { key: "nl" value: "EU-mandaat, afgeleid van VNVR 1244" }
  )pb");
  EXPECT_EQ(FormatEndDate(end, Language::kDutch, DateStyle::kLong),
            "14 juni 2021 (EU-mandaat, afgeleid van VNVR 1244)");
  EXPECT_EQ(FormatEndDate(end, Language::kDutch, DateStyle::kIso),
            "2021-06-14 (EU-mandaat, afgeleid van VNVR 1244)");
  // No English qualifier: the Dutch one is used.
  EXPECT_EQ(FormatEndDate(end, Language::kEnglish, DateStyle::kLong),
            "14 June 2021 (EU-mandaat, afgeleid van VNVR 1244)");
}

TEST(FormatEndDateTest, UnspecifiedIsEmpty) {
  EXPECT_EQ(FormatEndDate(EndDate(), Language::kDutch, DateStyle::kLong), "");
}

TEST(HeadlineSentenceTest, The2020Headline) {
  EXPECT_EQ(HeadlineSentence(2020, 1847, 41, 20, Language::kDutch),
            "In totaal zijn in 2020 circa 1847 Nederlandse militairen en 41 "
            "civiele experts en politiefunctionarissen ingezet in ongeveer 20 "
            "missies en operaties.");
  EXPECT_EQ(HeadlineSentence(2020, 1847, 41, 20, Language::kEnglish),
            "In 2020, a total of approximately 1847 Dutch military personnel "
            "and 41 civilian experts and police officers were deployed in "
            "some 20 missions and operations.");
}

TEST(FormatMoneyTest, MillionsAndPlainAmounts) {
  const auto money = [](int64_t units, int32_t nanos = 0) {
    google::type::Money m;
    m.set_currency_code("EUR");
    m.set_units(units);
    m.set_nanos(nanos);
    return m;
  };
  EXPECT_EQ(FormatMoney(money(3500000), Language::kDutch), "3,5 miljoen euro");
  EXPECT_EQ(FormatMoney(money(3500000), Language::kEnglish), "EUR 3.5 million");
  EXPECT_EQ(FormatMoney(money(4000000), Language::kDutch), "4 miljoen euro");
  EXPECT_EQ(FormatMoney(money(1250000), Language::kDutch), "1,25 miljoen euro");
  EXPECT_EQ(FormatMoney(money(250000), Language::kDutch), "250.000 euro");
  EXPECT_EQ(FormatMoney(money(250000), Language::kEnglish), "EUR 250,000");
  EXPECT_EQ(FormatMoney(money(1234567, 500000000), Language::kDutch),
            "1.234.567,50 euro");
  google::type::Money dollars = money(2000000);
  dollars.set_currency_code("USD");
  EXPECT_EQ(FormatMoney(dollars, Language::kDutch), "2 miljoen USD");
}

TEST(PostingLineTest, FunctionPlaceCountAndPeriod) {
  const auto posting = ParseText<::registry::v1::Posting>(R"pb(
    function { key: "en" value: "Liaison officer" }
    function { key: "nl" value: "Liaisonofficier" }
    place: "Golan"
    category: PERSONNEL_CATEGORY_MILITARY
    count: 2
    period { key: "nl" value: "tot de zomer" }
  )pb");
  EXPECT_EQ(PostingLine(posting, Language::kDutch),
            "Liaisonofficier (Golan): 2 militairen, tot de zomer");
  EXPECT_EQ(PostingLine(posting, Language::kEnglish),
            "Liaison officer (Golan): 2 service members, tot de zomer");
}

TEST(FinancialContributionLineTest, AnnualAndOneOff) {
  const auto annual = ParseText<::registry::v1::FinancialContribution>(R"pb(
    amount { currency_code: "EUR" units: 3500000 }
    annual: true
    first_year: 2007
    last_year: 2021
    purpose { key: "nl" value: "Bijdrage aan GPOI" }
  )pb");
  EXPECT_EQ(FinancialContributionLine(annual, Language::kDutch),
            "Bijdrage aan GPOI: 3,5 miljoen euro per jaar (2007 tot en met "
            "2021)");
  EXPECT_EQ(FinancialContributionLine(annual, Language::kEnglish),
            "Bijdrage aan GPOI: EUR 3.5 million a year (2007 to 2021)");
  const auto open_ended = ParseText<::registry::v1::FinancialContribution>(R"pb(
    amount { currency_code: "EUR" units: 4000000 }
    first_year: 2020
  )pb");
  EXPECT_EQ(FinancialContributionLine(open_ended, Language::kDutch),
            "Financiële bijdrage: 4 miljoen euro (vanaf 2020)");
}

TEST(PoolNotesTest, NameTheOtherMembers) {
  EXPECT_EQ(PoolOtherMemberNote("EUCAP Sahel Mali", Language::kDutch),
            "mandaat gedeeld met EUCAP Sahel Mali");
  EXPECT_EQ(PoolOtherMemberNote("EUCAP Sahel Mali", Language::kEnglish),
            "cap shared with EUCAP Sahel Mali");
  EXPECT_EQ(PoolFirstMemberNote({"B", "C"}, "Pool", Language::kDutch),
            "mandaat gedeeld met B en C");
  EXPECT_EQ(
      PoolFirstMemberNote({}, "EUCAP Sahel Mali en Niger", Language::kDutch),
      "gedeeld mandaat: EUCAP Sahel Mali en Niger");
}

TEST(LabelTest, EveryLabelHasBothLanguages) {
  for (int id = static_cast<int>(LabelId::kTableOfContents);
       id <= static_cast<int>(LabelId::kPerActivity); ++id) {
    EXPECT_FALSE(Label(static_cast<LabelId>(id), Language::kDutch).empty())
        << id;
    EXPECT_FALSE(Label(static_cast<LabelId>(id), Language::kEnglish).empty())
        << id;
  }
  EXPECT_EQ(Label(LabelId::kTotal, Language::kDutch), "Totaal");
  EXPECT_EQ(Label(LabelId::kTotal, Language::kEnglish), "Total");
}

}  // namespace
}  // namespace missions::report
