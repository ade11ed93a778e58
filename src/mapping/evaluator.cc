#include "mapping/evaluator.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <regex>
#include <utility>

#include "core/json.h"
#include "core/strings.h"

namespace meabridge::mapping {
namespace {

using codec::JsonTree;
using K = Scalar::Kind;

// Longest text a regex step reads. Patterns compile in libstdc++'s polynomial (breadth-first)
// mode, whose search time grows with the text times the pattern at each start position: up
// to the square of the text for a pattern that fails late (compiler.cc, CompileRegex, has the
// figures), so this bound keeps memory and the worst pattern's time finite, not small. Longer
// values are rejected with this reason.
constexpr size_t kMaxRegexInput = 1024 * 1024;

std::string Cut(std::string_view s) { return std::string(s.size() > 200 ? s.substr(0, 200) : s); }

// ISO 639-2's "undetermined" (Drupal's langcode for "not specified") and "no linguistic
// content": texts that carry no language of their own (a source's default-language decides).
bool IsUndetermined(std::string_view lang) {
  std::string_view t = core::Trim(lang);
  return t.size() == 3 && (core::AsciiLower(t) == "und" || core::AsciiLower(t) == "zxx");
}

bool IsWs(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Trims ASCII whitespace and no-break spaces (U+00A0, common in exported spreadsheets).
std::string_view TrimText(std::string_view s) {
  for (;;) {
    if (!s.empty() && IsWs(static_cast<unsigned char>(s.front()))) {
      s.remove_prefix(1);
    } else if (s.size() >= 2 && s[0] == '\xC2' && s[1] == '\xA0') {
      s.remove_prefix(2);
    } else {
      break;
    }
  }
  for (;;) {
    if (!s.empty() && IsWs(static_cast<unsigned char>(s.back()))) {
      s.remove_suffix(1);
    } else if (s.size() >= 2 && s[s.size() - 2] == '\xC2' && s.back() == '\xA0') {
      s.remove_suffix(2);
    } else {
      break;
    }
  }
  return s;
}

std::string Collapse(std::string_view s) {
  std::string out;
  bool space = false;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    bool ws = IsWs(c);
    if (c == 0xC2 && i + 1 < s.size() && s[i + 1] == '\xA0') {
      ws = true;
      ++i;
    }
    if (ws) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += static_cast<char>(c);
  }
  return out;
}

std::string FormatDouble(double d) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

}  // namespace

std::string ValueText(const model::Value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return FormatDouble(*d);
  if (const auto* d = std::get_if<core::CivilDate>(&v)) return core::FormatDate(*d);
  if (const auto* t = std::get_if<model::DateTime>(&v)) return core::FormatDateTime(t->ms);
  if (const auto* l = std::get_if<model::StringList>(&v)) return core::Join(*l, ",");
  return "";
}

// ---- views -------------------------------------------------------------------------------------

Scalar JsonView::FromNode(JsonTree::Id id) const {
  Scalar s;
  s.has_node = true;
  s.node.id = id;
  switch (tree_.type(id)) {
    case JsonTree::Type::kString:
      s.kind = K::kText, s.view = tree_.text(id);
      break;
    case JsonTree::Type::kNumber:
      s.kind = K::kNumber, s.view = tree_.text(id);
      break;
    case JsonTree::Type::kTrue:
      s.kind = K::kBool, s.b = true;
      break;
    case JsonTree::Type::kFalse:
      s.kind = K::kBool, s.b = false;
      break;
    case JsonTree::Type::kNull:
      s.kind = K::kNull;
      break;
    default:
      s.kind = K::kNode;
      break;
  }
  return s;
}

void JsonView::Select(const Scalar* context, const PathExpr& path, Val* out) const {
  if (path.self && context) {
    out->items.push_back(*context);
    return;
  }
  JsonTree::Id from = tree_.root();
  if (context) {
    if (!context->has_node) return;  // a computed value has no members
    from = context->node.id;
  }
  if (from == JsonTree::kNone) return;
  scratch_.clear();
  const auto& segments = path.json.segments;
  if (!context && !segments.empty() && segments[0].kind == codec::JsonPathSegment::Kind::kName) {
    // A member of the record: mappings mostly read them in source order, so start where the
    // last one was found.
    JsonTree::Id m = tree_.MemberFrom(from, segments[0].name, hint_);
    if (m == JsonTree::kNone) {
      if (path.json.multi) out->list = true;
      return;
    }
    hint_ = tree_.next_sibling(m);
    codec::SelectJsonFrom(tree_, m, path.json, 1, options_, &scratch_);
  } else {
    codec::SelectJson(tree_, from, path.json, options_, &scratch_);
  }
  if (path.json.multi) out->list = true;
  for (const codec::JsonSelected& sel : scratch_) {
    if (sel.is_key) {
      Scalar s = Scalar::Text(sel.key);
      out->items.push_back(std::move(s));
    } else {
      out->items.push_back(FromNode(sel.node));
    }
  }
}

SourceView::Simple JsonView::SimpleText(const PathExpr& path, std::string_view* out) const {
  const auto& segments = path.json.segments;
  JsonTree::Id n = tree_.root();
  for (size_t i = 0; i < segments.size() && n != JsonTree::kNone; ++i) {
    if (i == 0) {
      n = tree_.MemberFrom(n, segments[0].name, hint_);
      if (n != JsonTree::kNone) hint_ = tree_.next_sibling(n);
    } else {
      n = tree_.Member(n, segments[i].name);
    }
  }
  if (n == JsonTree::kNone) return Simple::kMissing;
  switch (tree_.type(n)) {
    case JsonTree::Type::kNull:
      return Simple::kNull;
    case JsonTree::Type::kString:
    case JsonTree::Type::kNumber:
      *out = tree_.text(n);
      return Simple::kText;
    case JsonTree::Type::kTrue:
      *out = "true";
      return Simple::kText;
    case JsonTree::Type::kFalse:
      *out = "false";
      return Simple::kText;
    default:
      // A deferred OData value reads as missing; other structures take the general way.
      if (options_.odata && codec::IsODataDeferred(tree_, n)) return Simple::kMissing;
      return Simple::kOther;
  }
}

bool JsonView::Elements(const Scalar& s, std::vector<Scalar>* out) const {
  if (s.kind != K::kNode || !s.has_node) return false;
  JsonTree::Id n = s.node.id;
  if (options_.odata && codec::IsODataDeferred(tree_, n)) return true;
  if (tree_.type(n) == JsonTree::Type::kObject) {
    if (!options_.odata) return false;
    n = codec::ODataResults(tree_, n);
    if (n == JsonTree::kNone) return false;
  }
  for (JsonTree::Id c = tree_.first_child(n); c != JsonTree::kNone; c = tree_.next_sibling(c)) {
    out->push_back(FromNode(c));
  }
  return true;
}

bool JsonView::Members(const Scalar& s, std::vector<std::pair<std::string, Scalar>>* out) const {
  if (s.kind != K::kNode || !s.has_node || tree_.type(s.node.id) != JsonTree::Type::kObject) {
    return false;
  }
  for (JsonTree::Id c = tree_.first_child(s.node.id); c != JsonTree::kNone;
       c = tree_.next_sibling(c)) {
    out->emplace_back(std::string(tree_.key(c)), FromNode(c));
  }
  return true;
}

bool JsonView::EmptyNode(const Scalar& s) const {
  if (s.kind != K::kNode || !s.has_node) return false;
  if (options_.odata && codec::IsODataDeferred(tree_, s.node.id)) return true;
  if (options_.odata) {
    JsonTree::Id r = codec::ODataResults(tree_, s.node.id);
    if (r != JsonTree::kNone) return tree_.size(r) == 0;
  }
  return tree_.size(s.node.id) == 0;
}

std::string JsonView::Raw(const Scalar& s) const {
  if (s.kind == K::kNode && s.has_node) return Cut(tree_.ToJson(s.node.id));
  if (s.kind == K::kNull) return "null";
  std::string scratch;
  std::string_view t;
  if (Evaluator::TextOf(s, &t, &scratch)) return Cut(t);
  return "";
}

namespace {
// True when an element holds text of its own (not only whitespace between child elements).
bool HasText(pugi::xml_node e) {
  for (pugi::xml_node c = e.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
      for (const char* p = c.value(); *p; ++p) {
        if (!IsWs(static_cast<unsigned char>(*p))) return true;
      }
    }
  }
  return false;
}
}  // namespace

Scalar XmlView::FromXPathNode(const pugi::xpath_node& n) const {
  Scalar s;
  if (n.attribute()) {
    s.kind = K::kText;
    s.view = n.attribute().value();  // lives as long as the document
    s.has_node = true;
    s.node.p = reinterpret_cast<uintptr_t>(n.parent().internal_object());
    s.node.id = 1;
    return s;
  }
  pugi::xml_node e = n.node();
  s.has_node = true;
  s.node.p = reinterpret_cast<uintptr_t>(e.internal_object());
  if (e.type() == pugi::node_element && doc_.IsNil(e)) {
    s.kind = K::kNull;
  } else if (e.type() == pugi::node_element && codec::XmlDocument::HasElementChildren(e) &&
             !HasText(e)) {
    s.kind = K::kNode;  // only elements below: a structure
  } else {
    // A leaf, or mixed content ("Bolivia<superscript>2</superscript>"): its text.
    s.kind = K::kText;
    // A leaf element's text is usually one pcdata node: view it without copying.
    pugi::xml_node only = e.first_child();
    if (e.type() == pugi::node_element && only && !only.next_sibling() &&
        (only.type() == pugi::node_pcdata || only.type() == pugi::node_cdata)) {
      s.view = only.value();
    } else if (e.type() == pugi::node_element && !only) {
      s.view = std::string_view();
    } else {
      std::string text;
      codec::XmlDocument::StringValue(e, &text);
      s.SetText(std::move(text));
    }
  }
  return s;
}

void XmlView::Select(const Scalar* context, const PathExpr& path, Val* out) const {
  if (path.self && context) {
    out->items.push_back(*context);
    return;
  }
  pugi::xml_node from = record_;
  if (context) {
    if (!context->has_node) return;
    from = pugi::xml_node(reinterpret_cast<pugi::xml_node_struct*>(context->node.p));
    if (context->node.id == 1) return;  // an attribute has no children
  }
  const pugi::xpath_query& q = *path.xpath;
  if (q.return_type() == pugi::xpath_type_node_set) {
    pugi::xpath_node_set set = q.evaluate_node_set(from);
    if (set.size() > 1) out->list = true;
    for (const pugi::xpath_node& n : set) out->items.push_back(FromXPathNode(n));
    return;
  }
  Scalar s;
  if (q.return_type() == pugi::xpath_type_boolean) {
    s.kind = K::kBool;
    s.b = q.evaluate_boolean(from);
  } else {
    s.SetText(q.evaluate_string(from));
  }
  out->items.push_back(std::move(s));
}

bool XmlView::EmptyNode(const Scalar&) const { return false; }

std::string XmlView::Raw(const Scalar& s) const {
  if (s.kind == K::kNode && s.has_node) {
    std::string text;
    codec::XmlDocument::StringValue(
        pugi::xml_node(reinterpret_cast<pugi::xml_node_struct*>(s.node.p)), &text);
    return Cut(core::Trim(text));
  }
  if (s.kind == K::kNull) return "null";
  std::string scratch;
  std::string_view t;
  if (Evaluator::TextOf(s, &t, &scratch)) return Cut(t);
  return "";
}

const RowChild* RowView::ChildOf(const Scalar& s) const {
  if (s.kind != K::kNode || !s.has_node || !children_ || s.node.p == 0) return nullptr;
  size_t child = static_cast<size_t>(s.node.p - 1);
  return child < children_->size() ? &(*children_)[child] : nullptr;
}

Scalar RowView::Cell(const std::optional<std::string>& cell) {
  Scalar s;
  if (cell) {
    s.view = *cell;
  } else {
    s.kind = K::kNull;
  }
  return s;
}

std::string RowView::Raw(const Scalar& s) const {
  const RowChild* child = ChildOf(s);
  if (!child) return std::string(s.text());
  // A child row: its columns, as "{column=value, ...}".
  std::string out = "{";
  const size_t width = child->columns->size();
  for (size_t c = 0; c < width; ++c) {
    const std::optional<std::string>& cell = (*child->cells)[s.node.id * width + c];
    if (c) out += ", ";
    out += (*child->columns)[c] + "=" + (cell ? *cell : "NULL");
  }
  return Cut(out + "}");
}

void RowView::Select(const Scalar* context, const PathExpr& path, Val* out) const {
  if (path.self) {
    if (context) out->items.push_back(*context);
    return;
  }
  if (context) {
    // A column of a child row; a cell has no parts.
    const RowChild* child = ChildOf(*context);
    if (!child || path.child >= 0 || path.slot < 0 ||
        static_cast<size_t>(path.slot) >= child->slot_column.size()) {
      return;
    }
    int col = child->slot_column[static_cast<size_t>(path.slot)];
    if (col < 0) return;
    out->items.push_back(
        Cell((*child->cells)[context->node.id * child->columns->size() + static_cast<size_t>(col)]));
    return;
  }
  if (path.child >= 0) {
    // Each row of the child, or one column of each.
    out->list = true;
    if (!children_ || static_cast<size_t>(path.child) >= children_->size()) return;
    const RowChild& child = (*children_)[static_cast<size_t>(path.child)];
    int col = -1;
    if (path.slot >= 0) {
      if (static_cast<size_t>(path.slot) >= child.slot_column.size()) return;
      col = child.slot_column[static_cast<size_t>(path.slot)];
      if (col < 0) return;
    }
    const size_t rows = child.rows();
    for (size_t r = 0; r < rows; ++r) {
      if (col >= 0) {
        out->items.push_back(Cell((*child.cells)[r * child.columns->size() + static_cast<size_t>(col)]));
        continue;
      }
      Scalar s;
      s.kind = K::kNode;
      s.has_node = true;
      s.node.p = static_cast<uintptr_t>(path.child) + 1;
      s.node.id = static_cast<uint32_t>(r);
      out->items.push_back(std::move(s));
    }
    return;
  }
  if (path.slot < 0 || static_cast<size_t>(path.slot) >= slot_column_.size()) return;
  int col = slot_column_[static_cast<size_t>(path.slot)];
  if (col < 0 || static_cast<size_t>(col) >= cells_.size()) return;
  Scalar s;
  if (nulls_[static_cast<size_t>(col)]) {
    s.kind = K::kNull;
  } else {
    s.view = cells_[static_cast<size_t>(col)];
  }
  out->items.push_back(std::move(s));
}

SourceView::Simple RowView::SimpleText(const PathExpr& path, std::string_view* out) const {
  if (path.child >= 0 || path.slot < 0 || static_cast<size_t>(path.slot) >= slot_column_.size()) {
    return Simple::kOther;
  }
  int col = slot_column_[static_cast<size_t>(path.slot)];
  if (col < 0 || static_cast<size_t>(col) >= cells_.size()) return Simple::kMissing;
  if (nulls_[static_cast<size_t>(col)]) return Simple::kNull;
  *out = cells_[static_cast<size_t>(col)];
  return Simple::kText;
}

// ---- evaluator ---------------------------------------------------------------------------------

Evaluator::Evaluator(const Plan& plan, Params params) : plan_(plan), params_(std::move(params)) {
  for (const ParamSpec& p : plan.params) {
    if (p.default_value && params_.find(p.name) == params_.end()) {
      params_[p.name] = *p.default_value;
    }
  }
}

bool Evaluator::TextOf(const Scalar& s, std::string_view* out, std::string* scratch) {
  switch (s.kind) {
    case K::kText:
    case K::kNumber:
      *out = s.text();
      return true;
    case K::kBool:
      *out = s.b ? "true" : "false";
      return true;
    case K::kDate:
      *scratch = s.b ? core::FormatDateTime(s.ms) : core::FormatDate(s.date);
      *out = *scratch;
      return true;
    case K::kNull:
      *out = std::string_view();
      return true;
    case K::kNode:
      return false;
  }
  return false;
}

void Evaluator::AddProblem(Ctx& c, std::string rule, std::string value, std::string message) {
  c.problems->push_back(Problem{c.field, std::move(rule), std::move(value), std::move(message)});
}

bool Evaluator::RenderTemplate(const Template& t, Ctx& c, std::string* out) {
  out->clear();
  for (const Template::Part& p : t.parts) {
    switch (p.kind) {
      case Template::Part::Kind::kLiteral:
        *out += p.text;
        break;
      case Template::Part::Kind::kParam: {
        auto it = params_.find(p.text);
        if (it == params_.end() || it->second.empty()) return false;
        *out += it->second;
        break;
      }
      case Template::Part::Kind::kField: {
        if (!c.record) return false;
        const model::Value& v = c.record->Get(static_cast<size_t>(p.field_index));
        if (model::IsEmpty(v)) return false;
        *out += ValueText(v);
        break;
      }
      case Template::Part::Kind::kSource: {
        Val v;
        c.view.Select(c.node, p.path, &v);
        std::string_view text;
        std::string scratch;
        bool found = false;
        for (const Scalar& s : v.items) {
          if (s.kind == K::kNull || !TextOf(s, &text, &scratch) || text.empty()) continue;
          found = true;
          break;
        }
        if (!found) return false;
        *out += text;
        break;
      }
    }
  }
  return true;
}

void Evaluator::EvalSource(const Rule& rule, Ctx& c, Val* out) {
  out->Clear();
  switch (rule.source) {
    case Rule::Source::kNone:
      return;
    case Rule::Source::kPath:
      c.view.Select(c.node, rule.path, out);
      return;
    case Rule::Source::kConst:
      out->items.push_back(Scalar::Text(rule.constant));
      return;
    case Rule::Source::kTemplate: {
      std::string text;
      if (RenderTemplate(rule.tmpl, c, &text)) {
        Scalar s;
        s.SetText(std::move(text));
        out->items.push_back(std::move(s));
      }
      return;
    }
    case Rule::Source::kFirst: {
      // An option that fails does not apply; when none gives a value, the failures explain
      // why (they become the record's problems).
      std::vector<Problem> failures;
      for (const Rule& option : rule.parts) {
        Val v;
        size_t before = c.problems->size();
        bool ok = EvalRule(option, c, &v);
        if (!ok) {
          for (size_t i = before; i < c.problems->size(); ++i) {
            failures.push_back(std::move((*c.problems)[i]));
          }
          c.problems->resize(before);
          continue;
        }
        if (!v.items.empty()) {
          *out = std::move(v);
          return;
        }
      }
      for (Problem& p : failures) c.problems->push_back(std::move(p));
      return;
    }
    case Rule::Source::kConcat: {
      std::string text;
      bool any = false;
      for (const Rule& part : rule.parts) {
        Val v;
        if (!EvalRule(part, c, &v)) continue;
        for (const Scalar& s : v.items) {
          std::string_view t;
          std::string scratch;
          if (!TextOf(s, &t, &scratch) || t.empty()) continue;
          if (any) text += rule.sep;
          text += t;
          any = true;
        }
      }
      if (any) {
        Scalar s;
        s.SetText(std::move(text));
        out->items.push_back(std::move(s));
      }
      return;
    }
  }
}

bool Evaluator::ApplyPolicy(const Rule& rule, Ctx& c, Val* v, const char* what, Policy policy) {
  switch (policy) {
    case Policy::kSkip:
      v->Clear();
      return true;
    case Policy::kDefault:
      v->Clear();
      v->items.push_back(Scalar::Text(*rule.default_value));
      return true;
    case Policy::kReject: {
      std::string src = rule.source == Rule::Source::kPath ? " at '" + rule.path.text + "'" : "";
      AddProblem(c, "required", "",
                 std::string("no value: the source value") + src + " is " + what + " (rule at " +
                     rule.where + " rejects a record without it)");
      v->Clear();
      return false;
    }
  }
  return true;
}

namespace {
enum class Blank { kValue, kMissing, kNull, kEmpty };
const char* BlankName(Blank b) {
  switch (b) {
    case Blank::kMissing:
      return "missing";
    case Blank::kNull:
      return "null";
    case Blank::kEmpty:
      return "empty";
    default:
      return "present";
  }
}
}  // namespace

bool Evaluator::EvalRule(const Rule& rule, Ctx& c, Val* out, bool run_steps) {
  size_t problems_before = c.problems->size();
  EvalSource(rule, c, out);
  if (c.problems->size() > problems_before) {  // a part of a <first> or <concat> failed
    out->Clear();
    return false;
  }
  // Lists lose their null and empty elements; a single null or empty value stays for the policy.
  auto classify = [&](Val* v) {
    if (v->list) {
      v->items.erase(std::remove_if(v->items.begin(), v->items.end(),
                                    [&](const Scalar& s) {
                                      return s.kind == K::kNull ||
                                             ((s.kind == K::kText) && s.text().empty()) ||
                                             c.view.EmptyNode(s);
                                    }),
                     v->items.end());
      return v->items.empty() ? Blank::kEmpty : Blank::kValue;
    }
    if (v->items.empty()) return Blank::kMissing;
    if (v->items.size() == 1) {
      const Scalar& s = v->items[0];
      if (s.kind == K::kNull) return Blank::kNull;
      if (s.kind == K::kText && s.text().empty()) return Blank::kEmpty;
      if (c.view.EmptyNode(s)) return Blank::kEmpty;
    }
    return Blank::kValue;
  };
  auto policy_for = [&](Blank b) {
    return b == Blank::kMissing ? rule.on_missing
           : b == Blank::kNull  ? rule.on_null
                                : rule.on_empty;
  };
  Blank b = classify(out);
  if (b != Blank::kValue) return ApplyPolicy(rule, c, out, BlankName(b), policy_for(b));
  if (!run_steps || rule.steps.empty()) return true;
  if (!RunSteps(rule, c, out)) return false;
  b = classify(out);
  if (b != Blank::kValue) {
    // After the steps: a value that became nothing (dropped, extracted nothing, trimmed away).
    return ApplyPolicy(rule, c, out,
                       b == Blank::kMissing ? "missing after the steps"
                       : b == Blank::kNull  ? "null"
                                            : "empty after the steps",
                       policy_for(b));
  }
  return true;
}

bool Evaluator::RunSteps(const Rule& rule, Ctx& c, Val* v) {
  for (const Step& step : rule.steps) {
    if (!ApplyStep(step, rule, c, v)) return false;
    if (v->items.empty()) return true;
  }
  return true;
}

bool Evaluator::Miss(const Step& step, const Rule& rule, Ctx& c, Scalar* s, const std::string& why,
                     bool* drop) {
  *drop = false;
  switch (step.on_miss) {
    case Miss::kKeep:
      return true;
    case Miss::kDrop:
      *drop = true;
      return true;
    case Miss::kDefault:
      s->SetText(step.default_value);
      return true;
    case Miss::kReject: {
      std::string_view t;
      std::string scratch;
      TextOf(*s, &t, &scratch);
      AddProblem(c, FnName(step.fn), Cut(t),
                 why + " (step at " + step.pos.ToString() + ", in the rule at " + rule.where +
                     "; on-miss=\"drop\" or a default=\"...\" would let the record through)");
      *drop = true;
      return false;
    }
  }
  return true;
}

bool Evaluator::ApplyStep(const Step& step, const Rule& rule, Ctx& c, Val* v) {
  bool ok = true;
  std::vector<Scalar>& items = v->items;
  auto need_text = [&](Scalar& s, std::string_view* t) {
    if (s.kind == K::kNode) {
      AddProblem(c, "type", c.view.Raw(s),
                 std::string("function '") + FnName(step.fn) +
                     "' expects text but the source value is structured (an object, array or "
                     "element with children); point the path at a text value (step at " +
                     step.pos.ToString() + ")");
      ok = false;
      return false;
    }
    return TextOf(s, t, &text_scratch_);
  };
  switch (step.fn) {
    case Fn::kFirst:
      if (items.size() > 1) items.resize(1);
      v->list = false;
      return true;
    case Fn::kUnique: {
      // Lists are short: compare each text value with the ones kept before it, in place.
      size_t kept = 0;
      for (size_t i = 0; i < items.size(); ++i) {
        bool text = items[i].kind == K::kText || items[i].kind == K::kNumber;
        bool repeated = false;
        for (size_t j = 0; text && j < kept && !repeated; ++j) {
          repeated = (items[j].kind == K::kText || items[j].kind == K::kNumber) &&
                     items[j].text() == items[i].text();
        }
        if (repeated) continue;
        if (kept != i) items[kept] = std::move(items[i]);
        ++kept;
      }
      items.resize(kept);
      return true;
    }
    case Fn::kJoin: {
      std::string text;
      bool any = false;
      for (Scalar& s : items) {
        std::string_view t;
        if (!need_text(s, &t) || t.empty()) continue;
        if (any) text += step.sep;
        text += t;
        any = true;
      }
      items.clear();
      v->list = false;
      if (any) {
        Scalar s;
        s.SetText(std::move(text));
        items.push_back(std::move(s));
      }
      return ok;
    }
    case Fn::kSplit: {
      std::vector<Scalar> out;
      for (Scalar& s : items) {
        std::string_view t;
        if (!need_text(s, &t)) continue;
        std::vector<std::string> pieces;
        if (step.re) {
          if (t.size() > kMaxRegexInput) {
            AddProblem(c, "split", Cut(t),
                       "value too long for a regex step (" + std::to_string(t.size()) + " bytes)");
            ok = false;
            continue;
          }
          std::string str(t);
          try {
            std::sregex_token_iterator it(str.begin(), str.end(), *step.re, -1), end;
            for (; it != end; ++it) pieces.push_back(it->str());
          } catch (const std::regex_error& e) {
            AddProblem(c, "split", Cut(t), std::string("regex failed: ") + e.what());
            ok = false;
            continue;
          }
        } else {
          pieces = core::Split(t, std::string_view(step.sep));
        }
        for (std::string& p : pieces) {
          std::string_view piece = step.trim ? TrimText(p) : std::string_view(p);
          if (piece.empty()) continue;
          Scalar n;
          n.SetText(std::string(piece));
          n.has_node = s.has_node;
          n.node = s.node;
          out.push_back(std::move(n));
        }
      }
      items = std::move(out);
      v->list = true;
      return ok;
    }
    default:
      break;
  }
  // Element-wise steps.
  std::vector<Scalar>::iterator it = items.begin();
  while (it != items.end()) {
    Scalar& s = *it;
    bool drop = false;
    if (s.kind == K::kNull) {
      ++it;
      continue;
    }
    switch (step.fn) {
      case Fn::kTrim: {
        std::string_view t;
        if (!need_text(s, &t)) break;
        std::string_view trimmed = TrimText(t);
        if (trimmed.size() != t.size()) {
          if (s.owned) {
            s.SetText(std::string(trimmed));
          } else if (s.kind == K::kText || s.kind == K::kNumber) {
            s.view = trimmed;
          } else {
            s.SetText(std::string(trimmed));
          }
        }
        break;
      }
      case Fn::kCollapse: {
        std::string_view t;
        if (need_text(s, &t)) s.SetText(Collapse(t));
        break;
      }
      case Fn::kLower:
      case Fn::kUpper: {
        std::string_view t;
        if (need_text(s, &t)) {
          s.SetText(step.fn == Fn::kLower ? core::AsciiLower(t) : core::AsciiUpper(t));
        }
        break;
      }
      case Fn::kReplace:
      case Fn::kExtract: {
        std::string_view t;
        if (!need_text(s, &t)) break;
        if (step.literal) {
          std::string out;
          size_t pos = 0;
          for (;;) {
            size_t f = t.find(step.pattern_text, pos);
            if (f == std::string_view::npos) break;
            out.append(t.substr(pos, f - pos));
            out += step.with;
            pos = f + step.pattern_text.size();
          }
          out.append(t.substr(pos));
          s.SetText(std::move(out));
          break;
        }
        if (t.size() > kMaxRegexInput) {
          AddProblem(c, FnName(step.fn), Cut(t),
                     "value too long for a regex step (" + std::to_string(t.size()) +
                         " bytes, at most " + std::to_string(kMaxRegexInput) + ")");
          ok = false;
          drop = true;
          break;
        }
        std::string str(t);
        try {
          if (step.fn == Fn::kReplace) {
            s.SetText(std::regex_replace(str, *step.re, step.with));
          } else {
            std::smatch m;
            if (std::regex_search(str, m, *step.re) && m[static_cast<size_t>(step.group)].matched) {
              s.SetText(m[static_cast<size_t>(step.group)].str());
            } else if (!Miss(step, rule, c, &s,
                             "'" + Cut(str) + "' does not match /" + step.pattern_text + "/",
                             &drop)) {
              ok = false;
            }
          }
        } catch (const std::regex_error& e) {
          AddProblem(c, FnName(step.fn), Cut(t), std::string("regex failed: ") + e.what());
          ok = false;
          drop = true;
        }
        break;
      }
      case Fn::kDate: {
        std::string_view t;
        if (!need_text(s, &t)) break;
        ParsedDate d;
        if (step.date->Parse(t, &d)) {
          Scalar n;
          n.kind = K::kDate;
          n.date = d.date;
          n.ms = InstantOf(d);
          n.b = d.has_time;
          n.has_node = s.has_node;
          n.node = s.node;
          s = std::move(n);
        } else if (!Miss(
                       step, rule, c, &s,
                       "'" + Cut(t) + "' is not a date in the pattern '" + step.date->text() + "'",
                       &drop)) {
          ok = false;
        } else if (step.on_miss == Miss::kDefault) {
          ParsedDate dd;
          if (step.date->Parse(step.default_value, &dd) || ParseIsoDate(step.default_value, &dd)) {
            s.kind = K::kDate;
            s.date = dd.date;
            s.ms = dd.Instant();
            s.b = dd.has_time;
          }
        }
        break;
      }
      case Fn::kFormatDate: {
        if (s.kind != K::kDate) {
          std::string_view t;
          if (!need_text(s, &t)) break;
          ParsedDate d;
          if (!ParseIsoDate(TrimText(t), &d)) {
            AddProblem(c, "format-date", Cut(t),
                       "'" + Cut(t) +
                           "' is not an ISO 8601 date; read it with "
                           "<step fn=\"date\" pattern=\"...\"/> first (step at " +
                           step.pos.ToString() + ")");
            ok = false;
            drop = true;
            break;
          }
          s.kind = K::kDate;
          s.date = d.date;
          s.ms = d.Instant();
          s.b = d.has_time;
        }
        s.SetText(s.b ? step.date->FormatInstant(s.ms) : step.date->FormatDate(s.date));
        break;
      }
      case Fn::kNumber: {
        std::string_view t;
        if (!need_text(s, &t)) break;
        std::string num(TrimText(t));
        if (step.decimal == ',') {
          std::string cleaned;
          for (char ch : num) {
            if (ch == '.' || ch == ' ') continue;  // thousands separators
            cleaned += ch == ',' ? '.' : ch;
          }
          num = cleaned;
        }
        if (core::ParseDouble(num)) {
          s.SetText(num);
          s.kind = K::kNumber;
        } else if (!Miss(step, rule, c, &s, "'" + Cut(t) + "' is not a number", &drop)) {
          ok = false;
        }
        break;
      }
      case Fn::kBool: {
        std::string_view t;
        if (!need_text(s, &t)) break;
        std::string low = core::AsciiLower(TrimText(t));
        if (std::find(step.trues.begin(), step.trues.end(), low) != step.trues.end()) {
          s.kind = K::kBool;
          s.b = true;
        } else if (std::find(step.falses.begin(), step.falses.end(), low) != step.falses.end()) {
          s.kind = K::kBool;
          s.b = false;
        } else if (!Miss(step, rule, c, &s,
                         "'" + Cut(t) + "' is neither true (" + core::Join(step.trues, "|") +
                             ") nor false (" + core::Join(step.falses, "|") + ")",
                         &drop)) {
          ok = false;
        }
        break;
      }
      case Fn::kLookup: {
        std::string_view t;
        if (!need_text(s, &t)) break;
        const vocab::Term* term = step.vocabulary->Lookup(t);
        if (!term && !default_language_.empty() && step.vocabulary->name() == "languages" &&
            IsUndetermined(t)) {
          term = step.vocabulary->FindCode(default_language_);  // a file marked und
        }
        if (term) {
          const std::string& result = step.label ? term->label : term->code;
          if (result != t) s.SetText(result);
        } else if (!Miss(step, rule, c, &s,
                         "'" + Cut(t) + "' is not in the " + std::string(step.vocabulary->name()) +
                             " vocabulary (meabridge vocab lookup " +
                             std::string(step.vocabulary->name()) + " VALUE shows what matches)",
                         &drop)) {
          ok = false;
        }
        break;
      }
      case Fn::kMap: {
        std::string_view t;
        if (!need_text(s, &t)) break;
        std::string key = step.map->ignore_case ? core::AsciiLower(t) : std::string(t);
        auto found = step.map->entries.find(key);
        if (found != step.map->entries.end()) {
          s.SetText(found->second);
        } else if (!Miss(step, rule, c, &s,
                         "'" + Cut(t) + "' is not in the value map" +
                             (step.map->name.empty() ? "" : " '" + step.map->name + "'"),
                         &drop)) {
          ok = false;
        }
        break;
      }
      case Fn::kUntcSuffix: {
        std::string_view t;
        if (!need_text(s, &t)) break;
        static const Result<DatePattern> kUntc = DatePattern::Compile("untc");
        ParsedDate d;
        if (!kUntc->Parse(t, &d)) {
          AddProblem(c, "untc-suffix", Cut(t),
                     "'" + Cut(t) +
                         "' is not a UN Treaty Collection date such as "
                         "\"19 Sep 2002 a\" (step at " +
                         step.pos.ToString() + ")");
          ok = false;
          drop = true;
          break;
        }
        s.SetText(d.suffix.empty() ? step.no_suffix : d.suffix);
        break;
      }
      default:
        break;
    }
    if (drop) {
      it = items.erase(it);
    } else {
      ++it;
    }
  }
  return ok;
}

bool Evaluator::Test(const Condition& cond, Ctx& c) {
  using Op = Condition::Op;
  if (cond.subject == Condition::Subject::kAlways) return true;
  // The subject's value: missing, null, or text.
  bool missing = false, null = false, structured_empty = false, structured = false;
  std::string text;
  switch (cond.subject) {
    case Condition::Subject::kPath: {
      Val v;
      c.view.Select(c.node, cond.path, &v);
      if (v.items.empty()) {
        missing = !v.list;
        structured_empty = v.list;
      } else {
        const Scalar& s = v.items[0];
        if (s.kind == K::kNull) {
          null = true;
        } else if (s.kind == K::kNode) {
          structured = true;
          structured_empty = c.view.EmptyNode(s);
        } else {
          std::string_view t;
          std::string scratch;
          TextOf(s, &t, &scratch);
          text = std::string(t);
        }
      }
      break;
    }
    case Condition::Subject::kField: {
      const model::Value& v = c.record->Get(static_cast<size_t>(cond.field_index));
      missing = std::holds_alternative<std::monostate>(v);
      text = ValueText(v);
      structured_empty = !missing && model::IsEmpty(v);
      break;
    }
    case Condition::Subject::kParam: {
      auto it = params_.find(cond.param);
      missing = it == params_.end();
      if (!missing) text = it->second;
      break;
    }
    default:
      break;
  }
  bool empty = !missing && !null && (structured ? structured_empty : text.empty());
  if (structured_empty && !structured) empty = true;
  if (cond.ignore_case) text = core::AsciiLower(text);
  switch (cond.op) {
    case Op::kMissing:
      return missing;
    case Op::kNull:
      return null;
    case Op::kEmpty:
      return empty;
    case Op::kBlank:
      return missing || null || empty;
    case Op::kPresent:
      return !(missing || null || empty);
    case Op::kEquals:
      return !missing && !null && !structured && text == cond.value;
    case Op::kNotEquals:
      return missing || null || structured || text != cond.value;
    case Op::kMatches:
      if (missing || null || structured || text.size() > kMaxRegexInput) return false;
      try {
        return std::regex_search(text, *cond.re);
      } catch (const std::regex_error&) {
        return false;
      }
    case Op::kIn:
      return !missing && !null && !structured &&
             std::find(cond.values.begin(), cond.values.end(), text) != cond.values.end();
  }
  return false;
}

bool Evaluator::EvalCases(const std::vector<Case>& cases, const SourceView& view,
                          const Scalar* context, const model::Record* record,
                          const std::string& field, Val* out, std::vector<Problem>* problems) {
  Ctx c{view, context, record, field, problems};
  out->Clear();
  for (const Case& k : cases) {
    if (!Test(k.cond, c)) continue;
    return EvalRule(k.rule, c, out);
  }
  return true;
}

bool Evaluator::Skip(const SourceView& view) {
  if (plan_.skips.empty()) return false;
  std::vector<Problem> none;
  static const std::string kNoField;
  Ctx c{view, nullptr, nullptr, kNoField, &none};
  for (const Condition& cond : plan_.skips) {
    if (Test(cond, c)) return true;
  }
  return false;
}

// ---- conversion to canonical values ----------------------------------------------------------

bool Evaluator::ToValue(model::FieldType type, const std::string& vocabulary, Val& v, Ctx& c,
                        model::Value* out) {
  using T = model::FieldType;
  (void)vocabulary;
  if (v.items.empty()) {
    *out = std::monostate();
    return true;
  }
  if (type == T::kStringList) {
    model::StringList list;
    std::vector<Scalar> expanded;
    for (Scalar& s : v.items) {
      if (s.kind == K::kNode) {
        std::vector<Scalar> elements;
        if (c.view.Elements(s, &elements)) {
          for (Scalar& e : elements) expanded.push_back(std::move(e));
          continue;
        }
      }
      expanded.push_back(std::move(s));
    }
    for (const Scalar& s : expanded) {
      if (s.kind == K::kNull) continue;
      std::string_view t;
      std::string scratch;
      if (!TextOf(s, &t, &scratch)) {
        AddProblem(c, "type", c.view.Raw(s),
                   "a list element is structured where text is expected; point the path at the "
                   "text (e.g. treaties/*/value)");
        return false;
      }
      if (t.empty()) continue;
      list.emplace_back(t);
    }
    *out = std::move(list);
    return true;
  }
  if (v.items.size() > 1) {
    AddProblem(c, "cardinality", c.view.Raw(v.items[0]),
               std::to_string(v.items.size()) + " values where " + model::FieldTypeName(type) +
                   " takes one; add <step fn=\"first\"/> or <step fn=\"join\"/>");
    return false;
  }
  Scalar& s = v.items[0];
  if (s.kind == K::kNull) {
    *out = std::monostate();
    return true;
  }
  if (s.kind == K::kNode) {
    AddProblem(c, "type", c.view.Raw(s),
               std::string("a structured value (object, array or element with children) where ") +
                   model::FieldTypeName(type) + " is expected; point the path at a scalar");
    return false;
  }
  std::string_view t;
  std::string scratch;
  switch (type) {
    case T::kString:
    case T::kText:
    case T::kTerm:
      if (s.kind == K::kDate) {
        TextOf(s, &t, &scratch);
        *out = std::string(t);
        return true;
      }
      TextOf(s, &t, &scratch);
      if (s.owned && s.kind == K::kText) {
        *out = std::move(s.own);
      } else {
        *out = std::string(t);
      }
      return true;
    case T::kBool: {
      if (s.kind == K::kBool) {
        *out = s.b;
        return true;
      }
      TextOf(s, &t, &scratch);
      std::string low = core::AsciiLower(TrimText(t));
      if (low == "true" || low == "1" || low == "yes") {
        *out = true;
        return true;
      }
      if (low == "false" || low == "0" || low == "no") {
        *out = false;
        return true;
      }
      AddProblem(c, "bool", Cut(t),
                 "'" + Cut(t) +
                     "' is not a boolean (true/false, 1/0, yes/no); map other words "
                     "with <step fn=\"bool\" true=\"...\" false=\"...\"/>");
      return false;
    }
    case T::kInt: {
      TextOf(s, &t, &scratch);
      std::string_view n = TrimText(t);
      if (auto i = core::ParseInt(n)) {
        *out = *i;
        return true;
      }
      if (auto d = core::ParseDouble(n);
          d && std::isfinite(*d) && std::floor(*d) == *d && std::fabs(*d) < 9.0e15) {
        *out = static_cast<int64_t>(*d);
        return true;
      }
      AddProblem(c, "int", Cut(t), "'" + Cut(t) + "' is not a whole number");
      return false;
    }
    case T::kDouble: {
      TextOf(s, &t, &scratch);
      if (auto d = core::ParseDouble(TrimText(t)); d && std::isfinite(*d)) {
        *out = *d;
        return true;
      }
      AddProblem(c, "double", Cut(t),
                 "'" + Cut(t) +
                     "' is not a number (decimal commas: <step fn=\"number\" "
                     "decimal=\",\"/>)");
      return false;
    }
    case T::kDate:
    case T::kDateTime: {
      ParsedDate d;
      if (s.kind == K::kDate) {
        d.date = s.date;
        d.has_instant = true;
        d.instant = s.ms;
      } else {
        TextOf(s, &t, &scratch);
        if (!ParseIsoDate(TrimText(t), &d)) {
          AddProblem(c, "date", Cut(t),
                     "'" + Cut(t) +
                         "' is not an ISO 8601 date; read other forms with "
                         "<step fn=\"date\" pattern=\"...\"/> (odata, d F Y, dd/mm/yyyy ...)");
          return false;
        }
      }
      if (type == T::kDate) {
        if (d.date.year < 1 || d.date.year > 9999) {
          AddProblem(c, "date", core::FormatDate(d.date), "year out of range 1-9999");
          return false;
        }
        *out = d.date;
      } else {
        core::EpochMs ms = InstantOf(d);
        core::CivilDate day = core::DateOf(ms);
        if (day.year < 1 || day.year > 9999) {
          AddProblem(c, "date", std::to_string(ms), "instant out of the years 1-9999");
          return false;
        }
        *out = model::DateTime{ms};
      }
      return true;
    }
    default:
      break;
  }
  AddProblem(c, "type", "", "internal: unexpected field type");
  return false;
}

core::EpochMs Evaluator::InstantOf(const ParsedDate& d) const {
  if (!time_zone_ || !d.has_time || d.has_offset || d.has_instant) return d.Instant();
  return time_zone_->ToUtc(core::DaysFromCivil(d.date) * 86400000 + d.ms_of_day);
}

bool Evaluator::ToItemText(const model::ItemFieldSpec& spec, Val& v, Ctx& c, std::string* out) {
  out->clear();
  model::Value value;
  model::FieldType type = spec.type;
  if (!ToValue(type, spec.vocabulary, v, c, &value)) return false;
  if (model::IsEmpty(value)) return true;
  *out = ValueText(value);
  return true;
}

bool Evaluator::AddLanguageText(const FieldPlan& f, const Rule& rule, Ctx& c, std::string_view lang,
                                std::string_view text, model::Multilingual* out) {
  std::string code;
  const vocab::Term* term = lang.empty() ? nullptr : plan_.languages->Lookup(TrimText(lang));
  const bool undetermined = !term && IsUndetermined(lang);
  if (term) {
    code = term->code;
  } else if (undetermined && !default_language_.empty()) {
    code = default_language_;
  } else {
    switch (f.lang_on_miss) {
      case Miss::kDrop:
        return true;
      case Miss::kDefault:
        code = f.lang_default;
        break;
      default:
        if (undetermined) {
          AddProblem(c, "undetermined-language", Cut(lang),
                     "a text whose language is '" + Cut(TrimText(lang)) +
                         "' (und: not specified, as Drupal writes it; zxx: no linguistic "
                         "content) (field at " +
                         f.pos.ToString() +
                         "); give the source default-language=\"..\" (the language such texts "
                         "are in), or the field lang-on-miss=\"drop\"");
          return false;
        }
        AddProblem(c, "language", Cut(lang),
                   (lang.empty() ? std::string("a text without a language")
                                 : "'" + Cut(lang) + "' is not a known language") +
                       " (field at " + f.pos.ToString() +
                       "; lang-on-miss=\"drop\" or lang-default=\"...\" decide otherwise)");
        return false;
    }
  }
  Val v;
  Scalar s = Scalar::Text(text);
  v.items.push_back(std::move(s));
  if (!rule.steps.empty() && !RunSteps(rule, c, &v)) return false;
  if (v.items.empty()) return true;
  std::string_view t;
  std::string scratch;
  if (!TextOf(v.items[0], &t, &scratch)) return true;
  std::string_view trimmed = t;
  if (trimmed.empty()) return true;
  model::SetText(*out, std::move(code), std::string(trimmed));
  return true;
}

bool Evaluator::AddJsonTexts(const FieldPlan& f, const Rule& rule, Ctx& c, const Scalar& s,
                             model::Multilingual* out) {
  std::string_view text;
  std::string scratch;
  TextOf(s, &text, &scratch);
  if (TrimText(text).empty()) return true;
  rapidjson::Document doc;
  Status parsed = json::Parse(text, doc);
  if (!parsed.ok() || !doc.IsObject()) {
    AddProblem(c, "multilingual", Cut(text),
               "shape=\"keyed\" on a column expects a JSON object keyed by language, "
               "{\"en\": \"...\", \"fr\": \"...\"} (what JSON_OBJECTAGG and json_group_object "
               "write)" +
                   (parsed.ok() ? std::string() : ": " + parsed.message()) + " (field at " +
                   f.pos.ToString() + ")");
    return false;
  }
  bool ok = true;
  for (const auto& m : std::as_const(doc).GetObject()) {  // const: clang -Wambiguous-reversed-operator
    const std::string key(m.name.GetString(), m.name.GetStringLength());
    if (m.value.IsNull()) continue;
    if (!m.value.IsString()) {
      AddProblem(c, "multilingual", Cut(text),
                 "the text for '" + key + "' is not a string (field at " + f.pos.ToString() + ")");
      ok = false;
      continue;
    }
    std::string_view value(m.value.GetString(), m.value.GetStringLength());
    if (value.empty()) continue;
    if (!AddLanguageText(f, rule, c, key, value, out)) ok = false;
  }
  return ok;
}

bool Evaluator::MapMultilingual(const FieldPlan& f, Ctx& c, model::Multilingual* out) {
  using S = FieldPlan::Shape;
  bool ok = true;
  if (!f.texts.empty()) {
    for (const LangText& lt : f.texts) {
      Val v;
      if (!EvalRule(lt.rule, c, &v)) {
        ok = false;
        continue;
      }
      if (v.items.empty()) continue;
      std::string_view t;
      std::string scratch;
      if (!TextOf(v.items[0], &t, &scratch)) {
        AddProblem(c, "type", c.view.Raw(v.items[0]), "a structured value where text is expected");
        ok = false;
        continue;
      }
      if (!t.empty()) model::SetText(*out, lt.lang, std::string(t));
    }
    return ok;
  }
  // The source value, before the steps (which apply to each language's text).
  const Case* chosen = nullptr;
  for (const Case& k : f.cases) {
    if (Test(k.cond, c)) {
      chosen = &k;
      break;
    }
  }
  if (!chosen) return true;
  const Rule& rule = chosen->rule;
  Val src;
  if (!EvalRule(rule, c, &src, /*run_steps=*/false)) return false;
  // A default from the policies is plain text in the field's language.
  auto entry = [&](const Scalar& e) {
    Val lang_v, text_v;
    c.view.Select(&e, f.lang_path, &lang_v);
    c.view.Select(&e, f.text_path, &text_v);
    std::string_view lang, text;
    std::string s1, s2;
    if (!text_v.items.empty() && text_v.items[0].kind == K::kNode) {
      AddProblem(c, "multilingual", c.view.Raw(text_v.items[0]),
                 "the text at '" + f.text_path.text + "' is structured; expected text (field at " +
                     f.pos.ToString() + ")");
      ok = false;
      return;
    }
    bool has_text = !text_v.items.empty() && text_v.items[0].kind != K::kNull &&
                    TextOf(text_v.items[0], &text, &s2) && !text.empty();
    if (!has_text) {
      // A placeholder ({"__metadata": ...} only) or an empty text is skipped; an object that
      // is no entry at all is a mistake worth a reject.
      std::vector<std::pair<std::string, Scalar>> members;
      if (lang_v.items.empty() && text_v.items.empty() && c.view.Members(e, &members)) {
        for (const auto& m : members) {
          if (m.first.rfind("__", 0) == 0) continue;
          AddProblem(c, "multilingual", c.view.Raw(e),
                     "not a {" + f.lang_path.text + ", " + f.text_path.text + "} entry (field at " +
                         f.pos.ToString() + "; shape=\"keyed\" reads language-keyed objects)");
          ok = false;
          break;
        }
      }
      return;
    }
    if (!lang_v.items.empty()) TextOf(lang_v.items[0], &lang, &s1);
    if (!AddLanguageText(f, rule, c, lang, text, out)) ok = false;
  };
  for (const Scalar& s : src.items) {
    if (s.kind == K::kNull) continue;
    if (s.kind != K::kNode) {
      if (f.shape == S::kKeyed && plan_.format == Format::kCsv) {
        // A JSON text cell keyed by language (JSON_OBJECTAGG, json_group_object).
        if (!AddJsonTexts(f, rule, c, s, out)) ok = false;
        continue;
      }
      if (f.shape == S::kKeyed || f.shape == S::kList) {
        AddProblem(c, "multilingual", c.view.Raw(s),
                   "plain text where shape=\"" +
                       std::string(f.shape == S::kKeyed ? "keyed" : "list") +
                       "\" expects a structured value (field at " + f.pos.ToString() + ")");
        ok = false;
        continue;
      }
      std::string_view text;
      std::string scratch;
      TextOf(s, &text, &scratch);
      std::string lang = f.lang;
      if (f.lang_column) {
        // A database row (or child row) that carries its text's language in a column.
        Val lv;
        c.view.Select(c.node, f.lang_path, &lv);
        std::string_view l;
        std::string s1;
        if (!lv.items.empty() && lv.items[0].kind != K::kNull && TextOf(lv.items[0], &l, &s1) &&
            !TrimText(l).empty()) {
          lang = std::string(l);
        } else if (lang.empty()) {
          AddProblem(c, "language", "",
                     "no language in column '" + f.lang_path.text + "' for the text '" +
                         Cut(text) + "' (field at " + f.pos.ToString() + ")");
          ok = false;
          continue;
        }
      } else if (plan_.format == Format::kXml && s.has_node && s.node.id == 0) {
        Val lv;
        c.view.Select(&s, f.lang_path, &lv);
        std::string_view l;
        std::string s1;
        if (!lv.items.empty() && TextOf(lv.items[0], &l, &s1) && !l.empty()) lang = std::string(l);
      }
      if (lang.empty()) {
        AddProblem(c, "language", Cut(text),
                   "plain text without a language; give the field lang=\"...\" (field at " +
                       f.pos.ToString() + ")");
        ok = false;
        continue;
      }
      if (!AddLanguageText(f, rule, c, lang, text, out)) ok = false;
      continue;
    }
    if (f.shape == S::kText) {
      AddProblem(c, "multilingual", c.view.Raw(s),
                 "a structured value where shape=\"text\" expects text");
      ok = false;
      continue;
    }
    std::vector<Scalar> elements;
    if (f.shape != S::kKeyed && c.view.Elements(s, &elements)) {
      for (const Scalar& e : elements) {
        if (e.kind == K::kNode) entry(e);
      }
      continue;
    }
    std::vector<std::pair<std::string, Scalar>> members;
    bool keyed = f.shape == S::kKeyed;
    if (f.shape == S::kAuto) {
      Val probe;
      c.view.Select(&s, f.lang_path, &probe);
      keyed = probe.items.empty() && c.view.Members(s, &members);
    } else if (keyed && !c.view.Members(s, &members)) {
      AddProblem(c, "multilingual", c.view.Raw(s),
                 "shape=\"keyed\" expects an object keyed by language ({\"en\": \"...\"}) (field "
                 "at " +
                     f.pos.ToString() + ")");
      ok = false;
      continue;
    }
    if (keyed) {
      for (const auto& [key, value] : members) {
        if (key.rfind("__", 0) == 0 || value.kind == K::kNull) continue;
        std::string_view text;
        std::string scratch;
        if (!TextOf(value, &text, &scratch)) {
          AddProblem(c, "multilingual", c.view.Raw(value),
                     "the text for '" + key +
                         "' is structured; a language-keyed object holds "
                         "text per language");
          ok = false;
          continue;
        }
        if (text.empty()) continue;
        if (!AddLanguageText(f, rule, c, key, text, out)) ok = false;
      }
      continue;
    }
    entry(s);
  }
  if (out->empty() && !src.items.empty() && ok && rule.on_empty == Policy::kReject) {
    AddProblem(c, "required", "", "no text in any language (rule at " + rule.where + ")");
    return false;
  }
  return ok;
}

bool Evaluator::MapItems(const FieldPlan& f, Ctx& c, Val& contexts, model::ItemList* out) {
  std::vector<Scalar> expanded;
  for (Scalar& s : contexts.items) {
    if (s.kind == K::kNull) continue;
    std::vector<Scalar> elements;
    if (s.kind == K::kNode && c.view.Elements(s, &elements)) {
      for (Scalar& e : elements) {
        if (e.kind != K::kNull) expanded.push_back(std::move(e));
      }
      continue;
    }
    expanded.push_back(std::move(s));
  }
  bool ok = true;
  const std::string field = c.field;
  for (size_t i = 0; i < expanded.size(); ++i) {
    model::Item item;
    for (const ItemPlan& ip : f.items) {
      std::string where = field + "[" + std::to_string(i) + "]." + ip.name;
      Val v;
      if (!EvalCases(ip.cases, c.view, &expanded[i], c.record, where, &v, c.problems)) {
        ok = false;
        continue;
      }
      Ctx ic{c.view, &expanded[i], c.record, where, c.problems};
      std::string text;
      if (!ToItemText(*ip.spec, v, ic, &text)) {
        ok = false;
        continue;
      }
      if (!text.empty()) item[ip.name] = std::move(text);
    }
    if (!item.empty()) out->push_back(std::move(item));  // all-empty items are placeholders
  }
  return ok;
}

bool Evaluator::MapField(const FieldPlan& f, const SourceView& view, model::Record* record,
                         std::vector<Problem>* problems) {
  Ctx c{view, nullptr, record, f.name, problems};
  const model::FieldSpec& spec = *f.spec;
  if (spec.type == model::FieldType::kMultilingual) {
    model::Multilingual m;
    bool ok = MapMultilingual(f, c, &m);
    if (!m.empty()) record->Set(static_cast<size_t>(f.index), std::move(m));
    return ok;
  }
  if (f.simple_text) {
    // The short way: same result as the general one for a plain text field.
    std::string_view text;
    switch (view.SimpleText(f.cases[0].rule.path, &text)) {
      case SourceView::Simple::kMissing:
      case SourceView::Simple::kNull:
        return true;
      case SourceView::Simple::kText:
        if (f.simple_trim) text = TrimText(text);
        if (!text.empty()) record->Set(static_cast<size_t>(f.index), std::string(text));
        return true;
      case SourceView::Simple::kOther:
        break;
    }
  }
  if (scratch_.size() <= static_cast<size_t>(f.index))
    scratch_.resize(static_cast<size_t>(f.index) + 1);
  Val& v = scratch_[static_cast<size_t>(f.index)];
  v.Clear();
  if (!EvalCases(f.cases, view, nullptr, record, f.name, &v, problems)) return false;
  if (spec.type == model::FieldType::kItemList) {
    model::ItemList items;
    bool ok = MapItems(f, c, v, &items);
    if (!items.empty()) record->Set(static_cast<size_t>(f.index), std::move(items));
    return ok;
  }
  model::Value value;
  if (!ToValue(spec.type, spec.vocabulary, v, c, &value)) return false;
  record->Set(static_cast<size_t>(f.index), std::move(value));
  return true;
}

bool Evaluator::Deleted(const SourceView& view) {
  if (plan_.deleted.empty()) return false;
  std::vector<Problem> none;
  static const std::string kNoField;
  Ctx c{view, nullptr, nullptr, kNoField, &none};
  for (const Condition& cond : plan_.deleted) {
    if (Test(cond, c)) return true;
  }
  return false;
}

void Evaluator::MapDeleted(const SourceView& view, model::Record* record,
                           std::vector<Problem>* problems) {
  for (size_t i : plan_.id_fields) MapField(plan_.fields[i], view, record, problems);
  MapId(view, record, problems);
}

void Evaluator::MapRecord(const SourceView& view, model::Record* record,
                          std::vector<Problem>* problems) {
  for (const FieldPlan& f : plan_.fields) MapField(f, view, record, problems);
  MapId(view, record, problems);
}

void Evaluator::MapId(const SourceView& view, model::Record* record,
                      std::vector<Problem>* problems) {
  if (plan_.id) {
    static const std::string kId = "id";
    Ctx c{view, nullptr, record, kId, problems};
    Val v;
    size_t before = problems->size();
    if (EvalRule(*plan_.id, c, &v)) {
      model::Value id;
      if (ToValue(model::FieldType::kString, "", v, c, &id) && !model::IsEmpty(id)) {
        record->set_id(std::get<std::string>(std::move(id)));
      } else if (problems->size() == before && problems->empty()) {
        // (When a field already failed, the id it feeds failing too says nothing new.)
        std::string what =
            plan_.id->source == Rule::Source::kTemplate
                ? "template '" + plan_.id->tmpl.text + "' has a placeholder without a value"
                : "the id rule gives no value";
        problems->push_back(Problem{"id", "id", "", what + " (rule at " + plan_.id->where + ")"});
      }
    }
  }
}

}  // namespace meabridge::mapping
