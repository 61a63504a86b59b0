#include "log.h"

#include "tether/log_sink.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>

namespace tether::log {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};

// Quotes a value when logfmt needs it, escaping quotes, backslashes and control characters.
void AppendValue(std::string& line, std::string_view value) {
  bool plain = !value.empty();
  for (char c : value) plain = plain && c > ' ' && c != '"' && c != '=' && c != '\\' && c != 0x7f;
  if (plain) {
    line += value;
    return;
  }
  line += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') {
      line += '\\';
      line += c;
    } else if (static_cast<unsigned char>(c) < ' ') {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned char>(c));
      line += escaped;
    } else {
      line += c;
    }
  }
  line += '"';
}

std::string Timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<long long>(micros));
  return text;
}

std::mutex g_sink_mutex;
// Shared so that a record already being handed to a sink finishes while another is installed.
std::shared_ptr<const LogSink> g_sink;  // guarded by g_sink_mutex

void Emit(LogLevel level, std::string_view message, std::initializer_list<Field> first,
          std::initializer_list<Field> rest) {
  std::shared_ptr<const LogSink> sink;
  {
    std::lock_guard lock(g_sink_mutex);
    sink = g_sink;
  }
  if (sink != nullptr) {
    LogRecord record{level, message, {}};
    record.fields.reserve(first.size() + rest.size());
    for (auto fields : {first, rest}) {
      for (const Field& f : fields) record.fields.emplace_back(f.key, f.value);
    }
    (*sink)(record);
    return;
  }
  std::string line = "ts=" + Timestamp() + " level=" + std::string(LogLevelName(level)) + " msg=";
  AppendValue(line, message);
  for (auto fields : {first, rest}) {
    for (const Field& f : fields) {
      line += ' ';
      line += f.key;
      line += '=';
      AppendValue(line, f.value);
    }
  }
  line += '\n';
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

void SetLevel(LogLevel level) { g_level = static_cast<int>(level); }

bool Enabled(LogLevel level) { return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed); }

void Write(LogLevel level, std::string_view message, std::initializer_list<Field> fields) {
  if (Enabled(level)) Emit(level, message, fields, {});
}

void WriteActor(LogLevel level, const ActorInfo& actor, std::string_view message,
                std::initializer_list<Field> fields) {
  if (!Enabled(level)) return;
  Emit(level, message,
       {{"actor_id", actor.actor_id}, {"actor_name", actor.name}, {"actor_key", actor.key.value_or("")}}, fields);
}

}  // namespace tether::log

namespace tether {

void SetLogSink(LogSink sink) {
  std::shared_ptr<const LogSink> next;
  if (sink) next = std::make_shared<const LogSink>(std::move(sink));
  std::lock_guard lock(log::g_sink_mutex);
  log::g_sink = std::move(next);
}

}  // namespace tether
