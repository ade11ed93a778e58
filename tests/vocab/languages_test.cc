#include <gtest/gtest.h>

#include <string>

#include "system_vocabularies.h"
#include "vocab/vocabulary.h"

namespace meabridge::vocab {
namespace {

using testing::kMiss;
using testing::Resolve;
using testing::Vocab;

struct Case {
  const char* input;
  const char* code;
};

TEST(LanguagesTest, CodesNamesAndTags) {
  const Case cases[] = {
      // ISO 639-1, any case
      {"en", "en"},
      {"EN", "en"},
      {"fr", "fr"},
      {" es ", "es"},
      {"ar", "ar"},
      {"ru", "ru"},
      {"zh", "zh"},
      // ISO 639-2, terminologic and bibliographic
      {"fra", "fr"},
      {"fre", "fr"},
      {"FRA", "fr"},
      {"deu", "de"},
      {"ger", "de"},
      {"zho", "zh"},
      {"chi", "zh"},
      {"eng", "en"},
      {"spa", "es"},
      {"ara", "ar"},
      {"rus", "ru"},
      // English names
      {"French", "fr"},
      {"french", "fr"},
      {"FRENCH", "fr"},
      {"Spanish", "es"},
      {"Castilian", "es"},
      {"Chinese", "zh"},
      {"Arabic", "ar"},
      {"Russian", "ru"},
      {"English", "en"},
      {"Dutch", "nl"},
      {"Flemish", "nl"},
      {"Greek", "el"},
      {"Greek, Modern (1453-)", "el"},
      // BCP 47 and POSIX locales
      {"en-GB", "en"},
      {"en_US", "en"},
      {"pt_BR", "pt"},
      {"pt-BR", "pt"},
      {"fr-CA", "fr"},
      {"fr_CA.UTF-8", "fr"},
      {"sr-Latn-RS", "sr"},
      // Chinese keeps its script
      {"zh-hans", "zh-hans"},
      {"zh-Hans", "zh-hans"},
      {"ZH-HANS", "zh-hans"},
      {"zh-CN", "zh-hans"},
      {"zh_CN", "zh-hans"},
      {"zh-SG", "zh-hans"},
      {"zh-Hans-HK", "zh-hans"},
      {"zh-hant", "zh-hant"},
      {"zh-Hant", "zh-hant"},
      {"zh-TW", "zh-hant"},
      {"zh-HK", "zh-hant"},
      {"zh-Hant-TW", "zh-hant"},
      {"zh_TW.UTF-8", "zh-hant"},
      {"zh-yue", "zh"},
      {"Chinese (Simplified)", "zh-hans"},
      {"Simplified Chinese", "zh-hans"},
      {"Traditional Chinese", "zh-hant"},
      // misses: never a default
      {"", kMiss},
      {"xx", kMiss},
      {"xxx", kMiss},
      {"fro", kMiss},
      {"Old French", kMiss},
      {"Klingon", kMiss},
      {"Ndebele", kMiss},
      {"en-", kMiss},
      {"-GB", kMiss},
      {"xx-GB", kMiss},
      {"en-GB-toolongsubtag", kMiss},
      {"english language", kMiss},
      {"e", kMiss},
      {"1", kMiss},
  };
  for (const Case& c : cases) EXPECT_EQ(Resolve(Vocab("languages"), c.input), c.code) << c.input;
}

TEST(LanguagesTest, TermsAreIso6391PlusChineseScripts) {
  const Vocabulary& v = Vocab("languages");
  for (const Term& t : v.terms()) {
    EXPECT_TRUE(t.code.size() == 2 || t.code == "zh-hans" || t.code == "zh-hant") << t.code;
    EXPECT_EQ(v.Lookup(t.code), &t) << t.code;
    EXPECT_EQ(Resolve(v, t.label), t.code) << t.label;
  }
  EXPECT_GT(v.terms().size(), 180u);
  ASSERT_NE(v.FindCode("es"), nullptr);
  EXPECT_EQ(v.FindCode("es")->label, "Spanish");
  EXPECT_EQ(v.FindCode("ES"), nullptr);
}

}  // namespace
}  // namespace meabridge::vocab
