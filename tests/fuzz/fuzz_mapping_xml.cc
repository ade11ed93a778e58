// The mapping loader, XML form: any bytes either load or are refused with a message.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace meabridge;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto m = mapping::Mapping::LoadText(text, "fuzz.xml", /*json=*/false, fuzz::Vocabs());
  if (m.ok()) {
    // A mapping that loads must also run on a small document without failing hard.
    auto source = codec::ByteSource::FromString("{\"d\": [{\"id\": \"1\"}]}");
    fuzz::NullSink sink;
    (void)(*m)->Run(*source, {}, sink);
  }
  return 0;
}
