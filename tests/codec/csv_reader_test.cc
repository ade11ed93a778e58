// The streaming CSV reader (RFC 4180 and the real world around it).
#include "codec/csv_reader.h"

#include <gtest/gtest.h>

namespace meabridge::codec {
namespace {

struct Rows {
  Status status;
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> lines;
  std::vector<std::string> problems;
};

Rows ReadCsv(const std::string& text, char delimiter = ',', size_t chunk = 64 * 1024,
             size_t max_row = 64 * 1024 * 1024) {
  Rows out;
  auto source = ByteSource::FromString(text, "t.csv");
  CsvOptions o;
  o.delimiter = delimiter;
  o.chunk_size = chunk;
  o.max_row_bytes = max_row;
  CsvReader reader(*source, o);
  CsvRow row;
  for (;;) {
    Result<bool> more = reader.Next(&row);
    if (!more.ok()) {
      out.status = more.status();
      return out;
    }
    if (!*more) return out;
    out.rows.push_back(row.fields);
    out.lines.push_back(row.line);
    out.problems.push_back(row.problem);
  }
}

using R = std::vector<std::vector<std::string>>;

TEST(CsvReaderTest, Rfc4180) {
  auto r = ReadCsv("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n2,\"multi\r\nline\",\r\n");
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.rows, (R{{"a", "b", "c"}, {"1", "x, y", "say \"hi\""}, {"2", "multi\r\nline", ""}}));
  EXPECT_EQ(r.lines, (std::vector<size_t>{1, 2, 3}));
}

TEST(CsvReaderTest, ByteOrderMarkLineEndsAndBlankLines) {
  auto r = ReadCsv("\xEF\xBB\xBFh1,h2\n\n1,2\r3,4\n\n5,6");
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.rows, (R{{"h1", "h2"}, {"1", "2"}, {"3", "4"}, {"5", "6"}}));
  EXPECT_EQ(r.lines, (std::vector<size_t>{1, 3, 4, 6}));
}

TEST(CsvReaderTest, DelimitersAndEmptyFields) {
  auto r = ReadCsv("a;b;;\n\"\";x\n", ';');
  EXPECT_EQ(r.rows, (R{{"a", "b", "", ""}, {"", "x"}}));
  auto t = ReadCsv("a\tb\n", '\t');
  EXPECT_EQ(t.rows, (R{{"a", "b"}}));
}

TEST(CsvReaderTest, LenientQuoteInsideUnquotedField) {
  auto r = ReadCsv("5\" disk,ok\n");
  EXPECT_EQ(r.rows, (R{{"5\" disk", "ok"}}));
  EXPECT_EQ(r.problems[0], "");
}

TEST(CsvReaderTest, TextAfterClosingQuoteIsARowProblem) {
  auto r = ReadCsv("\"a\"b,c\nd,e\n");
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_NE(r.problems[0].find("text after the closing quote of field 1"), std::string::npos);
  EXPECT_EQ(r.problems[1], "");
}

TEST(CsvReaderTest, UnterminatedQuoteIsAParseErrorWithItsLine) {
  auto r = ReadCsv("a,b\n1,\"open\n2,3\n");
  EXPECT_EQ(r.status.code(), Status::Code::kParseError);
  EXPECT_NE(r.status.message().find("t.csv: line 2: quoted field not closed"), std::string::npos)
      << r.status.message();
}

TEST(CsvReaderTest, BrokenByteOrderMark) {
  auto r = ReadCsv("\xEF\xBBx,y\n");
  EXPECT_EQ(r.status.code(), Status::Code::kParseError);
}

TEST(CsvReaderTest, TinyChunksGiveTheSameRows) {
  std::string text;
  for (int i = 0; i < 40; ++i)
    text += std::to_string(i) + ",\"q \"\"" + std::to_string(i) + "\"\"\r\nx\"\r\n";
  auto big = ReadCsv(text);
  auto small = ReadCsv(text, ',', 16);
  ASSERT_TRUE(small.status.ok());
  EXPECT_EQ(big.rows, small.rows);
  EXPECT_EQ(big.lines, small.lines);
  EXPECT_EQ(small.rows.size(), 40u);
  EXPECT_EQ(small.lines[39], 79u);
}

TEST(CsvReaderTest, LongRowsAreRefused) {
  auto r = ReadCsv("a," + std::string(1000, 'x') + "\n", ',', 64, 100);
  EXPECT_EQ(r.status.code(), Status::Code::kParseError);
  EXPECT_NE(r.status.message().find("longer than 100 bytes"), std::string::npos);
}

TEST(CsvReaderTest, EmptyInput) {
  EXPECT_TRUE(ReadCsv("").rows.empty());
  EXPECT_TRUE(ReadCsv("\n\r\n").rows.empty());
}

}  // namespace
}  // namespace meabridge::codec
