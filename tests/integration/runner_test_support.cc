#include "runner_test_support.h"

#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

namespace tether::testing {

void ActorLog::Record(std::string kind, const ActorInfo& info, std::string detail) {
  std::lock_guard lock(mutex_);
  events_.push_back({std::move(kind), info, std::move(detail)});
  changed_.notify_all();
}

std::optional<ActorEvent> ActorLog::WaitFor(const std::string& kind, const std::string& actor_id,
                                            std::optional<std::uint32_t> generation,
                                            std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  std::optional<ActorEvent> found;
  changed_.wait_for(lock, timeout, [&] {
    for (const ActorEvent& e : events_) {
      if (e.kind == kind && e.info.actor_id == actor_id && (!generation || e.info.generation == *generation)) {
        found = e;
        return true;
      }
    }
    return false;
  });
  return found;
}

int ActorLog::Count(const std::string& kind, const std::string& actor_id) {
  std::lock_guard lock(mutex_);
  int n = 0;
  for (const ActorEvent& e : events_) n += e.kind == kind && e.info.actor_id == actor_id;
  return n;
}

Actor* ActorLog::Running(const std::string& actor_id) {
  std::lock_guard lock(mutex_);
  auto it = running_.find(actor_id);
  return it == running_.end() ? nullptr : it->second;
}

void ActorLog::SetRunning(const std::string& actor_id, Actor* actor) {
  std::lock_guard lock(mutex_);
  if (actor == nullptr) {
    running_.erase(actor_id);
  } else {
    running_[actor_id] = actor;
  }
}

absl::Status RecordingActor::OnStart(Actor& actor) {
  const ActorInfo& info = actor.info();
  if (info.name == "fail-start") return absl::FailedPreconditionError("start failed on purpose");
  if (info.name == "throw-start") throw std::runtime_error("boom on start");
  // Holds its actor thread longer than the engine's 15 s ping timeout.
  if (info.name == "busy-start") std::this_thread::sleep_for(std::chrono::seconds(18));
  absl::StatusOr<KvEntries> starts = actor.kv().Get({"starts"}).get();
  if (!starts.ok()) return starts.status();
  const int count = (starts->empty() ? 0 : std::stoi(starts->front().value)) + 1;
  if (absl::Status put = actor.kv().Put({{"starts", std::to_string(count)}}).get(); !put.ok()) return put;
  log_.SetRunning(info.actor_id, &actor);
  log_.Record("start", info, std::to_string(count));
  // Hibernated sockets come back without an open event: greet them from here.
  for (const std::shared_ptr<WebSocket>& socket : actor.WebSockets()) {
    socket->Send(HibernatingEcho(actor, "restored"), false);
    log_.Record("ws-restored", info, socket->id());
  }
  return absl::OkStatus();
}

void RecordingActor::OnAlarm(Actor& actor) { log_.Record("alarm", actor.info()); }

void RecordingActor::OnStop(Actor& actor) {
  log_.SetRunning(actor.info().actor_id, nullptr);
  std::string detail;
  if (actor.info().name == "kv-on-stop") detail = std::string(actor.kv().Put({{"stopped", "yes"}}).get().message());
  log_.Record("stop", actor.info(), detail);
}

TestRunner::~TestRunner() {
  if (runner == nullptr) return;
  runner->Stop();
  EXPECT_TRUE(runner->WaitFor(std::chrono::seconds(30)).has_value()) << "the runner did not drain in time";
}

tether::HttpResponse RecordingActor::OnFetch(Actor& actor, const tether::HttpRequest& request) {
  const std::string_view path = std::string_view(request.path).substr(0, request.path.find('?'));
  if (path == "/throw") throw std::runtime_error("fetch failed on purpose");
  if (path == "/sockets") return {200, {}, std::to_string(actor.WebSockets().size())};
  if (path == "/sleep") {
    actor.Sleep();
    return {200, {}, "sleeping"};
  }
  if (path != "/echo") return ActorInstance::OnFetch(actor, request);
  tether::HttpResponse response{200, {{"x-method", request.method}, {"x-path", request.path}}, request.body};
  if (auto test = request.Header("x-test")) response.headers.emplace_back("x-test-echo", std::string(*test));
  return response;
}

WebSocketAcceptance RecordingActor::OnWebSocketOpen(Actor&, WebSocket& socket) {
  const std::string& path = socket.request().path;
  return {path.starts_with("/ws") || path.starts_with("/hws"), path.starts_with("/hws"), 1008,
          "only /ws and /hws accept WebSockets"};
}

void RecordingActor::OnWebSocketMessage(Actor& actor, WebSocket& socket, const std::string& data, bool binary) {
  if (data == "close-me") {
    socket.Close(4000, "closed by the actor");
  } else if (!socket.hibernatable()) {
    socket.Send(data, binary);
  } else if (data == "sleep") {
    actor.Sleep();
  } else if (data.starts_with("block:")) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(data.substr(6))));
  } else if (data.starts_with("attach:")) {
    socket.Send(std::string(socket.SetAttachment(data.substr(7)).message()), false);
  } else if (data == "attachment") {
    socket.Send(socket.attachment(), false);
  } else if (data == "sockets") {
    socket.Send(std::to_string(actor.WebSockets().size()), false);
  } else {
    socket.Send(HibernatingEcho(actor, data), binary);
  }
}

std::string RecordingActor::HibernatingEcho(Actor& actor, const std::string& data) const {
  return "g" + std::to_string(actor.info().generation) + "/" + label_ + ":" + data;
}

void RecordingActor::OnWebSocketClose(Actor& actor, WebSocket&, std::uint16_t code, const std::string& reason) {
  log_.Record("ws-close", actor.info(), std::to_string(code) + " " + reason);
}

RunnerConfig TestRunner::BaseConfig() const {
  RunnerConfig config;
  config.endpoint = EngineEnvironment::engine().endpoint();
  config.token = EngineEnvironment::engine().admin_token();
  config.namespace_name = namespace_name;
  config.runner_name = runner_name;
  config.total_slots = 20;
  config.log_level = LogLevel::kWarn;
  config.drain_timeout = std::chrono::seconds(20);
  return config;
}

std::unique_ptr<TestRunner> TestRunner::Start(const std::string& test_name, std::vector<std::string> actor_names,
                                              std::function<void(RunnerConfig&)> adjust) {
  auto t = std::make_unique<TestRunner>();
  absl::StatusOr<std::string> ns = CreateNamespace(EngineEnvironment::engine(), test_name);
  EXPECT_TRUE(ns.ok()) << ns.status();
  if (!ns.ok()) return nullptr;
  t->namespace_name = *ns;
  t->runner_name = "runner-" + *ns;
  RunnerConfig config = t->BaseConfig();
  if (adjust) adjust(config);
  absl::StatusOr<std::unique_ptr<Runner>> runner = Runner::Create(config);
  EXPECT_TRUE(runner.ok()) << runner.status();
  if (!runner.ok()) return nullptr;
  t->runner = *std::move(runner);
  for (const std::string& name : actor_names) {
    t->runner->RegisterActor(name, [log = t->log](const ActorInfo&) { return std::make_unique<RecordingActor>(*log); });
  }
  EXPECT_TRUE(t->runner->Start().ok());
  EXPECT_TRUE(Eventually([&] { return !t->runner->runner_id().empty(); })) << "the runner never connected";
  // The engine creates the pool's runner config shortly after the first runner connects; until
  // then creating an actor for the pool fails with no_runner_config_configured.
  const std::string configs = EngineEnvironment::engine().endpoint() + "/runner-configs?namespace=" + t->namespace_name;
  EXPECT_TRUE(Eventually([&] {
    absl::StatusOr<nlohmann::json> listed = HttpGetJson(configs, AdminHeaders(EngineEnvironment::engine()));
    return listed.ok() && listed->contains("runner_configs") && (*listed)["runner_configs"].contains(t->runner_name);
  })) << "the engine never created the runner config";
  return t;
}

std::string TestRunner::CreateActor(const std::string& name, const std::string& key, const std::string& input,
                                    const std::string& crash_policy) const {
  ActorSpec spec{name, runner_name, key, input, crash_policy};
  absl::StatusOr<std::string> id = testing::CreateActor(EngineEnvironment::engine(), namespace_name, spec);
  EXPECT_TRUE(id.ok()) << id.status();
  return id.ok() ? *id : std::string();
}

void RunningActorTest::SetUp() {
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  t_ = TestRunner::Start(std::string(test->test_suite_name()) + "-" + test->name(), {"counter"});
  ASSERT_NE(t_, nullptr);
  id_ = t_->CreateActor("counter");
  ASSERT_FALSE(id_.empty());
  ASSERT_TRUE(t_->log->WaitFor("start", id_, 0u).has_value()) << "the actor never started";
  actor_ = t_->log->Running(id_);
  ASSERT_NE(actor_, nullptr);
}


}  // namespace tether::testing
