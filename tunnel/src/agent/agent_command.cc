#include "agent/agent_command.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <functional>
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
#include "tether/serverless.h"

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
// How /ready decides: whether the agent takes work, and the runner id to show (may be empty).
struct Readiness {
  bool ready = false;
  std::string runner_id;
};

// The operational endpoints every agent serves.
void ServeOperations(AdminServer& admin, MetricsRegistry& registry, std::function<Readiness()> readiness,
                     const ActorDirectory& directory) {
  admin.Handle("/metrics", [&registry](const AdminRequest&) {
    return AdminResponse{200, "text/plain; version=0.0.4; charset=utf-8", registry.Render()};
  });
  admin.Handle("/ready", [readiness = std::move(readiness), &directory](const AdminRequest&) {
    const Readiness now = readiness();
    const nlohmann::ordered_json body = {{"ready", now.ready}, {"runner_id", now.runner_id}, {"actors", directory.size()}};
    return AdminResponse{now.ready ? 200 : 503, "application/json", body.dump() + "\n"};
  });
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

// What both modes share: the log relay (JSON logs only), the upstream clients, the actor directory and the admin
// server; built before any runner starts.
struct AgentServices {
  MetricsRegistry registry;
  AgentMetrics metrics{registry};
  LinkState link{metrics};
  std::unique_ptr<LogRelay> relay;
  Forwarding forwarding;
  ActorDirectory directory;
  // Declared so that the servers stop before the service they call goes.
  std::unique_ptr<SidecarService> sidecar;
  std::unique_ptr<AdminServer> admin;
  std::unique_ptr<SidecarGrpcServer> sidecar_server;  // null when gRPC is off
};

int Fail(const std::string& what, const absl::Status& status) {
  AgentLog(LogLevel::kError, what, {{"error", std::string(status.message())}});
  return cli::kExitFailed;
}

absl::Status StartServices(const AgentConfig& config, AgentServices& services) {
  if (config.log_format == LogFormat::kJson) {
    absl::StatusOr<std::unique_ptr<LogRelay>> relay = LogRelay::Start(config.log_format);
    if (!relay.ok()) {
      return absl::Status(relay.status().code(), "cannot start the log relay: " + std::string(relay.status().message()));
    }
    services.relay = *std::move(relay);
  }
  if (absl::Status reachable = WaitForUpstream(config); !reachable.ok()) {
    AgentLog(LogLevel::kError, "the upstream app cannot be reached; is it running?",
             {{"upstream", config.upstream.HttpBase()}, {"error", std::string(reachable.message())}});
    return reachable;
  }
  absl::StatusOr<Forwarding> forwarding = StartForwarding(config);
  if (!forwarding.ok()) return forwarding.status();
  services.forwarding = *std::move(forwarding);
  absl::StatusOr<std::unique_ptr<AdminServer>> admin = AdminServer::Start(config.admin_host, config.admin_port);
  if (!admin.ok()) return admin.status();
  services.admin = *std::move(admin);
  AgentLog(LogLevel::kInfo, "admin server listening",
           {{"address", absl::StrCat(config.admin_host, ":", services.admin->port())}});
  return absl::OkStatus();
}

// Serves the sidecar API on the transports the config asks for.
absl::Status ServeSidecar(const AgentConfig& config, AgentServices& services, AgentControl control) {
  services.sidecar = std::make_unique<SidecarService>(services.directory, services.link, std::move(control));
  if (config.sidecar_json) ServeSidecarJson(*services.admin, *services.sidecar);
  if (config.sidecar_address.empty()) return absl::OkStatus();
  absl::StatusOr<std::unique_ptr<SidecarGrpcServer>> server =
      SidecarGrpcServer::Start(config.sidecar_address, *services.sidecar);
  if (!server.ok()) return server.status();
  services.sidecar_server = *std::move(server);
  AgentLog(LogLevel::kInfo, "sidecar API listening", {{"address", services.sidecar_server->address()}});
  return absl::OkStatus();
}

ForwardingServices ForwardingFor(const AgentConfig& config, AgentServices& services) {
  return {config.upstream, *services.forwarding.http, *services.forwarding.websockets, services.metrics,
          services.directory};
}

int RunOneRunner(const AgentConfig& config) {
  absl::StatusOr<std::unique_ptr<Runner>> runner = Runner::Create(config.runner);
  if (!runner.ok()) return Fail("cannot create the runner", runner.status());
  // Before any thread starts, so that the signals reach only the drain thread.
  StopOnTerminationSignals(**runner);
  AgentServices services;
  if (absl::Status started = StartServices(config, services); !started.ok()) return Fail("cannot start the agent", started);
  ServeOperations(
      *services.admin, services.registry,
      [&runner, &link = services.link] {
        const std::string id = (*runner)->runner_id();
        return Readiness{link.connected() && !link.draining() && !id.empty(), id};
      },
      services.directory);
  const AgentControl control{[&runner] { return (*runner)->runner_id(); }, [&runner] { (*runner)->Stop(); }};
  if (absl::Status serving = ServeSidecar(config, services, control); !serving.ok()) {
    return Fail("cannot start the sidecar API", serving);
  }
  (*runner)->SetDefaultActor(ForwardingActorFactory(ForwardingFor(config, services)));
  (*runner)->SetObserver(&services.link);
  if (absl::Status started = (*runner)->Start(); !started.ok()) return Fail("cannot start the runner", started);
  AgentLog(LogLevel::kInfo, "agent forwarding actors to the upstream",
           {{"upstream", config.upstream.HttpBase()}, {"pool", config.runner.runner_name},
            {"namespace", config.runner.namespace_name}});
  const absl::Status stopped = Supervise(**runner, services.directory, config.sleep_after);
  if (!stopped.ok()) return Fail("agent stopped: the runner failed", stopped);
  AgentLog(LogLevel::kInfo, "agent stopped after draining");
  return cli::kExitOk;
}

// Waits for SIGTERM or SIGINT, putting idle actors to sleep meanwhile.
void AwaitTermination(ActorDirectory& directory, std::chrono::seconds sleep_after) {
  while (!AwaitTerminationSignal(kIdleCheckInterval)) {
    if (sleep_after.count() > 0) directory.SleepIdle(sleep_after);
  }
}

int RunServerless(const AgentConfig& config) {
  // Before any thread starts, so that only AwaitTermination receives the signals.
  BlockTerminationSignals();
  AgentServices services;
  if (absl::Status started = StartServices(config, services); !started.ok()) return Fail("cannot start the agent", started);
  ServerlessOptions options;
  options.host = config.serverless_host;
  options.port = config.serverless_port;
  options.base_path = config.serverless_base_path;
  options.base = config.runner;
  options.connect_endpoint = config.serverless_connect_endpoint;
  const ForwardingServices forwarding = ForwardingFor(config, services);
  absl::StatusOr<std::unique_ptr<ServerlessServer>> server = ServerlessServer::Start(
      options, [forwarding, link = &services.link](Runner& runner) {
        runner.SetDefaultActor(ForwardingActorFactory(forwarding));
        runner.SetObserver(link);
      });
  if (!server.ok()) return Fail("cannot start the serverless endpoint", server.status());
  // Runners come and go with the engine's /start calls: ready means the endpoint is serving.
  ServeOperations(*services.admin, services.registry, [] { return Readiness{true, ""}; }, services.directory);
  // No runner of its own; a drain is the SIGTERM that AwaitTermination waits for.
  const AgentControl control{[] { return std::string(); }, [] { ::kill(::getpid(), SIGTERM); }};
  if (absl::Status serving = ServeSidecar(config, services, control); !serving.ok()) {
    return Fail("cannot start the sidecar API", serving);
  }
  AgentLog(LogLevel::kInfo, "agent serving a serverless runner config",
           {{"address", absl::StrCat(config.serverless_host, ":", (*server)->port(), config.serverless_base_path)},
            {"upstream", config.upstream.HttpBase()}});
  AwaitTermination(services.directory, config.sleep_after);
  (*server)->Stop();
  AgentLog(LogLevel::kInfo, "agent stopped after draining");
  return cli::kExitOk;
}

int Run(const AgentConfig& config) { return config.serverless ? RunServerless(config) : RunOneRunner(config); }

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
