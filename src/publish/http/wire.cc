#include "publish/http/wire.h"

#include <Poco/DeflatingStream.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <sstream>
#include <streambuf>

#include "core/strings.h"

namespace meabridge::publish::http {
namespace {

constexpr size_t kMaxIov = 16;

const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// A streambuf that hands what is written to a BodyWriter (for Poco's deflating stream).
class WriterBuf : public std::streambuf {
 public:
  explicit WriterBuf(BodyWriter& out) : out_(out) {}
  const Status& status() const { return status_; }

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (!status_.ok()) return 0;
    status_ = out_.Write(std::string_view(s, static_cast<size_t>(n)));
    return status_.ok() ? n : 0;
  }
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    char ch = traits_type::to_char_type(c);
    return xsputn(&ch, 1) == 1 ? c : traits_type::eof();
  }

 private:
  BodyWriter& out_;
  Status status_;
};

}  // namespace

Status SendAll(int fd, const std::vector<std::string_view>& parts) {
  iovec iov[kMaxIov];
  size_t n = 0;
  for (std::string_view p : parts) {
    if (p.empty()) continue;
    if (n == kMaxIov) return Status::Internal("SendAll: too many parts");
    iov[n].iov_base = const_cast<char*>(p.data());
    iov[n].iov_len = p.size();
    ++n;
  }
  size_t first = 0;
  while (first < n) {
    msghdr msg{};
    msg.msg_iov = iov + first;
    msg.msg_iovlen = n - first;
    ssize_t sent = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return Status::IoError("sending the response timed out (the client stopped reading)");
      }
      return Status::IoError(std::string("sending the response failed: ") + std::strerror(errno));
    }
    auto left = static_cast<size_t>(sent);
    while (first < n && left >= iov[first].iov_len) {
      left -= iov[first].iov_len;
      ++first;
    }
    if (first < n) {
      iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
      iov[first].iov_len -= left;
    }
  }
  return Status::Ok();
}

ChunkedWriter::ChunkedWriter(int fd, size_t chunk_size) : fd_(fd), chunk_size_(chunk_size) {
  buf_.reserve(chunk_size_);
}

Status ChunkedWriter::Write(std::string_view bytes) {
  if (!failed_.ok()) return failed_;
  while (!bytes.empty()) {
    size_t take = std::min(bytes.size(), chunk_size_ - buf_.size());
    buf_.append(bytes.data(), take);
    bytes.remove_prefix(take);
    if (buf_.size() >= chunk_size_) MB_RETURN_IF_ERROR(Flush());
  }
  return Status::Ok();
}

Status ChunkedWriter::Flush() {
  if (buf_.empty()) return Status::Ok();
  char head[24];
  int len = std::snprintf(head, sizeof head, "%zx\r\n", buf_.size());
  failed_ = SendAll(fd_, {std::string_view(head, static_cast<size_t>(len)), buf_, "\r\n"});
  bytes_ += buf_.size();
  buf_.clear();
  return failed_;
}

Status ChunkedWriter::Finish() {
  MB_RETURN_IF_ERROR(Flush());
  failed_ = SendAll(fd_, {"0\r\n\r\n"});
  return failed_;
}

struct GzipWriter::Impl {
  explicit Impl(BodyWriter& out, int level)
      : buf(out), os(&buf), deflate(os, Poco::DeflatingStreamBuf::STREAM_GZIP, level) {}
  WriterBuf buf;
  std::ostream os;
  Poco::DeflatingOutputStream deflate;
};

GzipWriter::GzipWriter(BodyWriter& out, int level) : impl_(new Impl(out, level)) {}
GzipWriter::~GzipWriter() { delete impl_; }

Status GzipWriter::Write(std::string_view bytes) {
  impl_->deflate.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!impl_->buf.status().ok()) return impl_->buf.status();
  if (!impl_->deflate) return Status::IoError("gzip compression failed");
  return Status::Ok();
}

Status GzipWriter::Finish() {
  impl_->deflate.close();
  return impl_->buf.status();
}

std::string Gzip(std::string_view body, int level) {
  std::ostringstream out;
  {
    Poco::DeflatingOutputStream deflate(out, Poco::DeflatingStreamBuf::STREAM_GZIP, level);
    deflate.write(body.data(), static_cast<std::streamsize>(body.size()));
    deflate.close();
  }
  return std::move(out).str();
}

std::string FormatHttpDate(core::EpochMs ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::optional<core::EpochMs> ParseHttpDate(std::string_view text) {
  text = core::Trim(text);
  std::tm tm{};
  char mon[4] = {0};
  char wday[10] = {0};
  int day = 0, year = 0, hh = 0, mm = 0, ss = 0;
  std::string s(text);
  bool ok = false;
  if (std::sscanf(s.c_str(), "%3s, %2d %3s %4d %2d:%2d:%2d GMT", wday, &day, mon, &year, &hh, &mm,
                  &ss) == 7) {
    ok = true;
  } else if (std::sscanf(s.c_str(), "%9[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d GMT", wday, &day, mon,
                         &year, &hh, &mm, &ss) == 7) {
    year += year < 70 ? 2000 : 1900;
    ok = true;
  } else if (std::sscanf(s.c_str(), "%3s %3s %d %2d:%2d:%2d %4d", wday, mon, &day, &hh, &mm, &ss,
                         &year) == 7) {
    ok = true;
  }
  if (!ok) return std::nullopt;
  int month = -1;
  for (int i = 0; i < 12; ++i) {
    if (std::strncmp(mon, kMonths[i], 3) == 0) month = i + 1;
  }
  if (month < 0 || !core::IsValidDate(year, month, day) || hh > 23 || mm > 59 || ss > 60) {
    return std::nullopt;
  }
  (void)tm;
  int64_t days = core::DaysFromCivil(core::CivilDate{year, month, day});
  return ((days * 24 + hh) * 60 + mm) * 60000LL + ss * 1000LL;
}

std::string_view CurrentHttpDate() {
  thread_local std::time_t last = 0;
  thread_local std::string text;
  std::time_t now = std::time(nullptr);
  if (now != last || text.empty()) {
    text = FormatHttpDate(static_cast<core::EpochMs>(now) * 1000);
    last = now;
  }
  return text;
}

}  // namespace meabridge::publish::http
