#include "harvest/fetch/url.h"

#include <gtest/gtest.h>

#include "harvest/fetch/redact.h"
#include "harvest/state.h"

namespace meabridge::harvest {
namespace {

TEST(UrlTest, ParsesAbsoluteUrls) {
  auto u = Url::Parse("HTTPS://user:pw@Example.org:8443/a/b?x=1&y=2#frag");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->userinfo, "user:pw");
  EXPECT_EQ(u->host, "Example.org");
  EXPECT_EQ(u->port, "8443");
  EXPECT_EQ(u->path, "/a/b");
  EXPECT_EQ(u->query, "x=1&y=2");
  EXPECT_EQ(u->fragment, "frag");
  EXPECT_EQ(u->Origin(), "https://example.org:8443");
  EXPECT_EQ(Url::Parse("http://h")->path, "/");
  EXPECT_EQ(Url::Parse("http://h")->Origin(), "http://h:80");
  EXPECT_EQ(Url::Parse("http://[::1]:81/x")->host, "[::1]");
  EXPECT_FALSE(Url::Parse("/relative/path"));
  EXPECT_FALSE(Url::Parse("http://h:port/"));
  EXPECT_FALSE(Url::Parse("mailto:x@y"));
}

// RFC 3986 section 5.4 examples.
TEST(UrlTest, ResolvesReferencesAsRfc3986) {
  const std::string base = "http://a/b/c/d;p?q";
  const std::pair<const char*, const char*> cases[] = {
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g/"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q#s"},
      {"..", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../g", "http://a/g"},
      {"../../../g", "http://a/g"},
      {"g;x=1/../y", "http://a/b/c/y"},
      {"https://other/x?$skiptoken=5", "https://other/x?$skiptoken=5"},
  };
  for (const auto& [ref, want] : cases) {
    EXPECT_EQ(ResolveUrl(base, ref).value_or("?"), want) << ref;
  }
  EXPECT_FALSE(ResolveUrl("not absolute", "g"));
}

TEST(UrlTest, EditsQueryParameters) {
  EXPECT_EQ(SetQueryParam("http://h/x", "$top", "10"), "http://h/x?$top=10");
  EXPECT_EQ(SetQueryParam("http://h/x?a=1&$skip=5&b=2", "$skip", "10"),
            "http://h/x?a=1&$skip=10&b=2");
  EXPECT_EQ(SetQueryParam("http://h/x?a=1#f", "q", "a b&c"), "http://h/x?a=1&q=a%20b%26c#f");
  EXPECT_EQ(SetQueryParamIfAbsent("http://h/x?$orderby=id", "$orderby", "updated,id"),
            "http://h/x?$orderby=id");
  EXPECT_EQ(QueryValue("http://h/x?%24filter=a%20eq%201", "$filter").value_or("?"), "a eq 1");
  EXPECT_FALSE(QueryValue("http://h/x?a=1", "b"));
  EXPECT_EQ(AndODataFilter("http://h/x", "updated gt 2024-01-01T00:00:00Z"),
            "http://h/x?$filter=updated%20gt%202024-01-01T00%3A00%3A00Z");
  EXPECT_EQ(QueryValue(AndODataFilter("http://h/x?$filter=country%20eq%20'FR'", "updated gt 1"),
                       "$filter")
                .value_or("?"),
            "(country eq 'FR') and (updated gt 1)");
  EXPECT_EQ(WithoutQuery("http://h/Contacts?$top=1#x"), "http://h/Contacts");
}

TEST(RedactTest, HidesCredentialsInUrlsAndText) {
  Redactor r({"s3cr3t-token"});
  EXPECT_EQ(r.Url("https://user:pass@host/x?token=abc&page=2"),
            "https://user:***@host/x?token=***&page=2");
  EXPECT_EQ(r.Url("https://host/x?api_key=k1&API-KEY=k2&q=s3cr3t-token"),
            "https://host/x?api_key=***&API-KEY=***&q=***");
  EXPECT_EQ(r.Url("https://host/x?code=&page=1"), "https://host/x?code=&page=1");
  EXPECT_EQ(r.Text("GET https://u:p@h/a?access_token=zz failed; header was Bearer s3cr3t-token"),
            "GET https://u:***@h/a?access_token=*** failed; header was Bearer ***");
  // The percent-encoded form of a secret is hidden too.
  Redactor r2({"a b/c"});
  EXPECT_EQ(r2.Text("x=a%20b%2Fc y=a b/c"), "x=*** y=***");
  EXPECT_EQ(Redactor().Text("no secrets here"), "no secrets here");
  EXPECT_TRUE(IsSecretParam("Access_Token"));
  EXPECT_FALSE(IsSecretParam("page"));
}

TEST(RedactTest, RestoreUrlPutsBackOnlyWhatTheConfigurationHolds) {
  const std::string configured = "https://reader:pa55@host/api/Contacts?api_key=k1&lang=en";
  Redactor r;
  // A next link with the configured credentials: masked, then given back exactly.
  const std::string next = "https://reader:pa55@host/api/Contacts?api_key=k1&lang=en&page=2";
  EXPECT_EQ(r.Url(next), "https://reader:***@host/api/Contacts?api_key=***&lang=en&page=2");
  EXPECT_EQ(RestoreUrl(r.Url(next), configured), next);
  // A credential the server issued, another user or another host: not in the configuration.
  EXPECT_EQ(RestoreUrl("https://host/api/Contacts?api_key=***&sig=***", configured),
            "https://host/api/Contacts?api_key=k1&sig=***");
  EXPECT_EQ(RestoreUrl("https://other:***@host/x", configured), "https://other:***@host/x");
  EXPECT_EQ(RestoreUrl("https://reader:***@elsewhere/x", configured),
            "https://reader:***@elsewhere/x");
  // A value that merely reads "***" in a parameter that carries no credential stays.
  EXPECT_EQ(RestoreUrl("https://host/x?q=***", "https://host/x?q=k"), "https://host/x?q=***");
  EXPECT_EQ(RestoreUrl("https://host/x?token=***", ""), "https://host/x?token=***");
}

TEST(RedactTest, UrlSecretsAreTheCredentialsWrittenIntoAUrl) {
  EXPECT_EQ(UrlSecrets("https://reader:pa%24%245@h/x?api_key=AK-1111&lang=en&code=FR&sig=s"),
            (std::vector<std::string>{"pa%24%245", "pa$$5", "AK-1111"}))
      << "short values (code=FR, sig=s) are hidden in URLs only";
  EXPECT_TRUE(UrlSecrets("https://h/x?page=2").empty());
  Redactor r(UrlSecrets("https://h/x?access_token=AT-2222-zz"));
  EXPECT_EQ(r.Text("'AT-2222-zz' is not in the treaties vocabulary"),
            "'***' is not in the treaties vocabulary");
}

TEST(SourceStateTest, ConcealKeepsNoSecretAndRevealGivesTheUrlsBack) {
  const std::string configured = "https://u:pw@h/C?access_token=t0k";
  SourceState s;
  s.cursor = "https://u:pw@h/C?access_token=t0k&$deltatoken=9";
  s.pages = {{"https://u:pw@h/C?access_token=t0k", "\"e\"", "", "sha", 2},
             {"https://h/C?$skiptoken=5&signature=srv", "", "", "sha2", 2},
             {"https://h/C?$skiptoken=10", "", "", "sha3", 1}};
  Redactor r({"t0k"});
  std::string warning = s.Conceal(r, configured);
  const std::string json = s.ToJson();
  for (const char* secret : {":pw@", "t0k", "=srv"}) {
    EXPECT_EQ(json.find(secret), std::string::npos) << secret << " in " << json;
  }
  EXPECT_NE(warning.find("its 3 page URLs (1 such as https://h/C?$skiptoken=5&signature=***"),
            std::string::npos)
      << warning;
  EXPECT_TRUE(s.pages.empty()) << "one page that cannot be kept drops the chain";
  Result<SourceState> back = SourceState::FromWatermark(json);
  ASSERT_TRUE(back.ok()) << back.status().message();
  back->Reveal(configured);
  EXPECT_EQ(back->cursor, "https://u:pw@h/C?access_token=t0k&$deltatoken=9");

  // Pages whose credentials all come from the configuration are kept, and given back.
  SourceState k;
  k.pages = {{"https://u:pw@h/C?access_token=t0k", "\"e\"", "", "sha", 2},
             {"https://h/C?$skiptoken=10", "", "", "sha3", 1}};
  EXPECT_EQ(k.Conceal(r, configured), "");
  ASSERT_EQ(k.pages.size(), 2u);
  EXPECT_EQ(k.pages[0].url, "https://u:***@h/C?access_token=***");
  Result<SourceState> kept = SourceState::FromWatermark(k.ToJson());
  ASSERT_TRUE(kept.ok());
  kept->Reveal(configured);
  EXPECT_EQ(kept->pages[0].url, "https://u:pw@h/C?access_token=t0k");
  EXPECT_EQ(kept->pages[1].url, "https://h/C?$skiptoken=10");

  // A delta link with a token the server issued is not kept: the next run reads everything.
  SourceState d;
  d.cursor = "https://h/C?$deltatoken=9&sig=srv";
  warning = d.Conceal(r, configured);
  EXPECT_TRUE(d.cursor.empty());
  EXPECT_NE(warning.find("its delta link https://h/C?$deltatoken=9&sig=*** (so the next run "
                         "reads the whole source)"),
            std::string::npos)
      << warning;
  EXPECT_EQ(SourceState().Conceal(r, configured), "");
}

}  // namespace
}  // namespace meabridge::harvest
