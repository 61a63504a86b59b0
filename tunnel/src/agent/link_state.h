// LinkState: whether the agent's runner is connected to the engine and whether it drains, as the
// SDK reports them (tether::RunnerObserver); it keeps the link and KV metrics and /ready up to
// date. In serverless mode every runner the engine starts reports here.
//
// Threading: the observer calls come from runners' network threads; the getters from any thread.
#ifndef TETHER_TUNNEL_AGENT_LINK_STATE_H_
#define TETHER_TUNNEL_AGENT_LINK_STATE_H_

#include <atomic>

#include "agent/agent_metrics.h"
#include "tether/runner.h"

namespace tether::agent {

class LinkState final : public RunnerObserver {
 public:
  explicit LinkState(AgentMetrics& metrics) : metrics_(metrics) {}

  void OnConnected(const EngineMetadata& engine) override;
  void OnDisconnected(std::uint16_t code, const std::string& reason) override;
  void OnDraining() override { draining_ = true; }
  void OnKvRequest(std::chrono::microseconds latency, bool ok) override;

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
