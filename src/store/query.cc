#include "store/query.h"

#include <map>
#include <variant>

namespace meabridge::store {

std::unique_ptr<Expr> Expr::Compare(int field, Op op, model::Value literal) {
  auto e = std::make_unique<Expr>();
  e->kind = Kind::kCompare;
  e->field = field;
  e->op = op;
  e->literal = std::move(literal);
  return e;
}

namespace {
std::unique_ptr<Expr> Node(Expr::Kind kind, std::unique_ptr<Expr> a, std::unique_ptr<Expr> b) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->children.push_back(std::move(a));
  if (b) e->children.push_back(std::move(b));
  return e;
}

// A chain of one operator stays one node: `a or b or c` is kOr(a, b, c), however it was
// grouped, so that a long chain is as shallow to compile as it is to read.
std::unique_ptr<Expr> Chain(Expr::Kind kind, std::unique_ptr<Expr> a, std::unique_ptr<Expr> b) {
  if (!a || !b) return Node(kind, std::move(a), std::move(b));
  if (a->kind != kind) return Node(kind, std::move(a), std::move(b));
  if (b->kind == kind) {
    for (auto& c : b->children) a->children.push_back(std::move(c));
  } else {
    a->children.push_back(std::move(b));
  }
  return a;
}
}  // namespace

std::unique_ptr<Expr> Expr::And(std::unique_ptr<Expr> a, std::unique_ptr<Expr> b) {
  return Chain(Kind::kAnd, std::move(a), std::move(b));
}
std::unique_ptr<Expr> Expr::Or(std::unique_ptr<Expr> a, std::unique_ptr<Expr> b) {
  return Chain(Kind::kOr, std::move(a), std::move(b));
}

std::vector<const Expr*> Operands(const Expr& e, std::vector<std::unique_ptr<Expr>>* gathered) {
  std::vector<const Expr*> out;
  out.reserve(e.children.size());
  auto gatherable = [](const Expr* c) {
    return c && c->kind == Expr::Kind::kCompare && c->op == Expr::Op::kEq && c->field >= 0 &&
           c->item_field.empty() && !std::holds_alternative<std::monostate>(c->literal);
  };
  std::map<int, std::vector<const Expr*>> by_field;
  if (e.kind == Expr::Kind::kOr) {
    for (const auto& c : e.children) {
      if (gatherable(c.get())) by_field[c->field].push_back(c.get());
    }
  }
  for (const auto& c : e.children) {
    if (!gatherable(c.get()) || by_field[c->field].size() < 2) {
      out.push_back(c.get());
      continue;
    }
    std::vector<const Expr*>& group = by_field[c->field];
    if (group.front() != c.get()) continue;  // gathered with the group's first
    auto in = std::make_unique<Expr>();
    in->kind = Expr::Kind::kIn;
    in->field = c->field;
    in->list.reserve(group.size());
    for (const Expr* g : group) in->list.push_back(g->literal);
    out.push_back(in.get());
    gathered->push_back(std::move(in));
  }
  return out;
}

std::string JoinBalanced(const std::vector<std::string>& parts, std::string_view op) {
  // Halves recursively: depth log2(n), never a left-deep chain.
  auto join = [&](auto&& self, size_t from, size_t to) -> std::string {
    if (to - from == 1) return parts[from];
    size_t mid = from + (to - from) / 2;
    std::string out = "(";
    out += self(self, from, mid);
    out += ' ';
    out += op;
    out += ' ';
    out += self(self, mid, to);
    out += ')';
    return out;
  };
  return parts.empty() ? std::string() : join(join, 0, parts.size());
}
std::unique_ptr<Expr> Expr::Not(std::unique_ptr<Expr> a) {
  return Node(Kind::kNot, std::move(a), nullptr);
}

}  // namespace meabridge::store
