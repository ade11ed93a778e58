// Compiles a mapping's element tree (codec/doc_tree.h) into a Plan, checking everything that
// can be checked before a record is seen. Every error is collected with its position, so an
// admin fixes a file in one pass.
#include <algorithm>
#include <initializer_list>
#include <set>

#include "codec/json_reader.h"
#include "core/strings.h"
#include "mapping/plan.h"

namespace meabridge::mapping {

const char* FnName(Fn fn) {
  switch (fn) {
    case Fn::kTrim:
      return "trim";
    case Fn::kCollapse:
      return "collapse";
    case Fn::kLower:
      return "lower";
    case Fn::kUpper:
      return "upper";
    case Fn::kReplace:
      return "replace";
    case Fn::kExtract:
      return "extract";
    case Fn::kSplit:
      return "split";
    case Fn::kJoin:
      return "join";
    case Fn::kFirst:
      return "first";
    case Fn::kUnique:
      return "unique";
    case Fn::kDate:
      return "date";
    case Fn::kFormatDate:
      return "format-date";
    case Fn::kNumber:
      return "number";
    case Fn::kBool:
      return "bool";
    case Fn::kLookup:
      return "lookup";
    case Fn::kMap:
      return "map";
    case Fn::kUntcSuffix:
      return "untc-suffix";
  }
  return "?";
}

namespace {

using codec::DocNode;
using codec::DocPosition;
using model::FieldType;

constexpr size_t kMaxErrors = 25;

struct FnInfo {
  Fn fn;
  const char* name;
  std::vector<const char*> attributes;  // besides fn
};

const std::vector<FnInfo>& Functions() {
  static const std::vector<FnInfo> kFns = {
      {Fn::kTrim, "trim", {}},
      {Fn::kCollapse, "collapse", {}},
      {Fn::kLower, "lower", {}},
      {Fn::kUpper, "upper", {}},
      {Fn::kReplace, "replace", {"pattern", "with", "literal"}},
      {Fn::kExtract, "extract", {"pattern", "group", "on-miss", "default"}},
      {Fn::kSplit, "split", {"sep", "pattern", "trim"}},
      {Fn::kJoin, "join", {"sep"}},
      {Fn::kFirst, "first", {}},
      {Fn::kUnique, "unique", {}},
      {Fn::kDate, "date", {"pattern", "on-miss", "default"}},
      {Fn::kFormatDate, "format-date", {"pattern"}},
      {Fn::kNumber, "number", {"decimal", "on-miss", "default"}},
      {Fn::kBool, "bool", {"true", "false", "on-miss", "default"}},
      {Fn::kLookup, "lookup", {"vocabulary", "output", "on-miss", "default"}},
      {Fn::kMap, "map", {"values", "ignore-case", "on-miss", "default"}},
      {Fn::kUntcSuffix, "untc-suffix", {"no-suffix"}},
  };
  return kFns;
}

std::string JoinNames(const std::vector<std::string>& names) { return core::Join(names, ", "); }

// What a rule's steps produce, for the type checks against the canonical field.
enum class Kind { kAny, kText, kNumber, kBool, kDate };
const char* KindName(Kind k) {
  switch (k) {
    case Kind::kAny:
      return "a source value";
    case Kind::kText:
      return "text";
    case Kind::kNumber:
      return "a number";
    case Kind::kBool:
      return "a boolean";
    case Kind::kDate:
      return "a date";
  }
  return "?";
}

const std::vector<const char*> kRuleAttributes = {"path",     "value",      "template", "default",
                                                  "required", "on-missing", "on-null",  "on-empty"};
const std::vector<const char*> kConditionAttributes = {
    "if", "if-field", "if-param", "is", "equals", "not-equals", "matches", "in", "ignore-case"};

class Compiler {
 public:
  Compiler(const vocab::Vocabularies& vocabularies, const model::Registry& registry)
      : vocabs_(vocabularies), registry_(registry) {}

  Result<std::unique_ptr<Plan>> Run(const DocNode& root) {
    plan_ = std::make_unique<Plan>();
    plan_->vocabularies = &vocabs_;
    plan_->file = root.position.file;
    CompileRoot(root);
    if (errors_.empty() && !plan_->outbound && plan_->entity) {
      plan_->validator = std::make_unique<model::Validator>(*plan_->entity, vocabs_);
    }
    if (!errors_.empty()) {
      std::string msg;
      for (size_t i = 0; i < errors_.size(); ++i) msg += (i ? "\n" : "") + errors_[i];
      if (errors_.size() >= kMaxErrors) msg += "\n(more errors not shown)";
      return Status::InvalidArgument(msg);
    }
    return std::move(plan_);
  }

 private:
  // ---- error reporting -----------------------------------------------------------------------

  void Error(const DocPosition& pos, const std::string& message) {
    if (errors_.size() >= kMaxErrors) return;
    errors_.push_back(pos.ToString() + ": " + message);
  }

  void CheckAttributes(const DocNode& n, const std::vector<const char*>& allowed,
                       const std::vector<const char*>& more = {}) {
    for (const codec::DocAttribute& a : n.attributes) {
      bool ok = false;
      for (const char* x : allowed) ok = ok || a.name == x;
      for (const char* x : more) ok = ok || a.name == x;
      if (!ok) {
        std::vector<std::string> names;
        for (const char* x : allowed) names.push_back(x);
        for (const char* x : more) names.push_back(x);
        Error(a.position,
              "unknown attribute '" + a.name + "' on <" + n.name + ">; expected " +
                  (names.empty() ? std::string("no attributes") : "one of: " + JoinNames(names)));
      }
    }
  }

  void CheckChildren(const DocNode& n, const std::vector<const char*>& allowed) {
    for (const DocNode& c : n.children) {
      bool ok = false;
      for (const char* x : allowed) ok = ok || c.name == x;
      if (!ok) {
        std::vector<std::string> names;
        for (const char* x : allowed) names.push_back("<" + std::string(x) + ">");
        Error(c.position, "unknown element <" + c.name + "> in <" + n.name + ">; expected " +
                              (names.empty() ? std::string("no child elements")
                                             : "one of: " + JoinNames(names)));
      }
    }
    if (!n.text.empty()) {
      Error(n.position, "<" + n.name + "> holds text \"" + core::Quote(n.text, 40) +
                            "\"; values are given in attributes");
    }
  }

  bool ParseBool(const DocNode& n, const char* attr, bool fallback) {
    const codec::DocAttribute* a = n.Attribute(attr);
    if (!a) return fallback;
    if (a->value == "true") return true;
    if (a->value == "false") return false;
    Error(a->position,
          std::string("attribute '") + attr + "' is \"" + a->value + "\"; expected true or false");
    return fallback;
  }

  // ---- paths and templates -------------------------------------------------------------------

  int CsvSlot(const std::string& column, const std::string& child) {
    RowColumn read{column, child};
    if (!default_path_ && std::find(plan_->read_columns.begin(), plan_->read_columns.end(),
                                    read) == plan_->read_columns.end()) {
      plan_->read_columns.push_back(std::move(read));
    }
    for (size_t i = 0; i < plan_->columns.size(); ++i) {
      if (plan_->columns[i] == column) return static_cast<int>(i);
    }
    plan_->columns.push_back(column);
    return static_cast<int>(plan_->columns.size() - 1);
  }

  // A CSV column or database row column; "NAME/*" and "NAME/*/COLUMN" read the child rows
  // NAME of a sql source (a header name holding "/*" is not worth the ambiguity).
  bool CompileRowPath(const std::string& text, const DocPosition& pos, PathExpr* out) {
    size_t star = text.find("/*");
    if (star == std::string::npos) {
      out->slot = CsvSlot(text, row_context_);
      return true;
    }
    const bool rows = star + 2 == text.size();
    if (star == 0 || (!rows && text[star + 2] != '/') || (!rows && star + 3 == text.size()) ||
        text.find("/*", star + 2) != std::string::npos) {
      Error(pos, "bad row path '" + text +
                     "'; expected a column, CHILD/* (each row of a child query) or "
                     "CHILD/*/COLUMN (that column of each row)");
      return false;
    }
    std::string child = text.substr(0, star);
    auto it = std::find(plan_->children.begin(), plan_->children.end(), child);
    if (it == plan_->children.end()) it = plan_->children.insert(plan_->children.end(), child);
    out->child = static_cast<int>(it - plan_->children.begin());
    if (!rows) out->slot = CsvSlot(text.substr(star + 3), child);
    return true;
  }

  bool CompilePath(const std::string& text, const DocPosition& pos, PathExpr* out) {
    out->text = text;
    out->pos = pos;
    if (text.empty()) {
      Error(pos, "empty path; expected a path into the record (\".\" is the value itself)");
      return false;
    }
    if (text == ".") out->self = true;
    switch (plan_->format) {
      case Format::kJson: {
        std::string error;
        if (!codec::ParseJsonPath(text, &out->json, &error)) {
          Error(pos, "bad path: " + error);
          return false;
        }
        return true;
      }
      case Format::kXml:
        return CompileXPath(text, pos, &out->xpath);
      case Format::kCsv:
        if (!out->self) return CompileRowPath(text, pos, out);
        return true;
    }
    return false;
  }

  bool CompileXPath(const std::string& text, const DocPosition& pos,
                    std::shared_ptr<pugi::xpath_query>* out) {
    try {
      *out = std::make_shared<pugi::xpath_query>(text.c_str());
      return true;
    } catch (const pugi::xpath_exception& e) {
      Error(pos, "bad XPath '" + text + "': " + e.what() + " at character " +
                     std::to_string(e.result().offset + 1) + "; expected an XPath 1.0 expression");
    } catch (const std::exception& e) {
      Error(pos, "bad XPath '" + text + "': " + e.what());
    }
    return false;
  }

  bool CompileTemplate(const std::string& text, const DocPosition& pos, Template* out,
                       std::vector<int>* deps) {
    out->text = text;
    std::string literal;
    auto flush = [&]() {
      if (!literal.empty()) {
        Template::Part p;
        p.text = literal;
        out->parts.push_back(std::move(p));
        literal.clear();
      }
    };
    for (size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') {
        literal += '{';
        ++i;
        continue;
      }
      if (c == '}' && i + 1 < text.size() && text[i + 1] == '}') {
        literal += '}';
        ++i;
        continue;
      }
      if (c == '}') {
        Error(pos, "template '" + text + "': '}' without '{' (write }} for a brace)");
        return false;
      }
      if (c != '{') {
        literal += c;
        continue;
      }
      size_t end = text.find('}', i + 1);
      if (end == std::string::npos) {
        Error(pos, "template '" + text +
                       "': '{' is not closed; expected {field}, {param.NAME} "
                       "or {src:PATH} (write {{ for a brace)");
        return false;
      }
      std::string name = text.substr(i + 1, end - i - 1);
      i = end;
      flush();
      Template::Part p;
      if (name.rfind("param.", 0) == 0) {
        p.kind = Template::Part::Kind::kParam;
        plan_->param_uses.push_back(
            Plan::ParamUse{name.substr(6), pos,
                           std::find(param_guards_.begin(), param_guards_.end(), name.substr(6)) !=
                               param_guards_.end()});
        p.text = name.substr(6);
        if (!FindParam(p.text)) {
          std::vector<std::string> names;
          for (const ParamSpec& s : plan_->params) names.push_back(s.name);
          Error(pos, "template '" + text + "' uses parameter '" + p.text +
                         "', which the mapping does not declare; add <param name=\"" + p.text +
                         "\"/>" + (names.empty() ? "" : " (declared: " + JoinNames(names) + ")"));
          return false;
        }
      } else if (name.rfind("src:", 0) == 0) {
        p.kind = Template::Part::Kind::kSource;
        if (!CompilePath(name.substr(4), pos, &p.path)) return false;
      } else if (plan_->outbound) {
        // Outbound mappings read canonical records: a field is a path into the record.
        p.kind = Template::Part::Kind::kSource;
        if (!plan_->entity->Field(name)) {
          UnknownField(pos, name, "template '" + text + "'");
          return false;
        }
        if (!CompilePath(name, pos, &p.path)) return false;
      } else {
        p.kind = Template::Part::Kind::kField;
        p.text = name;
        const model::FieldSpec* f = plan_->entity->Field(name);
        if (!f) {
          UnknownField(pos, name, "template '" + text + "'");
          return false;
        }
        if (f->type == FieldType::kMultilingual || f->type == FieldType::kItemList) {
          Error(pos, "template '" + text + "' uses field '" + name + "', which is " +
                         model::FieldTypeName(f->type) +
                         "; templates take scalar fields (use {src:PATH} for source values)");
          return false;
        }
        p.field_index = plan_->entity->FieldIndex(name);
        if (deps) deps->push_back(p.field_index);
      }
      out->parts.push_back(std::move(p));
    }
    flush();
    return true;
  }

  void UnknownField(const DocPosition& pos, const std::string& name, const std::string& where) {
    std::vector<std::string> names;
    for (const model::FieldSpec& f : plan_->entity->fields) names.push_back(f.name);
    Error(pos, where + ": unknown canonical field '" + name + "' of " + plan_->entity->set_name +
                   "; expected one of: " + JoinNames(names));
  }

  const ParamSpec* FindParam(const std::string& name) const {
    for (const ParamSpec& p : plan_->params) {
      if (p.name == name) return &p;
    }
    return nullptr;
  }

  // ---- steps ---------------------------------------------------------------------------------

  bool ParseMiss(const DocNode& n, Step* step, bool allow_keep) {
    const codec::DocAttribute* a = n.Attribute("on-miss");
    const codec::DocAttribute* d = n.Attribute("default");
    if (d) step->default_value = d->value;
    if (!a) {
      step->on_miss = d ? Miss::kDefault : Miss::kReject;
      return true;
    }
    if (a->value == "reject") {
      step->on_miss = Miss::kReject;
    } else if (a->value == "drop") {
      step->on_miss = Miss::kDrop;
    } else if (a->value == "default") {
      step->on_miss = Miss::kDefault;
      if (!d) {
        Error(a->position, "on-miss=\"default\" needs a default=\"...\" attribute");
        return false;
      }
    } else if (a->value == "keep" && allow_keep) {
      step->on_miss = Miss::kKeep;
    } else {
      Error(a->position, "on-miss is \"" + a->value + "\"; expected reject, drop, default" +
                             std::string(allow_keep ? " or keep" : ""));
      return false;
    }
    return true;
  }

  std::shared_ptr<const std::regex> CompileRegex(const DocNode& n, const char* attr) {
    const codec::DocAttribute* a = n.Attribute(attr);
    if (!a) {
      Error(n.position, "<step fn=\"" + n.Get("fn") + "\"> needs " + attr + "=\"REGEX\"");
      return nullptr;
    }
    if (a->value.size() > 1000) {
      Error(a->position, "regular expression of " + std::to_string(a->value.size()) +
                             " characters; expected at most 1000");
      return nullptr;
    }
    try {
      // __polynomial (libstdc++'s private flag): the breadth-first matcher, whose stack use
      // does not grow with the input. No standard flag gives that: the default depth-first
      // matcher recurses per character and overflows the stack (an 8 MB stack, -O2:
      // `(a|b| |1|2|,)*x` over 10 KB of "ab 12, " is SIGSEGV; 1 KB takes 0.5 s). The
      // polynomial one is quadratic on such a pattern (5 KB 8 s, 10 KB 30 s, 20 KB 129 s), which
      // kMaxRegexInput does not bound; RE2 (libre2-dev) does the 20 KB in 0.2 ms and 1 MB in
      // 1.7 ms: the replacement, not done yet (docs/mappings.md). It refuses back-references.
      return std::make_shared<const std::regex>(a->value, std::regex::ECMAScript |
                                                              std::regex::optimize |
                                                              std::regex_constants::__polynomial);
    } catch (const std::regex_error& e) {
      Error(a->position,
            "bad regular expression '" + a->value + "': " + e.what() +
                "; expected an ECMAScript regular expression (without back-references)");
      return nullptr;
    }
  }

  // Compiles one <step>; `kind` is what the steps before it produce, updated to what this
  // one produces.
  bool CompileStep(const DocNode& n, Step* out, Kind* kind, const vocab::Vocabulary** last_vocab) {
    out->pos = n.position;
    const codec::DocAttribute* fn_attr = n.Attribute("fn");
    if (!fn_attr) {
      std::vector<std::string> names;
      for (const FnInfo& f : Functions()) names.push_back(f.name);
      Error(n.position, "<step> needs fn=\"...\"; expected one of: " + JoinNames(names));
      return false;
    }
    const FnInfo* info = nullptr;
    for (const FnInfo& f : Functions()) {
      if (fn_attr->value == f.name) info = &f;
    }
    if (!info) {
      std::vector<std::string> names;
      for (const FnInfo& f : Functions()) names.push_back(f.name);
      Error(fn_attr->position,
            "unknown function '" + fn_attr->value + "'; expected one of: " + JoinNames(names));
      return false;
    }
    out->fn = info->fn;
    std::vector<const char*> allowed = {"fn"};
    for (const char* a : info->attributes) allowed.push_back(a);
    CheckAttributes(n, allowed);
    CheckChildren(
        n, out->fn == Fn::kMap ? std::vector<const char*>{"entry"} : std::vector<const char*>{});
    std::string fname = std::string("'") + info->name + "'";
    auto needs_text = [&]() {
      if (*kind == Kind::kDate) {
        Error(n.position, "function " + fname +
                              " expects text, but the step before gives a "
                              "date; put it before the date step, or add "
                              "<step fn=\"format-date\" pattern=\"...\"/> first");
        return false;
      }
      return true;
    };
    bool ok = true;
    switch (out->fn) {
      case Fn::kTrim:
      case Fn::kCollapse:
      case Fn::kLower:
      case Fn::kUpper:
        ok = needs_text();
        *kind = Kind::kText;
        break;
      case Fn::kFirst:
      case Fn::kUnique:
        break;
      case Fn::kReplace:
        ok = needs_text();
        out->literal = ParseBool(n, "literal", false);
        out->pattern_text = n.Get("pattern");
        out->with = n.Get("with");
        if (!out->literal) {
          out->re = CompileRegex(n, "pattern");
          ok = ok && out->re;
        } else if (out->pattern_text.empty()) {
          Error(n.position, "<step fn=\"replace\" literal=\"true\"> needs a non-empty pattern");
          ok = false;
        }
        *kind = Kind::kText;
        break;
      case Fn::kExtract: {
        ok = needs_text();
        out->pattern_text = n.Get("pattern");
        out->re = CompileRegex(n, "pattern");
        ok = ok && out->re;
        if (!ParseMiss(n, out, false)) ok = false;
        if (!n.Has("on-miss") && !n.Has("default")) out->on_miss = Miss::kDrop;
        if (out->re) {
          int groups = static_cast<int>(out->re->mark_count());
          if (n.Has("group")) {
            auto g = core::ParseInt(n.Get("group"));
            if (!g || *g < 0 || *g > groups) {
              Error(n.position, "group=\"" + n.Get("group") + "\": expected a number from 0 to " +
                                    std::to_string(groups) + " (the pattern's groups)");
              ok = false;
            } else {
              out->group = static_cast<int>(*g);
            }
          } else {
            out->group = groups > 0 ? 1 : 0;
          }
        }
        *kind = Kind::kText;
        break;
      }
      case Fn::kSplit:
        ok = needs_text();
        out->trim = ParseBool(n, "trim", true);
        if (n.Has("pattern")) {
          if (n.Has("sep")) {
            Error(n.position, "split takes sep (literal) or pattern (regex), not both");
            ok = false;
          }
          out->re = CompileRegex(n, "pattern");
          ok = ok && out->re;
        } else {
          out->sep = n.Get("sep", ",");
          if (out->sep.empty()) {
            Error(n.position, "split needs a non-empty sep=\"...\"");
            ok = false;
          }
        }
        *kind = Kind::kText;
        break;
      case Fn::kJoin:
        out->sep = n.Get("sep", ", ");
        if (*kind == Kind::kDate) ok = needs_text();
        *kind = Kind::kText;
        break;
      case Fn::kDate: {
        ok = needs_text();
        if (!n.Has("pattern")) {
          Error(n.position,
                "<step fn=\"date\"> needs pattern=\"...\" (iso, odata, untc, "
                "epoch-ms, epoch-s or tokens such as d F Y)");
          ok = false;
        } else {
          Result<DatePattern> p = DatePattern::Compile(n.Get("pattern"));
          if (!p.ok()) {
            Error(n.Attribute("pattern")->position, "bad date pattern: " + p.status().message());
            ok = false;
          } else {
            out->date = std::move(*p);
          }
        }
        if (!ParseMiss(n, out, false)) ok = false;
        *kind = Kind::kDate;
        break;
      }
      case Fn::kFormatDate: {
        if (!n.Has("pattern")) {
          Error(n.position, "<step fn=\"format-date\"> needs pattern=\"...\"");
          ok = false;
        } else {
          Result<DatePattern> p = DatePattern::Compile(n.Get("pattern"));
          if (!p.ok()) {
            Error(n.Attribute("pattern")->position, "bad date pattern: " + p.status().message());
            ok = false;
          } else {
            out->date = std::move(*p);
          }
        }
        *kind = Kind::kText;
        break;
      }
      case Fn::kNumber: {
        ok = needs_text();
        std::string d = n.Get("decimal", ".");
        if (d != "." && d != ",") {
          Error(n.position, "decimal=\"" + d + "\"; expected . or ,");
          ok = false;
        } else {
          out->decimal = d[0];
        }
        if (!ParseMiss(n, out, false)) ok = false;
        *kind = Kind::kNumber;
        break;
      }
      case Fn::kBool: {
        if (*kind == Kind::kDate) ok = needs_text();
        for (const std::string& s : core::Split(n.Get("true", "true|yes|y|1"), '|')) {
          out->trues.push_back(core::AsciiLower(core::Trim(s)));
        }
        for (const std::string& s : core::Split(n.Get("false", "false|no|n|0"), '|')) {
          out->falses.push_back(core::AsciiLower(core::Trim(s)));
        }
        if (!ParseMiss(n, out, false)) ok = false;
        *kind = Kind::kBool;
        break;
      }
      case Fn::kLookup: {
        ok = needs_text();
        std::string name = n.Get("vocabulary");
        if (name.empty()) {
          Error(n.position,
                "<step fn=\"lookup\"> needs vocabulary=\"...\"; expected one of: " + VocabNames());
          ok = false;
        } else {
          out->vocabulary = vocabs_.Find(name);
          if (!out->vocabulary) {
            Error(n.Attribute("vocabulary")->position,
                  "unknown vocabulary '" + name + "'; expected one of: " + VocabNames());
            ok = false;
          }
        }
        std::string output = n.Get("output", "code");
        if (output != "code" && output != "label") {
          Error(n.position, "output=\"" + output + "\"; expected code or label");
          ok = false;
        }
        out->label = output == "label";
        if (!ParseMiss(n, out, true)) ok = false;
        if (out->on_miss == Miss::kDefault && n.Has("default") && out->vocabulary && !out->label) {
          const vocab::Term* t = out->vocabulary->Lookup(out->default_value);
          if (!t) {
            Error(n.Attribute("default")->position,
                  "default \"" + out->default_value + "\" is not a term of the " + name +
                      " vocabulary (meabridge vocab list " + name + " shows them)");
            ok = false;
          } else {
            out->default_value = t->code;
          }
        }
        if (!out->label) *last_vocab = out->vocabulary;
        *kind = Kind::kText;
        break;
      }
      case Fn::kMap: {
        ok = needs_text();
        bool ignore_case = ParseBool(n, "ignore-case", false);
        std::vector<const DocNode*> entries = n.Children("entry");
        if (n.Has("values")) {
          if (!entries.empty()) {
            Error(n.position, "map takes values=\"NAME\" or <entry> elements, not both");
            ok = false;
          }
          std::string name = n.Get("values");
          for (const auto& m : plan_->value_maps) {
            if (m->name == name) out->map = m;
          }
          if (!out->map) {
            std::vector<std::string> names;
            for (const auto& m : plan_->value_maps) names.push_back(m->name);
            Error(n.Attribute("values")->position,
                  "unknown value map '" + name + "'; " +
                      (names.empty() ? std::string("declare it with <values name=\"...\">")
                                     : "expected one of: " + JoinNames(names)));
            ok = false;
          }
        } else if (entries.empty()) {
          Error(n.position,
                "map needs <entry from=\"...\" to=\"...\"/> elements or "
                "values=\"NAME\" naming a <values> map");
          ok = false;
        } else {
          auto m = std::make_shared<ValueMap>();
          m->ignore_case = ignore_case;
          ok = CompileEntries(n, m.get()) && ok;
          out->map = m;
        }
        if (!ParseMiss(n, out, true)) ok = false;
        *kind = Kind::kText;
        break;
      }
      case Fn::kUntcSuffix:
        ok = needs_text();
        out->no_suffix = n.Get("no-suffix", "ratification");
        *kind = Kind::kText;
        break;
    }
    return ok;
  }

  bool CompileEntries(const DocNode& n, ValueMap* m) {
    bool ok = true;
    for (const DocNode* e : n.Children("entry")) {
      CheckAttributes(*e, {"from", "to"});
      CheckChildren(*e, {});
      if (!e->Has("from") || !e->Has("to")) {
        Error(e->position, "<entry> needs from=\"SOURCE VALUE\" and to=\"VALUE\"");
        ok = false;
        continue;
      }
      std::string from = e->Get("from");
      if (m->ignore_case) from = core::AsciiLower(from);
      if (!m->entries.emplace(from, e->Get("to")).second) {
        Error(e->position, "duplicate <entry from=\"" + e->Get("from") + "\">");
        ok = false;
      }
    }
    return ok;
  }

  std::string VocabNames() const {
    std::vector<std::string> names;
    for (const auto& v : vocabs_.all()) names.push_back(std::string(v->name()));
    return names.empty() ? "(no vocabularies are loaded)" : JoinNames(names);
  }

  // ---- rules ---------------------------------------------------------------------------------

  bool ParsePolicy(const DocNode& n, const char* attr, Policy* out, bool has_default,
                   bool required) {
    const codec::DocAttribute* a = n.Attribute(attr);
    if (!a) {
      *out = required ? Policy::kReject : has_default ? Policy::kDefault : Policy::kSkip;
      return true;
    }
    if (a->value == "skip") {
      *out = Policy::kSkip;
    } else if (a->value == "reject") {
      *out = Policy::kReject;
    } else if (a->value == "default") {
      if (!has_default) {
        Error(a->position, std::string(attr) + "=\"default\" needs a default=\"...\" attribute");
        return false;
      }
      *out = Policy::kDefault;
    } else {
      Error(a->position,
            std::string(attr) + " is \"" + a->value + "\"; expected skip, reject or default");
      return false;
    }
    return true;
  }

  // Compiles the value source, policies and steps of a rule element. `kind` receives what the
  // rule produces; `last_vocab` the vocabulary of its last lookup.
  bool CompileRule(const DocNode& n, Rule* out, std::vector<int>* deps, Kind* kind,
                   const vocab::Vocabulary** last_vocab, bool source_optional = false) {
    out->pos = n.position;
    out->where = n.position.ToString();
    int sources = 0;
    bool ok = true;
    if (n.Has("path")) {
      ++sources;
      out->source = Rule::Source::kPath;
      ok = CompilePath(n.Get("path"), n.Attribute("path")->position, &out->path) && ok;
    }
    if (n.Has("value")) {
      ++sources;
      out->source = Rule::Source::kConst;
      out->constant = n.Get("value");
    }
    if (n.Has("template")) {
      ++sources;
      out->source = Rule::Source::kTemplate;
      ok =
          CompileTemplate(n.Get("template"), n.Attribute("template")->position, &out->tmpl, deps) &&
          ok;
    }
    for (const char* composite : {"first", "concat"}) {
      for (const DocNode* c : n.Children(composite)) {
        ++sources;
        bool first = std::string(composite) == "first";
        out->source = first ? Rule::Source::kFirst : Rule::Source::kConcat;
        const char* part_name = first ? "option" : "part";
        CheckAttributes(*c, first ? std::vector<const char*>{} : std::vector<const char*>{"sep"});
        CheckChildren(*c, {part_name});
        out->sep = c->Get("sep", "");
        std::vector<const DocNode*> parts = c->Children(part_name);
        if (parts.empty()) {
          Error(c->position, "<" + std::string(composite) + "> needs <" + part_name +
                                 "> elements, each a rule (path=, value= or template= and steps)");
          ok = false;
        }
        for (const DocNode* p : parts) {
          CheckAttributes(*p, kRuleAttributes);
          CheckChildren(*p, {"step", "first", "concat"});
          Rule r;
          Kind k = Kind::kAny;
          const vocab::Vocabulary* v = nullptr;
          ok = CompileRule(*p, &r, deps, &k, &v) && ok;
          if (!first && k == Kind::kDate) {
            Error(p->position,
                  "a concat part gives a date; format it with "
                  "<step fn=\"format-date\" pattern=\"...\"/>");
            ok = false;
          }
          out->parts.push_back(std::move(r));
        }
      }
    }
    if (sources == 0 && !source_optional) {
      Error(n.position, "<" + n.name +
                            "> has no value; expected one of path=\"...\", "
                            "value=\"...\", template=\"...\", <first> or <concat>");
      return false;
    }
    if (sources > 1) {
      Error(n.position, "<" + n.name + "> has " + std::to_string(sources) +
                            " value sources; expected exactly one of path=, value=, template=, "
                            "<first> or <concat>");
      ok = false;
    }
    bool has_default = n.Has("default");
    if (has_default) out->default_value = n.Get("default");
    bool required = ParseBool(n, "required", false);
    ok = ParsePolicy(n, "on-missing", &out->on_missing, has_default, required) && ok;
    ok = ParsePolicy(n, "on-null", &out->on_null, has_default, required) && ok;
    ok = ParsePolicy(n, "on-empty", &out->on_empty, has_default, required) && ok;
    *kind = Kind::kAny;
    for (const DocNode* s : n.Children("step")) {
      Step step;
      ok = CompileStep(*s, &step, kind, last_vocab) && ok;
      out->steps.push_back(std::move(step));
    }
    return ok;
  }

  bool CompileCondition(const DocNode& n, Condition* out, std::vector<int>* deps,
                        bool allow_field) {
    out->pos = n.position;
    int subjects = 0;
    bool ok = true;
    if (n.Has("if")) {
      ++subjects;
      out->subject = Condition::Subject::kPath;
      ok = CompilePath(n.Get("if"), n.Attribute("if")->position, &out->path) && ok;
    }
    if (n.Has("if-field")) {
      ++subjects;
      out->subject = Condition::Subject::kField;
      std::string name = n.Get("if-field");
      if (!allow_field) {
        Error(n.position, "<" + n.name +
                              "> cannot test a canonical field (fields are mapped "
                              "after it); use if=\"PATH\" or if-param=\"NAME\"");
        ok = false;
      } else if (plan_->outbound) {
        // Outbound: a canonical field is a path into the record.
        out->subject = Condition::Subject::kPath;
        if (!plan_->entity->Field(name)) {
          UnknownField(n.position, name, "if-field");
          ok = false;
        } else {
          ok = CompilePath(name, n.position, &out->path) && ok;
        }
      } else {
        const model::FieldSpec* f = plan_->entity->Field(name);
        if (!f) {
          UnknownField(n.position, name, "if-field");
          ok = false;
        } else {
          out->field_index = plan_->entity->FieldIndex(name);
          if (deps) deps->push_back(out->field_index);
        }
      }
    }
    if (n.Has("if-param")) {
      ++subjects;
      out->subject = Condition::Subject::kParam;
      out->param = n.Get("if-param");
      if (!FindParam(out->param)) {
        Error(n.position, "if-param names '" + out->param +
                              "', which the mapping does not declare with <param>");
        ok = false;
      }
    }
    if (subjects != 1) {
      Error(n.position, "<" + n.name +
                            "> needs exactly one of if=\"PATH\", if-field=\"FIELD\" "
                            "or if-param=\"NAME\"");
      return false;
    }
    int ops = 0;
    out->ignore_case = ParseBool(n, "ignore-case", false);
    if (n.Has("is")) {
      ++ops;
      std::string v = n.Get("is");
      using Op = Condition::Op;
      if (v == "missing") {
        out->op = Op::kMissing;
      } else if (v == "null") {
        out->op = Op::kNull;
      } else if (v == "empty") {
        out->op = Op::kEmpty;
      } else if (v == "blank") {
        out->op = Op::kBlank;
      } else if (v == "present") {
        out->op = Op::kPresent;
      } else {
        Error(n.Attribute("is")->position,
              "is=\"" + v + "\"; expected missing, null, empty, blank or present");
        ok = false;
      }
    }
    if (n.Has("equals")) {
      ++ops;
      out->op = Condition::Op::kEquals;
      out->value = n.Get("equals");
    }
    if (n.Has("not-equals")) {
      ++ops;
      out->op = Condition::Op::kNotEquals;
      out->value = n.Get("not-equals");
    }
    if (n.Has("matches")) {
      ++ops;
      out->op = Condition::Op::kMatches;
      out->re = CompileRegex(n, "matches");
      ok = ok && out->re;
    }
    if (n.Has("in")) {
      ++ops;
      out->op = Condition::Op::kIn;
      for (const std::string& s : core::Split(n.Get("in"), '|')) out->values.push_back(s);
    }
    if (out->ignore_case) {
      out->value = core::AsciiLower(out->value);
      for (std::string& s : out->values) s = core::AsciiLower(s);
    }
    if (ops != 1) {
      Error(n.position, "<" + n.name +
                            "> needs exactly one test: is=\"missing|null|empty|blank|"
                            "present\", equals=, not-equals=, matches=\"REGEX\" or in=\"a|b|c\"");
      ok = false;
    }
    return ok;
  }

  // A field's (or item's) value: a plain rule, or <when>/<otherwise> cases.
  bool CompileCases(const DocNode& n, std::vector<Case>* cases, std::vector<int>* deps, Kind* kind,
                    const vocab::Vocabulary** last_vocab, bool source_optional) {
    std::vector<const DocNode*> whens = n.Children("when");
    std::vector<const DocNode*> otherwise = n.Children("otherwise");
    bool ok = true;
    if (whens.empty() && otherwise.empty()) {
      Case c;
      ok = CompileRule(n, &c.rule, deps, kind, last_vocab, source_optional);
      if (c.rule.source != Rule::Source::kNone || !c.rule.steps.empty()) {
        cases->push_back(std::move(c));
      }
      return ok;
    }
    for (const char* a : {"path", "value", "template"}) {
      if (n.Has(a)) {
        Error(n.position, std::string("<") + n.name + "> has <when> cases and " + a +
                              "=; put the value in the <when> and <otherwise> elements");
        ok = false;
      }
    }
    if (!n.Children("step").empty() || !n.Children("first").empty() ||
        !n.Children("concat").empty()) {
      Error(n.position, "<" + n.name + "> has <when> cases: put its steps inside each case");
      ok = false;
    }
    if (whens.empty()) {
      Error(otherwise[0]->position, "<otherwise> without <when>; give the rule directly");
      ok = false;
    }
    if (otherwise.size() > 1) {
      Error(otherwise[1]->position, "more than one <otherwise>");
      ok = false;
    }
    Kind result = Kind::kAny;
    bool first_case = true;
    auto add = [&](const DocNode& c, bool conditional) {
      Case k;
      std::vector<const char*> attrs = kRuleAttributes;
      if (conditional)
        attrs.insert(attrs.end(), kConditionAttributes.begin(), kConditionAttributes.end());
      CheckAttributes(c, attrs);
      CheckChildren(c, {"step", "first", "concat"});
      if (conditional) ok = CompileCondition(c, &k.cond, deps, true) && ok;
      // A case that runs only when a parameter is there guards the {param.NAME}s it uses.
      using Op = Condition::Op;
      const bool guards = conditional && k.cond.subject == Condition::Subject::kParam &&
                          k.cond.op != Op::kMissing && k.cond.op != Op::kNull &&
                          k.cond.op != Op::kEmpty && k.cond.op != Op::kBlank;
      if (guards) param_guards_.push_back(k.cond.param);
      Kind ck = Kind::kAny;
      ok = CompileRule(c, &k.rule, deps, &ck, last_vocab) && ok;
      if (guards) param_guards_.pop_back();
      if (first_case || result == Kind::kAny) result = ck;
      first_case = false;
      cases->push_back(std::move(k));
    };
    for (const DocNode* w : whens) add(*w, true);
    for (const DocNode* o : otherwise) add(*o, false);
    *kind = result;
    return ok;
  }

  // ---- type checks ---------------------------------------------------------------------------

  void CheckKind(const DocPosition& pos, const std::string& what, FieldType type, Kind kind) {
    bool ok = true;
    switch (type) {
      case FieldType::kDate:
      case FieldType::kDateTime:
        ok = kind == Kind::kAny || kind == Kind::kText || kind == Kind::kDate;
        break;
      case FieldType::kBool:
        ok = kind != Kind::kDate;
        break;
      case FieldType::kInt:
      case FieldType::kDouble:
        ok = kind != Kind::kDate && kind != Kind::kBool;
        break;
      case FieldType::kItemList:
        ok = kind == Kind::kAny || kind == Kind::kText;
        break;
      default:
        ok = kind != Kind::kDate;
        break;
    }
    if (!ok) {
      std::string hint;
      if (kind == Kind::kDate)
        hint =
            " (a date step makes a date; format it with "
            "<step fn=\"format-date\" pattern=\"...\"/> for text)";
      Error(pos, "type mismatch: " + what + " is " + model::FieldTypeName(type) +
                     " but its rule gives " + KindName(kind) + hint);
    }
  }

  void CheckVocabulary(const DocPosition& pos, const std::string& what, const std::string& expected,
                       const vocab::Vocabulary* used) {
    if (!used || expected.empty() || used->name() == expected) return;
    Error(pos, what + " holds " + expected + " codes, but its lookup uses the " +
                   std::string(used->name()) + " vocabulary; expected vocabulary=\"" + expected +
                   "\"");
  }

  // ---- elements ------------------------------------------------------------------------------

  void CompileRoot(const DocNode& root) {
    if (root.name != "mapping") {
      Error(root.position, "the root element is <" + root.name + ">; expected <mapping>");
      return;
    }
    CheckAttributes(root, {"entity", "direction", "description"});
    std::string direction = root.Get("direction", "inbound");
    if (direction == "outbound") {
      plan_->outbound = true;
    } else if (direction != "inbound") {
      Error(root.position, "direction=\"" + direction + "\"; expected inbound or outbound");
    }
    if (plan_->outbound) {
      CheckChildren(root, {"encoder", "param", "values", "field"});
    } else {
      CheckChildren(root, {"decoder", "records", "paging", "param", "values", "skip", "deleted",
                           "id", "field"});
    }
    std::string entity = root.Get("entity");
    plan_->entity = registry_.Find(entity);
    if (!plan_->entity) {
      Error(root.position, (entity.empty() ? std::string("<mapping> needs entity=\"...\"")
                                           : "unknown entity '" + entity + "'") +
                               "; expected one of: " + registry_.SetNames());
      return;
    }
    if (plan_->outbound) {
      plan_->format = Format::kJson;  // outbound paths read the canonical record's JSON tree
      plan_->format_name = "canonical";
      CompileEncoder(root);
    } else {
      CompileDecoder(root);
    }
    for (const DocNode* p : root.Children("param")) CompileParam(*p);
    for (const DocNode* v : root.Children("values")) CompileValues(*v);
    std::vector<int> id_deps;  // fields the id rule reads
    if (!plan_->outbound) {
      CompileRecords(root);
      CompilePaging(root);
      for (const DocNode* s : root.Children("skip")) {
        CheckAttributes(*s, kConditionAttributes);
        CheckChildren(*s, {});
        Condition c;
        if (CompileCondition(*s, &c, nullptr, false)) plan_->skips.push_back(std::move(c));
      }
      for (const DocNode* d : root.Children("deleted")) {
        CheckAttributes(*d, kConditionAttributes);
        CheckChildren(*d, {});
        Condition c;
        if (CompileCondition(*d, &c, nullptr, false)) plan_->deleted.push_back(std::move(c));
      }
      std::vector<const DocNode*> ids = root.Children("id");
      if (ids.empty()) {
        Error(root.position,
              "missing id rule: every inbound mapping needs <id path=\"...\"/> or "
              "<id template=\"...\"/> (memberships: template=\"{treaty}:{country}\")");
      } else {
        if (ids.size() > 1) Error(ids[1]->position, "more than one <id>");
        CheckAttributes(*ids[0], kRuleAttributes);
        CheckChildren(*ids[0], {"step", "first", "concat"});
        Rule id;
        Kind k = Kind::kAny;
        const vocab::Vocabulary* v = nullptr;
        std::vector<int> deps;
        if (CompileRule(*ids[0], &id, &deps, &k, &v)) {
          CheckKind(ids[0]->position, "the id", FieldType::kString, k);
          plan_->id = std::move(id);
          id_deps = std::move(deps);
        }
      }
    }
    std::set<std::string> seen;
    std::vector<FieldPlan> fields;
    for (const DocNode* f : root.Children("field")) {
      FieldPlan fp;
      if (!seen.insert(f->Get("name")).second) {
        Error(f->position, "field '" + f->Get("name") + "' is mapped twice");
        continue;
      }
      bool ok = plan_->outbound ? CompileOutboundField(*f, &fp) : CompileField(*f, &fp);
      if (ok) fields.push_back(std::move(fp));
    }
    if (plan_->outbound) {
      plan_->fields = std::move(fields);
    } else {
      OrderFields(std::move(fields));
      IdFields(id_deps);
    }
  }

  // Plan::id_fields: the mapped fields the id reads, and those they read, in evaluation order
  // (plan_->fields is sorted so that a field comes after the fields it reads).
  void IdFields(const std::vector<int>& id_deps) {
    std::set<int> wanted(id_deps.begin(), id_deps.end());
    for (size_t i = plan_->fields.size(); i-- > 0;) {
      if (wanted.count(plan_->fields[i].index)) {
        wanted.insert(plan_->fields[i].deps.begin(), plan_->fields[i].deps.end());
      }
    }
    for (size_t i = 0; i < plan_->fields.size(); ++i) {
      if (wanted.count(plan_->fields[i].index)) plan_->id_fields.push_back(i);
    }
  }

  void CompileDecoder(const DocNode& root) {
    std::vector<const DocNode*> decoders = root.Children("decoder");
    if (decoders.empty()) {
      Error(root.position, "missing <decoder format=\"json|xml|csv\"/>");
      return;
    }
    if (decoders.size() > 1) Error(decoders[1]->position, "more than one <decoder>");
    const DocNode& d = *decoders[0];
    std::string format = d.Get("format");
    plan_->format_name = format;
    if (format == "json") {
      plan_->format = Format::kJson;
      CheckAttributes(d, {"format", "odata"});
      CheckChildren(d, {});
      plan_->odata = ParseBool(d, "odata", false);
    } else if (format == "xml") {
      plan_->format = Format::kXml;
      CheckAttributes(d, {"format"});
      CheckChildren(d, {"namespace"});
      CompileNamespaces(d);
    } else if (format == "csv") {
      plan_->format = Format::kCsv;
      CheckAttributes(d, {"format", "delimiter", "quote", "header", "skip-lines", "null"});
      CheckChildren(d, {});
      plan_->delimiter = ParseChar(d, "delimiter", ',');
      plan_->quote = ParseChar(d, "quote", '"');
      plan_->header = ParseBool(d, "header", true);
      if (d.Has("skip-lines")) {
        auto n = core::ParseInt(d.Get("skip-lines"));
        if (!n || *n < 0 || *n > 1000) {
          Error(d.position, "skip-lines=\"" + d.Get("skip-lines") + "\"; expected 0 to 1000");
        } else {
          plan_->skip_lines = static_cast<size_t>(*n);
        }
      }
      if (d.Has("null")) plan_->null_text = d.Get("null");
    } else {
      Error(d.position, (format.empty() ? std::string("<decoder> needs format=\"...\"")
                                        : "unknown decoder format '" + format + "'") +
                            "; expected json, xml or csv");
    }
  }

  void CompileNamespaces(const DocNode& d) {
    for (const DocNode* ns : d.Children("namespace")) {
      CheckAttributes(*ns, {"prefix", "uri"});
      CheckChildren(*ns, {});
      if (!ns->Has("uri") || ns->Get("uri").empty()) {
        Error(ns->position, "<namespace> needs uri=\"...\" (and prefix=\"...\", possibly empty)");
        continue;
      }
      std::string prefix = ns->Get("prefix");
      for (const codec::XmlNamespace& x : plan_->namespaces) {
        if (x.prefix == prefix) Error(ns->position, "prefix '" + prefix + "' declared twice");
        if (x.uri == ns->Get("uri"))
          Error(ns->position, "namespace '" + x.uri + "' declared twice");
      }
      if (prefix.find(':') != std::string::npos) {
        Error(ns->position, "prefix '" + prefix + "' may not contain ':'");
      }
      plan_->namespaces.push_back(codec::XmlNamespace{prefix, ns->Get("uri")});
    }
  }

  char ParseChar(const DocNode& d, const char* attr, char fallback) {
    if (!d.Has(attr)) return fallback;
    std::string v = d.Get(attr);
    if (v == "tab" || v == "\\t") return '\t';
    if (v.size() == 1 && v[0] != '\n' && v[0] != '\r') return v[0];
    Error(d.Attribute(attr)->position,
          std::string(attr) + "=\"" + v + "\"; expected one character (or tab)");
    return fallback;
  }

  void CompileRecords(const DocNode& root) {
    std::vector<const DocNode*> records = root.Children("records");
    if (plan_->format == Format::kCsv) {
      if (!records.empty()) {
        Error(records[0]->position, "a CSV mapping reads one record per row; remove <records>");
      }
      return;
    }
    if (records.empty()) {
      Error(root.position,
            std::string("missing <records path=\"...\"/>: where the records are (") +
                (plan_->format == Format::kJson ? "JSON pointers such as /d/results/* | /d/*"
                                                : "an XPath such as /a:feed/a:entry") +
                ")");
      return;
    }
    if (records.size() > 1) Error(records[1]->position, "more than one <records>");
    const DocNode& r = *records[0];
    CheckAttributes(r, {"path"});
    CheckChildren(r, {});
    std::string path = r.Get("path");
    plan_->records_text = path;
    plan_->records_pos = r.position;
    if (!r.Has("path")) {
      Error(r.position, "<records> needs path=\"...\"");
      return;
    }
    if (plan_->format == Format::kJson) {
      for (const std::string& p : core::Split(path, '|')) {
        plan_->record_paths.emplace_back(core::Trim(p));
      }
      codec::JsonDecodeOptions o;
      o.record_paths = plan_->record_paths;
      Result<codec::JsonRecordReader> reader = codec::JsonRecordReader::Create(o);
      if (!reader.ok()) {
        Error(r.position, "bad records path: " + reader.status().message() +
                              "; expected JSON pointers such as /d/results/* separated by |");
      }
    } else {
      CompileXPath(path, r.position, &plan_->records_xpath);
      std::string parent = XPathParent(path);
      if (!parent.empty() && plan_->records_xpath) {
        try {
          plan_->records_parent_xpath = std::make_shared<pugi::xpath_query>(parent.c_str());
        } catch (const pugi::xpath_exception&) {
          plan_->records_parent_xpath.reset();  // no check rather than a wrong one
        }
      }
    }
  }

  // "/a:feed" for "/a:feed/a:entry": the path without its last step, when it is a plain
  // location path ("" for "//row", "a | b", "/feed").
  static std::string XPathParent(const std::string& path) {
    if (path.find('|') != std::string::npos) return "";
    int depth = 0;
    char quote = 0;
    size_t last = std::string::npos;
    for (size_t i = 0; i < path.size(); ++i) {
      char c = path[i];
      if (quote) {
        if (c == quote) quote = 0;
        continue;
      }
      if (c == '\'' || c == '"') quote = c;
      if (c == '[' || c == '(') ++depth;
      if (c == ']' || c == ')') --depth;
      if (c == '/' && depth == 0) last = i;
    }
    if (last == std::string::npos || last == 0) return "";
    if (path[last - 1] == '/') return "";  // "...//row": any depth
    return path.substr(0, last);
  }

  // <paging style="page" page-param="page" size-param="items_per_page" first-page="0"/>: the
  // paging of the protocol the mapping reads (Plan::paging).
  void CompilePaging(const DocNode& root) {
    std::vector<const DocNode*> pagings = root.Children("paging");
    if (pagings.empty()) return;
    if (pagings.size() > 1) Error(pagings[1]->position, "more than one <paging>");
    const DocNode& p = *pagings[0];
    CheckAttributes(p, {"style", "page-param", "size-param", "first-page"});
    CheckChildren(p, {});
    static const std::vector<std::string> kStyles = {"next-link", "link-header", "skip",
                                                     "page",      "offset",      "none"};
    std::string style = p.Get("style");
    if (std::find(kStyles.begin(), kStyles.end(), style) == kStyles.end()) {
      Error(p.position, (style.empty() ? std::string("<paging> needs style=\"...\"")
                                       : "<paging style=\"" + style + "\">") +
                            "; expected one of: " + core::Join(kStyles, ", "));
      return;
    }
    std::string text = style;
    for (const char* attr : {"page-param", "size-param"}) {
      if (!p.Has(attr)) continue;
      std::string v = p.Get(attr);
      if (v.empty() || v.find_first_of(" =&?#") != std::string::npos) {
        Error(p.Attribute(attr)->position,
              std::string(attr) + "=\"" + v + "\"; expected a query parameter name");
        return;
      }
      text += std::string(" ") + attr + "=" + v;
    }
    if (p.Has("first-page")) {
      std::string v = p.Get("first-page");
      if (v != "0" && v != "1") {
        Error(p.Attribute("first-page")->position, "first-page=\"" + v + "\"; expected 0 or 1");
        return;
      }
      text += " first-page=" + v;
    }
    plan_->paging = std::move(text);
  }

  void CompileParam(const DocNode& p) {
    CheckAttributes(p, {"name", "required", "default", "doc"});
    CheckChildren(p, {});
    ParamSpec s;
    s.name = p.Get("name");
    if (s.name.empty()) {
      Error(p.position, "<param> needs name=\"...\"");
      return;
    }
    if (FindParam(s.name)) {
      Error(p.position, "parameter '" + s.name + "' declared twice");
      return;
    }
    s.required = ParseBool(p, "required", false);
    if (p.Has("default")) s.default_value = p.Get("default");
    if (s.required && s.default_value) {
      Error(p.position, "parameter '" + s.name + "' is required and has a default; choose one");
    }
    s.doc = p.Get("doc");
    s.position = p.position;
    plan_->params.push_back(std::move(s));
  }

  void CompileValues(const DocNode& v) {
    CheckAttributes(v, {"name", "ignore-case"});
    CheckChildren(v, {"entry"});
    auto m = std::make_shared<ValueMap>();
    m->name = v.Get("name");
    m->ignore_case = ParseBool(v, "ignore-case", false);
    if (m->name.empty()) {
      Error(v.position, "<values> needs name=\"...\"");
      return;
    }
    for (const auto& x : plan_->value_maps) {
      if (x->name == m->name) Error(v.position, "value map '" + m->name + "' declared twice");
    }
    CompileEntries(v, m.get());
    plan_->value_maps.push_back(m);
  }

  bool CompileField(const DocNode& f, FieldPlan* out) {
    std::vector<const char*> attrs = kRuleAttributes;
    attrs.insert(attrs.end(), {"name", "shape", "lang", "lang-path", "text-path", "lang-on-miss",
                               "lang-default"});
    CheckAttributes(f, attrs);
    CheckChildren(f, {"step", "first", "concat", "when", "otherwise", "text", "item"});
    out->name = f.Get("name");
    out->pos = f.position;
    if (out->name.empty()) {
      Error(f.position,
            "<field> needs name=\"...\" (a canonical field of " + plan_->entity->set_name + ")");
      return false;
    }
    if (out->name == "id") {
      Error(f.position,
            "the id is given by <id path=\"...\"/> or <id template=\"...\"/>, "
            "not by a <field>");
      return false;
    }
    out->spec = plan_->entity->Field(out->name);
    if (!out->spec) {
      UnknownField(f.position, out->name, "<field name=\"" + out->name + "\">");
      return false;
    }
    out->index = plan_->entity->FieldIndex(out->name);
    const model::FieldSpec& spec = *out->spec;
    bool ok = true;
    // The rows the field's relative paths (items, lang-path, text-path) read: those of child
    // NAME for path="NAME/*", the main row's for another path, any query's for cases.
    ContextGuard context(this, RowContextOf(f));
    bool multilingual = spec.type == FieldType::kMultilingual;
    for (const char* a :
         {"shape", "lang", "lang-path", "text-path", "lang-on-miss", "lang-default"}) {
      if (!multilingual && f.Has(a)) {
        Error(f.position, std::string(a) + "= applies to multilingual fields; '" + out->name +
                              "' is " + model::FieldTypeName(spec.type));
        ok = false;
      }
    }
    if (!multilingual && !f.Children("text").empty()) {
      Error(f.Children("text")[0]->position, "<text> applies to multilingual fields; '" +
                                                 out->name + "' is " +
                                                 model::FieldTypeName(spec.type));
      ok = false;
    }
    if (spec.type != FieldType::kItemList && !f.Children("item").empty()) {
      Error(f.Children("item")[0]->position, "<item> applies to item-list fields; '" + out->name +
                                                 "' is " + model::FieldTypeName(spec.type));
      ok = false;
    }
    if (multilingual) ok = CompileMultilingual(f, out) && ok;
    Kind kind = Kind::kAny;
    const vocab::Vocabulary* last_vocab = nullptr;
    bool source_optional = multilingual && !f.Children("text").empty();
    ok = CompileCases(f, &out->cases, &out->deps, &kind, &last_vocab, source_optional) && ok;
    if (source_optional && !out->cases.empty()) {
      Error(f.position, "field '" + out->name +
                            "' has <text> elements and a value of its own; "
                            "give one or the other");
      ok = false;
    }
    if (!ok) return false;
    CheckKind(f.position, "field '" + out->name + "'", spec.type, kind);
    CheckVocabulary(f.position, "field '" + out->name + "'", spec.vocabulary, last_vocab);
    if (spec.type == FieldType::kItemList) {
      std::vector<const DocNode*> items = f.Children("item");
      if (items.empty()) {
        std::vector<std::string> names;
        for (const auto& i : spec.item_fields) names.push_back(i.name);
        Error(f.position, "item-list field '" + out->name +
                              "' needs <item name=\"...\"> rules "
                              "for its item fields (" +
                              JoinNames(names) + ")");
        return false;
      }
      std::set<std::string> seen;
      for (const DocNode* i : items) {
        std::vector<const char*> iattrs = kRuleAttributes;
        iattrs.push_back("name");
        CheckAttributes(*i, iattrs);
        CheckChildren(*i, {"step", "first", "concat", "when", "otherwise"});
        ItemPlan ip;
        ip.name = i->Get("name");
        ip.spec = spec.ItemField(ip.name);
        if (!ip.spec) {
          std::vector<std::string> names;
          for (const auto& x : spec.item_fields) names.push_back(x.name);
          Error(i->position, "'" + out->name + "' items have no field '" + ip.name +
                                 "'; expected one of: " + JoinNames(names));
          ok = false;
          continue;
        }
        if (!seen.insert(ip.name).second) {
          Error(i->position, "item field '" + ip.name + "' is mapped twice");
          ok = false;
          continue;
        }
        Kind ik = Kind::kAny;
        const vocab::Vocabulary* iv = nullptr;
        if (!CompileCases(*i, &ip.cases, &out->deps, &ik, &iv, false)) {
          ok = false;
          continue;
        }
        CheckKind(i->position, "item field '" + out->name + "." + ip.name + "'", ip.spec->type, ik);
        CheckVocabulary(i->position, "item field '" + out->name + "." + ip.name + "'",
                        ip.spec->type == FieldType::kTerm ? ip.spec->vocabulary : "", iv);
        out->items.push_back(std::move(ip));
      }
    }
    return ok;
  }

  bool CompileMultilingual(const DocNode& f, FieldPlan* out) {
    bool ok = true;
    plan_->languages = vocabs_.Find("languages");
    if (!plan_->languages) {
      Error(f.position, "multilingual field '" + out->name +
                            "' needs the languages vocabulary, "
                            "which is not loaded (known: " +
                            VocabNames() + ")");
      return false;
    }
    std::string shape = f.Get("shape", "auto");
    using S = FieldPlan::Shape;
    if (shape == "auto") {
      out->shape = S::kAuto;
    } else if (shape == "keyed") {
      out->shape = S::kKeyed;
    } else if (shape == "list") {
      out->shape = S::kList;
    } else if (shape == "text") {
      out->shape = S::kText;
    } else {
      Error(f.position, "shape=\"" + shape + "\"; expected auto, keyed, list or text");
      ok = false;
    }
    if (f.Has("lang")) {
      out->lang = CanonicalLanguage(f, "lang");
      ok = ok && !out->lang.empty();
    } else if (out->shape == S::kText) {
      Error(f.position, "shape=\"text\" needs lang=\"...\": the language of the text");
      ok = false;
    }
    out->lang_column = plan_->format == Format::kCsv && f.Has("lang-path");
    default_path_ = !f.Has("lang-path");
    ok = CompilePath(f.Get("lang-path", plan_->format == Format::kXml ? "@xml:lang" : "language"),
                     f.position, &out->lang_path) &&
         ok;
    default_path_ = !f.Has("text-path");
    ok = CompilePath(f.Get("text-path", plan_->format == Format::kXml ? "." : "value"), f.position,
                     &out->text_path) &&
         ok;
    default_path_ = false;
    std::string miss = f.Get("lang-on-miss", f.Has("lang-default") ? "default" : "reject");
    if (miss == "reject") {
      out->lang_on_miss = Miss::kReject;
    } else if (miss == "drop") {
      out->lang_on_miss = Miss::kDrop;
    } else if (miss == "default") {
      out->lang_on_miss = Miss::kDefault;
      if (!f.Has("lang-default")) {
        Error(f.position, "lang-on-miss=\"default\" needs lang-default=\"...\"");
        ok = false;
      } else {
        out->lang_default = CanonicalLanguage(f, "lang-default");
        ok = ok && !out->lang_default.empty();
      }
    } else {
      Error(f.position, "lang-on-miss=\"" + miss +
                            "\"; expected reject, drop or default "
                            "(an unknown language is never silently taken as English)");
      ok = false;
    }
    for (const DocNode* t : f.Children("text")) {
      std::vector<const char*> attrs = kRuleAttributes;
      attrs.push_back("lang");
      CheckAttributes(*t, attrs);
      CheckChildren(*t, {"step", "first", "concat"});
      LangText lt;
      if (!t->Has("lang")) {
        Error(t->position, "<text> needs lang=\"...\" (the language of this column or path)");
        ok = false;
        continue;
      }
      lt.lang = CanonicalLanguage(*t, "lang");
      if (lt.lang.empty()) {
        ok = false;
        continue;
      }
      Kind k = Kind::kAny;
      const vocab::Vocabulary* v = nullptr;
      if (!CompileRule(*t, &lt.rule, &out->deps, &k, &v)) {
        ok = false;
        continue;
      }
      CheckKind(t->position, "the text of '" + out->name + "'", FieldType::kText, k);
      out->texts.push_back(std::move(lt));
    }
    return ok;
  }

  std::string CanonicalLanguage(const DocNode& n, const char* attr) {
    std::string v = n.Get(attr);
    const vocab::Term* t = plan_->languages ? plan_->languages->Lookup(v) : nullptr;
    if (!t) {
      Error(n.Attribute(attr)->position, std::string(attr) + "=\"" + v +
                                             "\" is not a language of the languages vocabulary "
                                             "(ISO 639-1 codes such as en, fr, es, zh-hans)");
      return "";
    }
    return t->code;
  }

  bool CompileOutboundField(const DocNode& f, FieldPlan* out) {
    std::vector<const char*> attrs = kRuleAttributes;
    attrs.insert(attrs.end(), {"name", "type", "always"});
    CheckAttributes(f, attrs);
    CheckChildren(f, {"step", "first", "concat", "when", "otherwise", "item"});
    out->name = f.Get("name");
    out->pos = f.position;
    bool ok = true;
    if (!ParseOutputName(f, out->name, &out->out_path)) return false;
    out->out_type = f.Get("type", "auto");
    if (out->out_type != "auto" && out->out_type != "string" && out->out_type != "number" &&
        out->out_type != "bool") {
      Error(f.position, "type=\"" + out->out_type + "\"; expected auto, string, number or bool");
      ok = false;
    }
    out->always = ParseBool(f, "always", false);
    Kind kind = Kind::kAny;
    const vocab::Vocabulary* v = nullptr;
    ok = CompileCases(f, &out->cases, nullptr, &kind, &v, false) && ok;
    std::set<std::string> seen;
    for (const DocNode* i : f.Children("item")) {
      std::vector<const char*> iattrs = kRuleAttributes;
      iattrs.insert(iattrs.end(), {"name", "type"});
      CheckAttributes(*i, iattrs);
      CheckChildren(*i, {"step", "first", "concat", "when", "otherwise"});
      ItemPlan ip;
      ip.name = i->Get("name");
      std::vector<std::string> segs;
      if (!ParseOutputName(*i, ip.name, &segs)) {
        ok = false;
        continue;
      }
      if (!seen.insert(ip.name).second) {
        Error(i->position, "item '" + ip.name + "' is mapped twice");
        ok = false;
      }
      ip.out_type = i->Get("type", "auto");
      Kind ik = Kind::kAny;
      const vocab::Vocabulary* iv = nullptr;
      ok = CompileCases(*i, &ip.cases, nullptr, &ik, &iv, false) && ok;
      out->items.push_back(std::move(ip));
    }
    return ok;
  }

  bool ParseOutputName(const DocNode& n, const std::string& name, std::vector<std::string>* out) {
    if (name.empty()) {
      Error(n.position, "<" + n.name +
                            "> needs name=\"...\" (where the value goes in the "
                            "partner's record: a member, a/b for nesting, @attr in XML)");
      return false;
    }
    for (const std::string& s : core::Split(name, '/')) {
      if (s.empty() || s == "@") {
        Error(n.position, "output name '" + name + "' has an empty segment");
        return false;
      }
      out->push_back(s);
    }
    for (size_t i = 0; i + 1 < out->size(); ++i) {
      if ((*out)[i][0] == '@') {
        Error(n.position, "output name '" + name + "': an attribute (@...) must come last");
        return false;
      }
    }
    return true;
  }

  void CompileEncoder(const DocNode& root) {
    std::vector<const DocNode*> encoders = root.Children("encoder");
    if (encoders.empty()) {
      Error(root.position, "missing <encoder format=\"json|json-lines|xml\"/>");
      return;
    }
    if (encoders.size() > 1) Error(encoders[1]->position, "more than one <encoder>");
    const DocNode& e = *encoders[0];
    plan_->encoder = e.Get("format");
    if (plan_->encoder == "json") {
      CheckAttributes(e, {"format", "items"});
      CheckChildren(e, {});
      plan_->content_type = "application/json";
      for (const std::string& s : core::Split(e.Get("items"), '/')) {
        if (!s.empty()) plan_->items_path.push_back(s);
      }
    } else if (plan_->encoder == "json-lines") {
      CheckAttributes(e, {"format"});
      CheckChildren(e, {});
      plan_->content_type = "application/x-ndjson";
    } else if (plan_->encoder == "xml") {
      CheckAttributes(e, {"format", "root", "item"});
      CheckChildren(e, {"namespace"});
      CompileNamespaces(e);
      plan_->content_type = "application/xml";
      plan_->xml_root = e.Get("root");
      plan_->xml_item = e.Get("item");
      if (plan_->xml_root.empty() || plan_->xml_item.empty()) {
        Error(e.position, "an XML encoder needs root=\"ELEMENT\" and item=\"ELEMENT\"");
      }
    } else {
      Error(e.position,
            (plan_->encoder.empty() ? std::string("<encoder> needs format=\"...\"")
                                    : "unknown encoder format '" + plan_->encoder + "'") +
                "; expected json, json-lines or xml");
    }
  }

  // Marks the fields the evaluator can map the short way (FieldPlan::simple_text).
  static void MarkSimple(FieldPlan* f) {
    using T = FieldType;
    if (!f->spec || f->cases.size() != 1) return;
    T t = f->spec->type;
    if (t != T::kString && t != T::kText && t != T::kTerm) return;
    const Case& k = f->cases[0];
    const Rule& r = k.rule;
    if (k.cond.subject != Condition::Subject::kAlways || r.source != Rule::Source::kPath ||
        r.path.self || r.on_missing != Policy::kSkip || r.on_null != Policy::kSkip ||
        r.on_empty != Policy::kSkip) {
      return;
    }
    if (r.path.xpath || r.path.json.segments.empty()) {
      // CSV columns are simple; XPath and child rows are not.
      if (r.path.slot < 0 || r.path.child >= 0) return;
    } else {
      for (const auto& seg : r.path.json.segments) {
        if (seg.kind != codec::JsonPathSegment::Kind::kName) return;
      }
    }
    if (r.steps.size() > 1 || (r.steps.size() == 1 && r.steps[0].fn != Fn::kTrim)) return;
    f->simple_text = true;
    f->simple_trim = r.steps.size() == 1;
  }

  // Sorts fields so that each comes after the fields its templates and conditions read.
  void OrderFields(std::vector<FieldPlan> fields) {
    for (FieldPlan& f : fields) MarkSimple(&f);
    std::vector<bool> placed(fields.size(), false);
    std::vector<int> mapped_index;
    for (const FieldPlan& f : fields) mapped_index.push_back(f.index);
    size_t remaining = fields.size();
    while (remaining > 0) {
      bool progress = false;
      for (size_t i = 0; i < fields.size(); ++i) {
        if (placed[i]) continue;
        bool ready = true;
        for (int d : fields[i].deps) {
          if (d == fields[i].index) {
            Error(fields[i].pos, "field '" + fields[i].name + "' reads itself");
            placed[i] = true;
            --remaining;
            ready = false;
            progress = true;
            break;
          }
          for (size_t j = 0; j < fields.size(); ++j) {
            if (!placed[j] && j != i && fields[j].index == d) ready = false;
          }
        }
        if (placed[i] || !ready) continue;
        placed[i] = true;
        --remaining;
        progress = true;
        plan_->fields.push_back(std::move(fields[i]));
      }
      if (!progress) {
        std::vector<std::string> names;
        for (size_t i = 0; i < fields.size(); ++i) {
          if (!placed[i]) names.push_back(fields[i].name);
        }
        for (size_t i = 0; i < fields.size(); ++i) {
          if (!placed[i]) {
            Error(fields[i].pos, "fields read each other in a cycle: " + JoinNames(names));
            break;
          }
        }
        return;
      }
    }
  }

  const vocab::Vocabularies& vocabs_;
  const model::Registry& registry_;
  std::unique_ptr<Plan> plan_;
  bool default_path_ = false;  // compiling a default lang-path/text-path (not read_columns)
  std::string row_context_;     // csv: the rows plain column paths read (RowColumn::child)

  static std::string RowContextOf(const DocNode& f) {
    if (!f.Has("path")) return "*";
    const std::string path = f.Get("path");
    const size_t star = path.find("/*");
    if (star != std::string::npos && star > 0 && star + 2 == path.size()) {
      return path.substr(0, star);
    }
    return "";
  }
  // Sets row_context_ for one field's compilation; the main row's again after it.
  struct ContextGuard {
    ContextGuard(Compiler* c, std::string context) : c_(c) { c_->row_context_ = std::move(context); }
    ~ContextGuard() { c_->row_context_.clear(); }
    ContextGuard(const ContextGuard&) = delete;
    ContextGuard& operator=(const ContextGuard&) = delete;
    Compiler* c_;
  };
  std::vector<std::string> errors_;
  std::vector<std::string> param_guards_;  // parameters the enclosing <when>s test present
};

}  // namespace

Result<std::unique_ptr<Plan>> Compile(const codec::DocNode& root,
                                      const vocab::Vocabularies& vocabularies,
                                      const model::Registry& registry) {
  Compiler c(vocabularies, registry);
  return c.Run(root);
}

}  // namespace meabridge::mapping
