// The InforMEA toolkit's views through config/informea-toolkit.xml: one contract suite over
// every sql driver (a SQLite file; the PostgreSQL and MariaDB servers the suite starts). The
// tables are shaped as the views of odata-provider/etc/informea_odata.sql (names, columns,
// MySQL types as the CREATE TABLE ... AS SELECT of informea_odata_tables.sql gives them over
// Drupal's columns), written here in MySQL's dialect and translated for the others; the rows are
// the tests' own. Checked: every field of each toolkit entity, the children's order, und, the
// merge's orphans and repeated parents, and each bad input's message (the run then commits
// nothing).
#include <Poco/Data/Session.h>
#include <Poco/Data/SQLite/Connector.h>
#include <stdlib.h>

#include <algorithm>

#include "harvest_fixture.h"
#include "model/canonical_json.h"
#include "support/sql_servers.h"

namespace meabridge::harvest::test {
namespace {

using meabridge::testing::SqlDatabase;

// The views, as MySQL tables (what the toolkit's informea_odata_tables.sql materialises).
constexpr const char* kViews[] = {
    R"(CREATE TABLE informea_contacts (`id` varchar(128), `country` varchar(255), `prefix` varchar(255),
       `firstName` varchar(255), `lastName` varchar(255), `position` varchar(255),
       `institution` varchar(255), `department` varchar(255), `type` varchar(255),
       `address` longtext, `email` varchar(255), `phoneNumber` varchar(255), `fax` varchar(255),
       `primary` tinyint, `updated` datetime, `nid` int))",
    R"(CREATE TABLE informea_contacts_treaties (`id` varchar(255), `contact_id` varchar(128),
       `treaty` varchar(255), `treatyUUID` varchar(128)))",
    R"(CREATE TABLE informea_decisions (`id` varchar(128), `link` varchar(2048), `type` varchar(255),
       `status` varchar(255), `number` varchar(255), `treaty` varchar(255), `treatyUUID` varchar(128),
       `published` varchar(20), `meetingId` varchar(128), `meetingTitle` varchar(255),
       `meetingUrl` varchar(2048), `updated` datetime, `displayOrder` int, `nid` int))",
    R"(CREATE TABLE informea_decisions_title (`id` varchar(255), `decision_id` varchar(128),
       `language` varchar(12), `title` varchar(255)))",
    R"(CREATE TABLE informea_decisions_longtitle (`id` varchar(255), `decision_id` varchar(128),
       `language` varchar(12), `long_title` longtext))",
    R"(CREATE TABLE informea_decisions_summary (`id` varchar(255), `decision_id` varchar(128),
       `language` varchar(12), `summary` longtext))",
    R"(CREATE TABLE informea_decisions_content (`id` varchar(255), `decision_id` varchar(128),
       `language` varchar(12), `content` longtext))",
    R"(CREATE TABLE informea_decisions_keywords (`id` varchar(255), `decision_id` varchar(128),
       `namespace` varchar(255), `term` varchar(255)))",
    R"(CREATE TABLE informea_decisions_documents (`id` varchar(255), `decision_id` varchar(128),
       `diskPath` varchar(255), `url` varchar(2048), `mimeType` varchar(255), `language` varchar(12),
       `filename` varchar(255)))",
    R"(CREATE TABLE informea_meetings (`id` varchar(128), `treaty` varchar(255), `treatyUUID` varchar(128),
       `url` varchar(2048), `start` varchar(20), `end` varchar(20), `repetition` varchar(255),
       `kind` varchar(255), `type` varchar(255), `access` varchar(255), `status` varchar(255),
       `imageUrl` varchar(2048), `imageCopyright` varchar(255), `location` varchar(255),
       `city` varchar(255), `virtual` tinyint, `country` varchar(255), `latitude` varchar(20),
       `longitude` varchar(20), `updated` datetime, `nid` int))",
    R"(CREATE TABLE informea_country_reports (`id` varchar(128), `treaty` varchar(255),
       `treatyUUID` varchar(128), `country` varchar(255), `submission` varchar(20),
       `url` varchar(2048), `nid` int))",
    R"(CREATE TABLE informea_country_reports_title (`id` varchar(255),
       `country_report_id` varchar(128), `language` varchar(12), `title` varchar(255)))",
    R"(CREATE TABLE informea_country_reports_documents (`id` varchar(255),
       `country_report_id` varchar(128), `diskPath` varchar(255), `url` varchar(2048),
       `mimeType` varchar(255), `language` varchar(12), `filename` varchar(255)))",
    R"(CREATE TABLE informea_national_plans (`id` varchar(128), `treaty` varchar(255),
       `treatyUUID` varchar(128), `country` varchar(255), `submission` varchar(20),
       `url` varchar(2048), `type` varchar(255), `nid` int))",
    R"(CREATE TABLE informea_national_plans_title (`id` varchar(255),
       `national_plan_id` varchar(128), `language` varchar(12), `title` varchar(255)))",
    R"(CREATE TABLE informea_national_plans_documents (`id` varchar(255),
       `national_plan_id` varchar(128), `diskPath` varchar(255), `url` varchar(2048),
       `mimeType` varchar(255), `language` varchar(12), `filename` varchar(255)))",
    R"(CREATE TABLE informea_sites (`id` varchar(128), `type` varchar(255), `country` varchar(255),
       `treaty` varchar(255), `treatyUUID` varchar(128), `url` varchar(2048),
       `latitude` varchar(20), `longitude` varchar(20), `nid` int))",
    R"(CREATE TABLE informea_sites_name (`id` varchar(255), `site_id` varchar(128),
       `language` varchar(12), `name` varchar(255)))",
    R"(CREATE TABLE informea_meetings_title (`id` varchar(255), `meeting_id` varchar(128),
       `language` varchar(12), `title` varchar(255)))",
    R"(CREATE TABLE informea_meetings_description (`id` varchar(255), `meeting_id` varchar(128),
       `language` varchar(12), `description` longtext))",
    // Documents: informea_odata.sql spells `schemaversion` and `termuri` in lower case. The
    // views write NULL for thumbnailUrl, the authors' type, content and the @todo views'
    // columns (binary(0) as tables); the types here hold what the CMS/AEWA views write there.
    R"(CREATE TABLE informea_documents (`schemaversion` int, `id` varchar(128),
       `published` varchar(20), `updated` datetime, `treaty` varchar(255),
       `thumbnailUrl` varchar(255), `displayOrder` int, `country` varchar(255), `nid` int))",
    R"(CREATE TABLE informea_documents_title (`id` varchar(255), `document_id` varchar(128),
       `language` varchar(12), `value` varchar(255)))",
    R"(CREATE TABLE informea_documents_description (`id` varchar(255),
       `document_id` varchar(128), `language` varchar(12), `value` longtext))",
    R"(CREATE TABLE informea_documents_types (`id` varchar(255), `document_id` varchar(128),
       `value` varchar(255)))",
    R"(CREATE TABLE informea_documents_authors (`id` varchar(255), `document_id` varchar(128),
       `type` varchar(255), `name` varchar(255)))",
    R"(CREATE TABLE informea_documents_identifiers (`id` varchar(255),
       `document_id` varchar(128), `name` varchar(255), `value` varchar(255)))",
    R"(CREATE TABLE informea_documents_keywords (`id` varchar(255), `document_id` varchar(128),
       `termuri` varchar(2048), `scope` varchar(3), `literalForm` varchar(255),
       `sourceURL` varchar(2048)))",
    R"(CREATE TABLE informea_documents_tags (`id` varchar(255), `document_id` varchar(128),
       `language` varchar(12), `scope` varchar(255), `value` varchar(255),
       `comment` varchar(255)))",
    R"(CREATE TABLE informea_documents_references (`id` varchar(255),
       `document_id` varchar(128), `type` varchar(255), `refId` varchar(128)))",
    R"(CREATE TABLE informea_documents_files (`id` varchar(255), `document_id` varchar(128),
       `url` varchar(2048), `content` longtext, `mimeType` varchar(255), `language` varchar(12),
       `filename` varchar(255)))",
    R"(CREATE TABLE informea_documents_treaties (`id` varchar(255), `document_id` varchar(128),
       `treaty` varchar(255)))",
    // Treaties: id is node__field_odata_identifier's value (the machine name); the official
    // name a Drupal text field (longtext here).
    R"(CREATE TABLE informea_treaties (`id` varchar(255), `uuid` varchar(128), `url` varchar(290),
       `treatyWebsiteURL` varchar(2048), `titleEnglish` varchar(255),
       `officialNameEnglish` longtext, `updated` datetime, `nid` int))",
    R"(CREATE TABLE informea_treaties_title (`id` varchar(255), `treaty_id` varchar(255),
       `language` varchar(12), `title` varchar(255)))",
    R"(CREATE TABLE informea_treaties_description (`id` varchar(255), `treaty_id` varchar(255),
       `language` varchar(12), `description` longtext))",
};

// Two treaties: cms with every field the views give, aewa with a title only.
constexpr const char* kTreatyRows[] = {
    R"(INSERT INTO informea_treaties VALUES ('aewa', 'u-aewa',
       'https://www.informea.org/treaties/aewa', NULL, 'AEWA', NULL, '2024-05-02 10:00:00', 2),
       ('cms', 'u-cms', 'https://www.informea.org/treaties/cms', 'https://www.cms.int', 'CMS',
       'Convention on the Conservation of Migratory Species of Wild Animals',
       '2024-05-01 10:00:00', 1))",
    R"(INSERT INTO informea_treaties_title VALUES ('aewa-en', 'aewa', 'en', 'AEWA'),
       ('cms-en', 'cms', 'en', 'CMS'), ('cms-fr', 'cms', 'fr', 'CMS (fr)'))",
    R"(INSERT INTO informea_treaties_description VALUES
       ('cms-en', 'cms', 'en', 'The Convention on Migratory Species'),
       ('cms-es', 'cms', 'es', 'La Convención sobre las Especies Migratorias'))",
};
constexpr const char* kCms =
    R"j({"entity":"Treaties","id":"cms","updated":"2024-05-01T10:00:00Z",)j"
    R"j("title":{"en":"CMS","fr":"CMS (fr)"},)j"
    R"j("officialName":{"en":"Convention on the Conservation of Migratory Species of Wild Animals"},)j"
    R"j("description":{"en":"The Convention on Migratory Species",)j"
    R"j("es":"La Convención sobre las Especies Migratorias"},"url":"https://www.cms.int"})j";
constexpr const char* kAewa =
    R"j({"entity":"Treaties","id":"aewa","updated":"2024-05-02T10:00:00Z","title":{"en":"AEWA"}})j";

// Two documents: doc1 with every field and several rows per child (in the views' order, by
// id: ids that sort alike in every collation), doc2 with a title only.
constexpr const char* kDocumentRows[] = {
    R"(INSERT INTO informea_documents VALUES (1, 'doc1', '2019-05-20', '2024-05-01 10:00:00',
       'cms', 'https://cms.int/atlas.png', 1, 'KE', 61),
       (1, 'doc2', NULL, '2024-05-02 10:00:00', NULL, NULL, NULL, NULL, 62))",
    R"(INSERT INTO informea_documents_title VALUES ('doc1-en', 'doc1', 'en', 'Flyway atlas'),
       ('doc1-fr', 'doc1', 'fr', 'Atlas des voies de migration'), ('doc2-en', 'doc2', 'en', 'Report'))",
    R"(INSERT INTO informea_documents_description VALUES
       ('doc1-en', 'doc1', 'en', 'An atlas of the flyways'), ('doc1-es', 'doc1', 'es', 'Un atlas'))",
    R"(INSERT INTO informea_documents_types VALUES ('doc1-223', 'doc1', 'Publication'),
       ('doc1-229', 'doc1', 'Guidance'))",
    R"(INSERT INTO informea_documents_authors VALUES ('61-11', 'doc1', NULL, 'UNEP/CMS Secretariat'),
       ('61-12', 'doc1', 'organisation', 'BirdLife International'))",
    R"(INSERT INTO informea_documents_identifiers VALUES ('doc1-isbn', 'doc1', 'isbn', '978-3-937429-00-0'))",
    R"(INSERT INTO informea_documents_keywords VALUES ('61-5', 'doc1',
       'http://www.informea.org/terms/migratory-species', 'leo', 'migratory species',
       'https://www.informea.org/taxonomy/term/5'),
       ('61-6', 'doc1', 'http://www.informea.org/terms/wetlands', 'leo', 'wetlands', NULL))",
    R"(INSERT INTO informea_documents_tags VALUES ('doc1-t1', 'doc1', 'en', 'cms', 'flyways', 'from the CMS site'))",
    R"(INSERT INTO informea_documents_references VALUES ('CountryReports-61-90', 'doc1',
       'CountryReports', 'r1'), ('NationalPlans-61-80', 'doc1', 'NationalPlans', 'p1'))",
    R"(INSERT INTO informea_documents_files VALUES
       ('61-en', 'doc1', 'https://www.informea.org/sites/default/files/atlas.pdf', NULL,
        'application/pdf', 'en', 'atlas.pdf'),
       ('61-fr', 'doc1', 'https://www.informea.org/sites/default/files/atlas-fr.pdf', 'Texte',
        'application/pdf', 'fr', 'atlas-fr.pdf'))",
    R"(INSERT INTO informea_documents_treaties VALUES ('61-1', 'doc1', 'cms'), ('61-2', 'doc1', 'aewa'))",
};

constexpr const char* kDoc1 =
    R"({"entity":"Documents","id":"doc1","updated":"2024-05-01T10:00:00Z","treaty":"cms",)"
    R"("treaties":["cms","aewa"],"country":"KE",)"
    R"("title":{"en":"Flyway atlas","fr":"Atlas des voies de migration"},)"
    R"("description":{"en":"An atlas of the flyways","es":"Un atlas"},)"
    R"("published":"2019-05-20T00:00:00Z","thumbnailUrl":"https://cms.int/atlas.png",)"
    R"("displayOrder":1,"schemaVersion":"1","types":["Publication","Guidance"],)"
    R"("authors":[{"name":"UNEP/CMS Secretariat"},{"name":"BirdLife International","type":"organisation"}],)"
    R"("identifiers":[{"name":"isbn","value":"978-3-937429-00-0"}],)"
    R"("keywords":[{"literalForm":"migratory species","scope":"leo",)"
    R"("sourceURL":"https://www.informea.org/taxonomy/term/5",)"
    R"("termURI":"http://www.informea.org/terms/migratory-species"},)"
    R"({"literalForm":"wetlands","scope":"leo","termURI":"http://www.informea.org/terms/wetlands"}],)"
    R"("tags":[{"comment":"from the CMS site","language":"en","scope":"cms","value":"flyways"}],)"
    R"("referenceToEntities":[{"refId":"r1","type":"CountryReports"},{"refId":"p1","type":"NationalPlans"}],)"
    R"("files":[{"filename":"atlas.pdf","language":"en","mimeType":"application/pdf",)"
    R"("url":"https://www.informea.org/sites/default/files/atlas.pdf"},)"
    R"({"content":"Texte","filename":"atlas-fr.pdf","language":"fr","mimeType":"application/pdf",)"
    R"("url":"https://www.informea.org/sites/default/files/atlas-fr.pdf"}]})";
constexpr const char* kDoc2 =
    R"({"entity":"Documents","id":"doc2","updated":"2024-05-02T10:00:00Z",)"
    R"("title":{"en":"Report"},"schemaVersion":"1"})";

// Two decisions with every field; d1's files and titles in the views' order (by id).
constexpr const char* kDecisionRows[] = {
    R"(INSERT INTO informea_decisions VALUES ('d1', 'https://cms.int/doc/res-11-1', 'resolution',
       'active', '11.1', 'cms', 'u-cms', '2014-11-09', 'm1', 'COP11', 'https://cms.int/cop11',
       '2024-05-01 10:00:00', 3, 101))",
    R"(INSERT INTO informea_decisions VALUES ('d2', NULL, 'decision', NULL, '12.2', 'aewa', 'u-aewa',
       NULL, NULL, NULL, NULL, '2024-05-02 00:30:00', NULL, 102))",
    R"(INSERT INTO informea_decisions_title VALUES ('d1-en', 'd1', 'en', 'Migratory species'),
       ('d1-es', 'd1', 'es', 'Especies migratorias'), ('d1-fr', 'd1', 'fr', 'Espèces migratrices'),
       ('d2-en', 'd2', 'en', 'Flyways'))",
    R"(INSERT INTO informea_decisions_longtitle VALUES ('d1-en', 'd1', 'en', 'Resolution 11.1 on migratory species'))",
    R"(INSERT INTO informea_decisions_summary VALUES ('d1-en', 'd1', 'en', 'Summary'),
       ('d1-fr', 'd1', 'fr', 'Résumé'))",
    R"(INSERT INTO informea_decisions_content VALUES ('d1-en', 'd1', 'en', 'Full text'))",
    R"(INSERT INTO informea_decisions_keywords VALUES ('d1-1', 'd1', 'https://www.informea.org/terms/', 'migratory species'),
       ('d1-2', 'd1', 'https://www.informea.org/terms/', 'birds'))",
    R"(INSERT INTO informea_decisions_documents VALUES
       ('d1-a', 'd1', 'public://a.pdf', 'https://cms.int/a.pdf', 'application/pdf', 'en', 'a.pdf'),
       ('d1-b', 'd1', 'public://b.doc', 'https://cms.int/b.doc', 'application/msword', 'fr', 'b.doc'),
       ('d1-c', 'd1', 'public://c.pdf', 'https://cms.int/c.pdf', 'application/pdf', 'es', 'c.pdf'))",
};

constexpr const char* kD1 =
    R"({"entity":"Decisions","id":"d1","updated":"2024-05-01T10:00:00Z","treaty":"cms",)"
    R"("number":"11.1","type":"resolution","status":"active",)"
    R"("title":{"en":"Migratory species","es":"Especies migratorias","fr":"Espèces migratrices"},)"
    R"("longTitle":{"en":"Resolution 11.1 on migratory species"},)"
    R"("summary":{"en":"Summary","fr":"Résumé"},"content":{"en":"Full text"},)"
    R"("link":"https://cms.int/doc/res-11-1","published":"2014-11-09T00:00:00Z",)"
    R"("meetingId":"m1","meetingTitle":"COP11","meetingUrl":"https://cms.int/cop11",)"
    R"("displayOrder":3,"keywords":[{"term":"migratory species"},{"term":"birds"}],)"
    R"("files":[{"filename":"a.pdf","language":"en","mimeType":"application/pdf","url":"https://cms.int/a.pdf"},)"
    R"({"filename":"b.doc","language":"fr","mimeType":"application/msword","url":"https://cms.int/b.doc"},)"
    R"({"filename":"c.pdf","language":"es","mimeType":"application/pdf","url":"https://cms.int/c.pdf"}]})";
constexpr const char* kD2 =
    R"({"entity":"Decisions","id":"d2","updated":"2024-05-02T00:30:00Z","treaty":"aewa",)"
    R"("number":"12.2","type":"decision","title":{"en":"Flyways"}})";

class ToolkitSqlTest : public HarvestTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    HarvestTest::SetUp();
    std::string error;
    bool skip = false;
    db_ = SqlDatabase::Create(GetParam(), dir_.path(), &error, &skip);
    if (skip) GTEST_SKIP() << error;
    ASSERT_TRUE(db_) << error;
    for (const char* sql : kViews) ASSERT_TRUE(Exec(sql));
    config::LoadResult cfg =
        config::LoadConfigFile(meabridge::testing::SourceDir() + "/config/informea-toolkit.xml");
    ASSERT_TRUE(cfg.config) << (cfg.errors.empty() ? "" : cfg.errors[0].ToString());
    toolkit_ = cfg.config;
  }

  bool Exec(const std::string& sql) {
    std::string error;
    bool ok = db_->Exec(sql, &error);
    EXPECT_TRUE(ok) << error << "\n" << sql;
    return ok;
  }

  // The decision rows, with informea_decisions made a view over them that computes `column`
  // as `expression` (every other column as stored).
  bool DecisionsViewComputing(const std::string& column, const std::string& expression) {
    for (const char* sql : kDecisionRows) {
      if (!Exec(sql)) return false;
    }
    std::string select;
    for (const char* c : {"id", "link", "type", "status", "number", "treaty", "treatyUUID",
                          "published", "meetingId", "meetingTitle", "meetingUrl", "updated",
                          "displayOrder", "nid"}) {
      select += std::string(select.empty() ? "" : ", ") +
                (c == column ? expression + " AS `" + column + "`" : "`" + std::string(c) + "`");
    }
    return Exec("ALTER TABLE informea_decisions RENAME TO decisions_base") &&
           Exec("CREATE VIEW informea_decisions AS SELECT " + select + " FROM decisions_base");
  }

  // The shipped source `name`, pointed at the test's database.
  config::SourceConfig Toolkit(const std::string& name) {
    const config::SourceConfig* s = toolkit_->FindSource(name);
    EXPECT_TRUE(s) << name;
    config::SourceConfig out = *s;
    out.driver = db_->driver();
    out.connection = db_->connection();
    out.secret_env.clear();
    return out;
  }

  std::string Json(const std::string& entity, const std::string& id) {
    auto view = store_->Read();
    auto r = (*view)->Get(*model::Registry::Default().Find(entity), id);
    if (!r.ok() || !r->has_value()) return "(none)";
    return model::CanonicalJson(**r);
  }
  // The record without "updated" (the harvest time, for entities whose views have none).
  std::string JsonWithoutUpdated(const std::string& entity, const std::string& id) {
    std::string json = Json(entity, id);
    size_t at = json.find(R"("updated":")");
    if (at != std::string::npos) json.erase(at, json.find("\",", at + 11) + 2 - at);
    return json;
  }
  int64_t Count(const std::string& entity) {
    auto view = store_->Read();
    store::Query q;
    q.entity = model::Registry::Default().Find(entity);
    auto n = (*view)->Count(q);
    return n.ok() ? *n : -1;
  }
  // Each reject of `run` as "position: rule, id ID, field F, value V" (the parts it has), one
  // a line, sorted.
  std::string RejectLines(int64_t run) {
    std::vector<std::string> lines;
    for (const store::Reject& j : Rejects(run)) {
      std::string line = j.position + ": " + j.rule;
      if (!j.record_id.empty()) line += ", id " + j.record_id;
      if (!j.field.empty()) line += ", field " + j.field;
      if (!j.value.empty()) line += ", value " + j.value;
      lines.push_back(line);
    }
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const std::string& line : lines) out += line + "\n";
    return out;
  }
  // The run failed with a message holding every part, and stored nothing.
  void ExpectFailed(const RunReport& r, std::initializer_list<std::string> parts,
                    const std::string& entity = "Decisions") {
    EXPECT_EQ(r.run.status, "failed") << r.run.error;
    for (const std::string& p : parts) {
      EXPECT_NE(r.run.error.find(p), std::string::npos) << "'" << p << "' in: " << r.run.error;
    }
    EXPECT_EQ(Count(entity), 0) << "a failed run commits nothing";
  }

  std::unique_ptr<SqlDatabase> db_;
  std::shared_ptr<const config::Config> toolkit_;
};

TEST_P(ToolkitSqlTest, DecisionsComeWithEveryFieldAndTheirChildrenInOrder) {
  for (const char* sql : kDecisionRows) ASSERT_TRUE(Exec(sql));
  RunReport r = Harvest(Toolkit("toolkit-decisions"));
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.created, 2);
  EXPECT_EQ(r.run.counts.rejected, 0);
  EXPECT_EQ(Json("Decisions", "d1"), kD1);
  EXPECT_EQ(Json("Decisions", "d2"), kD2);
}

TEST_P(ToolkitSqlTest, ContactsComeWithTheirTreaties) {
  ASSERT_TRUE(Exec(R"(INSERT INTO informea_contacts VALUES ('c1', 'KE', 'Mr.', 'Peter', 'Otieno',
      'Director', 'Kenya Wildlife Service', 'Biodiversity', 'National Focal Point',
      'P.O. Box 40241, Nairobi', 'p@kws.go.ke', '+254 20 600800', '+254 20 600801', 1,
      '2024-05-01 10:00:00', 11), ('c2', 'FR', NULL, NULL, 'Martin', NULL, NULL, NULL, NULL,
      NULL, NULL, NULL, NULL, 0, '2024-05-02 10:00:00', 12))"));
  ASSERT_TRUE(Exec(R"(INSERT INTO informea_contacts_treaties VALUES ('c1-aewa', 'c1', 'aewa', 'u1'),
      ('c1-cms', 'c1', 'cms', 'u2'), ('c2-cms', 'c2', 'cms', 'u2'))"));
  RunReport r = Harvest(Toolkit("toolkit-contacts"));
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.created, 2);
  EXPECT_EQ(r.run.counts.rejected, 0);
  EXPECT_EQ(Json("Contacts", "c1"),
            R"({"entity":"Contacts","id":"c1","updated":"2024-05-01T10:00:00Z",)"
            R"("treaties":["aewa","cms"],"country":"KE","prefix":"Mr.","firstName":"Peter",)"
            R"("lastName":"Otieno","position":"Director","institution":"Kenya Wildlife Service",)"
            R"("department":"Biodiversity","type":"National Focal Point",)"
            R"("address":"P.O. Box 40241, Nairobi","email":"p@kws.go.ke",)"
            R"("phone":"+254 20 600800","fax":"+254 20 600801","primary":true})");
  EXPECT_EQ(Json("Contacts", "c2"),
            R"({"entity":"Contacts","id":"c2","updated":"2024-05-02T10:00:00Z",)"
            R"("treaties":["cms"],"country":"FR","lastName":"Martin","primary":false})");
}

TEST_P(ToolkitSqlTest, MeetingsComeWithEveryField) {
  ASSERT_TRUE(Exec(R"(INSERT INTO informea_meetings VALUES ('m1', 'cms', 'u-cms',
      'https://cms.int/cop14', '2024-02-12T08:00:00', '2024-02-17T17:00:00', 'triennial',
      'official', 'COP', 'public', 'confirmed', 'https://cms.int/cop14.png', '(c) CMS',
      'Samarkand Congress Centre', 'Samarkand', 0, 'UZ', '39.6547', '66.9758',
      '2024-05-01 10:00:00', 21))"));
  ASSERT_TRUE(Exec(R"(INSERT INTO informea_meetings_title VALUES ('m1-en', 'm1', 'en', 'COP14'),
      ('m1-fr', 'm1', 'fr', 'COP14 (fr)'))"));
  ASSERT_TRUE(Exec(R"(INSERT INTO informea_meetings_description VALUES
      ('m1-en', 'm1', 'en', 'The fourteenth meeting'))"));
  RunReport r = Harvest(Toolkit("toolkit-meetings"));
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.created, 1);
  EXPECT_EQ(Json("Meetings", "m1"),
            R"({"entity":"Meetings","id":"m1","updated":"2024-05-01T10:00:00Z","treaty":"cms",)"
            R"j("title":{"en":"COP14","fr":"COP14 (fr)"},"description":{"en":"The fourteenth meeting"},)j"
            R"("start":"2024-02-12T08:00:00Z","end":"2024-02-17T17:00:00Z","repetition":"triennial",)"
            R"("kind":"official","type":"cop","access":"public","status":"confirmed",)"
            R"("location":"Samarkand Congress Centre","city":"Samarkand","country":"UZ",)"
            R"("latitude":39.6547,"longitude":66.9758,"virtual":false,"url":"https://cms.int/cop14",)"
            R"j("imageUrl":"https://cms.int/cop14.png","imageCopyright":"(c) CMS"})j");
}

TEST_P(ToolkitSqlTest, CountryReportsNationalPlansAndSitesComeWithEveryField) {
  ASSERT_TRUE(Exec(R"(INSERT INTO informea_country_reports VALUES ('r1', 'ramsar', 'u', 'KE',
      '2021-06-30', 'https://ramsar.org/r1', 31))"));
  ASSERT_TRUE(Exec(R"(INSERT INTO informea_country_reports_title VALUES
      ('r1-en', 'r1', 'en', 'National report 2021'), ('r1-fr', 'r1', 'fr', 'Rapport national 2021'))"));
  ASSERT_TRUE(Exec(R"(INSERT INTO informea_country_reports_documents VALUES
      ('r1-a', 'r1', 'public://r1.pdf', 'https://ramsar.org/r1.pdf', 'application/pdf', 'en', 'r1.pdf'))"));
  ASSERT_TRUE(Exec(R"(INSERT INTO informea_national_plans VALUES ('p1', 'cbd', 'u', 'FR',
      '2019-03-01', 'https://cbd.int/p1', 'nbsap', 41))"));
  ASSERT_TRUE(Exec(R"(INSERT INTO informea_national_plans_title VALUES ('p1-fr', 'p1', 'fr', 'SNB'))"));
  ASSERT_TRUE(Exec(R"(INSERT INTO informea_sites VALUES ('s1', 'ramsar', 'KE', 'ramsar', 'u',
      'https://rsis.ramsar.org/s1', '-0.5', '36.3', 51))"));
  ASSERT_TRUE(Exec(R"(INSERT INTO informea_sites_name VALUES ('s1-en', 's1', 'en', 'Lake Naivasha'))"));
  RunReport r = Harvest(Toolkit("toolkit-country-reports"));
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(JsonWithoutUpdated("CountryReports", "r1"),
            R"j({"entity":"CountryReports","id":"r1","treaty":"ramsar","country":"KE",)j"
            R"j("title":{"en":"National report 2021","fr":"Rapport national 2021"},)j"
            R"j("submission":"2021-06-30T00:00:00Z","url":"https://ramsar.org/r1",)j"
            R"j("files":[{"filename":"r1.pdf","language":"en","mimeType":"application/pdf","url":"https://ramsar.org/r1.pdf"}]})j");
  r = Harvest(Toolkit("toolkit-national-plans"));
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(JsonWithoutUpdated("NationalPlans", "p1"),
            R"j({"entity":"NationalPlans","id":"p1","treaty":"cbd","country":"FR","type":"nbsap",)j"
            R"j("title":{"fr":"SNB"},"url":"https://cbd.int/p1","submission":"2019-03-01T00:00:00Z"})j");
  r = Harvest(Toolkit("toolkit-sites"));
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(JsonWithoutUpdated("Sites", "s1"),
            R"j({"entity":"Sites","id":"s1","treaty":"ramsar","country":"KE","type":"ramsar",)j"
            R"j("name":{"en":"Lake Naivasha"},"url":"https://rsis.ramsar.org/s1","latitude":-0.5,"longitude":36.3})j");
}

TEST_P(ToolkitSqlTest, OrphansAndRepeatedParentsAreRejectsWithPositions) {
  for (const char* sql : kDecisionRows) ASSERT_TRUE(Exec(sql));
  // A title of a decision that is not published (d0 sorts first, d15 between d1 and d2, d9
  // last), and d2 twice in the main view.
  ASSERT_TRUE(Exec(R"(INSERT INTO informea_decisions_title VALUES ('d0-en', 'd0', 'en', 'Gone'),
      ('d15-en', 'd15', 'en', 'Gone too'), ('d9-en', 'd9', 'en', 'Last'))"));
  ASSERT_TRUE(Exec(R"(INSERT INTO informea_decisions VALUES ('d2', NULL, 'decision', NULL, '12.2',
      'aewa', 'u-aewa', NULL, NULL, NULL, NULL, '2024-05-02 00:30:00', NULL, 103))"));
  RunReport r = Harvest(Toolkit("toolkit-decisions"));
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.created, 2);
  EXPECT_EQ(r.run.counts.rejected, 4);
  std::vector<store::Reject> rejects = Rejects(r.run.id);
  ASSERT_EQ(rejects.size(), 4u);
  std::map<std::string, store::Reject> by_position;
  for (const store::Reject& j : rejects) by_position[j.position] = j;
  ASSERT_TRUE(by_position.count("child 'title' row 1")) << rejects[0].position;
  const store::Reject& d0 = by_position["child 'title' row 1"];
  EXPECT_EQ(d0.rule, "orphan");
  EXPECT_EQ(d0.value, "d0");
  EXPECT_NE(d0.message.find("a row of child 'title' whose decision_id 'd0' matches no row of the "
                            "main query (key column 'id')"),
            std::string::npos)
      << d0.message;
  EXPECT_EQ(by_position["child 'title' row 5"].value, "d15");
  EXPECT_EQ(by_position["child 'title' row 7"].value, "d9");
  const store::Reject& dup = by_position["row 3"];
  EXPECT_EQ(dup.rule, "duplicate-id");
  EXPECT_EQ(dup.record_id, "d2");
  EXPECT_NE(dup.message.find("came already at"), std::string::npos) << dup.message;
  EXPECT_EQ(Json("Decisions", "d1"), kD1) << "the neighbours of orphans keep their children";
  EXPECT_EQ(Json("Decisions", "d2"), kD2);
}

TEST_P(ToolkitSqlTest, UndTakesTheDefaultLanguageOrIsARejectOfItsOwn) {
  for (const char* sql : kDecisionRows) ASSERT_TRUE(Exec(sql));
  ASSERT_TRUE(Exec("UPDATE informea_decisions_title SET `language` = 'und' WHERE id = 'd2-en'"));
  config::SourceConfig s = Toolkit("toolkit-decisions");
  ASSERT_EQ(s.default_language, "en") << "the shipped configuration reads und as English";
  RunReport r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(Json("Decisions", "d2"), kD2);

  s.default_language.clear();
  r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  std::vector<store::Reject> rejects = Rejects(r.run.id);
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].rule, "undetermined-language");
  EXPECT_EQ(rejects[0].record_id, "d2");
  EXPECT_EQ(rejects[0].position, "row 2");
  EXPECT_EQ(rejects[0].field, "title");

  ASSERT_TRUE(Exec("UPDATE informea_decisions_title SET `language` = 'xx' WHERE id = 'd2-en'"));
  r = Harvest(s);
  rejects = Rejects(r.run.id);
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].rule, "language");
  EXPECT_NE(rejects[0].message.find("'xx' is not a known language"), std::string::npos)
      << rejects[0].message;

  s.default_language = "elvish";
  r = Harvest(s);
  EXPECT_EQ(r.run.status, "failed");
  EXPECT_NE(r.run.error.find("source 'toolkit-decisions': default-language 'elvish' is not a "
                             "language"),
            std::string::npos)
      << r.run.error;
}

TEST_P(ToolkitSqlTest, BadChildQueriesAreErrorsNamingSourceQueryAndColumn) {
  for (const char* sql : kDecisionRows) ASSERT_TRUE(Exec(sql));
  config::SourceConfig good = Toolkit("toolkit-decisions");
  const std::string who = "source 'toolkit-decisions' (" + db_->driver() + ")";

  config::SourceConfig s = good;
  s.children[0].query = "SELECT id, `language`, title FROM informea_decisions_title ORDER BY id";
  s.children[0].query = db_->Translate(s.children[0].query);
  ExpectFailed(Harvest(s), {who, "child 'title' has no key column 'decision_id'",
                            "its columns: id, language, title", s.children[0].query});

  s = good;
  s.key = "nid";
  s.query = "SELECT * FROM informea_decisions ORDER BY nid";
  ExpectFailed(Harvest(s), {who, "child 'title' key column 'decision_id' is text where the main "
                                 "query's key column 'nid' is an integer",
                            "informea_decisions_title"});

  s = good;
  s.key = "no_such";
  ExpectFailed(Harvest(s), {who, "the main query has no key column 'no_such'", "number"});

  s = good;
  s.query = "SELECT * FROM informea_decisions ORDER BY id DESC";
  ExpectFailed(Harvest(s), {who, "the main query is not ordered by id", "'d2' came before 'd1'",
                            "row 2", "ORDER BY id DESC"});

  s = good;
  ASSERT_TRUE(Exec("INSERT INTO informea_decisions_documents VALUES ('d2-a', 'd2', 'x', "
                   "'https://aewa.org/x.pdf', 'application/pdf', 'en', 'x.pdf')"));
  s.children[5].query =
      "SELECT * FROM informea_decisions_documents ORDER BY decision_id DESC, id";
  ExpectFailed(Harvest(s), {who, "child 'files' is not ordered by decision_id",
                            "'d2' came before 'd1'"});

  s = good;
  s.children[1].query = "SELECT * FROM informea_decisions_long_title ORDER BY decision_id";
  ExpectFailed(Harvest(s), {who, "child 'longtitle'", "informea_decisions_long_title"});

  s = good;
  s.children.pop_back();
  ExpectFailed(Harvest(s), {"source 'toolkit-decisions': the mapping", "decisions.xml",
                            "reads child rows 'files' (files/*)",
                            "<child name=\"files\" query=\"...\" key=\"...\"/>"});

  s = good;
  s.children.push_back({"authors", "SELECT * FROM informea_decisions_title", "decision_id", {}});
  ExpectFailed(Harvest(s), {"source 'toolkit-decisions': child 'authors' is never read by the "
                            "mapping"});
}

TEST_P(ToolkitSqlTest, TimestampsWithoutOffsetAreReadInTheSourcesTimeZone) {
  for (const char* sql : kDecisionRows) ASSERT_TRUE(Exec(sql));
  config::SourceConfig s = Toolkit("toolkit-decisions");
  EXPECT_EQ(s.time_zone, "") << "the toolkit's DATETIMEs are UTC (the session's zone)";
  s.time_zone = "Europe/Paris";  // 2024-05-01 10:00 local is 08:00 UTC (summer time)
  RunReport r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_NE(Json("Decisions", "d1").find(R"("updated":"2024-05-01T08:00:00Z")"), std::string::npos)
      << Json("Decisions", "d1");
  EXPECT_NE(Json("Decisions", "d1").find(R"("published":"2014-11-09T00:00:00Z")"),
            std::string::npos)
      << "a plain date is a date, in no zone";
  s.time_zone = "+05:30";
  r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_NE(Json("Decisions", "d2").find(R"("updated":"2024-05-01T19:00:00Z")"), std::string::npos)
      << Json("Decisions", "d2");
  s.time_zone = "Mars/Olympus_Mons";
  r = Harvest(s);
  EXPECT_EQ(r.run.status, "failed");
  EXPECT_NE(r.run.error.find("source 'toolkit-decisions': time zone 'Mars/Olympus_Mons' is not "
                             "in the system's tz database"),
            std::string::npos)
      << r.run.error;
}

TEST_P(ToolkitSqlTest, DocumentsComeWithEveryFieldAndTheirChildrenInOrder) {
  for (const char* sql : kDocumentRows) ASSERT_TRUE(Exec(sql));
  RunReport r = Harvest(Toolkit("toolkit-documents"));
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.created, 2);
  EXPECT_EQ(r.run.counts.rejected, 0);
  EXPECT_EQ(Json("Documents", "doc1"), kDoc1);
  EXPECT_EQ(Json("Documents", "doc2"), kDoc2);
}

TEST_P(ToolkitSqlTest, DocumentsFromTheCmsAndAewaViewsSpellingsAndShapes) {
  // The AEWA/CMS informea_documents: schemaVersion and termURI in camel case, published a DATE
  // (CONVERT(..., DATE)), treaty NULL (the treaties come from informea_documents_treaties),
  // country UPPER(ISO alpha-3), displayOrder 0; their @todo views are one row of NULLs.
  for (const char* sql : kDocumentRows) ASSERT_TRUE(Exec(sql));
  ASSERT_TRUE(Exec("DROP TABLE informea_documents"));
  ASSERT_TRUE(Exec("DROP TABLE informea_documents_keywords"));
  ASSERT_TRUE(Exec(R"(CREATE TABLE informea_documents (`schemaVersion` int, `id` varchar(128),
      `published` date, `updated` datetime, `treaty` varchar(255), `thumbnailUrl` varchar(255),
      `displayOrder` int, `country` varchar(255), `nid` int))"));
  ASSERT_TRUE(Exec(R"(CREATE TABLE informea_documents_keywords (`id` varchar(255),
      `document_id` varchar(128), `termURI` varchar(255), `scope` varchar(3),
      `literalForm` varchar(255), `sourceURL` varchar(255)))"));
  ASSERT_TRUE(Exec(R"(INSERT INTO informea_documents VALUES (1, 'doc1', '2019-05-20',
      '2024-05-01 10:00:00', NULL, NULL, 0, 'KEN', 61), (1, 'doc2', NULL, '2024-05-02 10:00:00',
      NULL, NULL, 0, NULL, 62))"));
  ASSERT_TRUE(Exec(R"(INSERT INTO informea_documents_keywords VALUES ('doc1-7', 'doc1',
      'https://www.informea.org/terms', 'leo', 'waterbirds', 'https://www.informea.org/terms'))"));
  ASSERT_TRUE(Exec("DELETE FROM informea_documents_identifiers"));
  ASSERT_TRUE(Exec("INSERT INTO informea_documents_identifiers VALUES (NULL, NULL, NULL, NULL)"));
  ASSERT_TRUE(Exec("DELETE FROM informea_documents_tags"));
  ASSERT_TRUE(Exec("INSERT INTO informea_documents_tags VALUES (NULL, NULL, NULL, NULL, NULL, NULL)"));
  RunReport r = Harvest(Toolkit("toolkit-documents"));
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.created, 2);
  EXPECT_EQ(r.run.counts.rejected, 0) << "a row of NULLs is no orphan";
  const std::string doc1 = Json("Documents", "doc1");
  for (const char* part :
       {R"("updated":"2024-05-01T10:00:00Z","treaties":["cms","aewa"],"country":"KE",)",
        R"("published":"2019-05-20T00:00:00Z","displayOrder":0,"schemaVersion":"1",)",
        R"("types":["Publication","Guidance"],)"
        R"("authors":[{"name":"UNEP/CMS Secretariat"},{"name":"BirdLife International","type":"organisation"}],)"
        R"("keywords":[{"literalForm":"waterbirds","scope":"leo",)"
        R"("sourceURL":"https://www.informea.org/terms","termURI":"https://www.informea.org/terms"}],)"
        R"("referenceToEntities":)"}) {
    EXPECT_NE(doc1.find(part), std::string::npos) << part << " in " << doc1;
  }
  EXPECT_EQ(doc1.find("\"tags\""), std::string::npos) << doc1;
  EXPECT_EQ(doc1.find("\"identifiers\""), std::string::npos) << doc1;
  EXPECT_EQ(Json("Documents", "doc2"),
            R"({"entity":"Documents","id":"doc2","updated":"2024-05-02T10:00:00Z",)"
            R"("title":{"en":"Report"},"displayOrder":0,"schemaVersion":"1"})");
}

TEST_P(ToolkitSqlTest, DocumentsOrphansRepeatedParentsAndBadLanguagesAreRejects) {
  for (const char* sql : kDocumentRows) ASSERT_TRUE(Exec(sql));
  // A file of an unpublished document (doc0 sorts first), an author of doc15 (between doc1
  // and doc2), a tag whose key is NULL but which holds a value (an orphan, unlike a row of
  // NULLs), doc2 twice in the main view.
  ASSERT_TRUE(Exec(R"(INSERT INTO informea_documents_files VALUES ('60-en', 'doc0',
      'https://www.informea.org/x.pdf', NULL, 'application/pdf', 'en', 'x.pdf'))"));
  ASSERT_TRUE(Exec(R"(INSERT INTO informea_documents_authors VALUES ('65-1', 'doc15', NULL, 'Gone'))"));
  ASSERT_TRUE(Exec(R"(INSERT INTO informea_documents_tags VALUES (NULL, NULL, 'en', NULL, 'lost', NULL))"));
  ASSERT_TRUE(Exec(R"(INSERT INTO informea_documents VALUES (1, 'doc2', NULL, '2024-05-02 10:00:00',
      NULL, NULL, NULL, NULL, 63))"));
  RunReport r = Harvest(Toolkit("toolkit-documents"));
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.created, 2);
  // NULL sorts first in MySQL/MariaDB and SQLite, last in PostgreSQL.
  const std::string tag = db_->driver() == "postgresql" ? "row 2" : "row 1";
  EXPECT_EQ(RejectLines(r.run.id),
            "child 'authors' row 3: orphan, field authors, value doc15\n"
            "child 'files' row 1: orphan, field files, value doc0\n"
            "child 'tags' " + tag + ": orphan, field tags, value NULL\n"
            "row 3: duplicate-id, id doc2, field id, value doc2\n");
  bool null_key_named = false;
  for (const store::Reject& j : Rejects(r.run.id)) {
    null_key_named |= j.message.find("a row of child 'tags' whose document_id is NULL") == 0;
  }
  EXPECT_TRUE(null_key_named) << RejectLines(r.run.id);
  EXPECT_EQ(Json("Documents", "doc1"), kDoc1) << "the neighbours of orphans keep their children";
  EXPECT_EQ(Json("Documents", "doc2"), kDoc2);

  // Languages: und takes the default (en); a langcode that is no language rejects its record.
  ASSERT_TRUE(Exec("DELETE FROM informea_documents_files WHERE document_id = 'doc0'"));
  ASSERT_TRUE(Exec("DELETE FROM informea_documents_authors WHERE document_id = 'doc15'"));
  ASSERT_TRUE(Exec("DELETE FROM informea_documents_tags WHERE id IS NULL"));
  ASSERT_TRUE(Exec("DELETE FROM informea_documents WHERE nid = 63"));
  ASSERT_TRUE(Exec("UPDATE informea_documents_title SET `language` = 'und' WHERE id = 'doc2-en'"));
  ASSERT_TRUE(Exec("UPDATE informea_documents_files SET `language` = 'xx' WHERE id = '61-fr'"));
  r = Harvest(Toolkit("toolkit-documents"));
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(Json("Documents", "doc2"), kDoc2) << "und is the source's default-language, en";
  EXPECT_EQ(RejectLines(r.run.id), "row 1: lookup, id doc1, field files[1].language, value xx\n");

  ASSERT_TRUE(Exec("UPDATE informea_documents_files SET `language` = 'fr' WHERE id = '61-fr'"));
  ASSERT_TRUE(Exec("UPDATE informea_documents_description SET `language` = 'xx' WHERE id = 'doc1-es'"));
  r = Harvest(Toolkit("toolkit-documents"));
  EXPECT_EQ(RejectLines(r.run.id), "row 1: language, id doc1, field description, value xx\n");

  // The AEWA and CMS references write NULL AS refId (@todo): a reference to nothing.
  ASSERT_TRUE(Exec("UPDATE informea_documents_description SET `language` = 'es' WHERE id = 'doc1-es'"));
  ASSERT_TRUE(Exec("UPDATE informea_documents_references SET `refId` = NULL WHERE id = 'CountryReports-61-90'"));
  r = Harvest(Toolkit("toolkit-documents"));
  EXPECT_EQ(RejectLines(r.run.id), "row 1: required, id doc1, field referenceToEntities[0].refId\n");
}

TEST_P(ToolkitSqlTest, TreatiesComeWithEveryField) {
  for (const char* sql : kTreatyRows) ASSERT_TRUE(Exec(sql));
  RunReport r = Harvest(Toolkit("toolkit-treaties"));
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.created, 2);
  EXPECT_EQ(r.run.counts.rejected, 0);
  EXPECT_EQ(Json("Treaties", "cms"), kCms);
  EXPECT_EQ(Json("Treaties", "aewa"), kAewa);
}

TEST_P(ToolkitSqlTest, TreatiesOrphansRepeatedParentsUnknownTreatiesAndBadLanguagesAreRejects) {
  for (const char* sql : kTreatyRows) ASSERT_TRUE(Exec(sql));
  // A title of a treaty the main view leaves out (cbd, between aewa and cms), cms twice, a
  // machine name the treaties vocabulary does not know.
  ASSERT_TRUE(Exec("INSERT INTO informea_treaties_title VALUES ('cbd-en', 'cbd', 'en', 'CBD')"));
  ASSERT_TRUE(Exec(R"(INSERT INTO informea_treaties VALUES ('cms', 'u-cms',
      'https://www.informea.org/treaties/cms', 'https://www.cms.int', 'CMS', NULL,
      '2024-05-01 10:00:00', 3), ('narnia', 'u-n', 'https://www.informea.org/treaties/narnia',
      NULL, 'Narnia', NULL, '2024-05-01 10:00:00', 4))"));
  ASSERT_TRUE(Exec("INSERT INTO informea_treaties_title VALUES ('narnia-en', 'narnia', 'en', 'Narnia')"));
  RunReport r = Harvest(Toolkit("toolkit-treaties"));
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.created, 2);
  EXPECT_EQ(RejectLines(r.run.id),
            "child 'title' row 2: orphan, field title, value cbd\n"
            "row 3: duplicate-id, id cms, field id, value cms\n"
            "row 4: lookup, field id, value narnia\n");
  EXPECT_EQ(Json("Treaties", "cms"), kCms) << "the first of the repeated rows";
  EXPECT_EQ(Json("Treaties", "aewa"), kAewa);

  ASSERT_TRUE(Exec("DELETE FROM informea_treaties WHERE nid > 2"));
  ASSERT_TRUE(Exec("DELETE FROM informea_treaties_title WHERE treaty_id IN ('cbd', 'narnia')"));
  ASSERT_TRUE(Exec("UPDATE informea_treaties_title SET `language` = 'und' WHERE id = 'aewa-en'"));
  ASSERT_TRUE(Exec("UPDATE informea_treaties_description SET `language` = 'xx' WHERE id = 'cms-es'"));
  r = Harvest(Toolkit("toolkit-treaties"));
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(Json("Treaties", "aewa"), kAewa) << "und is the source's default-language, en";
  EXPECT_EQ(RejectLines(r.run.id), "row 2: language, id cms, field description, value xx\n");
}

TEST_P(ToolkitSqlTest, MysqlSessionsAnswerFromUnixtimeInUtc) {
  if (db_->driver() != "mysql") GTEST_SKIP() << "FROM_UNIXTIME is MySQL's";
  // The test server runs at +01:00 (support/mariadb_server.h); the view's FROM_UNIXTIME
  // answers in the session's zone, which the sql source sets to UTC.
  ASSERT_TRUE(DecisionsViewComputing("updated", "FROM_UNIXTIME(1714557600)"));
  RunReport r = Harvest(Toolkit("toolkit-decisions"));
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(Json("Decisions", "d1"), kD1) << "1714557600 is 2024-05-01T10:00:00Z";
}

// A streamed result waits while the other queries of the source sort: the server must not
// drop it after its default net_write_timeout of 60 s (a 400k-decision harvest was cut short).
TEST_P(ToolkitSqlTest, MysqlSessionsWaitAnHourForTheClient) {
  if (db_->driver() != "mysql") GTEST_SKIP() << "net_write_timeout is MySQL's";
  // A view cannot read a variable; a function it calls can.
  ASSERT_TRUE(Exec("CREATE FUNCTION session_write_timeout() RETURNS VARCHAR(20) NOT DETERMINISTIC "
                   "RETURN CAST(@@SESSION.net_write_timeout AS CHAR)"));
  ASSERT_TRUE(DecisionsViewComputing("number", "session_write_timeout()"));
  RunReport r = Harvest(Toolkit("toolkit-decisions"));
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_NE(Json("Decisions", "d1").find("\"number\":\"3600\""), std::string::npos)
      << Json("Decisions", "d1");
}

TEST_P(ToolkitSqlTest, ABadMysqlConnectionIsAnErrorNamingIt) {
  if (db_->driver() != "mysql") GTEST_SKIP() << "the MySQL/MariaDB reader's connection keys";
  config::SourceConfig s = Toolkit("toolkit-contacts");
  s.connection = "hots=127.0.0.1;" + s.connection;
  RunReport r = Harvest(s);
  ExpectFailed(r, {"source 'toolkit-contacts' (mysql), the main query (SELECT * FROM "
                   "informea_contacts ORDER BY id)",
                   "unknown connection key 'hots' (MySQL/MariaDB: host, port, db, user, "
                   "password, socket, character-set)"},
               "Contacts");
  s = Toolkit("toolkit-contacts");
  s.connection += ";password=wrong";
  ExpectFailed(Harvest(s), {"source 'toolkit-contacts' (mysql)", "cannot connect to 127.0.0.1:",
                            "Access denied"},
               "Contacts");
}

TEST_P(ToolkitSqlTest, AJsonCellKeyedByLanguageIsAMultilingualValue) {
  for (const char* sql : kDecisionRows) ASSERT_TRUE(Exec(sql));
  std::string aggregate = db_->driver() == "sqlite"       ? "json_group_object(t.`language`, t.title)"
                          : db_->driver() == "postgresql" ? "json_object_agg(t.`language`, t.title)::text"
                                                          : "JSON_OBJECTAGG(t.`language`, t.title)";
  meabridge::testing::WriteFile(dir_.File("titles.xml"), R"(<mapping entity="Decisions">
      <decoder format="csv"/><id path="id"/><field name="treaty" path="treaty"/>
      <field name="title" path="titles" shape="keyed"/></mapping>)");
  config::SourceConfig s = Toolkit("toolkit-decisions");
  s.mapping = dir_.File("titles.xml");
  s.children.clear();
  s.key.clear();
  s.query = db_->Translate("SELECT d.id, d.treaty, (SELECT " + aggregate +
                           " FROM informea_decisions_title t WHERE t.decision_id = d.id) AS titles"
                           " FROM informea_decisions d UNION ALL SELECT 'd3', 'cms', 'not json'"
                           " ORDER BY id");
  RunReport r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_NE(Json("Decisions", "d1")
                .find(R"("treaty":"cms","title":)"
                      R"({"en":"Migratory species","es":"Especies migratorias","fr":"Espèces migratrices"}})"),
            std::string::npos)
      << Json("Decisions", "d1");
  std::vector<store::Reject> rejects = Rejects(r.run.id);
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].record_id, "d3");
  EXPECT_EQ(rejects[0].rule, "multilingual");
  EXPECT_NE(rejects[0].message.find("expects a JSON object keyed by language"), std::string::npos)
      << rejects[0].message;
}

INSTANTIATE_TEST_SUITE_P(Drivers, ToolkitSqlTest,
                         ::testing::ValuesIn(meabridge::testing::SqlDatabase::Drivers()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace meabridge::harvest::test
