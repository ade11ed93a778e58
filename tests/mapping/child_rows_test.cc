// Database rows with child rows (sql <child> queries): NAME/* and NAME/*/COLUMN paths,
// multilingual fields from (language, text) rows, string lists and item lists from rows, a
// text's language from a column, und/zxx with and without a default language.
#include <gtest/gtest.h>

#include "mapping_test_util.h"

namespace meabridge::mapping {
namespace {

using testing::LoadMapping;

std::shared_ptr<const Mapping> MustLoad(const std::string& text) {
  auto m = LoadMapping(text);
  EXPECT_TRUE(m.ok()) << m.status().message();
  return m.ok() ? *m : nullptr;
}

ChildRows Child(std::string name, std::vector<std::string> columns,
                std::vector<std::vector<std::optional<std::string>>> rows) {
  ChildRows c;
  c.name = std::move(name);
  c.columns = std::move(columns);
  for (auto& r : rows) {
    for (auto& cell : r) c.cells.push_back(std::move(cell));
  }
  return c;
}

constexpr const char* kDecisions = R"(<mapping entity="Decisions"><decoder format="csv"/>
  <id path="id"/>
  <field name="treaty" path="treaty"/>
  <field name="title" path="title/*" text-path="title"/>
  <field name="summary" path="summary/*" lang-path="lang" text-path="summary"/>
  <field name="keywords" path="keywords/*"><item name="term" path="term"/></field>
  <field name="files" path="files/*">
    <item name="url" path="url"/><item name="mimeType" path="mimeType"/>
    <item name="language" path="language"><step fn="lookup" vocabulary="languages"/></item>
    <item name="filename" path="filename"/>
  </field>
</mapping>)";

TEST(ChildRowsTest, ChildRowsBecomeMultilingualTextsAndItemsInTheirOrder) {
  auto m = MustLoad(kDecisions);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->children(), (std::vector<std::string>{"title", "summary", "keywords", "files"}));
  auto mapper = m->NewRowMapper({});
  ASSERT_TRUE(mapper.ok()) << mapper.status().message();
  std::vector<ChildRows> children = {
      Child("title", {"decision_id", "language", "title"},
            {{"d1", "en", "Trade"}, {"d1", "fr", "Commerce"}}),
      Child("summary", {"decision_id", "lang", "summary"}, {{"d1", "es", "Resumen"}}),
      Child("keywords", {"decision_id", "namespace", "term"},
            {{"d1", "https://www.informea.org/terms/", "trade"},
             {"d1", "https://www.informea.org/terms/", "birds"}}),
      Child("files", {"decision_id", "url", "mimeType", "language", "filename"},
            {{"d1", "https://x.org/b.pdf", "application/pdf", "fr", "b.pdf"},
             {"d1", "https://x.org/a.pdf", std::nullopt, "en", "a.pdf"}}),
  };
  testing::CollectSink sink;
  ASSERT_TRUE((*mapper)->Map({{"id", "d1"}, {"treaty", "cbd"}}, children, "row 1", sink).ok());
  ASSERT_TRUE(sink.rejects.empty()) << sink.RejectsText();
  ASSERT_EQ(sink.records.size(), 1u);
  EXPECT_EQ(sink.Json()[0],
            R"({"entity":"Decisions","id":"d1","treaty":"cbd",)"
            R"("title":{"en":"Trade","fr":"Commerce"},"summary":{"es":"Resumen"},)"
            R"("keywords":[{"term":"trade"},{"term":"birds"}],)"
            R"("files":[{"filename":"b.pdf","language":"fr","mimeType":"application/pdf","url":"https://x.org/b.pdf"},)"
            R"({"filename":"a.pdf","language":"en","url":"https://x.org/a.pdf"}]})");

  // A record without child rows has none of those fields; a child not given has no rows.
  ASSERT_TRUE((*mapper)
                  ->Map({{"id", "d2"}, {"treaty", "cbd"}},
                        {Child("title", {"decision_id", "language", "title"}, {{"d2", "en", "T"}})},
                        "row 2", sink)
                  .ok());
  ASSERT_EQ(sink.records.size(), 2u);
  EXPECT_EQ(sink.Json()[1], R"({"entity":"Decisions","id":"d2","treaty":"cbd","title":{"en":"T"}})");
}

TEST(ChildRowsTest, AStringListFromAChildColumn) {
  auto m = MustLoad(R"(<mapping entity="Contacts"><decoder format="csv"/>
      <id path="id"/><field name="treaties" path="treaties/*/treaty"/>
      <field name="lastName" path="lastName"/></mapping>)");
  ASSERT_TRUE(m);
  auto mapper = m->NewRowMapper({});
  ASSERT_TRUE(mapper.ok());
  testing::CollectSink sink;
  ASSERT_TRUE((*mapper)
                  ->Map({{"id", "c1"}, {"lastName", "Lee"}},
                        {Child("treaties", {"contact_id", "treaty"},
                               {{"c1", "cartagena"}, {"c1", std::nullopt}, {"c1", "cbd"}})},
                        "row 1", sink)
                  .ok());
  ASSERT_EQ(sink.records.size(), 1u) << sink.RejectsText();
  EXPECT_EQ(sink.Json()[0],
            R"({"entity":"Contacts","id":"c1","treaties":["cartagena","cbd"],"lastName":"Lee"})");
}

TEST(ChildRowsTest, ATextTakesItsLanguageFromAColumnOfItsRow) {
  auto m = MustLoad(R"(<mapping entity="Decisions"><decoder format="csv"/>
      <id path="id"/><field name="treaty" path="treaty"/>
      <field name="title" path="title" lang-path="title_language"/></mapping>)");
  ASSERT_TRUE(m);
  testing::CollectSink sink;
  ASSERT_TRUE(m->MapRow({{"id", "1"}, {"treaty", "cbd"}, {"title", "Titre"}, {"title_language", "fre"}},
                        "row 1", {}, sink)
                  .ok());
  ASSERT_TRUE(m->MapRow({{"id", "2"}, {"treaty", "cbd"}, {"title", "Title"}, {"title_language", std::nullopt}},
                        "row 2", {}, sink)
                  .ok());
  ASSERT_TRUE(m->MapRow({{"id", "3"}, {"treaty", "cbd"}, {"title", "Title"}, {"title_language", "xx"}},
                        "row 3", {}, sink)
                  .ok());
  ASSERT_EQ(sink.records.size(), 1u);
  EXPECT_EQ(sink.Json()[0], R"({"entity":"Decisions","id":"1","treaty":"cbd","title":{"fr":"Titre"}})");
  ASSERT_EQ(sink.rejects.size(), 2u);
  EXPECT_EQ(sink.rejects[0].rule, "language");
  EXPECT_NE(sink.rejects[0].message.find("no language in column 'title_language'"),
            std::string::npos)
      << sink.rejects[0].message;
  EXPECT_EQ(sink.rejects[1].rule, "language");
  EXPECT_EQ(sink.rejects[1].value, "xx");
  EXPECT_NE(sink.rejects[1].message.find("'xx' is not a known language"), std::string::npos)
      << sink.rejects[1].message;
}

TEST(ChildRowsTest, UndeterminedLanguagesTakeTheDefaultLanguageOrAreRejects) {
  auto m = MustLoad(kDecisions);
  ASSERT_TRUE(m);
  std::vector<ChildRows> children = {
      Child("title", {"decision_id", "language", "title"},
            {{"d1", "und", "Trade"}, {"d1", "fr", "Commerce"}}),
      Child("files", {"decision_id", "url", "mimeType", "language", "filename"},
            {{"d1", "https://x.org/a.pdf", std::nullopt, "zxx", "a.pdf"}}),
  };
  const Row row = {{"id", "d1"}, {"treaty", "cbd"}};
  {
    RowOptions options;
    options.default_language = "English";
    auto mapper = m->NewRowMapper({}, options);
    ASSERT_TRUE(mapper.ok()) << mapper.status().message();
    testing::CollectSink sink;
    ASSERT_TRUE((*mapper)->Map(row, children, "row 1", sink).ok());
    ASSERT_EQ(sink.records.size(), 1u) << sink.RejectsText();
    EXPECT_EQ(sink.Json()[0],
              R"({"entity":"Decisions","id":"d1","treaty":"cbd","title":{"en":"Trade","fr":"Commerce"},)"
              R"("files":[{"filename":"a.pdf","language":"en","url":"https://x.org/a.pdf"}]})");
  }
  {
    auto mapper = m->NewRowMapper({});
    ASSERT_TRUE(mapper.ok());
    testing::CollectSink sink;
    ASSERT_TRUE((*mapper)->Map(row, children, "row 1", sink).ok());
    ASSERT_TRUE(sink.records.empty());
    ASSERT_EQ(sink.rejects.size(), 1u);
    EXPECT_EQ(sink.rejects[0].rule, "undetermined-language");
    EXPECT_EQ(sink.rejects[0].field, "title");
    EXPECT_EQ(sink.rejects[0].value, "und");
    EXPECT_NE(sink.rejects[0].message.find("default-language"), std::string::npos)
        << sink.rejects[0].message;
  }
  RowOptions bad;
  bad.default_language = "klingon";
  auto mapper = m->NewRowMapper({}, bad);
  ASSERT_FALSE(mapper.ok());
  EXPECT_NE(mapper.status().message().find("default-language 'klingon' is not a language"),
            std::string::npos)
      << mapper.status().message();
}

TEST(ChildRowsTest, AStructuredChildRowIsNoText) {
  auto m = MustLoad(R"(<mapping entity="Contacts"><decoder format="csv"/>
      <id path="id"/><field name="treaties" path="treaties/*/treaty"/>
      <field name="lastName" path="names/*"/></mapping>)");
  ASSERT_TRUE(m);
  testing::CollectSink sink;
  auto mapper = m->NewRowMapper({});
  ASSERT_TRUE(mapper.ok());
  ASSERT_TRUE((*mapper)
                  ->Map({{"id", "c1"}},
                        {Child("treaties", {"contact_id", "treaty"}, {{"c1", "cbd"}}),
                         Child("names", {"contact_id", "name"}, {{"c1", "Lee"}})},
                        "row 1", sink)
                  .ok());
  ASSERT_EQ(sink.rejects.size(), 1u);
  EXPECT_EQ(sink.rejects[0].field, "lastName");
  EXPECT_EQ(sink.rejects[0].value, "{contact_id=c1, name=Lee}");
}

TEST(ChildRowsTest, BadRowPathsAreLoadErrors) {
  for (const char* path : {"/*", "title/*x", "title/*/", "a/*/b/*"}) {
    auto m = LoadMapping(std::string(R"(<mapping entity="Contacts"><decoder format="csv"/>
        <id path="id"/><field name="lastName" path=")") +
                         path + R"("/></mapping>)");
    ASSERT_FALSE(m.ok()) << path;
    EXPECT_NE(m.status().message().find("bad row path '" + std::string(path) + "'"),
              std::string::npos)
        << m.status().message();
  }
}

}  // namespace
}  // namespace meabridge::mapping
