#include "agent/agent_metrics.h"

namespace tether::agent {
namespace {

// A metric with several labelled series.
struct Family {
  std::string_view name;
  std::string_view help;

  Counter& Add(MetricsRegistry& registry, std::string_view labels) const {
    return registry.AddCounter(name, help, labels);
  }
};

constexpr Family kResponses{"tether_http_responses_total", "HTTP responses forwarded to clients, by status class."};
constexpr Family kUpstreamErrors{"tether_upstream_errors_total", "HTTP requests the upstream did not answer, by reason."};
constexpr Family kKvRequests{"tether_kv_requests_total", "The actors' KV requests, by result."};
constexpr Family kBytes{"tether_tunnel_bytes_total", "Bytes of HTTP bodies and WebSocket messages forwarded, by direction."};

}  // namespace

AgentMetrics::AgentMetrics(MetricsRegistry& registry)
    : link_connected(registry.AddGauge("tether_link_connected", "1 while the runner is connected to the engine.")),
      link_reconnects(
          registry.AddCounter("tether_link_reconnects_total", "Connections to the engine after the first one.")),
      actors(registry.AddGauge("tether_actors", "Actors running on this agent.")),
      actor_starts(registry.AddCounter("tether_actor_starts_total", "Actor starts on this agent.")),
      actor_stops(registry.AddCounter("tether_actor_stops_total", "Actor stops on this agent.")),
      http_in_flight(registry.AddGauge("tether_http_requests_in_flight", "HTTP requests waiting for the upstream.")),
      responses_2xx(kResponses.Add(registry, R"(class="2xx")")),
      responses_3xx(kResponses.Add(registry, R"(class="3xx")")),
      responses_4xx(kResponses.Add(registry, R"(class="4xx")")),
      responses_5xx(kResponses.Add(registry, R"(class="5xx")")),
      upstream_unavailable(kUpstreamErrors.Add(registry, R"(reason="unavailable")")),
      upstream_timeouts(kUpstreamErrors.Add(registry, R"(reason="timeout")")),
      websockets_open(registry.AddGauge("tether_websockets_open", "Tunneled WebSockets with an open upstream socket.")),
      websockets_opened(registry.AddCounter("tether_websockets_opened_total", "Upstream WebSockets opened, resumed ones included.")),
      websockets_resumed(
          registry.AddCounter("tether_websockets_resumed_total", "Upstream WebSockets reopened for a hibernated socket.")),
      bytes_to_upstream(kBytes.Add(registry, R"(direction="to_upstream")")),
      bytes_from_upstream(kBytes.Add(registry, R"(direction="from_upstream")")),
      kv_requests_ok(kKvRequests.Add(registry, R"(result="ok")")),
      kv_requests_failed(kKvRequests.Add(registry, R"(result="error")")),
      kv_request_microseconds(registry.AddCounter("tether_kv_request_microseconds_total",
                                                  "Total latency of the actors' KV requests; divided by "
                                                  "tether_kv_requests_total, the mean.")) {}

void AgentMetrics::CountResponse(std::uint16_t status) {
  if (status >= 500) {
    responses_5xx.Add();
  } else if (status >= 400) {
    responses_4xx.Add();
  } else if (status >= 300) {
    responses_3xx.Add();
  } else {
    responses_2xx.Add();
  }
}

}  // namespace tether::agent
