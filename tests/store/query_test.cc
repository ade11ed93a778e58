// store::Operands: an OR's equality tests on one field gathered into one IN. (That the stores
// answer a gathered OR as the in-memory evaluator answers the OR as written is checked on both
// stores by tests/publish/odata_v4_test.cc, LongAndOrChainsUpToTheLimitMatchTheEvaluator.)
#include "store/query.h"

#include <gtest/gtest.h>

namespace meabridge::store {
namespace {

using Op = Expr::Op;

std::unique_ptr<Expr> Eq(int field, std::string v) {
  return Expr::Compare(field, Op::kEq, model::Value(std::move(v)));
}

std::vector<std::string> Literals(const Expr& e) {
  std::vector<std::string> out;
  for (const model::Value& v : e.list) out.push_back(std::get<std::string>(v));
  return out;
}

TEST(OperandsTest, EqualitiesOfOneFieldInAnOrBecomeOneIn) {
  // id eq 'a' or country eq 'FR' or id eq 'b' or id ne 'c' or id eq 'd'
  auto e = Expr::Or(Expr::Or(Expr::Or(Expr::Or(Eq(0, "a"), Eq(1, "FR")), Eq(0, "b")),
                             Expr::Compare(0, Op::kNe, model::Value(std::string("c")))),
                    Eq(0, "d"));
  ASSERT_EQ(e->children.size(), 5u) << "one chain, one node";
  std::vector<std::unique_ptr<Expr>> gathered;
  std::vector<const Expr*> ops = Operands(*e, &gathered);
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[0]->kind, Expr::Kind::kIn) << "in the place of the group's first";
  EXPECT_EQ(ops[0]->field, 0);
  EXPECT_EQ(Literals(*ops[0]), (std::vector<std::string>{"a", "b", "d"}));
  EXPECT_EQ(ops[1], e->children[1].get()) << "a lone equality stays as it is";
  EXPECT_EQ(ops[2], e->children[3].get()) << "ne is no equality";
  EXPECT_EQ(gathered.size(), 1u);
}

TEST(OperandsTest, AndNullsAndInnerFieldsAreLeftAlone) {
  auto both = Expr::And(Eq(0, "a"), Eq(0, "b"));
  std::vector<std::unique_ptr<Expr>> gathered;
  EXPECT_EQ(Operands(*both, &gathered).size(), 2u) << "and: a and b on one field is no IN";

  auto nulls = Expr::Or(Expr::Compare(0, Op::kEq, model::Value()), Eq(0, "a"));
  std::vector<const Expr*> ops = Operands(*nulls, &gathered);
  ASSERT_EQ(ops.size(), 2u) << "eq null means 'has no value': not gathered";
  EXPECT_EQ(ops[0]->kind, Expr::Kind::kCompare);

  auto elements = Expr::Or(Eq(Expr::kElement, "cbd"), Eq(Expr::kElement, "cms"));
  EXPECT_EQ(Operands(*elements, &gathered).size(), 2u) << "inside any(): left to the lambda";
  EXPECT_TRUE(gathered.empty());
}

}  // namespace
}  // namespace meabridge::store
