// The OData system query options both dialects share ($orderby, $select, $top, $skip, and the
// V4 $expand syntax), and reading one page of a collection from a store snapshot with keyset
// paging.
//
// Parse errors are InvalidArgument values naming the option and the offending part; callers
// answer them with 400 in their dialect's error format.
//
// Pure functions (ReadPage reads through the caller's snapshot): thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/record.h"
#include "model/registry.h"
#include "publish/http/router.h"
#include "store/query.h"
#include "store/store.h"

namespace meabridge::publish::odata {

// Most keys accepted in one $orderby.
inline constexpr size_t kMaxOrderKeys = 8;

// "updated desc,id" -> keys. Only single-valued fields order (not lists or multilingual
// texts). An explicit trailing `id` is dropped (the store appends id ascending anyway) unless it
// is descending.
// Field names are those of `dialect`.
Result<std::vector<store::OrderKey>> ParseOrderBy(
    std::string_view text, const model::EntitySpec& entity,
    model::Dialect dialect = model::Dialect::kCanonical);

// "id,country" -> field indexes in registry order, `id` always included; "*" or "" -> {}
// (every field).
Result<std::vector<int>> ParseSelect(std::string_view text, const model::EntitySpec& entity);

// A non-negative integer option ($top, $skip).
Result<int64_t> ParseNonNegative(std::string_view text, std::string_view option);

// One $expand item: a navigation property with its own $select and nested $expand.
struct ExpandItem {
  std::string name;
  std::string select;  // raw, "" = all
  std::vector<ExpandItem> expand;
};
// "Treaty($select=title;$expand=Parent),Treaties" -> items (names are not checked here).
Result<std::vector<ExpandItem>> ParseExpand(std::string_view text, int max_depth);

struct PageSpec {
  const model::EntitySpec* entity = nullptr;
  std::shared_ptr<const store::Expr> filter;
  std::vector<store::OrderKey> order;
  int64_t limit = 100;              // records in this page
  int64_t offset = 0;               // $skip (first page only)
  std::vector<model::Value> after;  // keyset position (next pages)
};

struct Page {
  std::vector<model::Record> records;
  bool more = false;  // records follow this page
};

// Reads up to spec.limit records (one more is read to know whether more follow).
Result<Page> ReadPage(store::ReadView& view, const PageSpec& spec);

// An error from the store while answering a query, as the client sees it: InvalidArgument
// (a query the store refuses) is a 400 naming the problem; anything else is logged with
// `what` and answers 503 without the store's message.
http::HttpError StoreError(const Status& status, std::string_view what);

// "Contacts('a''b')" key literal -> "a'b"; nullopt when not a quoted string (or id='...').
std::optional<std::string> ParseKeyPredicate(std::string_view inside_parens);

}  // namespace meabridge::publish::odata
