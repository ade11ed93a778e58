// The PostgreSQL advisory locks the store takes (docs/store.md lists them for database
// administrators). All use the two-key form pg_advisory_*(classid int4, objid int4); the objid
// is the FNV-1a 32-bit hash of the store's schema name (so that stores in different schemas of
// one database never wait for each other), or of "<schema>/<source>" for per-source locks. A
// hash collision between two sources only makes them wait for each other.
//
//   classid   lock                                          held
//   7310001   migrations at open                            transaction (pg_advisory_xact_lock)
//   7310002   change sequence: a run's commit phase         transaction, from the sequence
//             (assigns the run's numbers and commits)       read to COMMIT
//   7310003   runs of one source (BeginRun .. Commit)       transaction
//   7310004   source lease (Store::TryLeaseSource)          session, on the lease's own
//                                                           connection
//
// In pg_locks these show as locktype 'advisory', classid = the number above, objid = the hash
// (as an oid), objsubid 2.
//
// Pure functions: thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace meabridge::store::postgres {

inline constexpr int32_t kLockMigrate = 7310001;
inline constexpr int32_t kLockSequence = 7310002;
inline constexpr int32_t kLockRun = 7310003;
inline constexpr int32_t kLockLease = 7310004;

// FNV-1a, 32 bits, as a signed int4 (the lock functions take int4).
inline int32_t LockKey(std::string_view text) {
  uint32_t h = 2166136261u;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return static_cast<int32_t>(h);
}

inline int32_t SourceLockKey(std::string_view schema, std::string_view source) {
  std::string key(schema);
  key += '/';
  key += source;
  return LockKey(key);
}

}  // namespace meabridge::store::postgres
