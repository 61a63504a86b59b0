// TunnelRouter paths the 2.3.19 gateway never takes (streamed bodies, aborts) or that are hard to
// time against it (requests that arrive while the actor starts), with real threads and a real
// actor executor; the gateway paths are covered against the real engine in runner_http_test.
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "actors/actor_runtime.h"
#include "actors/loop_gate.h"
#include "actors/worker_pool.h"
#include "net/event_loop.h"
#include "actor_test_support.h"
#include "tunnel/tunnel_router.h"

namespace tether {
namespace {

namespace v7 = proto::v7;
using namespace std::chrono_literals;
using Status = tunnel::ActorStatus;

class EchoActor : public ActorInstance {
 public:
  absl::Status OnStart(Actor&) override { return absl::OkStatus(); }
  HttpResponse OnFetch(Actor&, const HttpRequest& request) override {
    return {200, {{"x-dup", "1"}, {"x-dup", "2"}}, request.body};
  }
};

class TunnelRouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gate_ = std::make_shared<actors::LoopGate>(loop_.get());
    runtime_ = std::make_shared<actors::ActorRuntime>(ActorInfo{"actor-1", "echo", {}, 0, 0, {}, {}}, pool_, gate_, requests_);
    runtime_->instance = std::make_unique<EchoActor>();
    OnLoop([this] {
      tunnel::WebSocketSessions::Hooks hooks{
          [this](const v7::ToServer& message) {
            std::lock_guard lock(mutex_);
            sent_.push_back(std::get<v7::ToServerTunnelMessage>(message));
            return true;
          },
          [this](const std::string& actor_id) {
            tunnel::ActorLookupResult lookup;
            if (actor_id == "actor-1") lookup = {status_, runtime_};
            return lookup;
          },
          [](const std::string&, v7::KvRequestData, internal::KvResponseCallback done) {
            done(absl::UnavailableError("no KV in this test"));
          },
          [] { return std::size_t{0}; },
          [this](std::chrono::milliseconds delay, std::function<void()> fn) {
            return loop_->RunAfter(delay, std::move(fn));
          }};
      router_ = std::make_unique<tunnel::TunnelRouter>(std::move(hooks), gate_, WebSocketLimits{}, false);
    });
  }
  void TearDown() override {
    OnLoop([this] { router_.reset(); });
    gate_->Close();
  }

  void OnLoop(const std::function<void()>& fn) { testing::RunOnLoop(*loop_, fn); }
  void Deliver(v7::ToClientTunnelMessage message) {
    OnLoop([this, message] { router_->OnMessage(message); });
  }
  // Waits for the router's next reply.
  std::optional<v7::ToServerResponseStart> Reply(std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(mutex_);
        if (!sent_.empty()) {
          auto reply = std::get<v7::ToServerResponseStart>(sent_.front().message_kind);
          sent_.erase(sent_.begin());
          return reply;
        }
      }
      std::this_thread::sleep_for(5ms);
    }
    return std::nullopt;
  }

  static v7::ToClientTunnelMessage Message(std::uint8_t request, v7::ToClientTunnelMessageKind kind) {
    return {{{1, 2, 3, 4}, {request, 0, 0, 0}, 0}, std::move(kind)};
  }
  static v7::ToClientRequestStart Start(std::string actor_id, bool stream, std::string body = {}) {
    return {std::move(actor_id), "POST", "/x", {}, bare::Bytes(body.begin(), body.end()), stream};
  }
  static std::string Body(const v7::ToServerResponseStart& r) { return std::string(r.body->begin(), r.body->end()); }

  std::unique_ptr<net::EventLoop> loop_ = net::EventLoop::Create();
  actors::WorkerPool pool_{2};
  std::shared_ptr<actors::LoopGate> gate_;
  testing::NoActorRequests requests_;
  std::shared_ptr<actors::ActorRuntime> runtime_;
  Status status_ = Status::kRunning;
  std::unique_ptr<tunnel::TunnelRouter> router_;
  std::mutex mutex_;
  std::vector<v7::ToServerTunnelMessage> sent_;
};

TEST_F(TunnelRouterTest, ReassemblesAStreamedBody) {
  Deliver(Message(1, Start("actor-1", true, "ab")));
  Deliver(Message(1, v7::ToClientRequestChunk{{'c', 'd'}, false}));
  Deliver(Message(1, v7::ToClientRequestChunk{{'e'}, true}));
  auto reply = Reply();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(Body(*reply), "abcde");
  EXPECT_EQ(*bare::Find(reply->headers, std::string("content-length")), "5");
  EXPECT_EQ(*bare::Find(reply->headers, std::string("x-dup")), "1") << "a repeated name keeps its first value";
}

TEST_F(TunnelRouterTest, RefusesAStreamedBodyOverTheLimit) {
  Deliver(Message(2, Start("actor-1", true)));
  Deliver(Message(2, v7::ToClientRequestChunk{bare::Bytes(kMaxHttpBodyBytes, 'x'), false}));
  Deliver(Message(2, v7::ToClientRequestChunk{{'y'}, true}));
  auto reply = Reply();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 413);
}

TEST_F(TunnelRouterTest, AnAbortedRequestGetsNoResponse) {
  Deliver(Message(3, Start("actor-1", true, "a")));
  Deliver(Message(3, v7::ToClientRequestAbort{}));
  Deliver(Message(3, v7::ToClientRequestChunk{{'b'}, true}));
  EXPECT_FALSE(Reply(300ms).has_value());
}

TEST_F(TunnelRouterTest, UnknownActorGets503ActorNotFound) {
  Deliver(Message(4, Start("someone-else", false)));
  auto reply = Reply();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 503);
  EXPECT_EQ(*bare::Find(reply->headers, std::string("x-rivet-error")), "runner.actor_not_found");
}

TEST_F(TunnelRouterTest, RequestsWaitForAStartingActor) {
  status_ = Status::kStarting;
  Deliver(Message(5, Start("actor-1", false, "early")));
  EXPECT_FALSE(Reply(200ms).has_value());
  status_ = Status::kRunning;
  OnLoop([this] { router_->OnActorRunning("actor-1"); });
  auto reply = Reply();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(Body(*reply), "early");
}

TEST_F(TunnelRouterTest, WaitingRequestsOfAnActorThatLeftGet503) {
  status_ = Status::kStarting;
  Deliver(Message(6, Start("actor-1", false)));
  OnLoop([this] { router_->OnActorGone("actor-1"); });
  auto reply = Reply();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 503);
}

}  // namespace
}  // namespace tether
