#include "store/query.h"

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
}  // namespace

std::unique_ptr<Expr> Expr::And(std::unique_ptr<Expr> a, std::unique_ptr<Expr> b) {
  return Node(Kind::kAnd, std::move(a), std::move(b));
}
std::unique_ptr<Expr> Expr::Or(std::unique_ptr<Expr> a, std::unique_ptr<Expr> b) {
  return Node(Kind::kOr, std::move(a), std::move(b));
}
std::unique_ptr<Expr> Expr::Not(std::unique_ptr<Expr> a) {
  return Node(Kind::kNot, std::move(a), nullptr);
}

}  // namespace meabridge::store
