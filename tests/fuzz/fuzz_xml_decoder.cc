// The XML decoder (namespaces resolved by us) and the shipped Atom and UNTC mappings over it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "codec/xml_doc.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace meabridge;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto doc = codec::XmlDocument::Parse(text, {{"a", codec::kAtomNs}, {"", "urn:x"}}, "fuzz.xml");
  if (doc.ok()) {
    std::string value;
    codec::XmlDocument::StringValue((*doc)->root(), &value);
    (void)(*doc)->PositionOf((*doc)->root().last_child());
  }
  static auto atom = fuzz::Shipped("informea-odata-v2-atom/decisions.xml");
  static auto untc = fuzz::Shipped("untc/memberships.xml");
  if (atom) {
    auto s = codec::ByteSource::FromView(text);
    fuzz::NullSink sink;
    (void)atom->Run(*s, {}, sink, {"/a:feed/a:link[@rel='next']/@href"});
  }
  if (untc) {
    auto s = codec::ByteSource::FromView(text);
    fuzz::NullSink sink;
    (void)untc->Run(*s, {{"treaty", "unfccc"}}, sink);
  }
  return 0;
}
