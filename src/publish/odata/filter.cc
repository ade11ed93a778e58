#include "publish/odata/filter.h"

#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "core/time.h"

namespace meabridge::publish::odata {
namespace {

using model::FieldType;
using model::Value;
using store::Expr;

constexpr int64_t kMsPerDay = 86400000;

struct Token {
  enum class Kind {
    kEnd,
    kIdent,
    kString,
    kInt,
    kDecimal,
    kDate,
    kDateTime,
    kOpen,
    kClose,
    kComma,
    kSlash,
    kColon,
  };
  Kind kind = Kind::kEnd;
  size_t pos = 0;    // 0-based offset in the expression
  std::string text;  // identifier, string value, or the literal as written
  int64_t i = 0;
  double d = 0;
  core::CivilDate date;
  int64_t ms = 0;
};

std::string Pos(size_t offset) { return "position " + std::to_string(offset + 1); }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c) || c == '.'; }

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Status Run(std::vector<Token>* out) {
    while (true) {
      while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
      Token t;
      t.pos = i_;
      if (i_ >= s_.size()) {
        t.kind = Token::Kind::kEnd;
        out->push_back(std::move(t));
        return Status::Ok();
      }
      char c = s_[i_];
      if (c == '(' || c == ')' || c == ',' || c == '/' || c == ':') {
        t.kind = c == '('   ? Token::Kind::kOpen
                 : c == ')' ? Token::Kind::kClose
                 : c == ',' ? Token::Kind::kComma
                 : c == '/' ? Token::Kind::kSlash
                            : Token::Kind::kColon;
        t.text = std::string(1, c);
        ++i_;
      } else if (c == '\'') {
        MB_RETURN_IF_ERROR(QuotedString(&t.text));
        t.kind = Token::Kind::kString;
      } else if (IsDigit(c) || (c == '-' && i_ + 1 < s_.size() && IsDigit(s_[i_ + 1]))) {
        MB_RETURN_IF_ERROR(NumberOrDate(&t));
      } else if (IsIdentStart(c)) {
        size_t start = i_;
        while (i_ < s_.size() && IsIdentChar(s_[i_])) ++i_;
        t.text = std::string(s_.substr(start, i_ - start));
        t.kind = Token::Kind::kIdent;
        if (i_ < s_.size() && s_[i_] == '\'') MB_RETURN_IF_ERROR(TypedLiteral(&t));
      } else if (c == '-' || c == '+' || c == '*') {
        return Status::InvalidArgument("arithmetic ('" + std::string(1, c) + "' at " + Pos(i_) +
                                       ") is not supported in $filter");
      } else {
        std::string shown = static_cast<unsigned char>(c) < 0x20 ? "a control character"
                                                                 : "'" + std::string(1, c) + "'";
        return Status::InvalidArgument("unexpected " + shown + " at " + Pos(i_) + " of $filter");
      }
      out->push_back(std::move(t));
    }
  }

 private:
  Status QuotedString(std::string* out) {
    size_t start = i_;
    ++i_;
    while (true) {
      if (i_ >= s_.size()) {
        return Status::InvalidArgument("unterminated string starting at " + Pos(start) +
                                       " of $filter (strings are in single quotes; write '' for "
                                       "a quote inside one)");
      }
      if (s_[i_] == '\'') {
        if (i_ + 1 < s_.size() && s_[i_ + 1] == '\'') {
          out->push_back('\'');
          i_ += 2;
          continue;
        }
        ++i_;
        return Status::Ok();
      }
      out->push_back(s_[i_++]);
    }
  }

  // datetime'2015-05-08T16:39:14', datetimeoffset'...', date'...', guid'...'
  Status TypedLiteral(Token* t) {
    std::string prefix = core::AsciiLower(t->text);
    size_t pos = t->pos;
    std::string value;
    MB_RETURN_IF_ERROR(QuotedString(&value));
    t->text = value;
    if (prefix == "datetime" || prefix == "datetimeoffset") {
      auto ms = core::ParseDateTime(value);
      if (!ms) {
        return Status::InvalidArgument(prefix + "'" + value + "' at " + Pos(pos) +
                                       " is not a date-time; write e.g. " + prefix +
                                       "'2015-05-08T16:39:14'");
      }
      t->kind = Token::Kind::kDateTime;
      t->ms = *ms;
      return Status::Ok();
    }
    if (prefix == "date") {
      auto d = core::ParseDate(value);
      if (!d) {
        return Status::InvalidArgument("date'" + value + "' at " + Pos(pos) +
                                       " is not a date; write e.g. 2015-05-08");
      }
      t->kind = Token::Kind::kDate;
      t->date = *d;
      return Status::Ok();
    }
    if (prefix == "guid") {
      t->kind = Token::Kind::kString;
      return Status::Ok();
    }
    return Status::InvalidArgument("unknown literal type '" + prefix + "' at " + Pos(pos) +
                                   " of $filter (known: datetime, datetimeoffset, date, guid)");
  }

  bool DigitsAt(size_t at, size_t n) const {
    if (at + n > s_.size()) return false;
    for (size_t k = 0; k < n; ++k) {
      if (!IsDigit(s_[at + k])) return false;
    }
    return true;
  }

  Status NumberOrDate(Token* t) {
    size_t start = i_;
    // A date: YYYY-MM-DD, perhaps followed by THH:MM[:SS[.fff]][Z|+hh:mm|-hh:mm].
    if (DigitsAt(i_, 4) && i_ + 4 < s_.size() && s_[i_ + 4] == '-' && DigitsAt(i_ + 5, 2) &&
        i_ + 7 < s_.size() && s_[i_ + 7] == '-' && DigitsAt(i_ + 8, 2)) {
      i_ += 10;
      if (i_ < s_.size() && (s_[i_] == 'T' || s_[i_] == 't')) {
        ++i_;
        while (i_ < s_.size() && (IsDigit(s_[i_]) || s_[i_] == ':' || s_[i_] == '.')) ++i_;
        std::string text(s_.substr(start, i_ - start));
        if (i_ < s_.size() && (s_[i_] == 'Z' || s_[i_] == 'z')) {
          text += 'Z';
          ++i_;
        } else if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-') && DigitsAt(i_ + 1, 2)) {
          size_t o = i_;
          ++i_;
          while (i_ < s_.size() && (IsDigit(s_[i_]) || s_[i_] == ':')) ++i_;
          text += std::string(s_.substr(o, i_ - o));
        } else if (i_ + 6 <= s_.size() && s_[i_] == ' ' && DigitsAt(i_ + 1, 2) &&
                   s_[i_ + 3] == ':' && DigitsAt(i_ + 4, 2) &&
                   (i_ + 6 == s_.size() || s_[i_ + 6] == ' ' || s_[i_ + 6] == ')' ||
                    s_[i_ + 6] == ',')) {
          // "+01:00" whose plus sign became a space in query-string decoding.
          text += "+" + std::string(s_.substr(i_ + 1, 5));
          i_ += 6;
        }
        auto ms = core::ParseDateTime(text);
        if (!ms) {
          return Status::InvalidArgument("'" + text + "' at " + Pos(start) +
                                         " is not a date-time; write e.g. 2015-05-08T16:39:14Z");
        }
        t->kind = Token::Kind::kDateTime;
        t->ms = *ms;
        t->text = text;
        return Status::Ok();
      }
      std::string text(s_.substr(start, 10));
      auto d = core::ParseDate(text);
      if (!d) {
        return Status::InvalidArgument("'" + text + "' at " + Pos(start) +
                                       " is not a date; write e.g. 2015-05-08");
      }
      t->kind = Token::Kind::kDate;
      t->date = *d;
      t->text = text;
      return Status::Ok();
    }
    if (s_[i_] == '-') ++i_;
    while (i_ < s_.size() && IsDigit(s_[i_])) ++i_;
    bool decimal = false;
    if (i_ < s_.size() && s_[i_] == '.' && i_ + 1 < s_.size() && IsDigit(s_[i_ + 1])) {
      decimal = true;
      ++i_;
      while (i_ < s_.size() && IsDigit(s_[i_])) ++i_;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      size_t e = i_ + 1;
      if (e < s_.size() && (s_[e] == '+' || s_[e] == '-')) ++e;
      if (e < s_.size() && IsDigit(s_[e])) {
        decimal = true;
        i_ = e;
        while (i_ < s_.size() && IsDigit(s_[i_])) ++i_;
      }
    }
    std::string text(s_.substr(start, i_ - start));
    // V2 type suffixes: 12L, 1.5M, 1.5D, 1.5F.
    if (i_ < s_.size() && std::string_view("LlMmDdFf").find(s_[i_]) != std::string_view::npos &&
        (i_ + 1 >= s_.size() || !IsIdentChar(s_[i_ + 1]))) {
      if (s_[i_] != 'L' && s_[i_] != 'l') decimal = true;
      ++i_;
    }
    if (i_ < s_.size() && IsIdentChar(s_[i_])) {
      return Status::InvalidArgument("malformed number '" + text + s_[i_] + "...' at " +
                                     Pos(start) + " of $filter");
    }
    t->text = text;
    if (!decimal) {
      auto v = core::ParseInt(text);
      if (!v) {
        return Status::InvalidArgument("the integer " + text + " at " + Pos(start) +
                                       " is out of range");
      }
      t->kind = Token::Kind::kInt;
      t->i = *v;
      return Status::Ok();
    }
    auto v = core::ParseDouble(text);
    if (!v || !std::isfinite(*v)) {
      return Status::InvalidArgument("the number " + text + " at " + Pos(start) +
                                     " is out of range");
    }
    t->kind = Token::Kind::kDecimal;
    t->d = *v;
    return Status::Ok();
  }

  std::string_view s_;
  size_t i_ = 0;
};

// An operand of a comparison or function before it is typed.
struct Operand {
  enum class Kind { kField, kLiteral, kPredicate };
  Kind kind = Kind::kLiteral;
  size_t pos = 0;
  std::string text;  // as written, for messages

  // kField
  int field = -1;                       // registry index, or Expr::kElement
  std::string item_field;               // an item field of the lambda variable
  FieldType type = FieldType::kString;  // the field's (or element's) type
  bool list_element = false;            // the lambda variable (or one of its item fields)

  // kLiteral
  Token lit;
  bool is_null = false;
  bool is_bool = false;
  bool bool_value = false;

  // kPredicate
  std::unique_ptr<Expr> expr;
};

const char* LiteralKind(const Operand& o) {
  if (o.is_null) return "null";
  if (o.is_bool) return "a boolean";
  switch (o.lit.kind) {
    case Token::Kind::kString:
      return "a string";
    case Token::Kind::kInt:
      return "an integer";
    case Token::Kind::kDecimal:
      return "a decimal number";
    case Token::Kind::kDate:
      return "a date";
    case Token::Kind::kDateTime:
      return "a date-time";
    default:
      return "a literal";
  }
}

bool IsText(FieldType t) {
  return t == FieldType::kString || t == FieldType::kText || t == FieldType::kTerm ||
         t == FieldType::kMultilingual;
}

Expr::Op Mirror(Expr::Op op) {
  switch (op) {
    case Expr::Op::kGt:
      return Expr::Op::kLt;
    case Expr::Op::kGe:
      return Expr::Op::kLe;
    case Expr::Op::kLt:
      return Expr::Op::kGt;
    case Expr::Op::kLe:
      return Expr::Op::kGe;
    default:
      return op;
  }
}

std::optional<Expr::Op> OpOf(const std::string& word) {
  if (word == "eq") return Expr::Op::kEq;
  if (word == "ne") return Expr::Op::kNe;
  if (word == "gt") return Expr::Op::kGt;
  if (word == "ge") return Expr::Op::kGe;
  if (word == "lt") return Expr::Op::kLt;
  if (word == "le") return Expr::Op::kLe;
  return std::nullopt;
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, const model::EntitySpec& entity, model::Dialect dialect)
      : t_(std::move(tokens)), e_(entity), d_(dialect) {}

  Result<std::unique_ptr<Expr>> Run() {
    if (Peek().kind == Token::Kind::kEnd) {
      return Status::InvalidArgument("$filter is empty; leave it out to get every record");
    }
    MB_ASSIGN_OR_RETURN(auto expr, Or(0));
    if (Peek().kind != Token::Kind::kEnd) {
      return Status::InvalidArgument("unexpected " + Shown(Peek()) + " at " + Pos(Peek().pos) +
                                     " of $filter; expected 'and', 'or' or the end");
    }
    return expr;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    size_t k = std::min(i_ + ahead, t_.size() - 1);
    return t_[k];
  }
  const Token& Take() {
    const Token& t = t_[std::min(i_, t_.size() - 1)];
    if (i_ < t_.size() - 1) ++i_;
    return t;
  }
  bool IsWord(const Token& t, std::string_view w) const {
    return t.kind == Token::Kind::kIdent && t.text == w;
  }
  static std::string Shown(const Token& t) {
    switch (t.kind) {
      case Token::Kind::kEnd:
        return "end of $filter";
      case Token::Kind::kString:
        return "the string " + core::Quote(t.text, 40);
      default:
        return "'" + t.text + "'";
    }
  }

  Status Expect(Token::Kind kind, const std::string& what) {
    if (Peek().kind != kind) {
      return Status::InvalidArgument("expected " + what + " at " + Pos(Peek().pos) +
                                     " of $filter, found " + Shown(Peek()));
    }
    Take();
    return Status::Ok();
  }

  Status Deeper(int depth, size_t pos) const {
    if (depth > kMaxFilterDepth) {
      return Status::InvalidArgument("$filter nests deeper than " +
                                     std::to_string(kMaxFilterDepth) + " levels at " + Pos(pos));
    }
    return Status::Ok();
  }

  Result<std::unique_ptr<Expr>> Or(int depth) {
    MB_ASSIGN_OR_RETURN(auto left, And(depth));
    while (IsWord(Peek(), "or")) {
      Take();
      MB_ASSIGN_OR_RETURN(auto right, And(depth));
      left = Expr::Or(std::move(left), std::move(right));
    }
    return left;
  }

  Result<std::unique_ptr<Expr>> And(int depth) {
    MB_ASSIGN_OR_RETURN(auto left, Unary(depth));
    while (IsWord(Peek(), "and")) {
      Take();
      MB_ASSIGN_OR_RETURN(auto right, Unary(depth));
      left = Expr::And(std::move(left), std::move(right));
    }
    return left;
  }

  Result<std::unique_ptr<Expr>> Unary(int depth) {
    MB_RETURN_IF_ERROR(Deeper(depth, Peek().pos));
    if (IsWord(Peek(), "not") && Peek(1).kind != Token::Kind::kEnd &&
        !OpOf(Peek(1).text).has_value()) {
      Take();
      MB_ASSIGN_OR_RETURN(auto inner, Unary(depth + 1));
      return Expr::Not(std::move(inner));
    }
    return Comparison(depth);
  }

  Result<std::unique_ptr<Expr>> Comparison(int depth) {
    if (++conditions_ > kMaxFilterConditions) {
      return Status::InvalidArgument(
          "$filter has more than " + std::to_string(kMaxFilterConditions) +
          " conditions (the next one at " + Pos(Peek().pos) +
          "); split the request, or list values with 'in (...)'");
    }
    MB_ASSIGN_OR_RETURN(Operand left, Primary(depth));
    const Token& next = Peek();
    if (next.kind == Token::Kind::kIdent) {
      if (auto op = OpOf(next.text)) {
        Take();
        MB_ASSIGN_OR_RETURN(Operand right, Primary(depth));
        return Compare(std::move(left), *op, std::move(right), next.pos);
      }
      if (next.text == "in") {
        Take();
        return In(std::move(left), next.pos);
      }
      if (next.text == "has" || next.text == "add" || next.text == "sub" || next.text == "mul" ||
          next.text == "div" || next.text == "mod" || next.text == "divby") {
        return Status::InvalidArgument("the operator '" + next.text + "' at " + Pos(next.pos) +
                                       " is not supported in $filter");
      }
    }
    return AsPredicate(std::move(left));
  }

  // An operand standing alone as a condition.
  Result<std::unique_ptr<Expr>> AsPredicate(Operand o) {
    switch (o.kind) {
      case Operand::Kind::kPredicate:
        return std::move(o.expr);
      case Operand::Kind::kField:
        if (o.type == FieldType::kBool) {
          auto e = Expr::Compare(o.field, Expr::Op::kEq, Value(true));
          e->item_field = o.item_field;
          return e;
        }
        return Status::InvalidArgument("'" + o.text + "' at " + Pos(o.pos) +
                                       " is not a condition; compare it, e.g. " + o.text +
                                       " eq ...");
      case Operand::Kind::kLiteral:
        if (o.is_bool) {
          auto t = std::make_unique<Expr>();
          return o.bool_value ? std::move(t) : Expr::Not(std::move(t));
        }
        return Status::InvalidArgument(std::string(LiteralKind(o)) + " at " + Pos(o.pos) +
                                       " is not a condition");
    }
    return Status::Internal("unhandled operand");
  }

  Result<std::unique_ptr<Expr>> Compare(Operand left, Expr::Op op, Operand right, size_t op_pos) {
    if (left.kind == Operand::Kind::kLiteral && right.kind != Operand::Kind::kLiteral) {
      std::swap(left, right);
      op = Mirror(op);
    }
    if (left.kind == Operand::Kind::kPredicate ||
        (left.kind == Operand::Kind::kField && right.kind == Operand::Kind::kPredicate)) {
      if (left.kind != Operand::Kind::kPredicate) std::swap(left, right);
      if (right.kind == Operand::Kind::kLiteral && right.is_bool &&
          (op == Expr::Op::kEq || op == Expr::Op::kNe)) {
        bool keep = (op == Expr::Op::kEq) == right.bool_value;
        return keep ? std::move(left.expr) : Expr::Not(std::move(left.expr));
      }
      return Status::InvalidArgument(
          "a condition can only be compared with true or false (eq "
          "or ne), at " +
          Pos(op_pos) + " of $filter");
    }
    if (left.kind == Operand::Kind::kField && right.kind == Operand::Kind::kField) {
      return Status::InvalidArgument("comparing two fields ('" + left.text + "' and '" +
                                     right.text + "', at " + Pos(op_pos) +
                                     ") is not supported; compare a field with a literal");
    }
    if (left.kind == Operand::Kind::kLiteral) {
      return Status::InvalidArgument("comparing two literals (at " + Pos(op_pos) +
                                     ") is not supported; compare a field with a literal");
    }
    // A field and a literal.
    const model::FieldSpec* spec = left.list_element ? nullptr : &e_.fields[left.field];
    if (right.is_null) {
      if (op != Expr::Op::kEq && op != Expr::Op::kNe) {
        return Status::InvalidArgument("null can only be compared with eq or ne (at " +
                                       Pos(op_pos) + " of $filter)");
      }
      if (spec && spec->type == FieldType::kItemList) {
        // "has no items" / "has items".
        auto e = std::make_unique<Expr>();
        e->kind = Expr::Kind::kAny;
        e->field = left.field;
        return op == Expr::Op::kEq ? Expr::Not(std::move(e)) : std::move(e);
      }
      auto e = Expr::Compare(left.field, op, Value());
      e->item_field = left.item_field;
      return e;
    }
    if (spec && spec->type == FieldType::kItemList) {
      return Status::InvalidArgument(
          "'" + left.text +
          "' is a list of items: compare its items "
          "with " +
          left.text + "/any(x: x/" +
          (spec->item_fields.empty() ? "field" : spec->item_fields[0].name) + " eq ...)");
    }
    if (spec && spec->type == FieldType::kStringList && op != Expr::Op::kEq &&
        op != Expr::Op::kNe) {
      return Status::InvalidArgument("'" + left.text +
                                     "' is a list: eq and ne test whether it "
                                     "holds a value; use " +
                                     left.text + "/any(x: x gt ...) to compare its elements");
    }
    MB_ASSIGN_OR_RETURN(Value v, Convert(left, right));
    auto e = Expr::Compare(left.field, op, std::move(v));
    e->item_field = left.item_field;
    return e;
  }

  Result<std::unique_ptr<Expr>> In(Operand left, size_t in_pos) {
    if (left.kind != Operand::Kind::kField) {
      return Status::InvalidArgument("'in' at " + Pos(in_pos) + " needs a field on its left");
    }
    if (!left.list_element && e_.fields[left.field].type == FieldType::kItemList) {
      return Status::InvalidArgument("'" + left.text + "' is a list of items: use " + left.text +
                                     "/any(x: x/... in (...))");
    }
    MB_RETURN_IF_ERROR(Expect(Token::Kind::kOpen, "'(' starting the list after 'in'"));
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kIn;
    e->field = left.field;
    e->item_field = left.item_field;
    while (true) {
      MB_ASSIGN_OR_RETURN(Operand lit, Primary(kMaxFilterDepth));
      if (lit.kind != Operand::Kind::kLiteral) {
        return Status::InvalidArgument("the list after 'in' at " + Pos(in_pos) +
                                       " may hold literals only; '" + lit.text + "' is not one");
      }
      if (lit.is_null) {
        e->list.emplace_back();
      } else {
        MB_ASSIGN_OR_RETURN(Value v, Convert(left, lit));
        e->list.push_back(std::move(v));
      }
      if (Peek().kind == Token::Kind::kComma) {
        Take();
        continue;
      }
      MB_RETURN_IF_ERROR(Expect(Token::Kind::kClose, "',' or ')' in the list after 'in'"));
      break;
    }
    return e;
  }

  // The literal as the field holds it.
  Result<Value> Convert(const Operand& field, const Operand& lit) {
    FieldType t = field.type;
    auto mismatch = [&](const std::string& hint) {
      return Status::InvalidArgument("'" + field.text + "' is " + Article(t) + " field, so " +
                                     LiteralKind(lit) + " (at " + Pos(lit.pos) +
                                     ") cannot be compared with it; " + hint);
    };
    const Token& k = lit.lit;
    if (lit.is_bool) {
      if (t == FieldType::kBool) return Value(lit.bool_value);
      return mismatch("write " + Example(t));
    }
    switch (t) {
      case FieldType::kString:
      case FieldType::kText:
      case FieldType::kTerm:
      case FieldType::kMultilingual:
      case FieldType::kStringList:
        if (k.kind == Token::Kind::kString) return Value(k.text);
        return mismatch("write a quoted string such as '" + k.text + "'");
      case FieldType::kBool:
        return mismatch("write true or false");
      case FieldType::kInt:
        if (k.kind == Token::Kind::kInt) return Value(k.i);
        if (k.kind == Token::Kind::kDecimal) return Value(k.d);
        return mismatch("write a number such as 42");
      case FieldType::kDouble:
        if (k.kind == Token::Kind::kInt) return Value(static_cast<double>(k.i));
        if (k.kind == Token::Kind::kDecimal) return Value(k.d);
        return mismatch("write a number such as 4.2");
      case FieldType::kDate:
        if (k.kind == Token::Kind::kDate) return Value(k.date);
        if (k.kind == Token::Kind::kDateTime && k.ms % kMsPerDay == 0) {
          return Value(core::DateOf(k.ms));
        }
        if (k.kind == Token::Kind::kString) {
          if (auto d = core::ParseDate(k.text)) return Value(*d);
        }
        return mismatch("write a date such as 2015-05-08 (no quotes)");
      case FieldType::kDateTime:
        if (k.kind == Token::Kind::kDateTime) return Value(model::DateTime{k.ms});
        if (k.kind == Token::Kind::kDate) {
          return Value(model::DateTime{core::DaysFromCivil(k.date) * kMsPerDay});
        }
        if (k.kind == Token::Kind::kString) {
          if (auto ms = core::ParseDateTime(k.text)) return Value(model::DateTime{*ms});
        }
        return mismatch("write a date-time such as 2015-05-08T16:39:14Z (no quotes)");
      case FieldType::kItemList:
        return mismatch("compare its items inside any()");
    }
    return mismatch("");
  }

  static std::string Article(FieldType t) {
    switch (t) {
      case FieldType::kString:
        return "a text";
      case FieldType::kText:
        return "a text";
      case FieldType::kTerm:
        return "a code";
      case FieldType::kMultilingual:
        return "a multilingual text";
      case FieldType::kDate:
        return "a date";
      case FieldType::kDateTime:
        return "a date-time";
      case FieldType::kBool:
        return "a boolean";
      case FieldType::kInt:
        return "an integer";
      case FieldType::kDouble:
        return "a number";
      case FieldType::kStringList:
        return "a list";
      case FieldType::kItemList:
        return "a list of items";
    }
    return "a";
  }
  static std::string Example(FieldType t) {
    switch (t) {
      case FieldType::kDate:
        return "a date such as 2015-05-08";
      case FieldType::kDateTime:
        return "a date-time such as 2015-05-08T16:39:14Z";
      case FieldType::kInt:
      case FieldType::kDouble:
        return "a number";
      case FieldType::kBool:
        return "true or false";
      default:
        return "a quoted string";
    }
  }

  Result<Operand> Primary(int depth) {
    MB_RETURN_IF_ERROR(Deeper(depth, Peek().pos));
    const Token& t = Peek();
    Operand o;
    o.pos = t.pos;
    switch (t.kind) {
      case Token::Kind::kOpen: {
        Take();
        MB_ASSIGN_OR_RETURN(auto inner, Or(depth + 1));
        MB_RETURN_IF_ERROR(Expect(Token::Kind::kClose, "')'"));
        o.kind = Operand::Kind::kPredicate;
        o.text = "(...)";
        o.expr = std::move(inner);
        return o;
      }
      case Token::Kind::kString:
      case Token::Kind::kInt:
      case Token::Kind::kDecimal:
      case Token::Kind::kDate:
      case Token::Kind::kDateTime:
        o.kind = Operand::Kind::kLiteral;
        o.lit = Take();
        o.text = o.lit.text;
        return o;
      case Token::Kind::kIdent:
        break;
      default:
        return Status::InvalidArgument("expected a field, a literal or '(' at " + Pos(t.pos) +
                                       " of $filter, found " + Shown(t));
    }
    if (t.text == "null" || t.text == "true" || t.text == "false") {
      o.kind = Operand::Kind::kLiteral;
      o.lit = Take();
      o.text = o.lit.text;
      o.is_null = o.lit.text == "null";
      o.is_bool = !o.is_null;
      o.bool_value = o.lit.text == "true";
      return o;
    }
    if (Peek(1).kind == Token::Kind::kOpen) return Function(depth);
    return Path(depth);
  }

  Result<Operand> Function(int depth) {
    Token name = Take();
    Take();  // '('
    std::string fn = core::AsciiLower(name.text);
    Expr::Kind kind;
    bool reversed = false;  // substringof('text', field)
    if (fn == "contains") {
      kind = Expr::Kind::kContains;
    } else if (fn == "startswith") {
      kind = Expr::Kind::kStartsWith;
    } else if (fn == "endswith") {
      kind = Expr::Kind::kEndsWith;
    } else if (fn == "substringof") {
      kind = Expr::Kind::kContains;
      reversed = true;
    } else if (fn == "not") {
      // not(...) written as a function.
      MB_ASSIGN_OR_RETURN(auto inner, Or(depth + 1));
      MB_RETURN_IF_ERROR(Expect(Token::Kind::kClose, "')'"));
      Operand o;
      o.kind = Operand::Kind::kPredicate;
      o.pos = name.pos;
      o.text = "not(...)";
      o.expr = Expr::Not(std::move(inner));
      return o;
    } else {
      return Status::InvalidArgument("the function '" + name.text + "' at " + Pos(name.pos) +
                                     " is not supported in $filter; supported: contains, "
                                     "startswith, endswith, substringof");
    }
    MB_ASSIGN_OR_RETURN(Operand a, Primary(depth + 1));
    MB_RETURN_IF_ERROR(Expect(Token::Kind::kComma, "',' between the arguments of " + name.text));
    MB_ASSIGN_OR_RETURN(Operand b, Primary(depth + 1));
    MB_RETURN_IF_ERROR(Expect(Token::Kind::kClose, "')' closing the function call"));
    Operand& field = reversed ? b : a;
    Operand& lit = reversed ? a : b;
    if (field.kind != Operand::Kind::kField || lit.kind != Operand::Kind::kLiteral) {
      return Status::InvalidArgument(
          name.text + " at " + Pos(name.pos) + " takes " +
          (reversed ? "a string and a field: substringof('text', field)"
                    : "a field and a string: " + name.text + "(field, 'text')"));
    }
    bool texty = IsText(field.type) &&
                 (field.list_element || e_.fields[field.field].type != FieldType::kStringList);
    if (!texty) {
      std::string list_hint;
      if (!field.list_element && e_.fields[field.field].IsList()) {
        list_hint = "; for a list use " + field.text + "/any(x: " + name.text + "(x" +
                    (e_.fields[field.field].type == FieldType::kItemList ? "/field" : "") +
                    ", '...'))";
      }
      return Status::InvalidArgument(name.text + " at " + Pos(name.pos) + " needs a text field; '" +
                                     field.text + "' is " + Article(field.type) + " field" +
                                     list_hint);
    }
    if (lit.lit.kind != Token::Kind::kString || lit.is_null || lit.is_bool) {
      return Status::InvalidArgument(name.text + " at " + Pos(name.pos) +
                                     " needs a quoted string to look for, not " + LiteralKind(lit));
    }
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->field = field.field;
    e->item_field = field.item_field;
    e->literal = Value(lit.lit.text);
    Operand o;
    o.kind = Operand::Kind::kPredicate;
    o.pos = name.pos;
    o.text = name.text + "(...)";
    o.expr = std::move(e);
    return o;
  }

  std::string FieldList() const {
    std::string out;
    for (const auto& f : e_.fields) out += (out.empty() ? "" : ", ") + f.NameIn(d_);
    return out;
  }

  Result<Operand> Path(int depth) {
    Token first = Take();
    Operand o;
    o.kind = Operand::Kind::kField;
    o.pos = first.pos;
    o.text = first.text;
    if (scope_ && first.text == scope_->var) {
      o.field = Expr::kElement;
      o.list_element = true;
      const model::FieldSpec& list = *scope_->list;
      if (list.type == FieldType::kStringList) {
        o.type = FieldType::kString;
        if (Peek().kind == Token::Kind::kSlash) {
          return Status::InvalidArgument("'" + first.text + "' (at " + Pos(first.pos) +
                                         ") stands for one element of " + list.name +
                                         ", a string: it has no fields");
        }
        return o;
      }
      if (Peek().kind != Token::Kind::kSlash) {
        return Status::InvalidArgument("'" + first.text + "' (at " + Pos(first.pos) +
                                       ") stands for one item of " + list.name +
                                       ": name its field, "
                                       "e.g. " +
                                       first.text + "/" + list.item_fields[0].name);
      }
      Take();
      const Token& item = Peek();
      if (item.kind != Token::Kind::kIdent) {
        return Status::InvalidArgument("expected a field of " + list.name + " items after '/' at " +
                                       Pos(item.pos));
      }
      const model::ItemFieldSpec* spec = list.ItemField(item.text);
      if (!spec) {
        std::string names;
        for (const auto& f : list.item_fields) names += (names.empty() ? "" : ", ") + f.name;
        return Status::InvalidArgument("items of " + list.name + " have no field '" + item.text +
                                       "' (at " + Pos(item.pos) + "); they have " + names);
      }
      Take();
      o.item_field = spec->name;
      o.type = spec->type;
      o.text = first.text + "/" + spec->name;
      return o;
    }
    int index = e_.FieldIndex(first.text, d_);
    if (index < 0) {
      std::string msg = "unknown field '" + first.text + "' at " + Pos(first.pos) + " of $filter";
      if (scope_) msg += " (inside " + scope_->list->name + "/any(" + scope_->var + ": ...))";
      return Status::InvalidArgument(msg + "; " + e_.set_name + " has " + FieldList());
    }
    if (scope_) {
      return Status::InvalidArgument("inside " + scope_->list->name + "/any(" + scope_->var +
                                     ": ...) only the variable '" + scope_->var +
                                     "' can be used; '" + first.text + "' at " + Pos(first.pos) +
                                     " belongs outside");
    }
    const model::FieldSpec& spec = e_.fields[static_cast<size_t>(index)];
    o.field = index;
    o.type = spec.type;
    if (Peek().kind != Token::Kind::kSlash) return o;
    Take();
    const Token& seg = Peek();
    if (seg.kind == Token::Kind::kIdent && (seg.text == "any" || seg.text == "all") &&
        Peek(1).kind == Token::Kind::kOpen) {
      return Lambda(spec, index, depth);
    }
    if (spec.type == FieldType::kItemList) {
      return Status::InvalidArgument("'" + spec.name + "' is a list of items: write " + spec.name +
                                     "/any(x: x/" +
                                     (seg.kind == Token::Kind::kIdent ? seg.text : "field") +
                                     " eq ...) (at " + Pos(first.pos) + ")");
    }
    return Status::InvalidArgument("'" + spec.name + "' has no parts: '/" + seg.text + "' at " +
                                   Pos(seg.pos) + " of $filter is not supported" +
                                   (spec.IsList() ? " (use " + spec.name + "/any(x: ...))" : ""));
  }

  Result<Operand> Lambda(const model::FieldSpec& list, int index, int depth) {
    Token which = Take();  // any / all
    Take();                // '('
    bool all = which.text == "all";
    if (!list.IsList()) {
      return Status::InvalidArgument(which.text + "() at " + Pos(which.pos) +
                                     " needs a list field; '" + list.name + "' is " +
                                     Article(list.type) + " field");
    }
    if (scope_) {
      return Status::InvalidArgument(which.text + "() inside another any() or all() (at " +
                                     Pos(which.pos) + ") is not supported");
    }
    Operand o;
    o.kind = Operand::Kind::kPredicate;
    o.pos = which.pos;
    o.text = list.name + "/" + which.text + "(...)";
    if (Peek().kind == Token::Kind::kClose) {
      Take();
      if (all) {
        return Status::InvalidArgument("all() at " + Pos(which.pos) +
                                       " needs a condition: all(x: ...)");
      }
      auto e = std::make_unique<Expr>();
      e->kind = Expr::Kind::kAny;
      e->field = index;
      o.expr = std::move(e);
      return o;
    }
    const Token& var = Peek();
    if (var.kind != Token::Kind::kIdent || Peek(1).kind != Token::Kind::kColon) {
      return Status::InvalidArgument("expected a variable and ':' at " + Pos(var.pos) + ", as in " +
                                     list.name + "/" + which.text + "(x: x eq ...)");
    }
    if (e_.FieldIndex(var.text, d_) >= 0 || var.text == "and" || var.text == "or" ||
        var.text == "not") {
      return Status::InvalidArgument("the lambda variable '" + var.text + "' at " + Pos(var.pos) +
                                     " must not be a field name or keyword; use e.g. x");
    }
    Scope scope{var.text, &list};
    Take();
    Take();
    scope_ = &scope;
    auto body = Or(depth + 1);
    scope_ = nullptr;
    if (!body.ok()) return body.status();
    MB_RETURN_IF_ERROR(Expect(Token::Kind::kClose, "')' closing the lambda"));
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kAny;
    e->field = index;
    e->children.push_back(all ? Expr::Not(std::move(*body)) : std::move(*body));
    o.expr = all ? Expr::Not(std::move(e)) : std::move(e);
    return o;
  }

  struct Scope {
    std::string var;
    const model::FieldSpec* list;
  };

  std::vector<Token> t_;
  size_t i_ = 0;
  int conditions_ = 0;
  const model::EntitySpec& e_;
  model::Dialect d_;
  const Scope* scope_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<store::Expr>> ParseFilter(std::string_view text,
                                                 const model::EntitySpec& entity,
                                                 model::Dialect dialect) {
  std::vector<Token> tokens;
  Lexer lexer(text);
  MB_RETURN_IF_ERROR(lexer.Run(&tokens));
  Parser parser(std::move(tokens), entity, dialect);
  return parser.Run();
}

}  // namespace meabridge::publish::odata
