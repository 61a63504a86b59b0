#include "counter_actor.h"

#include <cstdio>
#include <string>

namespace tether::examples {
namespace {

std::string Describe(const ActorInfo& info) { return info.name + "/" + info.key.value_or("(no key)"); }

}  // namespace

absl::Status CounterActor::OnStart(Actor& actor) {
  // Blocking on the future is fine here: it holds up only this actor.
  absl::StatusOr<KvEntries> stored = actor.kv().Get({kCountKey}).get();
  if (!stored.ok()) return stored.status();
  if (!stored->empty()) count_ = std::stoll(stored->front().value);
  std::fprintf(stderr, "counter %s started (generation %u): count=%lld\n", Describe(actor.info()).c_str(),
               actor.info().generation, static_cast<long long>(count_));
  actor.SetAlarm(std::chrono::system_clock::now() + kTick);
  // Watchers that stayed connected while the actor was away hear where the count is.
  Broadcast(actor);
  return absl::OkStatus();
}

void CounterActor::OnAlarm(Actor& actor) {
  Increment(actor);
  actor.SetAlarm(std::chrono::system_clock::now() + kTick);
}

HttpResponse CounterActor::OnFetch(Actor& actor, const HttpRequest& request) {
  if (request.path == "/count" && request.method == "GET") {
    return {200, {{"content-type", "text/plain"}}, std::to_string(count_) + "\n"};
  }
  if (request.path == "/increment" && request.method == "POST") {
    // Answer only once the new count is stored, so an acknowledged increment is never lost.
    ++count_;
    if (absl::Status stored = actor.kv().Put({{kCountKey, std::to_string(count_)}}).get(); !stored.ok()) {
      --count_;
      return {503, {{"content-type", "text/plain"}}, std::string(stored.message()) + "\n"};
    }
    Broadcast(actor);
    return {200, {{"content-type", "text/plain"}}, std::to_string(count_) + "\n"};
  }
  return ActorInstance::OnFetch(actor, request);
}

WebSocketAcceptance CounterActor::OnWebSocketOpen(Actor& actor, WebSocket& socket) {
  (void)actor;
  if (socket.request().path != "/watch") return {false, false, 1008, "WebSockets go to /watch"};
  socket.Send(std::to_string(count_), false);
  return {true, true};
}

void CounterActor::OnWebSocketMessage(Actor& actor, WebSocket& socket, const std::string& data, bool binary) {
  (void)binary;
  if (data == "increment") {
    Increment(actor);
  } else {
    socket.Send("unknown message; send \"increment\"", false);
  }
}

void CounterActor::Increment(Actor& actor) {
  ++count_;
  Broadcast(actor);
  actor.kv().Put({{kCountKey, std::to_string(count_)}}, [info = actor.info(), count = count_](absl::Status stored) {
    if (!stored.ok()) {
      std::fprintf(stderr, "counter %s: could not store count %lld: %s\n", Describe(info).c_str(),
                   static_cast<long long>(count), std::string(stored.message()).c_str());
    }
  });
}

void CounterActor::Broadcast(Actor& actor) const {
  for (const std::shared_ptr<WebSocket>& socket : actor.WebSockets()) socket->Send(std::to_string(count_), false);
}

}  // namespace tether::examples
