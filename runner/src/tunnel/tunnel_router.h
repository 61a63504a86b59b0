// TunnelRouter: the HTTP requests and WebSockets the engine's gateway tunnels over the runner's
// connection. For HTTP it reassembles request bodies, waits for actors that are still starting,
// runs the actor's OnFetch on the actor's executor, and sends the whole response back (the 2.3.19
// gateway takes a response only in one ResponseStart); requests for actors not on this runner get
// 503 `x-rivet-error: runner.actor_not_found`. For WebSockets it asks the actor to accept, then
// carries messages both ways with per-direction message indexes, and closes from either side.
//
// Threading: network thread only; OnFetch runs on the actor's executor.
#ifndef TETHER_RUNNER_TUNNEL_TUNNEL_ROUTER_H_
#define TETHER_RUNNER_TUNNEL_TUNNEL_ROUTER_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "actors/actor_runtime.h"
#include "actors/loop_gate.h"
#include "tether/http.h"
#include "tether/websocket.h"
#include "tether/proto/runner_protocol_v7.h"

namespace tether::tunnel {

class TunnelRouter {
 public:
  enum class ActorStatus { kAbsent, kStarting, kRunning };
  struct Lookup {
    ActorStatus status = ActorStatus::kAbsent;
    std::shared_ptr<actors::ActorRuntime> runtime;
  };
  using SendFn = std::function<void(proto::v7::ToServer)>;
  using LookupFn = std::function<Lookup(const std::string& actor_id)>;

  TunnelRouter(SendFn send, LookupFn lookup, std::shared_ptr<actors::LoopGate> gate);

  void OnMessage(proto::v7::ToClientTunnelMessage message);
  // The actor finished starting: its waiting requests go to it.
  void OnActorRunning(const std::string& actor_id);
  // The actor left this runner: its waiting requests are answered 503.
  void OnActorGone(const std::string& actor_id);

 private:
  using RequestKey = std::pair<std::array<std::uint8_t, 4>, std::array<std::uint8_t, 4>>;
  struct Request {
    proto::v7::MessageId id;  // of RequestStart; replies reuse gateway and request id
    std::string actor_id;
    HttpRequest http;
    bool complete = false;  // the whole body arrived
    bool dispatched = false;
  };

  class Socket;
  struct SocketState {
    proto::v7::MessageId id;
    std::string actor_id;
    std::shared_ptr<Socket> handle;
    std::uint16_t next_index = 0;  // of the runner's messages on this socket (wraps)
    bool dispatched = false;       // OnWebSocketOpen was asked
    bool open = false;
  };

  void OnWebSocketOpen(const proto::v7::MessageId& id, proto::v7::ToClientWebSocketOpen open);
  void DispatchOpen(const RequestKey& key);
  void OnOpenDecided(const RequestKey& key, const WebSocketAcceptance& acceptance);
  void OnClientMessage(const RequestKey& key, proto::v7::ToClientWebSocketMessage message);
  void OnClientClose(const RequestKey& key, const proto::v7::ToClientWebSocketClose& close);
  // From actor code, on the network thread.
  void SendToClient(const RequestKey& key, proto::v7::ToServerTunnelMessageKind kind);
  void OnRequestStart(const proto::v7::MessageId& id, proto::v7::ToClientRequestStart start);
  void OnRequestChunk(const RequestKey& key, proto::v7::ToClientRequestChunk chunk);
  void Dispatch(const RequestKey& key);
  void Respond(const RequestKey& key, HttpResponse response);
  void RespondError(const RequestKey& key, std::uint16_t status, const std::string& rivet_error,
                    const std::string& message);

  SendFn send_;
  LookupFn lookup_;
  std::shared_ptr<actors::LoopGate> gate_;
  std::map<RequestKey, Request> requests_;
  std::map<RequestKey, SocketState> sockets_;
};

}  // namespace tether::tunnel

#endif  // TETHER_RUNNER_TUNNEL_TUNNEL_ROUTER_H_
