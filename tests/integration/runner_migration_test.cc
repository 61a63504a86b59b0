// Live migration of hibernatable WebSockets between runner processes, through the real engine:
// the process hosting the actor is killed (SIGKILL) or drained (SIGTERM), the engine starts the
// actor on the other process, and the client's socket carries on over the same connection — its
// next messages are answered by the other runner, in order, none lost and none twice. A socket
// that is not hibernatable is closed by the engine with 1000 actor.stopped instead.
//
// The engine runs with a 5 s runner-lost threshold so that a killed runner is noticed in seconds:
// the gateway closes a client whose actor is not running again within its 30 s tunnel-ping
// timeout (engine-behaviour.md, case g), which the default 15 s threshold can lose to.
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/child_process.h"
#include "harness/engine_environment.h"
#include "harness/raw_websocket.h"
#include "harness/rest.h"

namespace tether::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

constexpr char kEngineConfig[] = R"({"pegboard": {"runner_lost_threshold": 5000}})";

std::string Text(const absl::StatusOr<std::vector<std::uint8_t>>& bytes) {
  return bytes.ok() ? std::string(bytes->begin(), bytes->end()) : "<" + std::string(bytes.status().message()) + ">";
}


class RunnerMigration : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    auto ns = CreateNamespace(engine(), std::string("migration-") + test->name());
    ASSERT_TRUE(ns.ok()) << ns.status();
    namespace_name_ = *ns;
    a_ = StartRunner("A");
    ASSERT_NE(a_, nullptr);
    ActorSpec spec;
    spec.name = "counter";
    spec.runner_name = "pool";
    spec.crash_policy = "restart";
    // The engine makes the pool's runner config when its first runner connects, a moment after
    // that runner hears it is connected.
    absl::StatusOr<std::string> id;
    EXPECT_TRUE(Eventually([&] { return (id = CreateActor(engine(), namespace_name_, spec)).ok(); }, 10s));
    ASSERT_TRUE(id.ok()) << id.status();
    id_ = *id;
  }

  static LocalEngine& engine() { return EngineEnvironment::engine(); }

  // A recording-runner process for the "pool" runner name, once it is connected.
  std::unique_ptr<ChildProcess> StartRunner(const std::string& label) {
    const std::string log = ::testing::TempDir() + "recording-runner-" + namespace_name_ + "-" + label + ".log";
    auto child = ChildProcess::Spawn({RECORDING_RUNNER}, {{"RIVET_ENDPOINT", engine().endpoint()},
                                                          {"RIVET_NAMESPACE", namespace_name_},
                                                          {"RIVET_POOL", "pool"},
                                                          {"RIVET_LOG_LEVEL", "info"},
                                                          {"TETHER_TEST_LABEL", label}},
                                     log);
    EXPECT_TRUE(child.ok()) << child.status();
    if (!child.ok()) return nullptr;
    const bool connected =
        Eventually([&] { return (*child)->Log().find("connected to the engine") != std::string::npos; }, 30s);
    EXPECT_TRUE(connected) << (*child)->Log();
    return connected ? *std::move(child) : nullptr;
  }

  std::unique_ptr<RawWebSocket> Open(const std::string& path) {
    auto ws = RawWebSocket::Connect(engine().guard_port(), "/gateway/" + id_ + path, {"rivet"}, 30s);
    EXPECT_TRUE(ws.ok()) << ws.status();
    return ws.ok() ? *std::move(ws) : nullptr;
  }

  static std::string Ask(RawWebSocket& ws, const std::string& message) {
    if (!ws.SendText(message).ok()) return "<send failed>";
    return Text(ws.Receive(30s));
  }

  // Sends m<first>..m<last> half a second apart while the actor moves, then reads the answers:
  // the restored socket's greeting and one echo per message.
  std::vector<std::string> SendDuringMove(RawWebSocket& ws, int first, int last) {
    for (int i = first; i <= last; ++i) {
      EXPECT_TRUE(ws.SendText("m" + std::to_string(i)).ok());
      std::this_thread::sleep_for(500ms);
    }
    std::vector<std::string> answers;
    for (int i = first; i <= last + 1; ++i) answers.push_back(Text(ws.Receive(60s)));
    return answers;
  }

  std::string namespace_name_;
  std::string id_;
  std::unique_ptr<ChildProcess> a_;
  std::unique_ptr<ChildProcess> b_;
};

TEST_F(RunnerMigration, KilledRunnersSocketContinuesOnTheOtherRunner) {
  auto ws = Open("/hws");
  ASSERT_NE(ws, nullptr);
  EXPECT_EQ(Ask(*ws, "m0"), "g0/A:m0");
  b_ = StartRunner("B");
  ASSERT_NE(b_, nullptr);
  EXPECT_EQ(Ask(*ws, "m1"), "g0/A:m1");
  // Let A store and acknowledge m1: a message in flight at a crash is delivered again.
  std::this_thread::sleep_for(500ms);

  a_->Signal(SIGKILL);
  const std::vector<std::string> answers = SendDuringMove(*ws, 2, 6);
  EXPECT_THAT(answers, ElementsAreArray({"g1/B:restored", "g1/B:m2", "g1/B:m3", "g1/B:m4", "g1/B:m5", "g1/B:m6"}));
  EXPECT_EQ(Ask(*ws, "m7"), "g1/B:m7");
  EXPECT_EQ(Ask(*ws, "sockets"), "1");
}

TEST_F(RunnerMigration, DrainedRunnersSocketContinuesOnTheOtherRunner) {
  auto ws = Open("/hws");
  ASSERT_NE(ws, nullptr);
  EXPECT_EQ(Ask(*ws, "attach:carol"), "");
  EXPECT_EQ(Ask(*ws, "m0"), "g0/A:m0");
  b_ = StartRunner("B");
  ASSERT_NE(b_, nullptr);

  a_->Signal(SIGTERM);
  EXPECT_EQ(a_->WaitFor(30s), 0) << a_->Log();
  for (int i = 1; i <= 4; ++i) ASSERT_TRUE(ws->SendText("m" + std::to_string(i)).ok());
  // On a fast drain the engine may start the actor on B before it lists the socket as
  // hibernating; B then takes the socket back on its first message, after OnStart, so the
  // actor's greeting of restored sockets may not come.
  std::vector<std::string> answers;
  while (answers.size() < 4) {
    const std::string answer = Text(ws->Receive(60s));
    if (answer != "g1/B:restored") answers.push_back(answer);
    if (answer.starts_with("<")) break;  // closed or timed out: the socket is done
  }
  EXPECT_THAT(answers, ElementsAreArray({"g1/B:m1", "g1/B:m2", "g1/B:m3", "g1/B:m4"}));
  EXPECT_EQ(Ask(*ws, "attachment"), "carol") << "the attachment moved with the socket";
}

TEST_F(RunnerMigration, SocketThatCannotHibernateIsClosedWhenItsRunnerDrains) {
  auto ws = Open("/ws");
  ASSERT_NE(ws, nullptr);
  EXPECT_EQ(Ask(*ws, "hello"), "hello");
  b_ = StartRunner("B");
  ASSERT_NE(b_, nullptr);

  a_->Signal(SIGTERM);
  const auto closed = ws->Receive(30s);
  ASSERT_FALSE(closed.ok());
  EXPECT_THAT(std::string(closed.status().message()), HasSubstr("closed 1000 actor.stopped"));
}

}  // namespace
}  // namespace tether::testing

int main(int argc, char** argv) { return tether::testing::RunTestsWithEngine(argc, argv, tether::testing::kEngineConfig); }
