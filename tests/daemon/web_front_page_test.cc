// `/`, /favicon.ico and /docs/ on the real server with the daemon's and the publisher's routes:
// a browser gets an HTML page linking every feed of every entity set of the registry, the status
// page and the documentation, and every one of those links answers; an OData client
// (Accept: application/json) gets the OData V4 service document; the icon is the daemon's own,
// and no page refers to anything outside this server.
#include <pugixml.hpp>

#include <algorithm>
#include <set>

#include "daemon/web/docs.h"
#include "publish/publisher.h"
#include "web_fixture.h"

namespace meabridge::daemon::web::testing {
namespace {

class FrontPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::OpenStore("sqlite:" + dir_.File("store.db"));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
    auto context = std::make_shared<publish::Context>();
    context->registry = &model::Registry::Default();
    context_ = context;
    auto routes = std::make_shared<publish::http::RouteRegistry>();
    ASSERT_TRUE(publish::RegisterPublicRoutes(*routes, context_).ok());
    WebDeps deps;
    deps.control = &control_;
    deps.store = store_.get();
    deps.metrics = &metrics_;
    deps.publish = context_.get();
    ASSERT_TRUE(RegisterDaemonRoutes(*routes, deps).ok());
    publish::http::ServerOptions o;
    o.bind = "127.0.0.1";
    o.port = 0;
    o.connections.workers = 2;
    o.access_log = false;
    server_ = std::make_unique<publish::http::Server>(o, routes, store_.get());
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    base_ = "http://127.0.0.1:" + std::to_string(server_->port()) + "/";
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }
  HttpAnswer Get(const std::string& target,
                 const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return Call(server_->port(), "GET", target, headers);
  }
  // Every href and src of an HTML page that an XML parser reads.
  std::vector<std::string> Links(const std::string& html) {
    pugi::xml_document doc;
    pugi::xml_parse_result r = doc.load_string(html.c_str());
    EXPECT_TRUE(r) << r.description() << " at " << r.offset;
    std::vector<std::string> out;
    for (const pugi::xpath_node& n : doc.select_nodes("//*[@href or @src]")) {
      pugi::xml_attribute a = n.node().attribute("href");
      if (!a) a = n.node().attribute("src");
      out.emplace_back(a.value());
    }
    return out;
  }

  meabridge::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  FakeControl control_;
  Metrics metrics_;
  std::shared_ptr<const publish::Context> context_;
  std::unique_ptr<publish::http::Server> server_;
  std::string base_;
};

const std::vector<std::pair<std::string, std::string>> kBrowser = {
    {"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}};

TEST_F(FrontPageTest, BrowsersGetAPageLinkingEveryFeedTheStatusPageAndTheDocs) {
  HttpAnswer a = Get("/", kBrowser);
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(a.body.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(a.body.find("<script"), std::string::npos);
  std::vector<std::string> links = Links(a.body);
  std::set<std::string> set(links.begin(), links.end());
  for (const model::EntitySpec& e : model::Registry::Default().entities()) {
    for (const std::string& path :
         {"odata/v4/" + e.set_name, "informea.svc/" + e.set_name, "feeds/" + e.name + ".atom",
          "export/" + e.name + ".csv", "ld/" + e.name}) {
      EXPECT_TRUE(set.count(base_ + path)) << "no link to /" << path;
    }
  }
  for (const char* path : {"status", "docs/", "odata/v4/", "odata/v4/$metadata", "informea.svc/",
                           "informea.svc/$metadata", "ld/", "vocab/", "metrics", "favicon.ico"}) {
    EXPECT_TRUE(set.count(base_ + path)) << "no link to /" << path;
  }
  // Every link is this server's, and answers (the vocabularies are not loaded here: 503).
  for (const std::string& link : links) {
    ASSERT_EQ(link.rfind(base_, 0), 0u) << "an external reference: " << link;
    HttpAnswer l = Get("/" + link.substr(base_.size()));
    EXPECT_TRUE(l.status == 200 || (link == base_ + "vocab/" && l.status == 503))
        << link << " answers " << l.status;
  }
}

TEST_F(FrontPageTest, ODataClientsGetTheV4ServiceDocument) {
  for (const auto& headers : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {{"Accept", "application/json"}},
           {{"Accept", "application/json;odata.metadata=minimal"}}}) {
    HttpAnswer a = Get("/", headers);
    ASSERT_EQ(a.status, 200);
    EXPECT_EQ(a.body, Get("/odata/v4/", headers).body);
    EXPECT_EQ(a.Header("odata-version"), "4.0");
    EXPECT_NE(a.body.find("\"@odata.context\":\"" + base_ + "odata/v4/$metadata\""),
              std::string::npos)
        << a.body;
  }
  EXPECT_NE(Get("/?$format=json").body.find("\"kind\":\"EntitySet\""), std::string::npos);
  // No Accept at all, or */*: the page (what a person with curl reads best).
  EXPECT_EQ(Get("/").Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(Get("/", {{"Accept", "*/*"}}).Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(Get("/").Header("vary"), "Accept-Encoding, Accept");
}

TEST_F(FrontPageTest, TheIconIsTheDaemonsOwn) {
  HttpAnswer a = Get("/favicon.ico");
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.Header("content-type"), "image/svg+xml");
  pugi::xml_document svg;
  ASSERT_TRUE(svg.load_string(a.body.c_str()));
  EXPECT_STREQ(svg.first_child().name(), "svg");
  // The pages name it.
  EXPECT_NE(Get("/").body.find("<link rel=\"icon\" type=\"image/svg+xml\" href=\"" + base_ +
                               "favicon.ico\"/>"),
            std::string::npos);
}

TEST_F(FrontPageTest, DocsListEveryPageAndServeItsMarkdown) {
  HttpAnswer index = Get("/docs/");
  ASSERT_EQ(index.status, 200);
  std::vector<std::string> links = Links(index.body);
  ASSERT_FALSE(EmbeddedDocs().empty());
  for (const EmbeddedDoc& d : EmbeddedDocs()) {
    std::string href = base_ + "docs/" + std::string(d.name);
    EXPECT_NE(std::find(links.begin(), links.end(), href), links.end()) << href;
  }
  // The page is the file of this checkout, byte for byte.
  HttpAnswer page = Get("/docs/publishing.md");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(page.body, meabridge::testing::ReadFileOrDie(meabridge::testing::SourceDir() +
                                                         "/docs/publishing.md"));
  HttpAnswer missing = Get("/docs/nothing.md");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("\"nothing.md\""), std::string::npos) << missing.body;
  EXPECT_NE(missing.body.find("/docs/ lists them"), std::string::npos);
}

}  // namespace
}  // namespace meabridge::daemon::web::testing
