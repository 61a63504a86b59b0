// counter-runner: hosts CounterActor ("counter") for the Rivet engine named by RIVET_ENDPOINT,
// RIVET_NAMESPACE, RIVET_POOL, RIVET_TOKEN, ... (see tether/config.h). SIGTERM or Ctrl-C drains:
// the engine moves the actors elsewhere, then the program exits 0. A fatal error (unknown
// namespace, rejected token, ...) exits 1 with the cause in the last log line.
//
// `counter-runner serverless [--host H] [--port N] [--base-path P]` serves the endpoint of a
// serverless runner config instead (tether/serverless.h): the engine starts runners by calling
// GET {url}/start. RIVET_ENDPOINT, if set, is where those runners connect.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "counter_actor.h"
#include "tether/runner.h"
#include "tether/serverless.h"

namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "counter-runner: %s\n", std::string(status.message()).c_str());
  return 1;
}

void RegisterCounter(tether::Runner& runner) {
  runner.RegisterActor("counter", [](const tether::ActorInfo&) {
    return std::make_unique<tether::examples::CounterActor>();
  });
}

int RunServerless(const std::vector<std::string>& args, tether::RunnerConfig base) {
  tether::ServerlessOptions options;
  options.base = std::move(base);
  if (const char* endpoint = std::getenv("RIVET_ENDPOINT")) options.connect_endpoint = endpoint;
  for (std::size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--host") {
      options.host = args[i + 1];
    } else if (args[i] == "--port") {
      char* end = nullptr;
      const unsigned long port = std::strtoul(args[i + 1].c_str(), &end, 10);
      if (*end != '\0' || port > 65535) return Fail(absl::InvalidArgumentError("--port: not a port: " + args[i + 1]));
      options.port = static_cast<std::uint16_t>(port);
    } else if (args[i] == "--base-path") {
      options.base_path = args[i + 1];
    } else {
      return Fail(absl::InvalidArgumentError("unknown flag " + args[i]));
    }
  }
  if (args.size() % 2 != 0) return Fail(absl::InvalidArgumentError("flag " + args.back() + " needs a value"));
  // Before the server's threads start, so that only the wait below receives the signals.
  tether::BlockTerminationSignals();
  const std::string host = options.host;
  const std::string base_path = options.base_path;
  absl::StatusOr<std::unique_ptr<tether::ServerlessServer>> server =
      tether::ServerlessServer::Start(std::move(options), RegisterCounter);
  if (!server.ok()) return Fail(server.status());
  std::printf("serverless endpoint: http://%s:%u%s\n", host.c_str(), (*server)->port(), base_path.c_str());
  std::fflush(stdout);
  while (!tether::AwaitTerminationSignal(std::chrono::hours(1))) {
  }
  (*server)->Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  std::vector<std::string> warnings;
  absl::StatusOr<tether::RunnerConfig> config = tether::RunnerConfig::FromEnv(&warnings);
  for (const std::string& warning : warnings) std::fprintf(stderr, "counter-runner: warning: %s\n", warning.c_str());
  if (!config.ok()) return Fail(config.status());
  if (!args.empty() && args[0] == "serverless") return RunServerless({args.begin() + 1, args.end()}, *std::move(config));
  if (!args.empty()) return Fail(absl::InvalidArgumentError("usage: counter-runner [serverless [--host H] [--port N] [--base-path P]]"));

  absl::StatusOr<std::unique_ptr<tether::Runner>> runner = tether::Runner::Create(*std::move(config));
  if (!runner.ok()) return Fail(runner.status());
  RegisterCounter(**runner);
  tether::StopOnTerminationSignals(**runner);
  if (absl::Status started = (*runner)->Start(); !started.ok()) return Fail(started);
  return (*runner)->Wait().ok() ? 0 : 1;
}
