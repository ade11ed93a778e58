// What the source kinds that read one whole document share (file, vocabulary): the run is
// "not modified" when the document's SHA-1 equals the one the last complete harvest recorded
// (with the same mapping, parameters and meabridge) and the run is no full reconciliation;
// otherwise the document is decoded through the mapping into the spool.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "codec/byte_source.h"
#include "harvest/sources/source.h"

namespace meabridge::harvest {

// `page` names the document (file://PATH, vocab:NAME) and holds its SHA-1; `open` gives its
// bytes, called only when the document must be decoded. Errors carry "source 'NAME'".
Status ReadWholeDocument(RunContext& ctx, const std::string& source_name, const PageState& page,
                         const std::function<Result<std::unique_ptr<codec::ByteSource>>()>& open);

}  // namespace meabridge::harvest
