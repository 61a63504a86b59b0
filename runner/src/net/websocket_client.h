// Internal: the Boost.Beast WebSocket client behind EventLoop::Connect (websocket_client.cc).
// Only event_loop.cc includes this; it keeps Asio out of the header with a forward declaration.
#ifndef TETHER_RUNNER_NET_WEBSOCKET_CLIENT_H_
#define TETHER_RUNNER_NET_WEBSOCKET_CLIENT_H_

#include <memory>

#include "net/event_loop.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace tether::net::internal {

// The asynchronous state of one connection. Its pending operations and its WebSocketConnection
// handle share it, so either may outlive the other.
class WebSocketSession {
 public:
  virtual ~WebSocketSession() = default;
  // For the EventLoop destructor, after the loop thread stopped: drops the handler and frees the
  // socket and timers while their io_context still exists (a handle may outlive the loop).
  virtual void Shutdown() = 0;
};

struct StartedWebSocket {
  std::unique_ptr<WebSocketConnection> connection;
  std::weak_ptr<WebSocketSession> session;
};

// Loop thread only. Failures, including a malformed URL, reach `handler` through OnClosed.
StartedWebSocket StartWebSocket(boost::asio::io_context& io, WebSocketOptions options, WebSocketHandler* handler);

}  // namespace tether::net::internal

#endif  // TETHER_RUNNER_NET_WEBSOCKET_CLIENT_H_
