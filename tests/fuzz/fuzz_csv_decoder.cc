// The CSV decoder (small chunks, two delimiters) and the shipped CSV mappings over it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "codec/csv_reader.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace meabridge;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (char delimiter : {',', ';'}) {
    auto source = codec::ByteSource::FromView(text);
    codec::CsvOptions o;
    o.delimiter = delimiter;
    o.chunk_size = 5 + size % 37;
    o.max_row_bytes = 1 << 16;
    codec::CsvReader reader(*source, o);
    codec::CsvRow row;
    for (int i = 0; i < 100000; ++i) {
      auto more = reader.Next(&row);
      if (!more.ok() || !*more) break;
    }
  }
  static auto status = fuzz::Shipped("status-csv/memberships.json");
  static auto focal = fuzz::Shipped("focal-points-csv/contacts.json");
  if (status) {
    auto s = codec::ByteSource::FromView(text);
    fuzz::NullSink sink;
    (void)status->Run(*s, {{"treaty", "unfccc"}}, sink);
  }
  if (focal) {
    auto s = codec::ByteSource::FromView(text);
    fuzz::NullSink sink;
    (void)focal->Run(*s, {}, sink);
  }
  return 0;
}
