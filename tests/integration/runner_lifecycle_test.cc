// The runner SDK against the real engine: actors created through the REST API run on a tether
// Runner, sleep and wake with their KV intact, fire alarms while asleep, destroy themselves, and
// report start failures; the runner survives an engine restart without applying a command twice
// or losing an event.
#include <chrono>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/engine_environment.h"
#include "harness/rest.h"
#include "runner_test_support.h"

namespace tether::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

nlohmann::json ActorJson(const TestRunner& t, const std::string& id) {
  absl::StatusOr<nlohmann::json> actor = GetActor(EngineEnvironment::engine(), t.namespace_name, id);
  EXPECT_TRUE(actor.ok()) << actor.status();
  return actor.ok() ? *actor : nlohmann::json::object();
}

bool HasTimestamp(const nlohmann::json& actor, const char* field) {
  return actor.contains(field) && !actor[field].is_null();
}

TEST(RunnerLifecycle, ActorCreatedThroughRestRunsWithItsInput) {
  auto t = TestRunner::Start("lifecycle-input", {"counter"});
  ASSERT_NE(t, nullptr);
  const std::string input("\x00\x01binary\xff input", 15);
  const std::string id = t->CreateActor("counter", "key-1", input);

  const auto started = t->log->WaitFor("start", id);
  ASSERT_TRUE(started.has_value());
  EXPECT_EQ(started->info.input, input);
  EXPECT_EQ(started->info.key, "key-1");
  EXPECT_EQ(started->info.name, "counter");
  EXPECT_EQ(started->info.generation, 0u);
  EXPECT_TRUE(Eventually([&] { return HasTimestamp(ActorJson(*t, id), "connectable_ts"); }))
      << "the engine never saw the actor running: " << ActorJson(*t, id).dump();
}

TEST(RunnerLifecycle, SleepStopsTheActorAndARequestWakesTheNextGenerationWithKvIntact) {
  auto t = TestRunner::Start("lifecycle-sleep", {"counter"});
  ASSERT_NE(t, nullptr);
  const std::string id = t->CreateActor("counter");
  ASSERT_TRUE(t->log->WaitFor("start", id, 0u).has_value());

  t->log->Running(id)->Sleep();
  ASSERT_TRUE(t->log->WaitFor("stop", id, 0u).has_value());
  EXPECT_TRUE(Eventually([&] { return HasTimestamp(ActorJson(*t, id), "sleep_ts"); }));
  EXPECT_FALSE(ActorJson(*t, id).contains("error") && !ActorJson(*t, id)["error"].is_null())
      << "a requested sleep must not look like a crash: " << ActorJson(*t, id).dump();

  // A request through the gateway wakes it.
  absl::StatusOr<HttpResponse> response = GatewayGet(EngineEnvironment::engine(), id, "/wake");
  ASSERT_TRUE(response.ok()) << response.status();
  const auto woken = t->log->WaitFor("start", id, 1u);
  ASSERT_TRUE(woken.has_value());
  EXPECT_EQ(woken->detail, "2") << "KV kept the count of starts across the sleep";
}

TEST(RunnerLifecycle, AlarmWakesASleepingActor) {
  auto t = TestRunner::Start("lifecycle-alarm", {"counter"});
  ASSERT_NE(t, nullptr);
  const std::string id = t->CreateActor("counter");
  ASSERT_TRUE(t->log->WaitFor("start", id, 0u).has_value());

  tether::Actor* actor = t->log->Running(id);
  const auto due = std::chrono::system_clock::now() + 3s;
  actor->SetAlarm(due);
  actor->Sleep();
  ASSERT_TRUE(t->log->WaitFor("stop", id, 0u).has_value());

  const auto woken = t->log->WaitFor("start", id, 1u, 30s);
  ASSERT_TRUE(woken.has_value()) << "the engine did not wake the actor for its alarm";
  // The engine's timer may fire a few milliseconds early.
  EXPECT_GE(std::chrono::system_clock::now() + 500ms, due) << "woken long before the alarm was due";
  EXPECT_TRUE(t->log->WaitFor("alarm", id, 1u, 10s).has_value()) << "OnAlarm did not run after the wake";
}

TEST(RunnerLifecycle, ClearedAlarmDoesNotWakeTheActor) {
  auto t = TestRunner::Start("lifecycle-alarm-clear", {"counter"});
  ASSERT_NE(t, nullptr);
  const std::string id = t->CreateActor("counter");
  ASSERT_TRUE(t->log->WaitFor("start", id, 0u).has_value());

  tether::Actor* actor = t->log->Running(id);
  actor->SetAlarm(std::chrono::system_clock::now() + 2s);
  actor->ClearAlarm();
  actor->Sleep();
  ASSERT_TRUE(t->log->WaitFor("stop", id, 0u).has_value());
  EXPECT_FALSE(t->log->WaitFor("start", id, 1u, 8s).has_value()) << "a cleared alarm woke the actor";
  EXPECT_EQ(t->log->Count("alarm", id), 0);
}

TEST(RunnerLifecycle, StopIntentDestroysTheActor) {
  auto t = TestRunner::Start("lifecycle-destroy", {"counter"});
  ASSERT_NE(t, nullptr);
  const std::string id = t->CreateActor("counter");
  ASSERT_TRUE(t->log->WaitFor("start", id, 0u).has_value());

  t->log->Running(id)->Destroy();
  ASSERT_TRUE(t->log->WaitFor("stop", id, 0u).has_value());
  EXPECT_TRUE(Eventually([&] { return HasTimestamp(ActorJson(*t, id), "destroy_ts"); }))
      << ActorJson(*t, id).dump();
}

TEST(RunnerLifecycle, StartFailureIsReportedWithItsMessageAndTheCrashPolicyApplies) {
  auto t = TestRunner::Start("lifecycle-fail", {"throw-start", "fail-start"});
  ASSERT_NE(t, nullptr);
  const std::string thrower = t->CreateActor("throw-start", {}, {}, "destroy");
  const std::string failer = t->CreateActor("fail-start", {}, {}, "destroy");

  for (const auto& [id, message] : {std::pair{thrower, "boom on start"}, std::pair{failer, "start failed on purpose"}}) {
    EXPECT_TRUE(Eventually([&] { return HasTimestamp(ActorJson(*t, id), "destroy_ts"); }))
        << "crash policy destroy was not applied: " << ActorJson(*t, id).dump();
    EXPECT_THAT(ActorJson(*t, id).dump(), HasSubstr(message)) << "the engine does not show why the actor crashed";
  }
}

TEST(RunnerLifecycle, EngineRestartKeepsActorsWithoutReplayingCommandsOrLosingEvents) {
  auto t = TestRunner::Start("lifecycle-engine-restart", {"counter"});
  ASSERT_NE(t, nullptr);
  const std::string id = t->CreateActor("counter");
  ASSERT_TRUE(t->log->WaitFor("start", id, 0u).has_value());
  const std::string runner_id = t->runner->runner_id();

  ASSERT_TRUE(EngineEnvironment::engine().Restart().ok());
  // The engine replays its unacknowledged commands (this actor's start) after the reconnect.
  ASSERT_TRUE(Eventually([&] { return HasTimestamp(ActorJson(*t, id), "connectable_ts"); }));
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(t->log->Count("start", id), 1) << "a replayed start command was applied again";
  EXPECT_EQ(t->runner->runner_id(), runner_id) << "the engine kept the runner across its restart";

  // An event sent after the restart (the sleep intent) reaches the engine.
  t->log->Running(id)->Sleep();
  EXPECT_TRUE(t->log->WaitFor("stop", id, 0u).has_value());
  EXPECT_TRUE(Eventually([&] { return HasTimestamp(ActorJson(*t, id), "sleep_ts"); }));
}

TEST(RunnerLifecycle, EventsSentWhileTheEngineIsDownAreDeliveredAfterReconnect) {
  auto t = TestRunner::Start("lifecycle-engine-down", {"counter"});
  ASSERT_NE(t, nullptr);
  const std::string id = t->CreateActor("counter");
  ASSERT_TRUE(t->log->WaitFor("start", id, 0u).has_value());

  ASSERT_TRUE(EngineEnvironment::engine().Stop().ok());
  t->log->Running(id)->Sleep();  // queued: the engine is down
  std::this_thread::sleep_for(1s);
  ASSERT_TRUE(EngineEnvironment::engine().Restart().ok());
  EXPECT_TRUE(t->log->WaitFor("stop", id, 0u, 60s).has_value()) << "the queued sleep intent was lost";
  EXPECT_TRUE(Eventually([&] { return HasTimestamp(ActorJson(*t, id), "sleep_ts"); }));
}

TEST(RunnerLifecycle, SlotsAreRespected) {
  auto t = TestRunner::Start("lifecycle-slots", {"counter"}, [](RunnerConfig& c) { c.total_slots = 2; });
  ASSERT_NE(t, nullptr);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(t->CreateActor("counter", "slot-" + std::to_string(i)));
  ASSERT_TRUE(t->log->WaitFor("start", ids[0]).has_value());
  ASSERT_TRUE(t->log->WaitFor("start", ids[1]).has_value());
  EXPECT_FALSE(t->log->WaitFor("start", ids[2], std::nullopt, 3s).has_value()) << "a third actor ran on two slots";
}

TEST(RunnerLifecycle, DestroyingARunningRunnerStopsItsActorsAndReturns) {
  auto t = TestRunner::Start("lifecycle-destroy-runner", {"kv-on-stop"});
  ASSERT_NE(t, nullptr);
  const std::string id = t->CreateActor("kv-on-stop");
  ASSERT_TRUE(t->log->WaitFor("start", id, 0u).has_value());

  // No Stop(): the destructor must still run OnStop, and a KV call blocked in it must return.
  const auto before = std::chrono::steady_clock::now();
  t->runner.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 15s);
  const auto stopped = t->log->WaitFor("stop", id, 0u, 1s);
  ASSERT_TRUE(stopped.has_value()) << "OnStop did not run";
  EXPECT_THAT(stopped->detail, HasSubstr("stopped")) << "the blocked KV write did not fail with the runner";
}

TEST(RunnerLifecycle, PingsAreAnsweredWhileEveryActorThreadIsBusy) {
  auto t = TestRunner::Start("lifecycle-busy", {"busy-start"}, [](RunnerConfig& c) { c.actor_threads = 2; });
  ASSERT_NE(t, nullptr);
  const std::string runner_id = t->runner->runner_id();
  const std::string first = t->CreateActor("busy-start", "one");
  const std::string second = t->CreateActor("busy-start", "two");

  // Both actor threads are blocked for 18 s; the engine drops a runner that misses pings for 15 s.
  const std::string url = EngineEnvironment::engine().endpoint() + "/runners?namespace=" + t->namespace_name +
                          "&name=" + t->runner_name;
  const auto deadline = std::chrono::steady_clock::now() + 16s;
  while (std::chrono::steady_clock::now() < deadline) {
    absl::StatusOr<nlohmann::json> runners = HttpGetJson(url, AdminHeaders(EngineEnvironment::engine()));
    ASSERT_TRUE(runners.ok()) << runners.status();
    ASSERT_EQ(runners->at("runners").size(), 1u) << runners->dump();
    const auto last_ping = runners->at("runners")[0].at("last_ping_ts").get<std::int64_t>();
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    EXPECT_LT(now - last_ping, 8000) << "the runner stopped answering pings";
    std::this_thread::sleep_for(1s);
  }
  EXPECT_TRUE(t->log->WaitFor("start", first, 0u).has_value());
  EXPECT_TRUE(t->log->WaitFor("start", second, 0u).has_value());
  EXPECT_EQ(t->runner->runner_id(), runner_id) << "the runner had to reconnect";
}

}  // namespace
}  // namespace tether::testing
