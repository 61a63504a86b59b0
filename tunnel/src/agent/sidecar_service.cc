#include "agent/sidecar_service.h"

#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/agent_log.h"

namespace tether::agent {
namespace {

std::vector<std::string> Keys(const google::protobuf::RepeatedPtrField<std::string>& keys) {
  return {keys.begin(), keys.end()};
}

void AddEntries(const KvEntries& entries, google::protobuf::RepeatedPtrField<sidecar::KvEntry>& out) {
  for (const KvEntry& entry : entries) {
    sidecar::KvEntry* added = out.Add();
    added->set_key(entry.key);
    added->set_value(entry.value);
    added->set_update_ts_ms(entry.update_ts_ms);
  }
}

}  // namespace

std::shared_ptr<ActorEventQueue> SidecarService::WatchActors() { return directory_.Watch(); }

void SidecarService::EndWatches() { directory_.CloseWatches(absl::UnavailableError("the agent is stopping")); }

sidecar::ActorEvent SidecarService::ToProto(const ActorEvent& event) {
  sidecar::ActorEvent message;
  switch (event.kind) {
    case ActorEvent::Kind::kStarted: {
      sidecar::ActorEvent::Started* started = message.mutable_started();
      started->set_actor_id(event.actor.actor_id);
      started->set_name(event.actor.name);
      if (event.actor.key) started->set_key(*event.actor.key);
      started->set_generation(event.actor.generation);
      if (event.actor.input) started->set_input(*event.actor.input);
      break;
    }
    case ActorEvent::Kind::kStopped:
      message.mutable_stopped()->set_actor_id(event.actor.actor_id);
      message.mutable_stopped()->set_generation(event.actor.generation);
      break;
    case ActorEvent::Kind::kAlarm:
      message.mutable_alarm()->set_actor_id(event.actor.actor_id);
      message.mutable_alarm()->set_generation(event.actor.generation);
      break;
  }
  return message;
}

absl::StatusOr<sidecar::KvGetResponse> SidecarService::KvGet(const sidecar::KvGetRequest& request) {
  absl::StatusOr<Kv> kv = KvOf(request.actor_id());
  if (!kv.ok()) return kv.status();
  absl::StatusOr<KvEntries> entries = kv->Get(Keys(request.keys())).get();
  if (!entries.ok()) return entries.status();
  sidecar::KvGetResponse response;
  AddEntries(*entries, *response.mutable_entries());
  return response;
}

absl::StatusOr<sidecar::KvPutResponse> SidecarService::KvPut(const sidecar::KvPutRequest& request) {
  absl::StatusOr<Kv> kv = KvOf(request.actor_id());
  if (!kv.ok()) return kv.status();
  std::vector<std::pair<std::string, std::string>> entries;
  entries.reserve(static_cast<std::size_t>(request.entries_size()));
  for (const sidecar::KvPutRequest::Entry& entry : request.entries()) entries.emplace_back(entry.key(), entry.value());
  if (absl::Status put = kv->Put(std::move(entries)).get(); !put.ok()) return put;
  return sidecar::KvPutResponse();
}

absl::StatusOr<sidecar::KvDeleteResponse> SidecarService::KvDelete(const sidecar::KvDeleteRequest& request) {
  absl::StatusOr<Kv> kv = KvOf(request.actor_id());
  if (!kv.ok()) return kv.status();
  if (absl::Status deleted = kv->Delete(Keys(request.keys())).get(); !deleted.ok()) return deleted;
  return sidecar::KvDeleteResponse();
}

absl::StatusOr<sidecar::KvListResponse> SidecarService::KvList(const sidecar::KvListRequest& request) {
  if (request.limit() > kMaxListLimit) {
    return absl::InvalidArgumentError(absl::StrCat("limit ", request.limit(), " is over the maximum of ", kMaxListLimit,
                                                   "; page with a range starting after the last key"));
  }
  absl::StatusOr<Kv> kv = KvOf(request.actor_id());
  if (!kv.ok()) return kv.status();
  const KvListOptions options{.reverse = request.reverse(),
                              .limit = request.limit() == 0 ? kDefaultListLimit : request.limit()};
  std::future<absl::StatusOr<KvEntries>> listed;
  switch (request.query_case()) {
    case sidecar::KvListRequest::kPrefix:
      listed = kv->ListPrefix(request.prefix(), options);
      break;
    case sidecar::KvListRequest::kRange:
      listed = kv->ListRange(request.range().start(), request.range().end(), request.range().end_exclusive(), options);
      break;
    case sidecar::KvListRequest::QUERY_NOT_SET:
      listed = kv->ListAll(options);
      break;
  }
  absl::StatusOr<KvEntries> entries = listed.get();
  if (!entries.ok()) return entries.status();
  sidecar::KvListResponse response;
  AddEntries(*entries, *response.mutable_entries());
  return response;
}

absl::StatusOr<sidecar::SleepActorResponse> SidecarService::SleepActor(const sidecar::SleepActorRequest& request) {
  const std::string& id = request.actor_id();
  if (absl::Status slept = ForActor(id, [&] { return directory_.Sleep(id); }); !slept.ok()) return slept;
  return sidecar::SleepActorResponse();
}

absl::StatusOr<sidecar::DestroyActorResponse> SidecarService::DestroyActor(const sidecar::DestroyActorRequest& request) {
  const std::string& id = request.actor_id();
  if (absl::Status destroyed = ForActor(id, [&] { return directory_.Destroy(id); }); !destroyed.ok()) return destroyed;
  return sidecar::DestroyActorResponse();
}

absl::StatusOr<sidecar::SetAlarmResponse> SidecarService::SetAlarm(const sidecar::SetAlarmRequest& request) {
  if (request.at_unix_ms() <= 0) return absl::InvalidArgumentError("at_unix_ms is required (ms since the epoch)");
  const std::string& id = request.actor_id();
  const std::chrono::system_clock::time_point when{std::chrono::milliseconds(request.at_unix_ms())};
  if (absl::Status set = ForActor(id, [&] { return directory_.SetAlarm(id, when); }); !set.ok()) return set;
  return sidecar::SetAlarmResponse();
}

absl::StatusOr<sidecar::ClearAlarmResponse> SidecarService::ClearAlarm(const sidecar::ClearAlarmRequest& request) {
  const std::string& id = request.actor_id();
  if (absl::Status cleared = ForActor(id, [&] { return directory_.ClearAlarm(id); }); !cleared.ok()) return cleared;
  return sidecar::ClearAlarmResponse();
}

absl::StatusOr<sidecar::GetStatusResponse> SidecarService::GetStatus(const sidecar::GetStatusRequest& /*request*/) {
  sidecar::GetStatusResponse response;
  response.set_runner_id(agent_.runner_id());
  response.set_connected(link_.connected());
  response.set_draining(draining());
  response.set_actors(static_cast<std::uint32_t>(directory_.size()));
  return response;
}

absl::StatusOr<sidecar::ListActorsResponse> SidecarService::ListActors(const sidecar::ListActorsRequest& /*request*/) {
  sidecar::ListActorsResponse response;
  for (const ActorSummary& summary : directory_.List()) {
    sidecar::ActorSummary* actor = response.add_actors();
    actor->set_actor_id(summary.info.actor_id);
    actor->set_name(summary.info.name);
    if (summary.info.key) actor->set_key(*summary.info.key);
    actor->set_generation(summary.info.generation);
    actor->set_requests_in_flight(static_cast<std::uint32_t>(summary.requests_in_flight));
    actor->set_open_websockets(static_cast<std::uint32_t>(summary.open_sockets));
    actor->set_idle_ms(std::chrono::duration_cast<std::chrono::milliseconds>(summary.idle).count());
  }
  return response;
}

absl::StatusOr<sidecar::DrainResponse> SidecarService::Drain(const sidecar::DrainRequest& /*request*/) {
  if (!drain_requested_.exchange(true)) {
    AgentLog(LogLevel::kInfo, "draining: asked through the sidecar API");
    agent_.drain();
  }
  return sidecar::DrainResponse();
}

absl::Status SidecarService::ForActor(const std::string& actor_id, const std::function<absl::Status()>& command) const {
  if (actor_id.empty()) return absl::InvalidArgumentError("actor_id is required");
  absl::Status status = command();
  if (absl::IsNotFound(status) && draining()) {
    return absl::UnavailableError(
        absl::StrCat("actor ", actor_id, " is not running here: the agent is draining and its actors move elsewhere"));
  }
  return status;
}

absl::StatusOr<Kv> SidecarService::KvOf(const std::string& actor_id) {
  std::optional<Kv> kv;
  absl::Status found = ForActor(actor_id, [&] {
    absl::StatusOr<Kv> actor_kv = directory_.KvOf(actor_id);
    if (actor_kv.ok()) kv.emplace(*std::move(actor_kv));
    return actor_kv.status();
  });
  if (!found.ok()) return found;
  return *std::move(kv);
}

}  // namespace tether::agent
