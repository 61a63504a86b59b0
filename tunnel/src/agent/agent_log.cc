#include "agent/agent_log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "string_view_conversion.h"

namespace tether::agent {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};

constexpr std::string_view kLevelNames[] = {"trace", "debug", "info", "warn", "error"};

bool NeedsQuotes(std::string_view value) {
  if (value.empty()) return true;
  for (const char c : value) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) return true;
  }
  return false;
}

void AppendLogfmtValue(std::string& line, std::string_view value) {
  if (!NeedsQuotes(value)) {
    line += value;
    return;
  }
  line += '"';
  for (const char c : value) {
    if (c == '"' || c == '\\') {
      line += '\\';
      line += c;
    } else if (static_cast<unsigned char>(c) < ' ') {
      absl::StrAppend(&line, "\\x", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
    } else {
      line += c;
    }
  }
  line += '"';
}

// A quoted logfmt value starting after its opening quote; advances `pos` past the closing one.
std::optional<std::string> ReadQuoted(std::string_view line, std::size_t& pos) {
  std::string value;
  while (pos < line.size()) {
    const char c = line[pos++];
    if (c == '"') return value;
    if (c != '\\' || pos >= line.size()) {
      value += c;
      continue;
    }
    const char escaped = line[pos++];
    if (escaped == 'x' && pos + 2 <= line.size()) {
      value += static_cast<char>(std::stoi(std::string(line.substr(pos, 2)), nullptr, 16));
      pos += 2;
    } else {
      value += escaped;
    }
  }
  return std::nullopt;  // unterminated
}

}  // namespace

void SetAgentLogLevel(LogLevel level) { g_level = static_cast<int>(level); }

void AgentLog(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) < g_level.load()) return;
  std::string line = absl::StrCat("ts=", absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone()),
                                  " level=", ToAbsl(kLevelNames[static_cast<int>(level)]), " msg=");
  AppendLogfmtValue(line, message);
  for (const LogField& field : fields) {
    absl::StrAppend(&line, " ", ToAbsl(field.key), "=");
    AppendLogfmtValue(line, field.value);
  }
  line += '\n';
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

std::string LogRecord::Get(std::string_view key) const {
  for (const auto& [name, value] : fields) {
    if (name == key) return value;
  }
  return {};
}

std::optional<LogRecord> ParseLogfmt(std::string_view line) {
  LogRecord record;
  std::size_t pos = 0;
  while (pos < line.size()) {
    if (line[pos] == ' ') {
      ++pos;
      continue;
    }
    const std::size_t equals = line.find('=', pos);
    if (equals == std::string_view::npos || equals == pos) return std::nullopt;
    std::string key(line.substr(pos, equals - pos));
    if (key.find(' ') != std::string::npos) return std::nullopt;
    pos = equals + 1;
    std::string value;
    if (pos < line.size() && line[pos] == '"') {
      ++pos;
      std::optional<std::string> quoted = ReadQuoted(line, pos);
      if (!quoted) return std::nullopt;
      value = *std::move(quoted);
    } else {
      const std::size_t end = std::min(line.find(' ', pos), line.size());
      value = std::string(line.substr(pos, end - pos));
      pos = end;
    }
    record.fields.emplace_back(std::move(key), std::move(value));
  }
  if (record.fields.empty() || record.fields.front().first != "ts") return std::nullopt;
  return record;
}

std::string RenderJson(const LogRecord& record) {
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  for (const auto& [key, value] : record.fields) object[key] = value;
  return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace tether::agent
