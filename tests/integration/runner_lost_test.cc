// The runner-lost threshold, which the engine sends in ToClientInit: a runner cut off from the
// engine for longer stops its actors (the engine has given them to other runners), and after it
// reconnects the engine schedules them again. The engine here runs with an 8 s threshold.
#include <chrono>

#include <gtest/gtest.h>

#include "harness/engine_environment.h"
#include "runner_test_support.h"

namespace tether::testing {
namespace {

using namespace std::chrono_literals;

constexpr char kEngineConfig[] = R"({"pegboard": {"runner_lost_threshold": 8000}})";

TEST(RunnerLost, ActorsStopPastTheThresholdAndComeBackAfterReconnect) {
  auto t = TestRunner::Start("lost", {"counter"});
  ASSERT_NE(t, nullptr);
  const std::string id = t->CreateActor("counter", "lost", "", "restart");
  ASSERT_TRUE(t->log->WaitFor("start", id, 0u).has_value());

  ASSERT_TRUE(EngineEnvironment::engine().Stop().ok());
  const auto stopped_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(t->log->WaitFor("stop", id, 0u, 20s).has_value()) << "the actor kept running past the threshold";
  EXPECT_GE(std::chrono::steady_clock::now() - stopped_at, 7s) << "stopped before the threshold";

  ASSERT_TRUE(EngineEnvironment::engine().Restart().ok());
  EXPECT_TRUE(t->log->WaitFor("start", id, std::nullopt, 90s).has_value());
  EXPECT_TRUE(Eventually([&] { return t->log->Count("start", id) == 2; }, 90s))
      << "the engine did not schedule the actor again after the runner came back";
}

}  // namespace
}  // namespace tether::testing

int main(int argc, char** argv) { return tether::testing::RunTestsWithEngine(argc, argv, tether::testing::kEngineConfig); }
