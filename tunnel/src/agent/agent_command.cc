#include "agent/agent_command.h"

#include <chrono>
#include <memory>
#include <optional>
#include <ostream>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "agent/actor_directory.h"
#include "agent/admin_server.h"
#include "agent/agent_config.h"
#include "agent/agent_log.h"
#include "agent/agent_metrics.h"
#include "agent/forwarding_actor.h"
#include "agent/link_state.h"
#include "agent/log_relay.h"
#include "agent/metrics_registry.h"
#include "agent/sidecar_grpc_server.h"
#include "agent/sidecar_json.h"
#include "agent/sidecar_service.h"
#include "agent/upstream_http.h"
#include "agent/upstream_websocket.h"
#include "tether/runner.h"

namespace tether::agent {
namespace {

// How often the main thread checks for idle actors while the runner runs.
constexpr std::chrono::seconds kIdleCheckInterval{1};
constexpr std::chrono::milliseconds kProbeRetryDelay{250};

// Retries a refused upstream until `wait` has passed: the app may start a moment after the agent.
absl::Status WaitForUpstream(const AgentConfig& config) {
  const auto deadline = std::chrono::steady_clock::now() + config.upstream_wait;
  while (true) {
    absl::Status reachable = ProbeUpstream(config.upstream.HttpBase(), config.upstream_connect_timeout);
    if (reachable.ok() || std::chrono::steady_clock::now() >= deadline) return reachable;
    std::this_thread::sleep_for(kProbeRetryDelay);
  }
}

// The operational endpoints every agent serves.
void ServeOperations(AdminServer& admin, MetricsRegistry& registry, const LinkState& link, const Runner& runner,
                     const ActorDirectory& directory) {
  admin.Handle("/metrics", [&registry](const AdminRequest&) {
    return AdminResponse{200, "text/plain; version=0.0.4; charset=utf-8", registry.Render()};
  });
  admin.Handle("/ready", [&link, &runner, &directory](const AdminRequest&) {
    const std::string runner_id = runner.runner_id();
    const bool ready = link.connected() && !link.draining() && !runner_id.empty();
    const nlohmann::ordered_json body = {{"ready", ready}, {"runner_id", runner_id}, {"actors", directory.size()}};
    return AdminResponse{ready ? 200 : 503, "application/json", body.dump() + "\n"};
  });
}

// Serves the sidecar API on the transports the config asks for; null when gRPC is off.
absl::StatusOr<std::unique_ptr<SidecarGrpcServer>> ServeSidecar(const AgentConfig& config, AdminServer& admin,
                                                                 SidecarService& sidecar) {
  if (config.sidecar_json) ServeSidecarJson(admin, sidecar);
  if (config.sidecar_address.empty()) return nullptr;
  absl::StatusOr<std::unique_ptr<SidecarGrpcServer>> server = SidecarGrpcServer::Start(config.sidecar_address, sidecar);
  if (server.ok()) AgentLog(LogLevel::kInfo, "sidecar API listening", {{"address", (*server)->address()}});
  return server;
}

// Everything the runner's actors use; it must outlive the runner.
struct Forwarding {
  std::unique_ptr<UpstreamHttpClient> http;
  std::unique_ptr<UpstreamWebSocketClient> websockets;
};

absl::StatusOr<Forwarding> StartForwarding(const AgentConfig& config) {
  UpstreamHttpOptions http_options;
  http_options.connect_timeout = config.upstream_connect_timeout;
  http_options.request_timeout = config.request_timeout;
  absl::StatusOr<std::unique_ptr<UpstreamHttpClient>> http = UpstreamHttpClient::Create(http_options);
  if (!http.ok()) return http.status();
  UpstreamWebSocketOptions websocket_options;
  websocket_options.connect_timeout = config.upstream_connect_timeout;
  return Forwarding{*std::move(http), UpstreamWebSocketClient::Create(websocket_options)};
}

// Runs the started runner until it stops, putting idle actors to sleep meanwhile.
absl::Status Supervise(Runner& runner, ActorDirectory& directory, std::chrono::seconds sleep_after) {
  while (true) {
    if (std::optional<absl::Status> stopped = runner.WaitFor(kIdleCheckInterval)) return *stopped;
    if (sleep_after.count() > 0) directory.SleepIdle(sleep_after);
  }
}

int Run(const AgentConfig& config) {
  absl::StatusOr<std::unique_ptr<Runner>> runner = Runner::Create(config.runner);
  if (!runner.ok()) {
    AgentLog(LogLevel::kError, "cannot create the runner", {{"error", std::string(runner.status().message())}});
    return cli::kExitFailed;
  }
  // Before any thread starts, so that the signals reach only the drain thread.
  StopOnTerminationSignals(**runner);

  MetricsRegistry registry;
  AgentMetrics metrics(registry);
  LinkState link(metrics);
  absl::StatusOr<std::unique_ptr<LogRelay>> relay =
      LogRelay::Start(config.log_format, [&link](const LogRecord& record) { link.Observe(record); });
  if (!relay.ok()) {
    AgentLog(LogLevel::kError, "cannot start the log relay", {{"error", std::string(relay.status().message())}});
    return cli::kExitFailed;
  }

  if (absl::Status reachable = WaitForUpstream(config); !reachable.ok()) {
    AgentLog(LogLevel::kError, "the upstream app cannot be reached; is it running?",
             {{"upstream", config.upstream.HttpBase()}, {"error", std::string(reachable.message())}});
    return cli::kExitFailed;
  }
  absl::StatusOr<Forwarding> forwarding = StartForwarding(config);
  if (!forwarding.ok()) {
    AgentLog(LogLevel::kError, "cannot start forwarding", {{"error", std::string(forwarding.status().message())}});
    return cli::kExitFailed;
  }
  ActorDirectory directory;
  SidecarService sidecar(directory, link, **runner);
  absl::StatusOr<std::unique_ptr<AdminServer>> admin = AdminServer::Start(config.admin_host, config.admin_port);
  if (!admin.ok()) {
    AgentLog(LogLevel::kError, "cannot start the admin server", {{"error", std::string(admin.status().message())}});
    return cli::kExitFailed;
  }
  ServeOperations(**admin, registry, link, **runner, directory);
  absl::StatusOr<std::unique_ptr<SidecarGrpcServer>> sidecar_server = ServeSidecar(config, **admin, sidecar);
  if (!sidecar_server.ok()) {
    AgentLog(LogLevel::kError, "cannot start the sidecar API", {{"error", std::string(sidecar_server.status().message())}});
    return cli::kExitFailed;
  }
  AgentLog(LogLevel::kInfo, "admin server listening",
           {{"address", absl::StrCat(config.admin_host, ":", (*admin)->port())}});

  (*runner)->SetDefaultActor(ForwardingActorFactory(
      {config.upstream, *forwarding->http, *forwarding->websockets, metrics, directory}));
  if (absl::Status started = (*runner)->Start(); !started.ok()) {
    AgentLog(LogLevel::kError, "cannot start the runner", {{"error", std::string(started.message())}});
    return cli::kExitFailed;
  }
  AgentLog(LogLevel::kInfo, "agent forwarding actors to the upstream",
           {{"upstream", config.upstream.HttpBase()}, {"pool", config.runner.runner_name},
            {"namespace", config.runner.namespace_name}});
  const absl::Status stopped = Supervise(**runner, directory, config.sleep_after);
  if (!stopped.ok()) {
    AgentLog(LogLevel::kError, "agent stopped: the runner failed", {{"error", std::string(stopped.message())}});
    return cli::kExitFailed;
  }
  AgentLog(LogLevel::kInfo, "agent stopped after draining");
  return cli::kExitOk;
}

}  // namespace

int RunAgentCommand(const std::vector<std::string>& args, const cli::EnvLookup& env, std::ostream& out,
                    std::ostream& err) {
  const std::vector<cli::FlagSpec> flags = AgentFlags();
  absl::StatusOr<cli::CommandLine> command_line = cli::ParseCommandLine(args, flags);
  if (!command_line.ok()) {
    err << "tether agent: " << command_line.status().message() << "\nRun `tether agent --help` for usage.\n";
    return cli::kExitUsage;
  }
  if (command_line->Has("--help")) {
    out << AgentHelp();
    return cli::kExitOk;
  }
  if (!command_line->positionals.empty()) {
    err << "tether agent: unexpected argument '" << command_line->positionals.front() << "'\n";
    return cli::kExitUsage;
  }
  std::vector<std::string> warnings;
  absl::StatusOr<AgentConfig> config = ResolveAgentConfig(*command_line, env, &warnings);
  for (const std::string& warning : warnings) err << "tether agent: warning: " << warning << "\n";
  if (!config.ok()) {
    err << "tether agent: " << config.status().message() << "\n";
    return cli::kExitUsage;
  }
  SetAgentLogLevel(config->runner.log_level);
  return Run(*config);
}

}  // namespace tether::agent
