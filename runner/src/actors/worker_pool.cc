#include "actors/worker_pool.h"

#include <algorithm>

namespace tether::actors {

WorkerPool::WorkerPool(int threads) {
  const int count = threads > 0 ? threads : std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  for (int i = 0; i < count; ++i) threads_.emplace_back([this] { Work(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::Submit(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
}

void WorkerPool::Work() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

struct SerialExecutor::State {
  WorkerPool* pool;
  std::mutex mutex;
  std::deque<std::function<void()>> tasks;
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

// Runs one task, then requeues itself behind other executors' work instead of looping, so one
// busy actor cannot starve the others sharing the pool.
void SerialExecutor::Drain(const std::shared_ptr<State>& state) {
  std::function<void()> task;
  {
    std::lock_guard lock(state->mutex);
    task = std::move(state->tasks.front());
    state->tasks.pop_front();
  }
  task();
  std::lock_guard lock(state->mutex);
  if (state->tasks.empty()) {
    state->scheduled = false;
  } else {
    state->pool->Submit([state] { Drain(state); });
  }
}

}  // namespace tether::actors
