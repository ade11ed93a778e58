#include "model/record.h"

#include <gtest/gtest.h>

#include "model/canonical_json.h"

namespace meabridge::model {
namespace {

const EntitySpec& Contacts() { return *Registry::Default().Find("Contacts"); }
const EntitySpec& Decisions() { return *Registry::Default().Find("Decisions"); }

TEST(RecordTest, SetAndFindByName) {
  Record r(Contacts());
  r.set_id("c1");
  EXPECT_TRUE(r.Set("country", std::string("FR")));
  EXPECT_FALSE(r.Set("nope", std::string("x")));
  EXPECT_EQ(r.id(), "c1");
  ASSERT_NE(r.Find("country"), nullptr);
  EXPECT_EQ(std::get<std::string>(*r.Find("country")), "FR");
  EXPECT_EQ(r.Find("nope"), nullptr);
}

TEST(RecordTest, MultilingualStaysSortedAndUnique) {
  Multilingual m;
  SetText(m, "fr", "Titre");
  SetText(m, "en", "Title");
  SetText(m, "fr", "Titre 2");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].lang, "en");
  EXPECT_EQ(*FindText(m, "fr"), "Titre 2");
  EXPECT_EQ(FindText(m, "es"), nullptr);
}

TEST(RecordTest, EmptinessAndTypes) {
  EXPECT_TRUE(IsEmpty(Value()));
  EXPECT_TRUE(IsEmpty(Value(std::string())));
  EXPECT_TRUE(IsEmpty(Value(StringList{})));
  EXPECT_FALSE(IsEmpty(Value(false)));
  EXPECT_FALSE(IsEmpty(Value(int64_t{0})));
  EXPECT_TRUE(HoldsType(Value(), FieldType::kDate));
  EXPECT_TRUE(HoldsType(Value(std::string("x")), FieldType::kTerm));
  EXPECT_FALSE(HoldsType(Value(std::string("x")), FieldType::kDate));
}

Record SampleDecision() {
  Record r(Decisions());
  r.set_id("d1");
  r.Set("updated", DateTime{1431103154000});
  r.Set("treaty", std::string("cbd"));
  Multilingual title;
  SetText(title, "fr", "Titre \"cité\"");
  SetText(title, "en", "Title");
  r.Set("title", title);
  r.Set("displayOrder", int64_t{401130});
  r.Set("files", ItemList{Item{{"url", "http://x/a.pdf"}, {"language", "en"}}});
  r.Set("number", std::string());  // empty: left out
  return r;
}

TEST(CanonicalJsonTest, ExactBytesInRegistryOrder) {
  EXPECT_EQ(CanonicalJson(SampleDecision()),
            R"({"entity":"Decisions","id":"d1","updated":"2015-05-08T16:39:14Z","treaty":"cbd",)"
            R"("title":{"en":"Title","fr":"Titre \"cité\""},"displayOrder":401130,)"
            R"("files":[{"language":"en","url":"http://x/a.pdf"}]})");
  EXPECT_EQ(ContentJson(SampleDecision()).rfind(R"({"id":"d1",)", 0), 0u);
}

TEST(CanonicalJsonTest, RoundTrip) {
  Record original = SampleDecision();
  original.Set("number", Value());
  rapidjson::Document doc;
  ASSERT_TRUE(json::Parse(CanonicalJson(original), doc).ok());
  Result<Record> back = RecordFromJson(Registry::Default(), doc);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->SameContent(original));
}

TEST(CanonicalJsonTest, ReadingRefusesWhatTheFormNeverHolds) {
  struct Case {
    const char* json;
    const char* error;
  };
  const Case cases[] = {
      {R"({"id":"x"})", "\"entity\""},
      {R"({"entity":"Nope","id":"x"})", "unknown entity"},
      {R"({"entity":"Decisions","id":"x","colour":"red"})", "no field 'colour'"},
      {R"({"entity":"Decisions","id":"x","displayOrder":"3"})", "integer"},
      {R"({"entity":"Decisions","id":"x","published":"2015-13-01T00:00:00Z"})", "RFC 3339"},
      {R"({"entity":"Decisions","id":"x","files":[{"colour":"red"}]})", "no item field"},
      {R"({"entity":"Decisions","id":"x","title":["en"]})", "keyed by language"},
  };
  for (const Case& c : cases) {
    rapidjson::Document doc;
    ASSERT_TRUE(json::Parse(c.json, doc).ok());
    Result<Record> r = RecordFromJson(Registry::Default(), doc);
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_NE(r.status().message().find(c.error), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace meabridge::model
