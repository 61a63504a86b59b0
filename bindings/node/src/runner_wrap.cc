#include "runner_wrap.h"

#include <string>
#include <utility>
#include <vector>

#include "addon_data.h"
#include "js_actor.h"
#include "log_router.h"
#include "napi_util.h"
#include "socket_wrap.h"
#include "tether/serverless.h"

namespace tether::node {
namespace {

constexpr napi_type_tag kRunnerTag = {0x7465746865720002ULL, 0x72756e6e65720001ULL};

// Tells JavaScript what the SDK's observer sees; the runner's last event closes the bridge.
class HostObserver final : public RunnerObserver {
 public:
  explicit HostObserver(std::shared_ptr<HostState> host) : host_(std::move(host)) {}

  void OnConnected(const EngineMetadata& engine) override {
    host_->bridge().Emit([engine](napi_env env) {
      return MakeObject(env, {{"type", MakeString(env, "connected")},
                              {"runnerId", MakeString(env, engine.runner_id)},
                              {"runnerLostThreshold", MakeBigInt(env, engine.runner_lost_threshold.count())},
                              {"actorStopThreshold", MakeBigInt(env, engine.actor_stop_threshold.count())},
                              {"serverlessDrainGracePeriod", engine.serverless_drain_grace_period
                                                                 ? MakeBigInt(env, engine.serverless_drain_grace_period->count())
                                                                 : MakeNull(env)}});
    });
  }

  void OnDisconnected(std::uint16_t code, const std::string& reason) override {
    host_->bridge().Emit([code, reason](napi_env env) {
      return MakeObject(env, {{"type", MakeString(env, "disconnected")},
                              {"code", MakeNumber(env, code)},
                              {"reason", MakeString(env, reason)}});
    });
  }

  void OnStopped(const absl::Status& result) override {
    host_->bridge().Emit([host = host_, error = result.ok() ? std::string() : std::string(result.message()),
                          ok = result.ok()](napi_env env) {
      // KV answers still on their way will find no promise: they are rejected here.
      for (auto& [id, deferred] : host->kv_pending) {
        napi_value message = MakeString(env, "WebSocket connection closed during shutdown");
        napi_value rejection = nullptr;
        napi_create_error(env, nullptr, message, &rejection);
        napi_reject_deferred(env, deferred, rejection);
      }
      host->kv_pending.clear();
      return MakeObject(env, {{"type", MakeString(env, "stopped")},
                              {"error", ok ? MakeNull(env) : MakeString(env, error)}});
    });
    host_->bridge().Close();
  }

 private:
  std::shared_ptr<HostState> host_;
};

// A string field of the config object; `required`: absent is an error.
std::optional<std::string> ConfigString(napi_env env, napi_value config, const char* name, bool required) {
  napi_value value = GetProperty(env, config, name);
  if (!required && IsNullish(env, value)) return std::string();
  return GetString(env, value, std::string("NativeRunner config.") + name);
}

std::optional<std::uint32_t> ConfigUint(napi_env env, napi_value config, const char* name) {
  return GetUint32(env, GetProperty(env, config, name), std::string("NativeRunner config.") + name);
}

std::optional<RunnerConfig> ParseConfig(napi_env env, napi_value object, bool& logs) {
  if (TypeOf(env, object) != napi_object) {
    ThrowType(env, "NativeRunner: config must be an object");
    return std::nullopt;
  }
  RunnerConfig config;
  std::optional<std::string> endpoint = ConfigString(env, object, "endpoint", true);
  std::optional<std::string> token = endpoint ? ConfigString(env, object, "token", false) : std::nullopt;
  std::optional<std::string> ns = token ? ConfigString(env, object, "namespace", true) : std::nullopt;
  std::optional<std::string> pool = ns ? ConfigString(env, object, "runnerName", true) : std::nullopt;
  std::optional<std::string> metadata = pool ? ConfigString(env, object, "metadataJson", false) : std::nullopt;
  std::optional<std::string> roots = metadata ? ConfigString(env, object, "trustedRootsPem", false) : std::nullopt;
  std::optional<std::string> level = roots ? ConfigString(env, object, "logLevel", false) : std::nullopt;
  std::optional<std::uint32_t> slots = level ? ConfigUint(env, object, "totalSlots") : std::nullopt;
  std::optional<std::uint32_t> version = slots ? ConfigUint(env, object, "version") : std::nullopt;
  if (!version) return std::nullopt;
  config.endpoint = std::move(*endpoint);
  config.token = std::move(*token);
  config.namespace_name = std::move(*ns);
  config.runner_name = std::move(*pool);
  config.metadata_json = std::move(*metadata);
  config.tls.trusted_roots_pem = std::move(*roots);
  config.total_slots = *slots;
  config.version = *version;
  if (!level->empty()) {
    absl::StatusOr<LogLevel> parsed = ParseLogLevel(*level);
    if (!parsed.ok()) {
      ThrowType(env, "NativeRunner config.logLevel: " + std::string(parsed.status().message()));
      return std::nullopt;
    }
    config.log_level = *parsed;
  }
  napi_value names = GetProperty(env, object, "prepopulateActorNames");
  if (!IsNullish(env, names)) {
    napi_value keys = nullptr;
    if (TypeOf(env, names) != napi_object || Failed(env, napi_get_property_names(env, names, &keys))) {
      ThrowType(env, "NativeRunner config.prepopulateActorNames must be an object");
      return std::nullopt;
    }
    std::optional<std::vector<napi_value>> list = GetArray(env, keys, "prepopulateActorNames keys");
    if (!list) return std::nullopt;
    for (napi_value key : *list) {
      std::optional<std::string> name = GetString(env, key, "NativeRunner config.prepopulateActorNames key");
      napi_value value = nullptr;
      if (!name || Failed(env, napi_get_property(env, names, key, &value))) return std::nullopt;
      std::optional<std::string> json = GetString(env, value, "NativeRunner config.prepopulateActorNames." + *name);
      if (!json) return std::nullopt;
      config.prepopulate_actor_names[*name] = std::move(*json);
    }
  }
  napi_value wants_logs = GetProperty(env, object, "logs");
  logs = !IsNullish(env, wants_logs) && GetBool(env, wants_logs, "NativeRunner config.logs").value_or(false);
  // Actors are JavaScript: their hooks only queue events for it, so they run on the network
  // thread, without a hand-off to an actor thread and back.
  config.actors_on_network_thread = true;
  config.host_managed_state = true;
  // As the official runner's shutdown: up to 120 s for the engine to stop the actors.
  config.drain_timeout = std::chrono::seconds(120);
  if (absl::Status valid = config.Validate(); !valid.ok()) {
    ThrowType(env, "NativeRunner config: " + std::string(valid.message()));
    return std::nullopt;
  }
  return config;
}

}  // namespace

napi_value RunnerWrap::DefineClass(napi_env env) {
  auto method = [](const char* name, napi_callback fn) {
    return napi_property_descriptor{name, nullptr, fn, nullptr, nullptr, nullptr, napi_default, nullptr};
  };
  napi_property_descriptor properties[] = {
      method("start", Start),
      method("drain", Drain),
      method("close", Close),
      {"runnerId", nullptr, nullptr, RunnerId, nullptr, nullptr, napi_default, nullptr},
      method("serverlessInitPacket", ServerlessInitPacket),
      method("finishStart", FinishStart),
      method("finishStop", FinishStop),
      method("respond", RespondTo),
      method("decideOpen", DecideOpenOf),
      method("sleepActor", SleepActor),
      method("stopActor", StopActor),
      method("destroyActor", DestroyActor),
      method("setAlarm", SetAlarm),
      method("restore", Restore),
      method("kvGet", RunnerKv::Get),
      method("kvList", RunnerKv::List),
      method("kvPut", RunnerKv::Put),
      method("kvDelete", RunnerKv::Delete),
      method("kvDeleteRange", RunnerKv::DeleteRange),
      method("kvDrop", RunnerKv::Drop),
  };
  napi_value constructor = nullptr;
  napi_define_class(env, "NativeRunner", NAPI_AUTO_LENGTH, Construct, nullptr, std::size(properties), properties,
                    &constructor);
  return constructor;
}

napi_value RunnerWrap::Construct(napi_env env, napi_callback_info info) {
  CallArgs args = GetArgs(env, info, 2);
  bool logs = false;
  std::optional<RunnerConfig> config = ParseConfig(env, args.argv[0], logs);
  if (!config) return nullptr;
  if (TypeOf(env, args.argv[1]) != napi_function) return ThrowType(env, "NativeRunner: onEvent must be a function");
  std::shared_ptr<EventBridge> bridge = EventBridge::Create(env, args.argv[1]);
  if (bridge == nullptr) return ThrowError(env, "NativeRunner: cannot create the event bridge");
  absl::StatusOr<std::unique_ptr<Runner>> runner = Runner::Create(*std::move(config));
  if (!runner.ok()) return ThrowType(env, "NativeRunner config: " + std::string(runner.status().message()));

  auto wrap = std::make_unique<RunnerWrap>();
  wrap->live_ = GetAddonData(env)->live_runners;
  wrap->host_ = std::make_shared<HostState>(bridge);
  wrap->observer_ = std::make_unique<HostObserver>(wrap->host_);
  wrap->runner_ = *std::move(runner);
  wrap->runner_->SetDefaultActor([host = wrap->host_](const ActorInfo&) { return std::make_unique<JsActor>(host); });
  wrap->runner_->SetObserver(wrap->observer_.get());
  if (logs) RouteLogsTo(bridge);

  RunnerWrap* raw = wrap.get();
  if (Failed(env, napi_wrap(env, args.self, raw, [](napi_env, void* data, void*) { delete static_cast<RunnerWrap*>(data); },
                           nullptr, nullptr))) {
    return nullptr;
  }
  wrap.release();
  napi_type_tag_object(env, args.self, &kRunnerTag);
  raw->live_->stops[raw] = [raw] { raw->Shutdown(); };
  return args.self;
}

RunnerWrap::~RunnerWrap() {
  live_->stops.erase(this);
  Shutdown();
}

void RunnerWrap::Shutdown() {
  // The bridge first: actor threads waiting on it give up, so the runner's threads can be joined.
  if (host_ != nullptr) host_->bridge().Close();
  if (runner_ != nullptr) {
    runner_->Close();
    runner_.reset();
  }
}

RunnerWrap* RunnerWrap::Unwrap(napi_env env, napi_value self) {
  bool tagged = false;
  void* wrap = nullptr;
  if (napi_check_object_type_tag(env, self, &kRunnerTag, &tagged) != napi_ok || !tagged ||
      napi_unwrap(env, self, &wrap) != napi_ok) {
    ThrowType(env, "not a NativeRunner");
    return nullptr;
  }
  auto* runner = static_cast<RunnerWrap*>(wrap);
  if (runner->runner_ == nullptr) {
    ThrowError(env, "the runner was shut down with its environment");
    return nullptr;
  }
  return runner;
}

std::shared_ptr<HostState> RunnerWrap::HostOf(napi_env env, napi_value self) {
  RunnerWrap* wrap = Unwrap(env, self);
  return wrap != nullptr ? wrap->host_ : nullptr;
}

napi_value RunnerWrap::Start(napi_env env, napi_callback_info info) {
  RunnerWrap* self = Unwrap(env, GetArgs(env, info, 0).self);
  if (self == nullptr) return nullptr;
  if (self->started_) return ThrowError(env, "Cannot call runner.start twice");
  absl::Status started = self->runner_->Start();
  if (!started.ok()) return ThrowError(env, std::string(started.message()));
  self->started_ = true;
  // Like an open socket, a running runner keeps the process alive until its last event.
  self->host_->bridge().Ref(env);
  return nullptr;
}

napi_value RunnerWrap::Drain(napi_env env, napi_callback_info info) {
  RunnerWrap* self = Unwrap(env, GetArgs(env, info, 0).self);
  if (self != nullptr) self->runner_->Stop();
  return nullptr;
}

napi_value RunnerWrap::Close(napi_env env, napi_callback_info info) {
  RunnerWrap* self = Unwrap(env, GetArgs(env, info, 0).self);
  if (self != nullptr) self->runner_->Close();
  return nullptr;
}

napi_value RunnerWrap::RunnerId(napi_env env, napi_callback_info info) {
  RunnerWrap* self = Unwrap(env, GetArgs(env, info, 0).self);
  if (self == nullptr) return nullptr;
  const std::string id = self->runner_->runner_id();
  return id.empty() ? MakeUndefined(env) : MakeString(env, id);
}

napi_value RunnerWrap::ServerlessInitPacket(napi_env env, napi_callback_info info) {
  RunnerWrap* self = Unwrap(env, GetArgs(env, info, 0).self);
  if (self == nullptr) return nullptr;
  const std::string id = self->runner_->runner_id();
  return id.empty() ? MakeUndefined(env) : MakeString(env, ServerlessInitEventData(id));
}

template <typename T>
std::optional<T> RunnerWrap::Take(napi_env env, napi_value token, const char* what) {
  std::optional<std::uint32_t> number = GetUint32(env, token, std::string(what) + ": token");
  if (!number) return std::nullopt;
  std::optional<Completion> completion = host_->TakeCompletion(*number);
  if (!completion) return std::nullopt;  // answered already, or its runner is gone
  if (!std::holds_alternative<T>(*completion)) {
    ThrowType(env, std::string(what) + ": token " + std::to_string(*number) + " belongs to another kind of event");
    return std::nullopt;
  }
  return std::get<T>(*std::move(completion));
}

napi_value RunnerWrap::FinishStart(napi_env env, napi_callback_info info) {
  CallArgs args = GetArgs(env, info, 2);
  RunnerWrap* self = Unwrap(env, args.self);
  if (self == nullptr) return nullptr;
  absl::Status status;
  if (!IsNullish(env, args.argv[1])) {
    std::optional<std::string> error = GetString(env, args.argv[1], "finishStart: error");
    if (!error) return nullptr;
    status = absl::InternalError(*error);
  }
  if (std::optional<StartDone> done = self->Take<StartDone>(env, args.argv[0], "finishStart")) (*done)(status);
  return nullptr;
}

napi_value RunnerWrap::FinishStop(napi_env env, napi_callback_info info) {
  CallArgs args = GetArgs(env, info, 1);
  RunnerWrap* self = Unwrap(env, args.self);
  if (self == nullptr) return nullptr;
  if (std::optional<StopDone> done = self->Take<StopDone>(env, args.argv[0], "finishStop")) (*done)();
  return nullptr;
}

napi_value RunnerWrap::RespondTo(napi_env env, napi_callback_info info) {
  CallArgs args = GetArgs(env, info, 4);
  RunnerWrap* self = Unwrap(env, args.self);
  if (self == nullptr) return nullptr;
  std::optional<std::uint32_t> status = GetUint32(env, args.argv[1], "respond: status");
  if (!status) return nullptr;
  if (*status < 100 || *status > 599) return ThrowType(env, "respond: status must be from 100 to 599");
  std::optional<HttpHeaders> headers = GetHeaders(env, args.argv[2], "respond: headers");
  if (!headers) return nullptr;
  std::string body;
  if (!IsNullish(env, args.argv[3])) {
    std::optional<std::string> bytes = GetBytes(env, args.argv[3], "respond: body");
    if (!bytes) return nullptr;
    body = std::move(*bytes);
  }
  if (std::optional<Respond> respond = self->Take<Respond>(env, args.argv[0], "respond")) {
    (*respond)({static_cast<std::uint16_t>(*status), std::move(*headers), std::move(body)});
  }
  return nullptr;
}

napi_value RunnerWrap::DecideOpenOf(napi_env env, napi_callback_info info) {
  CallArgs args = GetArgs(env, info, 5);
  RunnerWrap* self = Unwrap(env, args.self);
  if (self == nullptr) return nullptr;
  std::optional<bool> accept = GetBool(env, args.argv[1], "decideOpen: accept");
  std::optional<bool> hibernatable = accept ? GetBool(env, args.argv[2], "decideOpen: hibernatable") : std::nullopt;
  std::optional<std::uint32_t> code = hibernatable ? GetUint32(env, args.argv[3], "decideOpen: code") : std::nullopt;
  std::optional<std::string> reason = code ? GetString(env, args.argv[4], "decideOpen: reason") : std::nullopt;
  if (!reason) return nullptr;
  if (!*accept && (*code < 1000 || *code > 4999)) return ThrowType(env, "decideOpen: code must be from 1000 to 4999");
  if (std::optional<DecideOpen> decide = self->Take<DecideOpen>(env, args.argv[0], "decideOpen")) {
    (*decide)({*accept, *hibernatable, static_cast<std::uint16_t>(*code), std::move(*reason)});
  }
  return nullptr;
}

napi_value RunnerWrap::WithActor(napi_env env, napi_callback_info info, std::size_t count, const char* what,
                                 const std::function<bool(napi_env, const std::vector<napi_value>&, Actor&)>& fn) {
  CallArgs args = GetArgs(env, info, count);
  RunnerWrap* self = Unwrap(env, args.self);
  if (self == nullptr) return nullptr;
  std::optional<std::string> actor_id = GetString(env, args.argv[0], std::string(what) + ": actorId");
  if (!actor_id) return nullptr;
  bool ok = true;
  const bool found = self->host_->WithActor(*actor_id, [&](Actor& actor) { ok = fn(env, args.argv, actor); });
  if (!ok) return nullptr;  // fn threw
  return MakeBool(env, found);
}

napi_value RunnerWrap::SleepActor(napi_env env, napi_callback_info info) {
  return WithActor(env, info, 1, "sleepActor", [](napi_env, const auto&, Actor& actor) {
    actor.Sleep();
    return true;
  });
}

napi_value RunnerWrap::StopActor(napi_env env, napi_callback_info info) {
  return WithActor(env, info, 1, "stopActor", [](napi_env, const auto&, Actor& actor) {
    actor.Stop();
    return true;
  });
}

napi_value RunnerWrap::DestroyActor(napi_env env, napi_callback_info info) {
  return WithActor(env, info, 1, "destroyActor", [](napi_env, const auto&, Actor& actor) {
    actor.Destroy();
    return true;
  });
}

napi_value RunnerWrap::SetAlarm(napi_env env, napi_callback_info info) {
  return WithActor(env, info, 2, "setAlarm", [](napi_env e, const std::vector<napi_value>& argv, Actor& actor) {
    if (IsNullish(e, argv[1])) {
      actor.ClearAlarm();
      return true;
    }
    std::optional<double> ms = GetNumber(e, argv[1], "setAlarm: alarmTs");
    if (!ms) return false;
    actor.SetAlarm(std::chrono::system_clock::time_point(std::chrono::milliseconds(static_cast<std::int64_t>(*ms))));
    return true;
  });
}

napi_value RunnerWrap::Restore(napi_env env, napi_callback_info info) {
  CallArgs args = GetArgs(env, info, 2);
  RunnerWrap* self = Unwrap(env, args.self);
  if (self == nullptr) return nullptr;
  std::optional<std::string> actor_id = GetString(env, args.argv[0], "restore: actorId");
  std::optional<std::vector<napi_value>> entries = actor_id ? GetArray(env, args.argv[1], "restore: stored") : std::nullopt;
  if (!entries) return nullptr;
  std::vector<StoredWebSocket> stored;
  for (napi_value entry : *entries) {
    StoredWebSocket socket;
    std::optional<std::string> gateway = GetBytes(env, GetProperty(env, entry, "gatewayId"), "restore: gatewayId");
    std::optional<std::string> request = gateway ? GetBytes(env, GetProperty(env, entry, "requestId"), "restore: requestId") : std::nullopt;
    std::optional<std::uint32_t> next = request ? GetUint32(env, GetProperty(env, entry, "clientMessageIndex"), "restore: clientMessageIndex") : std::nullopt;
    std::optional<std::uint32_t> last = next ? GetUint32(env, GetProperty(env, entry, "serverMessageIndex"), "restore: serverMessageIndex") : std::nullopt;
    std::optional<std::string> path = last ? GetString(env, GetProperty(env, entry, "path"), "restore: path") : std::nullopt;
    std::optional<HttpHeaders> headers = path ? GetHeaders(env, GetProperty(env, entry, "headers"), "restore: headers") : std::nullopt;
    if (!headers) return nullptr;
    if (*next > 65535 || *last > 65535) return ThrowType(env, "restore: message indexes must be from 0 to 65535");
    socket.ids = {std::move(*gateway), std::move(*request)};
    socket.next_send_index = static_cast<std::uint16_t>(*next);
    socket.last_received_index = static_cast<std::uint16_t>(*last);
    socket.path = std::move(*path);
    socket.headers = std::move(*headers);
    stored.push_back(std::move(socket));
  }
  absl::StatusOr<std::vector<std::shared_ptr<WebSocket>>> restored =
      absl::FailedPreconditionError("actor " + *actor_id + " is not running on this runner");
  self->host_->WithActor(*actor_id, [&](Actor& actor) { restored = actor.RestoreWebSockets(std::move(stored)); });
  if (!restored.ok()) return ThrowError(env, "restore: " + std::string(restored.status().message()));
  napi_value constructor = nullptr;
  napi_get_reference_value(env, GetAddonData(env)->socket_constructor, &constructor);
  std::vector<napi_value> sockets;
  for (const std::shared_ptr<WebSocket>& socket : *restored) {
    sockets.push_back(socket != nullptr ? SocketWrap::Wrap(env, constructor, socket) : MakeNull(env));
  }
  return MakeArray(env, sockets);
}

}  // namespace tether::node
