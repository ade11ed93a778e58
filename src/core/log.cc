#include "core/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>

#include "core/strings.h"

namespace meabridge::core {
namespace {

std::atomic<int> g_max_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<LogSink> g_sink{nullptr};
std::mutex g_mu;

const char* LevelName(LogLevel l) {
  switch (l) {
    case LogLevel::kError:
      return "error";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kNotice:
      return "notice";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kDebug:
      return "debug";
  }
  return "info";
}

}  // namespace

void SetLogLevel(LogLevel max_level) { g_max_level = static_cast<int>(max_level); }
LogLevel GetLogLevel() { return static_cast<LogLevel>(g_max_level.load()); }

bool ParseLogLevel(std::string_view name, LogLevel* out) {
  for (LogLevel l : {LogLevel::kError, LogLevel::kWarning, LogLevel::kNotice, LogLevel::kInfo,
                     LogLevel::kDebug}) {
    if (name == LevelName(l)) {
      *out = l;
      return true;
    }
  }
  return false;
}

void SetLogSink(LogSink sink) { g_sink = sink; }

void Log(LogLevel level, std::string_view message) {
  if (static_cast<int>(level) > g_max_level.load()) return;
  if (LogSink sink = g_sink.load()) {
    sink(level, message);
    return;
  }
  static const bool tty = isatty(STDERR_FILENO) == 1;
  std::string line;
  line.reserve(message.size() + 16);
  if (tty) {
    line += LevelName(level);
    line += ": ";
  } else {
    line += '<';
    line += static_cast<char>('0' + static_cast<int>(level));
    line += '>';
  }
  // One event, one line: embedded newlines would split it in the journal. A hostile value
  // in it (a huge URL or id) is cut.
  const std::string bounded = Cut(message, kMaxLogLineBytes);
  for (char c : bounded) line += (c == '\n' || c == '\r') ? ' ' : c;
  line += '\n';
  std::lock_guard<std::mutex> lock(g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

void LogRun(LogLevel level, std::string_view source, int64_t run_id, std::string_view message) {
  std::string line = "source=";
  line += source;
  if (run_id != 0) {
    line += " run=";
    line += std::to_string(run_id);
  }
  line += ' ';
  line += message;
  Log(level, line);
}

}  // namespace meabridge::core
