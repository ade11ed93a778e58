// The real binary publishing: `meabridge serve` on the embedded default (the README's first
// command) and on a configured store that another process writes to, stopped by SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/time.h"
#include "model/record.h"
#include "model/registry.h"
#include "store/store.h"
#include "support/postgres_server.h"
#include "support/serve_process.h"
#include "support/store_backends.h"
#include "support/test_support.h"

namespace meabridge {
namespace {

using meabridge::testing::TempDir;

// `meabridge serve` as a child process (support/serve_process.h).
using Daemon = meabridge::testing::ServeProcess;

struct Answer {
  int status = 0;
  std::string etag;
  std::string body;
};

Answer Get(int port, const std::string& target) {
  Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest req("GET", target, Poco::Net::HTTPMessage::HTTP_1_1);
  s.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  std::istream& in = s.receiveResponse(resp);
  Answer a;
  a.status = static_cast<int>(resp.getStatus());
  a.etag = resp.get("ETag", "");
  Poco::StreamCopier::copyToString(in, a.body);
  return a;
}

void CommitContacts(const std::string& location, const std::vector<std::string>& ids,
                    const std::string& position) {
  auto store = store::OpenStore(location);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const model::EntitySpec& contacts = *model::Registry::Default().Find("Contacts");
  auto w = (*store)->BeginRun("integration", 1700000000000, false);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  for (const std::string& id : ids) {
    model::Record r(contacts);
    r.set_id(id);
    r.Set("treaties", model::Value(model::StringList{"cbd"}));
    r.Set("country", model::Value(std::string("FR")));
    r.Set("position", model::Value(position));
    ASSERT_TRUE((*w)->Upsert(r).ok());
  }
  store::RunRecord summary;
  summary.status = "ok";
  ASSERT_TRUE((*w)->Commit(summary).ok());
}

TEST(PublishServeTest, TheReadmesFirstCommandServesTheEmbeddedDefault) {
  TempDir cwd;
  Daemon d({"--port", "0"}, cwd.path());
  int port = d.WaitForPort();
  ASSERT_GT(port, 0) << d.log();
  EXPECT_TRUE(std::filesystem::exists(cwd.File("meabridge.db")))
      << "the default store is ./meabridge.db";
  Answer svc = Get(port, "/odata/v4/");
  EXPECT_EQ(svc.status, 200);
  EXPECT_NE(svc.body.find("\"Contacts\""), std::string::npos);
  // The bundled demo sources are harvested at start (serve_daemon_test checks what they
  // publish); here only that the count answers.
  EXPECT_EQ(Get(port, "/informea.svc/Contacts/$count").status, 200);
  EXPECT_EQ(d.Stop(SIGTERM), 0) << d.log();
}

// On every store backend (support/store_backends.h).
class PublishServeStoresTest : public ::testing::TestWithParam<meabridge::testing::StoreBackend> {};

TEST_P(PublishServeStoresTest, ServesWhatAnotherProcessCommits) {
  TempDir dir;
  std::string error;
  std::string location = meabridge::testing::FreshStoreLocation(GetParam(), dir.path(), &error);
  ASSERT_FALSE(location.empty()) << error;
  CommitContacts(location, {"a1", "a2"}, "first");
  meabridge::testing::WriteFile(dir.File("meabridge.xml"),
                                "<meabridge><store location=\"" + location +
                                    "\"/><server port=\"8080\" threads=\"8\"/></meabridge>");
  Daemon d({"--config", dir.File("meabridge.xml"), "--port", "0"}, dir.path());
  int port = d.WaitForPort();
  ASSERT_GT(port, 0) << d.log();
  Answer before = Get(port, "/odata/v4/Contacts?$select=id,position");
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_NE(before.body.find("\"first\""), std::string::npos);
  // Another process (this test) commits a run; the next request sees it whole.
  CommitContacts(location, {"a1", "a2", "a3"}, "second");
  Answer after = Get(port, "/odata/v4/Contacts?$select=id,position");
  EXPECT_NE(after.etag, before.etag);
  EXPECT_EQ(after.body.find("\"first\""), std::string::npos) << after.body;
  EXPECT_NE(after.body.find("\"a3\""), std::string::npos);
  EXPECT_TRUE(d.WaitForLog("http GET \"/odata/v4/Contacts?$select=id,position\" 200", 10))
      << "access log lines: " << d.log();
  EXPECT_EQ(d.Stop(SIGINT), 0) << d.log();
  if (GetParam().postgres) {
    const std::string password = meabridge::testing::PostgresServer::Shared(&error)->password();
    EXPECT_EQ(d.log().find(password), std::string::npos) << "the store's password in:\n" << d.log();
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, PublishServeStoresTest,
                         ::testing::ValuesIn(meabridge::testing::StoreBackends()),
                         meabridge::testing::StoreBackendName);

TEST(PublishServeTest, StartUpErrorsSayWhatToDo) {
  TempDir dir;
  meabridge::testing::WriteFile(dir.File("bad.xml"),
                                "<meabridge><server port=\"8080\" max-top=\"lots\"/></meabridge>");
  auto bad = meabridge::testing::RunMeabridge({"serve", "--config", dir.File("bad.xml")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("max-top"), std::string::npos) << bad.err;
  auto port = meabridge::testing::RunMeabridge({"serve", "--port", "99999"});
  EXPECT_EQ(port.exit_code, 2);
  // A port in use: the second server fails with exit 1 and says what to do.
  Daemon first({"--port", "0"}, dir.path());
  int used = first.WaitForPort();
  ASSERT_GT(used, 0) << first.log();
  auto second = meabridge::testing::RunProcess({"/bin/sh", "-c",
                                                "cd " + dir.path() + " && exec " +
                                                    meabridge::testing::BinaryPath() +
                                                    " serve --port " + std::to_string(used)});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("choose another one"), std::string::npos) << second.err;
  EXPECT_EQ(first.Stop(), 0);
}

}  // namespace
}  // namespace meabridge
