// A backend-neutral query over one entity: a filter tree, ordering, paging. The publisher
// compiles OData $filter/$orderby into it; each store backend turns it into parameterised SQL
// (nothing from a URL is ever pasted into SQL text: literals travel as bound parameters, and
// field names come from the registry, never from the request).
//
// Plain values: thread-compatible.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/record.h"

namespace meabridge::store {

// A filter expression.
//
//   kAnd, kOr          children[0..n); And()/Or() keep a chain of one operator one node
//   kNot               children[0]
//   kCompare           field `op` literal; a null literal with kEq/kNe means "has no value" /
//                      "has a value". On a multilingual field, true when any language's text
//                      compares true. On a string-list field, kEq/kNe test membership.
//   kContains,         field contains / starts with / ends with the string literal,
//   kStartsWith,       case-sensitive (as OData); on multilingual fields, any language.
//   kEndsWith
//   kIn                field equals one of `list`
//   kAny               some element of the list field `field` satisfies children[0], whose
//                      own `field` is kElement (the element itself, for string lists) or
//                      kElement with `item_field` set (items: r/treaty)
//   kTrue              matches everything (`$filter=true`)
struct Expr {
  enum class Kind { kAnd, kOr, kNot, kCompare, kContains, kStartsWith, kEndsWith, kIn, kAny, kTrue };
  enum class Op { kEq, kNe, kGt, kGe, kLt, kLe };
  static constexpr int kElement = -2;  // `field` inside kAny: the list element

  Kind kind = Kind::kTrue;
  Op op = Op::kEq;
  int field = -1;          // registry field index, or kElement
  std::string item_field;  // inside kAny over an item list: which item field
  model::Value literal;    // kCompare, kContains ...: monostate is null
  std::vector<model::Value> list;  // kIn
  std::vector<std::unique_ptr<Expr>> children;

  static std::unique_ptr<Expr> Compare(int field, Op op, model::Value literal);
  static std::unique_ptr<Expr> And(std::unique_ptr<Expr> a, std::unique_ptr<Expr> b);
  static std::unique_ptr<Expr> Or(std::unique_ptr<Expr> a, std::unique_ptr<Expr> b);
  static std::unique_ptr<Expr> Not(std::unique_ptr<Expr> a);
};

struct OrderKey {
  int field = 0;  // registry field index (scalar fields only)
  bool descending = false;
};

struct Query {
  const model::EntitySpec* entity = nullptr;  // REQUIRED
  std::shared_ptr<const Expr> filter;         // nullptr: every live record
  // The store appends `id` ascending as the final tie-breaker, so every order is total and
  // keyset paging is exact.
  std::vector<OrderKey> order_by;
  int64_t limit = -1;  // -1: no limit
  int64_t offset = 0;
  // Keyset paging: when non-empty, only records strictly after this position in the order,
  // given as one value per order key followed by the id (as read from the last record of the
  // previous page). Used by next links so that paging stays exact while harvests commit.
  std::vector<model::Value> after;
};

// The SQL of an n-ary AND/OR: `parts` joined by `op` ("AND", "OR") in balanced parentheses,
// ((a OP b) OP (c OP d)), so that a chain of 1,000 conditions nests 10 levels deep and no
// database's parser stack or expression depth limit is reached. Each backend's query compiler
// uses it.
std::string JoinBalanced(const std::vector<std::string>& parts, std::string_view op);

// What a backend compiles for the children of an AND/OR node `e`. For an OR, the equality
// tests of one field against non-null literals (`id eq 'a' or id eq 'b' or ...`), when there
// are two or more of them, are gathered into one kIn node (SQL `IN (...)`: one index probe per
// value instead of a chain of ORs), kept alive in `gathered`; the other children come as they
// are, in their order. The result means what `e` means (a field compared with `eq` means what
// `in` means on every shape: scalar, multilingual, string list). Null children stay null.
std::vector<const Expr*> Operands(const Expr& e, std::vector<std::unique_ptr<Expr>>* gathered);

}  // namespace meabridge::store
