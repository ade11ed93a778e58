// The streaming JSON decoder (small chunks, several record and capture paths) and the shipped
// OData V2 contacts mapping over it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "codec/json_reader.h"
#include "fuzz_util.h"

namespace {
// Hands the bytes out only through Read, so that the reader really works in chunks.
class Streaming : public meabridge::codec::ByteSource {
 public:
  explicit Streaming(std::string_view text) : text_(text) {}
  meabridge::Result<size_t> Read(char* buf, size_t max) override {
    size_t n = std::min(max, text_.size() - pos_);
    std::memcpy(buf, text_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  const std::string& name() const override { return name_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  std::string name_ = "fuzz";
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace meabridge;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  codec::JsonDecodeOptions o;
  o.record_paths = {"/d/*", "/value/*", "/*/*/x"};
  o.capture_paths = {"/d/__next", "/@odata.nextLink"};
  o.odata = size % 2 == 0;
  o.chunk_size = 7 + size % 61;
  o.max_depth = 64;
  const codec::JsonRecordReader reader = *codec::JsonRecordReader::Create(o);
  Streaming streaming(text);
  auto contiguous = codec::ByteSource::FromView(text);
  codec::ByteSource& source = size % 3 == 0 ? static_cast<codec::ByteSource&>(*contiguous)
                                            : static_cast<codec::ByteSource&>(streaming);
  std::map<std::string, std::string> captured;
  codec::JsonPath path;
  std::string error;
  codec::ParseJsonPath("*/../*/~", &path, &error);
  (void)reader.Read(
      source,
      [&](const codec::JsonTree& tree, const codec::JsonPosition&) {
        std::vector<codec::JsonSelected> out;
        codec::SelectJson(tree, tree.root(), path, {true}, &out);
        (void)tree.ToJson(tree.root());
        return Status::Ok();
      },
      &captured);

  static auto contacts = fuzz::Shipped("informea-odata-v2/contacts.xml");
  static auto decisions = fuzz::Shipped("informea-odata-v2/decisions.xml");
  for (const auto& m : {contacts, decisions}) {
    if (!m) continue;
    auto s = codec::ByteSource::FromView(text);
    fuzz::NullSink sink;
    (void)m->Run(*s, {}, sink, {"/d/__next"});
  }
  return 0;
}
