// LogRelay: with --log-format json, every line the process writes to stderr — the SDK's logfmt
// lines and the agent's — passes through it and comes out as one JSON object per line.
//
// Threading: one thread of its own reads the pipe.
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
  // Points fd 2 at a pipe read by the relay's thread, which writes every line to the original
  // stderr in `format`. Internal if the pipe cannot be set up.
  static absl::StatusOr<std::unique_ptr<LogRelay>> Start(LogFormat format);
  // Points fd 2 back at the original stderr and writes out what is still in the pipe.
  ~LogRelay();

  LogRelay(const LogRelay&) = delete;
  LogRelay& operator=(const LogRelay&) = delete;

 private:
  LogRelay(LogFormat format, int read_fd, int original_stderr);
  void Run();

  const LogFormat format_;
  const int read_fd_;
  const int original_stderr_;
  std::thread thread_;
};

}  // namespace tether::agent

#endif  // TETHER_TUNNEL_AGENT_LOG_RELAY_H_
