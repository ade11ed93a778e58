#include "core/time.h"

#include <gtest/gtest.h>

namespace meabridge::core {
namespace {

TEST(TimeTest, CivilRoundTripOverFourCenturies) {
  for (int64_t d = -146097; d <= 146097 * 2; d += 17) {
    EXPECT_EQ(DaysFromCivil(CivilFromDays(d)), d);
  }
  EXPECT_EQ(DaysFromCivil({1970, 1, 1}), 0);
  EXPECT_EQ(DaysFromCivil({2000, 3, 1}), 11017);
}

TEST(TimeTest, ParseDateIsStrict) {
  EXPECT_TRUE(ParseDate("2024-02-29"));
  EXPECT_FALSE(ParseDate("2023-02-29"));
  EXPECT_FALSE(ParseDate("2024-2-9"));
  EXPECT_FALSE(ParseDate("2024-02-29T00:00:00Z"));
  EXPECT_FALSE(ParseDate(""));
  EXPECT_EQ(FormatDate(*ParseDate("0999-12-31")), "0999-12-31");
}

struct DateTimeCase {
  const char* text;
  std::optional<EpochMs> ms;
};

TEST(TimeTest, ParseDateTimeForms) {
  const DateTimeCase cases[] = {
      {"1970-01-01T00:00:00Z", 0},
      {"2015-05-08T16:39:14Z", 1431103154000},
      {"2015-05-08T18:39:14+02:00", 1431103154000},
      {"2015-05-08T11:39:14-0500", 1431103154000},
      {"2015-05-08 16:39:14", 1431103154000},
      {"2015-05-08T16:39:14.5Z", 1431103154500},
      {"2015-05-08T16:39:14,123Z", 1431103154123},
      {"2015-05-08T16:39Z", 1431103140000},
      {"2015-05-08", 1431043200000},
      {"1969-12-31T23:59:59Z", -1000},
      {"2015-05-08T24:00:00Z", std::nullopt},
      {"2015-05-08T16:39:14+2", std::nullopt},
      {"2015-05-08T16:39:14Zjunk", std::nullopt},
      {"2015-13-08T16:39:14Z", std::nullopt},
      {"2015-05-08T16:39:14.Z", std::nullopt},
      {"yesterday", std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ParseDateTime(c.text), c.ms) << c.text;
  }
}

TEST(TimeTest, FormatDateTime) {
  EXPECT_EQ(FormatDateTime(1431103154000), "2015-05-08T16:39:14Z");
  EXPECT_EQ(FormatDateTime(1431103154123), "2015-05-08T16:39:14.123Z");
  EXPECT_EQ(FormatDateTime(-1000), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatDateTime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(DateOf(-1), (CivilDate{1969, 12, 31}));
}

}  // namespace
}  // namespace meabridge::core
