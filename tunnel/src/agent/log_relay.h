// LogRelay: every line the process writes to stderr — the SDK's logfmt lines and the agent's —
// passes through it, so the agent can (1) print them all as JSON with --log-format json, and
// (2) follow the runner's engine link from the SDK's log events, which the SDK reports nowhere
// else (tether/runner.h has no link-state or reconnect API).
//
// Threading: one thread of its own reads the pipe and calls the observer there.
#ifndef TETHER_TUNNEL_AGENT_LOG_RELAY_H_
#define TETHER_TUNNEL_AGENT_LOG_RELAY_H_

#include <functional>
#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "agent/agent_config.h"
#include "agent/agent_log.h"

namespace tether::agent {

class LogRelay {
 public:
  using Observer = std::function<void(const LogRecord& record)>;

  // Points fd 2 at a pipe read by the relay's thread, which hands each logfmt line to `observer`
  // and writes every line to the original stderr in `format`. Internal if the pipe cannot be set
  // up.
  static absl::StatusOr<std::unique_ptr<LogRelay>> Start(LogFormat format, Observer observer);
  // Points fd 2 back at the original stderr and writes out what is still in the pipe.
  ~LogRelay();

  LogRelay(const LogRelay&) = delete;
  LogRelay& operator=(const LogRelay&) = delete;

 private:
  LogRelay(LogFormat format, Observer observer, int read_fd, int original_stderr);
  void Run();

  const LogFormat format_;
  const Observer observer_;
  const int read_fd_;
  const int original_stderr_;
  std::thread thread_;
};

}  // namespace tether::agent

#endif  // TETHER_TUNNEL_AGENT_LOG_RELAY_H_
