// Source leases of the SQLite store (store.h, SourceLease): one lock file per source in the
// folder `<store file>-leases/`, held with an exclusive flock(2).
//
// flock locks belong to an open file description: two opens of the same file conflict even in
// one process, and the kernel drops the lock when the holder's process ends, however it ends.
// So a lease is exclusive across threads and processes on one machine and survives nothing but
// its holder. The file holds the holder's node id, process id and times, for people (`cat`);
// the lock, not the content, decides. Files are never removed: removing a lock file while
// another process opens it would let two processes lock two different files.
//
// The ttl is enforced by the holder: Renew after it has passed (on `clock`'s monotonic time)
// fails and releases the lease.
// Another process cannot break a live holder's lock (every holder is on this machine, where a
// stuck process is the operator's to kill).
//
// Threads: a lease is thread-safe; TryLeaseSqliteSource is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "store/store.h"

namespace meabridge::store::sqlite {

// A lease on `source` for the store file at `store_path`; nullptr when another holder has it.
// IoError when the lease folder or file cannot be created (with what to check). `clock` keeps
// the deadline and the times in the file; it must outlive the lease.
Result<std::unique_ptr<SourceLease>> TryLeaseSqliteSource(const std::string& store_path,
                                                          std::string_view source,
                                                          std::string_view node_id, int64_t ttl_ms,
                                                          const core::Clock& clock);

// The lock file of `source` ("cbd-contacts" -> "<store>-leases/cbd-contacts.lock"; bytes
// outside [A-Za-z0-9._-] are %XX-encoded, and long names shortened with a hash).
std::string LeaseFile(const std::string& store_path, std::string_view source);

}  // namespace meabridge::store::sqlite
