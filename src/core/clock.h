// The clock seam (after leveldb's Env): code that needs "now" takes a Clock&, so tests can
// hold time still or move it. SystemClock is stateless and thread-safe; ManualClock is
// thread-safe (an atomic).
#pragma once

#include <atomic>
#include <cstdint>

#include "core/time.h"

namespace meabridge::core {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual EpochMs NowMs() const = 0;        // wall clock, UTC
  virtual int64_t MonotonicMs() const = 0;  // for durations and timeouts
};

class SystemClock final : public Clock {
 public:
  EpochMs NowMs() const override;
  int64_t MonotonicMs() const override;
  static SystemClock& Instance();
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(EpochMs now) : now_(now) {}
  EpochMs NowMs() const override { return now_.load(); }
  int64_t MonotonicMs() const override { return now_.load(); }
  void Advance(int64_t ms) { now_ += ms; }
  void Set(EpochMs now) { now_ = now; }

 private:
  std::atomic<EpochMs> now_;
};

}  // namespace meabridge::core
