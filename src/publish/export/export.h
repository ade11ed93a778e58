// One-off exports (`meabridge export`): the live records of one entity set, filtered by treaty,
// country and update time, streamed from a store snapshot through one of the publisher's own
// renderers (no second copy of any format):
//
//   json    OData V4 JSON, as /odata/v4/{Set} writes it: {"@odata.context", "value": [...]},
//           one entity per line (odata_v4::WriteRecord)
//   csv     RFC 4180 CSV, as /export/{entity}.csv writes it (csv::HeaderRow, csv::Row)
//   xml     the InforMEA OData V2 dialect's Atom/XML feed, as /informea.svc/{Set} writes it,
//           with every navigation property (multilingual texts, lists) inlined so the file
//           stands alone (odata_v2::AppendAtomEntry)
//   atom    an Atom feed of the entries /feeds/{entity}.atom carries (atom::EntryXml): the
//           snapshot's live records, in id order, without tombstones
//   jsonld  {"@context": {...}, "@graph": [...]}: the entity set's JSON-LD context inlined, the
//           nodes /ld/{entity} writes (jsonld::WriteNode)
//
// or through a partner profile's outbound mapping (mapping/outbound.h), as /feeds/{profile}/...
//
// Streaming: records flow from ReadView::Scan into a buffer of at most ~64 KB that is handed to
// the sink whenever it fills, so memory does not grow with the number of records.
//
// Pure functions over the caller's view and sink: thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codec/byte_source.h"
#include "core/status.h"
#include "core/time.h"
#include "mapping/mapping.h"
#include "model/registry.h"
#include "store/query.h"
#include "store/store.h"

namespace meabridge::mapping {
class OutboundMapping;
}

namespace meabridge::publish::exports {

struct Format {
  std::string name;        // "json"
  std::string media_type;  // "application/json"
  std::string summary;     // one line for --help and errors
};

// The formats, in the order --help lists them: json, csv, xml, atom, jsonld.
const std::vector<Format>& Formats();
const Format* FindFormat(std::string_view name);
// "json, csv, xml, atom, jsonld" for error messages.
std::string FormatNames();

struct ExportOptions {
  const model::EntitySpec* entity = nullptr;  // REQUIRED
  // A format name from Formats(); ignored when `profile` is set.
  std::string format = "json";
  // A partner profile's outbound mapping for `entity`, and its parameters.
  std::shared_ptr<const mapping::OutboundMapping> profile;
  mapping::Params params;
  // Canonical codes ("cbd", "FR"); "" = no filter.
  std::string treaty;
  std::string country;
  // Records whose `updated` is at or after this instant.
  std::optional<core::EpochMs> since;
  // Where links and ids in the output start ("https://data.example.org/"; ends in '/').
  std::string base_url = "http://localhost:8080/";
};

// The store query for the options: the entity, and its treaty / country / since filter.
// InvalidArgument when the entity has no field to filter by (e.g. --country on Treaties),
// naming the entities that have one. Treaties filtered by treaty: the treaty and its protocols.
Result<store::Query> BuildQuery(const ExportOptions& options);

// Called after each record with the number written so far.
using ProgressFn = std::function<void(int64_t written)>;

// Streams every record `query` selects from `view` through the options' format (or profile)
// into `out`. Returns the number of records written (records an outbound mapping refuses are
// not counted). A failed sink write or store read stops the export with that status.
Result<int64_t> Export(store::ReadView& view, const store::Query& query,
                       const ExportOptions& options, codec::ByteSink& out,
                       const ProgressFn& progress = nullptr);

}  // namespace meabridge::publish::exports
