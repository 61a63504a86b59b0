#include <pthread.h>
#include <signal.h>

#include <thread>

#include "log.h"
#include "tether/runner.h"

namespace tether {

namespace {

sigset_t TerminationSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  return signals;
}

}  // namespace

void BlockTerminationSignals() {
  const sigset_t signals = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

bool AwaitTerminationSignal(std::chrono::milliseconds timeout) {
  const sigset_t signals = TerminationSignals();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  const timespec wait{seconds.count(), static_cast<long>((timeout - seconds).count() * 1000000)};
  return sigtimedwait(&signals, nullptr, &wait) > 0;
}

void StopOnTerminationSignals(Runner& runner) {
  BlockTerminationSignals();
  // The thread lives as long as the process: a signal may come at any time until exit.
  std::thread([&runner, signals = TerminationSignals()] {
    int received = 0;
    while (sigwait(&signals, &received) == 0) {
      log::Write(LogLevel::kInfo, "termination signal: draining", {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}});
      runner.Stop();
    }
  }).detach();
}

}  // namespace tether
