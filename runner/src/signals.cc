#include <pthread.h>
#include <signal.h>

#include <thread>

#include "log.h"
#include "tether/runner.h"

namespace tether {

void StopOnTerminationSignals(Runner& runner) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // The thread lives as long as the process: a signal may come at any time until exit.
  std::thread([&runner, signals] {
    int received = 0;
    while (sigwait(&signals, &received) == 0) {
      log::Write(LogLevel::kInfo, "termination signal: draining", {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}});
      runner.Stop();
    }
  }).detach();
}

}  // namespace tether
