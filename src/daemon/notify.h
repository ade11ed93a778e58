// systemd's notification protocol (sd_notify(3), libsystemd): READY=1, STATUS=, RELOADING=1,
// STOPPING=1 and WATCHDOG=1 to $NOTIFY_SOCKET. Without NOTIFY_SOCKET (not under systemd, or
// Type=simple) every call does nothing. docs/daemon.md lists what the daemon sends and when.
//
// Threads: thread-safe (sd_notify opens a datagram socket per call).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace meabridge::daemon {

// Sends `state` ("READY=1\nSTATUS=...") when NOTIFY_SOCKET is set. Failures are logged at
// debug level only: a missing listener must never stop the daemon.
void Notify(std::string_view state);

// How often to send WATCHDOG=1: half of WatchdogSec (sd_watchdog_enabled(3), which reads
// WATCHDOG_USEC and WATCHDOG_PID); 0 when the watchdog is off for this process.
int64_t WatchdogPingIntervalMs();

}  // namespace meabridge::daemon
