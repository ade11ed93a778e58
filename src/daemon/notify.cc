#include "daemon/notify.h"

#include <systemd/sd-daemon.h>

#include <cstring>

#include "core/log.h"

namespace meabridge::daemon {

void Notify(std::string_view state) {
  std::string s(state);
  int r = sd_notify(0, s.c_str());
  if (r < 0) core::LogDebug("sd_notify failed: " + std::string(std::strerror(-r)));
}

int64_t WatchdogPingIntervalMs() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return 0;
  return std::max<int64_t>(1, static_cast<int64_t>(usec / 2000));
}

}  // namespace meabridge::daemon
