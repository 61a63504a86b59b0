// The agent's log lines and the logfmt they share with the SDK's (`ts=... level=info msg="..."
// key=value`, one line per event on stderr): writing the agent's own, parsing any line back
// into a record, and rendering a record as JSON for --log-format json.
//
// Threading: thread-safe; lines are written whole.
#ifndef TETHER_TUNNEL_AGENT_AGENT_LOG_H_
#define TETHER_TUNNEL_AGENT_AGENT_LOG_H_

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tether/config.h"

namespace tether::agent {

struct LogField {
  std::string_view key;
  std::string value;
};

// Process-wide, like the SDK's; RIVET_LOG_LEVEL sets both.
void SetAgentLogLevel(LogLevel level);
void AgentLog(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});

struct LogRecord {
  std::vector<std::pair<std::string, std::string>> fields;  // in line order: ts, level, msg, ...

  // The value of `key`, or empty.
  std::string Get(std::string_view key) const;
};

// A logfmt line (without its newline) as a record; nullopt when the line is not logfmt (e.g.
// a crash message).
std::optional<LogRecord> ParseLogfmt(std::string_view line);
// One JSON object, fields in line order, without a newline.
std::string RenderJson(const LogRecord& record);

}  // namespace tether::agent

#endif  // TETHER_TUNNEL_AGENT_AGENT_LOG_H_
