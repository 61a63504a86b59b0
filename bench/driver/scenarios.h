// The benchmark scenarios of bench/README.md. Each adds its figures to Results; a failure is
// returned and the driver records it and carries on with the next scenario.
//
// Threading: call from the main thread (children are spawned with PR_SET_PDEATHSIG).
#ifndef TETHER_BENCH_DRIVER_SCENARIOS_H_
#define TETHER_BENCH_DRIVER_SCENARIOS_H_

#include <chrono>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "driver/results.h"

namespace tether::bench {

// Section titles, in report order.
inline constexpr char kWsSection[] = "1. WebSocket echo through the gateway";
inline constexpr char kHttpSection[] = "2. HTTP through the gateway";
inline constexpr char kCpuSection[] = "3. CPU per message (headline)";
inline constexpr char kColdSection[] = "4. Cold start";
inline constexpr char kMemorySection[] = "5. Memory";
inline constexpr char kCodecSection[] = "6. Codec";
inline constexpr char kFloorSection[] = "7. The floor: a bare Boost.Beast echo server";
inline constexpr char kAddonSection[] = "8. The Node addon against the official runner";

// Where the programs of the run are.
struct BenchPaths {
  std::string tether_runner;
  std::string load_generator;
  std::string floor_server;
  std::string codec_bench;
  std::string node = "node";
  // The echo app both JavaScript runners run (the official one and the addon's façade).
  std::string js_runner_script;
  std::string official_codec_script;
  // The Node addon's package directory (bindings/node) and its built .node; no addon runs when
  // `addon` is empty.
  std::string addon_package;
  std::string addon;
};

struct BenchConfig {
  BenchPaths paths;
  std::string work_dir;  // logs of every child
  int repetitions = 3;
  std::chrono::milliseconds warmup{1000};
  std::chrono::milliseconds duration{5000};
  std::int64_t max_ops = 2'000'000;
  std::vector<int> ws_sockets = {1, 16, 64};
  int ws_window = 4;  // messages in flight per socket
  std::vector<int> http_concurrency = {1, 32};
  int message_bytes = 32;
  int actors = 1000;
  int held_sockets = 1000;
  // How long memory settles before RSS is read.
  std::chrono::milliseconds settle{1000};
  int codec_min_ms = 200;
};

// kAddonRunner: the official runner's JavaScript app on @tether/engine-runner (bindings/node).
enum class RunnerKind { kTetherRunner, kOfficialRunner, kAddonRunner };
const char* SubjectOf(RunnerKind kind);

// On a fresh engine: cold start to Init, idle RSS, actor create to first response, 1,000 held
// WebSockets, WebSocket echo and HTTP load with CPU of runner, engine and load generator, then on
// a second runner process RSS with 1,000 actors. `repetition` names the runner pools.
absl::Status RunRunnerScenarios(const BenchConfig& config, RunnerKind kind, int repetition, Results& results);
// The bare Beast echo server under the WebSocket echo load of scenario 1.
absl::Status RunFloorScenario(const BenchConfig& config, Results& results);
// Encode and decode of the same messages by tether's codec and the official one.
absl::Status RunCodecScenario(const BenchConfig& config, Results& results);
// The addon's .node file size, as built and stripped the way bindings/node/pack.sh ships it.
absl::Status RunAddonSizeScenario(const BenchConfig& config, Results& results);

}  // namespace tether::bench

#endif  // TETHER_BENCH_DRIVER_SCENARIOS_H_
