// docs/entities.md documents every entity and field of the registry with its type, required
// flag, vocabulary and an example: this test keeps it so. A field added to the registry fails
// here until it has its row; a row the registry does not have (a field renamed or removed)
// fails too, and so does an example that is not a value of the field's type or, for a term,
// not a canonical code of its vocabulary.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "model/registry.h"
#include "vocab/vocabulary.h"
#include "support/test_support.h"

namespace meabridge::model {
namespace {

struct Row {
  std::string type, required, vocabulary, example;
  int line = 0;
};

std::string Cell(std::string c) {
  size_t b = c.find_first_not_of(' ');
  size_t e = c.find_last_not_of(' ');
  c = b == std::string::npos ? "" : c.substr(b, e - b + 1);
  if (c.size() >= 2 && c.front() == '`' && c.back() == '`') c = c.substr(1, c.size() - 2);
  return c;
}

// Section "## `SetName`" -> field name -> its row "| `field` | type | required | vocabulary |
// example | meaning |".
std::map<std::string, std::map<std::string, Row>> ParseDoc(const std::string& doc) {
  std::map<std::string, std::map<std::string, Row>> out;
  std::istringstream in(doc);
  std::string line, section;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("## `", 0) == 0) {
      section = Cell(line.substr(3));
      out[section];
      continue;
    }
    if (section.empty() || line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    size_t at = 1;
    while (at < line.size()) {
      size_t bar = line.find(" |", at);
      if (bar == std::string::npos) break;
      cells.push_back(Cell(line.substr(at, bar - at)));
      at = bar + 2;
    }
    if (cells.size() < 5) {
      ADD_FAILURE() << "docs/entities.md:" << n << ": a field row needs 6 cells: " << line;
      continue;
    }
    out[section][cells[0]] = Row{cells[1], cells[2], cells[3], cells[4], n};
  }
  return out;
}

// Whether `example` is written as a value of `type` is in the canonical JSON.
bool LooksLike(FieldType type, const std::string& example) {
  static const std::regex date(R"(\d{4}-\d{2}-\d{2})");
  static const std::regex datetime(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z)");
  static const std::regex integer(R"(-?\d+)");
  static const std::regex number(R"(-?\d+(\.\d+)?)");
  static const std::regex multilingual(R"(\{"[a-z]{2}(-[a-z]+)?": ".*"\})");
  switch (type) {
    case FieldType::kDate:
      return std::regex_match(example, date);
    case FieldType::kDateTime:
      return std::regex_match(example, datetime);
    case FieldType::kInt:
      return std::regex_match(example, integer);
    case FieldType::kDouble:
      return std::regex_match(example, number);
    case FieldType::kBool:
      return example == "true" || example == "false";
    case FieldType::kMultilingual:
      return std::regex_match(example, multilingual);
    case FieldType::kStringList:
      return example.size() >= 2 && example.front() == '[' && example.back() == ']';
    case FieldType::kItemList:
      return example.size() >= 4 && example.rfind("[{", 0) == 0 &&
             example.substr(example.size() - 2) == "}]";
    case FieldType::kString:
    case FieldType::kText:
    case FieldType::kTerm:
      return !example.empty();
  }
  return false;
}

// The codes a term or term-list example names: `FR`, or `["cbd", "cartagena"]`.
std::vector<std::string> Codes(FieldType type, const std::string& example) {
  if (type != FieldType::kStringList) return {example};
  std::vector<std::string> out;
  static const std::regex quoted("\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(example.begin(), example.end(), quoted);
       it != std::sregex_iterator(); ++it) {
    out.push_back((*it)[1]);
  }
  return out;
}

class EntitiesDocTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ifstream in(meabridge::testing::SourceDir() + "/docs/entities.md");
    ASSERT_TRUE(in) << "docs/entities.md is missing";
    std::stringstream ss;
    ss << in.rdbuf();
    doc_ = ParseDoc(ss.str());
  }

  void CheckRow(const std::string& set, const std::string& name, FieldType type, bool required,
                const std::string& vocabulary) {
    auto s = doc_.find(set);
    ASSERT_NE(s, doc_.end()) << "docs/entities.md has no section ## `" << set << "`";
    auto r = s->second.find(name);
    ASSERT_NE(r, s->second.end())
        << "docs/entities.md, section " << set << ": no row for the field `" << name
        << "` (type " << FieldTypeName(type) << "); add | `" << name << "` | "
        << FieldTypeName(type) << " | " << (required ? "yes" : "no") << " | " << vocabulary
        << " | example | meaning |";
    const Row& row = r->second;
    const std::string where = "docs/entities.md:" + std::to_string(row.line) + ": " + set + "." + name;
    EXPECT_EQ(row.type, FieldTypeName(type)) << where << ": the registry's type";
    EXPECT_EQ(row.required, required ? "yes" : "no") << where << ": the registry's required flag";
    EXPECT_EQ(row.vocabulary, vocabulary) << where << ": the registry's vocabulary";
    EXPECT_TRUE(LooksLike(type, row.example))
        << where << ": the example `" << row.example << "` is not written as a "
        << FieldTypeName(type);
    if (!vocabulary.empty()) {
      const vocab::Vocabulary* v = vocab::Vocabularies::System().Find(vocabulary);
      ASSERT_NE(v, nullptr) << where << ": no vocabulary " << vocabulary;
      for (const std::string& code : Codes(type, row.example)) {
        EXPECT_NE(v->FindCode(code), nullptr)
            << where << ": the example `" << code << "` is not a code of " << vocabulary;
      }
    }
    checked_[set].push_back(name);
  }

  std::map<std::string, std::map<std::string, Row>> doc_;
  std::map<std::string, std::vector<std::string>> checked_;
};

TEST_F(EntitiesDocTest, EveryFieldOfTheRegistryIsDocumented) {
  for (const EntitySpec& e : Registry::Default().entities()) {
    for (const FieldSpec& f : e.fields) {
      CheckRow(e.set_name, f.name, f.type, f.required, f.vocabulary);
      for (const ItemFieldSpec& i : f.item_fields) {
        CheckRow(e.set_name, f.name + "[]." + i.name, i.type, i.required, i.vocabulary);
      }
    }
  }
}

TEST_F(EntitiesDocTest, EveryDocumentedFieldIsInTheRegistry) {
  for (const auto& [set, rows] : doc_) {
    const EntitySpec* e = Registry::Default().Find(set);
    ASSERT_NE(e, nullptr) << "docs/entities.md documents " << set
                          << ", which the registry does not have (" << Registry::Default().SetNames()
                          << ")";
    for (const auto& [name, row] : rows) {
      size_t items = name.find("[].");
      const FieldSpec* f = e->Field(name.substr(0, items));
      bool known = f && (items == std::string::npos || f->ItemField(name.substr(items + 3)));
      EXPECT_TRUE(known) << "docs/entities.md:" << row.line << ": " << set << "." << name
                         << " is not a field of the registry (src/model/registry.cc)";
    }
  }
}

}  // namespace
}  // namespace meabridge::model
