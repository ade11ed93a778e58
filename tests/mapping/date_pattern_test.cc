// Date patterns: named forms, tokens, alternatives, bad patterns, and formatting.
#include "mapping/date_pattern.h"

#include <gtest/gtest.h>

namespace meabridge::mapping {
namespace {

struct ParseCase {
  const char* pattern;
  const char* input;
  const char* date;     // YYYY-MM-DD as written, or "" when the input must not parse
  const char* instant;  // RFC 3339 UTC, or "" when not checked
  const char* suffix = "";
};

class DateParseTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(DateParseTest, Parses) {
  const ParseCase& c = GetParam();
  auto p = DatePattern::Compile(c.pattern);
  ASSERT_TRUE(p.ok()) << p.status().message();
  ParsedDate d;
  bool ok = p->Parse(c.input, &d);
  if (!*c.date) {
    EXPECT_FALSE(ok) << c.pattern << " read '" << c.input << "' as " << core::FormatDate(d.date);
    return;
  }
  ASSERT_TRUE(ok) << c.pattern << " did not read '" << c.input << "'";
  EXPECT_EQ(core::FormatDate(d.date), c.date);
  if (*c.instant) {
    EXPECT_EQ(core::FormatDateTime(d.Instant()), c.instant);
  }
  EXPECT_EQ(d.suffix, c.suffix);
}

const ParseCase kParse[] = {
    {"iso", "2024-05-17", "2024-05-17", "2024-05-17T00:00:00Z"},
    {"iso", "2024-05-17T09:30:00Z", "2024-05-17", "2024-05-17T09:30:00Z"},
    {"iso", "2024-05-17T09:30:00+02:00", "2024-05-17", "2024-05-17T07:30:00Z"},
    {"iso", "2024-05-17 09:30:00.250-0130", "2024-05-17", "2024-05-17T11:00:00.250Z"},
    {"iso", "2024-05-17T09:30+02", "2024-05-17", "2024-05-17T07:30:00Z"},
    {"iso", "2024-05-17T09:30:00", "2024-05-17", "2024-05-17T09:30:00Z"},
    {"iso", "  2024-05-17  ", "2024-05-17", ""},
    {"iso", "2024-02-30", "", ""},
    {"iso", "2024-5-17", "", ""},
    {"iso", "2024-05-17T25:00:00Z", "", ""},
    {"iso", "2024-05-17T09:30:00+2", "", ""},
    {"iso", "2024-05-17x", "", ""},
    {"odata", "/Date(1431103154000)/", "2015-05-08", "2015-05-08T16:39:14Z"},
    {"odata", "/Date(1577833200000+0100)/", "2020-01-01", "2019-12-31T23:00:00Z"},
    {"odata", "/Date(-86400000)/", "1969-12-31", "1969-12-31T00:00:00Z"},
    {"odata", "/Date(1431103154000+01)/", "", ""},
    {"odata", "/Date()/", "", ""},
    {"odata", "Date(1431103154000)", "", ""},
    {"odata", "/Date(99999999999999999)/", "", ""},
    {"untc", "19 Sep 2002", "2002-09-19", "", ""},
    {"untc", "19 Sep 2002 a", "2002-09-19", "", "a"},
    {"untc", "3 Jun 1992 AA 4", "2002-09-19" /*replaced below*/, "", "AA"},
    {"untc", "1 Sept 1999 d", "1999-09-01", "", "d"},
    {"untc", "19 September 2002 A", "2002-09-19", "", "A"},
    {"untc", "19 Sep 2002 abcd", "", ""},
    {"untc", "32 Sep 2002", "", ""},
    {"untc", "Sep 2002", "", ""},
    {"epoch-ms", "1600000000000", "2020-09-13", "2020-09-13T12:26:40Z"},
    {"epoch-s", "1600000000", "2020-09-13", "2020-09-13T12:26:40Z"},
    {"d F Y", "5 June 1992", "1992-06-05", ""},
    {"d F Y", "05 june 1992", "1992-06-05", ""},
    {"d F Y", "5 Jun 1992", "", ""},
    {"d M Y", "5 Jun 1992", "1992-06-05", ""},
    {"d M Y", "5   Sept   1992", "1992-09-05", ""},
    {"dd/mm/yyyy", "05/06/1992", "1992-06-05", ""},
    {"dd/mm/yyyy", "5/6/1992", "", ""},
    {"d/m/yyyy", "5/6/1992", "1992-06-05", ""},
    {"yyyy-mm-ddTHH:i:sZ", "2021-06-30T12:00:00+02:00", "2021-06-30", "2021-06-30T10:00:00Z"},
    {"yyyy-mm-dd'T'H:i:s.u", "2021-06-30T12:00:00.5", "2021-06-30", "2021-06-30T12:00:00.500Z"},
    {"d.m.Y H:i", "1.2.2003 4:05", "2003-02-01", "2003-02-01T04:05:00Z"},
    {"d 'de' F 'de' Y", "5 de June de 1992", "1992-06-05", ""},
    {"iso | d F Y | dd/mm/yyyy", "05/06/1992", "1992-06-05", ""},
    {"iso | d F Y | dd/mm/yyyy", "5 June 1992", "1992-06-05", ""},
    {"iso | d F Y", "June 5, 1992", "", ""},
};

std::vector<ParseCase> ParseCases() {
  std::vector<ParseCase> v(std::begin(kParse), std::end(kParse));
  for (ParseCase& c : v) {
    if (std::string(c.input) == "3 Jun 1992 AA 4") c.date = "1992-06-03";
  }
  return v;
}

INSTANTIATE_TEST_SUITE_P(All, DateParseTest, ::testing::ValuesIn(ParseCases()));

TEST(DatePatternTest, BadPatternsSayWhatIsExpected) {
  struct {
    const char* pattern;
    const char* expected;
  } cases[] = {
      {"YYYY-MM-DD", "unknown date token 'D'"},
      {"d F", "exactly one year"},
      {"d m m Y", "exactly one year"},
      {"d F Y q", "unknown date token 'q'"},
      {"d F Y 'open", "unclosed quote"},
      {"d F Y i", "a time is H"},
      {"d F Y H H", "a time is H"},
      {"", "empty date pattern"},
      {"iso |", "empty date pattern"},
  };
  for (const auto& c : cases) {
    auto p = DatePattern::Compile(c.pattern);
    ASSERT_FALSE(p.ok()) << c.pattern;
    EXPECT_NE(p.status().message().find(c.expected), std::string::npos)
        << c.pattern << ": " << p.status().message();
  }
}

TEST(DatePatternTest, Formats) {
  core::CivilDate d{1994, 3, 5};
  EXPECT_EQ(DatePattern::Compile("iso")->FormatDate(d), "1994-03-05");
  EXPECT_EQ(DatePattern::Compile("d M Y")->FormatDate(d), "5 Mar 1994");
  EXPECT_EQ(DatePattern::Compile("dd/mm/yyyy")->FormatDate(d), "05/03/1994");
  EXPECT_EQ(DatePattern::Compile("d F Y")->FormatDate(d), "5 March 1994");
  EXPECT_EQ(DatePattern::Compile("untc")->FormatDate(d), "5 Mar 1994");
  EXPECT_EQ(DatePattern::Compile("odata")->FormatDate(d), "/Date(762825600000)/");
  EXPECT_EQ(DatePattern::Compile("odata")->FormatInstant(1431103154000), "/Date(1431103154000)/");
  EXPECT_EQ(DatePattern::Compile("iso")->FormatInstant(1431103154000), "2015-05-08T16:39:14Z");
  EXPECT_EQ(DatePattern::Compile("yyyy-mm-dd'T'HH:i:sZ")->FormatInstant(1431103154000),
            "2015-05-08T16:39:14Z");
  EXPECT_EQ(DatePattern::Compile("epoch-s")->FormatInstant(1431103154000), "1431103154");
}

}  // namespace
}  // namespace meabridge::mapping
