#include "driver/load_run.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "driver/process.h"
#include "driver/proc_stats.h"

namespace tether::bench {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kReadyTimeout{180000};
// The measured phase plus the load generator's own drain timeout.
constexpr milliseconds kResultSlack{30000};
constexpr milliseconds kExitTimeout{10000};

absl::StatusOr<std::unique_ptr<BenchProcess>> StartLoad(const BenchConfig& config, std::vector<std::string> args) {
  args.insert(args.begin(), config.paths.load_generator);
  return BenchProcess::Spawn({args, {}, absl::StrCat(config.work_dir, "/load.log")});
}

absl::StatusOr<nlohmann::json> ReadResult(BenchProcess& load, milliseconds timeout) {
  absl::StatusOr<std::string> line = load.ReadLine(timeout);
  if (!line.ok()) return line.status();
  nlohmann::json result = nlohmann::json::parse(*line, nullptr, /*allow_exceptions=*/false);
  if (!result.is_object()) return absl::InternalError(absl::StrCat("bench-load printed '", *line, "'"));
  if (result.value("errors", 0) != 0) {
    return absl::InternalError(absl::StrCat("bench-load: ", result.value("errors", 0), " errors, first: ",
                                            result.value("first_error", std::string())));
  }
  return result;
}

// The "ready" line, or the error the load generator printed instead.
absl::Status AwaitReady(BenchProcess& load) {
  absl::StatusOr<std::string> line = load.ReadLine(kReadyTimeout);
  if (!line.ok()) return line.status();
  if (*line == "ready") return absl::OkStatus();
  return absl::InternalError(absl::StrCat("bench-load did not get ready: ", *line));
}

}  // namespace

std::vector<std::string> WsLoadArgs(const BenchConfig& config, int port, const std::string& target, int sockets) {
  return {"ws",
          "--port", std::to_string(port),
          "--target", target,
          "--connections", std::to_string(sockets),
          "--window", std::to_string(config.ws_window),
          "--size", std::to_string(config.message_bytes),
          "--warmup-ms", std::to_string(config.warmup.count()),
          "--duration-ms", std::to_string(config.duration.count()),
          "--max-ops", std::to_string(config.max_ops)};
}

std::vector<std::string> HttpLoadArgs(const BenchConfig& config, int port, const std::string& target,
                                      int connections) {
  std::vector<std::string> args = WsLoadArgs(config, port, target, connections);
  args[0] = "http";
  return args;
}

absl::StatusOr<LoadOutcome> RunLoad(const BenchConfig& config, const std::vector<std::string>& args,
                                    const std::vector<pid_t>& watched) {
  absl::StatusOr<std::unique_ptr<BenchProcess>> load = StartLoad(config, args);
  if (!load.ok()) return load.status();
  if (absl::Status ready = AwaitReady(**load); !ready.ok()) return ready;
  std::vector<double> before;
  for (pid_t pid : watched) {
    absl::StatusOr<double> cpu = ProcessCpuSeconds(pid);
    if (!cpu.ok()) return cpu.status();
    before.push_back(*cpu);
  }
  if (absl::Status go = (*load)->WriteLine("go"); !go.ok()) return go;
  absl::StatusOr<nlohmann::json> result = ReadResult(**load, config.duration + kResultSlack);
  if (!result.ok()) return result.status();
  LoadOutcome outcome;
  for (std::size_t i = 0; i < watched.size(); ++i) {
    absl::StatusOr<double> cpu = ProcessCpuSeconds(watched[i]);
    if (!cpu.ok()) return cpu.status();
    outcome.watched_cpu_seconds.push_back(*cpu - before[i]);
  }
  (*load)->WaitFor(kExitTimeout);
  outcome.ops = result->value("ops", std::int64_t{0});
  outcome.ops_per_second = result->value("ops_per_second", 0.0);
  outcome.p50_us = result->value("p50_us", 0.0);
  outcome.p99_us = result->value("p99_us", 0.0);
  outcome.load_cpu_seconds = result->value("cpu_seconds", 0.0);
  if (outcome.ops <= 0) {
    return absl::InternalError(absl::StrCat("bench-load ", absl::StrJoin(args, " "), " completed nothing"));
  }
  return outcome;
}

absl::Status HoldSockets(const BenchConfig& config, int port, const std::string& target, int count,
                         const std::function<absl::Status()>& while_held) {
  absl::StatusOr<std::unique_ptr<BenchProcess>> load =
      StartLoad(config, {"hold", "--port", std::to_string(port), "--target", target, "--connections",
                         std::to_string(count), "--size", std::to_string(config.message_bytes)});
  if (!load.ok()) return load.status();
  if (absl::Status ready = AwaitReady(**load); !ready.ok()) return ready;
  absl::Status held = while_held();
  if (absl::Status release = (*load)->WriteLine("go"); !release.ok()) return release;
  absl::StatusOr<nlohmann::json> result = ReadResult(**load, kReadyTimeout);
  (*load)->WaitFor(kExitTimeout);
  if (!held.ok()) return held;
  return result.status();
}

}  // namespace tether::bench
