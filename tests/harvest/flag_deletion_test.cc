// The 'flag' deletion policy end to end: the mapping's <deleted> rules mark the records a source
// says are deleted, and the run tombstones them (under the mass-deletion guard). Two shapes: an
// OData V4 delta feed with `@removed` entries (the shipped V4 mapping, incremental="cursor",
// served on 127.0.0.1), and a CSV file with a soft-delete column.
#include <mutex>

#include "harvest_fixture.h"

namespace meabridge::harvest::test {
namespace {

using testing::HttpTestServer;
using testing::Reply;
using testing::SeenRequest;

constexpr int64_t kHour = 3600 * 1000;

class FlagDeletionTest : public HarvestTest {
 protected:
  FlagDeletionTest() : manual_(*core::ParseDateTime("2024-05-01T10:00:05Z")) { clock_ = &manual_; }
  core::ManualClock manual_;
};

std::string V4Contact(const std::string& id, const std::string& last_name) {
  return "{\"id\": \"" + id + "\", \"treaties\": [\"cbd\"], \"country\": \"FR\", \"lastName\": \"" +
         last_name + "\", \"updated\": \"2024-04-01T00:00:00Z\"}";
}
std::string Removed(const std::string& base, const std::string& id, const char* reason) {
  return "{\"@removed\": {\"reason\": \"" + std::string(reason) + "\"}, \"@id\": \"" + base +
         "/Contacts('" + id + "')\", \"id\": \"" + id + "\"}";
}

TEST_F(FlagDeletionTest, ODataV4DeltaRemovedEntriesBecomeTombstones) {
  std::mutex mu;
  std::string delta;  // what the current delta link answers
  int token = 1;      // of the delta link served last
  HttpTestServer server(nullptr);
  const std::string base = server.Url("");
  server.SetHandler([&](const SeenRequest& r) {
    std::lock_guard lock(mu);
    if (r.path != "/Contacts") return Reply::Status(404);
    std::string body;
    if (r.query.count("$deltatoken")) {
      body = "{\"@odata.context\": \"" + base + "/$metadata#Contacts/$delta\", \"value\": [" +
             delta + "]";
    } else {
      body = "{\"@odata.context\": \"" + base + "/$metadata#Contacts\", \"value\": [";
      for (int i = 0; i < 10; ++i) {
        body +=
            (i ? ",\n" : "\n") + V4Contact("c" + std::to_string(i), "Name " + std::to_string(i));
      }
      body += "]";
    }
    return Reply::Json(body + ", \"@odata.deltaLink\": \"" + base +
                       "/Contacts?$deltatoken=" + std::to_string(token++) + "\"}");
  });
  config::SourceConfig s =
      Source("v4-delta", server.Url("/Contacts"), "informea-odata-v4/contacts.json");
  s.incremental = "cursor";
  s.deletion = "flag";
  RunReport r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.created, 10);
  EXPECT_EQ(LiveCount(), 10);

  // The delta: one change, two removals (the reasons "deleted" and "changed" alike).
  {
    std::lock_guard lock(mu);
    delta = V4Contact("c1", "Changed") + ",\n" + Removed(base, "c8", "deleted") + ",\n" +
            Removed(base, "c9", "changed");
  }
  manual_.Advance(kHour);
  r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_FALSE(r.run.full);
  EXPECT_EQ(server.requests().back().target, "/Contacts?$deltatoken=1")
      << "the run did not follow the delta link";
  EXPECT_EQ(r.run.counts.fetched, 3);
  EXPECT_EQ(r.run.counts.updated, 1);
  EXPECT_EQ(r.run.counts.deleted, 2);
  EXPECT_EQ(r.run.counts.rejected, 0);
  EXPECT_EQ(Field("c1", "lastName"), "Changed");
  EXPECT_FALSE(Live("c8"));
  EXPECT_FALSE(Live("c9"));
  EXPECT_EQ(LiveCount(), 8);
  // The tombstones are changes a delta link reports.
  int tombstones = 0;
  auto view = store_->Read();
  ASSERT_TRUE((*view)
                  ->ScanChanges(&Contacts(), 0, -1,
                                [&](const store::Change& c) {
                                  tombstones += c.deleted;
                                  return Status::Ok();
                                })
                  .ok());
  EXPECT_EQ(tombstones, 2);

  // A delta removing 6 of the 8 records trips the guard: nothing is committed, and the cursor
  // stays so that the next run reads the same delta again.
  {
    std::lock_guard lock(mu);
    delta.clear();
    for (int i = 0; i < 6; ++i)
      delta += (i ? "," : "") + Removed(base, "c" + std::to_string(i), "deleted");
  }
  manual_.Advance(kHour);
  r = Harvest(s);
  EXPECT_EQ(r.run.status, "aborted");
  EXPECT_NE(r.run.error.find("would delete 6 of the 8 records"), std::string::npos) << r.run.error;
  EXPECT_EQ(LiveCount(), 8);
  manual_.Advance(kHour);
  r = Harvest(s, /*full=*/false, /*force=*/true);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.deleted, 6);
  EXPECT_EQ(LiveCount(), 2);
}

constexpr const char* kSoftDeleteMapping = R"(<mapping entity="Contacts">
  <decoder format="csv"/>
  <skip if="ID" is="blank"/>
  <deleted if="Deleted" in="yes|1|true" ignore-case="true"/>
  <id path="ID"/>
  <field name="treaties" path="Treaty"/>
  <field name="country" path="Country"><step fn="lookup" vocabulary="countries"/></field>
  <field name="lastName" path="Last name" required="true"/>
</mapping>)";

TEST_F(FlagDeletionTest, CsvSoftDeleteColumn) {
  const std::string mapping = dir_.File("soft-delete.xml");
  meabridge::testing::WriteFile(mapping, kSoftDeleteMapping);
  const std::string csv = dir_.File("people.csv");
  meabridge::testing::WriteFile(csv,
                                "ID,Treaty,Country,Last name,Deleted\n"
                                "p1,cbd,France,Lee,no\n"
                                "p2,cbd,FR,Roe,\n"
                                "p3,cbd,DE,Poe,No\n"
                                "p4,cbd,GH,Moe,0\n"
                                "p5,cbd,GH,Doe,\n"
                                "p6,cbd,GH,Foe,\n");
  config::SourceConfig s = Source("sheet", "");
  s.kind = "file";
  s.path = csv;
  s.mapping = mapping;
  s.deletion = "flag";
  RunReport r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.created, 6);
  EXPECT_EQ(r.run.counts.deleted, 0);

  // p2 is soft-deleted: its row no longer has a last name (the mapping requires one), yet only
  // its id is mapped, so it is a deletion mark and not a reject.
  meabridge::testing::WriteFile(csv,
                                "ID,Treaty,Country,Last name,Deleted\n"
                                "p1,cbd,France,Lee,no\n"
                                "p2,cbd,FR,,YES\n"
                                "p3,cbd,DE,Poe,No\n"
                                "p4,cbd,GH,Moe,0\n"
                                "p5,cbd,GH,Doe,\n"
                                "p6,cbd,GH,Foe,\n");
  manual_.Advance(kHour);
  r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.fetched, 6);
  EXPECT_EQ(r.run.counts.deleted, 1);
  EXPECT_EQ(r.run.counts.rejected, 0);
  EXPECT_EQ(r.run.counts.unchanged, 5);
  EXPECT_FALSE(Live("p2"));
  EXPECT_EQ(LiveCount(), 5);

  // A mark for a record already deleted (or never stored) deletes nothing more.
  meabridge::testing::WriteFile(csv,
                                "ID,Treaty,Country,Last name,Deleted\n"
                                "p1,cbd,France,Lee,no\n"
                                "p2,cbd,FR,,YES\n"
                                "p3,cbd,DE,Poe,No\n"
                                "p4,cbd,GH,Moe,0\n"
                                "p5,cbd,GH,Doe,\n"
                                "p6,cbd,GH,Foe,\n"
                                "p9,cbd,GH,Zoe,true\n");
  manual_.Advance(kHour);
  r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.deleted, 0);
  EXPECT_EQ(LiveCount(), 5);

  // With deletion="none" the marks are ignored: p1 stays.
  s.deletion = "none";
  meabridge::testing::WriteFile(csv,
                                "ID,Treaty,Country,Last name,Deleted\n"
                                "p1,cbd,France,Lee,yes\n"
                                "p3,cbd,DE,Poe,No\n"
                                "p4,cbd,GH,Moe,0\n"
                                "p5,cbd,GH,Doe,\n"
                                "p6,cbd,GH,Foe,\n");
  manual_.Advance(kHour);
  r = Harvest(s);
  ASSERT_TRUE(r.ok()) << r.run.error;
  EXPECT_EQ(r.run.counts.deleted, 0);
  EXPECT_TRUE(Live("p1"));
}

}  // namespace
}  // namespace meabridge::harvest::test
