// Date patterns: the first line is compiled as a pattern and the rest parsed with it; the
// whole input is also parsed with the named patterns, and parsed dates are formatted back.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mapping/date_pattern.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace meabridge::mapping;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t nl = text.find('\n');
  std::string_view pattern = text.substr(0, nl);
  std::string_view value = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  auto p = DatePattern::Compile(pattern);
  ParsedDate d;
  if (p.ok() && p->Parse(value, &d)) {
    (void)p->FormatDate(d.date);
    (void)p->FormatInstant(d.Instant());
  }
  static const DatePattern kNamed =
      *DatePattern::Compile("iso | odata | untc | epoch-ms | epoch-s | d F Y | d M Y | dd/mm/yyyy");
  if (kNamed.Parse(text, &d)) {
    (void)kNamed.FormatInstant(d.Instant());
  }
  (void)ParseIsoDate(text, &d);
  return 0;
}
