// Shared fixtures of the publisher's tests: a SQLite store in a TempDir loaded from the
// project's own fixture records (every entity set, multilingual texts, lists, items, a deletion
// and an update in a second run), a publisher on 127.0.0.1 port 0, and a small HTTP client.
//
// Header-only: tests/CMakeLists.txt builds only *_test.cc files of this folder.
#pragma once

#include <gtest/gtest.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "core/json.h"
#include "core/percent.h"
#include "core/strings.h"
#include "core/time.h"
#include "model/record.h"
#include "model/registry.h"
#include "publish/publisher.h"
#include "store/store.h"
#include "support/store_backends.h"
#include "support/test_support.h"
#include "vocab/vocabulary.h"

namespace meabridge::publish::testing {

using model::Item;
using model::ItemList;
using model::Multilingual;
using model::Record;
using model::StringList;
using model::Value;

inline const model::Registry& Reg() { return model::Registry::Default(); }
inline const model::EntitySpec& Set(const char* name) { return *Reg().Find(name); }

inline core::EpochMs Ms(const char* text) { return *core::ParseDateTime(text); }

inline Multilingual Ml(std::vector<std::pair<std::string, std::string>> texts) {
  Multilingual m;
  for (auto& [lang, text] : texts) model::SetText(m, lang, text);
  return m;
}

struct ContactSpec {
  const char* id;
  const char* country;  // "" for none
  StringList treaties;
  const char* first;
  const char* last;
  const char* updated;
  bool primary;
  ItemList roles = {};
  const char* email = "";
};

inline Record MakeContact(const ContactSpec& c) {
  Record r(Set("Contacts"));
  r.set_id(c.id);
  if (*c.country) r.Set("country", Value(std::string(c.country)));
  r.Set("treaties", Value(c.treaties));
  if (*c.first) r.Set("firstName", Value(std::string(c.first)));
  if (*c.last) r.Set("lastName", Value(std::string(c.last)));
  r.Set("updated", Value(model::DateTime{Ms(c.updated)}));
  r.Set("primary", Value(c.primary));
  r.Set("prefix", Value(std::string("Dr.")));
  if (!c.roles.empty()) r.Set("roles", Value(c.roles));
  if (*c.email) r.Set("email", Value(std::string(c.email)));
  return r;
}

// The contacts of the first run. c05 and c06 share their `updated` (paging ties); c20 is
// deleted and c03 changed by the second run.
inline std::vector<Record> FixtureContacts() {
  std::vector<ContactSpec> specs = {
      {"c01",
       "FR",
       {"cbd"},
       "Amina",
       "Diallo",
       "2020-01-01T10:00:00Z",
       true,
       {Item{{"treaty", "cbd"}, {"role", "CHM NFP"}}},
       "amina@example.org"},
      {"c02", "FR", {"cbd", "cites"}, "Luis", "García", "2020-02-01T10:00:00Z", false},
      {"c03", "DE", {"unfccc"}, "Mei", "Chen", "2020-03-01T10:00:00Z", true},
      {"c04",
       "KE",
       {"cbd", "cartagena"},
       "Olga",
       "Ivanova",
       "2020-04-01T10:00:00Z",
       false,
       {Item{{"treaty", "cartagena"}, {"role", "BCH NFP"}},
        Item{{"treaty", "cbd"}, {"role", "Primary NFP"}}}},
      {"c05", "BR", {"cites"}, "Kwame", "Mensah", "2020-05-01T10:00:00Z", true},
      {"c06", "BR", {"cites", "cms"}, "Sofia", "Rossi", "2020-05-01T10:00:00Z", false},
      {"c07", "FR", {"unfccc", "cbd"}, "Arjun", "Sharma", "2021-01-15T08:30:00Z", true},
      {"c08", "", {"ramsar"}, "Fatima", "Haddad", "2021-02-15T08:30:00Z", false},
      {"c09",
       "IN",
       {"cbd"},
       "Jean",
       "Dupont",
       "2021-03-15T08:30:00Z",
       true,
       {},
       "jean.dupont@example.org"},
      {"c10", "IN", {"cms"}, "Ana", "Silva", "2021-04-15T08:30:00Z", false},
      {"c11", "US", {"cites"}, "Tomas", "Novak", "2021-05-15T08:30:00Z", true},
      {"c12", "US", {"cbd", "cites", "cms"}, "Yuki", "Sato", "2021-06-15T08:30:00Z", false},
      {"c13", "FR", {"cms"}, "O'Brien", "Kelly", "2022-01-01T00:00:00Z", false},
      {"c14", "DE", {"cbd"}, "Zoë", "Müller", "2022-02-01T00:00:00Z", true},
      {"c15", "KE", {"unfccc"}, "Amina", "Otieno", "2022-03-01T00:00:00Z", false},
      {"c16", "BR", {"cbd"}, "Luis", "Souza", "2022-04-01T00:00:00Z", true},
      {"c17", "FR", {"ramsar", "cbd"}, "Mei", "Lin", "2022-05-01T00:00:00Z", false},
      {"c18", "CN", {"cbd"}, "Wei", "Zhang", "2022-06-01T00:00:00Z", true},
      {"c19", "CN", {"unfccc"}, "Li", "Wang", "2022-07-01T00:00:00Z", false},
      {"c20", "FR", {"cites"}, "Gone", "Soon", "2022-08-01T00:00:00Z", false},
  };
  std::vector<Record> out;
  for (const ContactSpec& s : specs) out.push_back(MakeContact(s));
  return out;
}

inline std::vector<Record> FixtureTreaties() {
  std::vector<Record> out;
  auto add = [&](const char* id, Multilingual title, const char* parent, const char* eif) {
    Record r(Set("Treaties"));
    r.set_id(id);
    r.Set("title", Value(std::move(title)));
    if (*parent) r.Set("parent", Value(std::string(parent)));
    if (*eif) r.Set("entryIntoForce", Value(*core::ParseDate(eif)));
    r.Set("updated", Value(model::DateTime{Ms("2019-01-01T00:00:00Z")}));
    out.push_back(std::move(r));
  };
  add("cbd",
      Ml({{"en", "Convention on Biological Diversity"},
          {"fr", "Convention sur la diversité biologique"},
          {"es", "Convenio sobre la Diversidad Biológica"}}),
      "", "1993-12-29");
  add("cartagena", Ml({{"en", "Cartagena Protocol on Biosafety"}}), "cbd", "2003-09-11");
  add("nagoya", Ml({{"en", "Nagoya Protocol"}, {"zh-hans", "名古屋议定书"}}), "cbd", "2014-10-12");
  add("cites", Ml({{"en", "CITES"}}), "", "1975-07-01");
  add("unfccc", Ml({{"en", "United Nations Framework Convention on Climate Change"}}), "",
      "1994-03-21");
  add("cms", Ml({{"en", "Convention on Migratory Species"}}), "", "1983-11-01");
  return out;
}

inline std::vector<Record> FixtureMemberships() {
  std::vector<Record> out;
  auto add = [&](const char* treaty, const char* country, const char* status, const char* consent) {
    Record r(Set("Memberships"));
    r.set_id(std::string(treaty) + ":" + country);
    r.Set("treaty", Value(std::string(treaty)));
    r.Set("country", Value(std::string(country)));
    r.Set("status", Value(std::string(status)));
    if (*consent) r.Set("consent", Value(*core::ParseDate(consent)));
    r.Set("updated", Value(model::DateTime{Ms("2019-06-01T00:00:00Z")}));
    out.push_back(std::move(r));
  };
  add("unfccc", "FR", "ratification", "1994-03-25");
  add("unfccc", "DE", "ratification", "1993-12-09");
  add("cbd", "FR", "approval", "1994-07-01");
  add("cbd", "US", "signatory", "");
  add("cites", "KE", "accession", "1978-12-13");
  return out;
}

inline std::vector<Record> FixtureDecisions() {
  std::vector<Record> out;
  auto add = [&](const char* id, const char* treaty, const char* number, Multilingual title,
                 const char* published, int64_t order, ItemList keywords, ItemList files) {
    Record r(Set("Decisions"));
    r.set_id(id);
    r.Set("treaty", Value(std::string(treaty)));
    r.Set("number", Value(std::string(number)));
    r.Set("type", Value(std::string("decision")));
    r.Set("status", Value(std::string("adopted")));
    r.Set("title", Value(std::move(title)));
    r.Set("published", Value(model::DateTime{Ms(published)}));
    r.Set("displayOrder", Value(order));
    if (!keywords.empty()) r.Set("keywords", Value(std::move(keywords)));
    if (!files.empty()) r.Set("files", Value(std::move(files)));
    r.Set("updated", Value(model::DateTime{Ms(published)}));
    out.push_back(std::move(r));
  };
  add("d1", "cbd", "XIV/1",
      Ml({{"en", "Biodiversity and climate change"},
          {"fr", "Diversité biologique et changements climatiques"}}),
      "2018-11-29T12:00:00Z", 10,
      {Item{{"term", "http://www.informea.org/terms/climate-change"}, {"label", "climate change"}}},
      {Item{{"url", "https://example.org/d1.pdf"},
            {"mimeType", "application/pdf"},
            {"language", "en"}}});
  add("d2", "cbd", "XIV/2", Ml({{"en", "Marine and coastal biodiversity"}}), "2018-11-30T12:00:00Z",
      20, {}, {});
  add("d3", "cites", "Conf. 10.10",
      Ml({{"en", "Trade in elephant specimens"}, {"es", "Comercio de especímenes de elefante"}}),
      "1997-06-20T00:00:00Z", 5,
      {Item{{"term", "http://www.informea.org/terms/trade"}, {"label", "trade"}}}, {});
  return out;
}

inline std::vector<Record> FixtureMeetings() {
  std::vector<Record> out;
  Record m(Set("Meetings"));
  m.set_id("m1");
  m.Set("treaty", Value(std::string("cbd")));
  m.Set("title", Value(Ml({{"en", "COP 14"}, {"fr", "CdP 14"}})));
  m.Set("start", Value(model::DateTime{Ms("2018-11-17T09:00:00Z")}));
  m.Set("end", Value(model::DateTime{Ms("2018-11-29T18:00:00Z")}));
  m.Set("country", Value(std::string("EG")));
  m.Set("city", Value(std::string("Sharm El-Sheikh")));
  m.Set("latitude", Value(27.9158));
  m.Set("longitude", Value(34.3300));
  m.Set("virtual", Value(false));
  m.Set("updated", Value(model::DateTime{Ms("2018-12-01T00:00:00Z")}));
  out.push_back(std::move(m));
  Record v(Set("Meetings"));
  v.set_id("m2");
  v.Set("treaty", Value(std::string("cites")));
  v.Set("title", Value(Ml({{"en", "Standing Committee, online"}})));
  v.Set("start", Value(model::DateTime{Ms("2021-03-01T13:00:00Z")}));
  v.Set("virtual", Value(true));
  v.Set("updated", Value(model::DateTime{Ms("2021-03-02T00:00:00Z")}));
  out.push_back(std::move(v));
  return out;
}

inline void Commit(store::Store& store, const std::string& source,
                   const std::vector<Record>& upserts,
                   const std::vector<std::pair<const model::EntitySpec*, std::string>>& deletes,
                   core::EpochMs started) {
  auto w = store.BeginRun(source, started, false);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  for (const Record& r : upserts) {
    auto o = (*w)->Upsert(r);
    ASSERT_TRUE(o.ok()) << r.id() << ": " << o.status().ToString();
  }
  for (const auto& [e, id] : deletes) {
    auto d = (*w)->Delete(*e, id);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
  }
  store::RunRecord summary;
  summary.status = "ok";
  summary.finished = started + 1000;
  ASSERT_TRUE((*w)->Commit(summary).ok());
}

// Every fixture record after both runs, for expectations.
inline std::vector<Record> LiveContacts() {
  std::vector<Record> out;
  for (Record& r : FixtureContacts()) {
    if (r.id() == "c20") continue;
    if (r.id() == "c03") r.Set("position", Value(std::string("Director")));
    out.push_back(std::move(r));
  }
  return out;
}

// A store loaded with the fixtures in two runs: SQLite in a TempDir unless Load is given
// another location (testing::OnEachStore, support/store_backends.h).
class FixtureStore {
 public:
  FixtureStore() = default;
  explicit FixtureStore(const std::string& location) { Load(location); }

  // REQUIRES: not loaded yet. Throws when the store cannot be opened.
  void Load(const std::string& location) {
    auto s = store::OpenStore(location.empty() ? "sqlite:" + dir_.File("store.db") : location);
    if (!s.ok()) throw std::runtime_error(s.status().ToString());
    store_ = std::move(*s);
    std::vector<Record> all;
    for (auto* list : {FixtureTreaties, FixtureContacts, FixtureMemberships, FixtureDecisions,
                       FixtureMeetings}) {
      for (Record& r : list()) all.push_back(std::move(r));
    }
    Commit(*store_, "fixtures", all, {}, Ms("2023-01-01T00:00:00Z"));
    seq_after_first_run_ = MaxSeq();
    Record changed = FixtureContacts()[2];
    changed.Set("position", Value(std::string("Director")));
    Commit(*store_, "fixtures", {changed}, {{&Set("Contacts"), "c20"}}, Ms("2023-02-01T00:00:00Z"));
  }

  store::Store& store() { return *store_; }
  const std::string& dir() const { return dir_.path(); }
  int64_t MaxSeq() {
    auto v = store_->Read();
    return v.ok() ? (*v)->MaxSeq().value() : -1;
  }
  int64_t seq_after_first_run() const { return seq_after_first_run_; }

 private:
  meabridge::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  int64_t seq_after_first_run_ = 0;
};

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  const std::string& Header(const std::string& name) const {
    static const std::string kNone;
    auto it = headers.find(name);
    return it == headers.end() ? kNone : it->second;
  }
};

inline HttpResult Fetch(int port, const std::string& target,
                        const std::vector<std::pair<std::string, std::string>>& headers = {},
                        const std::string& method = "GET", const std::string& body = "") {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(30, 0));
  Poco::Net::HTTPRequest req(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty()) req.setContentLength(static_cast<std::streamsize>(body.size()));
  std::ostream& os = session.sendRequest(req);
  if (!body.empty()) os << body;
  Poco::Net::HTTPResponse resp;
  std::istream& is = session.receiveResponse(resp);
  HttpResult r;
  r.status = static_cast<int>(resp.getStatus());
  for (const auto& [k, v] : resp) r.headers[core::AsciiLower(k)] = v;
  if (method != "HEAD") Poco::StreamCopier::copyToString(is, r.body);
  return r;
}

inline rapidjson::Document Json(const std::string& text) {
  rapidjson::Document d;
  Status s = json::Parse(text, d);
  EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << text.substr(0, 500);
  return d;
}

// Percent-encodes a query value (spaces as %20).
inline std::string Enc(const std::string& v) { return core::PercentEncode(v, "$'(),:/"); }

inline const vocab::Vocabularies* TestVocabularies() {
  static const vocab::Vocabularies* v = [] {
    auto loaded = vocab::Vocabularies::Load();
    return loaded.ok() ? loaded->release() : nullptr;
  }();
  return v;
}

// A publisher on 127.0.0.1 (an ephemeral port) over a fixture store.
class PublishTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string location = StoreLocation(fixture_.dir());
    ASSERT_FALSE(location.empty());
    ASSERT_NO_THROW(fixture_.Load(location));
    Start(Config());
  }

  // Where the fixture store lives: SQLite in its folder; testing::OnEachStore runs a fixture's
  // TEST_P tests on every backend (support/store_backends.h).
  virtual std::string StoreLocation(const std::string& dir) {
    return "sqlite:" + dir + "/store.db";
  }
  void TearDown() override {
    if (publisher_) publisher_->Stop();
  }

  virtual config::Config Config() {
    config::Config c;
    c.server_port = 0;
    c.server_threads = 8;
    c.server_page_size = 5;
    c.server_max_top = 50;
    c.server_access_log = false;
    return c;
  }

  void Start(const config::Config& c) {
    if (publisher_) publisher_->Stop();
    auto p = Publisher::Create(c, &fixture_.store(), TestVocabularies());
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    publisher_ = std::move(*p);
    ASSERT_TRUE(publisher_->Start().ok());
    port_ = publisher_->port();
  }

  HttpResult Get(const std::string& target,
                 const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return Fetch(port_, target, headers);
  }

  // The ids of a V4 collection response's `value`.
  static std::vector<std::string> Ids(const rapidjson::Document& d) {
    std::vector<std::string> ids;
    if (!d.IsObject() || !d.HasMember("value")) return ids;
    for (const auto& v : d["value"].GetArray()) {
      if (v.IsObject() && v.HasMember("id") && v["id"].IsString())
        ids.emplace_back(v["id"].GetString());
    }
    return ids;
  }

  FixtureStore fixture_;
  std::unique_ptr<Publisher> publisher_;
  int port_ = 0;
};

}  // namespace meabridge::publish::testing
