// Every participant of the UNFCCC status table (real data from ../shared/corpus, read at run
// time) resolves by its code and by its name, to the same country. Skipped when the corpus is
// absent.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_support.h"
#include "vocab/vocabulary.h"

namespace meabridge {
namespace {

// One CSV record (RFC 4180 quoting; the file has one record per line).
std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

TEST(UnfcccCountriesTest, EveryParticipantResolvesByCodeAndByName) {
  const std::string corpus = meabridge::testing::CorpusDir();
  if (corpus.empty()) GTEST_SKIP() << "../shared/corpus absent: corpus suite skipped";
  const std::string path = corpus + "/ratification/unfccc-status.csv";
  std::ifstream in(path);
  ASSERT_TRUE(in) << "cannot read " << path;

  const vocab::Vocabulary* countries = vocab::Vocabularies::System().Find("countries");
  ASSERT_NE(countries, nullptr);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  std::vector<std::string> header = SplitCsvLine(line);
  ASSERT_GE(header.size(), 2u);
  ASSERT_EQ(header[0], "Code");
  ASSERT_EQ(header[1], "Name");

  size_t rows = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line == "\r") continue;
    std::vector<std::string> row = SplitCsvLine(line);
    ASSERT_GE(row.size(), 2u) << path << ": " << line;
    const std::string& code = row[0];
    const std::string& name = row[1];
    ++rows;
    const vocab::Term* by_code = countries->Lookup(code);
    const vocab::Term* by_name = countries->Lookup(name);
    EXPECT_NE(by_code, nullptr) << "code " << code << " (" << name << ") does not resolve";
    EXPECT_NE(by_name, nullptr) << "name \"" << name << "\" (" << code << ") does not resolve";
    if (by_code && by_name) {
      EXPECT_EQ(by_code->code, by_name->code)
          << code << " -> " << by_code->code << " but \"" << name << "\" -> " << by_name->code;
      EXPECT_FALSE(by_code->historical) << code;
    }
  }
  EXPECT_GE(rows, 190u) << "fewer rows than the UNFCCC has parties: is " << path << " complete?";
}

}  // namespace
}  // namespace meabridge
