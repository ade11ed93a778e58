// The shipped mappings against the real partner data of ../shared/corpus (optional: skipped,
// saying so, where the folder is absent). Every record of every file a shipped mapping fits
// maps, with its fields checked, and valid data yields zero rejects.
#include <gtest/gtest.h>

#include <map>

#include "codec/byte_source.h"
#include "core/json.h"
#include "mapping/mapping.h"
#include "model/canonical_json.h"
#include "support/test_support.h"
#include "vocab/vocabulary.h"

namespace meabridge::mapping {
namespace {

class Collect : public RecordSink {
 public:
  Status OnRecord(model::Record record) override {
    records.push_back(std::move(record));
    return Status::Ok();
  }
  Status OnReject(Reject reject) override {
    rejects.push_back(std::move(reject));
    return Status::Ok();
  }
  std::vector<model::Record> records;
  std::vector<Reject> rejects;
};

class MappingCorpusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (meabridge::testing::CorpusDir().empty()) {
      GTEST_SKIP() << "../shared/corpus absent: corpus suite skipped";
    }
    static std::unique_ptr<vocab::Vocabularies> vocabs = [] {
      auto v = vocab::Vocabularies::Load();
      return v.ok() ? std::move(*v) : nullptr;
    }();
    ASSERT_TRUE(vocabs) << "cannot load the vocabularies";
    vocabs_ = vocabs.get();
  }

  // Runs a shipped mapping over a corpus file; every record must map.
  std::vector<model::Record> Run(const std::string& mapping, const std::string& corpus_file,
                                 const Params& params = {}) {
    auto m = Mapping::Load(meabridge::testing::SourceDir() + "/mappings/" + mapping, *vocabs_);
    EXPECT_TRUE(m.ok()) << m.status().message();
    if (!m.ok()) return {};
    auto source = codec::ByteSource::FromFile(meabridge::testing::CorpusDir() + "/" + corpus_file);
    EXPECT_TRUE(source.ok()) << source.status().message();
    if (!source.ok()) return {};
    Collect sink;
    auto info = (*m)->Run(**source, params, sink);
    EXPECT_TRUE(info.ok()) << info.status().message();
    for (const Reject& r : sink.rejects) ADD_FAILURE() << corpus_file << ": " << r.ToString();
    return std::move(sink.records);
  }

  // The record's canonical JSON as a map field -> compact JSON value.
  static std::map<std::string, std::string> Fields(const model::Record& r) {
    rapidjson::Document doc;
    EXPECT_TRUE(json::Parse(model::CanonicalJson(r), doc).ok());
    std::map<std::string, std::string> out;
    for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
      out[it->name.GetString()] = json::ToString(it->value);
    }
    return out;
  }

  const vocab::Vocabularies* vocabs_ = nullptr;
};

using F = std::map<std::string, std::string>;

TEST_F(MappingCorpusTest, V1Contacts) {
  auto records = Run("informea-odata-v2/contacts.xml", "informea-odata/v1/Contacts.json");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(Fields(records[0]), (F{{"entity", "\"Contacts\""},
                                   {"id", "\"0047078c-891c-e211-809d-0050569d5de3\""},
                                   {"updated", "\"2016-01-07T08:49:06Z\""},
                                   {"treaties", "[\"rotterdam\"]"},
                                   {"country", "\"HU\""},
                                   {"prefix", "\"Ms.\""},
                                   {"firstName", "\"Silvia\""},
                                   {"lastName", "\"Daim\""},
                                   {"position", "\"Deputy Director General\""},
                                   {"institution", "\"National Public Health Centre\""},
                                   {"department", "\"National Chemical Safety Directorate\""},
                                   {"type", "\"Designated National Authority for chemicals\""},
                                   {"address", "\"Nagyv\""},
                                   {"email", "\"eva.doe@yahoo.ca\""},
                                   {"phone", "\"12345\""},
                                   {"fax", "\"+54321\""},
                                   {"primary", "false"}}));
  F second = Fields(records[1]);
  EXPECT_EQ(second["id"], "\"00d82292-2029-e211-809d-0050569d5de3\"");
  EXPECT_EQ(second["country"], "\"MW\"");
  EXPECT_EQ(second["phone"], "\"+111\"");
  EXPECT_EQ(second["primary"], "true");
  EXPECT_EQ(second["roles"], R"([{"role":"RC DNA CP"},{"role":"RC OCP"}])");
  EXPECT_EQ(second.count("department"), 0u);  // null at the source
}

TEST_F(MappingCorpusTest, V1Decisions) {
  auto records = Run("informea-odata-v2/decisions.xml", "informea-odata/v1/Decisions.json");
  ASSERT_EQ(records.size(), 2u);
  F d = Fields(records[0]);
  EXPECT_EQ(d["id"], "\"8fc906c1-820c-4a38-ad7c-00879971fee8\"");
  EXPECT_EQ(d["treaty"], "\"stockholm\"");
  EXPECT_EQ(d["number"], "\"SC-3/7\"");
  EXPECT_EQ(d["type"], "\"decision\"");
  EXPECT_EQ(d["status"], "\"active\"");
  EXPECT_EQ(d["published"], "\"2008-03-23T11:26:51Z\"");
  EXPECT_EQ(d["displayOrder"], "3370");
  EXPECT_EQ(d["title"],
            R"({"en":"Measures to reduce or eliminate releases from wastes","fr":"French title"})");
  EXPECT_EQ(
      d["summary"],
      R"({"en":"Measures to reduce or eliminate releases from wastes","es":"Spanish summary"})");
  EXPECT_EQ(d["content"],
            R"({"ar":"Content in arabic","en":"Content in english","es":"Content in spanish"})");
  EXPECT_EQ(
      d["files"],
      R"([{"filename":"UNEP-POPS-COP.3-SC-3-7.English","language":"en","mimeType":"application/msword","url":"http://chm.pops.int/Portals/0/download.aspx?d=UNEP-POPS-COP.3-SC-3-7.English.DOC"}])");
  EXPECT_EQ(d.count("keywords"), 0u);  // __deferred
  F e = Fields(records[1]);
  EXPECT_EQ(e["number"], "\"POPRC-7/6\"");
  EXPECT_EQ(e.count("link"), 0u);
  EXPECT_NE(e["files"].find("\"language\":\"fr\""), std::string::npos);
  EXPECT_NE(e["title"].find("\"es\":\"Orientación sobre alternativas"), std::string::npos);
}

TEST_F(MappingCorpusTest, V1Meetings) {
  auto records = Run("informea-odata-v2/meetings.xml", "informea-odata/v1/Meetings.json");
  ASSERT_EQ(records.size(), 2u);
  F m = Fields(records[0]);
  EXPECT_EQ(m["id"], "\"0066da14-412c-e411-855b-005056856044\"");
  EXPECT_EQ(m["start"], "\"2014-05-06T15:00:00Z\"");
  EXPECT_EQ(m["end"], "\"2014-05-06T16:00:00Z\"");
  EXPECT_EQ(m["type"], "\"mop\"");
  EXPECT_EQ(m["status"], "\"confirmed\"");
  EXPECT_EQ(m["country"], "\"RO\"");
  EXPECT_EQ(m["latitude"], "12.0");
  EXPECT_EQ(
      m["description"],
      R"({"en":"The objective of this webinar","es":"Spanish The objective of this webinar"})");
  F n = Fields(records[1]);
  EXPECT_EQ(n.count("type"), 0u);
  EXPECT_EQ(n.count("country"), 0u);
  EXPECT_EQ(
      n["title"],
      R"({"en":"Establishing inventories of POP-PBDEs listed under the Stockholm Convention","fr":"French Establishing inventories of POP-PBDEs listed under the Stockholm Convention"})");
}

TEST_F(MappingCorpusTest, V3Contacts) {
  auto records = Run("informea-odata-v3/contacts.xml", "informea-odata/v3/Contacts.json");
  ASSERT_EQ(records.size(), 2u);
  F c = Fields(records[0]);
  EXPECT_EQ(c["id"], "\"52000000cbd02200000018e9\"");
  EXPECT_EQ(c["treaties"], R"(["cbd","cartagena","nagoya"])");
  EXPECT_EQ(
      c["roles"],
      R"([{"role":"Cartagena Protocol Primary NFP","treaty":"cartagena"},{"role":"BCH NFP","treaty":"cartagena"},{"role":"Nagoya Protocol Primary NFP","treaty":"nagoya"}])");
  EXPECT_EQ(c["country"], "\"BB\"");
  EXPECT_EQ(c["phone"], "\"12345\"");
  EXPECT_EQ(c["updated"], "\"2015-05-08T16:39:14Z\"");
  F d = Fields(records[1]);
  EXPECT_EQ(d["treaties"], R"(["nagoya"])");
  EXPECT_EQ(d["country"], "\"BO\"");
  EXPECT_EQ(d.count("fax"), 0u);
}

TEST_F(MappingCorpusTest, V3UpdatesChangeTheSameContacts) {
  auto before = Run("informea-odata-v3/contacts.xml", "informea-odata/v3/Contacts.json");
  auto after = Run("informea-odata-v3/contacts.xml", "informea-odata/v3-updates/Contacts.json");
  ASSERT_EQ(after.size(), 2u);
  ASSERT_EQ(before.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(before[i].id(), after[i].id());  // the same records: updates, not new ones
    EXPECT_FALSE(before[i].SameContent(after[i]));
  }
  EXPECT_EQ(
      Fields(after[0])["roles"],
      R"([{"role":"Cartagena Protocol Primary NFP","treaty":"cartagena"},{"role":"Nagoya Protocol Primary NFP","treaty":"nagoya"},{"role":"CBD Primary NFP","treaty":"cbd"}])");
  EXPECT_EQ(Fields(after[1])["treaties"], R"(["cbd","cartagena","nagoya"])");
}

TEST_F(MappingCorpusTest, V3Decisions) {
  auto records = Run("informea-odata-v3/decisions.xml", "informea-odata/v3/Decisions.json");
  ASSERT_EQ(records.size(), 2u);
  F d = Fields(records[0]);
  EXPECT_EQ(d["id"], "\"52000000cbd0070000003465\"");
  EXPECT_EQ(
      d["title"],
      R"({"en":"Programme budget for the biennium following the entry into force of the Nagoya Protocol"})");
  EXPECT_EQ(d.count("longTitle"), 0u);  // placeholder entries only
  EXPECT_EQ(d.count("files"), 0u);
  EXPECT_EQ(d.count("keywords"), 0u);
  EXPECT_EQ(d["number"], "\"NP-1/13\"");
  EXPECT_EQ(d["displayOrder"], "401130");
  EXPECT_EQ(d["meetingId"], "\"52000000cbd0050000001595\"");
  EXPECT_EQ(d["published"], "\"2015-02-10T15:44:25Z\"");
}

TEST_F(MappingCorpusTest, V3Meetings) {
  auto records = Run("informea-odata-v3/meetings.xml", "informea-odata/v3/Meetings.json");
  ASSERT_EQ(records.size(), 2u);
  F m = Fields(records[0]);
  EXPECT_EQ(m["title"].rfind(R"({"en":"Workshop on an Inter-sectoral Dialogue)", 0), 0u);
  EXPECT_NE(m["title"].find(R"("fr":"French Workshop on an Inter-sectoral)"), std::string::npos);
  EXPECT_EQ(m["description"], R"({"en":"Meeting description","fr":"French Meeting description"})");
  F n = Fields(records[1]);
  EXPECT_EQ(n["id"], "\"52000000cbd00500000015a6\"");
  EXPECT_EQ(n.count("country"), 0u);  // "" at the source
  EXPECT_EQ(n.count("description"), 0u);
  EXPECT_EQ(n["start"], "\"2014-05-06T15:00:00Z\"");
}

// The InforMEA toolkit's entities, as the InforMEA harvester reads them from the provider
// (V1 verbose JSON with $expand=title,files or $expand=name): the V1/V2 mappings read them,
// and the CBD service's V3 shape (bare arrays) too.
TEST_F(MappingCorpusTest, V1CountryReports) {
  auto records =
      Run("informea-odata-v2/country_reports.xml", "informea-odata/v1/CountryReports.json");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(
      Fields(records[0]),
      (F{{"entity", "\"CountryReports\""},
         {"id", "\"00874795-9e78-4ff7-81ca-5f42126f9186\""},
         {"updated", "\"2013-11-19T16:31:44Z\""},
         {"treaty", "\"aewa\""},
         {"country", "\"SN\""},
         {"title",
          R"({"en":"National Report of Senegal","fr":"National Report of Senegal French"})"},
         {"submission", "\"2008-09-15T00:00:00Z\""},
         {"url", "\"http://www.unep-aewa.org/node/1778\""},
         {"files",
          R"([{"filename":"senegal2008_fr_mop4_0.pdf","language":"en","mimeType":"application/pdf","url":"http://www.unep-aewa.org/sites/default/files/document/senegal2008_fr_mop4_0.pdf"}])"}}));
  F uk = Fields(records[1]);
  EXPECT_EQ(uk["country"], "\"GB\"");
  EXPECT_EQ(
      uk["title"],
      R"({"en":"National Report of the United Kingdom of Great Britain and Nothern Ireland"})");
}

TEST_F(MappingCorpusTest, V1NationalPlans) {
  auto records =
      Run("informea-odata-v2/national_plans.xml", "informea-odata/v1/NationalPlans.json");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(
      Fields(records[0]),
      (F{{"entity", "\"NationalPlans\""},
         {"id", "\"UNEP-POPS-NIP-Albania-1\""},
         {"updated", "\"2015-04-22T09:21:43.740Z\""},
         {"treaty", "\"stockholm\""},
         {"country", "\"AL\""},
         {"type", "\"nip\""},
         {"title",
          R"({"en":"National Implementation Plan for Reduction and Disposal of Persistent Organic Pollutants","fr":"French National Implementation Plan for Reduction and Disposal of Persistent Organic Pollutants"})"},
         {"url", "\"https://www.google.com\""},
         {"submission", "\"2007-02-12T00:00:00Z\""},
         {"files",
          R"([{"filename":"UNEP-POPS-NIP-Albania-1.English.pdf","language":"en","mimeType":"pdf","url":"http://chm.pops.int/Portals/0/download.aspx?d=UNEP-POPS-NIP-Albania-1.English.pdf"}])"}}));
  F dz = Fields(records[1]);
  EXPECT_EQ(dz["country"], "\"DZ\"");
  EXPECT_EQ(dz.count("url"), 0u);
  EXPECT_NE(dz["files"].find("\"language\":\"fr\""), std::string::npos);
}

TEST_F(MappingCorpusTest, V1Sites) {
  auto records = Run("informea-odata-v2/sites.xml", "informea-odata/v1/Sites.json");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(Fields(records[0]), (F{{"entity", "\"Sites\""},
                                   {"id", "\"1\""},
                                   {"updated", "\"2016-03-02T13:07:20Z\""},
                                   {"treaty", "\"whc\""},
                                   {"country", "\"EC\""},
                                   {"type", "\"whc\""},
                                   {"name", R"({"en":"Galápagos Islands","fr":"Îles Galápagos"})"},
                                   {"url", "\"http://whc.unesco.org/en/list/1\""},
                                   {"latitude", "-0.81667"},
                                   {"longitude", "-91.0"}}));
  F quito = Fields(records[1]);
  EXPECT_EQ(quito["name"], R"({"en":"City of Quito","fr":"Ville de Quito"})");
  EXPECT_EQ(quito["latitude"], "-0.003888889");
}

TEST_F(MappingCorpusTest, V3CountryReportsAndNationalPlans) {
  auto reports =
      Run("informea-odata-v2/country_reports.xml", "informea-odata/v3/CountryReports.json");
  ASSERT_EQ(reports.size(), 2u);
  F fm = Fields(reports[0]);
  EXPECT_EQ(fm["country"], "\"FM\"");
  EXPECT_EQ(fm["treaty"], "\"cbd\"");
  EXPECT_EQ(fm["title"], R"({"en":"Micronesia (Federated States of) - First National Report"})");
  EXPECT_EQ(fm["submission"], "\"2014-05-02T02:46:50.120Z\"");
  EXPECT_NE(fm["files"].find("fm-nr-01-en.pdf"), std::string::npos);
  auto plans = Run("informea-odata-v2/national_plans.xml", "informea-odata/v3/NationalPlans.json");
  ASSERT_EQ(plans.size(), 2u);
  F at = Fields(plans[0]);
  EXPECT_EQ(at["country"], "\"AT\"");
  EXPECT_EQ(at["type"], "\"nbsap\"");
  EXPECT_EQ(at["title"],
            R"j({"en":"Austria - NBSAP v.1 (1998)","fr":"French Austria - NBSAP v.1 (1998)"})j");
  EXPECT_NE(at["files"].find("\"language\":\"es\""), std::string::npos);
  EXPECT_EQ(Fields(plans[1])["country"], "\"AL\"");
}

TEST_F(MappingCorpusTest, UnfcccRatificationStatus) {
  auto records =
      Run("status-csv/memberships.json", "ratification/unfccc-status.csv", {{"treaty", "unfccc"}});
  ASSERT_EQ(records.size(), 198u);
  std::map<std::string, F> by_id;
  std::map<std::string, int> statuses;
  for (const model::Record& r : records) {
    F f = Fields(r);
    EXPECT_EQ(f["treaty"], "\"unfccc\"");
    EXPECT_EQ(r.id(), "unfccc:" + f["country"].substr(1, f["country"].size() - 2));
    EXPECT_EQ(f.count("consent"), 1u) << r.id();
    ++statuses[f["status"]];
    EXPECT_TRUE(by_id.emplace(r.id(), f).second) << "duplicate " << r.id();
  }
  EXPECT_EQ(statuses["\"ratification\""], 154);
  EXPECT_EQ(statuses["\"accession\""], 32);
  EXPECT_EQ(statuses["\"acceptance\""], 6);
  EXPECT_EQ(statuses["\"approval\""], 5);
  EXPECT_EQ(statuses["\"succession\""], 1);
  EXPECT_EQ(by_id["unfccc:AF"], (F{{"entity", "\"Memberships\""},
                                   {"id", "\"unfccc:AF\""},
                                   {"treaty", "\"unfccc\""},
                                   {"country", "\"AF\""},
                                   {"status", "\"ratification\""},
                                   {"signature", "\"1992-06-12\""},
                                   {"consent", "\"2002-09-19\""}}));
  EXPECT_EQ(by_id["unfccc:EU"]["status"], "\"approval\"");     // EUU, the European Union
  EXPECT_EQ(by_id["unfccc:AG"]["consent"], "\"1993-02-02\"");  // "Antigua & Barbuda"
  EXPECT_EQ(by_id["unfccc:AL"].count("signature"), 0u);
}

}  // namespace
}  // namespace meabridge::mapping
