// ActorDirectory: the actors this agent hosts right now, with what they are doing, so other parts
// of the agent (the idle sleeper, the admin server, the sidecar API) can list, watch and command
// them (sleep, destroy, alarms, KV) without reaching into the forwarding code.
//
// Threading: thread-safe. An actor's Actor& is used only while it is listed, i.e. between its
// OnStart and the start of its OnStop, which the forwarding actor guarantees.
#ifndef TETHER_TUNNEL_AGENT_ACTOR_DIRECTORY_H_
#define TETHER_TUNNEL_AGENT_ACTOR_DIRECTORY_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/actor_events.h"
#include "tether/actor.h"

namespace tether::agent {

// What an actor is doing, updated lock-free by its forwarders.
struct ActorActivity {
  // Marks traffic now (an HTTP request or a WebSocket message either way).
  void Touch();
  std::chrono::steady_clock::duration IdleFor() const;

  std::atomic<std::int64_t> last_activity_ns{0};  // steady_clock
  std::atomic<int> requests_in_flight{0};
  std::atomic<int> open_sockets{0};
  // Open sockets that cannot hibernate: the actor must not sleep while any is open.
  std::atomic<int> pinning_sockets{0};
  std::atomic<bool> sleep_requested{false};
};

struct ActorSummary {
  ActorInfo info;
  int requests_in_flight = 0;
  int open_sockets = 0;
  std::chrono::steady_clock::duration idle{};
};

class ActorDirectory {
 public:
  // Lists the actor and tells the watchers it started.
  void Add(Actor& actor, std::shared_ptr<ActorActivity> activity);
  // Unlists the actor and tells the watchers it stopped.
  void Remove(const Actor& actor);
  // Tells the watchers that the actor's alarm is due.
  void NotifyAlarm(const Actor& actor);

  std::size_t size() const;
  std::vector<ActorSummary> List() const;
  // NotFound when the actor is not running here.
  absl::Status Sleep(const std::string& actor_id);
  absl::Status Destroy(const std::string& actor_id);
  absl::Status SetAlarm(const std::string& actor_id, std::chrono::system_clock::time_point when);
  absl::Status ClearAlarm(const std::string& actor_id);
  // The actor's Kv, usable from any thread; NotFound when the actor is not running here.
  absl::StatusOr<Kv> KvOf(const std::string& actor_id);

  // A queue of events for a new watcher: first a `started` event for every actor running now,
  // then each event as it happens, for as long as the caller holds the queue.
  std::shared_ptr<ActorEventQueue> Watch();
  // Ends every watch with `reason` (not OK), e.g. when the agent stops.
  void CloseWatches(const absl::Status& reason);

  // Asks every actor idle for at least `idle_after`, with no request in flight and no socket
  // that cannot hibernate, to sleep (once per start). Returns how many were asked.
  int SleepIdle(std::chrono::steady_clock::duration idle_after);

 private:
  struct Entry {
    Actor* actor;
    std::shared_ptr<ActorActivity> activity;
  };

  // Runs `command` on the actor under the lock, which keeps its Actor& valid meanwhile.
  absl::Status Command(const std::string& actor_id, const std::function<void(Actor&)>& command);
  // Pushes `event` to every watcher still held, forgetting the others. Under mutex_.
  void Publish(const ActorEvent& event);

  mutable std::mutex mutex_;
  std::map<std::string, Entry> actors_;  // by actor id
  std::vector<std::weak_ptr<ActorEventQueue>> watchers_;
};

}  // namespace tether::agent

#endif  // TETHER_TUNNEL_AGENT_ACTOR_DIRECTORY_H_
