// Scenario 7: the bare Boost.Beast echo server under the WebSocket echo load of scenario 1.
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "driver/load_run.h"
#include "driver/process.h"
#include "driver/scenarios.h"

namespace tether::bench {

absl::Status RunFloorScenario(const BenchConfig& config, Results& results) {
  absl::StatusOr<std::unique_ptr<BenchProcess>> server =
      BenchProcess::Spawn({{config.paths.floor_server}, {}, absl::StrCat(config.work_dir, "/floor-server.log")});
  if (!server.ok()) return server.status();
  absl::StatusOr<std::string> line = (*server)->ReadLine(std::chrono::seconds(10));
  if (!line.ok()) return line.status();
  int port = 0;
  if (!absl::SimpleAtoi(absl::StripPrefix(*line, "listening "), &port)) {
    return absl::InternalError(absl::StrCat("bench-floor-server printed '", *line, "'"));
  }
  for (int sockets : config.ws_sockets) {
    absl::StatusOr<LoadOutcome> outcome = RunLoad(config, WsLoadArgs(config, port, "/", sockets), {(*server)->pid()});
    if (!outcome.ok()) return outcome.status();
    const std::string label = absl::StrCat(sockets, sockets == 1 ? " socket" : " sockets");
    const double per_op_us = 1e6 / static_cast<double>(outcome->ops);
    results.Add(kFloorSection, "echo server CPU per message, " + label, "µs", kFloor,
                outcome->watched_cpu_seconds[0] * per_op_us);
    results.Add(kFloorSection, "messages/s, " + label, "msg/s", kFloor, outcome->ops_per_second);
    results.Add(kFloorSection, "load generator per message, " + label, "µs", kFloor,
                outcome->load_cpu_seconds * per_op_us);
  }
  (*server)->Stop(std::chrono::seconds(2));
  return absl::OkStatus();
}

}  // namespace tether::bench
