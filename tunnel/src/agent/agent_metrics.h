// AgentMetrics: the agent's metrics, registered once in a MetricsRegistry and updated by the
// forwarders. Names are the contract documented in README (tether_ prefix).
//
// Threading: every member is a lock-free Counter or Gauge.
#ifndef TETHER_TUNNEL_AGENT_AGENT_METRICS_H_
#define TETHER_TUNNEL_AGENT_AGENT_METRICS_H_

#include <cstdint>

#include "agent/metrics_registry.h"

namespace tether::agent {

struct AgentMetrics {
  explicit AgentMetrics(MetricsRegistry& registry);

  // Counts a forwarded HTTP response by its status class (1xx..5xx).
  void CountResponse(std::uint16_t status);

  Gauge& link_connected;
  Counter& link_reconnects;
  Gauge& actors;
  Counter& actor_starts;
  Counter& actor_stops;
  Gauge& http_in_flight;
  Counter& responses_2xx;
  Counter& responses_3xx;
  Counter& responses_4xx;
  Counter& responses_5xx;
  Counter& upstream_unavailable;
  Counter& upstream_timeouts;
  Gauge& websockets_open;
  Counter& websockets_opened;
  Counter& websockets_resumed;
  Counter& bytes_to_upstream;
  Counter& bytes_from_upstream;
  // The actors' KV requests and their total latency: the mean is the ratio.
  Counter& kv_requests_ok;
  Counter& kv_requests_failed;
  Counter& kv_request_microseconds;
};

}  // namespace tether::agent

#endif  // TETHER_TUNNEL_AGENT_AGENT_METRICS_H_
