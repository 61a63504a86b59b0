// tether-demo: starts the pinned rivet-engine on loopback, runs the example counter runner
// against it with a counter actor, prints how to reach both, and keeps running until SIGINT or
// SIGTERM (then drains the runner and stops the engine).
//
//   tether-demo [--data-dir DIR]
//
// Without --data-dir the engine's state lives in a temporary directory removed on exit; with it
// the state (namespaces, actors) persists across runs.

#include <signal.h>

#include <cstddef>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "counter_demo.h"
#include "harness/local_engine.h"

namespace {

using tether::testing::LocalEngine;
using tether::testing::LocalEngineOptions;

constexpr std::string_view kUsage = "usage: tether-demo [--data-dir DIR]\n";

struct DemoFlags {
  std::string data_dir;
  bool help = false;
};

absl::StatusOr<DemoFlags> ParseFlags(int argc, char** argv) {
  DemoFlags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      flags.help = true;
    } else if (arg == "--data-dir" && i + 1 < argc) {
      flags.data_dir = argv[++i];
    } else if (arg.starts_with("--data-dir=")) {
      flags.data_dir = std::string(arg.substr(std::string_view("--data-dir=").size()));
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown or incomplete argument '", argv[i], "'"));
    }
  }
  return flags;
}

// Blocks the signals we wait for before anything else runs, so no thread (and not the default
// action) takes them; the engine child unblocks them for itself. SIGCHLD tells us the engine died.
sigset_t BlockWaitedSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

void PrintBanner(const LocalEngine& engine, const std::string& health, bool temporary_data) {
  const std::string endpoint = engine.endpoint();
  std::printf("rivet-engine is running (pid %d)\n", static_cast<int>(engine.pid()));
  std::printf("  health:   %s\n", health.c_str());
  std::printf("  endpoint: %s\n", endpoint.c_str());
  std::printf("  data dir: %s%s\n", engine.data_dir().c_str(),
              temporary_data ? " (temporary, removed on exit; keep state with --data-dir)" : "");
  std::printf("  log:      %s\n", engine.log_path().c_str());
  std::printf("Try:\n  curl %s/health\n  curl %s/namespaces\n", endpoint.c_str(), endpoint.c_str());
  std::fflush(stdout);
}

// Waits for SIGINT or SIGTERM. Returns an error if the engine or the runner exits first.
absl::Status WaitForShutdown(const sigset_t& signals, LocalEngine& engine, tether::demo::CounterDemo& counter) {
  for (;;) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) return absl::InternalError("sigwait failed");
    if (signal != SIGCHLD) return absl::OkStatus();
    // Stop() reaps the engine and reports how it ended.
    if (!engine.running()) return engine.Stop();
    if (counter.RunnerExited()) {
      return absl::InternalError("the example runner exited:\n" + counter.RunnerLog());
    }
  }
}

// A temporary data directory is removed with the engine, so show the end of its log now.
void PrintLogTail(const LocalEngine& engine) {
  constexpr std::size_t kTailBytes = 4096;
  absl::StatusOr<std::string> log = engine.ReadLog();
  if (!log.ok()) return;
  std::size_t start = 0;
  if (log->size() > kTailBytes) {
    const std::size_t newline = log->find('\n', log->size() - kTailBytes);
    start = newline == std::string::npos ? log->size() - kTailBytes : newline + 1;
  }
  std::fprintf(stderr, "--- end of %s ---\n%s", engine.log_path().c_str(), log->c_str() + start);
}

int Run(const DemoFlags& flags, const sigset_t& signals) {
  LocalEngineOptions options;
  options.data_dir = flags.data_dir;
  absl::StatusOr<std::unique_ptr<LocalEngine>> engine = LocalEngine::Start(std::move(options));
  if (!engine.ok()) {
    std::fprintf(stderr, "tether-demo: cannot start the engine: %s\n",
                 engine.status().ToString().c_str());
    return 1;
  }
  absl::StatusOr<std::string> health = (*engine)->Health();
  PrintBanner(**engine, health.ok() ? *health : health.status().ToString(), flags.data_dir.empty());

  absl::StatusOr<std::unique_ptr<tether::demo::CounterDemo>> counter = tether::demo::CounterDemo::Start(**engine);
  if (!counter.ok()) {
    std::fprintf(stderr, "tether-demo: the counter example failed: %s\n", std::string(counter.status().message()).c_str());
    PrintLogTail(**engine);
    return 1;
  }
  std::printf("Press Ctrl-C to stop.\n");
  std::fflush(stdout);

  if (absl::Status waited = WaitForShutdown(signals, **engine, **counter); !waited.ok()) {
    std::fprintf(stderr, "tether-demo: stopped unexpectedly: %s\n", std::string(waited.message()).c_str());
    PrintLogTail(**engine);
    return 1;
  }
  std::printf("Draining the runner...\n");
  std::fflush(stdout);
  if (absl::Status drained = (*counter)->Stop(); !drained.ok()) {
    std::fprintf(stderr, "tether-demo: %s\n", std::string(drained.message()).c_str());
  }
  std::printf("Stopping the engine...\n");
  std::fflush(stdout);
  if (absl::Status stopped = (*engine)->Stop(); !stopped.ok()) {
    std::fprintf(stderr, "tether-demo: %s\n", stopped.ToString().c_str());
    return 1;
  }
  std::printf("Stopped.\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const sigset_t signals = BlockWaitedSignals();
  absl::StatusOr<DemoFlags> flags = ParseFlags(argc, argv);
  if (!flags.ok()) {
    std::fprintf(stderr, "tether-demo: %s\n%s", std::string(flags.status().message()).c_str(),
                 kUsage.data());
    return 1;
  }
  if (flags->help) {
    std::fputs(kUsage.data(), stdout);
    return 0;
  }
  return Run(*flags, signals);
}
