// AgentConfig: what `tether agent` runs with — the runner's RIVET_* settings, the upstream app it
// forwards to, and its own operational settings — from flags over TETHER_* / RIVET_* variables.
//
// Threading: plain values and functions over their arguments.
#ifndef TETHER_TUNNEL_AGENT_AGENT_CONFIG_H_
#define TETHER_TUNNEL_AGENT_AGENT_CONFIG_H_

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "deploy/command_line.h"
#include "tether/config.h"

namespace tether::agent {

enum class LogFormat { kText, kJson };

// The upstream app's base URL split into what the forwarders need. Only http:// is accepted: the
// app runs next to the agent (loopback or a pod network), as with any sidecar.
struct UpstreamUrl {
  std::string host;  // without brackets for IPv6
  std::uint16_t port = 80;
  std::string path_prefix;  // no trailing '/', e.g. "/app" or ""

  // "http://host:port/prefix": request paths are appended to it.
  std::string HttpBase() const;
  // "host:port", IPv6 in brackets: the Host header and error messages.
  std::string HostAndPort() const;
};

// InvalidArgument naming what is wrong (scheme, host, port, user info, query).
absl::StatusOr<UpstreamUrl> ParseUpstreamUrl(std::string_view url);

struct AgentConfig {
  RunnerConfig runner;
  UpstreamUrl upstream;
  // host:port of the admin HTTP server (/metrics, /ready); port 0 picks a free one.
  std::string admin_host = "127.0.0.1";
  std::uint16_t admin_port = 9464;
  LogFormat log_format = LogFormat::kText;
  // Where the sidecar API listens over gRPC: "unix:/path" or a loopback "host:port"; empty: off.
  std::string sidecar_address;
  // Whether the admin server also answers the sidecar API as JSON (/sidecar/v1/<Method>).
  bool sidecar_json = false;
  // An actor with no HTTP request or WebSocket message for this long is put to sleep, unless it
  // has a WebSocket that cannot hibernate open. Zero: actors sleep only when the engine says so.
  std::chrono::seconds sleep_after{0};
  std::chrono::milliseconds upstream_connect_timeout{5000};
  // Below the gateway's 5 min wait for a response, so the client gets our 504 rather than its.
  std::chrono::milliseconds request_timeout{280000};
  // How long the start-up check retries an upstream that refuses connections.
  std::chrono::seconds upstream_wait{10};
  // Serverless mode: instead of one runner, serve the endpoint of a serverless runner config on
  // this host:port (tether/serverless.h); the engine starts a runner per GET {url}/start.
  bool serverless = false;
  std::string serverless_host = "127.0.0.1";
  std::uint16_t serverless_port = 0;
  std::string serverless_base_path;
  // Set when RIVET_ENDPOINT or --endpoint was given: serverless runners connect there instead of
  // the engine's public URL it sends with each start.
  std::string serverless_connect_endpoint;
};

// OK for "unix:/path" and for host:port with a loopback host (127.0.0.0/8, localhost, [::1]): the
// sidecar API has no authentication, so it must not be reachable from the network. Else
// InvalidArgument naming `what`.
absl::Status CheckSidecarAddress(std::string_view address, std::string_view what);

// The flags `tether agent` accepts.
std::vector<cli::FlagSpec> AgentFlags();
// `tether agent --help`: every flag, variable, header and the hibernation contract.
std::string AgentHelp();

// Flags first, then TETHER_* variables from `env`, then RIVET_* variables of the process (read
// by RunnerConfig::FromEnv, whose warnings about unknown RIVET_* variables go to `warnings`).
// InvalidArgument names the flag or variable; a missing upstream is one of them.
absl::StatusOr<AgentConfig> ResolveAgentConfig(const cli::CommandLine& command_line, const cli::EnvLookup& env,
                                               std::vector<std::string>* warnings);

}  // namespace tether::agent

#endif  // TETHER_TUNNEL_AGENT_AGENT_CONFIG_H_
