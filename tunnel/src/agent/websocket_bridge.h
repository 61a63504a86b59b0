// WebSocketBridge: one tunneled WebSocket joined to its upstream WebSocket. Upstream messages
// and closes go to the client as they arrive, on the upstream client's thread; client messages
// and closes go upstream from the actor's handlers. Until the client's socket is listed by its
// actor (just after OnWebSocketOpen returns) upstream traffic waits in the bridge.
//
// Threading: thread-safe.
#ifndef TETHER_TUNNEL_AGENT_WEBSOCKET_BRIDGE_H_
#define TETHER_TUNNEL_AGENT_WEBSOCKET_BRIDGE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "agent/actor_directory.h"
#include "agent/agent_metrics.h"
#include "agent/upstream_websocket.h"
#include "tether/websocket.h"

namespace tether::agent {

class WebSocketBridge final : public UpstreamSocketEvents {
 public:
  // `on_finished` runs once when the upstream closed on its own (any thread).
  WebSocketBridge(AgentMetrics& metrics, std::shared_ptr<ActorActivity> activity, std::function<void()> on_finished);

  // The upstream socket, once opened; counts the bridge as open. `pinning`: the client's socket
  // cannot hibernate, so its actor must not sleep while the bridge is open.
  void Connect(std::shared_ptr<UpstreamSocket> upstream, bool pinning);
  // The client's socket, as its actor lists it: what waited is delivered now.
  void Attach(std::shared_ptr<WebSocket> client);

  // From the client.
  void ToUpstream(std::string data, bool binary);
  // The client closed, or its actor stops: the upstream socket closes with `code` and `reason`,
  // and nothing more reaches the client from this bridge.
  void CloseUpstream(std::uint16_t code, std::string reason);

  // Closed from either side.
  bool finished();

  // UpstreamSocketEvents, on the upstream client's thread.
  void OnMessage(std::string data, bool binary) override;
  void OnClosed(std::uint16_t code, std::string reason) override;

 private:
  // Marks the bridge finished once; false if it was already.
  bool FinishLocked();

  AgentMetrics& metrics_;
  const std::shared_ptr<ActorActivity> activity_;
  const std::function<void()> on_finished_;

  std::mutex mutex_;
  std::shared_ptr<UpstreamSocket> upstream_;  // guarded by mutex_
  std::shared_ptr<WebSocket> client_;         // guarded by mutex_
  std::deque<std::pair<std::string, bool>> waiting_;          // guarded by mutex_
  std::size_t waiting_bytes_ = 0;                             // guarded by mutex_
  std::optional<std::pair<std::uint16_t, std::string>> waiting_close_;  // guarded by mutex_
  bool counted_open_ = false;  // guarded by mutex_
  bool pinning_ = false;       // guarded by mutex_
  bool finished_ = false;      // guarded by mutex_
};

}  // namespace tether::agent

#endif  // TETHER_TUNNEL_AGENT_WEBSOCKET_BRIDGE_H_
