// WebSockets to actors: a client opens {endpoint}/gateway/{actor id}/{path} as a WebSocket, the
// engine's gateway tunnels it over the runner's connection, and the actor handles it through
// ActorInstance::OnWebSocketOpen / OnWebSocketMessage / OnWebSocketClose — one object per actor
// for all its sockets, as in Durable Objects, so sockets need no handler objects of their own.
//
// Threading: WebSocket's members are thread-safe; sends are delivered in order.
#ifndef TETHER_WEBSOCKET_H_
#define TETHER_WEBSOCKET_H_

#include <cstdint>
#include <string>

#include "tether/http.h"

namespace tether {

class WebSocket {
 public:
  virtual ~WebSocket() = default;

  // The upgrade request: path (with query) and headers.
  virtual const HttpRequest& request() const = 0;
  // Text frames must be UTF-8.
  virtual void Send(std::string data, bool binary) = 0;
  // Closes the client's socket with `code` and `reason`; OnWebSocketClose does not follow.
  virtual void Close(std::uint16_t code = 1000, std::string reason = {}) = 0;
};

// What OnWebSocketOpen decides.
struct WebSocketAcceptance {
  bool accept = false;
  // A refused socket is closed with this code and reason right after it opens (the engine's
  // gateway completes the client's upgrade before the actor decides).
  std::uint16_t reject_code = 1008;
  std::string reject_reason = "rejected by the actor";
};

}  // namespace tether

#endif  // TETHER_WEBSOCKET_H_
