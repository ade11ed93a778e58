#include "support/drupal_views_server.h"

#include <gtest/gtest.h>

#include "core/json.h"
#include "core/strings.h"
#include "support/test_support.h"

namespace meabridge::testing {

DrupalViewsServer::DrupalViewsServer(int items_per_page)
    : per_page_(items_per_page > 0 ? items_per_page : 10),
      http_([this](const SeenRequest& r) { return Answer(r); }) {}

void DrupalViewsServer::Serve(const std::string& path, std::vector<std::string> rows) {
  std::lock_guard lock(mu_);
  rows_[path] = std::move(rows);
}

void DrupalViewsServer::ServeFile(const std::string& path, const std::string& file) {
  rapidjson::Document doc;
  Status s = json::Parse(ReadFileOrDie(file), doc);
  ASSERT_TRUE(s.ok()) << file << ": " << s.message();
  ASSERT_TRUE(doc.IsArray()) << file << " is not a JSON array of rows";
  std::vector<std::string> rows;
  for (const rapidjson::Value& row : doc.GetArray()) rows.push_back(json::ToString(row));
  Serve(path, std::move(rows));
}

Reply DrupalViewsServer::Answer(const SeenRequest& r) {
  std::lock_guard lock(mu_);
  auto it = rows_.find(r.path);
  if (it == rows_.end()) return Reply::Status(404, "<html><body>Page not found</body></html>");
  const std::vector<std::string>& rows = it->second;
  auto count = r.query.find("$count");
  if (count != r.query.end() && count->second == "true") {
    return Reply::Json("{\"count\":" + std::to_string(rows.size()) + "}");
  }
  // Views' pager: a page number that is not a whole number >= 0 reads as page 0.
  int64_t page = 0;
  if (auto p = r.query.find("page"); p != r.query.end()) {
    page = core::ParseInt(p->second).value_or(0);
    if (page < 0) page = 0;
  }
  std::string body = "[";
  const int64_t first = page * per_page_;
  for (int64_t i = first; i < first + per_page_ && i < static_cast<int64_t>(rows.size()); ++i) {
    if (i > first) body += ",";
    body += rows[static_cast<size_t>(i)];
  }
  body += "]";
  return Reply::Json(body);
}

}  // namespace meabridge::testing
