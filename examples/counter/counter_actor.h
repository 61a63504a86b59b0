// CounterActor: the example actor. It keeps a count in its KV and adds one every tick of its
// alarm, so the count keeps going up while the actor lives and carries on after a sleep, a crash
// or a move to another runner. Over HTTP through the engine's gateway:
//   GET  /gateway/{actor id}/count       the count
//   POST /gateway/{actor id}/increment   adds one, answers the new count
//   WebSocket /gateway/{actor id}/watch   pushes the count now and after every change; the
//                                         message "increment" adds one. The socket is
//                                         hibernatable: it stays open across the actor's
//                                         sleeps and moves to other runners.
//
// Threading: as every ActorInstance, its calls run one at a time on the actor's executor.
#ifndef TETHER_EXAMPLES_COUNTER_COUNTER_ACTOR_H_
#define TETHER_EXAMPLES_COUNTER_COUNTER_ACTOR_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "tether/actor.h"

namespace tether::examples {

class CounterActor : public ActorInstance {
 public:
  static constexpr char kCountKey[] = "count";
  static constexpr std::chrono::seconds kTick{5};

  absl::Status OnStart(Actor& actor) override;
  void OnAlarm(Actor& actor) override;
  HttpResponse OnFetch(Actor& actor, const HttpRequest& request) override;
  WebSocketAcceptance OnWebSocketOpen(Actor& actor, WebSocket& socket) override;
  void OnWebSocketMessage(Actor& actor, WebSocket& socket, const std::string& data, bool binary) override;

 private:
  // Adds one and stores it in the background (a tick lost to a crash is harmless).
  void Increment(Actor& actor);
  // Sends the count to every watcher.
  void Broadcast(Actor& actor) const;

  std::int64_t count_ = 0;
};

}  // namespace tether::examples

#endif  // TETHER_EXAMPLES_COUNTER_COUNTER_ACTOR_H_
