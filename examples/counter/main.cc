// counter-runner: hosts CounterActor ("counter") for the Rivet engine named by RIVET_ENDPOINT,
// RIVET_NAMESPACE, RIVET_POOL, RIVET_TOKEN, ... (see tether/config.h). SIGTERM or Ctrl-C drains:
// the engine moves the actors elsewhere, then the program exits 0. A fatal error (unknown
// namespace, rejected token, ...) exits 1 with the cause in the last log line.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "counter_actor.h"
#include "tether/runner.h"

int main() {
  std::vector<std::string> warnings;
  absl::StatusOr<tether::RunnerConfig> config = tether::RunnerConfig::FromEnv(&warnings);
  for (const std::string& warning : warnings) std::fprintf(stderr, "counter-runner: warning: %s\n", warning.c_str());
  if (!config.ok()) {
    std::fprintf(stderr, "counter-runner: %s\n", std::string(config.status().message()).c_str());
    return 1;
  }
  absl::StatusOr<std::unique_ptr<tether::Runner>> runner = tether::Runner::Create(*std::move(config));
  if (!runner.ok()) {
    std::fprintf(stderr, "counter-runner: %s\n", std::string(runner.status().message()).c_str());
    return 1;
  }
  (*runner)->RegisterActor("counter", [](const tether::ActorInfo&) {
    return std::make_unique<tether::examples::CounterActor>();
  });
  tether::StopOnTerminationSignals(**runner);
  if (absl::Status started = (*runner)->Start(); !started.ok()) {
    std::fprintf(stderr, "counter-runner: %s\n", std::string(started.message()).c_str());
    return 1;
  }
  return (*runner)->Wait().ok() ? 0 : 1;
}
