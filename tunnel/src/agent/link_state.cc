#include "agent/link_state.h"

namespace tether::agent {

void LinkState::OnConnected(const EngineMetadata& engine) {
  (void)engine;
  connected_ = true;
  metrics_.link_connected.Set(1);
  if (connects_.fetch_add(1) > 0) metrics_.link_reconnects.Add();
}

void LinkState::OnDisconnected(std::uint16_t code, const std::string& reason) {
  (void)code, (void)reason;
  connected_ = false;
  metrics_.link_connected.Set(0);
}

void LinkState::OnKvRequest(std::chrono::microseconds latency, bool ok) {
  (ok ? metrics_.kv_requests_ok : metrics_.kv_requests_failed).Add();
  metrics_.kv_request_microseconds.Add(static_cast<std::uint64_t>(latency.count()));
}

}  // namespace tether::agent
