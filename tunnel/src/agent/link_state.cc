#include "agent/link_state.h"

namespace tether::agent {

void LinkState::OnConnected(const std::string& runner_id) {
  (void)runner_id;
  connected_ = true;
  metrics_.link_connected.Set(1);
  if (connects_.fetch_add(1) > 0) metrics_.link_reconnects.Add();
}

void LinkState::OnDisconnected() {
  connected_ = false;
  metrics_.link_connected.Set(0);
}

void LinkState::OnKvRequest(std::chrono::microseconds latency, bool ok) {
  (ok ? metrics_.kv_requests_ok : metrics_.kv_requests_failed).Add();
  metrics_.kv_request_microseconds.Add(static_cast<std::uint64_t>(latency.count()));
}

}  // namespace tether::agent
