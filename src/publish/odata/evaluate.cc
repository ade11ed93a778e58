#include "publish/odata/evaluate.h"

#include <optional>
#include <string>
#include <string_view>

#include "core/strings.h"
#include "core/time.h"

namespace meabridge::publish::odata {
namespace {

using model::FieldType;
using model::Value;
using store::Expr;

constexpr int64_t kMsPerDay = 86400000;

// -1, 0, 1; nullopt when the two cannot be compared.
template <typename T>
int Cmp(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

bool Apply(Expr::Op op, int c) {
  switch (op) {
    case Expr::Op::kEq:
      return c == 0;
    case Expr::Op::kNe:
      return c != 0;
    case Expr::Op::kGt:
      return c > 0;
    case Expr::Op::kGe:
      return c >= 0;
    case Expr::Op::kLt:
      return c < 0;
    case Expr::Op::kLe:
      return c <= 0;
  }
  return false;
}

// Compares a scalar field value with a literal of the field's type; nullopt when the value
// has no value (or the types do not fit).
std::optional<int> CompareScalar(const Value& v, const Value& lit) {
  if (const auto* s = std::get_if<std::string>(&v)) {
    if (const auto* l = std::get_if<std::string>(&lit))
      return s->compare(*l) < 0 ? -1 : s->compare(*l) > 0;
    return std::nullopt;
  }
  if (const auto* b = std::get_if<bool>(&v)) {
    if (const auto* l = std::get_if<bool>(&lit))
      return Cmp(static_cast<int>(*b), static_cast<int>(*l));
    return std::nullopt;
  }
  auto as_double = [](const Value& x) -> std::optional<double> {
    if (const auto* i = std::get_if<int64_t>(&x)) return static_cast<double>(*i);
    if (const auto* d = std::get_if<double>(&x)) return *d;
    return std::nullopt;
  };
  if (std::holds_alternative<int64_t>(v) && std::holds_alternative<int64_t>(lit)) {
    return Cmp(std::get<int64_t>(v), std::get<int64_t>(lit));
  }
  if (auto a = as_double(v)) {
    if (auto b = as_double(lit)) return Cmp(*a, *b);
    return std::nullopt;
  }
  if (const auto* d = std::get_if<core::CivilDate>(&v)) {
    int64_t days = core::DaysFromCivil(*d);
    if (const auto* l = std::get_if<core::CivilDate>(&lit))
      return Cmp(days, core::DaysFromCivil(*l));
    if (const auto* t = std::get_if<model::DateTime>(&lit)) {
      if (t->ms % kMsPerDay == 0) return Cmp(days, t->ms / kMsPerDay);
    }
    if (const auto* s = std::get_if<std::string>(&lit)) {
      if (auto p = core::ParseDate(*s)) return Cmp(days, core::DaysFromCivil(*p));
    }
    return std::nullopt;
  }
  if (const auto* t = std::get_if<model::DateTime>(&v)) {
    if (const auto* l = std::get_if<model::DateTime>(&lit)) return Cmp(t->ms, l->ms);
    if (const auto* l = std::get_if<core::CivilDate>(&lit)) {
      return Cmp(t->ms, core::DaysFromCivil(*l) * kMsPerDay);
    }
    if (const auto* s = std::get_if<std::string>(&lit)) {
      if (auto p = core::ParseDateTime(*s)) return Cmp(t->ms, *p);
    }
    return std::nullopt;
  }
  return std::nullopt;
}

// A literal as item values (strings in the item) are compared with it.
std::optional<std::string> ItemText(const Value& lit) {
  if (const auto* s = std::get_if<std::string>(&lit)) return *s;
  if (const auto* i = std::get_if<int64_t>(&lit)) return std::to_string(*i);
  if (const auto* b = std::get_if<bool>(&lit)) return std::string(*b ? "true" : "false");
  if (const auto* d = std::get_if<core::CivilDate>(&lit)) return core::FormatDate(*d);
  return std::nullopt;
}

bool TextPredicate(Expr::Kind kind, std::string_view text, std::string_view needle) {
  switch (kind) {
    case Expr::Kind::kContains:
      return text.find(needle) != std::string_view::npos;
    case Expr::Kind::kStartsWith:
      return text.substr(0, needle.size()) == needle;
    case Expr::Kind::kEndsWith:
      return text.size() >= needle.size() && text.substr(text.size() - needle.size()) == needle;
    default:
      return false;
  }
}

// The element a lambda variable stands for.
struct Element {
  const std::string* text = nullptr;  // a string-list element
  const model::Item* item = nullptr;  // an item-list element
};

class Evaluator {
 public:
  explicit Evaluator(const model::Record& r) : r_(r) {}

  bool Eval(const Expr& e, const Element* el) {
    switch (e.kind) {
      case Expr::Kind::kTrue:
        return true;
      case Expr::Kind::kAnd:
        for (const auto& c : e.children) {
          if (c && !Eval(*c, el)) return false;
        }
        return true;
      case Expr::Kind::kOr:
        for (const auto& c : e.children) {
          if (c && Eval(*c, el)) return true;
        }
        return false;
      case Expr::Kind::kNot:
        return !e.children.empty() && e.children[0] && !Eval(*e.children[0], el);
      case Expr::Kind::kCompare:
        return Compare(e, el);
      case Expr::Kind::kContains:
      case Expr::Kind::kStartsWith:
      case Expr::Kind::kEndsWith:
        return Text(e, el);
      case Expr::Kind::kIn:
        return In(e, el);
      case Expr::Kind::kAny:
        return Any(e);
    }
    return false;
  }

 private:
  // The text of an element operand (string element, or an item's field); nullptr when absent.
  const std::string* ElementText(const Expr& e, const Element* el) const {
    if (!el) return nullptr;
    if (el->text) return e.item_field.empty() ? el->text : nullptr;
    if (el->item) {
      auto it = el->item->find(e.item_field);
      return it == el->item->end() ? nullptr : &it->second;
    }
    return nullptr;
  }

  const Value* FieldValue(const Expr& e) const {
    if (e.field < 0 || static_cast<size_t>(e.field) >= r_.values().size()) return nullptr;
    return &r_.Get(static_cast<size_t>(e.field));
  }

  bool Compare(const Expr& e, const Element* el) {
    bool is_null = std::holds_alternative<std::monostate>(e.literal);
    if (e.field == Expr::kElement) {
      const std::string* t = ElementText(e, el);
      if (is_null) return e.op == Expr::Op::kEq ? t == nullptr : t != nullptr;
      auto lit = ItemText(e.literal);
      if (!t) return e.op == Expr::Op::kNe;
      if (!lit) return false;
      return Apply(e.op, t->compare(*lit) < 0 ? -1 : (t->compare(*lit) > 0 ? 1 : 0));
    }
    const Value* v = FieldValue(e);
    if (!v) return false;
    bool empty = model::IsEmpty(*v);
    if (is_null) return e.op == Expr::Op::kEq ? empty : !empty;
    if (const auto* list = std::get_if<model::StringList>(v)) {
      const auto* lit = std::get_if<std::string>(&e.literal);
      bool member = false;
      for (const std::string& s : *list) member = member || (lit && s == *lit);
      return e.op == Expr::Op::kEq ? member : (e.op == Expr::Op::kNe ? !member : false);
    }
    if (const auto* ml = std::get_if<model::Multilingual>(v)) {
      const auto* lit = std::get_if<std::string>(&e.literal);
      if (ml->empty()) return e.op == Expr::Op::kNe;
      for (const model::LangText& t : *ml) {
        if (lit &&
            Apply(e.op, t.text.compare(*lit) < 0 ? -1 : (t.text.compare(*lit) > 0 ? 1 : 0))) {
          return true;
        }
      }
      return false;
    }
    if (std::holds_alternative<model::ItemList>(*v)) return false;
    if (empty) return e.op == Expr::Op::kNe;
    auto c = CompareScalar(*v, e.literal);
    if (!c) return false;
    return Apply(e.op, *c);
  }

  bool Text(const Expr& e, const Element* el) {
    const auto* needle = std::get_if<std::string>(&e.literal);
    if (!needle) return false;
    if (e.field == Expr::kElement) {
      const std::string* t = ElementText(e, el);
      return t && TextPredicate(e.kind, *t, *needle);
    }
    const Value* v = FieldValue(e);
    if (!v) return false;
    if (const auto* s = std::get_if<std::string>(v)) return TextPredicate(e.kind, *s, *needle);
    if (const auto* ml = std::get_if<model::Multilingual>(v)) {
      for (const model::LangText& t : *ml) {
        if (TextPredicate(e.kind, t.text, *needle)) return true;
      }
    }
    return false;
  }

  bool In(const Expr& e, const Element* el) {
    bool with_null = false;
    for (const Value& lit : e.list)
      with_null = with_null || std::holds_alternative<std::monostate>(lit);
    if (e.field == Expr::kElement) {
      const std::string* t = ElementText(e, el);
      if (!t) return with_null;
      for (const Value& lit : e.list) {
        auto s = ItemText(lit);
        if (s && *s == *t) return true;
      }
      return false;
    }
    const Value* v = FieldValue(e);
    if (!v) return false;
    if (model::IsEmpty(*v)) return with_null;
    for (const Value& lit : e.list) {
      if (std::holds_alternative<std::monostate>(lit)) continue;
      if (const auto* list = std::get_if<model::StringList>(v)) {
        const auto* s = std::get_if<std::string>(&lit);
        for (const std::string& x : *list) {
          if (s && x == *s) return true;
        }
      } else if (const auto* ml = std::get_if<model::Multilingual>(v)) {
        const auto* s = std::get_if<std::string>(&lit);
        for (const model::LangText& t : *ml) {
          if (s && t.text == *s) return true;
        }
      } else {
        auto c = CompareScalar(*v, lit);
        if (c && *c == 0) return true;
      }
    }
    return false;
  }

  bool Any(const Expr& e) {
    const Value* v = FieldValue(e);
    if (!v) return false;
    if (e.children.empty() || !e.children[0]) return !model::IsEmpty(*v);
    if (const auto* list = std::get_if<model::StringList>(v)) {
      for (const std::string& s : *list) {
        Element el{&s, nullptr};
        if (Eval(*e.children[0], &el)) return true;
      }
    } else if (const auto* items = std::get_if<model::ItemList>(v)) {
      for (const model::Item& item : *items) {
        Element el{nullptr, &item};
        if (Eval(*e.children[0], &el)) return true;
      }
    }
    return false;
  }

  const model::Record& r_;
};

}  // namespace

bool Matches(const store::Expr* expr, const model::Record& record) {
  if (!expr) return true;
  Evaluator ev(record);
  return ev.Eval(*expr, nullptr);
}

}  // namespace meabridge::publish::odata
