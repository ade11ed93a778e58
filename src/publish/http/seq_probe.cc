#include "publish/http/seq_probe.h"

namespace meabridge::publish::http {

Result<int64_t> SeqProbe::Current() {
  // A probe numbered `need` or later starts after this line, so its snapshot is newer than
  // every commit that finished before the call.
  const uint64_t need = started_.load(std::memory_order_acquire) + 1;
  while (true) {
    uint64_t done = finished_.load(std::memory_order_acquire);
    if (done >= need) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!status_.ok()) return status_;
      return seq_;
    }
    bool idle = false;
    if (running_.compare_exchange_strong(idle, true, std::memory_order_acq_rel)) {
      uint64_t mine = started_.fetch_add(1, std::memory_order_acq_rel) + 1;
      Result<int64_t> seq = Status::Internal("no probe");
      {
        auto view = store_->Read();
        seq = view.ok() ? (*view)->MaxSeq() : Result<int64_t>(view.status());
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        status_ = seq.ok() ? Status::Ok() : seq.status();
        seq_ = seq.ok() ? *seq : 0;
      }
      finished_.store(mine, std::memory_order_release);
      running_.store(false, std::memory_order_release);
      finished_.notify_all();
      continue;
    }
    // Another request is probing: wait for it to finish (then it either answers this request
    // too, or started too early and this request probes next).
    finished_.wait(done, std::memory_order_acquire);
  }
}

}  // namespace meabridge::publish::http
