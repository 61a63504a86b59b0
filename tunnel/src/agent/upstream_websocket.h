// UpstreamWebSocketClient: WebSockets from the agent to the upstream app, one per tunneled
// WebSocket, all on one network thread of the client's own. The only Boost.Beast code of the
// agent lives behind this header (upstream_websocket.cc), as Beast is slow to compile.
//
// Threading: Open blocks the calling thread until the upgrade is done; UpstreamSocket's members
// may be called from any thread; UpstreamSocketEvents are called on the client's thread, one at a
// time per socket.
#ifndef TETHER_TUNNEL_AGENT_UPSTREAM_WEBSOCKET_H_
#define TETHER_TUNNEL_AGENT_UPSTREAM_WEBSOCKET_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tether/http.h"
#include "tether/websocket.h"

namespace tether::agent {

// What the upstream socket reports. Must not block: it runs on the client's network thread.
class UpstreamSocketEvents {
 public:
  virtual ~UpstreamSocketEvents() = default;
  virtual void OnMessage(std::string data, bool binary) = 0;
  // Exactly once per opened socket. `code` is from the upstream's close frame (1005 if it had
  // none), or one of the agent's when the connection failed: 1011 when it dropped,
  // 1009 when a message was over the limit, 1013 when too much waited to be sent; `reason` says
  // which (e.g. "tether.upstream_connection_lost").
  virtual void OnClosed(std::uint16_t code, std::string reason) = 0;
};

class UpstreamSocket {
 public:
  virtual ~UpstreamSocket() = default;
  // Queued in order; ignored once closing. More than the client's max_queued_bytes waiting
  // closes the socket (OnClosed 1013 tether.upstream_backlog).
  virtual void Send(std::string data, bool binary) = 0;
  // Sends what is queued, then the closing handshake. Codes a close frame may not carry (1005,
  // 1006, 1015) send a close frame without a code.
  virtual void Close(std::uint16_t code, std::string reason) = 0;
};

struct UpstreamSocketRequest {
  std::string host;
  std::uint16_t port = 0;
  std::string target;  // path and query
  HttpHeaders headers;  // added to the upgrade request
};

struct OpenedUpstreamSocket {
  std::shared_ptr<UpstreamSocket> socket;
  HttpHeaders response_headers;  // of the upstream's 101, names lowercase
};

struct UpstreamWebSocketOptions {
  // Covers resolving, TCP connect and the upgrade.
  std::chrono::milliseconds connect_timeout{5000};
  std::size_t max_message_bytes = kMaxWebSocketMessageBytes;
  std::size_t max_queued_bytes = std::size_t{32} << 20;
};

class UpstreamWebSocketClient {
 public:
  // Starts the client's thread.
  static std::unique_ptr<UpstreamWebSocketClient> Create(UpstreamWebSocketOptions options);
  // Waits (a few seconds at most) for sockets still closing, then stops the thread; sockets
  // still open are dropped without a close frame.
  virtual ~UpstreamWebSocketClient() = default;

  // Opens a socket, with `events` receiving from it once it is open. Unavailable when the
  // upstream cannot be reached or times out; FailedPrecondition naming the HTTP status when it
  // answers the upgrade with something other than 101.
  virtual absl::StatusOr<OpenedUpstreamSocket> Open(UpstreamSocketRequest request,
                                                    std::shared_ptr<UpstreamSocketEvents> events) = 0;
};

}  // namespace tether::agent

#endif  // TETHER_TUNNEL_AGENT_UPSTREAM_WEBSOCKET_H_
