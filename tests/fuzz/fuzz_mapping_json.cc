// The mapping loader, JSON form (inbound and outbound).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_util.h"
#include "mapping/outbound.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace meabridge;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto m = mapping::Mapping::LoadText(text, "fuzz.json", /*json=*/true, fuzz::Vocabs());
  if (m.ok()) {
    auto source = codec::ByteSource::FromString("id,name\n1,x\n");
    fuzz::NullSink sink;
    (void)(*m)->Run(*source, {}, sink);
  }
  auto o = mapping::OutboundMapping::LoadText(text, "fuzz.json", /*json=*/true, fuzz::Vocabs());
  if (o.ok()) {
    codec::StringSink out;
    auto w = (*o)->NewWriter(out, {});
    if (w.ok()) {
      model::Record r(*model::Registry::Default().Find((*o)->entity().set_name));
      r.set_id("x");
      (void)(*w)->Write(r);
      (void)(*w)->Finish();
    }
  }
  return 0;
}
