#include "codec/byte_source.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ostream>

namespace meabridge::codec {
namespace {

class ViewSource : public ByteSource {
 public:
  ViewSource(std::string_view data, std::string name) : data_(data), name_(std::move(name)) {}
  Result<size_t> Read(char* buf, size_t max) override {
    size_t n = std::min(max, data_.size() - pos_);
    if (n > 0) std::memcpy(buf, data_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  const std::string& name() const override { return name_; }
  bool TakeContiguous(std::string_view* rest) override {
    *rest = data_.substr(pos_);
    pos_ = data_.size();
    return true;
  }

 protected:
  std::string_view data_;
  size_t pos_ = 0;
  std::string name_;
};

class StringSource : public ViewSource {
 public:
  StringSource(std::string data, std::string name)
      : ViewSource(std::string_view(), std::move(name)), owned_(std::move(data)) {
    data_ = owned_;
  }

 private:
  std::string owned_;
};

class FileSource : public ByteSource {
 public:
  FileSource(std::FILE* f, std::string path) : file_(f), name_(std::move(path)) {}
  ~FileSource() override { std::fclose(file_); }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  Result<size_t> Read(char* buf, size_t max) override {
    size_t n = std::fread(buf, 1, max, file_);
    if (n == 0 && std::ferror(file_)) {
      return Status::IoError("error reading " + name_ + ": " + std::strerror(errno));
    }
    return n;
  }
  const std::string& name() const override { return name_; }

 private:
  std::FILE* file_;
  std::string name_;
};

class FileRangeSource : public ByteSource {
 public:
  FileRangeSource(std::shared_ptr<std::FILE> f, int64_t offset, int64_t size, std::string name)
      : file_(std::move(f)), at_(offset), left_(size), name_(std::move(name)) {}

  Result<size_t> Read(char* buf, size_t max) override {
    if (left_ <= 0) return size_t{0};
    size_t want = static_cast<size_t>(std::min<int64_t>(left_, static_cast<int64_t>(max)));
    if (std::fseek(file_.get(), static_cast<long>(at_), SEEK_SET) != 0) {
      return Status::IoError("error reading " + name_ + " back from the temporary folder: " +
                             std::strerror(errno));
    }
    size_t n = std::fread(buf, 1, want, file_.get());
    if (n == 0) {
      return Status::IoError("error reading " + name_ + " back from the temporary folder: " +
                             (std::ferror(file_.get()) ? std::strerror(errno)
                                                       : "the file is shorter than written"));
    }
    at_ += static_cast<int64_t>(n);
    left_ -= static_cast<int64_t>(n);
    return n;
  }
  const std::string& name() const override { return name_; }

 private:
  std::shared_ptr<std::FILE> file_;
  int64_t at_;
  int64_t left_;
  std::string name_;
};

}  // namespace

std::unique_ptr<ByteSource> ByteSource::FromFileRange(std::shared_ptr<std::FILE> file,
                                                      int64_t offset, int64_t size,
                                                      std::string name) {
  return std::make_unique<FileRangeSource>(std::move(file), offset, size, std::move(name));
}

std::unique_ptr<ByteSource> ByteSource::FromString(std::string data, std::string name) {
  return std::make_unique<StringSource>(std::move(data), std::move(name));
}

std::unique_ptr<ByteSource> ByteSource::FromView(std::string_view data, std::string name) {
  return std::make_unique<ViewSource>(data, std::move(name));
}

Result<std::unique_ptr<ByteSource>> ByteSource::FromFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Status::IoError("cannot read " + path + ": " + std::strerror(errno));
  return std::unique_ptr<ByteSource>(std::make_unique<FileSource>(f, path));
}

Result<std::string> ReadAll(ByteSource& source, size_t limit) {
  std::string out;
  constexpr size_t kChunk = 64 * 1024;
  for (;;) {
    size_t old = out.size();
    out.resize(old + kChunk);
    MB_ASSIGN_OR_RETURN(size_t n, source.Read(out.data() + old, kChunk));
    out.resize(old + n);
    if (n == 0) break;
    if (out.size() > limit) {
      return Status::IoError(source.name() + ": more than " + std::to_string(limit) +
                             " bytes; this decoder reads whole documents");
    }
  }
  return out;
}

Status OstreamSink::Write(std::string_view bytes) {
  out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out_) return Status::IoError("cannot write the output (stream failed)");
  return Status::Ok();
}

}  // namespace meabridge::codec
