// ForwardingActor: the actor the agent hosts for every actor name. It forwards the actor's HTTP
// requests to the upstream app and joins each of its WebSockets to one of the upstream's
// (WebSocketBridge), reopening upstream sockets for hibernated client sockets when they wake.
// `tether agent --help` documents the contract with the upstream.
//
// Threading: the ActorInstance calls run on the actor's executor, as the SDK guarantees; state
// that other threads reach (upstream socket events) is shared and outlives the instance.
#ifndef TETHER_TUNNEL_AGENT_FORWARDING_ACTOR_H_
#define TETHER_TUNNEL_AGENT_FORWARDING_ACTOR_H_

#include "agent/actor_directory.h"
#include "agent/agent_config.h"
#include "agent/agent_metrics.h"
#include "agent/upstream_http.h"
#include "agent/upstream_websocket.h"
#include "tether/actor.h"

namespace tether::agent {

// What every ForwardingActor uses; all of it must outlive the runner.
struct ForwardingServices {
  const UpstreamUrl& upstream;
  UpstreamHttpClient& http;
  UpstreamWebSocketClient& websockets;
  AgentMetrics& metrics;
  ActorDirectory& directory;
};

// The factory to register with Runner::SetDefaultActor.
ActorFactory ForwardingActorFactory(ForwardingServices services);

}  // namespace tether::agent

#endif  // TETHER_TUNNEL_AGENT_FORWARDING_ACTOR_H_
