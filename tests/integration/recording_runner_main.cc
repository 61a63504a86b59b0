// recording-runner: hosts RecordingActor under any actor name, as a separate process configured
// by RIVET_* variables, for tests that need several runner processes (migration) or must kill
// one. TETHER_TEST_LABEL names the process in the actor's hibernatable echoes
// ("g<generation>/<label>:<message>"). SIGTERM drains; exits 0 after a clean drain.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "runner_test_support.h"
#include "tether/runner.h"

int main() {
  absl::StatusOr<tether::RunnerConfig> config = tether::RunnerConfig::FromEnv();
  if (!config.ok()) {
    std::fprintf(stderr, "recording-runner: %s\n", std::string(config.status().message()).c_str());
    return 1;
  }
  absl::StatusOr<std::unique_ptr<tether::Runner>> runner = tether::Runner::Create(*std::move(config));
  if (!runner.ok()) {
    std::fprintf(stderr, "recording-runner: %s\n", std::string(runner.status().message()).c_str());
    return 1;
  }
  const char* label = std::getenv("TETHER_TEST_LABEL");
  auto log = std::make_shared<tether::testing::ActorLog>();
  (*runner)->SetDefaultActor([log, label = std::string(label != nullptr ? label : "")](const tether::ActorInfo&) {
    return std::make_unique<tether::testing::RecordingActor>(*log, label);
  });
  tether::StopOnTerminationSignals(**runner);
  if (!(*runner)->Start().ok()) return 1;
  return (*runner)->Wait().ok() ? 0 : 1;
}
