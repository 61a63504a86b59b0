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
    return {200, {{"content-type", "text/plain"}}, std::to_string(count_) + "\n"};
  }
  return ActorInstance::OnFetch(actor, request);
}

void CounterActor::Increment(Actor& actor) {
  ++count_;
  actor.kv().Put({{kCountKey, std::to_string(count_)}}, [info = actor.info(), count = count_](absl::Status stored) {
    if (!stored.ok()) {
      std::fprintf(stderr, "counter %s: could not store count %lld: %s\n", Describe(info).c_str(),
                   static_cast<long long>(count), std::string(stored.message()).c_str());
    }
  });
}

}  // namespace tether::examples
