// ActorRuntime: one started actor as its code sees it (tether::Actor) — its info, its Kv, its
// serial executor and the ActorInstance the program's factory made — plus the ActorRequests it
// sends back to the runner core. Actor code holds it only through tether::Actor&.
//
// Threading: the tether::Actor members are thread-safe (they post to the network thread through
// the LoopGate); `instance` is touched only on the actor's executor.
#ifndef TETHER_RUNNER_ACTORS_ACTOR_RUNTIME_H_
#define TETHER_RUNNER_ACTORS_ACTOR_RUNTIME_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "actors/loop_gate.h"
#include "actors/worker_pool.h"
#include "kv/kv_channel.h"
#include "tether/actor.h"

namespace tether::actors {

// What an actor asks of the runner core; called on the network thread.
class ActorRequests {
 public:
  virtual ~ActorRequests() = default;
  virtual void RequestSleep(const std::string& actor_id, std::uint32_t generation) = 0;
  virtual void RequestDestroy(const std::string& actor_id, std::uint32_t generation) = 0;
  virtual void RequestStop(const std::string& actor_id, std::uint32_t generation) = 0;
  // nullopt clears the alarm.
  virtual void RequestAlarm(const std::string& actor_id, std::uint32_t generation,
                            std::optional<std::chrono::system_clock::time_point> when) = 0;
  virtual void SubmitKv(const std::string& actor_id, proto::v7::KvRequestData request,
                        internal::KvResponseCallback done) = 0;
  // See Actor::RestoreWebSockets.
  virtual absl::StatusOr<std::vector<std::shared_ptr<WebSocket>>> RestoreWebSockets(
      const std::string& actor_id, std::uint32_t generation, std::vector<StoredWebSocket> stored) = 0;
};

class ActorRuntime final : public Actor, public std::enable_shared_from_this<ActorRuntime> {
 public:
  // `requests` must stay valid while the gate is open.
  ActorRuntime(ActorInfo info, WorkerPool& pool, std::shared_ptr<LoopGate> gate, ActorRequests& requests);

  const ActorInfo& info() const override { return info_; }
  Kv& kv() override { return kv_; }
  void Sleep() override;
  void Destroy() override;
  void Stop() override;
  void SetAlarm(std::chrono::system_clock::time_point when) override;
  void ClearAlarm() override;
  void Post(std::function<void()> fn) override { executor_.Post(std::move(fn)); }
  std::vector<std::shared_ptr<WebSocket>> WebSockets() const override;
  StopReason stop_reason() const override { return stop_reason_; }
  // Network thread: the first reason given counts.
  void set_stop_reason(StopReason reason) {
    StopReason none = StopReason::kNone;
    stop_reason_.compare_exchange_strong(none, reason);
  }
  // Waits for the network thread, which never waits for actor code.
  absl::StatusOr<std::vector<std::shared_ptr<WebSocket>>> RestoreWebSockets(
      std::vector<StoredWebSocket> stored) override;

  // Any thread: the tunnel lists and unlists the actor's open sockets.
  void AddWebSocket(std::shared_ptr<WebSocket> socket);
  void RemoveWebSocket(const WebSocket* socket);

  // Executor-only: the program's object for this actor, made by its factory.
  std::unique_ptr<ActorInstance> instance;

 private:
  class Channel;

  ActorInfo info_;
  std::atomic<StopReason> stop_reason_{StopReason::kNone};
  SerialExecutor executor_;
  std::shared_ptr<LoopGate> gate_;
  ActorRequests& requests_;
  Kv kv_;
  mutable std::mutex sockets_mutex_;
  std::vector<std::shared_ptr<WebSocket>> sockets_;  // guarded by sockets_mutex_
};

}  // namespace tether::actors

#endif  // TETHER_RUNNER_ACTORS_ACTOR_RUNTIME_H_
