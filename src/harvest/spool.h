// The spool: a run's mapped records, rejects and deletion marks, written to an anonymous
// temporary file while the source is read, and replayed into the store afterwards. So memory
// stays flat however large the source is, and the store's write transaction only lasts as long
// as the replay (never as long as a slow remote server).
//
// Format: one entry per line, a tag and a JSON object:
//   R{canonical JSON of a record}          (model/canonical_json.h)
//   X{"record_id":..,"position":..,"field":..,"rule":..,"value":..,"message":..}   a reject
//   D{"id":..,"position":..}               a record the source marks deleted ('flag')
// The file is created unlinked (O_TMPFILE, or mkstemp + unlink) in $TMPDIR: a killed process
// leaves nothing behind.
//
// The spool also keeps the ids it has seen (64-bit hashes with where each came first: page and
// record number, 16 bytes per slot of an open-addressing table, 20-40 bytes per record), which
// drives duplicate detection and the deletion policies. A duplicate id keeps its first record; each later one is a reject (rule
// "duplicate-id", naming both positions).
//
// Thread-compatible: one run's thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mapping/mapping.h"
#include "model/record.h"
#include "store/store.h"

namespace meabridge::harvest {

uint64_t IdHash(std::string_view id);

// An anonymous read-write temporary file in $TMPDIR (already unlinked); the caller fcloses it.
Result<FILE*> CreateAnonymousFile();

// Id hash -> a 64-bit value, open addressing with linear probing: 16 bytes per slot, at most
// 80% full, against about 48 bytes per entry for std::unordered_map's nodes and buckets (which
// made a 400k-record harvest 1.26x the memory of a 100k one). Neither the standard library nor
// Poco has a flat hash table. Key 0 is stored as 1 (the hashes are 64-bit; a collision is as
// likely as any other).
class SeenIds {
 public:
  // Inserts `key` with `value` unless present; returns the value kept and whether it is new.
  std::pair<uint64_t, bool> Emplace(uint64_t key, uint64_t value);
  bool Contains(uint64_t key) const;
  size_t size() const { return size_; }

 private:
  size_t Slot(uint64_t key) const;
  void Grow();
  std::vector<std::pair<uint64_t, uint64_t>> slots_;  // key 0: empty
  size_t size_ = 0;
};

class Spool : public mapping::RecordSink {
 public:
  // Creates the spool file. IoError when the temporary folder is not writable.
  static Result<std::unique_ptr<Spool>> Create(std::stop_token stop);
  ~Spool() override;

  // mapping::RecordSink
  Status OnRecord(model::Record record) override;
  Status OnRecordAt(model::Record record, const mapping::RecordPosition& position) override;
  Status OnReject(mapping::Reject reject) override;
  // A record the source marks deleted (the 'flag' policy): the mapping's <deleted> rules send
  // them here (docs/harvesting.md#flag); sources may call it directly.
  Status OnDeleted(std::string id, std::string position) override;

  // Page bookkeeping for the "ids seen twice" guard: between BeginPage and EndPage, counts the
  // page's records and how many of them repeat an earlier id.
  void BeginPage();
  struct PageCounts {
    size_t records = 0;     // records and rejects delivered on the page
    size_t duplicates = 0;  // of them, ids seen before
  };
  PageCounts EndPage();

  // Marks every id as seen without spooling a record (records known to be unchanged).
  void MarkSeen(std::string_view id);
  bool Seen(std::string_view id) const;

  int64_t records() const { return records_; }
  int64_t rejects() const { return rejects_; }
  int64_t deletions() const { return deletions_; }
  // Of the rejects, the later records of a repeated id (rule "duplicate-id").
  int64_t duplicates() const { return duplicates_; }
  // One line per field whose texts held characters XML 1.0 cannot carry, replaced by U+FFFD
  // as the records were spooled (model::ReplaceXmlIllegal): how many records, the first id.
  std::vector<std::string> ReplacementWarnings() const;

  // Replays the spool in order; records are read back as `entity`. REQUIRES: writing is over.
  struct Handlers {
    std::function<Status(const model::Record&)> record;
    std::function<Status(const store::Reject&)> reject;
    std::function<Status(const std::string& id)> deleted;
  };
  Status Replay(const model::EntitySpec& entity, const Handlers& handlers);

 private:
  Spool(FILE* file, std::stop_token stop);
  Status WriteLine(char tag, std::string_view json);
  Status WriteReject(const mapping::Reject& reject);
  // Notes `id` as seen here; false (and *first, where it came first) when it was seen before.
  bool NoteId(std::string_view id, uint64_t* first);
  Status AddRecord(model::Record record, const mapping::RecordPosition* position);
  Status Duplicate(const std::string& id, uint64_t first, std::string position,
                   const std::string& also);
  std::string Locator(uint64_t at) const;

  FILE* file_;
  std::stop_token stop_;
  // id hash -> where it came first: page << 32 | record number on the page (kUnknown for ids
  // marked seen without a record).
  SeenIds seen_;
  int64_t records_ = 0, rejects_ = 0, deletions_ = 0, duplicates_ = 0;
  struct Replaced {
    int64_t records = 0;
    std::string first_id;
  };
  std::map<std::string, Replaced> replaced_;  // field -> records with characters replaced
  uint64_t page_number_ = 0;  // BeginPage calls
  PageCounts page_;
  Status write_error_;
  std::unique_ptr<char[]> buffer_;
};

}  // namespace meabridge::harvest
