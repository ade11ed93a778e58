// Every shipped mapping (mappings/) against the project's own fixtures (tests/data/mapping/):
// valid fixtures give exactly the expected canonical records and no reject; malformed ones
// give exactly the expected rejects (position, record id, field, rule, value) or the expected
// decode error. tests/data/mapping/cases.json lists the cases; expected/ holds the results.
//
// The XML/JSON equivalence test loads each shipped mapping in its other form (converted with
// codec::ToJson / codec::ToXml) and checks that both give the same results on every fixture.
//
// These tests use the real vocabularies (iso-codes), as the shipped mappings do in production.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "codec/doc_tree.h"
#include "core/json.h"
#include "mapping_test_util.h"
#include "support/test_support.h"

namespace meabridge::mapping {
namespace {

namespace fs = std::filesystem;
using testing::CollectSink;

std::string MappingsDir() { return meabridge::testing::SourceDir() + "/mappings"; }
std::string DataDir() { return meabridge::testing::TestDataDir() + "/mapping"; }

const vocab::Vocabularies& RealVocabularies() {
  static const vocab::Vocabularies* v = [] {
    auto loaded = vocab::Vocabularies::Load();
    if (!loaded.ok()) {
      ADD_FAILURE() << "cannot load the vocabularies: " << loaded.status().message();
      return static_cast<const vocab::Vocabularies*>(&testing::TestVocabularies());
    }
    return static_cast<const vocab::Vocabularies*>(loaded->release());
  }();
  return *v;
}

struct ShippedCase {
  std::string mapping;  // relative to mappings/
  std::string input;    // relative to tests/data/mapping/
  Params params;
  std::string error;     // expected decode error ("" for none)
  std::string expected;  // relative to tests/data/mapping/
  std::string name;
};

std::vector<ShippedCase> LoadCases() {
  std::vector<ShippedCase> out;
  std::string text = meabridge::testing::ReadFileOrDie(DataDir() + "/cases.json");
  rapidjson::Document doc;
  Status s = json::Parse(text, doc);
  if (!s.ok()) {
    ADD_FAILURE() << s.message();
    return out;
  }
  for (const auto& c : doc["cases"].GetArray()) {
    ShippedCase sc;
    sc.mapping = c["mapping"].GetString();
    sc.input = c["input"].GetString();
    if (const auto* p = json::Member(c, "params")) {
      for (auto it = p->MemberBegin(); it != p->MemberEnd(); ++it) {
        sc.params[it->name.GetString()] = it->value.GetString();
      }
    }
    if (const auto* e = json::Member(c, "error")) sc.error = e->GetString();
    std::string stem = sc.input;
    std::replace(stem.begin(), stem.end(), '/', '-');
    size_t dot = sc.input.rfind('.');
    std::string flat;
    for (size_t i = 0; i < dot; ++i)
      flat += sc.input[i] == '/' ? std::string("--") : std::string(1, sc.input[i]);
    sc.expected = "expected/" + flat + ".json";
    for (char& ch : stem) {
      if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
    }
    sc.name = stem;
    out.push_back(std::move(sc));
  }
  return out;
}

struct Outcome {
  Status status;
  CollectSink sink;
};

Outcome RunOn(const Mapping& m, const ShippedCase& c) {
  Outcome o;
  auto source = codec::ByteSource::FromFile(DataDir() + "/" + c.input);
  if (!source.ok()) {
    o.status = source.status();
    return o;
  }
  Result<DocumentInfo> r = m.Run(**source, c.params, o.sink);
  o.status = r.status();
  return o;
}

std::string RejectKey(const Reject& r) {
  return r.position + " | " + r.record_id + " | " + r.field + " | " + r.rule + " | " + r.value;
}

class ShippedMappingsTest : public ::testing::TestWithParam<ShippedCase> {};

TEST_P(ShippedMappingsTest, GivesTheExpectedRecordsAndRejects) {
  const ShippedCase& c = GetParam();
  auto m = Mapping::Load(MappingsDir() + "/" + c.mapping, RealVocabularies());
  ASSERT_TRUE(m.ok()) << m.status().message();
  Outcome o = RunOn(**m, c);
  if (!c.error.empty()) {
    ASSERT_FALSE(o.status.ok()) << "expected the error: " << c.error;
    EXPECT_NE(o.status.message().find(c.error), std::string::npos) << o.status.message();
    return;
  }
  ASSERT_TRUE(o.status.ok()) << o.status.message();
  rapidjson::Document expected;
  ASSERT_TRUE(
      json::Parse(meabridge::testing::ReadFileOrDie(DataDir() + "/" + c.expected), expected).ok());
  const auto& records = expected["records"].GetArray();
  ASSERT_EQ(o.sink.records.size(), records.Size()) << o.sink.RejectsText();
  for (size_t i = 0; i < o.sink.records.size(); ++i) {
    rapidjson::Document got;
    ASSERT_TRUE(json::Parse(model::CanonicalJson(o.sink.records[i]), got).ok());
    EXPECT_TRUE(got == records[static_cast<rapidjson::SizeType>(i)])
        << "record " << i << "\n got:      " << json::ToString(got)
        << "\n expected: " << json::ToString(records[static_cast<rapidjson::SizeType>(i)]);
  }
  const auto& rejects = expected["rejects"].GetArray();
  ASSERT_EQ(o.sink.rejects.size(), rejects.Size()) << o.sink.RejectsText();
  for (size_t i = 0; i < o.sink.rejects.size(); ++i) {
    const auto& e = rejects[static_cast<rapidjson::SizeType>(i)];
    const Reject& r = o.sink.rejects[i];
    EXPECT_EQ(r.position, e["position"].GetString());
    EXPECT_EQ(r.record_id, e["id"].GetString());
    EXPECT_EQ(r.field, e["field"].GetString());
    EXPECT_EQ(r.rule, e["rule"].GetString()) << r.ToString();
    EXPECT_EQ(r.value, e["value"].GetString());
    EXPECT_FALSE(r.message.empty());
  }
  // Deletion marks (<deleted> rules), as `mapping test --format json` lists them.
  std::vector<std::string> deleted;
  if (const auto* d = json::Member(expected, "deleted")) {
    for (const auto& e : d->GetArray()) {
      deleted.push_back(std::string(e["position"].GetString()) + " " + e["id"].GetString());
    }
  }
  EXPECT_EQ(o.sink.deleted, deleted);
}

TEST_P(ShippedMappingsTest, XmlAndJsonFormsAreEquivalent) {
  const ShippedCase& c = GetParam();
  std::string path = MappingsDir() + "/" + c.mapping;
  auto tree = codec::LoadDocFile(path);
  ASSERT_TRUE(tree.ok()) << tree.status().message();
  bool is_json = path.size() > 5 && path.compare(path.size() - 5, 5, ".json") == 0;
  std::string other = is_json ? codec::ToXml(*tree) : codec::ToJson(*tree);
  auto original = Mapping::Load(path, RealVocabularies());
  auto converted = Mapping::LoadText(other, c.mapping + (is_json ? " (as XML)" : " (as JSON)"),
                                     !is_json, RealVocabularies());
  ASSERT_TRUE(original.ok()) << original.status().message();
  ASSERT_TRUE(converted.ok()) << converted.status().message() << "\n" << other;
  Outcome a = RunOn(**original, c);
  Outcome b = RunOn(**converted, c);
  EXPECT_EQ(a.status.ok(), b.status.ok());
  EXPECT_EQ(a.sink.Json(), b.sink.Json());
  EXPECT_EQ(a.sink.deleted, b.sink.deleted);
  ASSERT_EQ(a.sink.rejects.size(), b.sink.rejects.size());
  for (size_t i = 0; i < a.sink.rejects.size(); ++i) {
    EXPECT_EQ(RejectKey(a.sink.rejects[i]), RejectKey(b.sink.rejects[i]));
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ShippedMappingsTest, ::testing::ValuesIn(LoadCases()),
                         [](const ::testing::TestParamInfo<ShippedCase>& i) {
                           return i.param.name;
                         });

// Every shipped mapping has at least one valid fixture (with records and no reject).
TEST(ShippedMappingsCoverageTest, EveryShippedMappingHasAValidFixture) {
  std::set<std::string> covered;
  for (const ShippedCase& c : LoadCases()) {
    if (!c.error.empty()) continue;
    std::string text = meabridge::testing::ReadFileOrDie(DataDir() + "/" + c.expected);
    if (text.find("\"rejects\": [\n\n]") != std::string::npos) covered.insert(c.mapping);
  }
  for (const auto& entry : fs::recursive_directory_iterator(MappingsDir())) {
    if (!entry.is_regular_file()) continue;
    std::string rel = fs::relative(entry.path(), MappingsDir()).string();
    if (rel.rfind("profiles/", 0) == 0) continue;  // outbound examples: outbound_test.cc
    // Mappings of main rows with child rows: only a sql source gives those (the toolkit's
    // contract suite over every driver, tests/harvest/toolkit_sql_test.cc).
    if (rel.rfind("informea-toolkit/", 0) == 0) continue;
    EXPECT_TRUE(covered.count(rel)) << rel << " has no valid fixture in cases.json";
  }
}

// The paths the shipped mappings are referenced by (configurations name them).
TEST(ShippedMappingsCoverageTest, TheDocumentedPathsExist) {
  for (const char* p :
       {"informea-odata-v2/contacts.xml", "informea-odata-v2/decisions.xml",
        "informea-odata-v2/meetings.xml", "informea-odata-v2-atom/contacts.xml",
        "informea-odata-v2-atom/decisions.xml", "informea-odata-v2-atom/meetings.xml",
        "informea-odata-v3/contacts.xml", "informea-odata-v3/decisions.xml",
        "informea-odata-v3/meetings.xml", "informea-odata-v4/contacts.json",
        "informea-odata-v4/decisions.json", "informea-odata-v4/meetings.json",
        "informea-drupal/contacts.json", "informea-drupal/decisions.json",
        "informea-drupal/meetings.json", "untc/memberships.xml", "status-csv/memberships.json",
        "focal-points-csv/contacts.json", "informea-odata-v2/country_reports.xml",
        "informea-odata-v2/national_plans.xml", "informea-odata-v2/sites.xml",
        "informea-odata-v2/documents.xml", "informea-odata-v2-atom/country_reports.xml",
        "informea-odata-v2-atom/national_plans.xml", "informea-odata-v2-atom/sites.xml",
        "informea-odata-v2-atom/documents.xml", "vocab/treaties.json"}) {
    EXPECT_TRUE(fs::exists(MappingsDir() + "/" + p)) << p;
  }
}

}  // namespace
}  // namespace meabridge::mapping
