// The compiled form of a mapping file (internal to src/mapping/): what compiler.cc builds from
// the element tree and evaluator.cc runs. Everything that can be checked or prepared once
// (paths parsed, XPath and regexes compiled, vocabularies resolved, field order sorted by
// dependency) is done here, at load time.
//
// A Plan is immutable after compilation: thread-safe to share (std::regex and
// pugi::xpath_query are only read during evaluation).
#pragma once

#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

#include <pugixml.hpp>

#include "codec/doc_tree.h"
#include "codec/json_tree.h"
#include "codec/xml_doc.h"
#include "mapping/date_pattern.h"
#include "mapping/mapping.h"
#include "model/registry.h"
#include "model/validate.h"
#include "vocab/vocabulary.h"

namespace meabridge::mapping {

// Where paths point into: the decoder of an inbound mapping, or the canonical record (as a
// JSON tree) for an outbound one.
enum class Format { kJson, kXml, kCsv };

struct PathExpr {
  std::string text;
  codec::DocPosition pos;
  bool self = false;                         // "." : the context value itself (any format)
  codec::JsonPath json;                      // kJson
  std::shared_ptr<pugi::xpath_query> xpath;  // kXml
  int slot = -1;                             // kCsv: index into Plan::columns
  // kCsv, the child rows of a sql source: "NAME/*" selects each row of child NAME (child >= 0,
  // slot < 0), "NAME/*/COLUMN" that column of each row (slot: the column); index into
  // Plan::children.
  int child = -1;
};

struct Template {
  struct Part {
    enum class Kind { kLiteral, kField, kParam, kSource } kind = Kind::kLiteral;
    std::string text;      // literal text, parameter name or field name
    int field_index = -1;  // kField
    PathExpr path;         // kSource
  };
  std::vector<Part> parts;
  std::string text;
};

// What happens when a rule has no value (missing, null or empty).
enum class Policy : uint8_t { kSkip, kReject, kDefault };
// What happens when a lookup, map, date, number or bool step cannot convert a value.
enum class Miss : uint8_t { kReject, kDrop, kDefault, kKeep };

struct ValueMap {
  std::string name;
  std::unordered_map<std::string, std::string> entries;  // keys lowered when ignore_case
  bool ignore_case = false;
};

enum class Fn {
  kTrim,
  kCollapse,
  kLower,
  kUpper,
  kReplace,
  kExtract,
  kSplit,
  kJoin,
  kFirst,
  kUnique,
  kDate,
  kFormatDate,
  kNumber,
  kBool,
  kLookup,
  kMap,
  kUntcSuffix
};
const char* FnName(Fn fn);

struct Step {
  Fn fn = Fn::kTrim;
  codec::DocPosition pos;
  std::shared_ptr<const std::regex> re;
  std::string pattern_text;
  std::string with;
  bool literal = false;
  int group = -1;  // extract: -1 = 1 when the pattern has a group, else 0
  std::string sep;
  bool trim = true;
  std::optional<DatePattern> date;
  const vocab::Vocabulary* vocabulary = nullptr;
  bool label = false;  // lookup output="label"
  std::shared_ptr<const ValueMap> map;
  Miss on_miss = Miss::kReject;
  std::string default_value;
  char decimal = '.';
  std::vector<std::string> trues, falses;  // lowered
  std::string no_suffix = "ratification";
};

struct Condition {
  enum class Subject { kAlways, kPath, kField, kParam } subject = Subject::kAlways;
  PathExpr path;
  int field_index = -1;
  std::string param;
  enum class Op { kMissing, kNull, kEmpty, kBlank, kPresent, kEquals, kNotEquals, kMatches, kIn };
  Op op = Op::kPresent;
  std::string value;
  std::vector<std::string> values;
  std::shared_ptr<const std::regex> re;
  bool ignore_case = false;
  codec::DocPosition pos;
};

struct Rule {
  codec::DocPosition pos;
  enum class Source { kNone, kPath, kConst, kTemplate, kFirst, kConcat } source = Source::kNone;
  PathExpr path;
  std::string constant;
  Template tmpl;
  std::vector<Rule> parts;  // kFirst options, kConcat parts
  std::string sep;          // kConcat
  std::vector<Step> steps;
  Policy on_missing = Policy::kSkip, on_null = Policy::kSkip, on_empty = Policy::kSkip;
  std::optional<std::string> default_value;
  std::string where;  // "mappings/x.xml:12:5" for messages
};

struct Case {
  Condition cond;  // kAlways for <otherwise> and for a plain rule
  Rule rule;
};

struct ItemPlan {
  std::string name;
  const model::ItemFieldSpec* spec = nullptr;  // inbound
  std::vector<Case> cases;
  std::string out_type;  // outbound: auto, string, number, bool
};

struct LangText {
  std::string lang;  // canonical language code
  Rule rule;
};

struct FieldPlan {
  std::string name;                        // canonical field (inbound) or output path (outbound)
  int index = -1;                          // inbound: registry index
  const model::FieldSpec* spec = nullptr;  // inbound
  codec::DocPosition pos;
  std::vector<Case> cases;
  // multilingual
  enum class Shape { kAuto, kKeyed, kList, kText } shape = Shape::kAuto;
  std::string lang;  // canonical code for plain text values
  // csv/rows with lang-path given: a plain text's language is that column of the same row.
  bool lang_column = false;
  PathExpr lang_path, text_path;
  Miss lang_on_miss = Miss::kReject;
  std::string lang_default;
  std::vector<LangText> texts;
  // item-list (inbound) / arrays of objects (outbound)
  std::vector<ItemPlan> items;
  // outbound
  std::string out_type = "auto";
  bool always = false;                // write null when there is no value
  std::vector<std::string> out_path;  // name split on '/'
  std::vector<int> deps;              // fields (registry indexes) this one reads
  // A plain text field read straight from the source (one path of member names, no steps but
  // trim, no policy): the evaluator takes a short way for it (most fields of most mappings).
  bool simple_text = false;
  bool simple_trim = false;
};

struct Plan {
  std::string file;
  bool outbound = false;
  const model::EntitySpec* entity = nullptr;
  const vocab::Vocabularies* vocabularies = nullptr;
  const vocab::Vocabulary* languages = nullptr;
  std::string format_name;
  Format format = Format::kJson;
  // <paging>: the paging the source's protocol uses, as Mapping::paging() gives it ("" none).
  std::string paging;

  // json decoder
  std::vector<std::string> record_paths;
  bool odata = false;
  // xml decoder (and xml encoder)
  std::vector<codec::XmlNamespace> namespaces;
  std::shared_ptr<pugi::xpath_query> records_xpath;
  std::string records_text;
  codec::DocPosition records_pos;  // of <records>, for the document-level check's message
  // xml: the records XPath without its last step ("/a:feed" for "/a:feed/a:entry"), to tell
  // an empty feed from a document of another shape; null when there is none to take.
  std::shared_ptr<pugi::xpath_query> records_parent_xpath;
  // csv decoder
  char delimiter = ',';
  char quote = '"';
  bool header = true;
  size_t skip_lines = 0;
  std::optional<std::string> null_text;
  std::vector<std::string> columns;  // slot -> column name (or "1", "2"... without a header)
  // The columns the mapping's own paths name (not the defaults of lang-path and text-path),
  // each with the rows it is read from: what check-config looks for in a sql source's queries.
  std::vector<RowColumn> read_columns;
  // The child row sets (sql <child> names) the paths read, in order of first use.
  std::vector<std::string> children;

  std::vector<ParamSpec> params;
  // Every {param.NAME} of the mapping's templates, for checks against a source's parameters
  // (ParamProblemsOf). `guarded`: inside a <when if-param="NAME"> that tests it is present.
  struct ParamUse {
    std::string name;
    codec::DocPosition pos;
    bool guarded = false;
  };
  std::vector<ParamUse> param_uses;
  std::vector<std::shared_ptr<const ValueMap>> value_maps;
  std::vector<Condition> skips;
  // <deleted> rules: a record one of them holds for is a deletion mark (only its id is mapped).
  std::vector<Condition> deleted;
  std::optional<Rule> id;
  std::vector<FieldPlan> fields;  // in evaluation order
  // Inbound: the registry's rules for the entity, its vocabularies resolved once.
  std::unique_ptr<const model::Validator> validator;
  // Positions in `fields` of the fields the id rule reads (directly or through other fields),
  // in evaluation order: what a deletion mark evaluates besides the id.
  std::vector<size_t> id_fields;

  // outbound encoder
  std::string encoder;                  // json, json-lines, xml
  std::vector<std::string> items_path;  // json: where the array of records sits
  std::string xml_root, xml_item;
  std::string content_type;
};

// Compiles a mapping tree; InvalidArgument listing every error, one per line, each
// "file:line:column: what is wrong; expected ...".
Result<std::unique_ptr<Plan>> Compile(const codec::DocNode& root,
                                      const vocab::Vocabularies& vocabularies,
                                      const model::Registry& registry);

// Checks parameters against a plan's declarations (Mapping::CheckParams, OutboundMapping).
Status CheckParamsOf(const Plan& plan, const Params& params);
// Mapping::ParamProblems, for both directions.
std::vector<std::string> ParamProblemsOf(const Plan& plan, const Params& params);

}  // namespace meabridge::mapping
