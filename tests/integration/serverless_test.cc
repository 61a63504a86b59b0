// Serverless runners, driven by the real engine: a serverless runner config points the engine at
// the example counter-runner's endpoint (`counter-runner serverless`); creating an actor makes the
// engine call GET /start, the runner it starts serves the actor through the gateway, and when the
// start's lifespan is over the runner drains and the actor goes on under the next /start with its
// KV. /metadata says what the engine requires; a start with bad headers is refused with 400.
//
// The engine runs with a 4 s serverless drain grace, so a 12 s request lifespan drains after 8 s.
#include <chrono>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/child_process.h"
#include "harness/engine_environment.h"
#include "harness/http_client.h"
#include "harness/rest.h"

namespace tether::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr char kEngineConfig[] = R"({"pegboard": {"serverless_drain_grace_period": 4000}})";

class Serverless : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    auto ns = CreateNamespace(engine(), std::string("serverless-") + test->name());
    ASSERT_TRUE(ns.ok()) << ns.status();
    namespace_name_ = *ns;
    auto endpoint = ChildProcess::Spawn({COUNTER_RUNNER, "serverless", "--base-path", "/api/rivet"},
                                        {{"RIVET_ENDPOINT", engine().endpoint()}, {"RIVET_LOG_LEVEL", "info"}},
                                        ::testing::TempDir() + "serverless-" + namespace_name_ + ".log");
    ASSERT_TRUE(endpoint.ok()) << endpoint.status();
    endpoint_ = *std::move(endpoint);
    const std::string marker = "serverless endpoint listening";
    ASSERT_TRUE(Eventually([&] { return endpoint_->Log().find(marker) != std::string::npos; }, 10s)) << endpoint_->Log();
    const std::string log = endpoint_->Log();
    const auto at = log.find("url=", log.find(marker));
    url_ = log.substr(at + 4, log.find_first_of(" \n", at) - at - 4);
  }

  static LocalEngine& engine() { return EngineEnvironment::engine(); }

  std::string Count(const std::string& actor_id) {
    auto response = HttpRequest("GET", engine().endpoint() + "/gateway/" + actor_id + "/count", {}, {}, 60s);
    return response.ok() ? std::to_string(response->status) + " " + response->body : std::string(response.status().message());
  }

  std::string namespace_name_;
  std::string url_;
  std::unique_ptr<ChildProcess> endpoint_;
};

TEST_F(Serverless, MetadataSaysWhatTheEngineRequires) {
  auto metadata = HttpGetJson(url_ + "/metadata");
  ASSERT_TRUE(metadata.ok()) << metadata.status();
  EXPECT_EQ((*metadata)["runtime"], "rivetkit");
  EXPECT_FALSE((*metadata)["version"].get<std::string>().empty());
  EXPECT_FALSE(metadata->contains("envoyProtocolVersion")) << "that would move the pool to the envoy protocol";
  auto check = HttpJson("POST", engine().endpoint() + "/runner-configs/serverless-health-check?namespace=" + namespace_name_,
                        {{"url", url_}, {"headers", nlohmann::json::object()}});
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_TRUE(check->contains("success")) << check->dump();
}

TEST_F(Serverless, StartWithoutTheEnginesHeadersIsRefused) {
  auto response = HttpRequest("GET", url_ + "/start", {}, {{"x-rivet-endpoint", engine().endpoint()}});
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 400);
  EXPECT_THAT(response->body, HasSubstr("x-rivet-namespace-name"));
}

TEST_F(Serverless, EngineStartsRunnersThatServeTheActorAndMoveItWhenTheirLifespanEnds) {
  ASSERT_TRUE(UpsertServerlessRunnerConfig(engine(), namespace_name_, "sl", url_, 12).ok());
  auto id = CreateActor(engine(), namespace_name_, {"counter", "sl", "serverless", "", "restart"});
  ASSERT_TRUE(id.ok()) << id.status();

  const std::string first = Count(*id);
  ASSERT_THAT(first, ::testing::StartsWith("200 ")) << endpoint_->Log();
  auto incremented = HttpRequest("POST", engine().endpoint() + "/gateway/" + *id + "/increment", {}, {}, 60s);
  ASSERT_TRUE(incremented.ok()) << incremented.status();
  const int count = std::stoi(incremented->body);

  // The first start drains after 8 s and the actor moves to the runner of the next start.
  ASSERT_TRUE(Eventually([&] { return endpoint_->Log().find("actor stopped") != std::string::npos; }, 30s))
      << endpoint_->Log();
  std::string after;
  ASSERT_TRUE(Eventually(
      [&] {
        after = Count(*id);
        return after.starts_with("200 ") && std::stoi(after.substr(4)) >= count;
      },
      60s))
      << after << "\n"
      << endpoint_->Log();
  auto actor = GetActor(engine(), namespace_name_, *id);
  ASSERT_TRUE(actor.ok()) << actor.status();
  EXPECT_TRUE((*actor)["destroy_ts"].is_null());
  EXPECT_NE(endpoint_->Log().find("generation=1"), std::string::npos) << "a new generation started";
}

}  // namespace
}  // namespace tether::testing

int main(int argc, char** argv) { return tether::testing::RunTestsWithEngine(argc, argv, tether::testing::kEngineConfig); }
