// TunnelRouter: the HTTP requests and WebSockets the engine's gateway tunnels over the runner's
// connection. For HTTP it reassembles request bodies, waits for actors that are still starting,
// runs the actor's OnFetchAsync on the actor's executor, and sends the whole response back (the 2.3.19
// gateway takes a response only in one ResponseStart); requests for actors not on this runner get
// 503 `x-rivet-error: runner.actor_not_found`. WebSockets go to WebSocketSessions.
//
// Threading: network thread only; OnFetch runs on the actor's executor.
#ifndef TETHER_RUNNER_TUNNEL_TUNNEL_ROUTER_H_
#define TETHER_RUNNER_TUNNEL_TUNNEL_ROUTER_H_

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
#include "tether/proto/runner_protocol_v7.h"
#include "tunnel/actor_lookup.h"
#include "tunnel/request_key.h"
#include "tunnel/websocket_sessions.h"

namespace tether::tunnel {

class TunnelRouter {
 public:
  using SendFn = std::function<bool(proto::v7::ToServer)>;

  // `host_managed`: RunnerConfig::host_managed_state (see WebSocketSessions).
  TunnelRouter(WebSocketSessions::Hooks hooks, std::shared_ptr<actors::LoopGate> gate, WebSocketLimits limits,
               bool host_managed);

  void OnMessage(proto::v7::ToClientTunnelMessage message);
  // The actor finished starting: its waiting requests and sockets go to it.
  void OnActorRunning(const std::string& actor_id);
  // The actor left this runner: its waiting requests are answered 503.
  void OnActorGone(const std::string& actor_id);
  WebSocketSessions& websockets() { return websockets_; }

 private:
  struct Request {
    proto::v7::MessageId id;  // of RequestStart; replies reuse gateway and request id
    std::string actor_id;
    HttpRequest http;
    bool complete = false;  // the whole body arrived
    bool dispatched = false;
  };

  void OnRequestStart(const proto::v7::MessageId& id, proto::v7::ToClientRequestStart start);
  void OnRequestChunk(const RequestKey& key, proto::v7::ToClientRequestChunk chunk);
  void Dispatch(const RequestKey& key);
  void Respond(const RequestKey& key, HttpResponse response);
  void RespondError(const RequestKey& key, std::uint16_t status, const std::string& rivet_error,
                    const std::string& message);

  SendFn send_;
  ActorLookup lookup_;
  std::shared_ptr<actors::LoopGate> gate_;
  std::map<RequestKey, Request> requests_;
  WebSocketSessions websockets_;
};

}  // namespace tether::tunnel

#endif  // TETHER_RUNNER_TUNNEL_TUNNEL_ROUTER_H_
