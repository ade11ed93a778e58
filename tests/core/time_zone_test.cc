// core::TimeZone: IANA zones from the system tz database and fixed offsets, the hours the
// clocks skip or repeat, and the names and offsets that are refused.
#include "core/time_zone.h"

#include <gtest/gtest.h>

namespace meabridge::core {
namespace {

// Milliseconds of a local wall-clock time, as TimeZone::ToUtc takes it.
int64_t Local(int y, int mo, int d, int h, int mi) {
  return DaysFromCivil({y, mo, d}) * 86400000 + (h * 60 + mi) * 60000LL;
}
std::string Utc(const TimeZone& z, int y, int mo, int d, int h, int mi) {
  return FormatDateTime(z.ToUtc(Local(y, mo, d, h, mi)));
}

TEST(TimeZoneTest, IanaZonesFollowTheirSummerTime) {
  auto paris = TimeZone::Parse("Europe/Paris");
  ASSERT_TRUE(paris.ok()) << paris.status().message();
  EXPECT_EQ(Utc(*paris, 2024, 1, 15, 10, 0), "2024-01-15T09:00:00Z");
  EXPECT_EQ(Utc(*paris, 2024, 7, 15, 10, 0), "2024-07-15T08:00:00Z");
  // 2024-10-27 02:30 happened twice (CEST, then CET): the earlier instant.
  EXPECT_EQ(Utc(*paris, 2024, 10, 27, 2, 30), "2024-10-27T00:30:00Z");
  // 2024-03-31 02:30 never happened (02:00 -> 03:00): read with the offset before the change.
  EXPECT_EQ(Utc(*paris, 2024, 3, 31, 2, 30), "2024-03-31T01:30:00Z");
  auto nairobi = TimeZone::Parse("Africa/Nairobi");
  ASSERT_TRUE(nairobi.ok());
  EXPECT_EQ(Utc(*nairobi, 2024, 5, 1, 10, 0), "2024-05-01T07:00:00Z");
}

TEST(TimeZoneTest, FixedOffsetsAndUtc) {
  for (const char* text : {"+01:00", "+0100", "+01"}) {
    auto z = TimeZone::Parse(text);
    ASSERT_TRUE(z.ok()) << text << ": " << z.status().message();
    EXPECT_EQ(Utc(*z, 2024, 5, 1, 10, 0), "2024-05-01T09:00:00Z") << text;
  }
  auto india = TimeZone::Parse("+05:30");
  ASSERT_TRUE(india.ok());
  EXPECT_EQ(Utc(*india, 2024, 5, 1, 10, 0), "2024-05-01T04:30:00Z");
  auto west = TimeZone::Parse("-03:00");
  ASSERT_TRUE(west.ok());
  EXPECT_EQ(Utc(*west, 2024, 5, 1, 22, 0), "2024-05-02T01:00:00Z");
  for (const char* text : {"UTC", "Z", "+00:00"}) {
    auto z = TimeZone::Parse(text);
    ASSERT_TRUE(z.ok()) << text;
    EXPECT_EQ(Utc(*z, 2024, 5, 1, 10, 0), "2024-05-01T10:00:00Z") << text;
  }
}

TEST(TimeZoneTest, UnknownZonesAndBadOffsetsAreRefusedSayingWhy) {
  auto z = TimeZone::Parse("Europe/Atlantis");
  ASSERT_FALSE(z.ok());
  EXPECT_NE(z.status().message().find("time zone 'Europe/Atlantis' is not in the system's tz "
                                      "database (/usr/share/zoneinfo)"),
            std::string::npos)
      << z.status().message();
  for (const char* text : {"+25:00", "+1", "+01:60", "+01:0x"}) {
    auto bad = TimeZone::Parse(text);
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_NE(bad.status().message().find("is not an offset"), std::string::npos)
        << bad.status().message();
  }
}

}  // namespace
}  // namespace meabridge::core
