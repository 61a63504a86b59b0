// Eventually: polls a condition until it holds or a timeout passes, for tests that wait on
// another process (an engine, a runner, an app) to reach a state.
//
// Threading: calls `condition` on the calling thread only.
#ifndef TETHER_TESTS_HARNESS_EVENTUALLY_H_
#define TETHER_TESTS_HARNESS_EVENTUALLY_H_

#include <chrono>
#include <functional>
#include <thread>

namespace tether::testing {

// True as soon as `condition` holds, checking every `interval`; false once `timeout` passed.
inline bool Eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds interval = std::chrono::milliseconds(100)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(interval);
  }
  return true;
}

}  // namespace tether::testing

#endif  // TETHER_TESTS_HARNESS_EVENTUALLY_H_
