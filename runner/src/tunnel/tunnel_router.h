// TunnelRouter: the HTTP traffic the engine's gateway tunnels over the runner's connection. It
// reassembles request bodies, waits for actors that are still starting, runs the actor's OnFetch
// on the actor's executor, and sends the whole response back (the 2.3.19 gateway takes a response
// only in one ResponseStart). Requests for actors not on this runner get 503
// `x-rivet-error: runner.actor_not_found`.
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
};

}  // namespace tether::tunnel

#endif  // TETHER_RUNNER_TUNNEL_TUNNEL_ROUTER_H_
