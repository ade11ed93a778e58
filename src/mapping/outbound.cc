#include "mapping/outbound.h"

#include <charconv>

#include "core/json.h"
#include "core/strings.h"
#include "core/xml_text.h"
#include "mapping/evaluator.h"
#include "mapping/plan.h"
#include "model/canonical_json.h"

namespace meabridge::mapping {
namespace {

using codec::JsonTree;
using K = Scalar::Kind;

// A value of the partner's record, rendered as JSON or XML.
struct OutMember;
struct OutValue {
  enum class Kind { kNull, kString, kNumber, kBool, kArray, kObject } kind = Kind::kNull;
  std::string text;
  bool b = false;
  std::vector<OutMember> members;  // kObject, in order
  std::vector<OutValue> elements;  // kArray
};
struct OutMember {
  std::string name;
  OutValue value;
};

OutValue FromTree(const JsonTree& tree, JsonTree::Id n) {
  OutValue v;
  switch (tree.type(n)) {
    case JsonTree::Type::kNull:
      break;
    case JsonTree::Type::kTrue:
      v.kind = OutValue::Kind::kBool, v.b = true;
      break;
    case JsonTree::Type::kFalse:
      v.kind = OutValue::Kind::kBool, v.b = false;
      break;
    case JsonTree::Type::kNumber:
      v.kind = OutValue::Kind::kNumber, v.text = tree.text(n);
      break;
    case JsonTree::Type::kString:
      v.kind = OutValue::Kind::kString, v.text = tree.text(n);
      break;
    case JsonTree::Type::kArray:
      v.kind = OutValue::Kind::kArray;
      for (JsonTree::Id c = tree.first_child(n); c != JsonTree::kNone; c = tree.next_sibling(c)) {
        v.elements.push_back(FromTree(tree, c));
      }
      break;
    case JsonTree::Type::kObject:
      v.kind = OutValue::Kind::kObject;
      for (JsonTree::Id c = tree.first_child(n); c != JsonTree::kNone; c = tree.next_sibling(c)) {
        v.members.push_back(OutMember{std::string(tree.key(c)), FromTree(tree, c)});
      }
      break;
  }
  return v;
}

void Insert(OutValue* obj, const std::vector<std::string>& path, size_t i, OutValue value) {
  obj->kind = OutValue::Kind::kObject;
  for (auto& [name, member] : obj->members) {
    if (name == path[i]) {
      if (i + 1 == path.size()) {
        member = std::move(value);
      } else {
        Insert(&member, path, i + 1, std::move(value));
      }
      return;
    }
  }
  if (i + 1 == path.size()) {
    obj->members.push_back(OutMember{path[i], std::move(value)});
  } else {
    obj->members.push_back(OutMember{path[i], OutValue()});
    Insert(&obj->members.back().value, path, i + 1, std::move(value));
  }
}

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void WriteJson(const OutValue& v, JsonWriter& w) {
  switch (v.kind) {
    case OutValue::Kind::kNull:
      w.Null();
      break;
    case OutValue::Kind::kString:
      w.String(v.text.data(), static_cast<rapidjson::SizeType>(v.text.size()));
      break;
    case OutValue::Kind::kNumber:
      w.RawValue(v.text.data(), v.text.size(), rapidjson::kNumberType);
      break;
    case OutValue::Kind::kBool:
      w.Bool(v.b);
      break;
    case OutValue::Kind::kArray:
      w.StartArray();
      for (const OutValue& e : v.elements) WriteJson(e, w);
      w.EndArray();
      break;
    case OutValue::Kind::kObject:
      w.StartObject();
      for (const auto& [name, member] : v.members) {
        w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
        WriteJson(member, w);
      }
      w.EndObject();
      break;
  }
}

std::string ScalarText(const OutValue& v) {
  if (v.kind == OutValue::Kind::kBool) return v.b ? "true" : "false";
  return v.text;
}

void WriteXml(const std::string& name, const OutValue& v, std::string* out) {
  switch (v.kind) {
    case OutValue::Kind::kArray:
      for (const OutValue& e : v.elements) WriteXml(name, e, out);
      return;
    case OutValue::Kind::kNull:
      *out += "<" + name + "/>";
      return;
    case OutValue::Kind::kObject: {
      *out += "<" + name;
      for (const auto& [member, value] : v.members) {
        if (!member.empty() && member[0] == '@' && value.kind != OutValue::Kind::kObject &&
            value.kind != OutValue::Kind::kArray && value.kind != OutValue::Kind::kNull) {
          *out += " " + member.substr(1) + "=\"" + core::XmlEscape(ScalarText(value)) + "\"";
        }
      }
      *out += ">";
      for (const auto& [member, value] : v.members) {
        if (!member.empty() && member[0] == '@') continue;
        WriteXml(member, value, out);
      }
      *out += "</" + name + ">";
      return;
    }
    default:
      *out += "<" + name + ">" + core::XmlEscape(ScalarText(v)) + "</" + name + ">";
      return;
  }
}

class WriterImpl : public OutboundMapping::Writer {
 public:
  WriterImpl(const Plan& plan, codec::ByteSink& out, Params params,
             OutboundMapping::RejectFn on_reject)
      : plan_(plan),
        out_(out),
        evaluator_(plan, std::move(params)),
        on_reject_(std::move(on_reject)) {}

  Status Write(const model::Record& record) override {
    if (&record.entity() != plan_.entity && record.entity().set_name != plan_.entity->set_name) {
      return Status::InvalidArgument("outbound mapping " + plan_.file + " renders " +
                                     plan_.entity->set_name + ", not " + record.entity().set_name);
    }
    MB_RETURN_IF_ERROR(Begin());
    tree_.Clear();
    model::WriteCanonicalJson(record, tree_);
    JsonView view(tree_, false);
    problems_.clear();
    OutValue rec;
    rec.kind = OutValue::Kind::kObject;
    for (const FieldPlan& f : plan_.fields) {
      Val v;
      if (!evaluator_.EvalCases(f.cases, view, nullptr, &record, f.name, &v, &problems_)) continue;
      OutValue value;
      bool have = f.items.empty() ? Convert(f.out_type, v, view, f.name, &value)
                                  : Items(f, v, view, record, &value);
      if (!have) {
        if (!f.always) continue;
        value = OutValue();
      }
      Insert(&rec, f.out_path, 0, std::move(value));
    }
    if (!problems_.empty()) {
      ++rejected_;
      if (!on_reject_) return Status::Ok();
      Reject r;
      r.record_id = record.id();
      r.position = record.entity().set_name + "('" + record.id() + "')";
      r.field = problems_[0].field;
      r.rule = problems_[0].rule;
      r.value = problems_[0].value;
      r.message = problems_[0].message;
      for (size_t i = 1; i < problems_.size(); ++i) {
        r.message += "; field '" + problems_[i].field + "': " + problems_[i].message;
      }
      return on_reject_(r);
    }
    std::string bytes;
    if (plan_.encoder == "xml") {
      WriteXml(plan_.xml_item, rec, &bytes);
      bytes += "\n";
    } else {
      rapidjson::StringBuffer buf;
      JsonWriter w(buf);
      WriteJson(rec, w);
      if (plan_.encoder == "json" && written_ > 0) bytes += ",";
      bytes.append(buf.GetString(), buf.GetSize());
      if (plan_.encoder == "json-lines") bytes += "\n";
    }
    ++written_;
    return out_.Write(bytes);
  }

  Status Finish() override {
    MB_RETURN_IF_ERROR(Begin());
    if (finished_) return Status::Ok();
    finished_ = true;
    std::string tail;
    if (plan_.encoder == "json") {
      tail = "]";
      for (size_t i = 0; i < plan_.items_path.size(); ++i) tail += "}";
      tail += "\n";
    } else if (plan_.encoder == "xml") {
      tail = "</" + plan_.xml_root + ">\n";
    }
    return out_.Write(tail);
  }

  size_t written() const override { return written_; }
  size_t rejected() const override { return rejected_; }

 private:
  Status Begin() {
    if (begun_) return Status::Ok();
    begun_ = true;
    std::string head;
    if (plan_.encoder == "json") {
      for (const std::string& key : plan_.items_path) {
        rapidjson::StringBuffer buf;
        JsonWriter w(buf);
        w.String(key.data(), static_cast<rapidjson::SizeType>(key.size()));
        head += "{" + std::string(buf.GetString(), buf.GetSize()) + ":";
      }
      head += "[";
    } else if (plan_.encoder == "xml") {
      head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + plan_.xml_root;
      for (const codec::XmlNamespace& ns : plan_.namespaces) {
        head += ns.prefix.empty() ? " xmlns" : " xmlns:" + ns.prefix;
        head += "=\"" + core::XmlEscape(ns.uri) + "\"";
      }
      head += ">\n";
    }
    return head.empty() ? Status::Ok() : out_.Write(head);
  }

  bool Convert(const std::string& type, Val& v, const JsonView& view, const std::string& field,
               OutValue* out) {
    if (v.items.empty()) return false;
    if (v.list) {
      out->kind = OutValue::Kind::kArray;
      for (Scalar& s : v.items) {
        OutValue e;
        if (ConvertScalar(type, s, view, field, &e)) out->elements.push_back(std::move(e));
      }
      return true;
    }
    return ConvertScalar(type, v.items[0], view, field, out);
  }

  bool ConvertScalar(const std::string& type, const Scalar& s, const JsonView& view,
                     const std::string& field, OutValue* out) {
    if (s.kind == K::kNull) return false;
    std::string_view t;
    std::string scratch;
    if (s.kind == K::kNode) {
      if (type == "string") {
        out->kind = OutValue::Kind::kString;
        out->text = view.tree().ToJson(s.node.id);
      } else {
        *out = FromTree(view.tree(), s.node.id);
      }
      return true;
    }
    Evaluator::TextOf(s, &t, &scratch);
    if (type == "string" || (type == "auto" && (s.kind == K::kText || s.kind == K::kDate))) {
      out->kind = OutValue::Kind::kString;
      out->text = std::string(t);
      return true;
    }
    if (type == "number" || (type == "auto" && s.kind == K::kNumber)) {
      std::string n(core::Trim(t));
      if (!core::ParseDouble(n)) {
        problems_.push_back(
            Problem{field, "number", std::string(t), "'" + std::string(t) + "' is not a number"});
        return false;
      }
      out->kind = OutValue::Kind::kNumber;
      out->text = n;
      return true;
    }
    // bool
    if (s.kind == K::kBool) {
      out->kind = OutValue::Kind::kBool;
      out->b = s.b;
      return true;
    }
    std::string low = core::AsciiLower(core::Trim(t));
    if (low == "true" || low == "1" || low == "false" || low == "0") {
      out->kind = OutValue::Kind::kBool;
      out->b = low == "true" || low == "1";
      return true;
    }
    problems_.push_back(
        Problem{field, "bool", std::string(t), "'" + std::string(t) + "' is not a boolean"});
    return false;
  }

  bool Items(const FieldPlan& f, Val& v, const JsonView& view, const model::Record& record,
             OutValue* out) {
    std::vector<Scalar> contexts;
    for (Scalar& s : v.items) {
      std::vector<Scalar> elements;
      if (s.kind == K::kNode && view.Elements(s, &elements)) {
        for (Scalar& e : elements) contexts.push_back(std::move(e));
      } else if (s.kind != K::kNull) {
        contexts.push_back(std::move(s));
      }
    }
    if (contexts.empty()) return false;
    out->kind = OutValue::Kind::kArray;
    for (size_t i = 0; i < contexts.size(); ++i) {
      OutValue item;
      item.kind = OutValue::Kind::kObject;
      for (const ItemPlan& ip : f.items) {
        std::string where = f.name + "[" + std::to_string(i) + "]." + ip.name;
        Val iv;
        if (!evaluator_.EvalCases(ip.cases, view, &contexts[i], &record, where, &iv, &problems_)) {
          continue;
        }
        OutValue value;
        if (Convert(ip.out_type, iv, view, where, &value)) {
          std::vector<std::string> path = core::Split(ip.name, '/');
          Insert(&item, path, 0, std::move(value));
        }
      }
      if (!item.members.empty()) out->elements.push_back(std::move(item));
    }
    return !out->elements.empty();
  }

  const Plan& plan_;
  codec::ByteSink& out_;
  Evaluator evaluator_;
  OutboundMapping::RejectFn on_reject_;
  JsonTree tree_;
  std::vector<Problem> problems_;
  bool begun_ = false, finished_ = false;
  size_t written_ = 0, rejected_ = 0;
};

}  // namespace

OutboundMapping::OutboundMapping(std::unique_ptr<Plan> plan) : plan_(std::move(plan)) {}
OutboundMapping::~OutboundMapping() = default;

Result<std::shared_ptr<const OutboundMapping>> OutboundMapping::FromDoc(
    const codec::DocNode& root, const vocab::Vocabularies& vocabularies,
    const model::Registry& registry) {
  MB_ASSIGN_OR_RETURN(std::unique_ptr<Plan> plan, Compile(root, vocabularies, registry));
  if (!plan->outbound) {
    return Status::InvalidArgument(root.position.ToString() +
                                   ": this is an inbound mapping; a partner profile needs "
                                   "<mapping direction=\"outbound\">");
  }
  return std::shared_ptr<const OutboundMapping>(std::make_shared<OutboundMapping>(std::move(plan)));
}

Result<std::shared_ptr<const OutboundMapping>> OutboundMapping::Load(
    const std::string& path, const vocab::Vocabularies& vocabularies,
    const model::Registry& registry) {
  MB_ASSIGN_OR_RETURN(codec::DocNode root, codec::LoadDocFile(path));
  return FromDoc(root, vocabularies, registry);
}

Result<std::shared_ptr<const OutboundMapping>> OutboundMapping::LoadText(
    std::string_view text, const std::string& name, bool json,
    const vocab::Vocabularies& vocabularies, const model::Registry& registry) {
  Result<codec::DocNode> root =
      json ? codec::ParseJsonDoc(text, name) : codec::ParseXmlDoc(text, name);
  if (!root.ok()) return root.status();
  return FromDoc(*root, vocabularies, registry);
}

const model::EntitySpec& OutboundMapping::entity() const { return *plan_->entity; }
const std::string& OutboundMapping::file() const { return plan_->file; }
const std::string& OutboundMapping::content_type() const { return plan_->content_type; }
const std::vector<ParamSpec>& OutboundMapping::params() const { return plan_->params; }
Status OutboundMapping::CheckParams(const Params& params) const {
  return CheckParamsOf(*plan_, params);
}
std::vector<std::string> OutboundMapping::ParamProblems(const Params& params) const {
  return ParamProblemsOf(*plan_, params);
}

Result<std::unique_ptr<OutboundMapping::Writer>> OutboundMapping::NewWriter(
    codec::ByteSink& out, const Params& params, RejectFn on_reject) const {
  MB_RETURN_IF_ERROR(CheckParams(params));
  return std::unique_ptr<Writer>(
      std::make_unique<WriterImpl>(*plan_, out, params, std::move(on_reject)));
}

}  // namespace meabridge::mapping
