// SidecarService: the sidecar API (proto/tether_sidecar.proto) as plain C++ calls, one per RPC,
// over the agent's ActorDirectory. The gRPC server (sidecar_grpc_server.h) and the
// JSON mapping on the admin server (sidecar_json.h) are thin adapters over it, so both answer
// alike.
//
// Errors are the API's: NotFound for an actor not running here (Unavailable instead once the
// agent drains: the actor is moving elsewhere), InvalidArgument for a malformed request or one
// over the KV limits, and the SDK's DeadlineExceeded for a KV request the engine did not answer.
//
// Threading: thread-safe. KV calls block the calling thread until the engine answers, at most
// RunnerConfig::kv_timeout.
#ifndef TETHER_TUNNEL_AGENT_SIDECAR_SERVICE_H_
#define TETHER_TUNNEL_AGENT_SIDECAR_SERVICE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/actor_directory.h"
#include "agent/actor_events.h"
#include "agent/link_state.h"
#include "tether_sidecar.pb.h"

namespace tether::agent {

namespace sidecar = ::tether::sidecar::v1;

// What the service asks of the agent as a whole, which differs between its modes (one runner, or
// the runners of a serverless endpoint).
struct AgentControl {
  // The runner id to report; empty when there is none.
  std::function<std::string()> runner_id;
  // Starts the agent's drain, as SIGTERM does; returns at once.
  std::function<void()> drain;
};

class SidecarService {
 public:
  // KvList answers at most this many entries per call.
  static constexpr std::uint32_t kMaxListLimit = 1000;
  static constexpr std::uint32_t kDefaultListLimit = 100;

  // `directory` and `link` must outlive the service.
  SidecarService(ActorDirectory& directory, const LinkState& link, AgentControl agent)
      : directory_(directory), link_(link), agent_(std::move(agent)) {}

  // The watcher's queue (see ActorDirectory::Watch); ToProto turns its events into messages.
  std::shared_ptr<ActorEventQueue> WatchActors();
  static sidecar::ActorEvent ToProto(const ActorEvent& event);
  // Ends every watch with Unavailable: the agent is stopping.
  void EndWatches();

  absl::StatusOr<sidecar::KvGetResponse> KvGet(const sidecar::KvGetRequest& request);
  absl::StatusOr<sidecar::KvPutResponse> KvPut(const sidecar::KvPutRequest& request);
  absl::StatusOr<sidecar::KvDeleteResponse> KvDelete(const sidecar::KvDeleteRequest& request);
  absl::StatusOr<sidecar::KvListResponse> KvList(const sidecar::KvListRequest& request);
  absl::StatusOr<sidecar::SleepActorResponse> SleepActor(const sidecar::SleepActorRequest& request);
  absl::StatusOr<sidecar::DestroyActorResponse> DestroyActor(const sidecar::DestroyActorRequest& request);
  absl::StatusOr<sidecar::SetAlarmResponse> SetAlarm(const sidecar::SetAlarmRequest& request);
  absl::StatusOr<sidecar::ClearAlarmResponse> ClearAlarm(const sidecar::ClearAlarmRequest& request);
  absl::StatusOr<sidecar::GetStatusResponse> GetStatus(const sidecar::GetStatusRequest& request);
  absl::StatusOr<sidecar::ListActorsResponse> ListActors(const sidecar::ListActorsRequest& request);
  absl::StatusOr<sidecar::DrainResponse> Drain(const sidecar::DrainRequest& request);

 private:
  bool draining() const { return drain_requested_.load() || link_.draining(); }
  // Runs `command`, a directory call about `actor_id`, refusing an empty id and turning NotFound
  // into Unavailable while draining.
  absl::Status ForActor(const std::string& actor_id, const std::function<absl::Status()>& command) const;
  absl::StatusOr<Kv> KvOf(const std::string& actor_id);

  ActorDirectory& directory_;
  const LinkState& link_;
  const AgentControl agent_;
  std::atomic<bool> drain_requested_{false};
};

}  // namespace tether::agent

#endif  // TETHER_TUNNEL_AGENT_SIDECAR_SERVICE_H_
