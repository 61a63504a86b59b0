// ActorEvent and ActorEventQueue: what the sidecar's WatchActors streams. The ActorDirectory
// pushes an event into every watcher's queue as its actors start, stop and get their alarms; each
// watcher's stream pops from its own queue at its own pace.
//
// Threading: thread-safe.
#ifndef TETHER_TUNNEL_AGENT_ACTOR_EVENTS_H_
#define TETHER_TUNNEL_AGENT_ACTOR_EVENTS_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tether/actor.h"

namespace tether::agent {

struct ActorEvent {
  enum class Kind { kStarted, kStopped, kAlarm };
  Kind kind;
  // All of it for kStarted; the id and generation for the others.
  ActorInfo actor;
};

class ActorEventQueue {
 public:
  // A watcher that lets more than `capacity` events pile up is dropped rather than letting the
  // agent's memory grow with it.
  explicit ActorEventQueue(std::size_t capacity) : capacity_(capacity) {}

  // Closes the queue with ResourceExhausted when it is full.
  void Push(ActorEvent event);
  // Ends the watch: Pop returns `reason` once the queued events are taken.
  void Close(absl::Status reason);
  // The next event; nullopt when none came within `timeout`; the close reason once closed and
  // drained.
  absl::StatusOr<std::optional<ActorEvent>> Pop(std::chrono::milliseconds timeout);

 private:
  const std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<ActorEvent> events_;  // guarded by mutex_
  absl::Status closed_;            // guarded by mutex_; OK while open
};

}  // namespace tether::agent

#endif  // TETHER_TUNNEL_AGENT_ACTOR_EVENTS_H_
