// LoopGate: how threads other than the network thread (actor code, signal handlers, the public
// Runner API) hand work to it. Once the runner shuts down the gate closes, and work posted after
// that is dropped instead of touching a destroyed event loop.
//
// Threading: thread-safe.
#ifndef TETHER_RUNNER_ACTORS_LOOP_GATE_H_
#define TETHER_RUNNER_ACTORS_LOOP_GATE_H_

#include <functional>
#include <mutex>

#include "net/event_loop.h"

namespace tether::actors {

class LoopGate {
 public:
  explicit LoopGate(net::EventLoop* loop) : loop_(loop) {}

  // Runs `fn` on the network thread; false (and `fn` dropped) once the gate is closed.
  bool Post(std::function<void()> fn) {
    std::lock_guard lock(mutex_);
    if (loop_ == nullptr) return false;
    loop_->Post(std::move(fn));
    return true;
  }
  void Close() {
    std::lock_guard lock(mutex_);
    loop_ = nullptr;
  }

 private:
  std::mutex mutex_;
  net::EventLoop* loop_;
};

}  // namespace tether::actors

#endif  // TETHER_RUNNER_ACTORS_LOOP_GATE_H_
