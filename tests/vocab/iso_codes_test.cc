#include "vocab/iso_codes.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "support/test_support.h"
#include "vocab/vocabulary.h"

namespace meabridge::vocab {
namespace {

using meabridge::testing::TempDir;
using meabridge::testing::WriteFile;

// Writes a .mo file: header, table of originals, table of translations, then the strings.
std::string MakeMo(const std::vector<std::pair<std::string, std::string>>& entries,
                   bool big_endian = false, uint32_t revision = 0) {
  std::string out;
  auto put = [&](uint32_t w) {
    for (int i = 0; i < 4; ++i) {
      int shift = big_endian ? 24 - 8 * i : 8 * i;
      out += static_cast<char>((w >> shift) & 0xFF);
    }
  };
  const auto n = static_cast<uint32_t>(entries.size());
  const uint32_t originals = 28, translations = originals + 8 * n;
  uint32_t strings = translations + 8 * n;
  put(0x950412de);
  put(revision);
  put(n);
  put(originals);
  put(translations);
  put(0);
  put(0);
  std::string blob;
  std::vector<std::pair<uint32_t, uint32_t>> orig_at, tr_at;
  for (const auto& [id, tr] : entries) {
    orig_at.emplace_back(static_cast<uint32_t>(id.size()),
                         strings + static_cast<uint32_t>(blob.size()));
    blob += id;
    blob += '\0';
  }
  for (const auto& [id, tr] : entries) {
    tr_at.emplace_back(static_cast<uint32_t>(tr.size()),
                       strings + static_cast<uint32_t>(blob.size()));
    blob += tr;
    blob += '\0';
  }
  for (const auto& [len, off] : orig_at) {
    put(len);
    put(off);
  }
  for (const auto& [len, off] : tr_at) {
    put(len);
    put(off);
  }
  return out + blob;
}

const std::vector<std::pair<std::string, std::string>> kEntries = {
    {"", "Content-Type: text/plain; charset=UTF-8\n"},
    {"Germany", "Allemagne"},
    {"Untranslated", ""},
    {std::string("Island\0Islands", 14), std::string("\xC3\x8Ele\0\xC3\x8Eles", 10)},
    {"C\xC3\xB4te d'Ivoire", "C\xC3\xB4te d'Ivoire"},
};

TEST(MoCatalogueTest, ReadsBothByteOrders) {
  for (bool big_endian : {false, true}) {
    Result<MoCatalogue> cat = MoCatalogue::Parse(MakeMo(kEntries, big_endian), "test.mo");
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    ASSERT_NE(cat->Translate("Germany"), nullptr);
    EXPECT_EQ(*cat->Translate("Germany"), "Allemagne");
    EXPECT_EQ(cat->Translate("Untranslated"), nullptr);  // empty translation: none
    EXPECT_EQ(cat->Translate(""), nullptr);              // the header is not a message
    ASSERT_NE(cat->Translate("Island"), nullptr);        // plural: the singular forms
    EXPECT_EQ(*cat->Translate("Island"), "\xC3\x8Ele");
    EXPECT_EQ(cat->Translate("France"), nullptr);
    EXPECT_EQ(cat->size(), 3u);
  }
}

TEST(MoCatalogueTest, EveryTruncationIsAnErrorNotACrash) {
  const std::string mo = MakeMo(kEntries);
  for (size_t len = 0; len < mo.size(); ++len) {
    Result<MoCatalogue> cat = MoCatalogue::Parse(std::string_view(mo).substr(0, len), "cut.mo");
    EXPECT_FALSE(cat.ok()) << "truncated to " << len << " bytes";
    if (!cat.ok()) {
      EXPECT_NE(cat.status().message().find("cut.mo"), std::string::npos);
    }
  }
}

TEST(MoCatalogueTest, RejectsMalformedHeadersAndTables) {
  std::string mo = MakeMo(kEntries);
  auto with_word = [&](size_t at, uint32_t w) {
    std::string copy = mo;
    for (int i = 0; i < 4; ++i)
      copy[at + static_cast<size_t>(i)] = static_cast<char>((w >> (8 * i)) & 0xFF);
    return copy;
  };
  struct Case {
    const char* what;
    std::string data;
    const char* message;
  };
  const Case cases[] = {
      {"bad magic", with_word(0, 0x12345678), "bad magic"},
      {"text file", std::string("msgid \"Germany\"\nmsgstr \"Allemagne\"\n"), "bad magic"},
      {"revision 2", with_word(4, 2u << 16), "revision"},
      {"huge count", with_word(8, 0xFFFFFFFF), "runs past the end"},
      {"originals table past the end", with_word(12, 0xFFFFFFF0), "runs past the end"},
      {"translations table past the end", with_word(16, static_cast<uint32_t>(mo.size())),
       "runs past the end"},
      {"string length past the end", with_word(28 + 8, 0xFFFFFFFF), "runs past the end"},
      {"string offset past the end", with_word(28 + 12, 0xFFFFFFF0), "runs past the end"},
  };
  for (const Case& c : cases) {
    Result<MoCatalogue> cat = MoCatalogue::Parse(c.data, "bad.mo");
    ASSERT_FALSE(cat.ok()) << c.what;
    EXPECT_NE(cat.status().message().find(c.message), std::string::npos)
        << c.what << ": " << cat.status().message();
    EXPECT_EQ(cat.status().message().rfind("bad.mo", 0), 0u) << cat.status().message();
  }
}

TEST(MoCatalogueTest, RejectsATranslationThatIsNotUtf8) {
  Result<MoCatalogue> cat = MoCatalogue::Parse(MakeMo({{"Germany", "Allemagne\xFF"}}), "x.mo");
  ASSERT_FALSE(cat.ok());
  EXPECT_NE(cat.status().message().find("not UTF-8"), std::string::npos);
}

TEST(MoCatalogueTest, RandomBytesNeverCrash) {
  std::mt19937 rng(20240611);
  const std::string valid = MakeMo(kEntries);
  for (int i = 0; i < 3000; ++i) {
    std::string data = valid;
    // Flip a few bytes of a valid file, so the parse gets past the magic number.
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) data[rng() % data.size()] = static_cast<char>(rng() & 0xFF);
    Result<MoCatalogue> cat = MoCatalogue::Parse(data, "random.mo");
    if (cat.ok()) (void)cat->Translate("Germany");
  }
}

TEST(MoCatalogueTest, ReadFileMissingIsNotFound) {
  TempDir dir;
  Result<MoCatalogue> cat = MoCatalogue::ReadFile(dir.File("absent.mo"));
  ASSERT_FALSE(cat.ok());
  EXPECT_TRUE(cat.status().IsNotFound());
  EXPECT_NE(cat.status().message().find("absent.mo"), std::string::npos);
}

TEST(MoCatalogueTest, ReadsTheInstalledFrenchCatalogue) {
  const std::string path = "/usr/share/locale/fr/LC_MESSAGES/iso_3166-1.mo";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " absent";
  Result<MoCatalogue> cat = MoCatalogue::ReadFile(path);
  ASSERT_TRUE(cat.ok()) << cat.status().ToString();
  ASSERT_NE(cat->Translate("Germany"), nullptr);
  EXPECT_EQ(*cat->Translate("Germany"), "Allemagne");
}

TEST(IsoTableTest, MissingFileSaysWhatToInstall) {
  TempDir dir;
  Result<std::vector<IsoEntry>> table = ReadIsoTable(dir.path(), "3166-1");
  ASSERT_FALSE(table.ok());
  EXPECT_TRUE(table.status().IsNotFound());
  const std::string& m = table.status().message();
  EXPECT_NE(m.find(dir.path() + "/json/iso_3166-1.json"), std::string::npos) << m;
  EXPECT_NE(m.find("apt-get install iso-codes"), std::string::npos) << m;
}

TEST(IsoTableTest, MalformedTablesAreParseErrorsNamingTheFile) {
  TempDir dir;
  std::filesystem::create_directories(dir.File("json"));
  const std::string path = dir.File("json/iso_3166-1.json");
  struct Case {
    const char* json;
    const char* message;
  };
  const Case cases[] = {
      {"{\"3166-1\": [", "JSON parse error at line 1"},
      {"{\"countries\": []}", "expected a top-level object"},
      {"{\"3166-1\": [42]}", "entry 0 is not an object"},
      {"{\"3166-1\": [{\"alpha_2\": \"FR\"}]}", "entry 0 has no \"name\""},
      {"{\"3166-1\": [{\"alpha_2\": 250, \"name\": \"France\"}]}", "\"alpha_2\" is not a string"},
  };
  for (const Case& c : cases) {
    WriteFile(path, c.json);
    Result<std::vector<IsoEntry>> table = ReadIsoTable(dir.path(), "3166-1");
    ASSERT_FALSE(table.ok()) << c.json;
    EXPECT_NE(table.status().message().find(path), std::string::npos) << table.status().message();
    EXPECT_NE(table.status().message().find(c.message), std::string::npos)
        << table.status().message();
  }
}

TEST(IsoTableTest, ReadsFields) {
  TempDir dir;
  std::filesystem::create_directories(dir.File("json"));
  WriteFile(dir.File("json/iso_639-2.json"),
            R"js({"639-2": [{"alpha_2": "fr", "alpha_3": "fra", "bibliographic": "fre",
                "name": "French"}, {"alpha_3": "fro", "name": "French, Old (842-ca. 1400)"}]})js");
  Result<std::vector<IsoEntry>> table = ReadIsoTable(dir.path(), "639-2");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  ASSERT_EQ(table->size(), 2u);
  EXPECT_EQ((*table)[0].alpha_2, "fr");
  EXPECT_EQ((*table)[0].bibliographic, "fre");
  EXPECT_EQ((*table)[1].alpha_2, "");
}

TEST(VocabulariesLoadTest, MissingIsoCodesGivesAClearError) {
  TempDir dir;
  LoadOptions options;
  options.iso_codes_dir = dir.File("no-such-dir");
  options.locale_dir = dir.File("no-locale");
  Result<std::unique_ptr<Vocabularies>> v = Vocabularies::Load(options);
  ASSERT_FALSE(v.ok());
  const std::string& m = v.status().message();
  EXPECT_NE(m.find(options.iso_codes_dir + "/json/iso_3166-1.json"), std::string::npos) << m;
  EXPECT_NE(m.find("apt-get install iso-codes"), std::string::npos) << m;
}

// A minimal iso-codes tree, so that load behaviour is exact whatever is installed.
void WriteTinyIsoCodes(const std::string& root) {
  std::filesystem::create_directories(root + "/json");
  WriteFile(root + "/json/iso_3166-1.json",
            R"js({"3166-1": [
                {"alpha_2": "FR", "alpha_3": "FRA", "numeric": "250", "name": "France",
                 "official_name": "French Republic"},
                {"alpha_2": "DE", "alpha_3": "DEU", "numeric": "276", "name": "Germany"}]})js");
  WriteFile(root + "/json/iso_3166-3.json",
            R"js({"3166-3": [{"alpha_2": "DD", "alpha_3": "DDR", "alpha_4": "DDDE",
                 "numeric": "278", "name": "German Democratic Republic"}]})js");
  WriteFile(root + "/json/iso_639-2.json",
            R"js({"639-2": [{"alpha_2": "fr", "alpha_3": "fra", "bibliographic": "fre",
                "name": "French"}]})js");
}

TEST(VocabulariesLoadTest, MissingCataloguesOnlyLeaveLabelsOut) {
  TempDir dir;
  WriteTinyIsoCodes(dir.path());
  std::filesystem::create_directories(dir.File("locale/fr/LC_MESSAGES"));
  WriteFile(dir.File("locale/fr/LC_MESSAGES/iso_3166-1.mo"), MakeMo({{"Germany", "Allemagne"}}));
  LoadOptions options{dir.path(), dir.File("locale")};
  Result<std::unique_ptr<Vocabularies>> v = Vocabularies::Load(options);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  const Vocabulary* countries = (*v)->Find("countries");
  ASSERT_NE(countries, nullptr);
  const Term* de = countries->FindCode("DE");
  ASSERT_NE(de, nullptr);
  EXPECT_EQ(de->labels, (std::vector<std::pair<std::string, std::string>>{{"fr", "Allemagne"}}));
  EXPECT_EQ(countries->Lookup("Allemagne"), de);
  EXPECT_TRUE(countries->FindCode("FR")->labels.empty());
  EXPECT_EQ(countries->Lookup("DDR")->code, "DDDE");
  EXPECT_EQ(countries->Lookup("EUU")->code, "EU");
}

TEST(VocabulariesLoadTest, CorruptCatalogueFailsNamingIt) {
  TempDir dir;
  WriteTinyIsoCodes(dir.path());
  std::filesystem::create_directories(dir.File("locale/ru/LC_MESSAGES"));
  std::string mo = MakeMo({{"Germany", "Germaniya"}});
  WriteFile(dir.File("locale/ru/LC_MESSAGES/iso_3166-1.mo"), mo.substr(0, mo.size() - 5));
  Result<std::unique_ptr<Vocabularies>> v =
      Vocabularies::Load(LoadOptions{dir.path(), dir.File("locale")});
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find(dir.File("locale/ru/LC_MESSAGES/iso_3166-1.mo")),
            std::string::npos)
      << v.status().message();
}

}  // namespace
}  // namespace meabridge::vocab
