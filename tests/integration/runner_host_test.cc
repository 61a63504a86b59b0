// What hosts whose actor code is asynchronous and keeps its own state rely on (the Node addon
// under RivetKit), against the real engine: the *Async hooks answer later from other threads and
// one slow request does not hold up the next; with RunnerConfig::host_managed_state the program
// stores, acknowledges and restores its hibernatable sockets while the runner writes nothing to
// the actor's KV; Actor::Stop applies the crash policy; the observer sees the engine's metadata,
// the close code and the runner's end; Close() ends a runner at once; a log sink gets records.
#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/engine_environment.h"
#include "harness/raw_websocket.h"
#include "harness/rest.h"
#include "runner_test_support.h"
#include "tether/log_sink.h"
#include "tether/runner.h"

namespace tether::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// Runs work later on threads of its own, as a host's event loop would answer.
class Later {
 public:
  ~Later() {
    std::lock_guard lock(mutex_);
    for (std::thread& thread : threads_) thread.join();
  }
  void Run(std::chrono::milliseconds delay, std::function<void()> fn) {
    std::lock_guard lock(mutex_);
    threads_.emplace_back([delay, fn = std::move(fn)] {
      std::this_thread::sleep_for(delay);
      fn();
    });
  }

 private:
  std::mutex mutex_;
  std::vector<std::thread> threads_;
};

// What the host keeps across the actor's stops (a RivetKit app keeps it in the actor's KV).
struct HostStore {
  std::mutex mutex;
  std::map<std::string, StoredWebSocket> sockets;  // by WebSocket::id()
  std::vector<std::string> events;                 // "start g0", "fetch /slow done", ...

  void Record(std::string event) {
    std::lock_guard lock(mutex);
    events.push_back(std::move(event));
  }
  std::vector<StoredWebSocket> Sockets() {
    std::lock_guard lock(mutex);
    std::vector<StoredWebSocket> all;
    for (const auto& [id, stored] : sockets) all.push_back(stored);
    return all;
  }
};

std::string Gen(const Actor& actor) { return "g" + std::to_string(actor.info().generation); }

// Answers everything asynchronously. "/slow" answers after 1.5 s, "/fast" at once, "/sleep" and
// "/stop" ask the engine, "/alarm" sets an alarm in an hour. Sockets on "/hws" are hibernatable
// and stored by the host ("/hws-unstored" ones are not); each message is echoed as
// "<generation>:<data>#<index>", stored and acknowledged; "sleep" puts the actor to sleep.
class AsyncHostActor : public ActorInstance {
 public:
  AsyncHostActor(HostStore& store, Later& later, std::shared_ptr<ActorLog> log)
      : store_(store), later_(later), log_(std::move(log)) {}

  absl::Status OnStart(Actor&) override { return absl::InternalError("the async form runs instead"); }

  void OnStartAsync(Actor& actor, std::function<void(absl::Status)> done) override {
    later_.Run(200ms, [this, &actor, done] {
      absl::StatusOr<std::vector<std::shared_ptr<WebSocket>>> restored = actor.RestoreWebSockets(store_.Sockets());
      int count = 0;
      if (restored.ok()) {
        for (const auto& socket : *restored) {
          if (socket == nullptr) continue;
          ++count;
          socket->Send(Gen(actor) + ":restored", false);
        }
      }
      store_.Record("start " + Gen(actor) + " restored " + std::to_string(count) + " hibernating " +
                    std::to_string(actor.info().hibernating_sockets.size()));
      log_->SetRunning(actor.info().actor_id, &actor);
      log_->Record("start", actor.info());
      done(absl::OkStatus());
    });
  }

  void OnStopAsync(Actor& actor, std::function<void()> done) override {
    log_->SetRunning(actor.info().actor_id, nullptr);
    // The instance is destroyed once `done` runs: the lambda holds what it needs itself.
    later_.Run(100ms, [log = log_, info = actor.info(), done] {
      log->Record("stop", info);
      done();
    });
  }

  void OnFetchAsync(Actor& actor, tether::HttpRequest request, std::function<void(tether::HttpResponse)> respond) override {
    const std::string path = request.path;
    if (path == "/slow") {
      later_.Run(1500ms, [this, respond] {
        store_.Record("fetch /slow done");
        respond({200, {}, "slow"});
      });
      return;
    }
    if (path == "/sleep") actor.Sleep();
    if (path == "/stop") actor.Stop();
    if (path == "/alarm") actor.SetAlarm(std::chrono::system_clock::now() + 1h);
    store_.Record("fetch " + path + " done");
    respond({200, {}, path + " " + std::to_string(request.gateway_id.size() + request.request_id.size())});
  }

  void OnWebSocketOpenAsync(Actor& actor, std::shared_ptr<WebSocket> socket,
                            std::function<void(WebSocketAcceptance)> decide) override {
    (void)actor;
    later_.Run(100ms, [this, socket, decide] {
      const bool store = socket->request().path == "/hws";
      if (store) {
        std::lock_guard lock(store_.mutex);
        store_.sockets[socket->id()] = {socket->ids(), 0, 0, socket->request().path, socket->request().headers};
      }
      decide({true, true});
    });
  }

  void OnWebSocketIndexedMessage(Actor& actor, WebSocket& socket, const std::string& data, bool binary,
                                 std::uint16_t index) override {
    (void)binary;
    if (data == "sleep") actor.Sleep();
    socket.Send(Gen(actor) + ":" + data + "#" + std::to_string(index), false);
    {
      std::lock_guard lock(store_.mutex);
      auto it = store_.sockets.find(socket.id());
      if (it != store_.sockets.end()) it->second.last_received_index = index;
    }
    socket.Acknowledge(index);
  }

  void OnWebSocketClose(Actor& actor, WebSocket& socket, std::uint16_t code, const std::string& reason) override {
    {
      std::lock_guard lock(store_.mutex);
      store_.sockets.erase(socket.id());
    }
    log_->Record("ws-close", actor.info(), std::to_string(code) + " " + reason);
  }

 private:
  HostStore& store_;
  Later& later_;
  std::shared_ptr<ActorLog> log_;  // outlives the runner: answers may come after it is gone
};

// Records what a program's observer sees.
class RecordingObserver : public RunnerObserver {
 public:
  void OnConnected(const EngineMetadata& engine) override {
    std::lock_guard lock(mutex_);
    connected_ = engine;
  }
  void OnDisconnected(std::uint16_t code, const std::string& reason) override {
    std::lock_guard lock(mutex_);
    disconnects_.push_back(std::to_string(code) + " " + reason);
  }
  void OnStopped(const absl::Status& result) override {
    std::lock_guard lock(mutex_);
    stopped_ = result;
  }
  std::optional<EngineMetadata> connected() {
    std::lock_guard lock(mutex_);
    return connected_;
  }
  std::vector<std::string> disconnects() {
    std::lock_guard lock(mutex_);
    return disconnects_;
  }
  std::optional<absl::Status> stopped() {
    std::lock_guard lock(mutex_);
    return stopped_;
  }

 private:
  std::mutex mutex_;
  std::optional<EngineMetadata> connected_;
  std::vector<std::string> disconnects_;
  std::optional<absl::Status> stopped_;
};

class RunnerHost : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    absl::StatusOr<std::string> ns = CreateNamespace(EngineEnvironment::engine(), std::string("host-") + test->name());
    ASSERT_TRUE(ns.ok()) << ns.status();
    t_.namespace_name = *ns;
    t_.runner_name = "runner-" + *ns;
  }

  void StartRunner(bool actors_on_network_thread = false) {
    RunnerConfig config = t_.BaseConfig();
    config.host_managed_state = true;
    config.actors_on_network_thread = actors_on_network_thread;
    absl::StatusOr<std::unique_ptr<Runner>> runner = Runner::Create(config);
    ASSERT_TRUE(runner.ok()) << runner.status();
    t_.runner = *std::move(runner);
    t_.runner->RegisterActor("host", [this](const ActorInfo&) {
      return std::make_unique<AsyncHostActor>(store_, later_, t_.log);
    });
    t_.runner->SetObserver(&observer_);
    ASSERT_TRUE(t_.runner->Start().ok());
    ASSERT_TRUE(Eventually([&] { return !t_.runner->runner_id().empty(); })) << "the runner never connected";
  }

  std::string StartActor(const std::string& crash_policy = "sleep") {
    std::string id;
    // The engine creates the pool's runner config shortly after the first runner connects.
    EXPECT_TRUE(Eventually([&] {
      absl::StatusOr<std::string> created = CreateActor(EngineEnvironment::engine(), t_.namespace_name,
                                                        {"host", t_.runner_name, "", "", crash_policy});
      if (created.ok()) id = *created;
      return created.ok();
    }));
    EXPECT_TRUE(t_.log->WaitFor("start", id, 0u).has_value()) << "the actor never started";
    return id;
  }

  std::unique_ptr<RawWebSocket> Open(const std::string& actor_id, const std::string& path) {
    auto ws = RawWebSocket::Connect(EngineEnvironment::engine().guard_port(), "/gateway/" + actor_id + path, {"rivet"},
                                    30s);
    EXPECT_TRUE(ws.ok()) << ws.status();
    return ws.ok() ? *std::move(ws) : nullptr;
  }

  std::vector<std::string> Events() {
    std::lock_guard lock(store_.mutex);
    return store_.events;
  }

  // Destroyed in reverse: the runner drains first (its actors' stops still use `later_`), then
  // the host's threads are joined, then what they write to goes.
  HostStore store_;
  RecordingObserver observer_;
  Later later_;
  TestRunner t_;
};

TEST_F(RunnerHost, AsyncRequestsOfOneActorAreAnsweredInTheOrderTheyFinish) {
  ASSERT_NO_FATAL_FAILURE(StartRunner());
  const std::string id = StartActor();
  auto slow = std::async(std::launch::async, [&] { return GatewayGet(EngineEnvironment::engine(), id, "/slow"); });
  std::this_thread::sleep_for(200ms);  // the slow request reaches the actor first
  auto fast = GatewayGet(EngineEnvironment::engine(), id, "/fast");
  ASSERT_TRUE(fast.ok()) << fast.status();
  EXPECT_EQ(fast->body, "/fast 8") << "answered, with the request's gateway and request ids (4 bytes each)";
  auto slow_response = slow.get();
  ASSERT_TRUE(slow_response.ok()) << slow_response.status();
  EXPECT_EQ(slow_response->body, "slow");
  const std::vector<std::string> events = Events();
  const auto fast_at = std::find(events.begin(), events.end(), "fetch /fast done");
  const auto slow_at = std::find(events.begin(), events.end(), "fetch /slow done");
  ASSERT_NE(fast_at, events.end());
  ASSERT_NE(slow_at, events.end());
  EXPECT_LT(fast_at, slow_at) << "the slow request did not hold up the fast one";
  EXPECT_EQ(events.front(), "start g0 restored 0 hibernating 0") << "the start finished before any request";
}

TEST_F(RunnerHost, HostStoredSocketContinuesAfterSleepAndRunnerWritesNoKv) {
  ASSERT_NO_FATAL_FAILURE(StartRunner());
  const std::string id = StartActor();
  auto ws = Open(id, "/hws");
  ASSERT_NE(ws, nullptr);
  EXPECT_EQ(Ask(*ws, "m1", 30s), "g0:m1#1");
  EXPECT_EQ(Ask(*ws, "sleep", 30s), "g0:sleep#2");
  ASSERT_TRUE(t_.log->WaitFor("stop", id, 0u).has_value()) << "the actor did not sleep";

  ASSERT_TRUE(ws->SendText("m3").ok());
  EXPECT_EQ(ReceiveText(*ws, 30s), "g1:restored");
  EXPECT_EQ(ReceiveText(*ws, 30s), "g1:m3#3") << "the message that woke the actor, once";
  EXPECT_EQ(Ask(*ws, "m4", 30s), "g1:m4#4");
  const std::vector<std::string> events = Events();
  EXPECT_THAT(events, ::testing::Contains("start g1 restored 1 hibernating 1"));

  // Alarms and sockets are the host's: nothing under the runner's reserved keys.
  auto alarm = GatewayGet(EngineEnvironment::engine(), id, "/alarm");
  ASSERT_TRUE(alarm.ok()) << alarm.status();
  std::this_thread::sleep_for(500ms);
  auto stored = ReadActorKv(EngineEnvironment::engine(), t_.namespace_name, id, std::string("\0tether:alarm", 13));
  EXPECT_EQ(stored.status().code(), absl::StatusCode::kNotFound) << stored.status();
}

TEST_F(RunnerHost, ActorsOnTheNetworkThreadKeepTheirSocketAcrossSleep) {
  ASSERT_NO_FATAL_FAILURE(StartRunner(/*actors_on_network_thread=*/true));
  const std::string id = StartActor();
  auto fast = GatewayGet(EngineEnvironment::engine(), id, "/fast");
  ASSERT_TRUE(fast.ok()) << fast.status();
  EXPECT_EQ(fast->body, "/fast 8");
  auto ws = Open(id, "/hws");
  ASSERT_NE(ws, nullptr);
  EXPECT_EQ(Ask(*ws, "sleep", 30s), "g0:sleep#1");
  ASSERT_TRUE(t_.log->WaitFor("stop", id, 0u).has_value()) << "the actor did not sleep";
  ASSERT_TRUE(ws->SendText("m2").ok());
  EXPECT_EQ(ReceiveText(*ws, 30s), "g1:restored");
  EXPECT_EQ(ReceiveText(*ws, 30s), "g1:m2#2");
}

TEST_F(RunnerHost, ListedSocketTheHostDidNotStoreIsClosedOnWake) {
  ASSERT_NO_FATAL_FAILURE(StartRunner());
  const std::string id = StartActor();
  auto ws = Open(id, "/hws-unstored");
  ASSERT_NE(ws, nullptr);
  EXPECT_EQ(Ask(*ws, "sleep", 30s), "g0:sleep#1");
  ASSERT_TRUE(t_.log->WaitFor("stop", id, 0u).has_value()) << "the actor did not sleep";
  ASSERT_TRUE(ws->SendText("wake").ok());
  EXPECT_THAT(ReceiveText(*ws, 30s), HasSubstr("closed 1000 ws.meta_not_found_during_restore"));
  EXPECT_THAT(Events(), ::testing::Contains("start g1 restored 0 hibernating 1"));
}

TEST_F(RunnerHost, StopAppliesTheCrashPolicy) {
  ASSERT_NO_FATAL_FAILURE(StartRunner());
  const std::string id = StartActor("restart");
  auto stop = GatewayGet(EngineEnvironment::engine(), id, "/stop");
  ASSERT_TRUE(stop.ok()) << stop.status();
  ASSERT_TRUE(t_.log->WaitFor("stop", id, 0u).has_value());
  EXPECT_TRUE(t_.log->WaitFor("start", id, 1u).has_value()) << "a failed stop restarts under the restart policy";
}

TEST_F(RunnerHost, ObserverSeesTheEngineAndCloseEndsTheRunnerAtOnce) {
  ASSERT_NO_FATAL_FAILURE(StartRunner());
  const std::optional<EngineMetadata> engine = observer_.connected();
  ASSERT_TRUE(engine.has_value());
  EXPECT_EQ(engine->runner_id, t_.runner->runner_id());
  EXPECT_GT(engine->runner_lost_threshold.count(), 0);
  EXPECT_GT(engine->actor_stop_threshold.count(), 0);
  ASSERT_TRUE(t_.runner->engine_metadata().has_value());
  EXPECT_EQ(t_.runner->engine_metadata()->actor_stop_threshold, engine->actor_stop_threshold);

  const auto closing = std::chrono::steady_clock::now();
  t_.runner->Close();
  const std::optional<absl::Status> result = t_.runner->WaitFor(10s);
  ASSERT_TRUE(result.has_value()) << "Close did not end the runner";
  EXPECT_TRUE(result->ok()) << *result;
  EXPECT_LT(std::chrono::steady_clock::now() - closing, 5s);
  ASSERT_TRUE(observer_.stopped().has_value());
  EXPECT_TRUE(observer_.stopped()->ok());
  EXPECT_THAT(observer_.disconnects(), ::testing::Contains("1000 pegboard.runner_shutdown"));
}

TEST_F(RunnerHost, LogSinkGetsTheRunnersRecords) {
  std::mutex mutex;
  std::vector<std::string> connected_ids;
  SetLogSink([&](const LogRecord& record) {
    if (record.message != "connected to the engine") return;
    for (const auto& [key, value] : record.fields) {
      if (key == "runner_id") {
        std::lock_guard lock(mutex);
        connected_ids.emplace_back(value);
      }
    }
  });
  RunnerConfig config = t_.BaseConfig();
  config.log_level = LogLevel::kInfo;
  absl::StatusOr<std::unique_ptr<Runner>> runner = Runner::Create(config);
  ASSERT_TRUE(runner.ok()) << runner.status();
  ASSERT_TRUE((*runner)->Start().ok());
  EXPECT_TRUE(Eventually([&] { return !(*runner)->runner_id().empty(); }));
  (*runner)->Close();
  EXPECT_TRUE((*runner)->WaitFor(10s).has_value());
  SetLogSink(nullptr);
  std::lock_guard lock(mutex);
  EXPECT_THAT(connected_ids, ::testing::ElementsAre((*runner)->runner_id()));
}

}  // namespace
}  // namespace tether::testing
