// Runner behaviour that needs no engine: giving up on an unreachable endpoint, KV requests
// that time out while disconnected, and actor code running serially per actor.
#include <atomic>
#include <chrono>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "actors/worker_pool.h"
#include "kv/kv_client.h"
#include "net/event_loop.h"
#include "tether/runner.h"

namespace tether {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

TEST(RunnerOffline, GivesUpOnAnUnreachableEngineWithTheLastError) {
  RunnerConfig config;
  config.endpoint = "http://127.0.0.1:1";  // nothing listens on port 1
  config.reconnect.initial_delay = 100ms;
  config.reconnect.give_up_after = 1s;
  config.log_level = LogLevel::kError;
  auto runner = Runner::Create(config);
  ASSERT_TRUE(runner.ok()) << runner.status();
  ASSERT_TRUE((*runner)->Start().ok());
  const std::optional<absl::Status> result = (*runner)->WaitFor(15s);
  ASSERT_TRUE(result.has_value()) << "the runner kept retrying";
  EXPECT_EQ(result->code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(result->message()), HasSubstr("gave up reconnecting"));
  EXPECT_THAT(std::string(result->message()), HasSubstr("Connection refused"));
}

TEST(RunnerOffline, StopBeforeAnyConnectionEndsCleanly) {
  RunnerConfig config;
  config.endpoint = "http://127.0.0.1:1";
  config.log_level = LogLevel::kError;
  auto runner = Runner::Create(config);
  ASSERT_TRUE(runner.ok());
  ASSERT_TRUE((*runner)->Start().ok());
  (*runner)->Stop();
  const std::optional<absl::Status> result = (*runner)->WaitFor(15s);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->ok()) << *result;
}

TEST(RunnerOffline, InvalidConfigIsRefusedAtCreate) {
  RunnerConfig config;
  config.total_slots = 0;
  EXPECT_EQ(Runner::Create(config).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(KvClient, RequestsWaitWhileDisconnectedAndTimeOut) {
  std::unique_ptr<net::EventLoop> loop = net::EventLoop::Create();
  std::atomic<int> sent = 0;
  std::promise<absl::Status> result;
  std::unique_ptr<kv::KvClient> client;
  loop->Post([&] {
    client = std::make_unique<kv::KvClient>(*loop, 300ms, [&](proto::v7::ToServer) { ++sent; });
    client->Submit("actor", proto::v7::KvDropRequest{}, [&](absl::StatusOr<proto::v7::KvResponseData> response) {
      result.set_value(response.status());
    });
  });
  std::future<absl::Status> done = result.get_future();
  ASSERT_EQ(done.wait_for(10s), std::future_status::ready);
  const absl::Status status = done.get();
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(std::string(status.message()), HasSubstr("not connected"));
  EXPECT_EQ(sent, 0) << "nothing is sent while disconnected";
  loop->Post([&] { client.reset(); });
  loop.reset();
}

TEST(SerialExecutor, RunsOneActorsTasksInOrderAndNeverConcurrently) {
  actors::WorkerPool pool(4);
  actors::SerialExecutor executor(pool);
  std::atomic<int> running = 0;
  std::atomic<bool> overlapped = false;
  std::vector<int> order;
  std::promise<void> finished;
  constexpr int kTasks = 200;
  for (int i = 0; i < kTasks; ++i) {
    executor.Post([&, i] {
      if (++running > 1) overlapped = true;
      order.push_back(i);
      --running;
      if (i == kTasks - 1) finished.set_value();
    });
  }
  ASSERT_EQ(finished.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_FALSE(overlapped);
  ASSERT_EQ(order.size(), static_cast<std::size_t>(kTasks));
  for (int i = 0; i < kTasks; ++i) EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
}

}  // namespace
}  // namespace tether
