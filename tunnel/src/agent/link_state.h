// LinkState: whether the runner is connected to the engine and whether it drains, followed from
// the SDK's log events (see LogRelay: the SDK has no API for either). It keeps the link metrics
// and /ready up to date.
//
// Threading: Observe runs on the log relay's thread; the getters from any thread.
#ifndef TETHER_TUNNEL_AGENT_LINK_STATE_H_
#define TETHER_TUNNEL_AGENT_LINK_STATE_H_

#include <atomic>

#include "agent/agent_log.h"
#include "agent/agent_metrics.h"

namespace tether::agent {

class LinkState {
 public:
  explicit LinkState(AgentMetrics& metrics) : metrics_(metrics) {}

  void Observe(const LogRecord& record);
  bool connected() const { return connected_.load(); }
  bool draining() const { return draining_.load(); }

 private:
  AgentMetrics& metrics_;
  std::atomic<bool> connected_{false};
  std::atomic<bool> draining_{false};
  std::atomic<int> connects_{0};
};

}  // namespace tether::agent

#endif  // TETHER_TUNNEL_AGENT_LINK_STATE_H_
