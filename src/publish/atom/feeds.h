// Atom change feeds: /feeds/{entity}.atom (entity by its name, e.g. contacts, or its set name).
//
// Entries come in change order (ascending change sequence number), a page at a time; the feed
// links to the next page with `?after=SEQ` (the sequence number of the last change on the
// page), so a harvester keeps its position as one number and resumes where it stopped.
// Deleted records appear as RFC 6721 tombstones (<at:deleted-entry ref="..." when="...">)
// whose ref is the id the record's entries carried: its OData V4 URL. Each entry's content is
// the record's fields (atom/properties.h); alternate links point at its OData V4 and JSON-LD
// forms.
//
// A position older than the oldest change the store still tracks answers 410 (start from the
// first page again). The handlers are stateless: thread-safe.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "model/record.h"
#include "publish/context.h"
#include "publish/http/router.h"

namespace meabridge::publish::atom {

Status Register(http::RouteRegistry& routes, std::shared_ptr<const Context> context);

// One record as an Atom <entry> (shared with `meabridge export --format atom`): `base` is the
// base URL links start with ("https://data.example.org/").
std::string EntryXml(const model::Record& record, const std::string& base,
                     core::EpochMs fallback_updated);

}  // namespace meabridge::publish::atom
