// ActorDirectory: the actors this agent hosts right now, with what they are doing, so other parts
// of the agent (the idle sleeper, the admin server, later the sidecar API) can list them and
// command them (sleep, destroy) without reaching into the forwarding code.
//
// Threading: thread-safe. An actor's Actor& is used only while it is listed, i.e. between its
// OnStart and the start of its OnStop, which the forwarding actor guarantees.
#ifndef TETHER_TUNNEL_AGENT_ACTOR_DIRECTORY_H_
#define TETHER_TUNNEL_AGENT_ACTOR_DIRECTORY_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
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
  void Add(Actor& actor, std::shared_ptr<ActorActivity> activity);
  void Remove(const Actor& actor);

  std::size_t size() const;
  std::vector<ActorSummary> List() const;
  // NotFound when the actor is not running here.
  absl::Status Sleep(const std::string& actor_id);
  absl::Status Destroy(const std::string& actor_id);

  // Asks every actor idle for at least `idle_after`, with no request in flight and no socket
  // that cannot hibernate, to sleep (once per start). Returns how many were asked.
  int SleepIdle(std::chrono::steady_clock::duration idle_after);

 private:
  struct Entry {
    Actor* actor;
    std::shared_ptr<ActorActivity> activity;
  };

  absl::Status Command(const std::string& actor_id, void (Actor::*command)());

  mutable std::mutex mutex_;
  std::map<std::string, Entry> actors_;  // by actor id
};

}  // namespace tether::agent

#endif  // TETHER_TUNNEL_AGENT_ACTOR_DIRECTORY_H_
