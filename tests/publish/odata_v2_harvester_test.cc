// What the InforMEA portal's harvester (../shared/corpus/informea-harvester/) stores from the V2
// dialect: the property names its migrations read (ContactsODataMigration maps `phoneNumber`,
// as the provider's Contact.java names it), language children in one fixed order (its
// getSingleValuedMultilingualField() pairs summaries with bodies by position and fixLanguage()
// maps every language outside the six UN ones to English, first one wins), and file names with
// their extension (DecisionsODataMigration prefers `filename` over the URL's last segment).
#include <pugixml.hpp>

#include "publish/common.h"
#include "publish_fixture.h"

namespace meabridge::publish::testing {
namespace {

const std::vector<std::pair<std::string, std::string>> kJson = {{"Accept", "application/json"}};

class ODataV2HarvesterTest : public PublishTest {
 protected:
  void SetUp() override {
    PublishTest::SetUp();
    Record c = MakeContact({"p1", "CH", {"cbd"}, "Ana", "Lopez", "2024-01-01T00:00:00Z", true});
    c.Set("phone", Value(std::string("+41 22 917 8111")));
    Record d(Set("Decisions"));
    d.set_id("ml1");
    d.Set("treaty", Value(std::string("stockholm")));
    // The store keeps texts by language code; the partner listed them en, es, ar.
    d.Set("title", Value(Ml({{"de", "Titel"},
                             {"es", "Título"},
                             {"zh-hans", "标题"},
                             {"en", "Title"},
                             {"ru", "Название"},
                             {"ar", "عنوان"},
                             {"fr", "Titre"}})));
    d.Set("files", Value(ItemList{
                       // The partner's name without its extension; the URL has it.
                       Item{{"url", "https://chm.pops.int/UNEP-POPS-POPRC.7-POPRC-7-6.English.doc"},
                            {"filename", "UNEP-POPS-POPRC.7-POPRC-7-6.English"},
                            {"language", "en"}},
                       // Neither: the media type says .pdf.
                       Item{{"url", "https://example.org/download?id=7"},
                            {"filename", "report"},
                            {"mimeType", "application/pdf"},
                            {"language", "fr"}},
                       // Already with its extension.
                       Item{{"url", "https://example.org/a.pdf"},
                            {"filename", "Annex.PDF"},
                            {"language", "es"}},
                   }));
    d.Set("updated", Value(model::DateTime{Ms("2024-01-02T00:00:00Z")}));
    Record doc(Set("Documents"));
    doc.set_id("doc1");
    doc.Set("title", Value(Ml({{"fr", "Rapport"}, {"en", "Report"}})));
    doc.Set("updated", Value(model::DateTime{Ms("2024-01-03T00:00:00Z")}));
    Commit(fixture_.store(), "harvester", {c, d, doc}, {}, Ms("2024-02-01T00:00:00Z"));
  }
};

TEST_F(ODataV2HarvesterTest, ContactsPublishPhoneNumber) {
  HttpResult r = Get("/informea.svc/Contacts('p1')", kJson);
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = Json(r.body);
  ASSERT_TRUE(d["d"].HasMember("phoneNumber")) << r.body;
  EXPECT_STREQ(d["d"]["phoneNumber"].GetString(), "+41 22 917 8111");
  EXPECT_FALSE(d["d"].HasMember("phone")) << r.body;
  // $select, $filter and $orderby take the dialect's name, and only it.
  HttpResult s = Get("/informea.svc/Contacts?$select=id,phoneNumber&$filter=" +
                         Enc("phoneNumber eq '+41 22 917 8111'") + "&$orderby=phoneNumber",
                     kJson);
  ASSERT_EQ(s.status, 200) << s.body;
  auto sd = Json(s.body);
  ASSERT_EQ(sd["d"]["results"].Size(), 1u) << s.body;
  EXPECT_STREQ(sd["d"]["results"][0]["phoneNumber"].GetString(), "+41 22 917 8111");
  HttpResult old = Get("/informea.svc/Contacts?$select=phone", kJson);
  EXPECT_EQ(old.status, 400);
  EXPECT_NE(old.body.find("unknown property 'phone'"), std::string::npos) << old.body;
  HttpResult f = Get("/informea.svc/Contacts?$filter=" + Enc("phone eq 'x'"), kJson);
  EXPECT_EQ(f.status, 400);
  EXPECT_NE(f.body.find("phoneNumber"), std::string::npos) << "the error lists the V2 names";
  // Atom and $metadata say the same.
  HttpResult atom = Get("/informea.svc/Contacts('p1')");
  EXPECT_NE(atom.body.find("<d:phoneNumber>+41 22 917 8111</d:phoneNumber>"), std::string::npos)
      << atom.body;
  HttpResult meta = Get("/informea.svc/$metadata");
  EXPECT_NE(meta.body.find("<Property Name=\"phoneNumber\""), std::string::npos);
  EXPECT_EQ(meta.body.find("<Property Name=\"phone\""), std::string::npos);
}

// A renamed navigation property: every link and id of the dialect uses its V2 name.
TEST_F(ODataV2HarvesterTest, DocumentsPublishTitlesEverywhere) {
  HttpResult r = Get("/informea.svc/Documents('doc1')", kJson);
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = Json(r.body);
  std::string deferred = d["d"]["titles"]["__deferred"]["uri"].GetString();
  EXPECT_EQ(deferred.substr(deferred.size() - 7), "/titles");
  HttpResult children = Get(deferred.substr(deferred.find("/informea.svc/")), kJson);
  ASSERT_EQ(children.status, 200) << children.body;
  auto cd = Json(children.body);
  EXPECT_STREQ(cd["d"]["results"][0]["language"].GetString(), "en");
  EXPECT_STREQ(cd["d"]["results"][0]["id"].GetString(), "doc1-titles-en");
  HttpResult atom = Get("/informea.svc/Documents('doc1')?$expand=titles");
  EXPECT_NE(atom.body.find("related/titles\" type=\"application/atom+xml;type=feed\" "
                           "title=\"titles\" href=\"Documents('doc1')/titles\""),
            std::string::npos)
      << atom.body;
  EXPECT_EQ(Get("/informea.svc/Documents('doc1')/title", kJson).status, 404);
  HttpResult meta = Get("/informea.svc/$metadata");
  EXPECT_NE(meta.body.find("<NavigationProperty Name=\"titles\""), std::string::npos);
}

TEST_F(ODataV2HarvesterTest, LanguageChildrenComeEnglishFirstThenUnLanguagesThenTheRest) {
  const std::vector<std::string> want = {"en", "ar", "es", "fr", "ru", "zh-hans", "de"};
  HttpResult r = Get("/informea.svc/Decisions('ml1')?$expand=title", kJson);
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = Json(r.body);
  std::vector<std::string> got;
  for (const auto& t : d["d"]["title"]["results"].GetArray())
    got.emplace_back(t["language"].GetString());
  EXPECT_EQ(got, want);
  // The navigation property's own feed, in Atom.
  HttpResult atom = Get("/informea.svc/Decisions('ml1')/title");
  ASSERT_EQ(atom.status, 200);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(atom.body.c_str())) << atom.body;
  got.clear();
  for (pugi::xml_node e : doc.child("feed").children("entry")) {
    got.emplace_back(e.child("content").child("m:properties").child_value("d:language"));
  }
  EXPECT_EQ(got, want);
}

TEST_F(ODataV2HarvesterTest, FileNamesCarryTheirExtension) {
  HttpResult r = Get("/informea.svc/Decisions('ml1')?$expand=files", kJson);
  ASSERT_EQ(r.status, 200) << r.body;
  rapidjson::Document doc = Json(r.body);  // outlives the references into it
  const auto& files = doc["d"]["files"]["results"];
  ASSERT_EQ(files.Size(), 3u);
  EXPECT_STREQ(files[0]["filename"].GetString(), "UNEP-POPS-POPRC.7-POPRC-7-6.English.doc");
  EXPECT_STREQ(files[1]["filename"].GetString(), "report.pdf");
  EXPECT_STREQ(files[2]["filename"].GetString(), "Annex.PDF");
  HttpResult atom = Get("/informea.svc/Decisions('ml1')/files");
  EXPECT_NE(atom.body.find("<d:filename>report.pdf</d:filename>"), std::string::npos) << atom.body;
}

TEST(PublishOrder, EnglishThenUnLanguagesThenByCode) {
  model::Multilingual m =
      Ml({{"pt", "a"}, {"zh-hant", "b"}, {"ar", "c"}, {"de", "d"}, {"en", "e"}});
  std::vector<std::string> got;
  for (const model::LangText* t : InPublishOrder(m)) got.push_back(t->lang);
  EXPECT_EQ(got, (std::vector<std::string>{"en", "ar", "zh-hant", "de", "pt"}));
  EXPECT_TRUE(InPublishOrder({}).empty());
}

// DecisionsODataMigration stores summary i as the summary of body i: the languages both hold
// come first, in the same order, in both.
TEST(PublishOrder, SummariesAndBodiesPairByPosition) {
  model::Multilingual content = Ml({{"en", "body"}, {"es", "cuerpo"}, {"ar", "نص"}});
  model::Multilingual summary = Ml({{"es", "resumen"}, {"en", "summary"}, {"fr", "résumé"}});
  auto langs = [](const std::vector<const model::LangText*>& texts) {
    std::vector<std::string> out;
    for (const model::LangText* t : texts) out.push_back(t->lang);
    return out;
  };
  EXPECT_EQ(langs(InPairedOrder(content, &summary)), (std::vector<std::string>{"en", "es", "ar"}));
  EXPECT_EQ(langs(InPairedOrder(summary, &content)), (std::vector<std::string>{"en", "es", "fr"}));
  EXPECT_EQ(langs(InPairedOrder(content, nullptr)), (std::vector<std::string>{"en", "ar", "es"}));
  const model::EntitySpec& decisions = *model::Registry::Default().Find("Decisions");
  EXPECT_STREQ(PairedField(decisions,
                           decisions.fields[static_cast<size_t>(decisions.FieldIndex("content"))]),
               "summary");
  EXPECT_STREQ(PairedField(decisions,
                           decisions.fields[static_cast<size_t>(decisions.FieldIndex("summary"))]),
               "content");
  EXPECT_EQ(
      PairedField(decisions, decisions.fields[static_cast<size_t>(decisions.FieldIndex("title"))]),
      nullptr);
}

TEST_F(ODataV2HarvesterTest, DecisionSummariesComeInTheirBodiesOrder) {
  Record d(Set("Decisions"));
  d.set_id("pair1");
  d.Set("treaty", Value(std::string("cbd")));
  d.Set("title", Value(Ml({{"en", "T"}})));
  d.Set("content", Value(Ml({{"en", "body"}, {"es", "cuerpo"}, {"ar", "نص"}})));
  d.Set("summary", Value(Ml({{"en", "summary"}, {"es", "resumen"}})));
  d.Set("updated", Value(model::DateTime{Ms("2024-01-02T00:00:00Z")}));
  Commit(fixture_.store(), "harvester", {d}, {}, Ms("2024-02-02T00:00:00Z"));
  HttpResult r = Get("/informea.svc/Decisions('pair1')?$expand=content,summary", kJson);
  ASSERT_EQ(r.status, 200) << r.body;
  rapidjson::Document doc = Json(r.body);
  std::vector<std::string> content, summary;
  for (const auto& t : doc["d"]["content"]["results"].GetArray())
    content.push_back(t["language"].GetString());
  for (const auto& t : doc["d"]["summary"]["results"].GetArray())
    summary.push_back(t["language"].GetString());
  EXPECT_EQ(content, (std::vector<std::string>{"en", "es", "ar"}));
  EXPECT_EQ(summary, (std::vector<std::string>{"en", "es"}));
  // The navigation property's own feed, in Atom, the same.
  HttpResult atom = Get("/informea.svc/Decisions('pair1')/content");
  ASSERT_EQ(atom.status, 200);
  EXPECT_LT(atom.body.find("<d:language>es</d:language>"),
            atom.body.find("<d:language>ar</d:language>"))
      << atom.body;
}

TEST(FileNameWithExtension, FromTheNameTheUrlOrTheMediaType) {
  // The URL's extension when the name ends in something else.
  EXPECT_EQ(FileNameWithExtension("Doc.English", "https://x.org/f/Doc.English.docx", ""),
            "Doc.English.docx");
  // The name's own extension (any case) stays.
  EXPECT_EQ(FileNameWithExtension("a.pdf", "https://x.org/a.doc", ""), "a.pdf");
  EXPECT_EQ(FileNameWithExtension("a.PDF", "https://x.org/download", ""), "a.PDF");
  // A query string is not part of the URL's extension; an unknown URL suffix is no extension.
  EXPECT_EQ(FileNameWithExtension("a", "https://x.org/a.pdf?v=2", ""), "a.pdf");
  EXPECT_EQ(FileNameWithExtension("a", "https://x.org/doc.aspx2", "application/msword"), "a.doc");
  // The media type, parameters ignored.
  EXPECT_EQ(FileNameWithExtension("a", "https://x.org/get?id=1", "application/pdf; q=1"), "a.pdf");
  // Nothing to go by: unchanged; an empty name stays empty (the harvester takes the URL's).
  EXPECT_EQ(FileNameWithExtension("a", "https://x.org/get", "application/x-unknown"), "a");
  EXPECT_EQ(FileNameWithExtension("", "https://x.org/a.pdf", "application/pdf"), "");
}

}  // namespace
}  // namespace meabridge::publish::testing
