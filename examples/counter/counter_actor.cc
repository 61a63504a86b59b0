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
  ++count_;
  actor.kv().Put({{kCountKey, std::to_string(count_)}}, [info = actor.info(), count = count_](absl::Status stored) {
    if (!stored.ok()) {
      std::fprintf(stderr, "counter %s: could not store count %lld: %s\n", Describe(info).c_str(),
                   static_cast<long long>(count), std::string(stored.message()).c_str());
    }
  });
  actor.SetAlarm(std::chrono::system_clock::now() + kTick);
}

}  // namespace tether::examples
