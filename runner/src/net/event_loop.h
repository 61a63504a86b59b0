// EventLoop: the runner's network thread, and the WebSocket client connections that live on it.
// This is the only place Boost.Asio/Beast appear (net/*.cc), so the rest of the SDK compiles fast
// and could move to another transport.
//
// Threading: an EventLoop owns one thread. Post() and RunAfter() may be called from any thread;
// everything else — opening, sending on and closing connections, and every callback — happens on
// the loop thread. Callbacks must not block: actor code runs elsewhere.
#ifndef TETHER_RUNNER_NET_EVENT_LOOP_H_
#define TETHER_RUNNER_NET_EVENT_LOOP_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tether/config.h"

namespace tether::net {

struct WebSocketOptions {
  std::string url;  // ws://host[:port]/path?query or wss://...
  std::vector<std::string> subprotocols;
  TlsOptions tls;
  // Covers TCP connect, TLS and the WebSocket handshake.
  std::chrono::milliseconds connect_timeout{10000};
  // A larger incoming message fails the connection (close 1009).
  std::size_t max_message_bytes = std::size_t{64} << 20;
};

// How a connection ended.
struct CloseInfo {
  // From the peer's close frame; 0 when the connection ended without one.
  int code = 0;
  std::string reason;
  // Why the connection failed when it did not end with a close frame (DNS, refused, TLS
  // verification, handshake rejected, reset, timeout); OK otherwise.
  absl::Status error;
};

class WebSocketHandler {
 public:
  virtual ~WebSocketHandler() = default;
  // The handshake succeeded.
  virtual void OnOpen() = 0;
  virtual void OnMessage(std::span<const std::uint8_t> data, bool binary) = 0;
  // Called exactly once per connection, after OnOpen or instead of it.
  virtual void OnClosed(const CloseInfo& info) = 0;
};

class WebSocketConnection {
 public:
  virtual ~WebSocketConnection() = default;
  // Queues a binary message; messages are written in order. Ignored after close.
  virtual void Send(std::vector<std::uint8_t> message) = 0;
  // Starts the closing handshake; OnClosed follows. A second call is ignored.
  virtual void Close(int code, std::string reason) = 0;
  // Bytes queued but not yet written to the socket (for backpressure).
  virtual std::size_t queued_bytes() const = 0;
};

// Cancels a pending RunAfter callback when destroyed or when Cancel() is called.
class Timer {
 public:
  virtual ~Timer() = default;
  virtual void Cancel() = 0;
};

class EventLoop {
 public:
  // Starts the loop thread.
  static std::unique_ptr<EventLoop> Create();
  // Stops the loop and joins its thread; pending callbacks are dropped, connections closed.
  virtual ~EventLoop() = default;

  virtual void Post(std::function<void()> fn) = 0;
  // Runs `fn` on the loop thread after `delay` unless the returned Timer is cancelled first.
  virtual std::unique_ptr<Timer> RunAfter(std::chrono::milliseconds delay, std::function<void()> fn) = 0;
  virtual bool InLoopThread() const = 0;

  // Loop thread only. Starts connecting; `handler` must outlive the connection.
  virtual std::unique_ptr<WebSocketConnection> Connect(WebSocketOptions options, WebSocketHandler* handler) = 0;
};

}  // namespace tether::net

#endif  // TETHER_RUNNER_NET_EVENT_LOOP_H_
