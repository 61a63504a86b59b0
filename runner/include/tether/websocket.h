// WebSockets to actors: a client opens {endpoint}/gateway/{actor id}/{path} as a WebSocket, the
// engine's gateway tunnels it over the runner's connection, and the actor handles it through
// ActorInstance::OnWebSocketOpen / OnWebSocketMessage / OnWebSocketClose — one object per actor
// for all its sockets, as in Durable Objects, so sockets need no handler objects of their own.
//
// Hibernation: a socket accepted with `hibernatable = true` outlives its actor's stops. When the
// actor sleeps, is drained to another runner, or its runner dies, the engine keeps the client's
// connection open; the next client message (or any other wake) starts the actor again, possibly
// on another runner, and the socket is back in Actor::WebSockets() before OnStart runs — with no
// new OnWebSocketOpen — and its messages continue in order. The runner keeps what it needs for
// that (ids, message positions, path, headers, the attachment) in the actor's KV under its
// reserved prefix, and acknowledges a client message to the engine only once the actor's
// handler has returned and the position is stored. So after a crash, the messages a handler saw
// but whose position was not yet stored come again (at-least-once); none is lost or skipped.
// A socket that is not hibernatable is closed by the engine (1000 `actor.stopped`) when its
// actor stops.
//
// Threading: WebSocket's members are thread-safe; sends are delivered in order.
#ifndef TETHER_WEBSOCKET_H_
#define TETHER_WEBSOCKET_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "tether/http.h"

namespace tether {

// The largest message either way: the engine ends the runner's connection over larger ones.
inline constexpr std::size_t kMaxWebSocketMessageBytes = std::size_t{20} << 20;
// The largest attachment a hibernatable socket keeps (WebSocket::SetAttachment).
inline constexpr std::size_t kMaxWebSocketAttachmentBytes = std::size_t{16} << 10;

// The engine's ids of a tunneled socket (raw bytes, 4 each): stable across hibernation.
struct WebSocketIds {
  std::string gateway_id;
  std::string request_id;

  bool operator==(const WebSocketIds&) const = default;
};

// A hibernatable socket as a program that stores its own sockets keeps it
// (RunnerConfig::host_managed_state), to hand back to Actor::RestoreWebSockets.
struct StoredWebSocket {
  WebSocketIds ids;
  // The index of the next message the actor sends to the client.
  std::uint16_t next_send_index = 0;
  // The index of the last client message the program handled and stored.
  std::uint16_t last_received_index = 0;
  // The upgrade request's path (with query) and headers.
  std::string path;
  HttpHeaders headers;
};

class WebSocket {
 public:
  virtual ~WebSocket() = default;

  // The upgrade request: path (with query) and headers.
  virtual const HttpRequest& request() const = 0;
  // Stable for the life of the client's connection, across hibernation and migration.
  virtual const std::string& id() const = 0;
  virtual const WebSocketIds& ids() const = 0;
  virtual bool hibernatable() const = 0;
  // Text frames must be UTF-8. A message over kMaxWebSocketMessageBytes closes the socket with
  // 1009 `runner.message_too_big`. Ignored once the socket is closed.
  virtual void Send(std::string data, bool binary) = 0;
  // Closes the client's socket with `code` and `reason`; OnWebSocketClose does not follow.
  virtual void Close(std::uint16_t code = 1000, std::string reason = {}) = 0;
  // Small data the program keeps with the socket (a user id, a room name…), like Durable
  // Objects' serializeAttachment: on a hibernatable socket it is stored with the socket and is
  // there again after a wake or migration. At most kMaxWebSocketAttachmentBytes; larger is
  // InvalidArgument and the old attachment stays.
  virtual absl::Status SetAttachment(std::string data) = 0;
  virtual std::string attachment() const = 0;
  // RunnerConfig::host_managed_state only: tells the engine that the client's messages up to
  // `index` are stored by the program, so it need not replay them after the actor's next start.
  // Ignored otherwise (the runner acknowledges what it stored itself) and once closed.
  virtual void Acknowledge(std::uint16_t index) = 0;
};

// What OnWebSocketOpen decides.
struct WebSocketAcceptance {
  bool accept = false;
  // See "Hibernation" above. If the runner cannot store the socket, it opens it as not
  // hibernatable and logs why. With RunnerConfig::host_managed_state the runner stores nothing:
  // the program keeps a StoredWebSocket and acknowledges what it stored.
  bool hibernatable = false;
  // A refused socket is closed with this code and reason right after it opens (the engine's
  // gateway completes the client's upgrade before the actor decides).
  std::uint16_t reject_code = 1008;
  std::string reject_reason = "rejected by the actor";
};

}  // namespace tether

#endif  // TETHER_WEBSOCKET_H_
