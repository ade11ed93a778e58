#include <gtest/gtest.h>

#include "core/time.h"
#include "harvest/fetch/retry.h"
#include "harvest/paging/paging.h"
#include "harvest/sources/source.h"
#include "harvest/state.h"

namespace meabridge::harvest {
namespace {

TEST(RetryTest, BackoffDoublesUpToTheMaximumWithJitterTakenOff) {
  RetryPolicy p;
  p.base_delay_ms = 1000;
  p.max_delay_ms = 5000;
  auto none = [] { return 0.0; };
  auto full = [] { return 1.0; };
  EXPECT_EQ(p.BackoffMs(1, none), 1000);
  EXPECT_EQ(p.BackoffMs(2, none), 2000);
  EXPECT_EQ(p.BackoffMs(3, none), 4000);
  EXPECT_EQ(p.BackoffMs(4, none), 5000);
  EXPECT_EQ(p.BackoffMs(30, none), 5000);
  EXPECT_EQ(p.BackoffMs(1, full), 500);
  EXPECT_EQ(p.BackoffMs(3, full), 2000);
  EXPECT_EQ(p.BackoffMs(3, [] { return 0.5; }), 3000);
}

TEST(RetryTest, RetryAfterAsSecondsOrDate) {
  const core::EpochMs now = *core::ParseDateTime("2015-10-21T07:28:00Z");
  EXPECT_EQ(ParseRetryAfterMs("120", now).value_or(-1), 120000);
  EXPECT_EQ(ParseRetryAfterMs(" 0 ", now).value_or(-1), 0);
  EXPECT_EQ(ParseRetryAfterMs("Wed, 21 Oct 2015 07:28:30 GMT", now).value_or(-1), 30000);
  EXPECT_EQ(ParseRetryAfterMs("Wed, 21 Oct 2015 07:00:00 GMT", now).value_or(-1), 0);
  EXPECT_FALSE(ParseRetryAfterMs("soon", now));
  EXPECT_FALSE(ParseRetryAfterMs("-5", now));
  EXPECT_FALSE(ParseRetryAfterMs("", now));
}

TEST(RetryTest, HttpDates) {
  const core::EpochMs t = *core::ParseDateTime("1994-11-06T08:49:37Z");
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT").value_or(0), t);
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT").value_or(0), t);
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994").value_or(0), t);
  EXPECT_EQ(FormatHttpDate(t), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_FALSE(ParseHttpDate("yesterday"));
  EXPECT_FALSE(ParseHttpDate("Sun, 31 Feb 1994 08:49:37 GMT"));
}

TEST(RetryTest, WhichStatusesAreRetried) {
  for (long s : {408, 425, 429, 500, 502, 503, 504, 599}) EXPECT_TRUE(IsRetryableStatus(s)) << s;
  for (long s : {200, 304, 400, 401, 403, 404, 410, 501, 505}) {
    EXPECT_FALSE(IsRetryableStatus(s)) << s;
  }
}

TEST(PagingTest, LinkHeaderNext) {
  EXPECT_EQ(NextFromLinkHeader("<https://h/x?page=2>; rel=\"next\""), "https://h/x?page=2");
  EXPECT_EQ(NextFromLinkHeader("<https://h/x?page=1>; rel=\"prev\", <https://h/x?page=3>; "
                               "rel=\"next last\""),
            "https://h/x?page=3");
  EXPECT_EQ(NextFromLinkHeader("<https://h/a,b>; title=\"a, b\"; rel=next"), "https://h/a,b");
  EXPECT_EQ(NextFromLinkHeader("<https://h/x>; rel=\"last\""), "");
  EXPECT_EQ(NextFromLinkHeader(""), "");
}

TEST(PagingTest, NextLinksFollowAndResolve) {
  Pager p(PagingStyle::kAuto, "https://h/svc/Contacts", 100, "", "", 1);
  EXPECT_EQ(p.first_url(), "https://h/svc/Contacts");
  PageFacts f;
  f.url = "https://h/svc/Contacts";
  f.body_next = "Contacts?$skiptoken=20";
  EXPECT_EQ(p.Next(f).value_or("end"), "https://h/svc/Contacts?$skiptoken=20");
  f.body_next = "";
  f.link_next = "https://h/svc/Contacts?page=3";
  EXPECT_EQ(p.Next(f).value_or("end"), "https://h/svc/Contacts?page=3");
  f.link_next = "";
  EXPECT_FALSE(p.Next(f));

  Pager body_only(PagingStyle::kNextLink, "https://h/x", 1, "", "", 1);
  f.link_next = "https://h/y";
  EXPECT_FALSE(body_only.Next(f));
  Pager header_only(PagingStyle::kLinkHeader, "https://h/x", 1, "", "", 1);
  f.body_next = "https://h/z";
  EXPECT_EQ(header_only.Next(f).value_or("end"), "https://h/y");
  Pager none(PagingStyle::kNone, "https://h/x", 1, "", "", 1);
  EXPECT_FALSE(none.Next(f));
}

TEST(PagingTest, SkipPagingOrdersStablyAndAdvancesByWhatCame) {
  Pager p(PagingStyle::kSkip, "https://h/Contacts?$filter=x", 50, "", "", 1);
  EXPECT_EQ(p.first_url(), "https://h/Contacts?$filter=x&$orderby=updated%2Cid&$top=50");
  PageFacts f;
  f.url = p.first_url();
  f.records = 50;
  EXPECT_EQ(p.Next(f).value_or("end"),
            "https://h/Contacts?$filter=x&$orderby=updated%2Cid&$top=50&$skip=50");
  f.records = 20;  // the server capped the page: nothing is lost
  EXPECT_EQ(p.Next(f).value_or("end"),
            "https://h/Contacts?$filter=x&$orderby=updated%2Cid&$top=50&$skip=70");
  f.records = 0;
  EXPECT_FALSE(p.Next(f));
  EXPECT_TRUE(p.EndsOn404());

  Pager ordered(PagingStyle::kSkip, "https://h/C?$orderby=id", 10, "", "", 1);
  EXPECT_EQ(ordered.first_url(), "https://h/C?$orderby=id&$top=10");
  // A next link from the server takes over.
  PageFacts g;
  g.url = ordered.first_url();
  g.records = 10;
  g.body_next = "https://h/C?$skiptoken=10";
  EXPECT_EQ(ordered.Next(g).value_or("end"), "https://h/C?$skiptoken=10");
  g.body_next = "";
  EXPECT_FALSE(ordered.Next(g));
  EXPECT_FALSE(ordered.EndsOn404());
}

TEST(PagingTest, PageAndOffsetParameters) {
  Pager page(PagingStyle::kPage, "https://h/c", 25, "", "", 1);
  EXPECT_EQ(page.first_url(), "https://h/c?pageSize=25&page=1");
  PageFacts f;
  f.records = 25;
  EXPECT_EQ(page.Next(f).value_or("end"), "https://h/c?pageSize=25&page=2");
  EXPECT_EQ(page.Next(f).value_or("end"), "https://h/c?pageSize=25&page=3");
  f.records = 0;
  EXPECT_FALSE(page.Next(f));

  Pager zero(PagingStyle::kPage, "https://h/c", 10, "p", "per_page", 0);
  EXPECT_EQ(zero.first_url(), "https://h/c?per_page=10&p=0");

  Pager offset(PagingStyle::kOffset, "https://h/c?x=1", 10, "", "", 1);
  EXPECT_EQ(offset.first_url(), "https://h/c?x=1&limit=10&offset=0");
  f.records = 10;
  EXPECT_EQ(offset.Next(f).value_or("end"), "https://h/c?x=1&limit=10&offset=10");
}

TEST(PagingTest, GuardsStopLoops) {
  PageGuard g(3);
  EXPECT_EQ(g.BeforeRequest(1, "u1"), "");
  EXPECT_EQ(g.AfterPage(1, "u1", "aaa"), "");
  EXPECT_EQ(g.BeforeRequest(2, "u2"), "");
  EXPECT_NE(g.AfterPage(2, "u2", "aaa").find("identical to page 1"), std::string::npos);
  EXPECT_NE(g.BeforeRequest(3, "u1").find("already read"), std::string::npos);
  EXPECT_EQ(g.BeforeRequest(3, "u3"), "");
  EXPECT_NE(g.BeforeRequest(4, "u4").find("page cap (max-pages=3)"), std::string::npos);
}

TEST(PagingTest, CapturesPerFormat) {
  EXPECT_EQ(NextLinkCaptures("json").front(), "/d/__next");
  EXPECT_TRUE(NextLinkCaptures("csv").empty());
  std::map<std::string, std::string> captured = {{"/@odata.nextLink", " next "}, {"/d/__next", ""}};
  EXPECT_EQ(FirstCaptured(NextLinkCaptures("json"), captured), "next");
}

TEST(StateTest, RoundTripsThroughTheWatermark) {
  SourceState s;
  s.since = *core::ParseDateTime("2024-05-01T10:00:00Z");
  s.last_full = *core::ParseDateTime("2024-04-30T00:00:00Z");
  s.cursor = "https://h/C?$deltatoken=8";
  s.fingerprint = "abc";
  s.format = "json";
  s.pages = {{"https://h/1", "\"e1\"", "Wed, 01 May 2024 10:00:00 GMT", "s1"},
             {"https://h/2", "", "", "s2"}};
  Result<SourceState> back = SourceState::FromWatermark(s.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->since, s.since);
  EXPECT_EQ(back->last_full, s.last_full);
  EXPECT_EQ(back->cursor, s.cursor);
  EXPECT_EQ(back->fingerprint, "abc");
  EXPECT_EQ(back->format, "json");
  ASSERT_EQ(back->pages.size(), 2u);
  EXPECT_EQ(back->pages[0].etag, "\"e1\"");
  EXPECT_EQ(back->pages[1].sha1, "s2");
  ASSERT_NE(back->FindPage("https://h/2"), nullptr);
  EXPECT_EQ(back->FindPage("https://h/3"), nullptr);

  EXPECT_FALSE(SourceState::FromWatermark(std::nullopt)->since);
  EXPECT_EQ(SourceState::FromWatermark(std::string("2024-01-02T03:04:05Z"))->since,
            core::ParseDateTime("2024-01-02T03:04:05Z"));
  EXPECT_FALSE(SourceState::FromWatermark(std::string("{not json")).ok());
}

TEST(SinceTest, Formats) {
  const core::EpochMs t = *core::ParseDateTime("2024-05-01T10:00:00.250Z");
  EXPECT_EQ(FormatSince(t, "iso"), "2024-05-01T10:00:00Z");
  EXPECT_EQ(FormatSince(t, "odata-v2"), "datetime'2024-05-01T10:00:00'");
  EXPECT_EQ(FormatSince(t, "epoch-ms"), std::to_string(t));
  EXPECT_EQ(FormatSince(t, "date"), "2024-05-01");
}

}  // namespace
}  // namespace meabridge::harvest
