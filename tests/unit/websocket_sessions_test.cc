// WebSocketSessions paths the real gateway takes only by accident or under load — replayed and
// skipped message indexes, acknowledgements held until the position is stored, restoring from a
// record, an actor sending faster than the network thread drains — with real threads, a real
// actor executor and an in-memory KV. The gateway paths are covered against the real engine in
// runner_hibernation_test and runner_migration_test.
#include <atomic>
#include <chrono>
#include <future>
#include <map>
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
#include "tunnel/websocket_sessions.h"

namespace tether {
namespace {

namespace v7 = proto::v7;
using namespace std::chrono_literals;
using ::testing::ElementsAre;

// Accepts every socket as hibernatable and records what its handlers see.
class RecordingSocketActor : public ActorInstance {
 public:
  absl::Status OnStart(Actor&) override { return absl::OkStatus(); }
  WebSocketAcceptance OnWebSocketOpen(Actor&, WebSocket&) override { return {true, true}; }
  void OnWebSocketMessage(Actor&, WebSocket& socket, const std::string& data, bool) override {
    std::lock_guard lock(mutex);
    messages.push_back(data);
    last_socket = &socket;
  }
  void OnWebSocketClose(Actor&, WebSocket&, std::uint16_t code, const std::string& reason) override {
    std::lock_guard lock(mutex);
    closes.push_back(std::to_string(code) + " " + reason);
  }

  std::mutex mutex;
  std::vector<std::string> messages;
  std::vector<std::string> closes;
  WebSocket* last_socket = nullptr;
};

class WebSocketSessionsTest : public ::testing::Test {
 protected:
  void SetUp() override { Create(WebSocketLimits{}); }
  void TearDown() override {
    OnLoop([this] { sessions_.reset(); });
    gate_->Close();
  }

  void Create(WebSocketLimits limits) {
    gate_ = std::make_shared<actors::LoopGate>(loop_.get());
    runtime_ = std::make_shared<actors::ActorRuntime>(ActorInfo{"actor-1", "a", {}, 0, 0, {}, {}}, pool_, gate_, requests_);
    auto actor = std::make_unique<RecordingSocketActor>();
    actor_ = actor.get();
    runtime_->instance = std::move(actor);
    OnLoop([this, limits] {
      tunnel::WebSocketSessions::Hooks hooks{
          [this](const v7::ToServer& message) {
            std::lock_guard lock(mutex_);
            sent_.push_back(std::get<v7::ToServerTunnelMessage>(message).message_kind);
            return true;
          },
          [this](const std::string&) { return tunnel::ActorLookupResult{tunnel::ActorStatus::kRunning, runtime_}; },
          [this](const std::string&, v7::KvRequestData request, internal::KvResponseCallback done) {
            Kv(std::move(request), std::move(done));
          },
          [] { return std::size_t{0}; },
          [this](std::chrono::milliseconds delay, std::function<void()> fn) {
            return loop_->RunAfter(delay, std::move(fn));
          }};
      sessions_ = std::make_unique<tunnel::WebSocketSessions>(std::move(hooks), gate_, limits, host_managed_);
    });
  }

  // The engine's KV, in memory; answers arrive later on the network thread, as the engine's do.
  void Kv(v7::KvRequestData request, internal::KvResponseCallback done) {
    v7::KvResponseData response = v7::KvPutResponse{};
    {
      std::lock_guard lock(mutex_);
      if (fail_kv_) {
        loop_->Post([done] { done(absl::UnavailableError("KV down")); });
        return;
      }
      if (auto* put = std::get_if<v7::KvPutRequest>(&request)) {
        for (std::size_t i = 0; i < put->keys.size(); ++i) kv_[put->keys[i]] = put->values[i];
      } else if (auto* del = std::get_if<v7::KvDeleteRequest>(&request)) {
        for (const auto& key : del->keys) kv_.erase(key);
        response = v7::KvDeleteResponse{};
      }
    }
    loop_->Post([done, response] { done(response); });
  }

  void OnLoop(const std::function<void()>& fn) { testing::RunOnLoop(*loop_, fn); }

  static v7::MessageId Id(std::uint16_t index) { return {{1, 2, 3, 4}, {9, 9, 9, 9}, index}; }
  void Open() {
    OnLoop([this] { sessions_->OnOpen(Id(0), {"actor-1", "/room", {{"x-user", "u1"}}}); });
    ASSERT_TRUE(WaitSent([](const auto& kind) { return std::holds_alternative<v7::ToServerWebSocketOpen>(kind); }));
  }
  void Message(std::uint16_t index, std::string text) {
    OnLoop([this, index, text] { sessions_->OnClientMessage(Id(index), {bare::Bytes(text.begin(), text.end()), false}); });
  }

  bool WaitSent(const std::function<bool(const v7::ToServerTunnelMessageKind&)>& match,
                std::chrono::milliseconds timeout = 5s) {
    for (auto deadline = std::chrono::steady_clock::now() + timeout; std::chrono::steady_clock::now() < deadline;) {
      {
        std::lock_guard lock(mutex_);
        for (const auto& kind : sent_) {
          if (match(kind)) return true;
        }
      }
      std::this_thread::sleep_for(2ms);
    }
    return false;
  }
  bool WaitAcked(std::uint16_t index, std::chrono::milliseconds timeout = 5s) {
    return WaitSent(
        [index](const auto& kind) {
          const auto* ack = std::get_if<v7::ToServerWebSocketMessageAck>(&kind);
          return ack != nullptr && ack->index == index;
        },
        timeout);
  }
  std::vector<std::string> Handled(std::size_t at_least) {
    for (auto deadline = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < deadline;) {
      {
        std::lock_guard lock(actor_->mutex);
        if (actor_->messages.size() >= at_least) return actor_->messages;
      }
      std::this_thread::sleep_for(2ms);
    }
    std::lock_guard lock(actor_->mutex);
    return actor_->messages;
  }
  std::optional<tunnel::HibernatingSocket> StoredRecord() {
    std::lock_guard lock(mutex_);
    for (const auto& [key, value] : kv_) {
      if (tunnel::HibernationStore::IsRecordKey(key)) {
        auto record = bare::Decode<tunnel::HibernatingSocket>(value);
        if (record.ok()) return *record;
      }
    }
    return std::nullopt;
  }

  std::unique_ptr<net::EventLoop> loop_ = net::EventLoop::Create();
  actors::WorkerPool pool_{2};
  std::shared_ptr<actors::LoopGate> gate_;
  testing::NoActorRequests requests_;
  std::shared_ptr<actors::ActorRuntime> runtime_;
  RecordingSocketActor* actor_ = nullptr;
  std::unique_ptr<tunnel::WebSocketSessions> sessions_;
  bool host_managed_ = false;  // set before Create
  std::mutex mutex_;
  std::vector<v7::ToServerTunnelMessageKind> sent_;
  std::map<bare::Bytes, bare::Bytes> kv_;
  std::atomic<bool> fail_kv_{false};
};

TEST_F(WebSocketSessionsTest, OpensHibernatableOnlyOnceTheRecordIsStored) {
  Open();
  EXPECT_TRUE(WaitSent([](const auto& kind) {
    const auto* open = std::get_if<v7::ToServerWebSocketOpen>(&kind);
    return open != nullptr && open->can_hibernate;
  }));
  const auto record = StoredRecord();
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->path, "/room");
  EXPECT_EQ(record->last_client_index, 0);
}

TEST_F(WebSocketSessionsTest, OpensAsNotHibernatableWhenTheRecordCannotBeStored) {
  fail_kv_ = true;
  Open();
  EXPECT_TRUE(WaitSent([](const auto& kind) {
    const auto* open = std::get_if<v7::ToServerWebSocketOpen>(&kind);
    return open != nullptr && !open->can_hibernate;
  }));
}

TEST_F(WebSocketSessionsTest, ReplayedMessagesAreDroppedAndAcknowledgedAfterStoring) {
  Open();
  Message(1, "a");
  Message(2, "b");
  Message(2, "b again");
  Message(1, "a again");
  Message(3, "c");
  EXPECT_THAT(Handled(3), ElementsAre("a", "b", "c"));
  EXPECT_TRUE(WaitAcked(3));
  const auto record = StoredRecord();
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->last_client_index, 3) << "acknowledged only what is stored";
}

TEST_F(WebSocketSessionsTest, NothingIsAcknowledgedWhileTheKvFails) {
  Open();
  fail_kv_ = true;
  Message(1, "a");
  EXPECT_THAT(Handled(1), ElementsAre("a"));
  EXPECT_FALSE(WaitAcked(1, 300ms));
  fail_kv_ = false;
  Message(2, "b");
  EXPECT_TRUE(WaitAcked(2)) << "the next save stores both positions";
}

TEST_F(WebSocketSessionsTest, AGapInMessageIndexesClosesTheSocket) {
  Open();
  Message(1, "a");
  Message(3, "skipped 2");
  EXPECT_TRUE(WaitSent([](const auto& kind) {
    const auto* close = std::get_if<v7::ToServerWebSocketClose>(&kind);
    return close != nullptr && close->code == 1008 && close->reason == "ws.message_index_skip";
  }));
  EXPECT_THAT(Handled(1), ElementsAre("a"));
}

TEST_F(WebSocketSessionsTest, RestoredSocketContinuesFromItsRecord) {
  tunnel::HibernatingSocket record;
  record.gateway_id = {1, 2, 3, 4};
  record.request_id = {9, 9, 9, 9};
  record.last_client_index = 65535;  // the next one wraps to 0
  record.next_runner_index = 40;
  record.path = "/room";
  record.attachment = {'h', 'i'};
  OnLoop([&] {
    sessions_->ExpectRestore("actor-1", {{record.gateway_id, record.request_id}});
    sessions_->Restore("actor-1", runtime_, {record}, false);
  });
  ASSERT_EQ(runtime_->WebSockets().size(), 1u);
  EXPECT_EQ(runtime_->WebSockets()[0]->attachment(), "hi");
  EXPECT_EQ(runtime_->WebSockets()[0]->request().path, "/room");
  OnLoop([this] { sessions_->OnActorRunning("actor-1"); });
  Message(65535, "replayed");
  Message(0, "next");
  EXPECT_THAT(Handled(1), ElementsAre("next"));
  EXPECT_TRUE(WaitAcked(0));
}

// The gateway drops what reaches a restored socket before the actor is ready again, so the close
// waits for the actor to run (and the gateway to listen: the reattach grace, or a client message).
bool IsMetaNotFoundClose(const v7::ToServerTunnelMessageKind& kind) {
  const auto* close = std::get_if<v7::ToServerWebSocketClose>(&kind);
  return close != nullptr && close->reason == "ws.meta_not_found_during_restore";
}

TEST_F(WebSocketSessionsTest, ListedSocketWithoutARecordIsClosedOnceTheGatewayListens) {
  OnLoop([&] {
    sessions_->ExpectRestore("actor-1", {{{1, 2, 3, 4}, {9, 9, 9, 9}}});
    sessions_->Restore("actor-1", runtime_, {}, false);
  });
  EXPECT_FALSE(WaitSent(IsMetaNotFoundClose, 200ms)) << "closed before the actor runs: the gateway would drop it";
  OnLoop([this] { sessions_->OnActorRunning("actor-1"); });
  EXPECT_TRUE(WaitSent(IsMetaNotFoundClose));
  EXPECT_TRUE(runtime_->WebSockets().empty());
}

TEST_F(WebSocketSessionsTest, HostManagedRestoreBringsBackWhatTheProgramStoredAndClosesTheRest) {
  host_managed_ = true;
  Create(WebSocketLimits{});
  const WebSocketIds stored_ids{std::string("\x01\x02\x03\x04", 4), std::string("\x09\x09\x09\x09", 4)};
  absl::StatusOr<std::vector<std::shared_ptr<WebSocket>>> restored;
  OnLoop([&] {
    sessions_->ExpectRestore("actor-1", {{{1, 2, 3, 4}, {9, 9, 9, 9}}, {{5, 5, 5, 5}, {6, 6, 6, 6}}});
    StoredWebSocket stored{stored_ids, 7, 41, "/room", {{"x-user", "u1"}}};
    StoredWebSocket unlisted{{std::string(4, 'a'), std::string(4, 'b')}, 0, 0, "/gone", {}};
    restored = sessions_->RestoreStored("actor-1", runtime_, {stored, unlisted});
  });
  ASSERT_TRUE(restored.ok()) << restored.status();
  ASSERT_EQ(restored->size(), 2u);
  ASSERT_NE((*restored)[0], nullptr);
  EXPECT_EQ((*restored)[1], nullptr) << "not listed by the engine: the program deletes it";
  EXPECT_EQ((*restored)[0]->ids(), stored_ids);
  EXPECT_EQ((*restored)[0]->request().path, "/room");
  OnLoop([this] { sessions_->OnActorRunning("actor-1"); });
  Message(41, "replayed");
  Message(42, "next");
  EXPECT_THAT(Handled(1), ElementsAre("next")) << "continues after the stored index";
  EXPECT_TRUE(WaitSent(IsMetaNotFoundClose)) << "the listed socket the program did not store";
  OnLoop([&] { EXPECT_FALSE(sessions_->RestoreStored("actor-1", runtime_, {}).ok()) << "only once"; });
}

TEST_F(WebSocketSessionsTest, AnActorSendingFasterThanTheNetworkThreadIsClosedWith1013) {
  OnLoop([this] { sessions_.reset(); });
  WebSocketLimits limits;
  limits.max_socket_messages = 8;
  Create(limits);
  Open();
  Message(1, "hello");
  ASSERT_EQ(Handled(1).size(), 1u);
  WebSocket* socket = actor_->last_socket;
  // The network thread is held, so every send waits in its queue.
  std::promise<void> release;
  loop_->Post([future = release.get_future().share()] { future.wait(); });
  for (int i = 0; i < 20; ++i) socket->Send("x", false);
  release.set_value();
  EXPECT_TRUE(WaitSent([](const auto& kind) {
    const auto* close = std::get_if<v7::ToServerWebSocketClose>(&kind);
    return close != nullptr && close->code == 1013 && close->reason == "runner.websocket_outbound_backlog";
  }));
}

}  // namespace
}  // namespace tether
