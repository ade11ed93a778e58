// Mapping::Run and Mapping::MapRow: decoders and record iterators end to end, captures for the
// harvester, parameters, the sink stopping a run, <skip>, CSV options, XML specifics, database
// rows, and one mapping shared by several threads.
#include <gtest/gtest.h>

#include <thread>

#include "mapping_test_util.h"

namespace meabridge::mapping {
namespace {

using testing::LoadMapping;
using testing::RunMapping;

std::shared_ptr<const Mapping> MustLoad(const std::string& text) {
  auto m = LoadMapping(text);
  EXPECT_TRUE(m.ok()) << m.status().message();
  return m.ok() ? *m : nullptr;
}

constexpr const char* kODataContacts = R"(<mapping entity="Contacts">
  <decoder format="json" odata="true"/><records path="/d/*"/><id path="id"/>
  <field name="treaties" path="treaties/*/value"/>
  <field name="lastName" path="name"/>
  <field name="roles" path="roles"><item name="role" path="r"/></field>
</mapping>)";

TEST(RunTest, ODataVerboseJsonBothShapesAndCaptures) {
  auto m = MustLoad(kODataContacts);
  auto v2 = RunMapping(*m, R"({"d": {"__count": "2", "results": [
      {"id": "a", "treaties": {"results": [{"value": "cbd"}]}, "name": "A",
       "roles": {"__deferred": {"uri": "x"}}},
      {"id": "b", "treaties": [{"value": "cbd"}], "name": "B", "roles": {"results": [{"r": "NFP"}]}}],
      "__next": "https://x/Contacts?$skiptoken='b'"}})",
                       {}, {"/d/__next", "/d/__count", "/d/missing"});
  ASSERT_TRUE(v2.status.ok()) << v2.status.message();
  EXPECT_EQ(
      v2.sink.Json(),
      (std::vector<std::string>{
          R"({"entity":"Contacts","id":"a","treaties":["cbd"],"lastName":"A"})",
          R"({"entity":"Contacts","id":"b","treaties":["cbd"],"lastName":"B","roles":[{"role":"NFP"}]})"}));
  EXPECT_EQ(v2.info.captured.at("/d/__next"), "https://x/Contacts?$skiptoken='b'");
  EXPECT_EQ(v2.info.captured.at("/d/__count"), "2");
  EXPECT_EQ(v2.info.captured.count("/d/missing"), 0u);
  EXPECT_EQ(v2.info.records, 2u);

  auto v1 = RunMapping(*m, R"({"d": [{"id": "c", "treaties": [{"value": "cbd"}], "name": "C"}]})");
  ASSERT_TRUE(v1.status.ok());
  EXPECT_EQ(v1.sink.records.size(), 1u);
}

TEST(RunTest, ODataV4CapturesAndPositions) {
  auto m = MustLoad(R"(<mapping entity="Contacts"><decoder format="json"/><records path="/value/*"/>
      <id path="id"/><field name="treaties" path="t/*"/><field name="country" path="c">
      <step fn="lookup" vocabulary="countries"/></field></mapping>)");
  auto out = RunMapping(*m, R"({"@odata.count": 3, "value": [
        {"id": "1", "t": ["cbd"], "c": "FR"}, {"id": "2", "t": ["cbd"], "c": "XX"}],
      "@odata.nextLink": "https://x/Contacts?$skip=2"})",
                        {}, {"/@odata.nextLink", "/@odata.count"});
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.info.captured.at("/@odata.nextLink"), "https://x/Contacts?$skip=2");
  EXPECT_EQ(out.info.captured.at("/@odata.count"), "3");
  ASSERT_EQ(out.sink.rejects.size(), 1u);
  EXPECT_EQ(out.sink.rejects[0].position, "/value/1");
  EXPECT_EQ(out.sink.rejects[0].record_id, "2");
  EXPECT_EQ(out.info.rejects, 1u);
}

TEST(RunTest, WholeDocumentAndSingleEntityRecords) {
  auto root = MustLoad(R"(<mapping entity="Contacts"><decoder format="json"/><records path=""/>
      <id path="id"/><field name="treaties" value="cbd"/></mapping>)");
  auto one = RunMapping(*root, R"({"id": "only"})");
  ASSERT_EQ(one.sink.records.size(), 1u);
  EXPECT_EQ(one.sink.records[0].id(), "only");
  auto entity = MustLoad(R"(<mapping entity="Contacts"><decoder format="json"/><records path="/d"/>
      <id path="id"/><field name="treaties" value="cbd"/></mapping>)");
  auto two = RunMapping(*entity, R"({"d": {"id": "e1"}})");
  ASSERT_EQ(two.sink.records.size(), 1u);
  EXPECT_EQ(two.sink.records[0].id(), "e1");
}

TEST(RunTest, MalformedJsonStopsWithPositionAfterTheRecordsBefore) {
  auto m = MustLoad(kODataContacts);
  auto out = RunMapping(*m,
                        "{\"d\": [{\"id\": \"a\", \"treaties\": [{\"value\": \"cbd\"}]},\n"
                        "  {\"id\": \"b\" \"treaties\": []}]}");
  EXPECT_EQ(out.status.code(), Status::Code::kParseError);
  EXPECT_NE(out.status.message().find("input:2:14 (offset 65): JSON error"), std::string::npos)
      << out.status.message();
  EXPECT_EQ(out.sink.records.size(), 1u);
}

class StoppingSink : public RecordSink {
 public:
  Status OnRecord(model::Record) override {
    ++records;
    return Status::Aborted("shutting down");
  }
  Status OnReject(Reject) override { return Status::Ok(); }
  int records = 0;
};

TEST(RunTest, ASinkErrorStopsTheRun) {
  auto m = MustLoad(kODataContacts);
  StoppingSink sink;
  auto source = codec::ByteSource::FromString(
      R"({"d": [{"id": "a", "treaties": [{"value": "cbd"}]}, {"id": "b", "treaties": [{"value": "cbd"}]}]})");
  auto r = m->Run(*source, {}, sink);
  EXPECT_EQ(r.status().code(), Status::Code::kAborted);
  EXPECT_EQ(sink.records, 1);
}

TEST(RunTest, ParametersAreCheckedAndDefaulted) {
  auto m = MustLoad(R"(<mapping entity="Memberships"><decoder format="json"/><records path="/*"/>
      <param name="treaty" required="true" doc="the treaty"/><param name="kind" default="ratification"/>
      <id template="{treaty}:{country}"/>
      <field name="treaty" template="{param.treaty}"><step fn="lookup" vocabulary="treaties"/></field>
      <field name="country" path="c"/><field name="status" template="{param.kind}"/></mapping>)");
  Status missing = m->CheckParams({});
  EXPECT_NE(missing.message().find("missing required parameter 'treaty' (the treaty)"),
            std::string::npos);
  Status unknown = m->CheckParams({{"treaty", "cbd"}, {"treety", "x"}});
  EXPECT_NE(unknown.message().find("unknown parameter 'treety' (declared: treaty, kind)"),
            std::string::npos)
      << unknown.message();
  EXPECT_FALSE(RunMapping(*m, "[]").status.ok());
  auto out = RunMapping(*m, R"([{"c": "FR"}])", {{"treaty", "itpgrfa"}});
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(
      out.sink.Json(),
      (std::vector<std::string>{
          R"({"entity":"Memberships","id":"plant_treaty:FR","treaty":"plant_treaty","country":"FR","status":"ratification"})"}));
  EXPECT_EQ(m->params().size(), 2u);
}

TEST(RunTest, SkipRulesLeaveRecordsOutAndCountThem) {
  auto m = MustLoad(R"(<mapping entity="Contacts"><decoder format="json"/><records path="/*"/>
      <skip if="kind" equals="header"/><skip if="id" is="blank"/>
      <id path="id"/><field name="treaties" value="cbd"/></mapping>)");
  auto out = RunMapping(*m, R"([{"id": "x", "kind": "header"}, {"id": ""}, {"id": "a"}])");
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.sink.records.size(), 1u);
  EXPECT_EQ(out.info.skipped, 2u);
}

TEST(RunTest, CsvOptions) {
  auto m = MustLoad(R"(<mapping entity="Contacts">
      <decoder format="csv" delimiter=";" skip-lines="1" null="NULL"/>
      <id path="ID"/><field name="treaties" path="Treaties"><step fn="split" sep=" "/></field>
      <field name="lastName" path="Name"/><field name="fax" path="Fax" on-null="reject"/>
      <field name="email" path="Mail"/></mapping>)");
  auto out = RunMapping(*m,
                        "exported 2024-01-01\n"
                        "ID;Treaties;Name;Fax\r\n"
                        "1;cbd cartagena;\"Lee; Ann\";\r\n"
                        "2;cbd;Roe;NULL\r\n");
  ASSERT_TRUE(out.status.ok()) << out.status.message();
  EXPECT_EQ(
      out.sink.Json(),
      (std::vector<std::string>{
          R"({"entity":"Contacts","id":"1","treaties":["cbd","cartagena"],"lastName":"Lee; Ann"})"}));
  ASSERT_EQ(out.sink.rejects.size(), 1u);
  EXPECT_EQ(out.sink.rejects[0].position, "line 4");
  EXPECT_EQ(out.sink.rejects[0].field, "fax");
  ASSERT_EQ(out.info.warnings.size(), 1u);
  EXPECT_NE(out.info.warnings[0].find("no column 'Mail' (columns: ID, Treaties, Name, Fax)"),
            std::string::npos)
      << out.info.warnings[0];
}

TEST(RunTest, CsvWithoutHeaderUsesColumnNumbers) {
  auto m =
      MustLoad(R"(<mapping entity="Contacts"><decoder format="csv" header="false" delimiter="tab"/>
      <id path="1"/><field name="treaties" value="cbd"/><field name="lastName" path="2"/></mapping>)");
  auto out = RunMapping(*m, "a\tLee\nb\tRoe\textra\n");
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.sink.records.size(), 2u);
  EXPECT_EQ(out.sink.records[1].id(), "b");
}

TEST(RunTest, CsvRaggedRowsAndMalformedQuotesAreRejectedTheRestGoOn) {
  auto m = MustLoad(R"(<mapping entity="Contacts"><decoder format="csv"/>
      <id path="id"/><field name="treaties" value="cbd"/><field name="lastName" path="name"/></mapping>)");
  auto out = RunMapping(*m, "id,name\n1,Lee\n2,Roe,extra\n3,\"Doe\"x\n4,\"multi\nline\"\n5\n");
  ASSERT_TRUE(out.status.ok());
  ASSERT_EQ(out.sink.records.size(), 2u);
  EXPECT_EQ(out.sink.Json()[1],
            R"({"entity":"Contacts","id":"4","treaties":["cbd"],"lastName":"multi\nline"})");
  ASSERT_EQ(out.sink.rejects.size(), 3u);
  EXPECT_EQ(out.sink.rejects[0].position, "line 3");
  EXPECT_EQ(out.sink.rejects[0].rule, "csv");
  EXPECT_EQ(out.sink.rejects[1].position, "line 4");
  EXPECT_NE(out.sink.rejects[1].message.find("text after the closing quote"), std::string::npos);
  EXPECT_EQ(out.sink.rejects[2].position, "line 7");
}

TEST(RunTest, XmlNamespacesNullsAttributesAndXPathFunctions) {
  auto m = MustLoad(R"x(<mapping entity="Contacts">
      <decoder format="xml">
        <namespace prefix="a" uri="http://www.w3.org/2005/Atom"/>
        <namespace prefix="" uri="urn:example:props"/>
      </decoder>
      <records path="/a:feed/a:entry"/>
      <id path="@key"/>
      <field name="treaties" path="treaty"/>
      <field name="lastName" path="concat(family, ', ', given)"/>
      <field name="fax" path="fax" on-null="default" default="(none)"/>
      <field name="email" path="contact[@type='email']"/>
    </mapping>)x");
  auto out = RunMapping(*m, R"(<?xml version="1.0"?>
    <feed xmlns="http://www.w3.org/2005/Atom" xmlns:p="urn:example:props"
          xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">
      <entry key="k1"><p:treaty>cbd</p:treaty><p:treaty>cartagena</p:treaty>
        <p:family>Lee</p:family><p:given>Ann</p:given><p:fax m:null="true"/>
        <p:contact type="phone">1</p:contact><p:contact type="email">a@x.org</p:contact></entry>
      <link rel="next" href="https://x/next"/>
    </feed>)",
                        {}, {"/a:feed/a:link[@rel='next']/@href", "count(/a:feed/a:entry)"});
  ASSERT_TRUE(out.status.ok()) << out.status.message();
  EXPECT_EQ(
      out.sink.Json(),
      (std::vector<std::string>{
          R"x({"entity":"Contacts","id":"k1","treaties":["cbd","cartagena"],"lastName":"Lee, Ann","email":"a@x.org","fax":"(none)"})x"}))
      << out.sink.RejectsText();
  EXPECT_EQ(out.info.captured.at("/a:feed/a:link[@rel='next']/@href"), "https://x/next");
  EXPECT_EQ(out.info.captured.at("count(/a:feed/a:entry)"), "1");
}

TEST(RunTest, XmlErrorsAndBadCaptures) {
  auto m = MustLoad(R"(<mapping entity="Contacts"><decoder format="xml"/><records path="//e"/>
      <id path="@id"/><field name="treaties" value="cbd"/></mapping>)");
  auto broken = RunMapping(*m, "<r>\n<e id=\"1\">\n</r>");
  EXPECT_EQ(broken.status.code(), Status::Code::kParseError);
  EXPECT_NE(broken.status.message().find("input:3:"), std::string::npos) << broken.status.message();
  auto capture = RunMapping(*m, "<r/>", {}, {"/r[["});
  EXPECT_EQ(capture.status.code(), Status::Code::kInvalidArgument);
  auto csv_capture =
      MustLoad(R"(<mapping entity="Contacts"><decoder format="csv"/><id path="id"/></mapping>)");
  EXPECT_FALSE(RunMapping(*csv_capture, "id\n1\n", {}, {"/x"}).status.ok());
}

TEST(RunTest, MapRowMapsDatabaseRowsLikeCsvRows) {
  auto m = MustLoad(R"(<mapping entity="Contacts"><decoder format="csv"/>
      <id path="contact_id"/><field name="treaties" path="treaty"/>
      <field name="lastName" path="last_name"/><field name="fax" path="fax" on-null="reject"/></mapping>)");
  testing::CollectSink sink;
  ASSERT_TRUE(
      m->MapRow({{"contact_id", "7"}, {"treaty", "cbd"}, {"last_name", "Lee"}, {"fax", "1"}},
                "row 1", {}, sink)
          .ok());
  ASSERT_TRUE(
      m->MapRow(
           {{"contact_id", "8"}, {"treaty", "cbd"}, {"last_name", "Roe"}, {"fax", std::nullopt}},
           "row 2", {}, sink)
          .ok());
  ASSERT_EQ(sink.records.size(), 1u);
  EXPECT_EQ(sink.Json()[0],
            R"({"entity":"Contacts","id":"7","treaties":["cbd"],"lastName":"Lee","fax":"1"})");
  ASSERT_EQ(sink.rejects.size(), 1u);
  EXPECT_EQ(sink.rejects[0].position, "row 2");
  EXPECT_EQ(sink.rejects[0].field, "fax");
  auto json = MustLoad(kODataContacts);
  EXPECT_EQ(json->MapRow({}, "row 1", {}, sink).code(), Status::Code::kFailedPrecondition);
}

TEST(RunTest, ARowMapperFollowsTheColumnsOfEachRow) {
  auto m = MustLoad(R"(<mapping entity="Contacts"><decoder format="csv"/>
      <param name="t" default="cbd"/>
      <id path="contact_id"/><field name="treaties" template="{param.t}"/>
      <field name="lastName" path="last_name"/></mapping>)");
  auto mapper = m->NewRowMapper({});
  ASSERT_TRUE(mapper.ok()) << mapper.status().message();
  testing::CollectSink sink;
  ASSERT_TRUE((*mapper)->Map({{"contact_id", "1"}, {"last_name", "Lee"}}, "row 1", sink).ok());
  ASSERT_TRUE((*mapper)->Map({{"contact_id", "2"}, {"last_name", "Roe"}}, "row 2", sink).ok());
  // The same names in another order, then a row without last_name: resolved again.
  ASSERT_TRUE((*mapper)->Map({{"last_name", "Poe"}, {"contact_id", "3"}}, "row 3", sink).ok());
  ASSERT_TRUE((*mapper)->Map({{"contact_id", "4"}}, "row 4", sink).ok());
  EXPECT_EQ(sink.Json(),
            (std::vector<std::string>{
                R"({"entity":"Contacts","id":"1","treaties":["cbd"],"lastName":"Lee"})",
                R"({"entity":"Contacts","id":"2","treaties":["cbd"],"lastName":"Roe"})",
                R"({"entity":"Contacts","id":"3","treaties":["cbd"],"lastName":"Poe"})",
                R"({"entity":"Contacts","id":"4","treaties":["cbd"]})"}));
  EXPECT_TRUE(sink.rejects.empty()) << sink.RejectsText();
  EXPECT_EQ(m->NewRowMapper({{"x", "1"}}).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(MustLoad(kODataContacts)->NewRowMapper({}).status().code(),
            Status::Code::kFailedPrecondition);
}

TEST(RunTest, AMappingIsSharedByThreads) {
  auto m = MustLoad(kODataContacts);
  std::string input = R"({"d": [)";
  for (int i = 0; i < 500; ++i) {
    if (i) input += ",";
    input +=
        R"({"id": ")" + std::to_string(i) + R"(", "treaties": [{"value": "cbd"}], "name": "N"})";
  }
  input += "]}";
  std::vector<size_t> counts(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < counts.size(); ++t) {
    threads.emplace_back([&, t] { counts[t] = RunMapping(*m, input).sink.records.size(); });
  }
  for (auto& th : threads) th.join();
  for (size_t c : counts) EXPECT_EQ(c, 500u);
}

// Regular expressions run breadth-first: a long value does not exhaust the stack.
TEST(RunTest, RegexOnALongValue) {
  auto m = MustLoad(R"x(<mapping entity="Contacts"><decoder format="json"/><records path="/*"/>
      <id path="id"/><field name="treaties" value="cbd"/>
      <field name="address" path="a"><step fn="replace" pattern="(\s*\d+(\s*,\s*\d+)*)+$" with=""/></field>
    </mapping>)x");
  std::string digits(300000, '1');
  auto out = RunMapping(*m, "[{\"id\": \"1\", \"a\": \"x" + digits + "\"}]");
  ASSERT_TRUE(out.status.ok());
  ASSERT_EQ(out.sink.records.size(), 1u) << out.sink.RejectsText();
  EXPECT_EQ(out.sink.Json()[0],
            R"({"entity":"Contacts","id":"1","treaties":["cbd"],"address":"x"})");
  auto backref =
      LoadMapping(R"(<mapping entity="Contacts"><decoder format="json"/><records path="/*"/>
      <id path="id"/><field name="type" path="t"><step fn="replace" pattern="(a)\1"/></field></mapping>)");
  ASSERT_FALSE(backref.ok());
  EXPECT_NE(backref.status().message().find("without back-references"), std::string::npos);
}

TEST(RunTest, FileSourcesAndUnreadableInput) {
  auto missing = codec::ByteSource::FromFile("/nonexistent/input.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/input.json"), std::string::npos);
}

}  // namespace
}  // namespace meabridge::mapping
