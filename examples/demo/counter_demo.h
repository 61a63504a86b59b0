// The demo's second half: runs examples/counter's counter-runner as its own process against the
// local engine, creates a counter actor through the REST API, and shows its count going up.
//
// Threading: main thread only.
#ifndef TETHER_EXAMPLES_DEMO_COUNTER_DEMO_H_
#define TETHER_EXAMPLES_DEMO_COUNTER_DEMO_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "harness/child_process.h"
#include "harness/local_engine.h"

namespace tether::demo {

class CounterDemo {
 public:
  // Starts the runner, waits until the engine has it, creates (or finds) the actor "counter"
  // with key "demo", and prints what is happening and how to look at it.
  static absl::StatusOr<std::unique_ptr<CounterDemo>> Start(const testing::LocalEngine& engine);

  // Whether the runner process has exited (it should not, until Stop).
  bool RunnerExited();
  // Drains the runner with SIGTERM, as a deployment would, and waits for it to exit.
  absl::Status Stop();
  std::string RunnerLog() const { return runner_->Log(); }

 private:
  explicit CounterDemo(std::unique_ptr<testing::ChildProcess> runner) : runner_(std::move(runner)) {}

  std::unique_ptr<testing::ChildProcess> runner_;
};

}  // namespace tether::demo

#endif  // TETHER_EXAMPLES_DEMO_COUNTER_DEMO_H_
