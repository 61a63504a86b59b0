// Where the SDK's log goes. By default every event is one logfmt line on stderr
// (`ts=... level=info msg="..." key=value`); a program with a logger of its own installs a sink
// and gets each event as a record instead (the Node addon hands them to the JavaScript logger).
// The level filter (RunnerConfig::log_level) applies before the sink. Secrets (the token) are
// never logged.
//
// Threading: SetLogSink is thread-safe and process-wide. The sink is called from the SDK's
// threads (the network thread among them), one record at a time: it must return quickly, never
// block, and never call back into the SDK.
#ifndef TETHER_LOG_SINK_H_
#define TETHER_LOG_SINK_H_

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tether/config.h"

namespace tether {

struct LogRecord {
  LogLevel level = LogLevel::kInfo;
  std::string_view message;
  // In order: for events about an actor, actor_id, actor_name and actor_key come first.
  std::vector<std::pair<std::string_view, std::string_view>> fields;
};

using LogSink = std::function<void(const LogRecord& record)>;

// Replaces the sink; an empty function restores the stderr lines.
void SetLogSink(LogSink sink);

}  // namespace tether

#endif  // TETHER_LOG_SINK_H_
