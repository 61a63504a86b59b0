// Unit tests of the agent's sidecar API without an engine: the watch queue, the directory's
// events, the service's errors and commands over fake actors, the JSON mapping and its HTTP
// statuses, and the address check. The KV calls and the gRPC transport run against the real
// engine in tests/integration/sidecar_test.cc.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agent/actor_directory.h"
#include "agent/actor_events.h"
#include "agent/agent_config.h"
#include "agent/agent_metrics.h"
#include "agent/link_state.h"
#include "agent/metrics_registry.h"
#include "agent/sidecar_json.h"
#include "agent/sidecar_service.h"

namespace tether::agent {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// An actor that records the commands it gets.
class FakeActor : public Actor {
 public:
  explicit FakeActor(ActorInfo info) : info_(std::move(info)) {}

  const ActorInfo& info() const override { return info_; }
  Kv& kv() override { return kv_; }
  void Sleep() override { slept = true; }
  void Destroy() override { destroyed = true; }
  void Stop() override {}
  void SetAlarm(std::chrono::system_clock::time_point when) override { alarm = when; }
  void ClearAlarm() override { alarm.reset(); }
  void Post(std::function<void()> fn) override { fn(); }
  std::vector<std::shared_ptr<WebSocket>> WebSockets() const override { return {}; }
  StopReason stop_reason() const override { return StopReason::kNone; }
  absl::StatusOr<std::vector<std::shared_ptr<WebSocket>>> RestoreWebSockets(std::vector<StoredWebSocket>) override {
    return absl::UnimplementedError("not in this test");
  }

  bool slept = false;
  bool destroyed = false;
  std::optional<std::chrono::system_clock::time_point> alarm;

 private:
  ActorInfo info_;
  Kv kv_{nullptr};  // never called here
};


ActorInfo Info(std::string id, std::uint32_t generation = 0, std::optional<std::string> input = std::nullopt) {
  ActorInfo info;
  info.actor_id = std::move(id);
  info.name = "room";
  info.key = "lobby";
  info.generation = generation;
  info.input = std::move(input);
  return info;
}

ActorEvent Next(ActorEventQueue& queue) {
  absl::StatusOr<std::optional<ActorEvent>> next = queue.Pop(1s);
  EXPECT_TRUE(next.ok() && next->has_value()) << (next.ok() ? "nothing" : next.status().ToString());
  return next.ok() && next->has_value() ? **next : ActorEvent{ActorEvent::Kind::kStopped, {}};
}

TEST(ActorEventQueue, DeliversInOrderAndDropsAWatcherThatFallsBehind) {
  ActorEventQueue queue(2);
  absl::StatusOr<std::optional<ActorEvent>> nothing = queue.Pop(10ms);
  ASSERT_TRUE(nothing.ok());
  EXPECT_FALSE(nothing->has_value());
  queue.Push({ActorEvent::Kind::kStarted, Info("a")});
  queue.Push({ActorEvent::Kind::kStopped, Info("a")});
  queue.Push({ActorEvent::Kind::kStarted, Info("b")});  // over capacity: closes
  EXPECT_EQ(Next(queue).kind, ActorEvent::Kind::kStarted);
  EXPECT_EQ(Next(queue).kind, ActorEvent::Kind::kStopped);
  absl::StatusOr<std::optional<ActorEvent>> closed = queue.Pop(10ms);
  EXPECT_EQ(closed.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(closed.status().message(), HasSubstr("fell more than 2 events behind"));
}

TEST(ActorDirectoryWatch, ReplaysRunningActorsThenFollowsStartsStopsAndAlarms) {
  ActorDirectory directory;
  FakeActor first(Info("a1", 3, "hello input"));
  FakeActor second(Info("a2"));
  directory.Add(first, std::make_shared<ActorActivity>());
  std::shared_ptr<ActorEventQueue> watch = directory.Watch();
  directory.Add(second, std::make_shared<ActorActivity>());
  directory.NotifyAlarm(second);
  directory.Remove(first);

  const ActorEvent replayed = Next(*watch);
  EXPECT_EQ(replayed.kind, ActorEvent::Kind::kStarted);
  EXPECT_EQ(replayed.actor.actor_id, "a1");
  EXPECT_EQ(replayed.actor.input, "hello input");
  EXPECT_EQ(Next(*watch).actor.actor_id, "a2");
  const ActorEvent alarm = Next(*watch);
  EXPECT_EQ(alarm.kind, ActorEvent::Kind::kAlarm);
  EXPECT_EQ(alarm.actor.actor_id, "a2");
  const ActorEvent stopped = Next(*watch);
  EXPECT_EQ(stopped.kind, ActorEvent::Kind::kStopped);
  EXPECT_EQ(stopped.actor.actor_id, "a1");
  EXPECT_EQ(stopped.actor.generation, 3u);

  directory.CloseWatches(absl::UnavailableError("stopping"));
  EXPECT_EQ(watch->Pop(10ms).status().code(), absl::StatusCode::kUnavailable);
  watch.reset();
  directory.Remove(second);  // a released watch is simply forgotten
}

class SidecarServiceTest : public ::testing::Test {
 protected:
  SidecarServiceTest() { directory_.Add(actor_, std::make_shared<ActorActivity>()); }
  ~SidecarServiceTest() override { directory_.Remove(actor_); }

  // A JSON call, as the admin server makes it.
  template <class Request, class Response>
  AdminResponse Json(absl::StatusOr<Response> (SidecarService::*method)(const Request&), std::string body,
                     std::string http_method = "POST") {
    const std::function<absl::StatusOr<Response>(const Request&)> call = [this, method](const Request& request) {
      return (service_.*method)(request);
    };
    return CallJson(AdminRequest{std::move(http_method), "/sidecar/v1/x", "", std::move(body)}, call);
  }

  MetricsRegistry registry_;
  AgentMetrics metrics_{registry_};
  LinkState link_{metrics_};
  int drains_ = 0;
  ActorDirectory directory_;
  SidecarService service_{directory_, link_, {[] { return std::string("runner-1"); }, [this] { ++drains_; }}};
  FakeActor actor_{Info("a1", 2, std::string("\x00\xff", 2))};
};

TEST_F(SidecarServiceTest, CommandsReachTheActor) {
  sidecar::SetAlarmRequest alarm;
  alarm.set_actor_id("a1");
  alarm.set_at_unix_ms(1'700'000'000'123);
  ASSERT_TRUE(service_.SetAlarm(alarm).ok());
  EXPECT_EQ(actor_.alarm, std::chrono::system_clock::time_point(1'700'000'000'123ms));
  sidecar::ClearAlarmRequest clear;
  clear.set_actor_id("a1");
  ASSERT_TRUE(service_.ClearAlarm(clear).ok());
  EXPECT_FALSE(actor_.alarm.has_value());

  EXPECT_EQ(Json(&SidecarService::SleepActor, R"({"actor_id": "a1"})").status, 200);
  EXPECT_TRUE(actor_.slept);
  EXPECT_EQ(Json(&SidecarService::DestroyActor, R"({"actorId": "a1"})").status, 200) << "lowerCamelCase works too";
  EXPECT_TRUE(actor_.destroyed);
}

TEST_F(SidecarServiceTest, ErrorsAreStatusCodesWithMessages) {
  const AdminResponse unknown = Json(&SidecarService::SleepActor, R"({"actor_id": "nope"})");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.content_type, "application/json");
  EXPECT_EQ(nlohmann::json::parse(unknown.body),
            (nlohmann::json{{"code", "NOT_FOUND"}, {"message", "actor nope is not running here"}}));

  const AdminResponse missing_id = Json(&SidecarService::KvGet, R"({"keys": ["YQ=="]})");
  EXPECT_EQ(missing_id.status, 400);
  EXPECT_THAT(missing_id.body, HasSubstr("actor_id is required"));

  const AdminResponse bad_json = Json(&SidecarService::KvGet, R"({"actor_id": )");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_THAT(bad_json.body, HasSubstr(R"("code":"INVALID_ARGUMENT")"));
  EXPECT_THAT(bad_json.body, HasSubstr("the body is not a KvGetRequest in JSON"));
  EXPECT_EQ(Json(&SidecarService::KvGet, R"({"actor": "a1"})").status, 400) << "unknown fields are refused";

  const AdminResponse big_page = Json(&SidecarService::KvList, R"({"actor_id": "a1", "limit": 5000})");
  EXPECT_EQ(big_page.status, 400);
  EXPECT_THAT(big_page.body, HasSubstr("over the maximum of 1000"));
  EXPECT_EQ(Json(&SidecarService::SetAlarm, R"({"actor_id": "a1"})").status, 400);
  EXPECT_EQ(Json(&SidecarService::GetStatus, "", "GET").status, 501);
}

TEST_F(SidecarServiceTest, StatusListAndDrain) {
  const AdminResponse status = Json(&SidecarService::GetStatus, "");
  EXPECT_EQ(status.status, 200);
  EXPECT_EQ(nlohmann::json::parse(status.body),
            (nlohmann::json{{"runner_id", "runner-1"}, {"connected", false}, {"draining", false}, {"actors", 1}}));

  const nlohmann::json listed = nlohmann::json::parse(Json(&SidecarService::ListActors, "{}").body);
  ASSERT_EQ(listed["actors"].size(), 1u);
  EXPECT_EQ(listed["actors"][0]["actor_id"], "a1");
  EXPECT_EQ(listed["actors"][0]["key"], "lobby");
  EXPECT_EQ(listed["actors"][0]["generation"], 2);

  EXPECT_EQ(Json(&SidecarService::Drain, "{}").status, 200);
  EXPECT_EQ(Json(&SidecarService::Drain, "{}").status, 200);
  EXPECT_EQ(drains_, 1) << "a second drain changes nothing";
  EXPECT_THAT(Json(&SidecarService::GetStatus, "").body, HasSubstr(R"("draining":true)"));
  const AdminResponse gone = Json(&SidecarService::SleepActor, R"({"actor_id": "moved"})");
  EXPECT_EQ(gone.status, 503) << "while draining, a missing actor is moving elsewhere";
  EXPECT_THAT(gone.body, HasSubstr(R"("code":"UNAVAILABLE")"));
}

TEST(SidecarEvents, StartedCarriesTheInputAsBytes) {
  const sidecar::ActorEvent started =
      SidecarService::ToProto({ActorEvent::Kind::kStarted, Info("a1", 4, std::string("\x00\xff", 2))});
  ASSERT_TRUE(started.has_started());
  EXPECT_EQ(started.started().actor_id(), "a1");
  EXPECT_EQ(started.started().key(), "lobby");
  EXPECT_EQ(started.started().generation(), 4u);
  EXPECT_EQ(started.started().input(), std::string("\x00\xff", 2));
  EXPECT_FALSE(SidecarService::ToProto({ActorEvent::Kind::kStarted, ActorInfo{}}).started().has_input());
  EXPECT_TRUE(SidecarService::ToProto({ActorEvent::Kind::kAlarm, Info("a1")}).has_alarm());
  EXPECT_TRUE(SidecarService::ToProto({ActorEvent::Kind::kStopped, Info("a1")}).has_stopped());
}

TEST(SidecarJson, HttpStatusPerCode) {
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kDeadlineExceeded), 504);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kInternal), 500);
  const AdminResponse timeout = JsonError(absl::DeadlineExceededError("kv timed out"));
  EXPECT_EQ(timeout.status, 504);
  EXPECT_EQ(timeout.body, "{\"code\":\"DEADLINE_EXCEEDED\",\"message\":\"kv timed out\"}\n");
}

TEST(SidecarAddress, OnlyUnixSocketsAndLoopback) {
  for (const char* good : {"unix:/tmp/tether.sock", "127.0.0.1:0", "127.1.2.3:9465", "localhost:9465", "[::1]:9465"}) {
    EXPECT_TRUE(CheckSidecarAddress(good, "--sidecar-address").ok()) << good;
  }
  for (const char* bad : {"unix:", "0.0.0.0:9465", "10.0.0.1:9465", "127.0.0.1.example.com:80", "[::]:9465", "9465"}) {
    EXPECT_FALSE(CheckSidecarAddress(bad, "--sidecar-address").ok()) << bad;
  }
  EXPECT_THAT(CheckSidecarAddress("0.0.0.0:1", "--sidecar-address").message(), HasSubstr("no authentication"));
}

}  // namespace
}  // namespace tether::agent
