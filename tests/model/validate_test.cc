#include "model/validate.h"

#include <gtest/gtest.h>

#include "model/fake_vocabularies.h"

namespace meabridge::model {
namespace {

const EntitySpec& Contacts() { return *Registry::Default().Find("Contacts"); }
const EntitySpec& Decisions() { return *Registry::Default().Find("Decisions"); }

Record ValidContact() {
  Record r(Contacts());
  r.set_id("c1");
  r.Set("treaties", StringList{"cbd", "nagoya"});
  r.Set("country", std::string("BB"));
  r.Set("roles", ItemList{Item{{"treaty", "cbd"}, {"role", "Primary NFP"}}});
  return r;
}

std::vector<std::string> Rules(const std::vector<Violation>& v) {
  std::vector<std::string> out;
  for (const auto& x : v) out.push_back(x.field + ":" + x.rule);
  return out;
}

TEST(ValidateTest, AValidRecordHasNoViolations) {
  auto vocabs = testing::FakeVocabularies();
  EXPECT_TRUE(Validate(ValidContact(), *vocabs).empty());
}

TEST(ValidateTest, EachRuleNamesEntityIdFieldValueAndRule) {
  auto vocabs = testing::FakeVocabularies();
  struct Case {
    std::function<void(Record&)> edit;
    std::vector<std::string> expected;
  };
  const Case cases[] = {
      {[](Record& r) { r.Set("treaties", StringList{}); }, {"treaties:required"}},
      {[](Record& r) { r.Set("country", std::string("XX")); }, {"country:vocabulary"}},
      {[](Record& r) {
         r.Set("treaties", StringList{"cbd", "kyoto"});
       },
       {"treaties[1]:vocabulary"}},
      {[](Record& r) { r.Set("country", int64_t{3}); }, {"country:type"}},
      {[](Record& r) { r.Set("email", std::string("a\xFF")); }, {"email:utf8"}},
      {[](Record& r) { r.set_id(""); }, {"id:id"}},
      {[](Record& r) { r.set_id("a\nb"); }, {"id:id"}},
      {[](Record& r) {
         r.Set("roles", ItemList{Item{{"treaty", "cbd"}}});
       },
       {"roles[0].role:required"}},
      {[](Record& r) {
         r.Set("roles", ItemList{Item{{"role", "x"}, {"colour", "red"}}});
       },
       {"roles[0].colour:item-field"}},
      {[](Record& r) {
         r.Set("roles", ItemList{Item{{"role", "x"}, {"treaty", "xx"}}});
       },
       {"roles[0].treaty:vocabulary"}},
  };
  // A Validator (vocabularies resolved once per entity, as compiled mappings keep one) finds
  // exactly the same, reused across records.
  const Validator validator(Contacts(), *vocabs);
  for (const Case& c : cases) {
    Record r = ValidContact();
    c.edit(r);
    EXPECT_EQ(Rules(Validate(r, *vocabs)), c.expected);
    std::vector<Violation> a = Validate(r, *vocabs), b = validator.Validate(r);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].ToString(), b[i].ToString());
  }
  EXPECT_TRUE(validator.Validate(ValidContact()).empty());
}

TEST(ValidateTest, MultilingualKeysMustBeLanguages) {
  auto vocabs = testing::FakeVocabularies();
  Record d(Decisions());
  d.set_id("d1");
  d.Set("treaty", std::string("cbd"));
  d.Set("title", Multilingual{{"en", "Title"}, {"english", "Title"}});
  auto v = Validate(d, *vocabs);
  ASSERT_EQ(Rules(v), (std::vector<std::string>{"title.english:language"}));
  EXPECT_EQ(v[0].entity, "Decisions");
  EXPECT_EQ(v[0].id, "d1");
  EXPECT_NE(
      v[0].ToString().find("Decisions \"d1\": field 'title.english' = \"english\": language:"),
      std::string::npos)
      << v[0].ToString();
}

TEST(ValidateTest, MissingRequiredMultilingual) {
  auto vocabs = testing::FakeVocabularies();
  Record d(Decisions());
  d.set_id("d1");
  d.Set("treaty", std::string("cbd"));
  EXPECT_EQ(Rules(Validate(d, *vocabs)), (std::vector<std::string>{"title:required"}));
}

}  // namespace
}  // namespace meabridge::model
