// Retrying a request: which failures are worth another try, how long to wait before it
// (exponential backoff with jitter, or the server's Retry-After), and the waiting itself.
//
// Waiting goes through the Waiter seam (as "now" goes through core::Clock), so tests run the
// retry schedule exactly and instantly. SystemWaiter is thread-safe; a RetryPolicy is a value.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace meabridge::harvest {

struct RetryPolicy {
  int retries = 4;               // retries after the first try
  int64_t base_delay_ms = 1000;  // the first retry's delay
  int64_t max_delay_ms = 60000;  // no wait is longer; a longer Retry-After fails the run

  // The delay before retry number `retry` (1-based): base * 2^(retry-1), capped at the
  // maximum, minus a jitter of up to half of it. `random01` returns a value in [0, 1).
  int64_t BackoffMs(int retry, const std::function<double()>& random01) const;
};

// Parses a Retry-After value: delta-seconds ("120") or an HTTP-date, relative to `now`.
// nullopt when absent or malformed; never negative.
std::optional<int64_t> ParseRetryAfterMs(std::string_view value, core::EpochMs now);

// Parses an HTTP date (IMF-fixdate, RFC 850 or asctime); nullopt when malformed.
std::optional<core::EpochMs> ParseHttpDate(std::string_view value);
// IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
std::string FormatHttpDate(core::EpochMs ms);

// True for the HTTP statuses retried: 408, 425, 429 and 5xx except 501 and 505.
bool IsRetryableStatus(long status);

class Waiter {
 public:
  virtual ~Waiter() = default;
  // Waits `ms` milliseconds or until `stop` is requested; false when stopped.
  virtual bool Wait(int64_t ms, const std::stop_token& stop) = 0;
};

class SystemWaiter final : public Waiter {
 public:
  bool Wait(int64_t ms, const std::stop_token& stop) override;
  static SystemWaiter& Instance();
};

// For tests: records each wait and moves a ManualClock forward instead of sleeping.
class ManualWaiter final : public Waiter {
 public:
  explicit ManualWaiter(core::ManualClock* clock = nullptr) : clock_(clock) {}
  bool Wait(int64_t ms, const std::stop_token& stop) override;
  const std::vector<int64_t>& waits() const { return waits_; }

 private:
  core::ManualClock* clock_;
  std::vector<int64_t> waits_;
};

}  // namespace meabridge::harvest
