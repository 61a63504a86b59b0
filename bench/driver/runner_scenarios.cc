// Scenarios 1-5 for one runner kind on a fresh engine, plus the runner's side of scenario 7.
#include <filesystem>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/numbers.h"
#include "driver/load_run.h"
#include "driver/process.h"
#include "driver/proc_stats.h"
#include "driver/scenarios.h"
#include "harness/http_client.h"
#include "harness/local_engine.h"
#include "harness/rest.h"

namespace tether::bench {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
using testing::LocalEngine;

constexpr milliseconds kInitTimeout{60000};
constexpr milliseconds kActorReadyTimeout{60000};
constexpr milliseconds kGatewayRequestTimeout{10000};
constexpr milliseconds kRetryPause{20};
constexpr milliseconds kRunnerStopGrace{5000};
constexpr int kActorCreateThreads = 8;
constexpr char kActorName[] = "echo";
constexpr char kNamespace[] = "default";
constexpr char kProbeBody[] = "ping";
constexpr char kOfficialPackage[] = "@rivetkit/engine-runner";

// Everything one block needs to talk about its engine and runner.
struct Block {
  const BenchConfig& config;
  RunnerKind kind;
  int repetition;
  LocalEngine& engine;
  Results& results;

  const char* subject() const { return SubjectOf(kind); }
  std::string Pool(const char* role) const { return absl::StrCat("bench-", subject(), "-", repetition, "-", role); }
  void Add(const char* section, const std::string& name, const char* unit, double value) const {
    results.Add(section, name, unit, subject(), value);
  }
};

// The two JavaScript runners run the same app and differ only in the package it imports; both
// set it explicitly, so a RUNNER_PACKAGE in the driver's environment cannot swap the official one.
void SetRunnerProgram(const Block& block, BenchProcess::Options& options) {
  const BenchPaths& paths = block.config.paths;
  switch (block.kind) {
    case RunnerKind::kTetherRunner:
      options.argv = {paths.tether_runner};
      return;
    case RunnerKind::kOfficialRunner:
      options.argv = {paths.node, paths.js_runner_script};
      options.env["RUNNER_PACKAGE"] = kOfficialPackage;
      return;
    case RunnerKind::kAddonRunner:
      options.argv = {paths.node, paths.js_runner_script};
      options.env["RUNNER_PACKAGE"] = paths.addon_package;
      options.env["TETHER_NODE_ADDON"] = paths.addon;
      return;
  }
}

absl::StatusOr<std::unique_ptr<BenchProcess>> StartRunner(const Block& block, const std::string& pool) {
  BenchProcess::Options options;
  options.env = {{"RIVET_ENDPOINT", block.engine.endpoint()},
                 {"RIVET_NAMESPACE", kNamespace},
                 {"RIVET_POOL", pool},
                 {"RIVET_TOTAL_SLOTS", std::to_string(block.config.actors + 100)},
                 // The official runner logs nothing without a logger; keep tether as quiet.
                 {"RIVET_LOG_LEVEL", "warn"}};
  SetRunnerProgram(block, options);
  options.log_path = absl::StrCat(block.config.work_dir, "/", pool, ".log");
  return BenchProcess::Spawn(options);
}

// Milliseconds from the runner's exec to its "init <monotonic ns>" line.
absl::StatusOr<double> AwaitInitMs(BenchProcess& runner) {
  const Clock::time_point deadline = Clock::now() + kInitTimeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    absl::StatusOr<std::string> line = runner.ReadLine(std::max(left, milliseconds(1)));
    if (!line.ok()) return line.status();
    const std::vector<std::string> words = absl::StrSplit(*line, ' ');
    std::int64_t init_ns = 0;
    if (words.size() == 2 && words[0] == "init" && absl::SimpleAtoi(words[1], &init_ns)) {
      return static_cast<double>(init_ns - runner.spawn_ns()) / 1e6;
    }
  }
}

std::string GatewayTarget(const std::string& actor_id, const char* path) {
  return absl::StrCat("/gateway/", actor_id, path);
}

// Retries until `timeout`: right after a runner's first Init its runner config may not exist yet,
// and a new actor answers only once the runner started it.
absl::Status RetryUntil(milliseconds timeout, const std::function<absl::Status()>& attempt) {
  const Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    absl::Status status = attempt();
    if (status.ok() || Clock::now() >= deadline) return status;
    std::this_thread::sleep_for(kRetryPause);
  }
}

absl::StatusOr<std::string> CreateEchoActor(const Block& block, const std::string& pool, const std::string& key) {
  std::string actor_id;
  absl::Status created = RetryUntil(kActorReadyTimeout, [&]() -> absl::Status {
    testing::ActorSpec spec;
    spec.name = kActorName;
    spec.runner_name = pool;
    spec.key = key;
    absl::StatusOr<std::string> id = testing::CreateActor(block.engine, kNamespace, spec);
    if (!id.ok()) return id.status();
    actor_id = *id;
    return absl::OkStatus();
  });
  if (!created.ok()) return created;
  return actor_id;
}

// One POST through the gateway that the actor echoes.
absl::Status ProbeEcho(const Block& block, const std::string& actor_id) {
  return RetryUntil(kActorReadyTimeout, [&]() -> absl::Status {
    absl::StatusOr<testing::HttpResponse> response =
        testing::HttpRequest("POST", block.engine.endpoint() + GatewayTarget(actor_id, "/echo"), kProbeBody,
                             {{"content-type", "application/octet-stream"}}, kGatewayRequestTimeout);
    if (!response.ok()) return response.status();
    if (response->status != 200 || response->body != kProbeBody) {
      return absl::UnavailableError(absl::StrCat("gateway answered ", response->status, ": ", response->body));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<double> SettledRssKiB(const Block& block, pid_t pid) {
  std::this_thread::sleep_for(block.config.settle);
  return ResidentKiB(pid);
}

std::string SocketsLabel(int sockets) { return absl::StrCat(sockets, sockets == 1 ? " socket" : " sockets"); }

absl::Status MeasureWebSocketEcho(const Block& block, const BenchProcess& runner, const std::string& actor_id) {
  for (int sockets : block.config.ws_sockets) {
    absl::StatusOr<LoadOutcome> outcome =
        RunLoad(block.config, WsLoadArgs(block.config, block.engine.guard_port(), GatewayTarget(actor_id, "/ws"), sockets),
                {runner.pid(), block.engine.pid()});
    if (!outcome.ok()) return outcome.status();
    const std::string label = SocketsLabel(sockets);
    const double per_op_us = 1e6 / static_cast<double>(outcome->ops);
    block.Add(kWsSection, label + ": messages/s", "msg/s", outcome->ops_per_second);
    block.Add(kWsSection, label + ": RTT p50", "µs", outcome->p50_us);
    block.Add(kWsSection, label + ": RTT p99", "µs", outcome->p99_us);
    const double runner_us = outcome->watched_cpu_seconds[0] * per_op_us;
    block.Add(kCpuSection, "runner per WS message, " + label, "µs", runner_us);
    block.Add(kCpuSection, "engine per WS message, " + label, "µs", outcome->watched_cpu_seconds[1] * per_op_us);
    block.Add(kCpuSection, "load generator per WS message, " + label, "µs", outcome->load_cpu_seconds * per_op_us);
    block.Add(kFloorSection, "echo server CPU per message, " + label, "µs", runner_us);
  }
  return absl::OkStatus();
}

absl::Status MeasureHttp(const Block& block, const BenchProcess& runner, const std::string& actor_id) {
  for (int connections : block.config.http_concurrency) {
    absl::StatusOr<LoadOutcome> outcome = RunLoad(
        block.config, HttpLoadArgs(block.config, block.engine.guard_port(), GatewayTarget(actor_id, "/echo"), connections),
        {runner.pid(), block.engine.pid()});
    if (!outcome.ok()) return outcome.status();
    const std::string label = absl::StrCat("concurrency ", connections);
    const double per_op_us = 1e6 / static_cast<double>(outcome->ops);
    block.Add(kHttpSection, label + ": requests/s", "req/s", outcome->ops_per_second);
    block.Add(kHttpSection, label + ": p50", "ms", outcome->p50_us / 1000);
    block.Add(kHttpSection, label + ": p99", "ms", outcome->p99_us / 1000);
    block.Add(kCpuSection, "runner per HTTP request, " + label, "µs", outcome->watched_cpu_seconds[0] * per_op_us);
    block.Add(kCpuSection, "engine per HTTP request, " + label, "µs", outcome->watched_cpu_seconds[1] * per_op_us);
    block.Add(kCpuSection, "load generator per HTTP request, " + label, "µs", outcome->load_cpu_seconds * per_op_us);
  }
  return absl::OkStatus();
}

absl::Status MeasureHeldSockets(const Block& block, const BenchProcess& runner, const std::string& actor_id) {
  absl::StatusOr<double> before = SettledRssKiB(block, runner.pid());
  if (!before.ok()) return before.status();
  const int count = block.config.held_sockets;
  return HoldSockets(block.config, block.engine.guard_port(), GatewayTarget(actor_id, "/ws"), count,
                     [&]() -> absl::Status {
                       absl::StatusOr<double> held = SettledRssKiB(block, runner.pid());
                       if (!held.ok()) return held.status();
                       block.Add(kMemorySection, absl::StrCat("RSS with ", count, " open WebSockets"), "MiB",
                                 *held / 1024);
                       block.Add(kMemorySection, "per open WebSocket", "KiB", (*held - *before) / count);
                       return absl::OkStatus();
                     });
}

// Scenarios 4 (both figures), 5 (idle, sockets), 1, 2 and 3 on one runner process.
absl::Status RunMainRunner(const Block& block) {
  const std::string pool = block.Pool("main");
  absl::StatusOr<std::unique_ptr<BenchProcess>> runner = StartRunner(block, pool);
  if (!runner.ok()) return runner.status();
  absl::StatusOr<double> init_ms = AwaitInitMs(**runner);
  if (!init_ms.ok()) return init_ms.status();
  block.Add(kColdSection, "process exec → ToClientInit received", "ms", *init_ms);
  absl::StatusOr<double> idle = SettledRssKiB(block, (*runner)->pid());
  if (!idle.ok()) return idle.status();
  block.Add(kMemorySection, "RSS idle (connected, no actor)", "MiB", *idle / 1024);

  const Clock::time_point create_start = Clock::now();
  absl::StatusOr<std::string> actor_id = CreateEchoActor(block, pool, "main");
  if (!actor_id.ok()) return actor_id.status();
  if (absl::Status echoed = ProbeEcho(block, *actor_id); !echoed.ok()) return echoed;
  block.Add(kColdSection, "actor create (REST) → first response through the gateway", "ms",
            std::chrono::duration<double, std::milli>(Clock::now() - create_start).count());

  if (absl::Status status = MeasureHeldSockets(block, **runner, *actor_id); !status.ok()) return status;
  if (absl::Status status = MeasureWebSocketEcho(block, **runner, *actor_id); !status.ok()) return status;
  if (absl::Status status = MeasureHttp(block, **runner, *actor_id); !status.ok()) return status;
  (*runner)->Stop(kRunnerStopGrace);
  return absl::OkStatus();
}

// Creates `count` actors on `pool` from a few threads and waits until each answers.
absl::Status StartManyActors(const Block& block, const std::string& pool, int count) {
  std::mutex mutex;
  absl::Status first_error;
  int next = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kActorCreateThreads; ++t) {
    threads.emplace_back([&] {
      for (;;) {
        int index = 0;
        {
          std::lock_guard lock(mutex);
          if (next >= count || !first_error.ok()) return;
          index = next++;
        }
        absl::StatusOr<std::string> id = CreateEchoActor(block, pool, absl::StrCat("many-", index));
        absl::Status status = id.ok() ? ProbeEcho(block, *id) : id.status();
        if (!status.ok()) {
          std::lock_guard lock(mutex);
          if (first_error.ok()) first_error = status;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  return first_error;
}

// Scenario 5's actors figure, on a runner process of its own so the sockets' memory is not in it.
absl::Status RunActorsRunner(const Block& block) {
  const std::string pool = block.Pool("actors");
  absl::StatusOr<std::unique_ptr<BenchProcess>> runner = StartRunner(block, pool);
  if (!runner.ok()) return runner.status();
  if (absl::StatusOr<double> init = AwaitInitMs(**runner); !init.ok()) return init.status();
  absl::StatusOr<double> idle = SettledRssKiB(block, (*runner)->pid());
  if (!idle.ok()) return idle.status();
  const int count = block.config.actors;
  if (absl::Status started = StartManyActors(block, pool, count); !started.ok()) return started;
  absl::StatusOr<double> loaded = SettledRssKiB(block, (*runner)->pid());
  if (!loaded.ok()) return loaded.status();
  block.Add(kMemorySection, absl::StrCat("RSS with ", count, " started actors"), "MiB", *loaded / 1024);
  block.Add(kMemorySection, "per started actor", "KiB", (*loaded - *idle) / count);
  (*runner)->Stop(kRunnerStopGrace);
  return absl::OkStatus();
}

}  // namespace

const char* SubjectOf(RunnerKind kind) {
  switch (kind) {
    case RunnerKind::kTetherRunner:
      return kTether;
    case RunnerKind::kOfficialRunner:
      return kOfficial;
    case RunnerKind::kAddonRunner:
      return kAddon;
  }
  return "unknown";
}

absl::Status RunRunnerScenarios(const BenchConfig& config, RunnerKind kind, int repetition, Results& results) {
  testing::LocalEngineOptions options;
  // Kept after the run for its log; cleared first so every block starts from an empty engine.
  options.data_dir = absl::StrCat(config.work_dir, "/engine-", SubjectOf(kind), "-", repetition);
  std::error_code ignored;
  std::filesystem::remove_all(options.data_dir, ignored);
  absl::StatusOr<std::unique_ptr<LocalEngine>> engine = LocalEngine::Start(options);
  if (!engine.ok()) return engine.status();
  const Block block{config, kind, repetition, **engine, results};
  if (absl::Status status = RunMainRunner(block); !status.ok()) return status;
  if (absl::Status status = RunActorsRunner(block); !status.ok()) return status;
  return (*engine)->Stop();
}

}  // namespace tether::bench
