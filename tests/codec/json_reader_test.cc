// The streaming JSON record reader and the per-record tree: record paths with wildcards, OData
// shapes, captures, positions, chunk boundaries, and bad input (never a crash).
#include "codec/json_reader.h"

#include <gtest/gtest.h>

#include <cstring>

namespace meabridge::codec {
namespace {

// A source that hands out its bytes only through Read (as a file or a socket does), so that
// small chunk sizes really cut the document into chunks.
class StreamingSource : public ByteSource {
 public:
  explicit StreamingSource(std::string text) : text_(std::move(text)) {}
  Result<size_t> Read(char* buf, size_t max) override {
    size_t n = std::min(max, text_.size() - pos_);
    std::memcpy(buf, text_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  const std::string& name() const override { return name_; }

 private:
  std::string text_;
  size_t pos_ = 0;
  std::string name_ = "doc.json";
};

struct Read {
  Status status;
  std::vector<std::string> records;   // compact JSON of each record
  std::vector<std::string> pointers;  // its position
  std::map<std::string, std::string> captured;
};

Read ReadAll(const std::string& text, std::vector<std::string> paths,
             std::vector<std::string> captures = {}, bool odata = false, size_t chunk = 64 * 1024,
             uint32_t max_depth = 512) {
  Read out;
  JsonDecodeOptions o;
  o.record_paths = std::move(paths);
  o.capture_paths = std::move(captures);
  o.odata = odata;
  o.chunk_size = chunk;
  o.max_depth = max_depth;
  auto reader = JsonRecordReader::Create(o);
  if (!reader.ok()) {
    out.status = reader.status();
    return out;
  }
  std::unique_ptr<ByteSource> source = chunk < 64 * 1024 ? std::make_unique<StreamingSource>(text)
                                                         : ByteSource::FromString(text, "doc.json");
  out.status = reader->Read(
      *source,
      [&](const JsonTree& tree, const JsonPosition& position) {
        out.records.push_back(tree.ToJson(tree.root()));
        out.pointers.push_back(position.Pointer());
        return Status::Ok();
      },
      &out.captured);
  return out;
}

TEST(JsonReaderTest, ArrayWildcards) {
  auto r = ReadAll(R"({"d": {"results": [{"a": 1}, {"a": [2, {"b": null}]}], "__next": "n"}})",
                   {"/d/results/*"}, {"/d/__next"});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.records, (std::vector<std::string>{R"({"a":1})", R"({"a":[2,{"b":null}]})"}));
  EXPECT_EQ(r.pointers, (std::vector<std::string>{"/d/results/0", "/d/results/1"}));
  EXPECT_EQ(r.captured.at("/d/__next"), "n");
}

TEST(JsonReaderTest, ODataShapesWithOnePath) {
  auto v2 = ReadAll(R"({"d": {"__count": "2", "results": [{"id": 1}, {"id": 2}]}})", {"/d/*"},
                    {"/d/__count"}, /*odata=*/true);
  EXPECT_EQ(v2.records, (std::vector<std::string>{R"({"id":1})", R"({"id":2})"}));
  EXPECT_EQ(v2.pointers[1], "/d/results/1");
  EXPECT_EQ(v2.captured.at("/d/__count"), "2");
  auto v1 = ReadAll(R"({"d": [{"id": 1}]})", {"/d/*"}, {}, true);
  EXPECT_EQ(v1.records, (std::vector<std::string>{R"({"id":1})"}));
  // Without odata, "*" also walks object members.
  auto members = ReadAll(R"({"d": {"x": {"id": 1}, "y": 2}})", {"/d/*"});
  EXPECT_EQ(members.records, (std::vector<std::string>{R"({"id":1})", "2"}));
}

TEST(JsonReaderTest, SeveralPathsIndexesRootAndEscapes) {
  auto r = ReadAll(R"({"value": [{"id": 1}, {"id": 2}], "more": [3], "a/b": {"c~d": "x"}})",
                   {"/value/1", "/more/*", "/a~1b/c~0d"});
  EXPECT_EQ(r.records, (std::vector<std::string>{R"({"id":2})", "3", "\"x\""}));
  EXPECT_EQ(r.pointers, (std::vector<std::string>{"/value/1", "/more/0", "/a~1b/c~0d"}));
  auto root = ReadAll(R"({"id": "only"})", {""});
  EXPECT_EQ(root.records, (std::vector<std::string>{R"({"id":"only"})"}));
  EXPECT_EQ(root.pointers, (std::vector<std::string>{""}));
  auto top = ReadAll(R"([{"id": 1}, {"id": 2}])", {"/*"});
  EXPECT_EQ(top.records.size(), 2u);
}

TEST(JsonReaderTest, CapturesNumbersBooleansAndIgnoresStructures) {
  auto r = ReadAll(R"({"@odata.count": 12, "flag": true, "obj": {"x": 1}, "value": []})",
                   {"/value/*"}, {"/@odata.count", "/flag", "/obj", "/absent"});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.captured.at("/@odata.count"), "12");
  EXPECT_EQ(r.captured.at("/flag"), "true");
  EXPECT_EQ(r.captured.count("/obj"), 0u);
  EXPECT_EQ(r.captured.count("/absent"), 0u);
}

TEST(JsonReaderTest, NumbersKeepTheirText) {
  auto r = ReadAll(R"([{"n": 12.50, "big": 12345678901234567890, "e": -1e-3}])", {"/*"});
  EXPECT_EQ(r.records[0], R"({"n":12.50,"big":12345678901234567890,"e":-1e-3})");
}

TEST(JsonReaderTest, TinyChunksGiveTheSameResult) {
  std::string doc = "{\"d\": {\"results\": [";
  for (int i = 0; i < 50; ++i) {
    if (i) doc += ",\n";
    doc += "{\"id\": \"" + std::to_string(i) + "\", \"name\": \"n\\u00e9 \\\"q\\\"\"}";
  }
  doc += "]}}";
  auto big = ReadAll(doc, {"/d/results/*"});
  auto small = ReadAll(doc, {"/d/results/*"}, {}, false, 16);
  ASSERT_TRUE(small.status.ok()) << small.status.message();
  EXPECT_EQ(big.records, small.records);
  EXPECT_EQ(small.records.size(), 50u);
  EXPECT_EQ(small.records[3], "{\"id\":\"3\",\"name\":\"n\xc3\xa9 \\\"q\\\"\"}");
}

TEST(JsonReaderTest, MalformedInputGivesLineColumnAndOffset) {
  auto r = ReadAll("{\"d\": [{\"id\": 1},\n {\"id\": 2,}\n]}", {"/d/*"}, {}, false, 16);
  EXPECT_EQ(r.status.code(), Status::Code::kParseError);
  EXPECT_NE(r.status.message().find("doc.json:2:11 (offset 28): JSON error:"), std::string::npos)
      << r.status.message();
  EXPECT_EQ(r.records.size(), 1u);

  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "nul", "{\"a\": \"\\x\"}", "{} {}",
                          "{\"a\": \"\x01\"}", "\"unterminated"}) {
    auto b = ReadAll(bad, {"/*"});
    EXPECT_EQ(b.status.code(), Status::Code::kParseError) << bad;
  }
}

TEST(JsonReaderTest, NulByteIsAnError) {
  std::string doc("[{\"a\": 1}, \0 {\"a\": 2}]", 23);
  auto r = ReadAll(doc, {"/*"});
  EXPECT_EQ(r.status.code(), Status::Code::kParseError);
  EXPECT_EQ(r.records.size(), 1u);
}

TEST(JsonReaderTest, InvalidUtf8PassesToTheRecordForValidation) {
  auto r = ReadAll("[{\"name\": \"Gon\xe7\x61lves\"}]", {"/*"});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.records.size(), 1u);
}

TEST(JsonReaderTest, DeepNestingIsAnErrorNotACrash) {
  std::string doc(100000, '[');
  auto r = ReadAll(doc, {"/x"});
  EXPECT_EQ(r.status.code(), Status::Code::kParseError);
  EXPECT_NE(r.status.message().find("nesting deeper than 512"), std::string::npos)
      << r.status.message();
  std::string in_record = "[" + std::string(600, '[') + std::string(600, ']') + "]";
  auto r2 = ReadAll(in_record, {"/*"});
  EXPECT_EQ(r2.status.code(), Status::Code::kParseError);
}

TEST(JsonReaderTest, CallbackErrorStopsTheRead) {
  JsonDecodeOptions o;
  o.record_paths = {"/*"};
  auto reader = JsonRecordReader::Create(o);
  ASSERT_TRUE(reader.ok());
  auto source = ByteSource::FromString("[1, 2, 3]");
  int n = 0;
  Status s = reader->Read(
      *source,
      [&](const JsonTree&, const JsonPosition&) {
        return ++n == 2 ? Status::Aborted("enough") : Status::Ok();
      },
      nullptr);
  EXPECT_EQ(s.code(), Status::Code::kAborted);
  EXPECT_EQ(n, 2);
}

TEST(JsonReaderTest, BadPathsAreRefused) {
  JsonDecodeOptions o;
  o.record_paths = {"d/results"};
  EXPECT_FALSE(JsonRecordReader::Create(o).ok());
  o.record_paths = {"/d/*"};
  o.capture_paths = {"/d/*/x"};
  EXPECT_FALSE(JsonRecordReader::Create(o).ok());
  o.capture_paths = {"/a~2"};
  EXPECT_FALSE(JsonRecordReader::Create(o).ok());
  o.capture_paths.clear();
  o.record_paths.clear();
  EXPECT_FALSE(JsonRecordReader::Create(o).ok());
}

class FailingSource : public ByteSource {
 public:
  Result<size_t> Read(char* buf, size_t max) override {
    if (calls_++ == 0) {
      const char kText[] = "[{\"a\": 1}, ";
      size_t n = std::min(max, sizeof kText - 1);
      std::memcpy(buf, kText, n);
      return n;
    }
    return Status::IoError("connection reset");
  }
  const std::string& name() const override { return name_; }

 private:
  int calls_ = 0;
  std::string name_ = "net";
};

TEST(JsonReaderTest, SourceErrorsComeBack) {
  JsonDecodeOptions o;
  o.record_paths = {"/*"};
  auto reader = JsonRecordReader::Create(o);
  FailingSource source;
  int n = 0;
  Status s = reader->Read(
      source,
      [&](const JsonTree&, const JsonPosition&) {
        ++n;
        return Status::Ok();
      },
      nullptr);
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  EXPECT_EQ(n, 1);
}

// ---- the tree and its paths ----------------------------------------------------------------

JsonTree Build(const std::string& text) {
  JsonTree tree;
  JsonDecodeOptions o;
  o.record_paths = {""};
  auto reader = JsonRecordReader::Create(o);
  auto source = ByteSource::FromString(text);
  EXPECT_TRUE(reader
                  ->Read(
                      *source,
                      [&](const JsonTree& t, const JsonPosition&) {
                        tree = t;
                        return Status::Ok();
                      },
                      nullptr)
                  .ok());
  return tree;
}

std::vector<std::string> Select(const JsonTree& tree, const std::string& path, bool odata = false) {
  JsonPath p;
  std::string error;
  EXPECT_TRUE(ParseJsonPath(path, &p, &error)) << error;
  std::vector<JsonSelected> sel;
  JsonSelectOptions o;
  o.odata = odata;
  SelectJson(tree, tree.root(), p, o, &sel);
  std::vector<std::string> out;
  for (const JsonSelected& s : sel) {
    out.push_back(s.is_key ? "key:" + std::string(s.key) : tree.ToJson(s.node));
  }
  return out;
}

TEST(JsonTreeTest, PathsSelect) {
  JsonTree t = Build(R"({"a": {"b": [1, 2, {"c": "x"}]}, "m": {"k1": "v1", "k2": "v2"},
                        "r": {"results": [{"v": 1}], "__count": "1"}, "def": {"__deferred": {}}})");
  EXPECT_EQ(Select(t, "a/b/0"), (std::vector<std::string>{"1"}));
  EXPECT_EQ(Select(t, "/a/b/2/c"), (std::vector<std::string>{"\"x\""}));
  EXPECT_EQ(Select(t, "a/b/*"), (std::vector<std::string>{"1", "2", R"({"c":"x"})"}));
  EXPECT_EQ(Select(t, "a/b/2/c/../.."), (std::vector<std::string>{R"([1,2,{"c":"x"}])"}));
  EXPECT_EQ(Select(t, "m/*/~"), (std::vector<std::string>{"key:k1", "key:k2"}));
  EXPECT_EQ(Select(t, "m/./k2"), (std::vector<std::string>{"\"v2\""}));
  EXPECT_EQ(Select(t, "nope/x"), (std::vector<std::string>{}));
  EXPECT_EQ(Select(t, "r/*/v", true), (std::vector<std::string>{"1"}));
  EXPECT_EQ(Select(t, "r/0/v", true), (std::vector<std::string>{"1"}));
  EXPECT_EQ(Select(t, "def", true), (std::vector<std::string>{}));
  EXPECT_EQ(Select(t, "def").size(), 1u);
  EXPECT_EQ(Select(t, "a/b/7"), (std::vector<std::string>{}));
}

TEST(JsonTreeTest, BadPaths) {
  JsonPath p;
  std::string error;
  EXPECT_FALSE(ParseJsonPath("a//b", &p, &error));
  EXPECT_NE(error.find("empty segment"), std::string::npos);
  EXPECT_FALSE(ParseJsonPath("a/~x", &p, &error));
  EXPECT_FALSE(ParseJsonPath("a/~/b", &p, &error));
  EXPECT_TRUE(ParseJsonPath("", &p, &error));
}

TEST(JsonTreeTest, BuildsFromWriterEventsAndEscapes) {
  JsonTree t;
  t.StartObject();
  t.Key("s", 1);
  t.String("a\"b\\\n\x01");
  t.Key("n", 1);
  t.Int64(-5);
  t.Key("d", 1);
  t.Double(0.5);
  t.Key("l", 1);
  t.StartArray();
  t.Bool(true);
  t.Null();
  t.EndArray();
  t.EndObject();
  EXPECT_TRUE(t.complete());
  EXPECT_EQ(t.ToJson(t.root()), R"({"s":"a\"b\\\n\u0001","n":-5,"d":0.5,"l":[true,null]})");
  EXPECT_EQ(t.size(t.root()), 4u);
  EXPECT_EQ(t.Member(t.root(), "n"), 2u);
  EXPECT_EQ(t.Member(t.root(), "zz"), JsonTree::kNone);
}

// ---- encoding errors stay in their record (issue 12) ----

struct Damaged {
  Status status;
  std::vector<std::string> records;
  std::vector<std::vector<JsonDamage>> damage;
};

Damaged ReadDamage(const std::string& text, const std::string& path, size_t chunk = 64 * 1024) {
  Damaged out;
  JsonDecodeOptions o;
  o.record_paths = {path};
  o.chunk_size = chunk;
  auto reader = JsonRecordReader::Create(o);
  std::unique_ptr<ByteSource> source = chunk < 64 * 1024 ? std::make_unique<StreamingSource>(text)
                                                         : ByteSource::FromString(text, "doc.json");
  out.status = reader->Read(
      *source,
      [&](const JsonTree& tree, const JsonPosition& position) {
        out.records.push_back(tree.ToJson(tree.root()));
        out.damage.push_back(position.damage());
        return Status::Ok();
      },
      nullptr);
  return out;
}

TEST(JsonReaderTest, ALoneSurrogateDamagesOnlyItsRecord) {
  for (size_t chunk : {size_t{64 * 1024}, size_t{3}}) {
    Damaged r = ReadDamage(
        R"([{"id": "a", "name": "ok \ud83d\ude00"}, {"id": "b", "title": {"en": "x \ud800 y"}},)"
        R"( {"id": "c", "n": "\udc00"}, {"id": "d", "n": "\ud800\u0041"}, {"id": "e"}])",
        "/*", chunk);
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    ASSERT_EQ(r.records.size(), 5u);
    EXPECT_TRUE(r.damage[0].empty()) << "a surrogate pair is fine";
    EXPECT_EQ(r.records[0], "{\"id\":\"a\",\"name\":\"ok \xF0\x9F\x98\x80\"}");
    ASSERT_EQ(r.damage[1].size(), 1u);
    EXPECT_EQ(r.damage[1][0].member, "title/en");
    EXPECT_EQ(r.damage[1][0].bytes, "\\ud800");
    EXPECT_EQ(r.damage[1][0].what, "a lone UTF-16 surrogate");
    EXPECT_EQ(r.records[1], "{\"id\":\"b\",\"title\":{\"en\":\"x \xEF\xBF\xBD y\"}}");
    ASSERT_EQ(r.damage[2].size(), 1u) << "a lone low surrogate";
    EXPECT_EQ(r.damage[2][0].bytes, "\\udc00");
    ASSERT_EQ(r.damage[3].size(), 1u) << "a high surrogate followed by another escape";
    EXPECT_EQ(r.records[3],
              "{\"id\":\"d\",\"n\":\"\xEF\xBF\xBD"
              "A\"}");
    EXPECT_TRUE(r.damage[4].empty());
  }
}

TEST(JsonReaderTest, AnInvalidEscapeAndMalformedUtf8DamageOnlyTheirRecord) {
  Damaged r = ReadDamage(
      "{\"value\": [{\"id\": \"a\", \"n\": \"\\x41\"}, {\"id\": \"b\", \"list\": "
      "[\"ok\", \"caf\xE9\"]}, {\"id\": \"c\", \"n\": \"\\u12\"}, {\"id\": "
      "\"d\"}]}",
      "/value/*");
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.records.size(), 4u);
  ASSERT_EQ(r.damage[0].size(), 1u);
  EXPECT_EQ(r.damage[0][0].what, "an invalid escape");
  EXPECT_EQ(r.damage[0][0].bytes, "\\x");
  EXPECT_EQ(r.damage[0][0].member, "n");
  ASSERT_EQ(r.damage[1].size(), 1u);
  EXPECT_EQ(r.damage[1][0].what, "malformed UTF-8");
  EXPECT_EQ(r.damage[1][0].bytes, "caf\\xe9");
  EXPECT_EQ(r.damage[1][0].member, "list/1");
  ASSERT_EQ(r.damage[2].size(), 1u);
  EXPECT_EQ(r.damage[2][0].what, "an invalid \\u escape");
  EXPECT_TRUE(r.damage[3].empty());
}

TEST(JsonReaderTest, AnEncodingErrorOutsideTheRecordsStopsTheRead) {
  Damaged r = ReadDamage(R"({"__next": "x\ud800", "value": [{"id": "a"}]})", "/value/*");
  EXPECT_EQ(r.status.code(), Status::Code::kParseError);
  EXPECT_NE(r.status.message().find("a string outside the records holds a lone UTF-16 surrogate "
                                    "(\\ud800); the document cannot be read"),
            std::string::npos)
      << r.status.message();
}

// ---- the document-level check (issue 12) ----

JsonShape ShapeOf(const std::string& text, std::vector<std::string> paths, bool odata = false) {
  JsonDecodeOptions o;
  o.record_paths = std::move(paths);
  o.odata = odata;
  auto reader = JsonRecordReader::Create(o);
  auto source = ByteSource::FromString(text, "doc.json");
  JsonShape shape;
  Status s = reader->Read(
      *source, [](const JsonTree&, const JsonPosition&) { return Status::Ok(); }, nullptr, &shape);
  EXPECT_TRUE(s.ok()) << s.message();
  return shape;
}

TEST(JsonReaderTest, TheShapeSaysWhetherARecordsPathReachedItsContainer) {
  struct Case {
    std::string text;
    std::string path;
    bool odata;
    bool reached;
    bool empty;
    std::string description;
  };
  for (const Case& c : std::vector<Case>{
           {R"([{"id": 1, "title": "t", "treaty": "cbd", "a": 1, "b": 2, "c": 3, "d": 4},
               {"id": 2}, {"id": 3}, {"id": 4}])",
            "/data/*", false, false, false,
            "`/data` not found; the top level is an array of 4 objects with keys id, title, "
            "treaty, a, b, c, ..."},
           {R"({"value": [{"id": 1}], "@odata.context": "x"})", "/d/results/*", false, false, false,
            "`/d/results` not found; the top level has `value`, `@odata.context`"},
           {R"({"d": {"__count": "1", "items": []}})", "/d/results/*", false, false, false,
            "`/d/results` not found; `/d` has `__count`, `items`"},
           {R"({"data": "nothing"})", "/data/*", false, false, false, "`/data` is a string"},
           {R"({"value": []})", "/value/*", false, true, false, ""},
           {R"({"data": null})", "/data/*", false, true, false, ""},
           {R"({"d": {"results": []}})", "/d/*", true, true, false, ""},
           // Empty documents: no records, and no mismatch either (the description is unused).
           {R"([])", "/data/*", false, false, true,
            "`/data` not found; the top level is an array of 0 values"},
           {R"({})", "/value/*", false, false, true,
            "`/value` not found; the top level is an empty object"},
           {R"([{"id": 1}])", "/*", false, true, false, ""},
       }) {
    JsonShape s = ShapeOf(c.text, {c.path}, c.odata);
    EXPECT_EQ(s.reached, c.reached) << c.text;
    EXPECT_EQ(s.empty, c.empty) << c.text;
    EXPECT_EQ(s.description, c.description) << c.text;
  }
}

}  // namespace
}  // namespace meabridge::codec
