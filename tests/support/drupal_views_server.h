// A loopback server that answers exactly as a Drupal 8/9 site publishing to InforMEA does: a
// Views REST export whose style is the InforMEA serializer of the drupal_informea_api module
// (corpus/drupal-informea-api/src/Plugin/views/style/InformeaSerializer.php, and Views' full
// pager):
//   GET PATH            the first page: a top-level JSON array of rows
//   GET PATH?page=N     page N (from 0): rows N*per_page .. (N+1)*per_page-1; past the end `[]`
//   GET PATH?$count=true  {"count": TOTAL} (the pager's total items)
// No next link and no Link header: a client knows the end only by the empty page (or the
// count). Rows are served as given (the tests write their own, in the formatters' shapes:
// tests/data/harvest/drupal/). An unknown path answers 404, as Drupal does.
//
// Thread-safe: the rows may be replaced while requests are served.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "support/http_test_server.h"

namespace meabridge::testing {

class DrupalViewsServer {
 public:
  // `items_per_page`: the view's pager setting.
  explicit DrupalViewsServer(int items_per_page);

  // Serves `rows` (each a JSON object, as text) at `path` ("/api/v2/meetings").
  void Serve(const std::string& path, std::vector<std::string> rows);
  // The same from a file holding a JSON array of rows. Fails the test when it cannot.
  void ServeFile(const std::string& path, const std::string& file);

  std::string Url(const std::string& path) const { return http_.Url(path); }
  HttpTestServer& http() { return http_; }

 private:
  Reply Answer(const SeenRequest& r);

  int per_page_;
  mutable std::mutex mu_;
  std::map<std::string, std::vector<std::string>> rows_;  // guarded by mu_
  HttpTestServer http_;
};

}  // namespace meabridge::testing
