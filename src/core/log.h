// Logging: one line per event on stderr. Under systemd (stderr not a terminal) each line starts
// with the journald priority prefix ("<3>" error ... "<7>debug", sd-daemon(3)); on a terminal it
// starts with the level's name instead. Events about a harvest carry "source=NAME run=ID".
// Secrets never reach the log: callers pass redacted URLs and never log credentials.
// Thread-safe: lines from different threads never interleave.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace meabridge::core {

enum class LogLevel { kError = 3, kWarning = 4, kNotice = 5, kInfo = 6, kDebug = 7 };

void SetLogLevel(LogLevel max_level);  // lines above it are dropped; default kInfo
LogLevel GetLogLevel();
// Parses "error", "warning", "notice", "info", "debug".
bool ParseLogLevel(std::string_view name, LogLevel* out);

void Log(LogLevel level, std::string_view message);
// "source=NAME run=ID message" (run omitted when 0).
void LogRun(LogLevel level, std::string_view source, int64_t run_id, std::string_view message);

inline void LogError(std::string_view m) { Log(LogLevel::kError, m); }
inline void LogWarning(std::string_view m) { Log(LogLevel::kWarning, m); }
inline void LogInfo(std::string_view m) { Log(LogLevel::kInfo, m); }
inline void LogDebug(std::string_view m) { Log(LogLevel::kDebug, m); }

// Tests capture log lines through this hook (nullptr: write to stderr).
using LogSink = void (*)(LogLevel, std::string_view line);
void SetLogSink(LogSink sink);

}  // namespace meabridge::core
