#include "store/postgres/query_sql.h"

#include <string_view>
#include <utility>

#include "core/strings.h"
#include "core/time.h"

namespace meabridge::store::postgres {
namespace {

using model::FieldType;
using model::Value;

constexpr int kMaxDepth = 100;
constexpr int64_t kMsPerDay = 86400000;

const char* LiteralKind(const Value& v) {
  switch (v.index()) {
    case 0:
      return "null";
    case 1:
      return "a string";
    case 2:
      return "a boolean";
    case 3:
      return "an integer";
    case 4:
      return "a number";
    case 5:
      return "a date";
    case 6:
      return "a date-time";
    case 7:
      return "a multilingual text";
    case 8:
      return "a list of strings";
    default:
      return "a list of items";
  }
}

bool IsTextType(FieldType t) {
  return t == FieldType::kString || t == FieldType::kText || t == FieldType::kTerm;
}

// A literal as its column holds it.
struct Literal {
  ColumnKind kind = ColumnKind::kText;
  std::string text;  // kText, kDate ("YYYY-MM-DD")
  int64_t i = 0;     // kBigint
  double d = 0;      // kDouble
  bool b = false;    // kBool
};

Literal TextLit(std::string s) {
  Literal l;
  l.text = std::move(s);
  return l;
}
Literal IntLit(int64_t i) {
  Literal l;
  l.kind = ColumnKind::kBigint;
  l.i = i;
  return l;
}
Literal DoubleLit(double d) {
  Literal l;
  l.kind = ColumnKind::kDouble;
  l.d = d;
  return l;
}
Literal BoolLit(bool b) {
  Literal l;
  l.kind = ColumnKind::kBool;
  l.b = b;
  return l;
}
Literal DateLit(const core::CivilDate& d) {
  Literal l;
  l.kind = ColumnKind::kDate;
  l.text = core::FormatDate(d);
  return l;
}

// What a predicate applies to.
struct Operand {
  enum class Shape { kScalar, kMultilingual, kStringList, kItemList };
  Shape shape = Shape::kScalar;
  std::string expr;  // an SQL expression
  FieldType type = FieldType::kString;
  bool item_text = false;  // an item field: held as a JSON string whatever its type
  bool derived = false;    // text taken out of jsonb: compare with COLLATE "C"
  std::string name;        // for messages: "Contacts.country", "Contacts.roles/treaty"
};

class Compiler {
 public:
  explicit Compiler(const TableInfo& table) : t_(table) {}

  Params params;

  // A numbered parameter for `l`, cast to its column type; the same reference may be repeated
  // in the SQL.
  std::string P(const Literal& l) {
    const char* cast = "::text";
    switch (l.kind) {
      case ColumnKind::kText:
      case ColumnKind::kJsonb:
        params.Text(l.text);
        break;
      case ColumnKind::kDate:
        params.Text(l.text);
        cast = "::date";
        break;
      case ColumnKind::kBigint:
        params.Int(l.i);
        cast = "::bigint";
        break;
      case ColumnKind::kDouble:
        params.Double(l.d);
        cast = "::float8";
        break;
      case ColumnKind::kBool:
        params.Bool(l.b);
        cast = "::boolean";
        break;
    }
    return "$" + std::to_string(params.size()) + cast;
  }

  Result<std::string> Filter(const Expr* e) {
    if (!e) return std::string("true");
    return Node(*e, 0);
  }

  Result<std::string> OrderBy(const std::vector<OrderKey>& keys) {
    std::string out;
    for (const OrderKey& k : keys) {
      MB_ASSIGN_OR_RETURN(Operand o, OrderOperand(k.field));
      // PostgreSQL puts NULLs last ascending by default: say the documented order.
      out += o.expr + (k.descending ? " DESC NULLS LAST, " : " ASC NULLS FIRST, ");
    }
    return out + "t.\"id\"";
  }

  Result<std::string> After(const std::vector<OrderKey>& keys, const std::vector<Value>& after) {
    if (after.size() != keys.size() + 1) {
      return Status::InvalidArgument(
          "a page position of " + entity() + " needs " + std::to_string(keys.size() + 1) +
          " values (one per order key, then the id), not " + std::to_string(after.size()));
    }
    std::string out;
    std::string equal_prefix;
    for (size_t i = 0; i <= keys.size(); ++i) {
      bool last = i == keys.size();
      int field = last ? model::EntitySpec::kIdField : keys[i].field;
      bool desc = last ? false : keys[i].descending;
      MB_ASSIGN_OR_RETURN(Operand o, OrderOperand(field));
      const Value& v = after[i];
      std::string strictly_after;
      std::string equal;
      if (std::holds_alternative<std::monostate>(v)) {
        if (last) return Status::InvalidArgument("a page position of " + entity() + " needs an id");
        strictly_after = desc ? "false" : "(" + o.expr + " IS NOT NULL)";
        equal = "(" + o.expr + " IS NULL)";
      } else {
        MB_ASSIGN_OR_RETURN(Literal l, Coerce(o, v));
        std::string ref = P(l);
        strictly_after = desc ? "(" + o.expr + " IS NULL OR " + o.expr + " < " + ref + ")"
                              : "(" + o.expr + " IS NOT NULL AND " + o.expr + " > " + ref + ")";
        equal = "(" + o.expr + " = " + ref + ")";
      }
      if (!out.empty()) out += " OR ";
      out += equal_prefix.empty() ? strictly_after
                                  : "(" + equal_prefix + " AND " + strictly_after + ")";
      equal_prefix += equal_prefix.empty() ? equal : " AND " + equal;
    }
    return "(" + out + ")";
  }

 private:
  std::string entity() const { return t_.entity->set_name; }

  struct Element {
    std::string alias;
    const model::FieldSpec* list;
  };

  Result<const model::FieldSpec*> FieldOf(int field) const {
    const auto& fields = t_.entity->fields;
    if (field < 0 || static_cast<size_t>(field) >= fields.size()) {
      return Status::InvalidArgument(entity() + " has no field #" + std::to_string(field));
    }
    return &fields[static_cast<size_t>(field)];
  }

  Result<Operand> OrderOperand(int field) {
    MB_ASSIGN_OR_RETURN(const model::FieldSpec* f, FieldOf(field));
    if (KindOf(f->type) == ColumnKind::kJsonb) {
      return Status::InvalidArgument("cannot order by " + entity() + "." + f->name + " (" +
                                     model::FieldTypeName(f->type) +
                                     "): only single-valued fields can be ordering keys");
    }
    Operand o;
    o.expr = t_.Col(field);
    o.type = f->type;
    o.name = entity() + "." + f->name;
    return o;
  }

  Result<Operand> Resolve(const Expr& e) {
    Operand o;
    if (e.field == Expr::kElement) {
      if (elements_.empty()) {
        return Status::InvalidArgument("a lambda variable of " + entity() + " used outside any()");
      }
      const Element& el = elements_.back();
      std::string list = entity() + "." + el.list->name;
      if (el.list->type == FieldType::kStringList) {
        if (!e.item_field.empty()) {
          return Status::InvalidArgument(list + " is a list of strings: its elements have no " +
                                         core::Quote(e.item_field));
        }
        o.expr = el.alias + ".v";
        o.type = FieldType::kString;
        o.derived = true;
        o.name = list + " element";
        return o;
      }
      if (e.item_field.empty()) {
        return Status::InvalidArgument(list + " is a list of items: name one of its fields (" +
                                       ItemFieldNames(*el.list) + ")");
      }
      const model::ItemFieldSpec* item = el.list->ItemField(e.item_field);
      if (!item) {
        return Status::InvalidArgument(list + " items have no field " + core::Quote(e.item_field) +
                                       " (they have " + ItemFieldNames(*el.list) + ")");
      }
      o.expr = "(" + el.alias + ".v ->> " + P(TextLit(item->name)) + ")";
      o.type = item->type;
      o.item_text = true;
      o.derived = true;
      o.name = list + "/" + item->name;
      return o;
    }
    MB_ASSIGN_OR_RETURN(const model::FieldSpec* f, FieldOf(e.field));
    if (!e.item_field.empty()) {
      return Status::InvalidArgument(entity() + "." + f->name + ": an item field (" +
                                     core::Quote(e.item_field) +
                                     ") is only meaningful inside any()");
    }
    o.expr = t_.Col(e.field);
    o.type = f->type;
    o.name = entity() + "." + f->name;
    switch (f->type) {
      case FieldType::kMultilingual:
        o.shape = Operand::Shape::kMultilingual;
        break;
      case FieldType::kStringList:
        o.shape = Operand::Shape::kStringList;
        break;
      case FieldType::kItemList:
        o.shape = Operand::Shape::kItemList;
        break;
      default:
        o.shape = Operand::Shape::kScalar;
        break;
    }
    return o;
  }

  static std::string ItemFieldNames(const model::FieldSpec& list) {
    std::string out;
    for (const auto& i : list.item_fields) out += (out.empty() ? "" : ", ") + i.name;
    return out;
  }

  Status TypeError(const Operand& o, const Value& v) const {
    return Status::InvalidArgument(
        "field " + o.name + " (" + model::FieldTypeName(o.type) + ") cannot be compared with " +
        core::Quote(model::ValueToString(v)) + " (" + LiteralKind(v) + ")");
  }

  // A text literal PostgreSQL can bind: no NUL, valid UTF-8.
  Result<Literal> TextOf(const Operand& o, const std::string& s) const {
    if (s.find('\0') != std::string::npos || !core::IsValidUtf8(s)) {
      return Status::InvalidArgument("field " + o.name +
                                     " cannot be compared with a text holding a NUL character "
                                     "or bytes that are not UTF-8");
    }
    return TextLit(s);
  }

  // The literal as the operand's column holds it. REQUIRES: v is not null.
  Result<Literal> Coerce(const Operand& o, const Value& v) const {
    if (o.item_text) {
      // Item values are strings in the item's JSON whatever the item field's type.
      if (const auto* s = std::get_if<std::string>(&v)) return TextOf(o, *s);
      if (o.type == FieldType::kInt) {
        if (const auto* i = std::get_if<int64_t>(&v)) return TextLit(std::to_string(*i));
      }
      if (o.type == FieldType::kBool) {
        if (const auto* b = std::get_if<bool>(&v)) return TextLit(*b ? "true" : "false");
      }
      if (o.type == FieldType::kDate) {
        if (const auto* d = std::get_if<core::CivilDate>(&v)) return TextLit(core::FormatDate(*d));
      }
      return TypeError(o, v);
    }
    if (o.shape != Operand::Shape::kScalar || IsTextType(o.type)) {
      if (const auto* s = std::get_if<std::string>(&v)) return TextOf(o, *s);
      return TypeError(o, v);
    }
    switch (o.type) {
      case FieldType::kDate: {
        if (const auto* d = std::get_if<core::CivilDate>(&v)) return DateLit(*d);
        if (const auto* s = std::get_if<std::string>(&v)) {
          if (auto d = core::ParseDate(*s)) return DateLit(*d);
        }
        if (const auto* t = std::get_if<model::DateTime>(&v)) {
          if (t->ms % kMsPerDay == 0) return DateLit(core::DateOf(t->ms));
        }
        return TypeError(o, v);
      }
      case FieldType::kDateTime: {
        if (const auto* t = std::get_if<model::DateTime>(&v)) return IntLit(t->ms);
        if (const auto* d = std::get_if<core::CivilDate>(&v)) {
          return IntLit(static_cast<int64_t>(core::DaysFromCivil(*d) * kMsPerDay));
        }
        if (const auto* s = std::get_if<std::string>(&v)) {
          if (auto ms = core::ParseDateTime(*s)) return IntLit(*ms);
        }
        return TypeError(o, v);
      }
      case FieldType::kBool:
        if (const auto* b = std::get_if<bool>(&v)) return BoolLit(*b);
        return TypeError(o, v);
      case FieldType::kInt:
      case FieldType::kDouble:
        if (const auto* i = std::get_if<int64_t>(&v)) {
          return o.type == FieldType::kInt ? IntLit(*i) : DoubleLit(static_cast<double>(*i));
        }
        if (const auto* d = std::get_if<double>(&v)) return DoubleLit(*d);
        return TypeError(o, v);
      default:
        return TypeError(o, v);
    }
  }

  static const char* OpSql(Expr::Op op) {
    switch (op) {
      case Expr::Op::kEq:
        return "=";
      case Expr::Op::kNe:
        return "<>";
      case Expr::Op::kGt:
        return ">";
      case Expr::Op::kGe:
        return ">=";
      case Expr::Op::kLt:
        return "<";
      case Expr::Op::kLe:
        return "<=";
    }
    return "=";
  }

  // `x` ready for an ordering comparison: texts taken out of jsonb carry the database's default
  // collation, which may not be code point order.
  static std::string Ordered(const Operand& o, const std::string& x) {
    return o.derived ? "(" + x + " COLLATE \"C\")" : x;
  }

  // A two-valued comparison of a scalar expression with a bound parameter.
  static std::string ScalarCompare(const Operand& o, const std::string& x, Expr::Op op,
                                   const std::string& ref) {
    if (op == Expr::Op::kNe) return "(" + x + " IS DISTINCT FROM " + ref + ")";
    return "(" + x + " IS NOT NULL AND " + Ordered(o, x) + " " + OpSql(op) + " " + ref + ")";
  }

  std::string NewAlias() { return "j" + std::to_string(++aliases_); }

  // EXISTS over the texts of the jsonb column `x` (the languages of a multilingual field or
  // the elements of a string list); `pred` builds the predicate on a text expression.
  template <typename Pred>
  std::string AnyText(const Operand& o, Pred pred) {
    std::string a = NewAlias();
    std::string from = o.shape == Operand::Shape::kMultilingual
                           ? "jsonb_each_text(" + o.expr + ") AS " + a + "(k, v)"
                           : "jsonb_array_elements_text(" + o.expr + ") AS " + a + "(v)";
    return "EXISTS (SELECT 1 FROM " + from + " WHERE " + pred(a + ".v") + ")";
  }

  Result<std::string> Compare(const Expr& e) {
    MB_ASSIGN_OR_RETURN(Operand o, Resolve(e));
    if (std::holds_alternative<std::monostate>(e.literal)) {
      if (e.op == Expr::Op::kEq) return "(" + o.expr + " IS NULL)";
      if (e.op == Expr::Op::kNe) return "(" + o.expr + " IS NOT NULL)";
      return Status::InvalidArgument("field " + o.name +
                                     ": null can only be compared with eq or ne");
    }
    switch (o.shape) {
      case Operand::Shape::kItemList:
        return Status::InvalidArgument("field " + o.name +
                                       " is a list of items: compare its items inside any()");
      case Operand::Shape::kStringList: {
        if (e.op != Expr::Op::kEq && e.op != Expr::Op::kNe) {
          return Status::InvalidArgument("field " + o.name +
                                         " is a list: eq and ne test membership; compare its "
                                         "elements inside any()");
        }
        MB_ASSIGN_OR_RETURN(Literal l, Coerce(o, e.literal));
        // @> is what the GIN index of an indexed list serves.
        std::string member = o.expr + " @> jsonb_build_array(" + P(l) + ")";
        return e.op == Expr::Op::kEq ? "(" + o.expr + " IS NOT NULL AND " + member + ")"
                                     : "(" + o.expr + " IS NULL OR NOT (" + member + "))";
      }
      case Operand::Shape::kMultilingual: {
        MB_ASSIGN_OR_RETURN(Literal l, Coerce(o, e.literal));
        std::string ref = P(l);
        std::string any = AnyText(o, [&](const std::string& v) {
          return "(" + v + " COLLATE \"C\") " + OpSql(e.op) + " " + ref;
        });
        return e.op == Expr::Op::kNe ? "(" + o.expr + " IS NULL OR " + any + ")" : any;
      }
      case Operand::Shape::kScalar: {
        MB_ASSIGN_OR_RETURN(Literal l, Coerce(o, e.literal));
        return ScalarCompare(o, o.expr, e.op, P(l));
      }
    }
    return Status::Internal("unhandled operand shape");
  }

  Result<std::string> Text(const Expr& e) {
    MB_ASSIGN_OR_RETURN(Operand o, Resolve(e));
    const char* fn = e.kind == Expr::Kind::kContains     ? "contains"
                     : e.kind == Expr::Kind::kStartsWith ? "startswith"
                                                         : "endswith";
    bool texty = o.shape == Operand::Shape::kMultilingual ||
                 (o.shape == Operand::Shape::kScalar && IsTextType(o.type));
    if (!texty) {
      return Status::InvalidArgument(std::string(fn) + " needs a text field; " + o.name + " is " +
                                     (o.shape == Operand::Shape::kScalar
                                          ? std::string("a ") + model::FieldTypeName(o.type)
                                          : std::string("a list")));
    }
    const auto* s = std::get_if<std::string>(&e.literal);
    if (!s) {
      return Status::InvalidArgument(std::string(fn) + " on " + o.name + " needs a string, not " +
                                     LiteralKind(e.literal));
    }
    MB_ASSIGN_OR_RETURN(Literal l, TextOf(o, *s));
    std::string ref = P(l);
    auto pred = [&](const std::string& y) -> std::string {
      switch (e.kind) {
        case Expr::Kind::kContains:
          return "(" + y + " IS NOT NULL AND strpos(" + y + ", " + ref + ") > 0)";
        case Expr::Kind::kStartsWith:
          return "(" + y + " IS NOT NULL AND left(" + y + ", char_length(" + ref + ")) = " + ref +
                 ")";
        default:
          return "(" + y + " IS NOT NULL AND right(" + y + ", char_length(" + ref + ")) = " + ref +
                 ")";
      }
    };
    if (o.shape == Operand::Shape::kMultilingual) return AnyText(o, pred);
    return pred(o.expr);
  }

  Result<std::string> In(const Expr& e) {
    MB_ASSIGN_OR_RETURN(Operand o, Resolve(e));
    if (o.shape == Operand::Shape::kItemList) {
      return Status::InvalidArgument("field " + o.name +
                                     " is a list of items: compare its items inside any()");
    }
    std::string refs;
    bool with_null = false;
    for (const Value& v : e.list) {
      if (std::holds_alternative<std::monostate>(v)) {
        with_null = true;
        continue;
      }
      MB_ASSIGN_OR_RETURN(Literal l, Coerce(o, v));
      refs += (refs.empty() ? "" : ", ") + P(l);
    }
    std::string out;
    if (!refs.empty()) {
      if (o.shape == Operand::Shape::kScalar) {
        out = "(" + o.expr + " IS NOT NULL AND " + o.expr + " IN (" + refs + "))";
      } else if (o.shape == Operand::Shape::kStringList) {
        // ?| ("has any of these elements") is what the GIN index of an indexed list serves.
        out = "(" + o.expr + " IS NOT NULL AND " + o.expr + " ?| ARRAY[" + refs + "])";
      } else {
        out = AnyText(o, [&](const std::string& v) { return v + " IN (" + refs + ")"; });
      }
    }
    if (with_null) {
      out = out.empty() ? "(" + o.expr + " IS NULL)" : "(" + out + " OR " + o.expr + " IS NULL)";
    }
    return out.empty() ? std::string("false") : out;
  }

  Result<std::string> Any(const Expr& e, int depth) {
    if (e.field == Expr::kElement) {
      return Status::InvalidArgument("any() over a lambda variable of " + entity() +
                                     ": lists hold no lists");
    }
    MB_ASSIGN_OR_RETURN(const model::FieldSpec* f, FieldOf(e.field));
    if (!f->IsList()) {
      return Status::InvalidArgument("any() needs a list field; " + entity() + "." + f->name +
                                     " is a " + model::FieldTypeName(f->type));
    }
    std::string x = t_.Col(e.field);
    if (e.children.empty()) return "(" + x + " IS NOT NULL)";  // empty lists are stored as NULL
    if (!e.children[0]) return Status::InvalidArgument("any() with an empty condition");
    std::string a = NewAlias();
    elements_.push_back(Element{a, f});
    Result<std::string> inner = Node(*e.children[0], depth + 1);
    elements_.pop_back();
    if (!inner.ok()) return inner.status();
    std::string from = f->type == FieldType::kStringList
                           ? "jsonb_array_elements_text(" + x + ") AS " + a + "(v)"
                           : "jsonb_array_elements(" + x + ") AS " + a + "(v)";
    return "EXISTS (SELECT 1 FROM " + from + " WHERE " + *inner + ")";
  }

  Result<std::string> Node(const Expr& e, int depth) {
    if (depth > kMaxDepth) {
      return Status::InvalidArgument("filter on " + entity() + " nested deeper than " +
                                     std::to_string(kMaxDepth) + " levels");
    }
    switch (e.kind) {
      case Expr::Kind::kTrue:
        return std::string("true");
      case Expr::Kind::kAnd:
      case Expr::Kind::kOr: {
        if (e.children.empty()) return std::string(e.kind == Expr::Kind::kAnd ? "true" : "false");
        std::vector<std::string> parts;
        parts.reserve(e.children.size());
        std::vector<std::unique_ptr<Expr>> gathered;
        for (const Expr* child : Operands(e, &gathered)) {
          if (!child) return Status::InvalidArgument("an empty operand in a filter");
          MB_ASSIGN_OR_RETURN(std::string c, Node(*child, depth + 1));
          parts.push_back(std::move(c));
        }
        return "(" + JoinBalanced(parts, e.kind == Expr::Kind::kAnd ? "AND" : "OR") + ")";
      }
      case Expr::Kind::kNot: {
        if (e.children.empty() || !e.children[0]) {
          return Status::InvalidArgument("not without an operand");
        }
        MB_ASSIGN_OR_RETURN(std::string c, Node(*e.children[0], depth + 1));
        return "(NOT " + c + ")";
      }
      case Expr::Kind::kCompare:
        return Compare(e);
      case Expr::Kind::kContains:
      case Expr::Kind::kStartsWith:
      case Expr::Kind::kEndsWith:
        return Text(e);
      case Expr::Kind::kIn:
        return In(e);
      case Expr::Kind::kAny:
        return Any(e, depth);
    }
    return Status::InvalidArgument("unknown filter node");
  }

  const TableInfo& t_;
  std::vector<Element> elements_;
  int aliases_ = 0;
};

}  // namespace

Result<CompiledSql> CompileSelect(const TableInfo& table, const Query& query) {
  if (query.offset < 0) {
    return Status::InvalidArgument("a negative offset (" + std::to_string(query.offset) +
                                   ") in a query of " + table.entity->set_name);
  }
  Compiler c(table);
  MB_ASSIGN_OR_RETURN(std::string where, c.Filter(query.filter.get()));
  std::string sql =
      "SELECT " + table.select_list + " FROM " + table.table + " AS t WHERE NOT t._deleted";
  if (where != "true") sql += " AND " + where;
  if (!query.after.empty()) {
    MB_ASSIGN_OR_RETURN(std::string after, c.After(query.order_by, query.after));
    sql += " AND " + after;
  }
  MB_ASSIGN_OR_RETURN(std::string order, c.OrderBy(query.order_by));
  sql += " ORDER BY " + order;
  if (query.limit >= 0) sql += " LIMIT " + c.P(IntLit(query.limit));
  if (query.offset > 0) sql += " OFFSET " + c.P(IntLit(query.offset));
  return CompiledSql{std::move(sql), std::move(c.params)};
}

Result<CompiledSql> CompileCount(const TableInfo& table, const Query& query) {
  Compiler c(table);
  MB_ASSIGN_OR_RETURN(std::string where, c.Filter(query.filter.get()));
  std::string sql = "SELECT count(*) FROM " + table.table + " AS t WHERE NOT t._deleted";
  if (where != "true") sql += " AND " + where;
  return CompiledSql{std::move(sql), std::move(c.params)};
}

}  // namespace meabridge::store::postgres
