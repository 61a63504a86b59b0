// The agent's sidecar API end to end: the real engine, `tether agent` as a separate process with
// the sidecar on a Unix socket (gRPC, through the generated stub) and as JSON on its admin
// server, and the example apps (Node, Python) as its upstream. KV calls are the actor's KV in the
// engine (read back through its REST API); WatchActors sees starts with input, stops and alarms;
// sleep, destroy and drain act on the engine; the Python example keeps its counter across a
// sleep.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agent_test_support.h"
#include "harness/engine_environment.h"
#include "harness/http_client.h"
#include "harness/rest.h"
#include "tether_sidecar.grpc.pb.h"

namespace tether::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace sidecar = ::tether::sidecar::v1;

LocalEngine& engine() { return EngineEnvironment::engine(); }

std::vector<std::string> Keys(const google::protobuf::RepeatedPtrField<sidecar::KvEntry>& entries) {
  std::vector<std::string> keys;
  for (const sidecar::KvEntry& entry : entries) keys.push_back(entry.key());
  return keys;
}

// A request about one actor.
template <class Request>
Request About(const std::string& actor_id) {
  Request request;
  request.set_actor_id(actor_id);
  return request;
}

// A call's deadline: generous, since the engine answers KV in milliseconds.
std::unique_ptr<grpc::ClientContext> Deadline() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + 30s);
  return context;
}

// The events of a WatchActors stream, read on a thread of its own.
class Watcher {
 public:
  explicit Watcher(sidecar::Sidecar::Stub& stub) : reader_(stub.WatchActors(&context_, {})) {
    thread_ = std::thread([this] {
      sidecar::ActorEvent event;
      while (reader_->Read(&event)) {
        std::lock_guard lock(mutex_);
        events_.push_back(event.ShortDebugString());
      }
      std::lock_guard lock(mutex_);
      ended_ = reader_->Finish();
    });
  }
  ~Watcher() {
    context_.TryCancel();
    thread_.join();
  }

  // Waits for an event whose text has `text`.
  bool Saw(const std::string& text, std::chrono::milliseconds timeout = 30s) {
    return Eventually(
        [&] {
          std::lock_guard lock(mutex_);
          for (const std::string& event : events_) {
            if (event.find(text) != std::string::npos) return true;
          }
          return false;
        },
        timeout);
  }
  std::string Events() {
    std::lock_guard lock(mutex_);
    std::string all;
    for (const std::string& event : events_) all += event + "\n";
    return all;
  }
  // The stream's status once the server ended it.
  std::optional<grpc::Status> Ended() {
    std::lock_guard lock(mutex_);
    return ended_;
  }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<sidecar::ActorEvent>> reader_;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> events_;    // guarded by mutex_
  std::optional<grpc::Status> ended_;  // guarded by mutex_
};

class SidecarTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> created = CreateNamespaceForThisTest();
    ASSERT_TRUE(created.ok()) << created.status();
    namespace_name_ = *created;
    socket_path_ = ::testing::TempDir() + namespace_name_ + ".sock";
  }

  // Starts `app` and an agent for it with the gRPC sidecar on a Unix socket (and `extra_args`).
  void StartAgentFor(App app, std::vector<std::string> extra_args = {}) {
    app_ = std::move(app);
    ASSERT_NE(app_.port, 0);
    extra_args.insert(extra_args.end(), {"--sidecar-address", "unix:" + socket_path_});
    agent_ = StartAgentProcess(TETHER_CLI, "sidecar", namespace_name_, app_.url(), extra_args);
    ASSERT_NE(agent_.admin_port, 0);
    ASSERT_FALSE(WaitForLog(*agent_.process, R"(sidecar API listening.*(unix:\S+))", 10s).empty())
        << agent_.process->Log();
    stub_ = sidecar::Sidecar::NewStub(grpc::CreateChannel("unix:" + socket_path_, grpc::InsecureChannelCredentials()));
  }

  // Creates an actor of the pool and waits until it runs on the agent.
  std::string CreateRunningActor(const std::string& key, const std::string& input = "") {
    const ActorSpec spec{.name = "app", .runner_name = "pool", .key = key, .input = input, .crash_policy = "sleep"};
    absl::StatusOr<std::string> created;
    EXPECT_TRUE(Eventually([&] { return (created = CreateActor(engine(), namespace_name_, spec)).ok(); }, 10s));
    if (!created.ok()) return "";
    auto woke = GatewayGet(engine(), *created, "/");  // answers once the actor runs
    EXPECT_TRUE(woke.ok() && woke->status == 200) << (woke.ok() ? woke->body : woke.status().ToString());
    return *created;
  }

  bool EngineSays(const std::string& actor_id, const std::string& field) {
    return Eventually(
        [&] {
          auto actor = GetActor(engine(), namespace_name_, actor_id);
          return actor.ok() && !actor->value(field, nlohmann::json()).is_null();
        },
        30s);
  }

  // POST /sidecar/v1/`method` on the admin server: "<status> <body>".
  std::string Json(const std::string& method, const std::string& body) {
    auto response = HttpRequest("POST", "http://127.0.0.1:" + std::to_string(agent_.admin_port) + "/sidecar/v1/" + method,
                                body, {{"Content-Type", "application/json"}}, 30s);
    return response.ok() ? std::to_string(response->status) + " " + response->body : "<unreachable>";
  }

  std::string namespace_name_;
  std::string socket_path_;
  App app_;
  Agent agent_;
  std::unique_ptr<sidecar::Sidecar::Stub> stub_;
};

App NodeApp(const std::string& label, std::map<std::string, std::string> env = {}) {
  return App::Start("sidecar-node-" + label, {NODE_EXECUTABLE, AGENT_NODE_APP}, std::move(env));
}

TEST_F(SidecarTest, KvCallsUseTheActorsKvInTheEngine) {
  StartAgentFor(NodeApp(namespace_name_), {"--sidecar-json"});
  const std::string id = CreateRunningActor("kv");
  ASSERT_FALSE(id.empty());

  auto put = About<sidecar::KvPutRequest>(id);
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"greeting", "hello"}, {"k/1", "one"}, {"k/2", std::string("\0\xff", 2)}, {"z", "last"}}) {
    sidecar::KvPutRequest::Entry* entry = put.add_entries();
    entry->set_key(key);
    entry->set_value(value);
  }
  sidecar::KvPutResponse put_response;
  grpc::Status status = stub_->KvPut(Deadline().get(), put, &put_response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(ReadActorKv(engine(), namespace_name_, id, "greeting").value_or("<missing>"), "hello")
      << "the engine's REST API sees what the sidecar wrote";

  auto get = About<sidecar::KvGetRequest>(id);
  get.add_keys("k/2");
  get.add_keys("missing");
  sidecar::KvGetResponse got;
  ASSERT_TRUE(stub_->KvGet(Deadline().get(), get, &got).ok());
  ASSERT_EQ(got.entries_size(), 1);
  EXPECT_EQ(got.entries(0).key(), "k/2");
  EXPECT_EQ(got.entries(0).value(), std::string("\0\xff", 2));
  EXPECT_GT(got.entries(0).update_ts_ms(), 0);

  auto list = About<sidecar::KvListRequest>(id);
  list.set_prefix("k/");
  sidecar::KvListResponse listed;
  ASSERT_TRUE(stub_->KvList(Deadline().get(), list, &listed).ok());
  EXPECT_THAT(Keys(listed.entries()), ElementsAre("k/1", "k/2"));
  list.mutable_range()->set_start("k/2");
  list.mutable_range()->set_end("z");
  list.mutable_range()->set_end_exclusive(false);
  ASSERT_TRUE(stub_->KvList(Deadline().get(), list, &listed).ok());
  EXPECT_THAT(Keys(listed.entries()), ElementsAre("k/2", "z"));
  list.clear_range();
  list.set_reverse(true);
  list.set_limit(2);
  ASSERT_TRUE(stub_->KvList(Deadline().get(), list, &listed).ok());
  EXPECT_THAT(Keys(listed.entries()), ElementsAre("z", "k/2")) << "every key, reversed, limited";

  auto remove = About<sidecar::KvDeleteRequest>(id);
  remove.add_keys("greeting");
  sidecar::KvDeleteResponse removed;
  ASSERT_TRUE(stub_->KvDelete(Deadline().get(), remove, &removed).ok());
  EXPECT_EQ(ReadActorKv(engine(), namespace_name_, id, "greeting").status().code(), absl::StatusCode::kNotFound);

  // The same KV through the JSON mapping: "ay8x" is base64 for "k/1".
  EXPECT_THAT(Json("KvGet", R"({"actor_id": ")" + id + R"(", "keys": ["ay8x"]})"),
              HasSubstr(R"("key":"ay8x","value":"b25l")"));

  // Errors.
  get.set_actor_id("no-such-actor");
  status = stub_->KvGet(Deadline().get(), get, &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("is not running here"));
  EXPECT_THAT(Json("KvGet", R"({"actor_id": "no-such-actor"})"), HasSubstr(R"(404 {"code":"NOT_FOUND")"));
  // One byte over the engine's 128 KiB per value.
  put.mutable_entries(0)->set_value(std::string(128 * 1024 + 1, 'x'));
  status = stub_->KvPut(Deadline().get(), put, &put_response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("the limit is"));

  // The runner reported every request the engine answered to the agent's metrics.
  const std::string metrics = agent_.Admin("/metrics");
  const std::regex ok_count(R"(\ntether_kv_requests_total\{result="ok"\} (\d+)\n)");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(metrics, match, ok_count)) << metrics;
  EXPECT_GE(std::stoi(match[1].str()), 6) << "put, get, three lists and a delete";
  EXPECT_TRUE(std::regex_search(metrics, std::regex(R"(\ntether_kv_request_microseconds_total [1-9][0-9]*\n)")))
      << metrics;
}

TEST_F(SidecarTest, WatchSeesStartsWithInputStopsAndAlarmsOfSidecarCommands) {
  StartAgentFor(NodeApp(namespace_name_));
  const std::string first = CreateRunningActor("first");
  ASSERT_FALSE(first.empty());
  Watcher watcher(*stub_);
  EXPECT_TRUE(watcher.Saw("started { actor_id: \"" + first + "\"")) << "running actors replay";

  const std::string second = CreateRunningActor("second", "the input");
  ASSERT_FALSE(second.empty());
  EXPECT_TRUE(watcher.Saw("started { actor_id: \"" + second + "\" name: \"app\" key: \"second\" input: \"the input\" }"))
      << watcher.Events();

  // An alarm set through the sidecar wakes the slept actor and is announced.
  auto alarm = About<sidecar::SetAlarmRequest>(second);
  alarm.set_at_unix_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                           (std::chrono::system_clock::now() + 4s).time_since_epoch())
                           .count());
  sidecar::SetAlarmResponse alarm_set;
  ASSERT_TRUE(stub_->SetAlarm(Deadline().get(), alarm, &alarm_set).ok());
  sidecar::SleepActorResponse slept;
  ASSERT_TRUE(stub_->SleepActor(Deadline().get(), About<sidecar::SleepActorRequest>(second), &slept).ok());
  EXPECT_TRUE(EngineSays(second, "sleep_ts"));
  EXPECT_TRUE(watcher.Saw("stopped { actor_id: \"" + second + "\"")) << watcher.Events();
  EXPECT_TRUE(watcher.Saw("alarm { actor_id: \"" + second + "\"")) << watcher.Events();

  sidecar::DestroyActorResponse destroyed;
  ASSERT_TRUE(stub_->DestroyActor(Deadline().get(), About<sidecar::DestroyActorRequest>(first), &destroyed).ok());
  EXPECT_TRUE(EngineSays(first, "destroy_ts"));
  EXPECT_TRUE(watcher.Saw("stopped { actor_id: \"" + first + "\"")) << watcher.Events();
}

TEST_F(SidecarTest, StatusListAndDrainForOperators) {
  StartAgentFor(NodeApp(namespace_name_), {"--sidecar-json"});
  const std::string id = CreateRunningActor("ops");
  ASSERT_FALSE(id.empty());

  sidecar::GetStatusResponse status;
  ASSERT_TRUE(stub_->GetStatus(Deadline().get(), {}, &status).ok());
  EXPECT_TRUE(status.connected());
  EXPECT_FALSE(status.runner_id().empty());
  EXPECT_FALSE(status.draining());
  EXPECT_EQ(status.actors(), 1u);
  sidecar::ListActorsResponse listed;
  ASSERT_TRUE(stub_->ListActors(Deadline().get(), {}, &listed).ok());
  ASSERT_EQ(listed.actors_size(), 1);
  EXPECT_EQ(listed.actors(0).actor_id(), id);
  EXPECT_EQ(listed.actors(0).key(), "ops");
  EXPECT_THAT(Json("GetStatus", ""), HasSubstr(R"("connected":true,"draining":false,"actors":1})"));

  Watcher watcher(*stub_);
  EXPECT_TRUE(watcher.Saw("started"));
  sidecar::DrainResponse drained;
  ASSERT_TRUE(stub_->Drain(Deadline().get(), {}, &drained).ok());
  EXPECT_EQ(agent_.process->WaitFor(60s), 0) << agent_.process->Log();
  EXPECT_TRUE(watcher.Saw("stopped")) << watcher.Events();
  EXPECT_TRUE(Eventually([&] { return watcher.Ended().has_value(); }, 10s)) << "the watch ends with the agent";
}

TEST_F(SidecarTest, PythonAppKeepsItsCounterInTheActorsKvAcrossASleep) {
  const int admin_port = UnusedLoopbackPort();
  ASSERT_NE(admin_port, 0);
  App python = App::Start("sidecar-python-" + namespace_name_, {PYTHON_EXECUTABLE, AGENT_PYTHON_APP},
                          {{"TETHER_SIDECAR_URL", "http://127.0.0.1:" + std::to_string(admin_port)}});
  StartAgentFor(std::move(python), {"--sidecar-json", "--admin-address", "127.0.0.1:" + std::to_string(admin_port)});
  const std::string id = CreateRunningActor("py");
  ASSERT_FALSE(id.empty());
  auto gateway = [&](const std::string& method, const std::string& path) {
    auto response = HttpRequest(method, engine().endpoint() + "/gateway/" + id + path, "", {}, 60s);
    return response.ok() ? std::to_string(response->status) + " " + response->body : response.status().ToString();
  };

  EXPECT_EQ(gateway("POST", "/count"), R"(200 {"count": 1})");
  EXPECT_EQ(gateway("POST", "/count"), R"(200 {"count": 2})");
  EXPECT_EQ(gateway("POST", "/sleep"), R"(200 {"sleeping": true})");
  EXPECT_TRUE(EngineSays(id, "sleep_ts"));
  EXPECT_EQ(gateway("POST", "/count"), R"(200 {"count": 3})") << "the request woke the actor; its count was in KV";
  EXPECT_EQ(ReadActorKv(engine(), namespace_name_, id, "count").value_or("<missing>"), "3");
}

TEST_F(SidecarTest, NodeAppKeepsItsCounterInTheActorsKv) {
  const int admin_port = UnusedLoopbackPort();
  ASSERT_NE(admin_port, 0);
  StartAgentFor(NodeApp(namespace_name_, {{"TETHER_SIDECAR_URL", "http://127.0.0.1:" + std::to_string(admin_port)}}),
                {"--sidecar-json", "--admin-address", "127.0.0.1:" + std::to_string(admin_port)});
  const std::string id = CreateRunningActor("node");
  ASSERT_FALSE(id.empty());
  for (const char* expected : {R"({"count":1})", R"({"count":2})"}) {
    auto counted = HttpRequest("POST", engine().endpoint() + "/gateway/" + id + "/count", "", {}, 60s);
    ASSERT_TRUE(counted.ok()) << counted.status();
    EXPECT_EQ(counted->body, expected);
  }
  EXPECT_EQ(ReadActorKv(engine(), namespace_name_, id, "count").value_or("<missing>"), "2");
}

}  // namespace
}  // namespace tether::testing
