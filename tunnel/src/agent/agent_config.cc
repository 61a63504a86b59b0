#include "agent/agent_config.h"

#include <arpa/inet.h>

#include <charconv>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "string_view_conversion.h"

namespace tether::agent {
namespace {

constexpr char kHelp[] = R"(usage: tether agent [flags]

Runs a Rivet runner that hosts every actor the engine schedules on its pool and forwards each
actor's HTTP requests and WebSockets (from the engine's gateway, /gateway/{actor id}/...) to an
upstream HTTP app, so any web app becomes a set of Rivet actors without an SDK.

flags (each overrides its variable):
  --upstream URL          the app, http://host:port[/prefix]            $TETHER_UPSTREAM (required)
  --admin-address H:P     admin HTTP server for /metrics and /ready      $TETHER_ADMIN_ADDRESS
                          (default 127.0.0.1:9464; port 0 picks a free one, logged at start)
  --sidecar-address ADDR  serve the sidecar API over gRPC on unix:/path or a loopback
                          host:port (port 0 picks a free one, logged at start); default off
                                                                         $TETHER_SIDECAR_ADDRESS
  --sidecar-json          serve the sidecar API as JSON on the admin server too
                          (POST /sidecar/v1/<Method>)                    $TETHER_SIDECAR_JSON=1
  --log-format text|json  text: logfmt lines; json: one JSON object per line, the SDK's lines
                          too                                            $TETHER_LOG_FORMAT
  --sleep-after SECONDS   put an actor to sleep after this long without HTTP requests or
                          WebSocket messages, unless a WebSocket that cannot hibernate is
                          open; 0 (default): only when the engine stops it  $TETHER_SLEEP_AFTER
  --request-timeout SECONDS   an upstream HTTP response must be complete within this (default
                          280, below the gateway's 300); then 504
  --connect-timeout SECONDS   TCP connect to the upstream (default 5); then 502
  --upstream-wait SECONDS     at start, how long to retry an upstream that refuses connections
                          before exiting 1 (default 10)
  --serverless H:P        serverless mode: serve GET /start, /metadata and /health of a
                          serverless runner config here instead of running one runner; the
                          engine starts a runner per /start       $TETHER_SERVERLESS_ADDRESS
  --serverless-base-path P    the config's url path, e.g. /api/rivet (default: none)
  --endpoint URL          the engine; in serverless mode, set only to override the URL the
                          engine sends with each /start                  $RIVET_ENDPOINT
  --namespace NAME        the engine namespace                           $RIVET_NAMESPACE
  --pool NAME             the runner name actors are scheduled by        $RIVET_POOL
The runner's other settings come from RIVET_TOKEN (the admin token; never sent to the upstream),
RIVET_RUNNER_KEY, RIVET_RUNNER_VERSION, RIVET_TOTAL_SLOTS and RIVET_LOG_LEVEL.

HTTP: each request goes to the upstream URL + the path after /gateway/{actor id} (query kept),
over pooled keep-alive connections. The agent removes hop-by-hop headers (Connection and the
headers it names, Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade, Proxy-*) both ways, and
every x-rivet-* request header a client sent, then adds:
  x-rivet-actor-id, x-rivet-actor-name, x-rivet-actor-key (absent for an actor without a key),
  x-rivet-actor-generation, x-forwarded-host (the Host the client used)
Bodies are whole, at most 20 MiB each way. Failures answer with x-rivet-error:
  502 tether.upstream_unavailable    the upstream refused or dropped the connection
  502 tether.upstream_response_too_large
  504 tether.upstream_timeout        no complete response within --request-timeout
An actor handles one HTTP request at a time (its requests queue in order); different actors run
in parallel.

WebSockets: each tunneled WebSocket opens one to the upstream (same path and headers, as above,
plus x-rivet-websocket-id: an id stable for the client's connection). Messages flow both ways as
text or binary (at most 20 MiB); a close from either side closes the other with its code and
reason; an upstream that drops the connection closes the client with 1011
tether.upstream_connection_lost; an upstream that refuses the upgrade refuses the client's socket
(1011 tether.upstream_refused).

Hibernation: an upstream that answers the upgrade with `x-tether-hibernate: 1` makes the socket
hibernatable. When its actor stops (sleep, drain, or another agent taking over after this one
died), the agent closes the upstream socket with 1001 tether.hibernating, or it just drops with
the agent; the client stays connected through the engine and costs the app nothing. The next
client message starts the actor again (here or on another agent), which reopens the upstream
socket with the original path and headers plus `x-tether-resumed: 1` and the same
x-rivet-websocket-id, then delivers the message. Client messages are delivered at least once
across an agent crash. Sockets that are not hibernatable close with 1001 actor.stopped upstream
(and 1000 actor.stopped to the client) when the actor stops.

Admin server: GET /metrics (Prometheus text format, tether_* metrics) and GET /ready
({"ready":bool,"runner_id":"...","actors":N}; 200 when connected to the engine and not draining,
else 503).

Sidecar API (proto/tether_sidecar.proto, service tether.sidecar.v1.Sidecar): what the app cannot
do over plain HTTP. It has no authentication, hence only a Unix socket or loopback port.
  WatchActors                      a stream of started (with the actor's input), stopped and alarm
                                   events; a new watcher first gets `started` for each running actor
  KvGet KvPut KvDelete KvList      the actor's durable KV (bytes keys and values; the engine's
                                   limits: 128 keys per call, 2046-byte keys, 128 KiB values)
  SleepActor DestroyActor          ask the engine to sleep or destroy the actor
  SetAlarm ClearAlarm              at at_unix_ms the actor (woken first if asleep) gets an `alarm`
                                   event in WatchActors; one alarm per actor
  GetStatus ListActors Drain       for operators; Drain is SIGTERM's drain
Actor calls need an actor running on this agent: NOT_FOUND otherwise (UNAVAILABLE once the agent
drains); INVALID_ARGUMENT for bad requests and KV limits; DEADLINE_EXCEEDED when the engine does
not answer a KV call in time. The JSON mapping (--sidecar-json): POST /sidecar/v1/<Method>, the
request message as protobuf JSON (bytes in base64), answered 200 with the response message or
{"code":"NOT_FOUND","message":"..."} with 400/404/503/504...; bodies up to 1 MiB (about 750 KiB
of keys and values in a KvPut: base64 adds a third); WatchActors is gRPC only.

SIGTERM or SIGINT drains: the engine moves the actors away, in-flight requests finish, and the
agent exits 0. Exit status 1: a fatal runner error (rejected token, unknown namespace, ...) or an
unreachable upstream at start; 2: a usage error naming the flag or variable.
)";

std::optional<std::string> FirstOf(std::optional<std::string> flag, std::optional<std::string> variable) {
  if (flag) return flag;
  if (variable && !variable->empty()) return variable;
  return std::nullopt;
}

absl::StatusOr<std::uint16_t> ParsePort(std::string_view text, std::string_view what) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(ToAbsl(what), ": invalid port '", ToAbsl(text), "'"));
  }
  return static_cast<std::uint16_t>(value);
}

// "host:port" or "[v6]:port" into its parts; `what` names the flag or variable in errors.
absl::Status SplitHostPort(std::string_view text, std::string_view what, std::string& host, std::uint16_t& port) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(ToAbsl(what), ": expected host:port, got '", ToAbsl(text), "'"));
  }
  std::string_view host_part = text.substr(0, colon);
  if (host_part.size() >= 2 && host_part.front() == '[' && host_part.back() == ']') {
    host_part = host_part.substr(1, host_part.size() - 2);
  }
  if (host_part.empty()) return absl::InvalidArgumentError(absl::StrCat(ToAbsl(what), ": missing host"));
  absl::StatusOr<std::uint16_t> parsed = ParsePort(text.substr(colon + 1), what);
  if (!parsed.ok()) return parsed.status();
  host = std::string(host_part);
  port = *parsed;
  return absl::OkStatus();
}

absl::StatusOr<std::chrono::seconds> ParseSeconds(std::string_view what, const std::optional<std::string>& text) {
  absl::StatusOr<long long> value = cli::ParseCount(what, text.value_or("0"));
  if (!value.ok()) return value.status();
  return std::chrono::seconds(*value);
}

// Applies a seconds flag to `target` when given; a zero timeout is refused.
absl::Status OverrideTimeout(const cli::CommandLine& command_line, std::string_view flag,
                             std::chrono::milliseconds& target) {
  const std::optional<std::string> text = command_line.Value(flag);
  if (!text) return absl::OkStatus();
  absl::StatusOr<std::chrono::seconds> seconds = ParseSeconds(flag, text);
  if (!seconds.ok()) return seconds.status();
  if (seconds->count() == 0) return absl::InvalidArgumentError(absl::StrCat(ToAbsl(flag), " must be at least 1"));
  target = *seconds;
  return absl::OkStatus();
}

}  // namespace

std::string UpstreamUrl::HostAndPort() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return absl::StrCat(ipv6 ? "[" : "", host, ipv6 ? "]" : "", ":", port);
}

std::string UpstreamUrl::HttpBase() const { return absl::StrCat("http://", HostAndPort(), path_prefix); }

absl::StatusOr<UpstreamUrl> ParseUpstreamUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.size() < kScheme.size() || absl::AsciiStrToLower(ToAbsl(url.substr(0, kScheme.size()))) != kScheme) {
    return absl::InvalidArgumentError(
        absl::StrCat("the upstream must be an http:// URL (the app next to the agent), got '", ToAbsl(url), "'"));
  }
  std::string_view rest = url.substr(kScheme.size());
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return absl::InvalidArgumentError("the upstream URL must not contain user info");
  }
  if (path.find_first_of("?#") != std::string_view::npos) {
    return absl::InvalidArgumentError("the upstream URL must not have a query or fragment");
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  UpstreamUrl parsed;
  parsed.path_prefix = std::string(path);
  const bool bracketed = !authority.empty() && authority.front() == '[';
  const std::size_t port_colon = authority.rfind(':');
  const bool has_port = port_colon != std::string_view::npos && (!bracketed || authority[port_colon - 1] == ']');
  if (has_port) {
    if (absl::Status status = SplitHostPort(authority, "the upstream URL", parsed.host, parsed.port); !status.ok()) {
      return status;
    }
  } else {
    parsed.host = std::string(bracketed && authority.size() >= 2 ? authority.substr(1, authority.size() - 2) : authority);
  }
  if (parsed.host.empty()) return absl::InvalidArgumentError("the upstream URL has no host");
  if (parsed.port == 0) return absl::InvalidArgumentError("the upstream URL needs a port other than 0");
  return parsed;
}

absl::Status CheckSidecarAddress(std::string_view address, std::string_view what) {
  if (address.starts_with("unix:")) {
    if (address.size() > 5) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(ToAbsl(what), ": unix: needs a socket path"));
  }
  std::string host;
  std::uint16_t port = 0;
  if (absl::Status split = SplitHostPort(address, what, host, port); !split.ok()) return split;
  in_addr ipv4{};
  const bool loopback_ipv4 = ::inet_pton(AF_INET, host.c_str(), &ipv4) == 1 && (ntohl(ipv4.s_addr) >> 24) == 127;
  if (loopback_ipv4 || host == "localhost" || host == "::1") return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(ToAbsl(what), ": the sidecar API has no authentication, so it ",
                                                 "listens only on unix:/path or a loopback address, not '",
                                                 ToAbsl(address), "'"));
}

std::vector<cli::FlagSpec> AgentFlags() {
  return {{"--upstream", true},        {"--admin-address", true},   {"--log-format", true},
          {"--sleep-after", true},     {"--request-timeout", true}, {"--connect-timeout", true},
          {"--upstream-wait", true},   {"--endpoint", true},        {"--namespace", true},
          {"--pool", true},            {"--serverless", true},      {"--serverless-base-path", true},
          {"--sidecar-address", true}, {"--sidecar-json", false}};
}

std::string AgentHelp() { return kHelp; }

absl::StatusOr<AgentConfig> ResolveAgentConfig(const cli::CommandLine& command_line, const cli::EnvLookup& env,
                                               std::vector<std::string>* warnings) {
  AgentConfig config;
  absl::StatusOr<RunnerConfig> runner = RunnerConfig::FromEnv(warnings);
  if (!runner.ok()) return runner.status();
  config.runner = *std::move(runner);
  if (auto endpoint = command_line.Value("--endpoint")) config.runner.endpoint = *endpoint;
  if (auto endpoint = FirstOf(command_line.Value("--endpoint"), env("RIVET_ENDPOINT"))) {
    config.serverless_connect_endpoint = *endpoint;
  }
  if (auto namespace_name = command_line.Value("--namespace")) config.runner.namespace_name = *namespace_name;
  if (auto pool = command_line.Value("--pool")) config.runner.runner_name = *pool;
  if (absl::Status status = config.runner.Validate(); !status.ok()) return status;

  const std::optional<std::string> upstream = FirstOf(command_line.Value("--upstream"), env("TETHER_UPSTREAM"));
  if (!upstream) return absl::InvalidArgumentError("no upstream: set --upstream or TETHER_UPSTREAM (e.g. http://127.0.0.1:3000)");
  absl::StatusOr<UpstreamUrl> upstream_url = ParseUpstreamUrl(*upstream);
  if (!upstream_url.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--upstream/TETHER_UPSTREAM: ", upstream_url.status().message()));
  }
  config.upstream = *std::move(upstream_url);

  if (auto admin = FirstOf(command_line.Value("--admin-address"), env("TETHER_ADMIN_ADDRESS"))) {
    if (absl::Status status = SplitHostPort(*admin, "--admin-address/TETHER_ADMIN_ADDRESS", config.admin_host,
                                            config.admin_port);
        !status.ok()) {
      return status;
    }
  }
  if (auto sidecar = FirstOf(command_line.Value("--sidecar-address"), env("TETHER_SIDECAR_ADDRESS"))) {
    if (absl::Status status = CheckSidecarAddress(*sidecar, "--sidecar-address/TETHER_SIDECAR_ADDRESS"); !status.ok()) {
      return status;
    }
    config.sidecar_address = *sidecar;
  }
  const std::optional<std::string> sidecar_json = env("TETHER_SIDECAR_JSON");
  config.sidecar_json = command_line.Has("--sidecar-json") || sidecar_json == "1" || sidecar_json == "true";
  if (auto address = FirstOf(command_line.Value("--serverless"), env("TETHER_SERVERLESS_ADDRESS"))) {
    config.serverless = true;
    if (absl::Status status = SplitHostPort(*address, "--serverless/TETHER_SERVERLESS_ADDRESS",
                                            config.serverless_host, config.serverless_port);
        !status.ok()) {
      return status;
    }
    if (auto base_path = command_line.Value("--serverless-base-path")) config.serverless_base_path = *base_path;
  }
  if (auto format = FirstOf(command_line.Value("--log-format"), env("TETHER_LOG_FORMAT"))) {
    if (*format == "json") {
      config.log_format = LogFormat::kJson;
    } else if (*format != "text") {
      return absl::InvalidArgumentError(
          absl::StrCat("--log-format/TETHER_LOG_FORMAT: expected text or json, got '", *format, "'"));
    }
  }
  absl::StatusOr<std::chrono::seconds> sleep_after =
      ParseSeconds("--sleep-after/TETHER_SLEEP_AFTER", FirstOf(command_line.Value("--sleep-after"), env("TETHER_SLEEP_AFTER")));
  if (!sleep_after.ok()) return sleep_after.status();
  config.sleep_after = *sleep_after;
  absl::StatusOr<std::chrono::seconds> upstream_wait = ParseSeconds("--upstream-wait", command_line.Value("--upstream-wait"));
  if (!upstream_wait.ok()) return upstream_wait.status();
  if (command_line.Has("--upstream-wait")) config.upstream_wait = *upstream_wait;
  if (absl::Status status = OverrideTimeout(command_line, "--request-timeout", config.request_timeout); !status.ok()) {
    return status;
  }
  if (absl::Status status = OverrideTimeout(command_line, "--connect-timeout", config.upstream_connect_timeout);
      !status.ok()) {
    return status;
  }
  return config;
}

}  // namespace tether::agent
