// The request head parser and target decoding the server's connection loop relies on.
#include <gtest/gtest.h>

#include "publish/http/request.h"
#include "publish/http/request_parser.h"

namespace meabridge::publish::http {
namespace {

TEST(RequestParserTest, ParsesARequestHead) {
  RequestHead h;
  ASSERT_TRUE(ParseRequestHead("GET /odata/v4/Contacts?$top=1 HTTP/1.1\r\nHost: x\r\n"
                               "Accept-Encoding:  gzip \r\nX-Empty:\r\n",
                               &h)
                  .ok());
  EXPECT_EQ(h.method, "GET");
  EXPECT_EQ(h.target, "/odata/v4/Contacts?$top=1");
  EXPECT_EQ(h.minor_version, 1);
  ASSERT_EQ(h.headers.size(), 3u);
  EXPECT_EQ(h.headers[1].first, "accept-encoding");
  EXPECT_EQ(h.headers[1].second, "gzip");
  EXPECT_EQ(*h.Header("x-empty"), "");
  EXPECT_TRUE(h.KeepAlive());
  EXPECT_FALSE(h.ContentLength().has_value());
}

TEST(RequestParserTest, ConnectionSemantics) {
  RequestHead h;
  ASSERT_TRUE(ParseRequestHead("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n", &h).ok());
  EXPECT_FALSE(h.KeepAlive());
  ASSERT_TRUE(ParseRequestHead("GET / HTTP/1.0\r\n", &h).ok());
  EXPECT_FALSE(h.KeepAlive());
  ASSERT_TRUE(ParseRequestHead("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n", &h).ok());
  EXPECT_TRUE(h.KeepAlive());
  ASSERT_TRUE(ParseRequestHead("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n", &h).ok());
  EXPECT_EQ(h.ContentLength(), 12);
  ASSERT_TRUE(
      ParseRequestHead("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n", &h).ok());
  EXPECT_EQ(h.ContentLength(), -1);
  ASSERT_TRUE(ParseRequestHead("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -3\r\n", &h).ok());
  EXPECT_EQ(h.ContentLength(), -1);
}

TEST(RequestParserTest, RefusesMalformedHeads) {
  RequestHead h;
  for (const char* bad :
       {"GET /\r\n", "GET  / HTTP/1.1\r\n", "GET / HTTP/2.0\r\n", "G\x01T / HTTP/1.1\r\n",
        "GET /a b HTTP/1.1\r\n", "GET / HTTP/1.1\r\nHost : x\r\n", "GET / HTTP/1.1\r\n folded\r\n",
        "GET / HTTP/1.1\r\nNo-colon\r\n", "GET / HTTP/1.1\r\nX: a\x01b\r\n", ""}) {
    EXPECT_FALSE(ParseRequestHead(bad, &h).ok()) << bad;
  }
}

// Issue 14, point 9: RFC 9112 section 3.2.
TEST(RequestParserTest, HostIsRequiredOnceOnHttp11AndAtMostOnce) {
  RequestHead h;
  Status none = ParseRequestHead("GET / HTTP/1.1\r\nAccept: */*\r\n", &h);
  EXPECT_FALSE(none.ok());
  EXPECT_EQ(none.message(),
            "an HTTP/1.1 request needs a Host header field; send one (RFC 9112 section 3.2)");
  for (const char* twice : {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n",
                            "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n",
                            "GET / HTTP/1.0\r\nHost: a\r\nHOST: b\r\n"}) {
    Status st = ParseRequestHead(twice, &h);
    EXPECT_FALSE(st.ok()) << twice;
    EXPECT_EQ(st.message(), "the request has 2 Host header fields; send exactly one "
                            "(RFC 9112 section 3.2)")
        << twice;
  }
  EXPECT_TRUE(ParseRequestHead("GET / HTTP/1.0\r\n", &h).ok()) << "HTTP/1.0 may omit it";
  EXPECT_TRUE(ParseRequestHead("GET / HTTP/1.1\r\nHost:\r\n", &h).ok())
      << "an empty Host is what RFC 9112 asks for when the target has no authority";
}

TEST(RequestParserTest, FindsTheEndOfAHead) {
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\r\nHost: x\r\n\r\nnext", 0), 27u);
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\nHost: x\n\n", 0), 24u);
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\r\nHost: x\r\n", 0), std::string::npos);
  std::string s = "GET / HTTP/1.1\r\nHost: x\r\n\r";
  EXPECT_EQ(FindHeadEnd(s, 0), std::string::npos);
  s += "\n";
  EXPECT_EQ(FindHeadEnd(s, s.size() - 1), s.size()) << "resumes where it stopped";
}

TEST(RequestTargetTest, DecodesPathAndQuery) {
  Request r;
  ASSERT_TRUE(
      ParseTarget("/odata/v4/Contacts('a%2Fb')?$filter=country%20eq%20'FR'&x=a+b&flag", &r).ok());
  EXPECT_EQ(r.path, "/odata/v4/Contacts('a/b')");
  ASSERT_EQ(r.query.size(), 3u);
  EXPECT_EQ(r.query[0].second, "country eq 'FR'");
  EXPECT_EQ(r.query[1].second, "a b");
  EXPECT_EQ(r.query[2].first, "flag");
  EXPECT_FALSE(ParseTarget("/x?a=%zz", &r).ok());
  EXPECT_FALSE(ParseTarget("/x%00", &r).ok());
  EXPECT_FALSE(ParseTarget("/x%ff", &r).ok()) << "invalid UTF-8";
  EXPECT_FALSE(ParseTarget("http://host/x", &r).ok());
}

}  // namespace
}  // namespace meabridge::publish::http
