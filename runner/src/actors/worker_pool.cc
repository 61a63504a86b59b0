#include "actors/worker_pool.h"

#include <algorithm>
#include <chrono>
#include <iterator>

namespace tether::actors {

WorkerPool::WorkerPool(int threads) {
  const int count = threads > 0 ? threads : std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  for (int i = 0; i < count; ++i) threads_.emplace_back([this] { Work(); });
}

WorkerPool::WorkerPool(std::function<void(std::function<void()>)> forward) : forward_(std::move(forward)) {}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::Submit(std::function<void()> task) {
  if (forward_) return forward_(std::move(task));
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
    wake = sleeping_ > 0;
  }
  // Skipped when every worker is busy: a running worker takes the task when it is done.
  if (wake) wake_.notify_one();
}

// Workers sleep as soon as there is nothing to do. Spinning briefly before sleeping (so that the
// next message starts without a futex wake-up) was measured under the benchmark's load and cost
// more CPU than the wake-ups it saved, at 1 and 16 WebSockets and for HTTP alike (bench/analysis.md).
void WorkerPool::Work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (tasks_.empty() && !stopping_) {
      ++sleeping_;
      wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      --sleeping_;
    }
    if (tasks_.empty()) return;  // stopping, and nothing left to finish
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    task = nullptr;  // released before the lock is taken again
    lock.lock();
  }
}

struct SerialExecutor::State {
  WorkerPool* pool;
  std::mutex mutex;
  // A vector rather than a deque: an actor that is idle holds no allocation (libstdc++'s deque
  // allocates ~600 B as soon as it is constructed), and Drain takes it whole.
  std::vector<std::function<void()>> tasks;
  bool scheduled = false;  // a Drain is queued or running on the pool
};

SerialExecutor::SerialExecutor(WorkerPool& pool) : pool_(pool), state_(std::make_shared<State>()) {
  state_->pool = &pool;
}

void SerialExecutor::Post(std::function<void()> task) {
  bool schedule = false;
  {
    std::lock_guard lock(state_->mutex);
    state_->tasks.push_back(std::move(task));
    schedule = !std::exchange(state_->scheduled, true);
  }
  if (schedule) pool_.Submit([state = state_] { Drain(state); });
}

// Runs the queued tasks, and those posted meanwhile, up to a budget; then, if tasks remain,
// requeues itself behind other executors' work, so one busy actor cannot starve the others sharing
// the pool. Running more than one task per pool submission is what keeps a busy actor (a message
// arriving while the previous one runs) from paying a pool hand-off, often a thread wake-up, per
// message.
void SerialExecutor::Drain(const std::shared_ptr<State>& state) {
  constexpr int kMaxTasks = 64;
  constexpr std::chrono::microseconds kMaxTime{1000};
  const auto deadline = std::chrono::steady_clock::now() + kMaxTime;
  std::vector<std::function<void()>> batch;
  std::size_t next = 0;  // batch[next...] have not run yet
  for (int ran = 0; ran < kMaxTasks && (ran == 0 || std::chrono::steady_clock::now() < deadline); ++ran) {
    if (next == batch.size()) {
      std::lock_guard lock(state->mutex);
      if (state->tasks.empty()) {
        state->scheduled = false;
        return;
      }
      batch = std::exchange(state->tasks, {});  // the idle state keeps no capacity
      next = 0;
    }
    std::exchange(batch[next++], nullptr)();  // each task is released right after it ran
  }
  std::lock_guard lock(state->mutex);
  // What the budget left goes back in front of what was posted meanwhile.
  state->tasks.insert(state->tasks.begin(), std::make_move_iterator(batch.begin() + static_cast<std::ptrdiff_t>(next)),
                      std::make_move_iterator(batch.end()));
  if (state->tasks.empty()) {
    state->scheduled = false;
  } else {
    state->pool->Submit([state] { Drain(state); });
  }
}

}  // namespace tether::actors
