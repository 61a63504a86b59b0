// A runner program outside the tether tree: its configuration is checked without connecting.
#include <cstdio>
#include <memory>

#include "tether/runner.h"

int main() {
  tether::RunnerConfig config;
  config.endpoint = "http://127.0.0.1:1";
  config.total_slots = 0;  // invalid on purpose: Create() must say so
  absl::StatusOr<std::unique_ptr<tether::Runner>> runner = tether::Runner::Create(config);
  std::printf("%s\n", runner.ok() ? "created" : std::string(runner.status().message()).c_str());
  return runner.ok() ? 1 : 0;
}
