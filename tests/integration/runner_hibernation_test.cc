// Hibernatable WebSockets through the real engine's gateway, with the runner in this process: the
// client's socket outlives the actor's sleep, a client message wakes the actor, messages arrive
// once and in order, the attachment survives, and a socket that overflows its bounds is closed
// with a code that says so. Migration between runner processes is runner_migration_test.
#include <chrono>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/engine_environment.h"
#include "harness/raw_websocket.h"
#include "harness/rest.h"
#include "runner_test_support.h"

namespace tether::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

std::string Text(const absl::StatusOr<std::vector<std::uint8_t>>& bytes) {
  return bytes.ok() ? std::string(bytes->begin(), bytes->end()) : "<" + std::string(bytes.status().message()) + ">";
}

std::unique_ptr<RawWebSocket> Open(const std::string& actor_id, const std::string& path) {
  auto ws = RawWebSocket::Connect(EngineEnvironment::engine().guard_port(), "/gateway/" + actor_id + path, {"rivet"}, 30s);
  EXPECT_TRUE(ws.ok()) << ws.status();
  return ws.ok() ? *std::move(ws) : nullptr;
}

// Sends `message` and returns the answer.
std::string Ask(RawWebSocket& ws, const std::string& message) {
  if (absl::Status sent = ws.SendText(message); !sent.ok()) return "<" + std::string(sent.message()) + ">";
  return Text(ws.Receive(30s));
}

class RunnerHibernation : public RunningActorTest {
 protected:
  // Puts the actor to sleep through the socket and waits until it stopped.
  void SleepThrough(RawWebSocket& ws) {
    ASSERT_TRUE(ws.SendText("sleep").ok());
    ASSERT_TRUE(t_->log->WaitFor("stop", id_, 0u).has_value()) << "the actor did not sleep";
  }
};

TEST_F(RunnerHibernation, SocketOutlivesSleepAndItsNextMessageWakesTheActor) {
  auto ws = Open(id_, "/hws/room?name=blue");
  ASSERT_NE(ws, nullptr);
  EXPECT_EQ(Ask(*ws, "attach:alice"), "");
  EXPECT_EQ(Ask(*ws, "m1"), "g0/:m1");
  SleepThrough(*ws);

  ASSERT_TRUE(ws->SendText("m2").ok());
  EXPECT_EQ(Text(ws->Receive(30s)), "g1/:restored") << "the restored socket is in WebSockets() at OnStart";
  EXPECT_EQ(Text(ws->Receive(30s)), "g1/:m2") << "the waking message reached the new generation";
  EXPECT_EQ(Ask(*ws, "attachment"), "alice");
  EXPECT_EQ(Ask(*ws, "sockets"), "1");
  EXPECT_EQ(t_->log->Count("ws-close", id_), 0) << "no close event for a socket that only hibernated";
  EXPECT_TRUE(t_->log->WaitFor("ws-restored", id_, 1u, 1s).has_value());
}

TEST_F(RunnerHibernation, MessagesSentWhileAsleepArriveOnceAndInOrder) {
  auto ws = Open(id_, "/hws");
  ASSERT_NE(ws, nullptr);
  EXPECT_EQ(Ask(*ws, "before"), "g0/:before");
  SleepThrough(*ws);

  constexpr int kMessages = 20;
  for (int i = 0; i < kMessages; ++i) ASSERT_TRUE(ws->SendText("m" + std::to_string(i)).ok());
  EXPECT_EQ(Text(ws->Receive(30s)), "g1/:restored");
  for (int i = 0; i < kMessages; ++i) EXPECT_EQ(Text(ws->Receive(30s)), "g1/:m" + std::to_string(i));
  EXPECT_EQ(Ask(*ws, "after"), "g1/:after") << "nothing was delivered twice";
}

TEST_F(RunnerHibernation, SeveralSleepsKeepCountingOnTheSameSocket) {
  auto ws = Open(id_, "/hws");
  ASSERT_NE(ws, nullptr);
  for (std::uint32_t generation = 0; generation < 3; ++generation) {
    const std::string g = "g" + std::to_string(generation);
    if (generation > 0) {
      ASSERT_TRUE(ws->SendText("wake").ok());
      EXPECT_EQ(Text(ws->Receive(30s)), g + "/:restored");
      EXPECT_EQ(Text(ws->Receive(30s)), g + "/:wake");
    }
    EXPECT_EQ(Ask(*ws, "hello"), g + "/:hello");
    ASSERT_TRUE(ws->SendText("sleep").ok());
    ASSERT_TRUE(t_->log->WaitFor("stop", id_, generation).has_value());
  }
}

TEST_F(RunnerHibernation, ClosedSocketDoesNotComeBackAfterASleep) {
  auto ws = Open(id_, "/hws");
  ASSERT_NE(ws, nullptr);
  EXPECT_EQ(Ask(*ws, "hi"), "g0/:hi");
  ASSERT_TRUE(ws->Close(4002).ok());
  const auto closed = t_->log->WaitFor("ws-close", id_, 0u, 10s);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->detail, "4002 ");

  auto slept = GatewayGet(EngineEnvironment::engine(), id_, "/sleep");
  ASSERT_TRUE(slept.ok()) << slept.status();
  ASSERT_TRUE(t_->log->WaitFor("stop", id_, 0u).has_value());
  // The next request wakes the actor with no socket to restore.
  std::string last;
  EXPECT_TRUE(Eventually([&] {
    auto sockets = GatewayGet(EngineEnvironment::engine(), id_, "/sockets");
    last = sockets.ok() ? std::to_string(sockets->status) + " " + sockets->body : std::string(sockets.status().message());
    return last == "200 0";
  })) << last;
  EXPECT_FALSE(t_->log->WaitFor("ws-restored", id_, std::nullopt, 1s).has_value());
}

TEST_F(RunnerHibernation, AttachmentOverTheLimitIsRefusedAndTheOldOneStays) {
  auto ws = Open(id_, "/hws");
  ASSERT_NE(ws, nullptr);
  EXPECT_EQ(Ask(*ws, "attach:small"), "");
  EXPECT_THAT(Ask(*ws, "attach:" + std::string(kMaxWebSocketAttachmentBytes + 1, 'x')), HasSubstr("at most"));
  EXPECT_EQ(Ask(*ws, "attachment"), "small");
}

TEST(RunnerHibernationBounds, ASocketOverItsInboundBacklogIsClosedWith1013) {
  auto t = TestRunner::Start("RunnerHibernationBounds-inbound", {"counter"},
                             [](RunnerConfig& config) { config.websocket_limits.max_socket_messages = 4; });
  ASSERT_NE(t, nullptr);
  const std::string id = t->CreateActor("counter");
  ASSERT_TRUE(t->log->WaitFor("start", id, 0u).has_value());
  auto ws = Open(id, "/hws");
  ASSERT_NE(ws, nullptr);
  EXPECT_EQ(Ask(*ws, "hi"), "g0/:hi");

  // The actor's thread is held while more messages arrive than the socket may queue.
  ASSERT_TRUE(ws->SendText("block:3000").ok());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(ws->SendText("x").ok());
  absl::StatusOr<std::vector<std::uint8_t>> received;
  do {
    received = ws->Receive(30s);
  } while (received.ok());
  EXPECT_THAT(std::string(received.status().message()), HasSubstr("closed 1013 runner.websocket_inbound_backlog"));
  const auto closed = t->log->WaitFor("ws-close", id, 0u, 10s);
  ASSERT_TRUE(closed.has_value()) << "the actor is told its socket was closed";
  EXPECT_EQ(closed->detail, "1013 runner.websocket_inbound_backlog");
}

}  // namespace
}  // namespace tether::testing
