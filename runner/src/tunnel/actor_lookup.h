// ActorLookup: how the tunnel asks the runner core whether an actor is here, and if so for its
// runtime (to run handlers on its executor).
//
// Threading: network thread only.
#ifndef TETHER_RUNNER_TUNNEL_ACTOR_LOOKUP_H_
#define TETHER_RUNNER_TUNNEL_ACTOR_LOOKUP_H_

#include <functional>
#include <memory>
#include <string>

#include "actors/actor_runtime.h"

namespace tether::tunnel {

enum class ActorStatus { kAbsent, kStarting, kRunning };

struct ActorLookupResult {
  ActorStatus status = ActorStatus::kAbsent;
  std::shared_ptr<actors::ActorRuntime> runtime;
};

using ActorLookup = std::function<ActorLookupResult(const std::string& actor_id)>;

}  // namespace tether::tunnel

#endif  // TETHER_RUNNER_TUNNEL_ACTOR_LOOKUP_H_
