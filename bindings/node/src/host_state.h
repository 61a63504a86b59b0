// HostState: what the native parts of one JavaScript Runner share — its event bridge, the answers
// JavaScript still owes the runner (completions, by token), the actors running now (by id), and
// its KV promises waiting for the engine.
//
// Threading: completions and actors are thread-safe (actor threads add, the JavaScript thread
// takes); `kv_pending` is touched on the JavaScript thread only.
#ifndef TETHER_BINDINGS_NODE_HOST_STATE_H_
#define TETHER_BINDINGS_NODE_HOST_STATE_H_

#include <node_api.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>

#include "absl/status/status.h"
#include "event_bridge.h"
#include "tether/actor.h"

namespace tether::node {

using StartDone = std::function<void(absl::Status)>;
using StopDone = std::function<void()>;
using Respond = std::function<void(HttpResponse)>;
using DecideOpen = std::function<void(WebSocketAcceptance)>;
using Completion = std::variant<StartDone, StopDone, Respond, DecideOpen>;

class HostState {
 public:
  explicit HostState(std::shared_ptr<EventBridge> bridge) : bridge_(std::move(bridge)) {}

  EventBridge& bridge() { return *bridge_; }

  // A token JavaScript hands back with its answer.
  std::uint32_t AddCompletion(Completion completion) {
    std::lock_guard lock(mutex_);
    const std::uint32_t token = ++last_token_;
    completions_.emplace(token, std::move(completion));
    return token;
  }
  std::optional<Completion> TakeCompletion(std::uint32_t token) {
    std::lock_guard lock(mutex_);
    auto it = completions_.find(token);
    if (it == completions_.end()) return std::nullopt;
    Completion completion = std::move(it->second);
    completions_.erase(it);
    return completion;
  }

  // From an actor's start until its instance is destroyed.
  void AddActor(const std::string& actor_id, Actor* actor) {
    std::lock_guard lock(mutex_);
    actors_[actor_id] = actor;
  }
  void RemoveActor(const std::string& actor_id, const Actor* actor) {
    std::lock_guard lock(mutex_);
    auto it = actors_.find(actor_id);
    if (it != actors_.end() && it->second == actor) actors_.erase(it);
  }
  // Runs `fn` with the running actor, holding it alive; false if no actor of that id runs here.
  bool WithActor(const std::string& actor_id, const std::function<void(Actor&)>& fn) {
    std::lock_guard lock(mutex_);
    auto it = actors_.find(actor_id);
    if (it == actors_.end()) return false;
    fn(*it->second);
    return true;
  }

  // JavaScript thread only: KV promises by id, settled by events from the actor's thread.
  std::map<std::uint64_t, napi_deferred> kv_pending;
  std::uint64_t kv_last_id = 0;

 private:
  std::shared_ptr<EventBridge> bridge_;
  std::mutex mutex_;
  std::uint32_t last_token_ = 0;                     // guarded by mutex_
  std::map<std::uint32_t, Completion> completions_;  // guarded by mutex_
  std::map<std::string, Actor*> actors_;             // guarded by mutex_
};

}  // namespace tether::node

#endif  // TETHER_BINDINGS_NODE_HOST_STATE_H_
