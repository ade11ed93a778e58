// The shared vocabularies as JSON, so that partners can see the terms records are mapped to:
//
//   /vocab/                      every vocabulary: name, description, term count, URL
//   /vocab/{name}                its terms: code, label, labels per language, aliases, and
//                                parent (treaties), uri (glossary), historical (countries)
//   /vocab/{name}/{code}         one term (404 when the code is not canonical there)
//
// Vocabularies are immutable after loading: responses depend on nothing else (cached as
// static). Without loaded vocabularies the routes answer 503. Stateless handlers: thread-safe.
#pragma once

#include <memory>

#include "core/status.h"
#include "publish/context.h"
#include "publish/http/router.h"

namespace meabridge::publish::vocab_json {

Status Register(http::RouteRegistry& routes, std::shared_ptr<const Context> context);

}  // namespace meabridge::publish::vocab_json
