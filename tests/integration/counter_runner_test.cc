// The example runner program (examples/counter) as it is deployed: a separate process configured
// by RIVET_* variables, against the real engine. Fatal misconfiguration exits non-zero within
// seconds with the cause in the last log line; SIGTERM drains and exits 0; a killed runner's
// actor comes back on a new runner process with its KV intact.
#include <signal.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/child_process.h"
#include "harness/engine_environment.h"
#include "harness/http_client.h"
#include "harness/raw_websocket.h"
#include "harness/rest.h"

namespace tether::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

int g_process_count = 0;

std::unique_ptr<ChildProcess> StartCounterRunner(const LocalEngine& engine, const std::string& namespace_name,
                                                 const std::string& runner_name, const std::string& token) {
  const std::string log = ::testing::TempDir() + "counter-runner-" + std::to_string(++g_process_count) + ".log";
  auto child = ChildProcess::Spawn({COUNTER_RUNNER},
                                   {{"RIVET_ENDPOINT", engine.endpoint()},
                                    {"RIVET_NAMESPACE", namespace_name},
                                    {"RIVET_POOL", runner_name},
                                    {"RIVET_TOKEN", token},
                                    {"RIVET_LOG_LEVEL", "info"}},
                                   log);
  EXPECT_TRUE(child.ok()) << child.status();
  return child.ok() ? *std::move(child) : nullptr;
}


// The engine creates the pool's runner config when the first runner connects; actors of the pool
// can be created only after that.
bool Connected(const ChildProcess& runner) {
  return Eventually([&] { return runner.Log().find("connected to the engine") != std::string::npos; }, 30s);
}

bool IsSet(const absl::StatusOr<nlohmann::json>& actor, const char* field) {
  return actor.ok() && actor->contains(field) && !(*actor)[field].is_null();
}

TEST(CounterRunner, UnknownNamespaceExitsNonZeroWithTheCause) {
  auto runner = StartCounterRunner(EngineEnvironment::engine(), "no-such-namespace", "counter", "");
  ASSERT_NE(runner, nullptr);
  EXPECT_EQ(runner->WaitFor(15s), 1) << runner->Log();
  EXPECT_THAT(runner->LastLogLine(), HasSubstr("namespace \\\"no-such-namespace\\\" does not exist"));
}

TEST(CounterRunner, WrongOrMissingTokenExitsNonZeroWithTheCauseAndNeverLogsTheToken) {
  LocalEngineOptions options;
  options.admin_token = "the-right-token";
  auto engine = LocalEngine::Start(options);
  ASSERT_TRUE(engine.ok()) << engine.status();

  auto wrong = StartCounterRunner(**engine, "default", "counter", "a-wrong-token-4711");
  ASSERT_NE(wrong, nullptr);
  EXPECT_EQ(wrong->WaitFor(15s), 1) << wrong->Log();
  EXPECT_THAT(wrong->LastLogLine(), HasSubstr("the engine rejected the token (RIVET_TOKEN)"));
  EXPECT_THAT(wrong->Log(), Not(HasSubstr("a-wrong-token-4711")));

  auto missing = StartCounterRunner(**engine, "default", "counter", "");
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->WaitFor(15s), 1) << missing->Log();
  EXPECT_THAT(missing->LastLogLine(), HasSubstr("the engine requires a token and none was sent"));
}

TEST(CounterRunner, SigtermDrainsTheActorsAndExitsZero) {
  const LocalEngine& engine = EngineEnvironment::engine();
  auto ns = CreateNamespace(engine, "counter-sigterm");
  ASSERT_TRUE(ns.ok()) << ns.status();
  auto runner = StartCounterRunner(engine, *ns, "counter-pool", "");
  ASSERT_NE(runner, nullptr);
  ASSERT_TRUE(Connected(*runner)) << runner->Log();
  auto id = CreateActor(engine, *ns, {"counter", "counter-pool", "sigterm", "", "sleep"});
  ASSERT_TRUE(id.ok()) << id.status();
  ASSERT_TRUE(Eventually([&] { return IsSet(GetActor(engine, *ns, *id), "connectable_ts"); }, 30s)) << runner->Log();

  runner->Signal(SIGTERM);
  EXPECT_EQ(runner->WaitFor(30s), 0) << runner->Log();
  EXPECT_THAT(runner->Log(), HasSubstr("actor stopped"));
  EXPECT_THAT(runner->LastLogLine(), HasSubstr("runner stopped"));
  // Crash policy "sleep": the drained actor sleeps until the next request wakes it elsewhere.
  EXPECT_TRUE(Eventually([&] { return IsSet(GetActor(engine, *ns, *id), "sleep_ts"); }, 30s));
}

TEST(CounterRunner, CountIsServedOverHttpThroughTheGateway) {
  const LocalEngine& engine = EngineEnvironment::engine();
  auto ns = CreateNamespace(engine, "counter-http");
  ASSERT_TRUE(ns.ok()) << ns.status();
  auto runner = StartCounterRunner(engine, *ns, "counter-pool", "");
  ASSERT_NE(runner, nullptr);
  ASSERT_TRUE(Connected(*runner)) << runner->Log();
  auto id = CreateActor(engine, *ns, {"counter", "counter-pool", "http", "", "sleep"});
  ASSERT_TRUE(id.ok()) << id.status();
  const std::string gateway = engine.endpoint() + "/gateway/" + *id;

  auto before = HttpRequest("GET", gateway + "/count", {}, {}, 60s);
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_EQ(before->status, 200) << before->body;
  auto incremented = HttpRequest("POST", gateway + "/increment", {}, {}, 60s);
  ASSERT_TRUE(incremented.ok()) << incremented.status();
  ASSERT_EQ(incremented->status, 200);
  const int count = std::stoi(incremented->body);
  EXPECT_GT(count, std::stoi(before->body));
  // The increment was stored before it was acknowledged.
  auto stored = ReadActorKv(engine, *ns, *id, "count");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_GE(std::stoi(*stored), count);
}

TEST(CounterRunner, WatchersHearEveryCountChange) {
  const LocalEngine& engine = EngineEnvironment::engine();
  auto ns = CreateNamespace(engine, "counter-watch");
  ASSERT_TRUE(ns.ok()) << ns.status();
  auto runner = StartCounterRunner(engine, *ns, "counter-pool", "");
  ASSERT_NE(runner, nullptr);
  ASSERT_TRUE(Connected(*runner)) << runner->Log();
  auto id = CreateActor(engine, *ns, {"counter", "counter-pool", "watch", "", "sleep"});
  ASSERT_TRUE(id.ok()) << id.status();

  auto watcher = RawWebSocket::Connect(engine.guard_port(), "/gateway/" + *id + "/watch", {"rivet"}, 30s);
  ASSERT_TRUE(watcher.ok()) << watcher.status();
  auto next = [&]() -> int {
    auto message = (*watcher)->Receive(30s);
    EXPECT_TRUE(message.ok()) << message.status();
    return message.ok() ? std::stoi(std::string(message->begin(), message->end())) : -1;
  };
  const int first = next();
  ASSERT_GE(first, 0);
  // Increments from the socket itself and over HTTP, and the 5 s tick, each push the new count;
  // the counts arrive one by one, none skipped.
  ASSERT_TRUE((*watcher)->SendText("increment").ok());
  auto posted = HttpRequest("POST", engine.endpoint() + "/gateway/" + *id + "/increment", {}, {}, 60s);
  ASSERT_TRUE(posted.ok()) << posted.status();
  const int after_post = std::stoi(posted->body);
  int seen = first;
  while (seen < after_post) {
    const int count = next();
    ASSERT_EQ(count, seen + 1);
    seen = count;
  }
  EXPECT_GE(seen, first + 2);

  auto refused = RawWebSocket::Connect(engine.guard_port(), "/gateway/" + *id + "/other", {"rivet"}, 30s);
  ASSERT_TRUE(refused.ok()) << refused.status();
  auto closed = (*refused)->Receive(30s);
  ASSERT_FALSE(closed.ok());
  EXPECT_THAT(std::string(closed.status().message()), HasSubstr("closed 1008 WebSockets go to /watch"));
}

TEST(CounterRunner, KilledRunnersActorComesBackOnANewProcessWithItsKv) {
  // A short runner-lost threshold so the engine notices the killed runner quickly (it must stay
  // above the engine's 3 s ping interval, or live runners count as lost too).
  LocalEngineOptions options;
  options.extra_config_json = R"({"pegboard": {"runner_lost_threshold": 8000}})";
  auto engine = LocalEngine::Start(options);
  ASSERT_TRUE(engine.ok()) << engine.status();
  auto ns = CreateNamespace(**engine, "counter-kill");
  ASSERT_TRUE(ns.ok()) << ns.status();

  auto first = StartCounterRunner(**engine, *ns, "counter-pool", "");
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(Connected(*first)) << first->Log();
  auto id = CreateActor(**engine, *ns, {"counter", "counter-pool", "survivor", "", "restart"});
  ASSERT_TRUE(id.ok()) << id.status();
  // The count ticks every 5 s; wait until it is stored.
  int before = 0;
  ASSERT_TRUE(Eventually(
      [&] {
        auto count = ReadActorKv(**engine, *ns, *id, "count");
        if (count.ok()) before = std::stoi(*count);
        return before >= 1;
      },
      30s))
      << first->Log();

  first->Signal(SIGKILL);
  ASSERT_EQ(first->WaitFor(5s), 128 + SIGKILL);
  auto second = StartCounterRunner(**engine, *ns, "counter-pool", "");
  ASSERT_NE(second, nullptr);
  EXPECT_TRUE(Eventually([&] { return second->Log().find("count=" + std::to_string(before)) != std::string::npos; },
                         90s))
      << "the actor did not come back with its count " << before << ":\n"
      << second->Log();
  EXPECT_TRUE(Eventually(
      [&] {
        auto count = ReadActorKv(**engine, *ns, *id, "count");
        return count.ok() && std::stoi(*count) > before;
      },
      30s))
      << "the count did not go on from " << before;
}

}  // namespace
}  // namespace tether::testing
