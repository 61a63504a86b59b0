// Support for runner integration tests: a RecordingActor whose every lifecycle call is recorded
// in an ActorLog the test waits on, and a per-test runner against the shared real engine.
//
// Threading: ActorLog is thread-safe; actor code records from actor threads while the test waits.
#ifndef TETHER_TESTS_INTEGRATION_RUNNER_TEST_SUPPORT_H_
#define TETHER_TESTS_INTEGRATION_RUNNER_TEST_SUPPORT_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness/engine_environment.h"
#include "harness/rest.h"
#include "tether/runner.h"

namespace tether::testing {

struct ActorEvent {
  std::string kind;  // "start", "stop", "alarm"
  ActorInfo info;
  std::string detail;
};

class ActorLog {
 public:
  void Record(std::string kind, const ActorInfo& info, std::string detail = {});
  // Waits up to `timeout` for an event of `kind` for `actor_id` (and `generation`, if given).
  std::optional<ActorEvent> WaitFor(const std::string& kind, const std::string& actor_id,
                                    std::optional<std::uint32_t> generation = std::nullopt,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(30));
  int Count(const std::string& kind, const std::string& actor_id);

  // The running actor's handle (from OnStart until OnStop); nullptr otherwise.
  Actor* Running(const std::string& actor_id);
  void SetRunning(const std::string& actor_id, Actor* actor);

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<ActorEvent> events_;
  std::map<std::string, Actor*> running_;
};

// Counts its starts in KV key "starts" and records every call. Behaviour by actor name:
//   "fail-start"  OnStart returns an error;  "throw-start"  OnStart throws;
//   "busy-start"  OnStart blocks its thread for 18 s (longer than the engine's ping timeout);
//   "kv-on-stop"  OnStop blocks on a KV write and records its error message as the detail.
class RecordingActor : public ActorInstance {
 public:
  // `label` names the runner in hibernatable echoes (tests with several runner processes).
  explicit RecordingActor(ActorLog& log, std::string label = {}) : log_(log), label_(std::move(label)) {}
  absl::Status OnStart(Actor& actor) override;
  void OnAlarm(Actor& actor) override;
  void OnStop(Actor& actor) override;
  // "/echo": 200 with the request's body, "x-method", "x-path" and "x-test" copied as
  // "x-test-echo"; "/throw": throws; "/sockets": how many WebSockets() the actor has; "/sleep":
  // the actor sleeps; anything else: the default 404.
  tether::HttpResponse OnFetch(Actor& actor, const tether::HttpRequest& request) override;
  // Accepts sockets on paths starting with "/ws" and echoes every message with its type; the
  // message "close-me" makes the actor close with 4000 "closed by the actor". Client closes are
  // recorded as "ws-close" with "<code> <reason>".
  // Paths starting with "/hws" are hibernatable and answer "g<generation>/<label>:<message>",
  // except for "sleep" (the actor sleeps), "block:<ms>" (holds the actor's thread), "attach:<x>"
  // (SetAttachment; answers its error message, empty if OK), "attachment", and "sockets" (how
  // many WebSockets() the actor has). OnStart greets every restored socket with
  // "g<generation>/<label>:restored" and records "ws-restored" with the socket's id.
  WebSocketAcceptance OnWebSocketOpen(Actor& actor, WebSocket& socket) override;
  void OnWebSocketMessage(Actor& actor, WebSocket& socket, const std::string& data, bool binary) override;
  void OnWebSocketClose(Actor& actor, WebSocket& socket, std::uint16_t code, const std::string& reason) override;

 private:
  std::string HibernatingEcho(Actor& actor, const std::string& data) const;

  ActorLog& log_;
  std::string label_;
};

// A unique namespace and runner name per test, and a runner hosting RecordingActors under
// `actor_names`, connected before it is returned.
struct TestRunner {
  // Drains the runner, as a program would on SIGTERM, so the engine is left with no lost runner.
  ~TestRunner();

  std::string namespace_name;
  std::string runner_name;
  std::shared_ptr<ActorLog> log = std::make_shared<ActorLog>();
  std::unique_ptr<Runner> runner;

  static std::unique_ptr<TestRunner> Start(const std::string& test_name, std::vector<std::string> actor_names,
                                           std::function<void(RunnerConfig&)> adjust = {});
  RunnerConfig BaseConfig() const;
  // Creates an actor for this runner through the REST API.
  std::string CreateActor(const std::string& name, const std::string& key = {}, const std::string& input = {},
                          const std::string& crash_policy = "sleep") const;
};

// A fixture with a fresh runner (namespace named after the test) hosting one started "counter"
// RecordingActor.
class RunningActorTest : public ::testing::Test {
 protected:
  void SetUp() override;

  std::unique_ptr<TestRunner> t_;
  std::string id_;
  tether::Actor* actor_ = nullptr;
};


}  // namespace tether::testing

#endif  // TETHER_TESTS_INTEGRATION_RUNNER_TEST_SUPPORT_H_
