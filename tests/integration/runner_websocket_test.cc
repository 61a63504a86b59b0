// WebSockets to actors through the real engine's gateway: the actor accepts or refuses, messages
// go both ways as text or binary, either side closes, and message indexes wrap past 65,535.
#include <chrono>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/engine_environment.h"
#include "harness/raw_websocket.h"
#include "runner_test_support.h"

namespace tether::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

class RunnerWebSocket : public RunningActorTest {
 protected:
  std::unique_ptr<RawWebSocket> Open(const std::string& path) {
    auto ws = RawWebSocket::Connect(EngineEnvironment::engine().guard_port(), "/gateway/" + id_ + path, {"rivet"}, 30s);
    EXPECT_TRUE(ws.ok()) << ws.status();
    return ws.ok() ? *std::move(ws) : nullptr;
  }

  static std::string Text(const std::vector<std::uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }
};

TEST_F(RunnerWebSocket, EchoesTextAndBinary) {
  auto ws = Open("/ws/echo?room=1");
  ASSERT_NE(ws, nullptr);
  ASSERT_TRUE(ws->SendText("hello ключ").ok());
  auto text = ws->Receive(10s);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(Text(*text), "hello ключ");
  EXPECT_FALSE(ws->last_was_binary());

  const std::vector<std::uint8_t> binary = {0, 1, 2, 255, 254};
  ASSERT_TRUE(ws->SendBinary(binary).ok());
  auto echoed = ws->Receive(10s);
  ASSERT_TRUE(echoed.ok()) << echoed.status();
  EXPECT_EQ(*echoed, binary);
  EXPECT_TRUE(ws->last_was_binary());
  EXPECT_TRUE(ws->Close().ok());
}

TEST_F(RunnerWebSocket, ClientCloseReachesTheActorWithItsCode) {
  auto ws = Open("/ws");
  ASSERT_NE(ws, nullptr);
  ASSERT_TRUE(ws->SendText("ping").ok());
  ASSERT_TRUE(ws->Receive(10s).ok());
  EXPECT_TRUE(ws->Close(4001).ok());
  const auto closed = t_->log->WaitFor("ws-close", id_, 0u, 10s);
  ASSERT_TRUE(closed.has_value());
  EXPECT_THAT(closed->detail, HasSubstr("4001"));
}

TEST_F(RunnerWebSocket, ActorCloseReachesTheClientWithItsCodeAndReason) {
  auto ws = Open("/ws");
  ASSERT_NE(ws, nullptr);
  ASSERT_TRUE(ws->SendText("close-me").ok());
  auto result = ws->Receive(10s);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("closed 4000 closed by the actor"));
}

TEST_F(RunnerWebSocket, RefusedSocketIsClosedWithTheActorsCode) {
  auto ws = Open("/not-ws");
  ASSERT_NE(ws, nullptr);
  auto result = ws->Receive(10s);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("closed 1008 only /ws and /hws accept WebSockets"));
  EXPECT_EQ(t_->log->Count("ws-close", id_), 0);
}

TEST_F(RunnerWebSocket, MessageIndexesWrapPast65535) {
  auto ws = Open("/ws");
  ASSERT_NE(ws, nullptr);
  constexpr int kMessages = 66000;
  for (int i = 0; i < kMessages; ++i) {
    const std::string message = std::to_string(i);
    ASSERT_TRUE(ws->SendText(message).ok()) << i;
    auto echoed = ws->Receive(10s);
    ASSERT_TRUE(echoed.ok()) << "message " << i << ": " << echoed.status();
    ASSERT_EQ(Text(*echoed), message);
  }
  EXPECT_TRUE(ws->Close().ok());
}

}  // namespace
}  // namespace tether::testing
