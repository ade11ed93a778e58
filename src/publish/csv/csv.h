// CSV exports: /export/{entity}.csv, every live record of an entity set, streamed (memory does
// not grow with the number of records), RFC 4180 (CRLF line ends, fields quoted when they hold
// a comma, quote or line break), UTF-8, a header row.
//
// Columns come from the registry in declaration order: one per single-valued field (named as
// the field), one per language for multilingual fields (title.en, title.fr, ...; the languages
// are ?languages=en,fr,... or the six UN languages ar, en, es, fr, ru, zh; zh falls back to
// zh-hans, then zh-hant), string lists joined with '|', item lists as a JSON array. Booleans
// are true/false, dates YYYY-MM-DD, date-times RFC 3339 UTC.
//
// $filter and $orderby apply as in OData. Thread-compatible writer; stateless handlers.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/record.h"
#include "publish/context.h"
#include "publish/http/router.h"

namespace meabridge::publish::csv {

// Appends `text` as one RFC 4180 field: quoted when it holds a comma, quote or line break, or
// starts or ends with a space (`meabridge rejects --format csv` writes its cells with it too).
void AppendCell(std::string& out, std::string_view text);

// The default languages of multilingual columns.
const std::vector<std::string>& DefaultLanguages();

// Column names of an entity set for `languages`.
std::vector<std::string> Columns(const model::EntitySpec& entity,
                                 const std::vector<std::string>& languages);

// The header row, and one record's row (each ending in CRLF).
std::string HeaderRow(const model::EntitySpec& entity, const std::vector<std::string>& languages);
std::string Row(const model::Record& record, const std::vector<std::string>& languages);

Status Register(http::RouteRegistry& routes, std::shared_ptr<const Context> context);

}  // namespace meabridge::publish::csv
