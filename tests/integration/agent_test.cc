// `tether agent` end to end: the real engine, the agent binary as a separate process, the Node
// example app (examples/agent-node) as its upstream, and clients going through the engine's
// gateway. HTTP and WebSockets cross the agent with the actor's identity added; an upstream that
// is down answers 502 and recovers; a hibernatable socket survives the agent's SIGKILL (another
// agent reopens its upstream socket) and its actor's sleep; /metrics and /ready report; SIGTERM
// drains and exits 0; a bad upstream or token exits non-zero with a clear message.
//
// The engine runs with a 5 s runner-lost threshold so that a killed agent is noticed in seconds
// (see runner_migration_test.cc for why).
#include <signal.h>

#include <chrono>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "agent_test_support.h"
#include "harness/child_process.h"
#include "harness/engine_environment.h"
#include "harness/http_client.h"
#include "harness/raw_websocket.h"
#include "harness/rest.h"

namespace tether::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// A short runner-lost threshold, and serverless runners drained 4 s before their lifespan ends.
constexpr char kEngineConfig[] =
    R"({"pegboard": {"runner_lost_threshold": 5000, "serverless_drain_grace_period": 4000}})";

std::string Header(const HttpResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (absl::AsciiStrToLower(key) == name) return value;
  }
  return "<none>";
}

LocalEngine& engine() { return EngineEnvironment::engine(); }

// The Node example app, on `port` (0: a free one).
App NodeApp(const std::string& label, int port = 0) {
  return App::Start("agent-node-" + label, {NODE_EXECUTABLE, AGENT_NODE_APP}, {}, port);
}

Agent StartAgent(const std::string& label, const std::string& namespace_name, const std::string& upstream,
                 std::vector<std::string> extra_args = {}) {
  return StartAgentProcess(TETHER_CLI, label, namespace_name, upstream, extra_args);
}

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> created = CreateNamespaceForThisTest();
    ASSERT_TRUE(created.ok()) << created.status();
    namespace_name_ = *created;
    app_ = NodeApp(namespace_name_);
    ASSERT_NE(app_.port, 0);
  }

  // Starts agent A (with `extra_args`) and creates the actor "app" with key "k1" on it.
  void StartAgentAndActor(std::vector<std::string> extra_args = {}) {
    a_ = StartAgent("A", namespace_name_, app_.url(), std::move(extra_args));
    ASSERT_NE(a_.admin_port, 0);
    const ActorSpec spec{.name = "app", .runner_name = "pool", .key = "k1", .input = "", .crash_policy = "restart"};
    // The engine makes the pool's runner config a moment after its first runner connects.
    absl::StatusOr<std::string> created;
    EXPECT_TRUE(Eventually([&] { return (created = CreateActor(engine(), namespace_name_, spec)).ok(); }, 10s));
    ASSERT_TRUE(created.ok()) << created.status();
    id_ = *created;
  }

  absl::StatusOr<HttpResponse> Gateway(const std::string& method, const std::string& path, const std::string& body = {},
                                       const HttpHeaders& headers = {}) {
    return HttpRequest(method, engine().endpoint() + "/gateway/" + id_ + path, body, headers, 60s);
  }

  // A client WebSocket to the actor through the gateway (subprotocol `rivet`); null on failure.
  std::unique_ptr<RawWebSocket> Open(const std::string& path) {
    absl::StatusOr<std::unique_ptr<RawWebSocket>> connected =
        RawWebSocket::Connect(engine().guard_port(), "/gateway/" + id_ + path, {"rivet"}, 30s);
    if (connected.ok()) return *std::move(connected);
    ADD_FAILURE() << "opening " << path << ": " << connected.status();
    return nullptr;
  }

  // The closes the app saw, as JSON.
  nlohmann::json AppCloses() {
    auto closes = HttpGetJson(app_.url() + "/closes");
    return closes.ok() ? *closes : nlohmann::json::array();
  }

  std::string namespace_name_;
  App app_;
  Agent a_;
  std::string id_;
};

TEST_F(AgentTest, HttpReachesTheAppWithTheActorsIdentityAndWithoutHopByHopHeaders) {
  StartAgentAndActor();
  auto headers = Gateway("GET", "/headers?x=1", {},
                         {{"X-Rivet-Actor-Id", "spoofed"}, {"Connection", "x-private"}, {"X-Private", "hop"},
                          {"X-App", "kept"}, {"Authorization", "Bearer user-token"}});
  ASSERT_TRUE(headers.ok()) << headers.status();
  ASSERT_EQ(headers->status, 200) << headers->body;
  const nlohmann::json seen = nlohmann::json::parse(headers->body);
  EXPECT_EQ(seen.value("x-rivet-actor-id", ""), id_);
  EXPECT_EQ(seen.value("x-rivet-actor-name", ""), "app");
  EXPECT_EQ(seen.value("x-rivet-actor-key", ""), "k1");
  EXPECT_EQ(seen.value("x-rivet-actor-generation", ""), "0");
  EXPECT_EQ(seen.value("x-app", ""), "kept");
  EXPECT_EQ(seen.value("authorization", ""), "Bearer user-token") << "the client's own auth is the app's business";
  EXPECT_FALSE(seen.contains("x-private")) << seen.dump();
  EXPECT_FALSE(seen.contains("x-rivet-token")) << seen.dump();

  auto echo = Gateway("POST", "/echo", "payload bytes", {{"Content-Type", "text/plain"}});
  ASSERT_TRUE(echo.ok()) << echo.status();
  EXPECT_EQ(echo->status, 200);
  EXPECT_EQ(echo->body, "payload bytes");
  EXPECT_EQ(Header(*echo, "content-type"), "text/plain");

  auto missing = Gateway("GET", "/nowhere");
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_EQ(missing->status, 404) << "the app's status codes pass through";
}

TEST_F(AgentTest, UpstreamDownAnswers502UntilItIsBack) {
  StartAgentAndActor();
  auto first = Gateway("GET", "/");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->status, 200);

  app_.process->Signal(SIGKILL);
  app_.process->WaitFor(5s);
  auto down = Gateway("GET", "/");
  ASSERT_TRUE(down.ok()) << down.status();
  EXPECT_EQ(down->status, 502) << down->body;
  EXPECT_EQ(Header(*down, "x-rivet-error"), "tether.upstream_unavailable");

  app_ = NodeApp(namespace_name_ + "-again", app_.port);
  auto back = Gateway("GET", "/");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->status, 200) << back->body;
  EXPECT_THAT(back->body, HasSubstr(R"("visits":1)")) << "a new app process has a fresh cache";
}

TEST_F(AgentTest, SlowUpstreamAnswers504AfterTheRequestTimeout) {
  StartAgentAndActor({"--request-timeout", "1"});
  auto slow = Gateway("GET", "/slow?ms=3000");
  ASSERT_TRUE(slow.ok()) << slow.status();
  EXPECT_EQ(slow->status, 504) << slow->body;
  EXPECT_EQ(Header(*slow, "x-rivet-error"), "tether.upstream_timeout");
  EXPECT_THAT(a_.Admin("/metrics"), HasSubstr("\ntether_upstream_errors_total{reason=\"timeout\"} 1\n"));
}

TEST_F(AgentTest, WebSocketMessagesAndClosesCrossTheAgent) {
  StartAgentAndActor();
  auto ws = Open("/ws");
  ASSERT_NE(ws, nullptr);
  EXPECT_EQ(Ask(*ws, "hello", 60s), "echo:hello");
  EXPECT_EQ(Ask(*ws, "again", 60s), "echo:again");
  EXPECT_THAT(Ask(*ws, "close-me", 60s), HasSubstr("closed 4001 bye from app"));

  auto second = Open("/ws");
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(Ask(*second, "one", 60s), "echo:one");
  EXPECT_TRUE(second->Close(4002).ok());
  EXPECT_TRUE(Eventually(
      [&] {
        for (const auto& close : AppCloses()) {
          if (close.value("code", 0) == 4002) return true;
        }
        return false;
      },
      10s))
      << AppCloses().dump();

  auto refused = Open("/no-such-socket");
  ASSERT_NE(refused, nullptr);
  EXPECT_THAT(ReceiveText(*refused, 30s), HasSubstr("closed 1011 tether.upstream_refused"));
}

TEST_F(AgentTest, MetricsAndReadinessOnTheAdminPort) {
  StartAgentAndActor();
  auto response = Gateway("POST", "/echo", "12345");
  ASSERT_TRUE(response.ok()) << response.status();
  auto ws = Open("/ws");
  ASSERT_NE(ws, nullptr);
  EXPECT_EQ(Ask(*ws, "hi", 60s), "echo:hi");

  const std::string ready = a_.Admin("/ready");
  EXPECT_THAT(ready, HasSubstr("200 "));
  EXPECT_THAT(ready, HasSubstr(R"({"ready":true,"runner_id":")"));
  EXPECT_THAT(ready, HasSubstr(R"(,"actors":1})"));
  const std::string metrics = a_.Admin("/metrics");
  EXPECT_THAT(metrics, HasSubstr("# TYPE tether_link_connected gauge\ntether_link_connected 1\n"));
  EXPECT_THAT(metrics, HasSubstr("\ntether_actors 1\n"));
  EXPECT_THAT(metrics, HasSubstr("\ntether_websockets_open 1\n"));
  EXPECT_THAT(metrics, HasSubstr("\ntether_http_requests_in_flight 0\n"));
  EXPECT_THAT(metrics, HasSubstr("\ntether_http_responses_total{class=\"2xx\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("\ntether_tunnel_bytes_total{direction=\"to_upstream\"} 7\n"));  // "12345" + "hi"
  EXPECT_THAT(metrics, HasSubstr("# TYPE tether_link_reconnects_total counter\n"));
  EXPECT_THAT(a_.Admin("/nope"), HasSubstr("404 "));
}

TEST_F(AgentTest, HibernatableSocketSurvivesTheAgentsSigkill) {
  StartAgentAndActor();
  auto ws = Open("/chat");
  ASSERT_NE(ws, nullptr);
  const std::string before = Ask(*ws, "whoami", 60s);
  ASSERT_THAT(before, HasSubstr("resumed=0 socket="));
  const std::string socket_id = before.substr(before.find("socket="));
  EXPECT_EQ(Ask(*ws, "m0", 60s), "chat:m0");
  Agent b = StartAgent("B", namespace_name_, app_.url());
  // Let A store and acknowledge m0: a message in flight at a crash is delivered again.
  std::this_thread::sleep_for(500ms);

  a_.process->Signal(SIGKILL);
  EXPECT_TRUE(ws->SendText("m1").ok());
  EXPECT_EQ(ReceiveText(*ws, 60s), "chat:m1") << b.process->Log();
  EXPECT_EQ(Ask(*ws, "whoami", 60s), "resumed=1 " + socket_id) << "agent B reopened the app's socket for it";
  EXPECT_THAT(b.Admin("/metrics"), HasSubstr("\ntether_websockets_resumed_total 1\n"));
}

TEST_F(AgentTest, IdleActorSleepsAndItsHibernatableSocketResumes) {
  StartAgentAndActor({"--sleep-after", "2"});
  auto ws = Open("/chat");
  ASSERT_NE(ws, nullptr);
  ASSERT_THAT(Ask(*ws, "whoami", 60s), HasSubstr("resumed=0"));

  // Idle: the actor sleeps, the app's socket closes, the client's stays open in the engine.
  EXPECT_TRUE(Eventually(
      [&] {
        for (const auto& close : AppCloses()) {
          if (close.value("code", 0) == 1001 && close.value("reason", "") == "tether.hibernating") return true;
        }
        return false;
      },
      20s))
      << AppCloses().dump();
  EXPECT_TRUE(Eventually(
      [&] {
        auto actor = GetActor(engine(), namespace_name_, id_);
        return actor.ok() && !actor->value("sleep_ts", nlohmann::json()).is_null();
      },
      20s));

  EXPECT_THAT(Ask(*ws, "whoami", 60s), HasSubstr("resumed=1")) << "the message woke the actor";
  EXPECT_EQ(Ask(*ws, "after", 60s), "chat:after");
}

TEST_F(AgentTest, SigtermFinishesTheRequestInFlightAndExitsZero) {
  StartAgentAndActor({"--log-format", "json"});
  absl::StatusOr<HttpResponse> slow;
  std::thread client([&] { slow = Gateway("GET", "/slow?ms=1500"); });
  std::this_thread::sleep_for(500ms);
  a_.process->Signal(SIGTERM);
  client.join();
  ASSERT_TRUE(slow.ok()) << slow.status();
  EXPECT_EQ(slow->status, 200) << slow->body;
  EXPECT_EQ(a_.process->WaitFor(60s), 0) << a_.process->Log();

  // --log-format json: every line is a JSON object, the SDK's too.
  std::istringstream lines(a_.process->Log());
  std::string line;
  std::vector<std::string> messages;
  while (std::getline(lines, line)) {
    const nlohmann::json parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(parsed.is_object()) << line;
    messages.push_back(parsed.value("msg", ""));
  }
  EXPECT_THAT(messages, ::testing::Contains("connected to the engine"));
  EXPECT_THAT(messages, ::testing::Contains("agent stopped after draining"));
}

// Runs the agent expecting it to exit on its own; returns {exit code, log}.
std::pair<int, std::string> RunAgentToExit(const std::string& label, std::vector<std::string> args,
                                           std::map<std::string, std::string> env) {
  const std::string log = ::testing::TempDir() + "agent-exit-" + label + ".log";
  std::vector<std::string> argv = {TETHER_CLI, "agent"};
  argv.insert(argv.end(), args.begin(), args.end());
  env.try_emplace("RIVET_ENDPOINT", engine().endpoint());
  auto child = ChildProcess::Spawn(argv, env, log);
  if (!child.ok()) return {-1, std::string(child.status().message())};
  const std::optional<int> code = (*child)->WaitFor(60s);
  return {code.value_or(-1), (*child)->Log()};
}

TEST(AgentStartup, MissingOrMalformedUpstreamIsAUsageError) {
  auto [missing_code, missing_log] = RunAgentToExit("missing", {}, {{"TETHER_UPSTREAM", ""}});
  EXPECT_EQ(missing_code, 2);
  EXPECT_THAT(missing_log, HasSubstr("--upstream or TETHER_UPSTREAM"));
  auto [bad_code, bad_log] = RunAgentToExit("bad", {"--upstream", "ftp://127.0.0.1:21"}, {});
  EXPECT_EQ(bad_code, 2);
  EXPECT_THAT(bad_log, HasSubstr("the upstream must be an http:// URL"));
}

TEST(AgentStartup, UnreachableUpstreamExitsOne) {
  auto [code, log] = RunAgentToExit("unreachable", {"--upstream", "http://127.0.0.1:1", "--upstream-wait", "0"}, {});
  EXPECT_EQ(code, 1);
  EXPECT_THAT(log, HasSubstr("the upstream app cannot be reached"));
  EXPECT_THAT(log, HasSubstr("http://127.0.0.1:1"));
}

TEST(AgentStartup, RejectedTokenExitsOne) {
  LocalEngineOptions options;
  options.admin_token = "the-right-token";
  auto secured = LocalEngine::Start(options);
  ASSERT_TRUE(secured.ok()) << secured.status();
  App app = NodeApp("token");
  ASSERT_NE(app.port, 0);
  auto [code, log] = RunAgentToExit("token", {"--upstream", app.url(), "--admin-address", "127.0.0.1:0"},
                                    {{"RIVET_ENDPOINT", (*secured)->endpoint()}, {"RIVET_TOKEN", "a-wrong-token"}});
  EXPECT_EQ(code, 1);
  EXPECT_THAT(log, HasSubstr("agent stopped: the runner failed"));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("a-wrong-token"))) << "the token is never logged";
}

TEST_F(AgentTest, ServerlessEngineStartsAgentRunnersAndMovesActorsAndSocketsAtTheEndOfEachLifespan) {
  const std::string log = ::testing::TempDir() + "agent-" + namespace_name_ + "-serverless.log";
  auto agent = ChildProcess::Spawn({TETHER_CLI, "agent", "--upstream", app_.url(), "--admin-address", "127.0.0.1:0",
                                    "--serverless", "127.0.0.1:0", "--serverless-base-path", "/api/rivet"},
                                   {{"RIVET_ENDPOINT", engine().endpoint()}, {"RIVET_LOG_LEVEL", "info"}}, log);
  ASSERT_TRUE(agent.ok()) << agent.status();
  const std::string url = WaitForLog(**agent, R"(serverless endpoint listening"? url=(http://[0-9.:]+/api/rivet))", 10s);
  ASSERT_FALSE(url.empty()) << (*agent)->Log();
  ASSERT_TRUE(UpsertServerlessRunnerConfig(engine(), namespace_name_, "sl", url, 12).ok());
  ActorSpec spec;
  spec.name = "app";
  spec.runner_name = "sl";
  spec.key = "k1";
  spec.crash_policy = "restart";
  auto id = CreateActor(engine(), namespace_name_, spec);
  ASSERT_TRUE(id.ok()) << id.status();

  const auto generation = [&]() -> std::string {
    auto response = HttpGetJson(engine().endpoint() + "/gateway/" + *id + "/", {}, 60s);
    return response.ok() ? (*response)["actor"].value("generation", "") : "<" + std::string(response.status().message()) + ">";
  };
  const std::string first = generation();
  ASSERT_EQ(first, "0") << (*agent)->Log();
  auto ws = RawWebSocket::Connect(engine().guard_port(), "/gateway/" + *id + "/chat", {"rivet"}, 30s);
  ASSERT_TRUE(ws.ok()) << ws.status();
  const std::string before = Ask(**ws, "whoami", 60s);
  ASSERT_THAT(before, HasSubstr("resumed=0 socket="));

  // At the end of the first start's lifespan its runner drains and the actor moves to the next.
  std::string now;
  EXPECT_TRUE(Eventually([&] { return (now = generation()) != first; }, 60s)) << now << "\n" << (*agent)->Log();
  EXPECT_EQ(Ask(**ws, "whoami", 60s), "resumed=1 " + before.substr(before.find("socket=")))
      << "the client's socket moved with the actor";
  (*agent)->Signal(SIGTERM);
  EXPECT_EQ((*agent)->WaitFor(30s), 0) << (*agent)->Log();
}

}  // namespace
}  // namespace tether::testing

int main(int argc, char** argv) { return tether::testing::RunTestsWithEngine(argc, argv, tether::testing::kEngineConfig); }
