#include "runner_core.h"

#include <algorithm>
#include <cstdlib>
#include <exception>

#include "absl/strings/str_cat.h"
#include "actors/first_call.h"
#include "log.h"
#include "util/random_bytes.h"

namespace tether {
namespace {

namespace v7 = proto::v7;
using Clock = std::chrono::steady_clock;

// How often unacknowledged commands are acknowledged. The engine deletes acknowledged commands,
// so this bounds both its storage and how much it replays after a reconnect.
constexpr std::chrono::milliseconds kHousekeepingPeriod{30000};
// How long the ledger and the event log remember actors that left this runner.
constexpr std::chrono::minutes kRetention{10};
// Events per ToServerEvents frame when resending after a reconnect.
constexpr std::size_t kEventsPerFrame = 256;

// The actor's alarm lives in its own KV under this key, so a sleeping actor woken by the engine
// at alarm time knows to run OnAlarm.
const std::string kAlarmKey = std::string(internal::kReservedKeyPrefix) + "alarm";

absl::string_view Sv(const std::string& s) { return {s.data(), s.size()}; }

std::int64_t ToEpochMs(std::chrono::system_clock::time_point when) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count();
}

// Every reserved key sorts below this one.
std::string ReservedRangeEnd() {
  std::string end(internal::kReservedKeyPrefix);
  end.back() = static_cast<char>(end.back() + 1);
  return end;
}

// The stored alarm: ms since the epoch as decimal text.
std::optional<std::chrono::system_clock::time_point> DecodeTime(const bare::Bytes& bytes) {
  const std::string text(bytes.begin(), bytes.end());
  char* end = nullptr;
  const long long ms = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || end != text.c_str() + text.size()) return std::nullopt;
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}


std::optional<std::chrono::system_clock::time_point> FindAlarm(const v7::KvListResponse& listing) {
  const bare::Bytes key(kAlarmKey.begin(), kAlarmKey.end());
  for (std::size_t i = 0; i < listing.keys.size() && i < listing.values.size(); ++i) {
    if (listing.keys[i] == key) return DecodeTime(listing.values[i]);
  }
  return std::nullopt;
}

ActorInfo ToInfo(const v7::ActorCheckpoint& checkpoint, const v7::ActorConfig& config) {
  ActorInfo info;
  info.actor_id = checkpoint.actor_id;
  info.name = config.name;
  info.key = config.key;
  info.generation = checkpoint.generation;
  info.create_ts_ms = config.create_ts;
  if (config.input) info.input = std::string(config.input->begin(), config.input->end());
  return info;
}

std::string ToString(const std::array<std::uint8_t, 4>& id) { return std::string(id.begin(), id.end()); }

std::string RandomKey() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key;
  for (int half = 0; half < 2; ++half) {
    std::uint64_t bits = util::RandomSeed();
    for (int i = 0; i < 16; ++i, bits >>= 4) key += kHex[bits & 0xf];
  }
  return key;
}

}  // namespace

RunnerCore::RunnerCore(const RunnerConfig& config, std::string runner_key,
                       std::map<std::string, ActorFactory> factories, ActorFactory default_factory,
                       net::EventLoop& loop, actors::WorkerPool& pool, std::shared_ptr<actors::LoopGate> gate,
                       Hooks hooks)
    : config_(config),
      factories_(std::move(factories)),
      default_factory_(std::move(default_factory)),
      loop_(loop),
      pool_(pool),
      gate_(std::move(gate)),
      hooks_(std::move(hooks)),
      link_(loop, config, runner_key.empty() ? RandomKey() : std::move(runner_key),
            [this] {
              std::map<std::string, std::string> names = config_.prepopulate_actor_names;
              for (const auto& [name, factory] : factories_) names.try_emplace(name, "{}");
              return names;
            }(),
            static_cast<link::LinkHandler&>(*this)),
      kv_(loop, config.kv_timeout, [this](v7::ToServer message) { link_.Send(message); }),
      tunnel_(tunnel::WebSocketSessions::Hooks{
                  [this](const v7::ToServer& message) { return link_.Send(message); },
                  [this](const std::string& actor_id) { return LookupForTunnel(actor_id); },
                  [this](const std::string& actor_id, v7::KvRequestData request, internal::KvResponseCallback done) {
                    kv_.Submit(actor_id, std::move(request), std::move(done));
                  },
                  [this] { return link_.queued_bytes(); },
                  [this](std::chrono::milliseconds delay, std::function<void()> fn) {
                    return loop_.RunAfter(delay, std::move(fn));
                  }},
              gate_, config.websocket_limits, config.host_managed_state) {}

RunnerCore::~RunnerCore() = default;

void RunnerCore::Start() {
  link_.Start();
  ScheduleHousekeeping();
}

tunnel::ActorLookupResult RunnerCore::LookupForTunnel(const std::string& actor_id) const {
  tunnel::ActorLookupResult lookup;
  auto it = actors_.find(actor_id);
  if (it == actors_.end() || it->second.state == ActorState::kStopping) return lookup;
  lookup.status = it->second.state == ActorState::kRunning ? tunnel::ActorStatus::kRunning : tunnel::ActorStatus::kStarting;
  lookup.runtime = it->second.runtime;
  return lookup;
}

// ---- Engine link -------------------------------------------------------------------------------

void RunnerCore::OnConnected(const v7::ToClientInit& init) {
  lost_timer_.reset();
  if (!runner_id_.empty() && runner_id_ != init.runner_id) {
    // A new id means the engine expired the old runner and has moved its actors elsewhere.
    ForceStopAll("the engine assigned a new runner id; its actors were moved to other runners", StopReason::kMoved);
  }
  // Right after a reconnect the engine replays the commands it stored while we were away, and a
  // replayed start lists no hibernating sockets even when there are some.
  replaying_ = !runner_id_.empty();
  runner_id_ = init.runner_id;
  runner_lost_threshold_ = std::chrono::milliseconds(init.metadata.runner_lost_threshold);
  log::Write(LogLevel::kInfo, "connected to the engine",
             {{"runner_id", runner_id_}, {"runner_name", config_.runner_name},
              {"namespace", config_.namespace_name}});
  if (draining_) link_.Send(v7::ToServer{v7::ToServerStopping{}});
  std::vector<v7::EventWrapper> pending = events_.Unacknowledged();
  for (std::size_t i = 0; i < pending.size(); i += kEventsPerFrame) {
    const auto end = pending.begin() + static_cast<std::ptrdiff_t>(std::min(pending.size(), i + kEventsPerFrame));
    link_.Send(v7::ToServer{v7::ToServerEvents{{pending.begin() + static_cast<std::ptrdiff_t>(i), end}}});
  }
  kv_.OnConnected();
  EngineMetadata engine;
  engine.runner_id = runner_id_;
  engine.runner_lost_threshold = runner_lost_threshold_;
  engine.actor_stop_threshold = std::chrono::milliseconds(init.metadata.actor_stop_threshold);
  if (init.metadata.serverless_drain_grace_period) {
    engine.serverless_drain_grace_period = std::chrono::milliseconds(*init.metadata.serverless_drain_grace_period);
  }
  if (hooks_.on_connected) hooks_.on_connected(engine);
  if (hooks_.observer != nullptr) hooks_.observer->OnConnected(engine);
}

void RunnerCore::OnMessage(v7::ToClient message) {
  const bool replayed = std::exchange(replaying_, false);
  if (auto* commands = std::get_if<v7::ToClientCommands>(&message)) {
    for (v7::CommandWrapper& command : commands->value) ApplyCommand(std::move(command), replayed);
  } else if (const auto* acks = std::get_if<v7::ToClientAckEvents>(&message)) {
    events_.Acknowledge(acks->last_event_checkpoints);
  } else if (auto* kv = std::get_if<v7::ToClientKvResponse>(&message)) {
    kv_.OnResponse(std::move(*kv));
  } else if (auto* tunnel = std::get_if<v7::ToClientTunnelMessage>(&message)) {
    tunnel_.OnMessage(std::move(*tunnel));
  }
}

void RunnerCore::OnDisconnected(std::uint16_t code, const std::string& reason) {
  kv_.OnDisconnected();
  if (hooks_.observer != nullptr) hooks_.observer->OnDisconnected(code, reason);
  if (finished_) return;
  log::Write(LogLevel::kWarn, "lost the engine connection",
             {{"runner_lost_threshold_ms", std::to_string(runner_lost_threshold_.count())}});
  // Past the threshold the engine declares this runner lost and reschedules its actors; running
  // them on here would mean two copies of one actor.
  lost_timer_ = loop_.RunAfter(runner_lost_threshold_, [this] {
    lost_timer_.reset();
    ForceStopAll("the engine could not be reached within the runner-lost threshold; its actors were moved",
                 StopReason::kMoved);
  });
}

void RunnerCore::OnStopped(const absl::Status& why, const link::CloseReason& reason) {
  // After a drain the engine ends the session itself (ws.eviction): that is the expected end.
  const bool drained = draining_ && (why.ok() || reason.id() == "ws.eviction");
  Finish(drained ? absl::OkStatus() : why);
}

// ---- Commands ------------------------------------------------------------------------------------

void RunnerCore::ApplyCommand(v7::CommandWrapper command, bool replayed) {
  if (!ledger_.Admit(command.checkpoint)) {
    log::Write(LogLevel::kDebug, "skipping a replayed command",
               {{"actor_id", command.checkpoint.actor_id}, {"index", std::to_string(command.checkpoint.index)}});
    return;
  }
  if (const auto* start = std::get_if<v7::CommandStartActor>(&command.inner)) {
    StartActor(command.checkpoint, *start, replayed);
  } else {
    StopActor(command.checkpoint.actor_id, command.checkpoint.generation);
  }
}

void RunnerCore::StartActor(const v7::ActorCheckpoint& checkpoint, const v7::CommandStartActor& start,
                            bool replayed) {
  ActorInfo info = ToInfo(checkpoint, start.config);
  for (const v7::HibernatingRequest& request : start.hibernating_requests) {
    info.hibernating_sockets.push_back({ToString(request.gateway_id), ToString(request.request_id)});
  }
  if (auto it = actors_.find(info.actor_id); it != actors_.end()) {
    if (it->second.runtime->info().generation >= info.generation) return;
    // The engine moved on to a new generation without stopping the old one here (it thought us
    // lost); the old one must not run alongside.
    RemoveActor(info.actor_id, StopReason::kMoved);
  }
  auto refuse = [&](const std::string& why) {
    log::WriteActor(LogLevel::kError, info, "cannot start actor", {{"error", why}});
    SendStopped(info.actor_id, info.generation, v7::StopCode::kError, why);
  };
  if (draining_) return refuse("the runner is draining");
  if (actors_.size() >= config_.total_slots) {
    return refuse(absl::StrCat("the runner has no free slot (total_slots=", config_.total_slots, ")"));
  }
  auto factory = factories_.find(info.name);
  if (factory == factories_.end() && !default_factory_) {
    return refuse(absl::StrCat("no actor named \"", Sv(info.name), "\" is registered on this runner"));
  }
  log::WriteActor(LogLevel::kInfo, info, "starting actor", {{"generation", std::to_string(info.generation)}});
  LocalActor& actor = actors_[info.actor_id];
  actor.runtime = std::make_shared<actors::ActorRuntime>(std::move(info), pool_, gate_,
                                                         static_cast<actors::ActorRequests&>(*this));
  actor.factory = factory != factories_.end() ? factory->second : default_factory_;
  tunnel_.websockets().ExpectRestore(checkpoint.actor_id, start.hibernating_requests);
  if (config_.host_managed_state) {
    // The program keeps the actor's alarm and sockets itself: nothing of the runner's to read.
    RunOnStart(checkpoint.actor_id, checkpoint.generation);
    return;
  }
  LoadReservedThenStart(checkpoint.actor_id, checkpoint.generation, replayed && start.hibernating_requests.empty());
}

// Reads what the runner keeps in the actor's KV — its alarm and its hibernated WebSockets — so
// that both are in place before OnStart.
void RunnerCore::LoadReservedThenStart(const std::string& actor_id, std::uint32_t generation, bool keep_unlisted) {
  const std::string end = ReservedRangeEnd();
  v7::KvListRequest list{v7::KvListRangeQuery{bare::Bytes(internal::kReservedKeyPrefix.begin(),
                                                          internal::kReservedKeyPrefix.end()),
                                              bare::Bytes(end.begin(), end.end()), true},
                         std::nullopt, std::nullopt};
  kv_.Submit(actor_id, std::move(list),
             [this, actor_id, generation, keep_unlisted](absl::StatusOr<v7::KvResponseData> response) {
               LocalActor* actor = Find(actor_id, generation);
               if (actor == nullptr) return;
               v7::KvListResponse listing;
               if (auto* found = response.ok() ? std::get_if<v7::KvListResponse>(&*response) : nullptr) {
                 listing = std::move(*found);
               } else {
                 log::WriteActor(LogLevel::kWarn, actor->runtime->info(), "could not read the actor's alarm and sockets",
                                 {{"error", response.ok() ? "unexpected response" : std::string(response.status().message())}});
               }
               actor->alarm = FindAlarm(listing);
               tunnel_.websockets().Restore(actor_id, actor->runtime, tunnel::HibernationStore::Parse(actor_id, listing),
                                            keep_unlisted);
               RunOnStart(actor_id, generation);
             });
}

// Makes the instance and runs OnStart on the actor's executor; what the program's code throws
// fails the start with the exception's message.
void RunnerCore::RunOnStart(const std::string& actor_id, std::uint32_t generation) {
  LocalActor* actor = Find(actor_id, generation);
  if (actor == nullptr) return;
  // Runs on an actor thread, possibly while the runner shuts down: it touches the core only
  // through the gate. The first answer counts, whether the program calls `done` or throws.
  OnActorThread(actor->runtime, [this, gate = gate_, actor_id, generation,
                                 make = actor->factory](actors::ActorRuntime& runtime) {
    auto finish = actors::FirstCallOnly<absl::Status>([this, gate, actor_id, generation](absl::Status status) {
      gate->Post([this, actor_id, generation, status] { OnStartFinished(actor_id, generation, status); });
    });
    try {
      runtime.instance = make(runtime.info());
      if (runtime.instance == nullptr) return finish(absl::InternalError("the actor factory returned no instance"));
      runtime.instance->OnStartAsync(runtime, finish);
    } catch (const std::exception& e) {
      finish(absl::InternalError(e.what()));
    } catch (...) {
      finish(absl::InternalError("the actor's start threw a non-standard exception"));
    }
  });
}

void RunnerCore::OnStartFinished(const std::string& actor_id, std::uint32_t generation, absl::Status status) {
  LocalActor* actor = Find(actor_id, generation);
  if (actor == nullptr || actor->state != ActorState::kStarting) return;
  const ActorInfo& info = actor->runtime->info();
  if (!status.ok()) {
    log::WriteActor(LogLevel::kError, info, "actor failed to start", {{"error", std::string(status.message())}});
    SendStopped(actor_id, generation, v7::StopCode::kError, std::string(status.message()));
    RemoveActor(actor_id, StopReason::kStartFailed);
    return;
  }
  actor->state = ActorState::kRunning;
  SendEvent(actor_id, generation, v7::EventActorStateUpdate{v7::ActorStateRunning{}});
  log::WriteActor(LogLevel::kInfo, info, "actor running");
  tunnel_.OnActorRunning(actor_id);
  if (actor->stop_requested) {
    StopActor(actor_id, generation);
    return;
  }
  ArmAlarm(*actor);
}

void RunnerCore::StopActor(const std::string& actor_id, std::uint32_t generation) {
  auto it = actors_.find(actor_id);
  if (it == actors_.end() || it->second.runtime->info().generation != generation) {
    // Not here (already stopped, refused, or lost by a restart of this process): say so, or the
    // engine waits for a Stopped. Not OK: that would tell the engine the actor finished for good.
    SendStopped(actor_id, generation, v7::StopCode::kError, "the actor is not running on this runner");
    return;
  }
  LocalActor& actor = it->second;
  if (actor.state == ActorState::kStarting) {
    actor.stop_requested = true;
    return;
  }
  if (actor.state == ActorState::kStopping) return;
  actor.state = ActorState::kStopping;
  actor.alarm_timer.reset();
  log::WriteActor(LogLevel::kInfo, actor.runtime->info(), "stopping actor");
  actor.runtime->set_stop_reason(actor.intent == Intent::kSleep     ? StopReason::kSleep
                                 : actor.intent == Intent::kDestroy ? StopReason::kDestroy
                                                                    : StopReason::kEngine);
  RunOnStop(actor.runtime, [this, actor_id, generation](std::optional<std::string> failure) {
    OnStopFinished(actor_id, generation, std::move(failure));
  });
}

void RunnerCore::RunOnStop(const std::shared_ptr<actors::ActorRuntime>& runtime,
                           std::function<void(std::optional<std::string> failure)> finished) {
  OnActorThread(runtime, [gate = gate_, runtime, finished = std::move(finished)](actors::ActorRuntime& actor) {
    // `done` may come from any thread; the instance is destroyed on the actor's executor.
    auto done = actors::FirstCallOnly<std::optional<std::string>>(
        [gate, finished, runtime](std::optional<std::string> failure) {
          runtime->Post([gate, finished, runtime, failure = std::move(failure)] {
            runtime->instance.reset();
            if (finished) gate->Post([finished, failure] { finished(failure); });
          });
        });
    if (actor.instance == nullptr) return done(std::nullopt);
    try {
      actor.instance->OnStopAsync(actor, [done] { done(std::nullopt); });
    } catch (const std::exception& e) {
      done(std::string("OnStop threw: ") + e.what());
    } catch (...) {
      done("OnStop threw a non-standard exception");
    }
  });
}

void RunnerCore::OnStopFinished(const std::string& actor_id, std::uint32_t generation,
                                std::optional<std::string> failure) {
  LocalActor* actor = Find(actor_id, generation);
  if (actor == nullptr) return;
  // OK tells the engine the stop was meant: for a sleep it keeps the actor asleep, for a destroy
  // it destroys it, during a drain it moves it. Any other stop reports an error, so that the
  // engine applies the actor's crash policy instead of treating it as finished.
  const bool meant = actor->intent == Intent::kSleep || actor->intent == Intent::kDestroy || draining_;
  const v7::StopCode code = meant && !failure ? v7::StopCode::kOk : v7::StopCode::kError;
  // The positions of hibernatable sockets are stored before the engine hears of the stop: the
  // next start, maybe elsewhere, reads them.
  tunnel_.websockets().Settle(actor_id, [this, actor_id, generation, code, failure] {
    LocalActor* stopped = Find(actor_id, generation);
    if (stopped == nullptr) return;
    SendStopped(actor_id, generation, code, failure);
    log::WriteActor(LogLevel::kInfo, stopped->runtime->info(), "actor stopped");
    RemoveActor(actor_id, StopReason::kEngine);
    MaybeFinishDrain();
  });
}

void RunnerCore::ForceStopAll(const std::string& why, StopReason reason, LogLevel level) {
  if (actors_.empty()) return;
  log::Write(level, "stopping all local actors", {{"reason", why}});
  std::vector<std::string> ids;
  for (const auto& [id, actor] : actors_) ids.push_back(id);
  for (const std::string& id : ids) RemoveActor(id, reason);
  MaybeFinishDrain();
}

void RunnerCore::RemoveActor(const std::string& actor_id, StopReason reason) {
  auto it = actors_.find(actor_id);
  if (it == actors_.end()) return;
  std::shared_ptr<actors::ActorRuntime> runtime = it->second.runtime;
  runtime->set_stop_reason(reason);
  events_.Retire(actor_id, runtime->info().generation, Clock::now());
  departed_.push_back(actor_id);
  actors_.erase(it);
  tunnel_.OnActorGone(actor_id);
  RunOnStop(runtime, nullptr);
}

// ---- Actor requests -----------------------------------------------------------------------------

RunnerCore::LocalActor* RunnerCore::Find(const std::string& actor_id, std::uint32_t generation) {
  auto it = actors_.find(actor_id);
  if (it == actors_.end() || it->second.runtime->info().generation != generation) return nullptr;
  return &it->second;
}

void RunnerCore::RequestSleep(const std::string& actor_id, std::uint32_t generation) {
  LocalActor* actor = Find(actor_id, generation);
  if (actor == nullptr || actor->intent != Intent::kNone) return;
  actor->intent = Intent::kSleep;
  log::WriteActor(LogLevel::kInfo, actor->runtime->info(), "actor asks to sleep");
  SendEvent(actor_id, generation, v7::EventActorIntent{v7::ActorIntentSleep{}});
}

void RunnerCore::RequestDestroy(const std::string& actor_id, std::uint32_t generation) {
  LocalActor* actor = Find(actor_id, generation);
  if (actor == nullptr || actor->intent == Intent::kDestroy) return;
  actor->intent = Intent::kDestroy;
  log::WriteActor(LogLevel::kInfo, actor->runtime->info(), "actor asks to be destroyed");
  SendEvent(actor_id, generation, v7::EventActorIntent{v7::ActorIntentStop{}});
}

void RunnerCore::RequestStop(const std::string& actor_id, std::uint32_t generation) {
  LocalActor* actor = Find(actor_id, generation);
  if (actor == nullptr || actor->intent != Intent::kNone) return;
  actor->intent = Intent::kStop;
  log::WriteActor(LogLevel::kInfo, actor->runtime->info(), "actor asks to be stopped");
  SendEvent(actor_id, generation, v7::EventActorIntent{v7::ActorIntentStop{}});
}

absl::StatusOr<std::vector<std::shared_ptr<WebSocket>>> RunnerCore::RestoreWebSockets(
    const std::string& actor_id, std::uint32_t generation, std::vector<StoredWebSocket> stored) {
  LocalActor* actor = Find(actor_id, generation);
  if (actor == nullptr) return absl::FailedPreconditionError("the actor is no longer running on this runner");
  if (!config_.host_managed_state) {
    return absl::FailedPreconditionError("RestoreWebSockets needs RunnerConfig::host_managed_state");
  }
  return tunnel_.websockets().RestoreStored(actor_id, actor->runtime, std::move(stored));
}

void RunnerCore::RequestAlarm(const std::string& actor_id, std::uint32_t generation,
                              std::optional<std::chrono::system_clock::time_point> when) {
  LocalActor* actor = Find(actor_id, generation);
  if (actor == nullptr) return;
  std::optional<std::int64_t> alarm_ts;
  if (when) alarm_ts = ToEpochMs(*when);
  if (config_.host_managed_state) {
    // Only the engine keeps it: it wakes the actor then, and the program runs its own timers.
    SendEvent(actor_id, generation, v7::EventActorSetAlarm{alarm_ts});
    return;
  }
  actor->alarm = when;
  PersistAlarm(actor_id, when);
  SendEvent(actor_id, generation, v7::EventActorSetAlarm{alarm_ts});
  if (actor->state == ActorState::kRunning) ArmAlarm(*actor);
}

// A program's Drop, or a DeleteRange over the runner's reserved keys, also deletes what the runner
// stores there (the alarm, hibernated sockets); it is written again afterwards.
void RunnerCore::SubmitKv(const std::string& actor_id, v7::KvRequestData request, internal::KvResponseCallback done) {
  if (finished_) {
    done(absl::CancelledError("the runner has stopped"));
    return;
  }
  if (hooks_.observer != nullptr) done = TimeKv(std::move(done));
  const auto* range = std::get_if<v7::KvDeleteRangeRequest>(&request);
  const bare::Bytes reserved_start(internal::kReservedKeyPrefix.begin(), internal::kReservedKeyPrefix.end());
  const std::string reserved_end = ReservedRangeEnd();
  const bool clears_reserved =
      !config_.host_managed_state &&
      (std::holds_alternative<v7::KvDropRequest>(request) ||
       (range != nullptr && range->start < bare::Bytes(reserved_end.begin(), reserved_end.end()) &&
        reserved_start < range->end));
  if (!clears_reserved) {
    kv_.Submit(actor_id, std::move(request), std::move(done));
    return;
  }
  kv_.Submit(actor_id, std::move(request),
             [this, actor_id, done = std::move(done)](absl::StatusOr<v7::KvResponseData> response) {
               auto it = actors_.find(actor_id);
               if (response.ok() && it != actors_.end()) {
                 if (it->second.alarm) PersistAlarm(actor_id, it->second.alarm);
                 tunnel_.websockets().StoreAgain(actor_id);
               }
               done(std::move(response));
             });
}

// Reports the request's latency to the observer, then answers.
internal::KvResponseCallback RunnerCore::TimeKv(internal::KvResponseCallback done) {
  return [observer = hooks_.observer, started = Clock::now(), done = std::move(done)](
             absl::StatusOr<v7::KvResponseData> response) {
    observer->OnKvRequest(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started), response.ok());
    done(std::move(response));
  };
}

void RunnerCore::PersistAlarm(const std::string& actor_id, std::optional<std::chrono::system_clock::time_point> when) {
  bare::Bytes key(kAlarmKey.begin(), kAlarmKey.end());
  v7::KvRequestData request = v7::KvDeleteRequest{{key}};
  if (when) {
    const std::string value = std::to_string(ToEpochMs(*when));
    request = v7::KvPutRequest{{key}, {bare::Bytes(value.begin(), value.end())}};
  }
  kv_.Submit(actor_id, std::move(request), [actor_id](absl::StatusOr<v7::KvResponseData> response) {
    if (!response.ok()) {
      log::Write(LogLevel::kWarn, "could not store the actor's alarm",
                 {{"actor_id", actor_id}, {"error", std::string(response.status().message())}});
    }
  });
}

void RunnerCore::ArmAlarm(LocalActor& actor) {
  actor.alarm_timer.reset();
  if (!actor.alarm) return;
  const auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(*actor.alarm - std::chrono::system_clock::now());
  const std::string actor_id = actor.runtime->info().actor_id;
  const std::uint32_t generation = actor.runtime->info().generation;
  actor.alarm_timer = loop_.RunAfter(std::max(delay, std::chrono::milliseconds(0)),
                                     [this, actor_id, generation] { FireAlarm(actor_id, generation); });
}

void RunnerCore::FireAlarm(const std::string& actor_id, std::uint32_t generation) {
  LocalActor* actor = Find(actor_id, generation);
  if (actor == nullptr || actor->state != ActorState::kRunning) return;
  // Clear it everywhere first, so a later sleep does not make the engine wake the actor again.
  actor->alarm.reset();
  PersistAlarm(actor_id, std::nullopt);
  SendEvent(actor_id, generation, v7::EventActorSetAlarm{std::nullopt});
  OnActorThread(actor->runtime, [](actors::ActorRuntime& runtime) {
    if (runtime.instance != nullptr) runtime.instance->OnAlarm(runtime);
  });
}

// ---- Messages to the engine ------------------------------------------------------------------------

void RunnerCore::SendEvent(const std::string& actor_id, std::uint32_t generation, v7::Event event) {
  v7::EventWrapper wrapper = events_.Append(actor_id, generation, std::move(event));
  link_.Send(v7::ToServer{v7::ToServerEvents{{std::move(wrapper)}}});
}

void RunnerCore::SendStopped(const std::string& actor_id, std::uint32_t generation, v7::StopCode code,
                             std::optional<std::string> message) {
  SendEvent(actor_id, generation, v7::EventActorStateUpdate{v7::ActorStateStopped{code, std::move(message)}});
}

void RunnerCore::AckCommands() {
  std::vector<v7::ActorCheckpoint> acks = ledger_.PendingAcks();
  if (acks.empty() || !link_.Send(v7::ToServer{v7::ToServerAckCommands{acks}})) return;
  ledger_.MarkAcked(acks, Clock::now());
}

void RunnerCore::ScheduleHousekeeping() {
  housekeeping_timer_ = loop_.RunAfter(kHousekeepingPeriod, [this] {
    AckCommands();
    const auto cutoff = Clock::now() - kRetention;
    // An actor that came back is not departed; one the ledger forgot needs no more tracking.
    std::erase_if(departed_, [this](const std::string& id) { return actors_.contains(id); });
    for (const std::string& id : ledger_.ForgetStopped(departed_, cutoff)) std::erase(departed_, id);
    events_.Expire(cutoff);
    ScheduleHousekeeping();
  });
}

// ---- Drain and finish ----------------------------------------------------------------------------

void RunnerCore::Abort(const absl::Status& why) {
  link_.Close();
  Finish(why);
}

void RunnerCore::Drain() {
  if (draining_ || finished_) return;
  draining_ = true;
  if (hooks_.observer != nullptr) hooks_.observer->OnDraining();
  log::Write(LogLevel::kInfo, "draining: the engine will move this runner's actors",
             {{"actors", std::to_string(actors_.size())}, {"timeout_ms", std::to_string(config_.drain_timeout.count())}});
  link_.Send(v7::ToServer{v7::ToServerStopping{}});
  drain_timer_ = loop_.RunAfter(config_.drain_timeout, [this] {
    drain_timer_.reset();
    log::Write(LogLevel::kWarn, "drain timed out; closing with actors still running",
               {{"actors", std::to_string(actors_.size())}});
    ForceStopAll("the drain timed out", StopReason::kRunnerStopped);
    AckCommands();
    link_.Close();
  });
  MaybeFinishDrain();
}

void RunnerCore::MaybeFinishDrain() {
  if (!draining_ || finished_ || !actors_.empty()) return;
  drain_timer_.reset();
  AckCommands();
  link_.Close();
}

void RunnerCore::Finish(const absl::Status& status) {
  if (finished_) return;
  finished_ = true;
  lost_timer_.reset();
  housekeeping_timer_.reset();
  drain_timer_.reset();
  ForceStopAll(status.ok() ? "the runner stopped" : std::string(status.message()), StopReason::kRunnerStopped,
               status.ok() ? LogLevel::kInfo : LogLevel::kWarn);
  kv_.FailAll(absl::CancelledError("the runner stopped"));
  if (status.ok()) {
    log::Write(LogLevel::kInfo, "runner stopped");
  } else {
    log::Write(LogLevel::kError, "runner failed", {{"error", std::string(status.message())}});
  }
  if (hooks_.observer != nullptr) {
    hooks_.observer->OnDisconnected(1000, "pegboard.runner_shutdown");
    hooks_.observer->OnStopped(status);
  }
  if (hooks_.on_finished) hooks_.on_finished(status);
}

void RunnerCore::OnActorThread(const std::shared_ptr<actors::ActorRuntime>& runtime,
                               std::function<void(actors::ActorRuntime&)> fn) {
  runtime->Post([runtime, fn = std::move(fn)] {
    try {
      fn(*runtime);
    } catch (const std::exception& e) {
      log::WriteActor(LogLevel::kError, runtime->info(), "actor code threw", {{"error", e.what()}});
    } catch (...) {
      log::WriteActor(LogLevel::kError, runtime->info(), "actor code threw a non-standard exception");
    }
  });
}

}  // namespace tether
