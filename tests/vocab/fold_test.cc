#include "vocab/fold.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace meabridge::vocab {
namespace {

struct FoldCase {
  const char* input;
  const char* key;
};

class FoldTest : public ::testing::TestWithParam<FoldCase> {};

TEST_P(FoldTest, Folds) {
  const FoldCase& c = GetParam();
  EXPECT_EQ(FoldName(c.input), c.key) << "input: " << c.input;
  FoldBuffer buffer;
  EXPECT_EQ(FoldName(c.input, buffer), c.key) << "input: " << c.input;
}

INSTANTIATE_TEST_SUITE_P(
    Names, FoldTest,
    ::testing::Values(
        // case, spaces
        FoldCase{"France", "france"}, FoldCase{"  FRANCE\t", "france"},
        FoldCase{"United   States", "united states"},
        FoldCase{"United\xC2\xA0States", "united states"},      // NBSP
        FoldCase{"United\xE2\x80\x83States", "united states"},  // em space
        // diacritics: Latin-1 Supplement, Latin Extended-A, combining marks
        FoldCase{"C\xC3\xB4te d'Ivoire", "cote divoire"}, FoldCase{"T\xC3\xBCrkiye", "turkiye"},
        FoldCase{"S\xC3\xA3o Tom\xC3\xA9 & Pr\xC3\xADncipe", "sao tome principe"},
        FoldCase{"Cura\xC3\xA7"
                 "ao",
                 "curacao"},
        FoldCase{"\xC3\x85land Islands", "aland islands"}, FoldCase{"R\xC3\xA9union", "reunion"},
        FoldCase{"Stra\xC3\x9F"
                 "e",
                 "strasse"},
        FoldCase{"\xC5\x81\xC3\xB3"
                 "d\xC5\xBA",
                 "lodz"},                    // Łódź
        FoldCase{"\xC5\x92uvre", "oeuvre"},  // Œ
        FoldCase{"Bra\xC8\x99ov Constan\xC8\x9B"
                 "a",
                 "brasov constanta"},      // ș ț
        FoldCase{"Co\xCC\x82te", "cote"},  // o + combining ^
        // apostrophes and dashes
        FoldCase{"C\xC3\xB4te d\xE2\x80\x99Ivoire", "cote divoire"},  // ’
        FoldCase{"C\xC3\xB4te d\xE2\x80\x98Ivoire", "cote divoire"},  // ‘
        FoldCase{"C\xC3\xB4te d\xCA\xBCIvoire", "cote divoire"},      // ʼ
        FoldCase{"Cote d`Ivoire", "cote divoire"}, FoldCase{"Guinea-Bissau", "guinea bissau"},
        FoldCase{"Guinea\xE2\x80\x93"
                 "Bissau",
                 "guinea bissau"},                          // en dash
        FoldCase{"Timor\xE2\x80\x94Leste", "timor leste"},  // em dash
        // stop words, "&", "St."
        FoldCase{"The Gambia", "gambia"}, FoldCase{"Antigua & Barbuda", "antigua barbuda"},
        FoldCase{"Antigua and Barbuda", "antigua barbuda"},
        FoldCase{"St. Kitts & Nevis", "saint kitts nevis"}, FoldCase{"St.Lucia", "saint lucia"},
        FoldCase{"Saint Lucia", "saint lucia"}, FoldCase{"Korea, Rep.", "korea republic"},
        FoldCase{"Congo, Dem. Rep.", "congo democratic republic"},
        FoldCase{"Netherlands (Kingdom of the)", "netherlands kingdom"},
        // initialisms
        FoldCase{"U.S.A.", "usa"}, FoldCase{"U.K.", "uk"}, FoldCase{"D.R. Congo", "dr congo"},
        FoldCase{"Virgin Islands, U.S.", "virgin islands us"},
        // footnote marks and trailing superscripts
        FoldCase{"France 1/", "france"}, FoldCase{"Germany*", "germany"},
        FoldCase{"Italy\xC2\xB2", "italy"}, FoldCase{"Spain [3]", "spain"},
        FoldCase{"Chile 4", "chile"}, FoldCase{"Denmark\xE2\x80\xA0", "denmark"},
        FoldCase{"Norway\xE2\x80\xA1", "norway"}, FoldCase{"Peru\xC2\xA7", "peru"},
        FoldCase{"Japan\xE2\x81\xB4", "japan"},  // superscript 4
        FoldCase{"France1", "france"}, FoldCase{"France 1, 2", "france"},
        FoldCase{"Bolivia (Plurinational State of)5", "bolivia plurinational state"},
        // other scripts pass through; Cyrillic and Greek capitals are lower-cased
        FoldCase{"\xD0\xA4\xD1\x80\xD0\xB0\xD0\xBD\xD1\x86\xD0\xB8\xD1\x8F",   // Франция
                 "\xD1\x84\xD1\x80\xD0\xB0\xD0\xBD\xD1\x86\xD0\xB8\xD1\x8F"},  // франция
        FoldCase{"\xE6\xB3\x95\xE5\x9B\xBD", "\xE6\xB3\x95\xE5\x9B\xBD"},      // 法国
        FoldCase{"\xEF\xBC\xA6rance", "france"},                               // full-width F
        // nothing left
        FoldCase{"", ""}, FoldCase{"   ", ""}, FoldCase{"the", ""}, FoldCase{"1/", ""},
        FoldCase{"***", ""}, FoldCase{"250", ""}));

TEST(FoldTest, MalformedUtf8IsAMiss) {
  EXPECT_EQ(FoldName("C\xF4te d'Ivoire"), "");  // Latin-1, not UTF-8
  EXPECT_EQ(FoldName("France\xC3"), "");        // truncated sequence
  EXPECT_EQ(FoldName("\xC0\xAF"), "");          // overlong
  EXPECT_EQ(FoldName("\xED\xA0\x80"), "");      // surrogate
}

TEST(FoldTest, OverlongKeyIsAMiss) {
  std::string long_name(kMaxFoldedKey + 10, 'a');
  EXPECT_EQ(FoldName(long_name), "");
  std::string just_fits(kMaxFoldedKey, 'a');
  EXPECT_EQ(FoldName(just_fits), just_fits);
}

TEST(NameVariantsTest, GeneratesInvertedAndShortForms) {
  using V = std::vector<std::string>;
  EXPECT_EQ(NameVariants("Korea, Republic of", false), (V{"Republic of Korea", "Korea"}));
  EXPECT_EQ(NameVariants("Holy See (Vatican City State)", false), (V{"Holy See"}));
  EXPECT_EQ(NameVariants("Cocos (Keeling) Islands", false), (V{"Cocos Islands"}));
  EXPECT_EQ(NameVariants("Kingdom of the Netherlands", true), (V{"the Netherlands, Kingdom of"}));
  EXPECT_EQ(FoldName("the Netherlands, Kingdom of"), FoldName("Netherlands (Kingdom of the)"));
  EXPECT_EQ(NameVariants("Kingdom of the Netherlands", false), V{});
  EXPECT_EQ(NameVariants("Yugoslavia, (Socialist) Federal Republic of", false),
            (V{"Yugoslavia, Federal Republic of", "(Socialist) Federal Republic of Yugoslavia",
               "Yugoslavia", "Federal Republic of Yugoslavia", "Yugoslavia"}));
  EXPECT_EQ(NameVariants("France", true), V{});
}

}  // namespace
}  // namespace meabridge::vocab
