// RunnerCore: the runner's state on its network thread — the actors it hosts, the commands it
// applied, the events it owes the engine, KV requests in flight — and the rules that tie them to
// the engine link: apply each command once, report every lifecycle change as an event, answer
// pings whatever the actors do, drain on request, and stop local actors when the engine has
// given them to another runner.
//
// Threading: network thread only, except where noted. Actor code runs on the WorkerPool.
#ifndef TETHER_RUNNER_RUNNER_CORE_H_
#define TETHER_RUNNER_RUNNER_CORE_H_

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "actors/actor_runtime.h"
#include "actors/loop_gate.h"
#include "actors/worker_pool.h"
#include "kv/kv_client.h"
#include "link/engine_link.h"
#include "net/event_loop.h"
#include "protocol/command_ledger.h"
#include "protocol/event_log.h"
#include "tether/actor.h"
#include "tether/config.h"
#include "tether/runner.h"
#include "tunnel/tunnel_router.h"

namespace tether {

class RunnerCore final : private link::LinkHandler, private actors::ActorRequests {
 public:
  struct Hooks {
    // The engine accepted the runner.
    std::function<void(const EngineMetadata&)> on_connected;
    // The runner has stopped for good; OK after a requested drain.
    std::function<void(const absl::Status&)> on_finished;
    // The program's observer, if any (tether/runner.h).
    RunnerObserver* observer = nullptr;
  };

  RunnerCore(const RunnerConfig& config, std::string runner_key, std::map<std::string, ActorFactory> factories,
             ActorFactory default_factory, net::EventLoop& loop, actors::WorkerPool& pool,
             std::shared_ptr<actors::LoopGate> gate, Hooks hooks);
  ~RunnerCore() override;

  void Start();
  // Drains (see Runner::Stop).
  void Drain();
  // Ends the runner now: actors are stopped here, waiting KV requests fail; `why` is the result.
  void Abort(const absl::Status& why);

 private:
  enum class ActorState { kStarting, kRunning, kStopping };
  enum class Intent { kNone, kSleep, kDestroy, kStop };

  struct LocalActor {
    std::shared_ptr<actors::ActorRuntime> runtime;
    ActorFactory factory;
    ActorState state = ActorState::kStarting;
    Intent intent = Intent::kNone;
    bool stop_requested = false;  // a stop arrived while starting
    std::optional<std::chrono::system_clock::time_point> alarm;
    std::unique_ptr<net::Timer> alarm_timer;
  };

  // LinkHandler
  void OnConnected(const proto::v7::ToClientInit& init) override;
  void OnMessage(proto::v7::ToClient message) override;
  void OnDisconnected(std::uint16_t code, const std::string& reason) override;
  void OnStopped(const absl::Status& why, const link::CloseReason& reason) override;

  // ActorRequests
  void RequestSleep(const std::string& actor_id, std::uint32_t generation) override;
  void RequestDestroy(const std::string& actor_id, std::uint32_t generation) override;
  void RequestStop(const std::string& actor_id, std::uint32_t generation) override;
  void RequestAlarm(const std::string& actor_id, std::uint32_t generation,
                    std::optional<std::chrono::system_clock::time_point> when) override;
  void SubmitKv(const std::string& actor_id, proto::v7::KvRequestData request,
                internal::KvResponseCallback done) override;
  absl::StatusOr<std::vector<std::shared_ptr<WebSocket>>> RestoreWebSockets(
      const std::string& actor_id, std::uint32_t generation, std::vector<StoredWebSocket> stored) override;

  tunnel::ActorLookupResult LookupForTunnel(const std::string& actor_id) const;
  void ApplyCommand(proto::v7::CommandWrapper command, bool replayed);
  void StartActor(const proto::v7::ActorCheckpoint& checkpoint, const proto::v7::CommandStartActor& start,
                  bool replayed);
  void LoadReservedThenStart(const std::string& actor_id, std::uint32_t generation, bool keep_unlisted);
  void RunOnStart(const std::string& actor_id, std::uint32_t generation);
  void OnStartFinished(const std::string& actor_id, std::uint32_t generation, absl::Status status);
  void StopActor(const std::string& actor_id, std::uint32_t generation);
  void OnStopFinished(const std::string& actor_id, std::uint32_t generation, std::optional<std::string> failure);
  // Runs the instance's OnStopAsync on the actor's executor and then destroys the instance there;
  // `finished` (if any) runs on the network thread afterwards with what OnStopAsync threw.
  void RunOnStop(const std::shared_ptr<actors::ActorRuntime>& runtime,
                 std::function<void(std::optional<std::string> failure)> finished);
  // Stops every local actor now; logged at `level` (a requested stop is no warning).
  void ForceStopAll(const std::string& why, StopReason reason, LogLevel level = LogLevel::kWarn);
  // Forgets the actor here; its OnStop runs (with `reason`) if it had not.
  void RemoveActor(const std::string& actor_id, StopReason reason);
  void FireAlarm(const std::string& actor_id, std::uint32_t generation);
  void ArmAlarm(LocalActor& actor);
  internal::KvResponseCallback TimeKv(internal::KvResponseCallback done);
  void PersistAlarm(const std::string& actor_id, std::optional<std::chrono::system_clock::time_point> when);

  LocalActor* Find(const std::string& actor_id, std::uint32_t generation);
  void SendEvent(const std::string& actor_id, std::uint32_t generation, proto::v7::Event event);
  void SendStopped(const std::string& actor_id, std::uint32_t generation, proto::v7::StopCode code,
                   std::optional<std::string> message);
  void AckCommands();
  void ScheduleHousekeeping();
  void MaybeFinishDrain();
  void Finish(const absl::Status& status);
  // Runs `fn(runtime)` on the actor's executor, catching what user code throws.
  void OnActorThread(const std::shared_ptr<actors::ActorRuntime>& runtime,
                     std::function<void(actors::ActorRuntime&)> fn);

  const RunnerConfig& config_;
  std::map<std::string, ActorFactory> factories_;
  ActorFactory default_factory_;
  net::EventLoop& loop_;
  actors::WorkerPool& pool_;
  std::shared_ptr<actors::LoopGate> gate_;
  Hooks hooks_;

  link::EngineLink link_;
  kv::KvClient kv_;
  tunnel::TunnelRouter tunnel_;
  protocol::CommandLedger ledger_;
  protocol::EventLog events_;
  std::map<std::string, LocalActor> actors_;
  std::vector<std::string> departed_;  // actors that left, for the ledger's housekeeping

  std::string runner_id_;
  std::chrono::milliseconds runner_lost_threshold_{15000};
  std::unique_ptr<net::Timer> lost_timer_;
  std::unique_ptr<net::Timer> housekeeping_timer_;
  std::unique_ptr<net::Timer> drain_timer_;
  bool draining_ = false;
  bool replaying_ = false;  // the next commands are the engine's replay after a reconnect
  bool finished_ = false;
};

}  // namespace tether

#endif  // TETHER_RUNNER_RUNNER_CORE_H_
