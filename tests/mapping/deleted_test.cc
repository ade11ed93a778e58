// <deleted> rules: records a source marks deleted (OData V4 delta `@removed` entries, a
// `deleted` member, a soft-delete column) reach RecordSink::OnDeleted with their mapped id and
// position; only the id (and the fields it reads) is evaluated. Each case runs the XML form and
// the equivalent JSON form of its mapping and expects the same outcome.
#include <gtest/gtest.h>

#include "codec/doc_tree.h"
#include "mapping_test_util.h"

namespace meabridge::mapping {
namespace {

using testing::LoadMapping;
using testing::RunMapping;

// The mapping in its XML form, and the same converted to its JSON form (codec::ToJson, as the
// shipped-mapping equivalence test does): both must load.
std::vector<std::shared_ptr<const Mapping>> BothForms(const std::string& xml) {
  std::vector<std::shared_ptr<const Mapping>> out;
  auto m = LoadMapping(xml);
  EXPECT_TRUE(m.ok()) << m.status().message();
  if (!m.ok()) return out;
  out.push_back(*m);
  auto tree = codec::ParseXmlDoc(xml, "test.mapping");
  EXPECT_TRUE(tree.ok()) << tree.status().message();
  if (!tree.ok()) return out;
  std::string json = codec::ToJson(*tree);
  auto j = LoadMapping(json);
  EXPECT_TRUE(j.ok()) << j.status().message() << "\n" << json;
  if (j.ok()) out.push_back(*j);
  return out;
}

// clang-format off
constexpr const char* kV4Delta = R"J({"@odata.context": "$metadata#Contacts/$delta", "value": [
  {"id": "c1", "treaties": ["cbd"], "lastName": "Lee"},
  {"@removed": {"reason": "deleted"}, "@id": "Contacts('c2')", "id": "c2"},
  {"@removed": {"reason": "changed"}, "id": " c3 "},
  {"@removed": {"reason": "deleted"}},
  {"id": "c4", "treaties": ["cbd"], "lastName": "Roe", "status": "deleted"}
], "@odata.deltaLink": "Contacts?$deltatoken=9"})J";
// clang-format on

TEST(DeletedTest, ODataV4RemovedEntriesAndADeletedMember) {
  auto forms = BothForms(R"(<mapping entity="Contacts">
      <decoder format="json"/><records path="/value/*"/>
      <deleted if="@removed" is="present"/>
      <deleted if="status" equals="deleted"/>
      <id path="id"><step fn="trim"/></id>
      <field name="treaties" path="treaties/*"/>
      <field name="lastName" path="lastName" required="true"/>
    </mapping>)");
  ASSERT_EQ(forms.size(), 2u);
  for (const auto& m : forms) {
    auto out = RunMapping(*m, kV4Delta);
    ASSERT_TRUE(out.status.ok()) << out.status.message();
    EXPECT_EQ(out.sink.Json(),
              (std::vector<std::string>{
                  R"({"entity":"Contacts","id":"c1","treaties":["cbd"],"lastName":"Lee"})"}));
    // Only the id is mapped: the marks have no lastName, which the mapping requires.
    EXPECT_EQ(out.sink.deleted,
              (std::vector<std::string>{"/value/1 c2", "/value/2 c3", "/value/4 c4"}));
    EXPECT_EQ(out.info.deleted, 3u);
    EXPECT_EQ(out.info.records, 1u);
    // A mark without an id cannot be applied: it is rejected, saying why.
    ASSERT_EQ(out.sink.rejects.size(), 1u) << out.sink.RejectsText();
    const Reject& r = out.sink.rejects[0];
    EXPECT_EQ(r.position, "/value/3");
    EXPECT_EQ(r.field, "id");
    EXPECT_EQ(r.rule, "id");
    EXPECT_NE(r.message.find("marked deleted by a <deleted> rule"), std::string::npos) << r.message;
  }
}

// A soft-delete column in a spreadsheet of memberships: the id is a template of two fields, so
// those (and only those) are mapped for a deletion mark.
TEST(DeletedTest, CsvSoftDeleteColumnMapsTheFieldsTheIdReads) {
  auto forms = BothForms(R"(<mapping entity="Memberships">
      <decoder format="csv"/>
      <param name="treaty" required="true"/>
      <skip if="Code" is="blank"/>
      <deleted if="Removed" in="yes|true|1" ignore-case="true"/>
      <id template="{treaty}:{country}"/>
      <field name="treaty" template="{param.treaty}"><step fn="lookup" vocabulary="treaties"/></field>
      <field name="country" path="Code"><step fn="lookup" vocabulary="countries"/></field>
      <field name="status" path="Kind"><step fn="lookup" vocabulary="membership-status"/></field>
    </mapping>)");
  ASSERT_EQ(forms.size(), 2u);
  const std::string csv =
      "Code,Kind,Removed\n"
      "FRA,Ratification,no\n"
      "DEU,not a status,Yes\n"   // deleted: its status is never looked up
      ",Ratification,yes\n"      // skipped (<skip> comes first)
      "XXX,Ratification,TRUE\n"  // deleted, but its id cannot be made
      "GHA,a,\n";
  for (const auto& m : forms) {
    auto out = RunMapping(*m, csv, {{"treaty", "unfccc"}});
    ASSERT_TRUE(out.status.ok()) << out.status.message();
    EXPECT_EQ(
        out.sink.Json(),
        (std::vector<std::string>{
            R"({"entity":"Memberships","id":"unfccc:FR","treaty":"unfccc","country":"FR","status":"ratification"})",
            R"({"entity":"Memberships","id":"unfccc:GH","treaty":"unfccc","country":"GH","status":"accession"})"}));
    EXPECT_EQ(out.sink.deleted, (std::vector<std::string>{"line 3 unfccc:DE"}));
    EXPECT_EQ(out.info.skipped, 1u);
    ASSERT_EQ(out.sink.rejects.size(), 1u) << out.sink.RejectsText();
    EXPECT_EQ(out.sink.rejects[0].position, "line 5");
    EXPECT_EQ(out.sink.rejects[0].field, "country");
    EXPECT_EQ(out.sink.rejects[0].rule, "lookup");
    EXPECT_EQ(out.sink.rejects[0].value, "XXX");
    EXPECT_NE(out.sink.rejects[0].message.find("marked deleted"), std::string::npos);
  }
}

TEST(DeletedTest, XmlRecordsAndDatabaseRows) {
  auto xml = LoadMapping(R"(<mapping entity="Contacts">
      <decoder format="xml"/><records path="/contacts/contact"/>
      <deleted if="@state" equals="DELETED" ignore-case="true"/>
      <id path="@id"/><field name="treaties" path="treaty"/></mapping>)");
  ASSERT_TRUE(xml.ok()) << xml.status().message();
  auto out = RunMapping(**xml, R"(<contacts>
      <contact id="a"><treaty>cbd</treaty></contact>
      <contact id="b" state="deleted"/>
    </contacts>)");
  ASSERT_TRUE(out.status.ok()) << out.status.message();
  EXPECT_EQ(out.sink.records.size(), 1u);
  ASSERT_EQ(out.sink.deleted.size(), 1u);
  EXPECT_EQ(out.sink.deleted[0].substr(out.sink.deleted[0].rfind(' ')), " b");
  EXPECT_EQ(out.sink.deleted[0].rfind("/contacts/contact[2]", 0), 0u) << out.sink.deleted[0];

  auto rows = LoadMapping(R"(<mapping entity="Contacts"><decoder format="csv"/>
      <deleted if="deleted_at" is="present"/>
      <id path="contact_id"/><field name="treaties" path="treaty"/></mapping>)");
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  testing::CollectSink sink;
  ASSERT_TRUE((*rows)
                  ->MapRow({{"contact_id", "7"}, {"treaty", "cbd"}, {"deleted_at", std::nullopt}},
                           "row 1", {}, sink)
                  .ok());
  ASSERT_TRUE((*rows)
                  ->MapRow({{"contact_id", "8"}, {"treaty", std::nullopt}, {"deleted_at", "2024"}},
                           "row 2", {}, sink)
                  .ok());
  EXPECT_EQ(sink.records.size(), 1u);
  EXPECT_EQ(sink.deleted, (std::vector<std::string>{"row 2 8"}));
  EXPECT_TRUE(sink.rejects.empty()) << sink.RejectsText();
}

// A sink that keeps no deletions (the default OnDeleted) sees the records only.
TEST(DeletedTest, TheDefaultSinkIgnoresDeletionMarks) {
  class RecordsOnly : public RecordSink {
   public:
    Status OnRecord(model::Record) override {
      ++records;
      return Status::Ok();
    }
    Status OnReject(Reject) override { return Status::Internal("no reject expected"); }
    int records = 0;
  };
  auto m = LoadMapping(R"(<mapping entity="Contacts">
      <decoder format="json"/><records path="/value/*"/>
      <deleted if="@removed" is="present"/>
      <id path="id"/><field name="treaties" path="treaties/*"/></mapping>)");
  ASSERT_TRUE(m.ok()) << m.status().message();
  RecordsOnly sink;
  auto source = codec::ByteSource::FromString(
      R"({"value": [{"id": "1", "treaties": ["cbd"]}, {"@removed": {}, "id": "2"}]})", "input");
  // `{}` is empty, not present: record 2 is mapped normally and rejected for its treaties.
  Result<DocumentInfo> info = (*m)->Run(*source, {}, sink);
  EXPECT_FALSE(info.ok());
  auto source2 = codec::ByteSource::FromString(
      R"({"value": [{"id": "1", "treaties": ["cbd"]}, {"@removed": {"reason": "deleted"}, "id": "2"}]})",
      "input");
  info = (*m)->Run(*source2, {}, sink);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->deleted, 1u);
  EXPECT_EQ(sink.records, 2);
}

}  // namespace
}  // namespace meabridge::mapping
