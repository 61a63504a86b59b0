// tether-bench-runner: the benchmark's echo actor ("echo") hosted by tether. Behaviour matches
// bench/runners/js_echo_runner.mjs exactly: HTTP answers 200 with the request body, and every
// WebSocket is accepted (not hibernatable) and each message is sent back as it came.
//
// Configured by the RIVET_* variables (tether/config.h). When the engine's ToClientInit arrives it
// prints "init <CLOCK_MONOTONIC ns>" on stdout, which the driver uses to time exec -> Init.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tether/runner.h"

namespace {

class EchoActor : public tether::ActorInstance {
 public:
  absl::Status OnStart(tether::Actor&) override { return absl::OkStatus(); }

  tether::HttpResponse OnFetch(tether::Actor&, const tether::HttpRequest& request) override {
    return {200, {}, request.body};
  }

  tether::WebSocketAcceptance OnWebSocketOpen(tether::Actor&, tether::WebSocket&) override {
    tether::WebSocketAcceptance acceptance;
    acceptance.accept = true;
    return acceptance;
  }

  void OnWebSocketMessage(tether::Actor&, tether::WebSocket& socket, const std::string& data, bool binary) override {
    socket.Send(data, binary);
  }
};

long long MonotonicNanos() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<long long>(now.tv_sec) * 1'000'000'000LL + now.tv_nsec;
}

// The SDK exposes no "connected" callback, only runner_id(), set when ToClientInit is handled; a
// 100 µs poll bounds the timing error well below what the cold start costs. Bounded to 60 s.
void ReportInit(const tether::Runner& runner) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (runner.runner_id().empty()) {
    if (std::chrono::steady_clock::now() > deadline) return;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  std::printf("init %lld\n", MonotonicNanos());
  std::fflush(stdout);
}

}  // namespace

int main() {
  std::vector<std::string> warnings;
  absl::StatusOr<tether::RunnerConfig> config = tether::RunnerConfig::FromEnv(&warnings);
  for (const std::string& warning : warnings) std::fprintf(stderr, "tether-bench-runner: warning: %s\n", warning.c_str());
  if (!config.ok()) {
    std::fprintf(stderr, "tether-bench-runner: %s\n", std::string(config.status().message()).c_str());
    return 1;
  }
  absl::StatusOr<std::unique_ptr<tether::Runner>> runner = tether::Runner::Create(*std::move(config));
  if (!runner.ok()) {
    std::fprintf(stderr, "tether-bench-runner: %s\n", std::string(runner.status().message()).c_str());
    return 1;
  }
  (*runner)->RegisterActor("echo", [](const tether::ActorInfo&) { return std::make_unique<EchoActor>(); });
  tether::StopOnTerminationSignals(**runner);
  if (absl::Status started = (*runner)->Start(); !started.ok()) {
    std::fprintf(stderr, "tether-bench-runner: %s\n", std::string(started.message()).c_str());
    return 1;
  }
  ReportInit(**runner);
  return (*runner)->Wait().ok() ? 0 : 1;
}
