// SocketHandle: the tether::WebSocket an actor holds for one tunneled socket. Its calls come from
// actor code on any thread; it keeps the socket's outbound backlog within bounds there, and hands
// everything else to WebSocketSessions on the network thread through the LoopGate.
//
// Threading: thread-safe.
#ifndef TETHER_RUNNER_TUNNEL_SOCKET_HANDLE_H_
#define TETHER_RUNNER_TUNNEL_SOCKET_HANDLE_H_

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

#include "actors/loop_gate.h"
#include "tether/config.h"
#include "tether/websocket.h"
#include "tunnel/request_key.h"

namespace tether::actors {
class ActorRuntime;
}

namespace tether::tunnel {

class WebSocketSessions;

class SocketHandle final : public WebSocket, public std::enable_shared_from_this<SocketHandle> {
 public:
  SocketHandle(WebSocketSessions& sessions, RequestKey key, HttpRequest request, std::shared_ptr<actors::LoopGate> gate,
               const WebSocketLimits& limits);

  const HttpRequest& request() const override { return request_; }
  const std::string& id() const override { return id_; }
  const WebSocketIds& ids() const override { return ids_; }
  bool hibernatable() const override { return hibernatable_; }
  void Send(std::string data, bool binary) override;
  void Close(std::uint16_t code, std::string reason) override;
  absl::Status SetAttachment(std::string data) override;
  std::string attachment() const override;
  void Acknowledge(std::uint16_t index) override;

  // Network thread.
  void set_hibernatable(bool hibernatable) { hibernatable_ = hibernatable; }
  void RestoreAttachment(std::string data);
  // Lists the socket in the actor's WebSockets() until Detach (any thread), which returns the
  // actor it was listed by, if it still was.
  void AttachTo(const std::shared_ptr<actors::ActorRuntime>& runtime);
  std::shared_ptr<actors::ActorRuntime> Detach();
  // The socket closed (either side, or the runner); later sends are dropped. Returns false if it
  // was closed already.
  bool MarkClosed();
  // A message Send queued has reached the network thread.
  void Delivered(std::size_t bytes);

 private:
  WebSocketSessions& sessions_;
  const RequestKey key_;
  const std::string id_;
  const WebSocketIds ids_;
  const HttpRequest request_;
  const std::shared_ptr<actors::LoopGate> gate_;
  const WebSocketLimits limits_;
  std::atomic<bool> hibernatable_{false};
  std::atomic<bool> closed_{false};
  std::atomic<std::size_t> queued_messages_{0};
  std::atomic<std::size_t> queued_bytes_{0};
  mutable std::mutex mutex_;
  std::string attachment_;                      // guarded by mutex_
  std::weak_ptr<actors::ActorRuntime> owner_;   // guarded by mutex_
};

}  // namespace tether::tunnel

#endif  // TETHER_RUNNER_TUNNEL_SOCKET_HANDLE_H_
