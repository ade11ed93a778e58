// The file source kind: one local file, decoded through the mapping. A file whose SHA-1 equals
// the one the last complete harvest recorded (with the same mapping, parameters and meabridge)
// is not decoded again: the run is "not modified" (unless it is a full reconciliation); that
// check and the decoding are whole_document.h's, shared with the vocabulary source.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/hash.h"
#include "harvest/sources/source.h"
#include "harvest/sources/whole_document.h"

namespace meabridge::harvest {
namespace {

class FileSource final : public Source {
 public:
  explicit FileSource(const config::SourceConfig& cfg) : cfg_(cfg) {}

  Status Read(RunContext& ctx) override {
    const std::string& path = cfg_.path;
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (ec) {
      return Status::IoError("source '" + cfg_.name + "': cannot read " + path + ": " +
                             ec.message());
    }
    if (static_cast<int64_t>(size) > cfg_.max_size) {
      return Status::IoError("source '" + cfg_.name + "': " + path + " is larger than max-size (" +
                             std::to_string(cfg_.max_size) + " bytes)");
    }
    // Hash it first (cheap: read sequentially), so an unchanged file costs no decoding.
    MB_ASSIGN_OR_RETURN(std::string sha1, HashFile(path));
    ++ctx.pages;
    ctx.bytes += static_cast<int64_t>(size);
    return ReadWholeDocument(ctx, cfg_.name, PageState{"file://" + path, "", "", sha1},
                             [&path] { return codec::ByteSource::FromFile(path); });
  }

 private:
  Result<std::string> HashFile(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
      return Status::IoError("source '" + cfg_.name + "': cannot open " + path + ": " +
                             std::strerror(errno));
    }
    // SHA-1 chained over 1 MB chunks (sha1(previous hex + chunk)): content-based, streaming.
    core::Hasher hasher;
    std::string chain;
    std::string buf(1 << 20, '\0');
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
      chain.append(buf.data(), n);
      chain = hasher.Hex(chain);
    }
    bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed) return Status::IoError("source '" + cfg_.name + "': reading " + path + " failed");
    return chain;
  }

  const config::SourceConfig& cfg_;
};

}  // namespace

void RegisterFileSource(SourceRegistry& registry) {
  registry.Add("file", [](const config::SourceConfig& cfg) -> Result<std::unique_ptr<Source>> {
    return std::unique_ptr<Source>(std::make_unique<FileSource>(cfg));
  });
}

}  // namespace meabridge::harvest
