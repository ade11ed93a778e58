// A record's fields as the content of an Atom entry, in the OData Atom vocabulary both Atom
// outputs share (the V2 dialect's entries and the /feeds/ change feeds):
//
//   <content type="application/xml"><m:properties>
//     <d:id>c1</d:id><d:updated m:type="Edm.DateTime">2015-05-08T16:39:14Z</d:updated>
//     <d:primary m:type="Edm.Boolean">true</d:primary><d:fax m:null="true"/>
//     <d:title m:type="Collection(informea.LocalizedString)"><d:element>
//       <d:language>en</d:language><d:value>...</d:value></d:element></d:title>   (feeds only)
//   </m:properties></content>
//
// The prefixes are bound on the document's root element (kNamespaces).
//
// Pure functions: thread-safe.
#pragma once

#include <string>
#include <vector>

#include "model/record.h"

namespace meabridge::publish::atom {

// xmlns declarations for the root element: Atom (default), d:, m:, and at: (RFC 6721).
inline constexpr const char* kNamespaces =
    "xmlns=\"http://www.w3.org/2005/Atom\" "
    "xmlns:d=\"http://schemas.microsoft.com/ado/2007/08/dataservices\" "
    "xmlns:m=\"http://schemas.microsoft.com/ado/2007/08/dataservices/metadata\" "
    "xmlns:at=\"http://purl.org/atompub/tombstones/1.0\"";

struct PropertyOptions {
  // Fields to write (registry order); nullptr: all.
  const std::vector<bool>* selected = nullptr;
  // Write multilingual texts and lists as collections (the V2 dialect publishes them as
  // navigation properties instead and leaves them out here).
  bool collections = true;
  // Whose property names to write (the V2 dialect's "phoneNumber").
  model::Dialect dialect = model::Dialect::kCanonical;
};

void AppendProperties(std::string& out, const model::Record& record,
                      const PropertyOptions& options);

// An Edm.DateTime / Atom date: RFC 3339 UTC.
std::string AtomDate(core::EpochMs ms);
// The instant of a date or datetime value; nullopt for other values.
std::optional<core::EpochMs> InstantOf(const model::Value& v);

}  // namespace meabridge::publish::atom
