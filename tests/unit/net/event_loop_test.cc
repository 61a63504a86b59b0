// EventLoop: Post and RunAfter from any thread, Timer cancellation, shutdown.
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "net/event_loop.h"

namespace tether::net {
namespace {

constexpr std::chrono::seconds kWait{10};

// Runs `fn` on the loop thread and waits for it.
void RunOnLoop(EventLoop& loop, const std::function<void()>& fn) {
  std::promise<void> done;
  loop.Post([&] {
    fn();
    done.set_value();
  });
  ASSERT_EQ(done.get_future().wait_for(kWait), std::future_status::ready);
}

// Returns once a timer set now for `delay` fired: timers fire in deadline order, so any
// earlier (uncancelled) timer has fired by then.
void WaitPast(EventLoop& loop, std::chrono::milliseconds delay) {
  std::promise<void> fired;
  const std::unique_ptr<Timer> timer = loop.RunAfter(delay, [&] { fired.set_value(); });
  ASSERT_EQ(fired.get_future().wait_for(kWait), std::future_status::ready);
}

TEST(EventLoopTest, PostRunsOnTheLoopThreadInOrder) {
  const std::unique_ptr<EventLoop> loop = EventLoop::Create();
  EXPECT_FALSE(loop->InLoopThread());
  std::vector<int> order;
  std::promise<void> done;
  std::thread poster([&] {
    for (int i = 0; i < 1000; ++i) {
      loop->Post([&, i] {
        EXPECT_TRUE(loop->InLoopThread());
        order.push_back(i);
      });
    }
    loop->Post([&] { done.set_value(); });
  });
  poster.join();
  ASSERT_EQ(done.get_future().wait_for(kWait), std::future_status::ready);
  ASSERT_EQ(order.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
}

// Posts are coalesced (one wake-up of the loop per burst): every task must still run exactly once,
// in each poster's order, including tasks posted from the loop thread by a running task.
TEST(EventLoopTest, ConcurrentPostersEachRunExactlyOnceInOrder) {
  constexpr int kPosters = 4;
  constexpr int kPerPoster = 20000;
  const std::unique_ptr<EventLoop> loop = EventLoop::Create();
  std::vector<std::vector<int>> seen(kPosters);  // loop thread only
  int nested = 0;                                // loop thread only
  std::vector<std::thread> posters;
  for (int p = 0; p < kPosters; ++p) {
    posters.emplace_back([&, p] {
      for (int i = 0; i < kPerPoster; ++i) {
        loop->Post([&, p, i] {
          seen[static_cast<std::size_t>(p)].push_back(i);
          if (i % 1000 == 0) loop->Post([&] { ++nested; });
        });
        if (i % 4096 == 0) std::this_thread::yield();  // let the loop catch up now and then
      }
    });
  }
  for (std::thread& poster : posters) poster.join();
  RunOnLoop(*loop, [] {});  // after every task above, and the nested ones they posted before it
  RunOnLoop(*loop, [] {});
  for (int p = 0; p < kPosters; ++p) {
    const std::vector<int>& order = seen[static_cast<std::size_t>(p)];
    ASSERT_EQ(order.size(), static_cast<std::size_t>(kPerPoster));
    for (int i = 0; i < kPerPoster; ++i) ASSERT_EQ(order[static_cast<std::size_t>(i)], i);
  }
  EXPECT_EQ(nested, kPosters * kPerPoster / 1000);
}

TEST(EventLoopTest, TasksStillQueuedWhenTheLoopStopsAreReleased) {
  std::unique_ptr<EventLoop> loop = EventLoop::Create();
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> blocking;
  loop->Post([&, released] {
    blocking.set_value();
    released.wait();
  });
  blocking.get_future().wait();
  auto token = std::make_shared<int>(0);
  std::weak_ptr<int> weak = token;
  loop->Post([token = std::move(token)] {});
  std::thread destroyer([&] { loop.reset(); });
  release.set_value();
  destroyer.join();
  EXPECT_TRUE(weak.expired());
}

TEST(EventLoopTest, RunAfterFiresOnTheLoopThreadAfterTheDelay) {
  const std::unique_ptr<EventLoop> loop = EventLoop::Create();
  std::promise<bool> fired;
  const auto start = std::chrono::steady_clock::now();
  const std::unique_ptr<Timer> timer =
      loop->RunAfter(std::chrono::milliseconds(50), [&] { fired.set_value(loop->InLoopThread()); });
  std::future<bool> result = fired.get_future();
  ASSERT_EQ(result.wait_for(kWait), std::future_status::ready);
  EXPECT_TRUE(result.get());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
}

TEST(EventLoopTest, CancelFromAnotherThreadPreventsFiring) {
  const std::unique_ptr<EventLoop> loop = EventLoop::Create();
  std::atomic<bool> fired = false;
  const std::unique_ptr<Timer> timer = loop->RunAfter(std::chrono::milliseconds(100), [&] { fired = true; });
  timer->Cancel();
  timer->Cancel();  // harmless
  WaitPast(*loop, std::chrono::milliseconds(200));
  EXPECT_FALSE(fired);
}

TEST(EventLoopTest, DestroyingTheTimerCancelsIt) {
  const std::unique_ptr<EventLoop> loop = EventLoop::Create();
  std::atomic<bool> fired = false;
  loop->RunAfter(std::chrono::milliseconds(100), [&] { fired = true; }).reset();
  WaitPast(*loop, std::chrono::milliseconds(200));
  EXPECT_FALSE(fired);
}

// On the loop thread, Cancel() wins even when the expiry is already queued: two timers expire in
// the same pass of the loop, and the first one's callback cancels the second.
TEST(EventLoopTest, CancelOnTheLoopThreadWinsOverAQueuedExpiry) {
  const std::unique_ptr<EventLoop> loop = EventLoop::Create();
  std::atomic<bool> fired = false;
  std::unique_ptr<Timer> canceller;
  std::unique_ptr<Timer> target;
  RunOnLoop(*loop, [&] {
    canceller = loop->RunAfter(std::chrono::milliseconds(1), [&] { target->Cancel(); });
    target = loop->RunAfter(std::chrono::milliseconds(1), [&] { fired = true; });
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // both deadlines pass; not a wait
  });
  WaitPast(*loop, std::chrono::milliseconds(20));
  EXPECT_FALSE(fired);
}

TEST(EventLoopTest, TimerMayOutliveTheLoop) {
  std::unique_ptr<EventLoop> loop = EventLoop::Create();
  std::atomic<bool> fired = false;
  const std::unique_ptr<Timer> timer = loop->RunAfter(std::chrono::hours(1), [&] { fired = true; });
  loop.reset();  // must not wait for the timer
  timer->Cancel();
  EXPECT_FALSE(fired);
}

}  // namespace
}  // namespace tether::net
