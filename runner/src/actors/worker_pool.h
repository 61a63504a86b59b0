// WorkerPool and SerialExecutor: where actor code runs. Each actor gets a SerialExecutor, so its
// code never runs concurrently with itself, while different actors run in parallel on the pool's
// threads — and never on the network thread, which must stay free to answer the engine's pings.
// The exception is a pool that forwards its tasks (RunnerConfig::actors_on_network_thread): for
// actor code that never blocks, it saves two thread hand-offs per event.
//
// Threading: every member function is thread-safe.
#ifndef TETHER_RUNNER_ACTORS_WORKER_POOL_H_
#define TETHER_RUNNER_ACTORS_WORKER_POOL_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace tether::actors {

class WorkerPool {
 public:
  // threads == 0: one per core, at least 2.
  explicit WorkerPool(int threads);
  // No threads: every task goes to `forward` (e.g. onto the network thread), which runs them in
  // the order given and may drop them once it has shut down.
  explicit WorkerPool(std::function<void(std::function<void()>)> forward);
  // Finishes the tasks already queued, then joins the threads.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Submit(std::function<void()> task);

 private:
  void Work();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  int sleeping_ = 0;  // workers waiting on wake_
  bool stopping_ = false;
  std::vector<std::thread> threads_;
  std::function<void(std::function<void()>)> forward_;
};

// Runs tasks one at a time, in submission order, on a WorkerPool. Must not outlive the pool;
// tasks still queued when it is destroyed still run (the executor's state is shared with them).
class SerialExecutor {
 public:
  explicit SerialExecutor(WorkerPool& pool);

  void Post(std::function<void()> task);

 private:
  struct State;
  static void Drain(const std::shared_ptr<State>& state);

  WorkerPool& pool_;
  std::shared_ptr<State> state_;
};

}  // namespace tether::actors

#endif  // TETHER_RUNNER_ACTORS_WORKER_POOL_H_
