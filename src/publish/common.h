// Small helpers every family of published endpoints uses.
//
// Pure functions (reading through the caller's snapshot): thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "model/record.h"
#include "store/store.h"

namespace meabridge::publish {

// When the snapshot's data last changed, for Last-Modified: the end of the newest run
// recorded in it (a failed run changes nothing, but is never older than the last commit). 0
// when the store has no runs.
core::EpochMs LastChange(store::ReadView& view);

// When this version of the record was stored (its provenance's fetched-at), else `fallback`.
core::EpochMs StoredAt(const model::Record& record, core::EpochMs fallback);

// A record's display title: the English (else first) text of its first multilingual field,
// else the person's name (the fields the registry maps to schema.org name parts), else its
// type and id ("Membership unfccc:FR").
std::string TitleOf(const model::Record& record);

// The six UN languages, English first: the order of published language children, and the
// declared properties of V4's informea.Multilingual.
inline constexpr const char* kUnLanguages[] = {"en", "ar", "es", "fr", "ru", "zh"};

// A multilingual value's texts in the order every published form writes them: English first,
// then the other UN languages (ar, es, fr, ru, zh with its zh-hans, zh-hant), then the rest by
// language code. The InforMEA harvester pairs summaries with bodies by position and maps every
// language outside the six to English, first one wins (docs/publishing.md).
std::vector<const model::LangText*> InPublishOrder(const model::Multilingual& texts);
// The same texts ordered for pairing by position with `partner`'s (when not nullptr): the
// languages both hold first, then the others, each group in InPublishOrder's order. The
// harvester's DecisionsODataMigration stores summary i as the summary of body i, so a summary in
// en, es beside a body in en, ar, es must come en, es / en, es, ar (PairedField()).
std::vector<const model::LangText*> InPairedOrder(const model::Multilingual& texts,
                                                  const model::Multilingual* partner);
// The multilingual field of `entity` whose children `field`'s are paired with by position:
// Decisions `content` and `summary` (DecisionsODataMigration); nullptr for every other field.
const char* PairedField(const model::EntitySpec& entity, const model::FieldSpec& field);
// InPairedOrder() of `record`'s field `index`, with its PairedField()'s texts as partner.
// REQUIRES: record.Get(index) holds a model::Multilingual
std::vector<const model::LangText*> ChildrenInOrder(const model::Record& record, size_t index);

// A file's name as published: `filename` when it already ends in the extension of the file's
// URL, or in an extension /etc/mime.types (Debian's media-types) knows; else `filename` plus
// the URL's extension when /etc/mime.types knows it, else plus the first extension it gives
// `mime_type`; else `filename` unchanged. An empty name stays empty (the harvester then takes
// the URL's last segment). "UNEP-POPS-POPRC.7-POPRC-7-6.English" with the URL ".../x.English.doc"
// -> "UNEP-POPS-POPRC.7-POPRC-7-6.English.doc".
std::string FileNameWithExtension(const std::string& filename, std::string_view url,
                                  std::string_view mime_type);

// An item field's value as published, nullopt when the item has none: the `filename` of an
// item with a `url` (the files of every entity) through FileNameWithExtension, with the item's
// `mimeType`; every other value as stored.
std::optional<std::string> PublishedItemField(const model::Item& item, const std::string& field);

}  // namespace meabridge::publish
