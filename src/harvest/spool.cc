#include "harvest/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/json.h"
#include "core/strings.h"
#include "model/canonical_json.h"

namespace meabridge::harvest {
namespace {

constexpr size_t kBufferSize = 1 << 20;

std::string TempDir() {
  const char* t = std::getenv("TMPDIR");
  return t && *t ? t : "/tmp";
}

std::string JsonString(std::string_view s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return std::string(buf.GetString(), buf.GetSize());
}

std::string Str(const rapidjson::Value& obj, const char* name) {
  const rapidjson::Value* v = json::Member(obj, name);
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
}

}  // namespace

uint64_t IdHash(std::string_view id) {
  // FNV-1a, then a final avalanche (splitmix64): ids are short and similar.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : id) {
    h ^= c;
    h *= 1099511628211ull;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

Result<FILE*> CreateAnonymousFile() {
  std::string dir = TempDir();
  int fd = -1;
#ifdef O_TMPFILE
  fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
  if (fd < 0) {
    std::string tmpl = dir + "/meabridge-spool-XXXXXX";
    fd = ::mkstemp(tmpl.data());
    if (fd >= 0) ::unlink(tmpl.c_str());
  }
  if (fd < 0) {
    return Status::IoError("cannot create a temporary file in " + dir + ": " +
                           std::strerror(errno) + " (set TMPDIR to a writable folder)");
  }
  FILE* f = ::fdopen(fd, "w+");
  if (!f) {
    ::close(fd);
    return Status::IoError("cannot open a temporary file: " + std::string(std::strerror(errno)));
  }
  return f;
}

Result<std::unique_ptr<Spool>> Spool::Create(std::stop_token stop) {
  MB_ASSIGN_OR_RETURN(FILE * f, CreateAnonymousFile());
  return std::unique_ptr<Spool>(new Spool(f, std::move(stop)));
}

Spool::Spool(FILE* file, std::stop_token stop)
    : file_(file), stop_(std::move(stop)), buffer_(new char[kBufferSize]) {
  std::setvbuf(file_, buffer_.get(), _IOFBF, kBufferSize);
}

Spool::~Spool() {
  if (file_) std::fclose(file_);
}

Status Spool::WriteLine(char tag, std::string_view json) {
  if (!write_error_.ok()) return write_error_;
  if (std::fputc(tag, file_) == EOF ||
      std::fwrite(json.data(), 1, json.size(), file_) != json.size() ||
      std::fputc('\n', file_) == EOF) {
    write_error_ = Status::IoError("writing the harvest spool in " + TempDir() +
                                   " failed: " + std::strerror(errno) + " (is the disk full?)");
  }
  return write_error_;
}

constexpr uint64_t kUnknown = ~uint64_t{0};

size_t SeenIds::Slot(uint64_t key) const {
  // The keys are hashes already; the multiply spreads any that share low bits.
  const size_t mask = slots_.size() - 1;
  size_t i = static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> 20) & mask;
  while (slots_[i].first != 0 && slots_[i].first != key) i = (i + 1) & mask;
  return i;
}

void SeenIds::Grow() {
  std::vector<std::pair<uint64_t, uint64_t>> old;
  old.swap(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, {0, 0});
  for (const auto& e : old) {
    if (e.first != 0) slots_[Slot(e.first)] = e;
  }
}

std::pair<uint64_t, bool> SeenIds::Emplace(uint64_t key, uint64_t value) {
  if (key == 0) key = 1;
  if ((size_ + 1) * 5 > slots_.size() * 4) Grow();
  auto& slot = slots_[Slot(key)];
  if (slot.first == key) return {slot.second, false};
  slot = {key, value};
  ++size_;
  return {value, true};
}

bool SeenIds::Contains(uint64_t key) const {
  if (key == 0) key = 1;
  return !slots_.empty() && slots_[Slot(key)].first == key;
}

bool Spool::NoteId(std::string_view id, uint64_t* first) {
  if (id.empty()) return true;
  ++page_.records;
  const uint64_t here = (page_number_ << 32) | static_cast<uint64_t>(page_.records);
  auto [kept, inserted] = seen_.Emplace(IdHash(id), here);
  if (inserted) return true;
  ++page_.duplicates;
  *first = kept;
  return false;
}

std::string Spool::Locator(uint64_t at) const {
  if (at == kUnknown) return "an unchanged page of this run";
  const uint64_t page = at >> 32, record = at & 0xffffffffu;
  std::string s = "record " + std::to_string(record);
  if (page > 0) s = "page " + std::to_string(page) + ", " + s;
  return s;
}

Status Spool::Duplicate(const std::string& id, uint64_t first, std::string position,
                        const std::string& also) {
  ++duplicates_;
  mapping::Reject r;
  r.record_id = id;
  r.position = std::move(position);
  r.field = "id";
  r.rule = "duplicate-id";
  r.value = id;
  r.message = "the id " + core::Quote(id) + " came already at " + Locator(first) +
              " of this run (" + r.position + " is " +
              Locator((page_number_ << 32) | page_.records) +
              "): the first record is kept and this later one is rejected. Ids must be unique "
              "within a source: check the source (a query joining rows repeats them) and the "
              "mapping's id rule" +
              also;
  return WriteReject(r);
}

Status Spool::OnRecord(model::Record record) { return AddRecord(std::move(record), nullptr); }

Status Spool::OnRecordAt(model::Record record, const mapping::RecordPosition& position) {
  return AddRecord(std::move(record), &position);
}

Status Spool::AddRecord(model::Record record, const mapping::RecordPosition* position) {
  if (stop_.stop_requested()) return Status::Aborted("stopped (shutdown or run timeout)");
  uint64_t first = 0;
  if (!NoteId(record.id(), &first)) {
    std::string id = record.id();
    return Duplicate(
        id, first, position ? position->Get() : Locator((page_number_ << 32) | page_.records), "");
  }
  ++records_;
  for (std::string& field : model::ReplaceXmlIllegal(record)) {
    Replaced& r = replaced_[field];
    if (r.records++ == 0) r.first_id = record.id();
  }
  return WriteLine('R', model::CanonicalJson(record));
}

std::vector<std::string> Spool::ReplacementWarnings() const {
  std::vector<std::string> out;
  for (const auto& [field, r] : replaced_) {
    out.push_back("field '" + field + "' of " + std::to_string(r.records) +
                  (r.records == 1 ? " record" : " records") + " (the first: " +
                  core::Quote(r.first_id) +
                  ") held characters XML 1.0 cannot carry (a control character, U+FFFE or "
                  "U+FFFF), stored as U+FFFD: check the source's encoding");
  }
  return out;
}

Status Spool::OnReject(mapping::Reject reject) {
  if (stop_.stop_requested()) return Status::Aborted("stopped (shutdown or run timeout)");
  uint64_t first = 0;
  if (reject.record_id.empty()) {
    ++page_.records;
  } else if (!NoteId(reject.record_id, &first)) {
    return Duplicate(reject.record_id, first, reject.position,
                     " (this later record would have been rejected anyway: " + reject.rule + ": " +
                         reject.message + ")");
  }
  return WriteReject(reject);
}

Status Spool::WriteReject(const mapping::Reject& reject) {
  ++rejects_;
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("record_id");
  w.String(reject.record_id);
  w.Key("position");
  w.String(reject.position);
  w.Key("field");
  w.String(reject.field);
  w.Key("rule");
  w.String(reject.rule);
  w.Key("value");
  w.String(reject.value);
  w.Key("message");
  w.String(reject.message);
  w.EndObject();
  return WriteLine('X', std::string_view(buf.GetString(), buf.GetSize()));
}

Status Spool::OnDeleted(std::string id, std::string position) {
  if (stop_.stop_requested()) return Status::Aborted("stopped (shutdown or run timeout)");
  if (id.empty()) return Status::Ok();
  ++deletions_;
  ++page_.records;
  return WriteLine('D',
                   "{\"id\":" + JsonString(id) + ",\"position\":" + JsonString(position) + "}");
}

void Spool::BeginPage() {
  page_ = PageCounts{};
  ++page_number_;
}

Spool::PageCounts Spool::EndPage() { return page_; }

void Spool::MarkSeen(std::string_view id) { seen_.Emplace(IdHash(id), kUnknown); }

bool Spool::Seen(std::string_view id) const { return seen_.Contains(IdHash(id)); }

Status Spool::Replay(const model::EntitySpec& entity, const Handlers& handlers) {
  if (!write_error_.ok()) return write_error_;
  if (std::fflush(file_) != 0 || std::fseek(file_, 0, SEEK_SET) != 0) {
    return Status::IoError("rewinding the harvest spool failed: " +
                           std::string(std::strerror(errno)));
  }
  char* line = nullptr;
  size_t cap = 0;
  std::unique_ptr<char, decltype(&std::free)> guard(nullptr, &std::free);
  // One document for every entry, its memory pool emptied after each: a rapidjson Document
  // keeps the pool of every Parse until it is cleared, so without the Clear() a replay held
  // all the run's records at once (138 MB for 40k toolkit decisions, growing with the run).
  rapidjson::Document doc;
  int64_t n = 0;
  Status result;
  for (;;) {
    ssize_t len = ::getline(&line, &cap, file_);
    guard.release();
    guard.reset(line);
    if (len < 0) break;
    ++n;
    if ((n & 1023) == 0 && stop_.stop_requested()) {
      result = Status::Aborted("stopped (shutdown or run timeout)");
      break;
    }
    if (len < 2) continue;
    char tag = line[0];
    size_t size = static_cast<size_t>(len) - 1;
    if (line[size] == '\n') --size;
    doc.Parse(line + 1, size);
    if (doc.HasParseError() || !doc.IsObject()) {
      result = Status::Internal("the harvest spool is damaged at entry " + std::to_string(n));
      break;
    }
    if (tag == 'R') {
      Result<model::Record> r = model::RecordFromJson(entity, doc);
      if (!r.ok()) {
        result = Status::Internal("spool entry " + std::to_string(n) + ": " + r.status().message());
        break;
      }
      result = handlers.record ? handlers.record(*r) : Status::Ok();
    } else if (tag == 'X') {
      store::Reject rej;
      rej.entity = entity.set_name;
      rej.record_id = Str(doc, "record_id");
      rej.position = Str(doc, "position");
      rej.field = Str(doc, "field");
      rej.rule = Str(doc, "rule");
      rej.value = Str(doc, "value");
      rej.message = Str(doc, "message");
      result = handlers.reject ? handlers.reject(rej) : Status::Ok();
    } else if (tag == 'D') {
      result = handlers.deleted ? handlers.deleted(Str(doc, "id")) : Status::Ok();
    }
    doc.SetNull();
    doc.GetAllocator().Clear();
    if (!result.ok()) break;
  }
  if (result.ok() && std::ferror(file_)) {
    result =
        Status::IoError("reading the harvest spool failed: " + std::string(std::strerror(errno)));
  }
  return result;
}

}  // namespace meabridge::harvest
