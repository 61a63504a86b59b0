// WorkerPool and SerialExecutor: every task runs exactly once; an executor's tasks run one at a
// time and in order, however they are batched; different executors run in parallel.
#include "actors/worker_pool.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace tether::actors {
namespace {

constexpr std::chrono::seconds kWait{20};

TEST(WorkerPoolTest, RunsEverySubmittedTaskOnceAndFinishesQueuedTasksOnDestruction) {
  std::atomic<int> ran = 0;
  {
    WorkerPool pool(3);
    std::vector<std::thread> submitters;
    for (int t = 0; t < 4; ++t) {
      submitters.emplace_back([&] {
        for (int i = 0; i < 5000; ++i) pool.Submit([&] { ran.fetch_add(1); });
      });
    }
    for (std::thread& submitter : submitters) submitter.join();
  }
  EXPECT_EQ(ran.load(), 20000);
}

// Tasks trickling in one at a time, with pauses: each must wake a sleeping worker (Submit skips the
// wake-up only when no worker sleeps), never be left queued.
TEST(WorkerPoolTest, TasksSubmittedWhileWorkersSleepAllRun) {
  WorkerPool pool(2);
  for (int i = 0; i < 200; ++i) {
    std::promise<void> done;
    pool.Submit([&] { done.set_value(); });
    ASSERT_EQ(done.get_future().wait_for(kWait), std::future_status::ready) << i;
    if (i % 3 == 0) std::this_thread::sleep_for(std::chrono::microseconds(100 * (i % 7)));
  }
}

// RunnerConfig::actors_on_network_thread: the pool hands its tasks on instead of running threads.
TEST(WorkerPoolTest, AForwardingPoolRunsExecutorTasksWhereItForwardsThemInOrder) {
  std::vector<std::function<void()>> forwarded;
  WorkerPool pool([&](std::function<void()> task) { forwarded.push_back(std::move(task)); });
  SerialExecutor executor(pool);
  std::vector<int> order;
  for (int i = 0; i < 5; ++i) executor.Post([&order, i] { order.push_back(i); });
  EXPECT_TRUE(order.empty()) << "nothing runs until the forwarded tasks do";
  while (!forwarded.empty()) {
    std::function<void()> next = std::move(forwarded.front());
    forwarded.erase(forwarded.begin());
    next();
  }
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(SerialExecutorTest, RunsTasksOneAtATimeInPostingOrder) {
  WorkerPool pool(4);
  SerialExecutor executor(pool);
  constexpr int kTasks = 50000;
  std::vector<int> order;  // touched only by the executor's tasks, one at a time
  std::atomic<int> running = 0;
  std::atomic<bool> overlapped = false;
  std::promise<void> done;
  std::thread poster([&] {
    for (int i = 0; i < kTasks; ++i) {
      executor.Post([&, i] {
        if (running.fetch_add(1) != 0) overlapped = true;
        order.push_back(i);
        running.fetch_sub(1);
        if (i == kTasks - 1) done.set_value();
      });
      if (i % 1000 == 0) std::this_thread::yield();
    }
  });
  poster.join();
  ASSERT_EQ(done.get_future().wait_for(kWait), std::future_status::ready);
  EXPECT_FALSE(overlapped);
  ASSERT_EQ(order.size(), static_cast<std::size_t>(kTasks));
  for (int i = 0; i < kTasks; ++i) ASSERT_EQ(order[static_cast<std::size_t>(i)], i);
}

// Tasks posted by the executor's own tasks (as actor code does) go behind the queued ones.
TEST(SerialExecutorTest, TasksPostedFromATaskRunAfterTheQueuedOnes) {
  WorkerPool pool(2);
  SerialExecutor executor(pool);
  std::vector<int> order;
  std::promise<void> queued;
  std::promise<void> done;
  executor.Post([&] {
    order.push_back(0);
    // Posts only once 1 and 2 are queued, which the test thread may not have done yet.
    queued.get_future().wait();
    executor.Post([&] {
      order.push_back(3);
      done.set_value();
    });
  });
  executor.Post([&] { order.push_back(1); });
  executor.Post([&] { order.push_back(2); });
  queued.set_value();
  ASSERT_EQ(done.get_future().wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
}

// A busy executor yields its worker after a budget, so another executor gets to run even when
// there is a single worker.
TEST(SerialExecutorTest, ABusyExecutorDoesNotStarveAnotherOnOneWorker) {
  WorkerPool pool(1);
  SerialExecutor busy(pool);
  SerialExecutor other(pool);
  std::atomic<bool> other_ran = false;
  std::atomic<int> busy_after_other = 0;
  std::promise<void> done;
  // Each busy task reposts itself until the other executor's task ran and some more busy tasks
  // followed: without the budget, the busy drain would never end.
  std::function<void()> step = [&] {
    if (other_ran && busy_after_other.fetch_add(1) == 10) {
      done.set_value();
      return;
    }
    busy.Post(step);
  };
  busy.Post(step);
  other.Post([&] { other_ran = true; });
  ASSERT_EQ(done.get_future().wait_for(kWait), std::future_status::ready);
}

TEST(SerialExecutorTest, DifferentExecutorsRunInParallel) {
  WorkerPool pool(2);
  SerialExecutor a(pool);
  SerialExecutor b(pool);
  std::promise<void> a_started;
  std::promise<void> b_started;
  std::shared_future<void> a_in = a_started.get_future().share();
  std::shared_future<void> b_in = b_started.get_future().share();
  std::promise<bool> a_saw_b;
  std::promise<bool> b_saw_a;
  a.Post([&] {
    a_started.set_value();
    a_saw_b.set_value(b_in.wait_for(kWait) == std::future_status::ready);
  });
  b.Post([&] {
    b_started.set_value();
    b_saw_a.set_value(a_in.wait_for(kWait) == std::future_status::ready);
  });
  EXPECT_TRUE(a_saw_b.get_future().get());
  EXPECT_TRUE(b_saw_a.get_future().get());
}

}  // namespace
}  // namespace tether::actors
