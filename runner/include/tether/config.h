// RunnerConfig: where a runner connects, who it is, and how it behaves. Build one by hand, or
// from the RIVET_* environment variables that RivetKit also reads (RunnerConfig::FromEnv).
//
// Threading: a plain value type; FromEnv reads the process environment and is safe to call from
// any thread that is not concurrently changing it.
#ifndef TETHER_CONFIG_H_
#define TETHER_CONFIG_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace tether {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError };

// "trace", "debug", "info", "warn" (or "warning"), "error"; case-insensitive.
absl::StatusOr<LogLevel> ParseLogLevel(std::string_view text);
// The lowercase name ParseLogLevel reads: "trace" ... "error".
std::string_view LogLevelName(LogLevel level);

// The engine endpoint split into what the WebSocket connection needs.
struct Endpoint {
  bool tls = false;          // https:// or wss://
  std::string host;          // without brackets for IPv6
  std::uint16_t port = 0;    // explicit, or 443 / 80 by scheme
  std::string path_prefix;   // kept from the URL, no trailing '/', e.g. "/rivet" or ""
  // From the https://namespace:token@host form; empty when the URL has no user info.
  std::string namespace_name;
  std::string token;

  // "ws://host:port/prefix" or "wss://...": where "/runners/connect" is appended.
  std::string WebSocketBase() const;
};

// Accepts http, https, ws and wss URLs with an optional port, path prefix and
// `namespace:token@` user info (percent-decoded). Errors name what is wrong with the URL.
absl::StatusOr<Endpoint> ParseEndpoint(std::string_view url);

struct TlsOptions {
  // Verify the engine's certificate chain and host name. Only tests of TLS failures turn it off.
  bool verify_peer = true;
  // A PEM file of extra trusted CAs, added to the system roots (e.g. a private engine's CA).
  std::string extra_ca_file;
  // PEM certificates trusted instead of the system's default store, for hosts that have none
  // where OpenSSL looks (the Node addon passes Node's own roots). Empty: the system store.
  std::string trusted_roots_pem;
};

struct ReconnectPolicy {
  std::chrono::milliseconds initial_delay{1000};
  std::chrono::milliseconds max_delay{30000};
  // Give up (the runner stops with an error) after this long without a successful Init.
  // nullopt: retry for as long as the failures look transient.
  std::optional<std::chrono::milliseconds> give_up_after;
};

// Bounds on what one WebSocket, and all of a runner's WebSockets together, may hold in memory:
// client messages waiting for the actor, and the actor's messages waiting for the engine
// connection. A socket that goes over closes with 1013 (try again later) and a reason saying
// which way it overflowed (`runner.websocket_inbound_backlog`, `runner.websocket_outbound_backlog`),
// instead of growing the runner's memory.
struct WebSocketLimits {
  std::size_t max_socket_messages = 1024;
  std::size_t max_socket_bytes = std::size_t{8} << 20;
  std::size_t max_runner_bytes = std::size_t{256} << 20;
};

struct RunnerConfig {
  // Engine base URL; see ParseEndpoint. RIVET_ENDPOINT.
  std::string endpoint = "http://127.0.0.1:6420";
  // Admin token, sent only as the WebSocket subprotocol `rivet_token.<token>`; never logged.
  // RIVET_TOKEN, or the user info of the endpoint URL.
  std::string token;
  // RIVET_NAMESPACE, or the user info of the endpoint URL.
  std::string namespace_name = "default";
  // The runner (pool) name actors are scheduled by (`runner_name_selector`). RIVET_POOL.
  std::string runner_name = "default";
  // Identifies this runner across reconnects; the engine keeps its actors while the key comes
  // back within the runner-lost threshold. Empty: a random key, stable for the process.
  // RIVET_RUNNER_KEY.
  std::string runner_key;
  // The application version; the engine prefers, and may upgrade to, the highest one.
  // RIVET_RUNNER_VERSION.
  std::uint32_t version = 1;
  // How many actors this runner hosts at once. RIVET_TOTAL_SLOTS.
  std::uint32_t total_slots = 1000;
  // Actor names announced at connect, each with its metadata as a JSON object.
  std::map<std::string, std::string> prepopulate_actor_names;
  // Runner metadata as a JSON object, shown by the engine's GET /runners. Empty: none.
  std::string metadata_json;
  // RIVET_LOG_LEVEL. The SDK logs to stderr and its level is process-wide: the Runner created
  // last sets it.
  LogLevel log_level = LogLevel::kInfo;

  TlsOptions tls;
  ReconnectPolicy reconnect;
  // A KV request not answered within this time fails with DeadlineExceeded.
  std::chrono::milliseconds kv_timeout{30000};
  // How long a drain waits for the engine to stop this runner's actors before closing anyway.
  std::chrono::milliseconds drain_timeout{60000};
  WebSocketLimits websocket_limits;
  // Threads that run actor code; 0: the number of cores (at least 2).
  int actor_threads = 0;
  // Runs actor code on the network thread instead (actor_threads is then unused), saving two
  // thread hand-offs per request, message and KV answer. Only for actor code that never blocks
  // (the Node addon's actors only queue work for JavaScript): a blocked handler would hold up
  // pings, and waiting on a Kv future or calling Actor::RestoreWebSockets there would deadlock.
  // Each actor's code still runs serially.
  bool actors_on_network_thread = false;
  // For hosts that keep their actors' state themselves (the Node addon under RivetKit): the
  // runner then writes nothing into actors' Kv and reads nothing at their start; SetAlarm only
  // tells the engine when to wake the actor (OnAlarm is never called); and hibernatable
  // WebSockets are the program's to store, acknowledge (WebSocket::Acknowledge) and restore
  // (Actor::RestoreWebSockets).
  bool host_managed_state = false;

  // Reads the RIVET_* variables named above over the defaults. A malformed value is an error
  // naming the variable; an unknown RIVET_* variable is reported in `warnings` (if given).
  static absl::StatusOr<RunnerConfig> FromEnv(std::vector<std::string>* warnings = nullptr);

  // Checks the whole config (endpoint parses, names non-empty, slots > 0, JSON fields are
  // objects, ...) and returns the first problem, naming the field.
  absl::Status Validate() const;
};

}  // namespace tether

#endif  // TETHER_CONFIG_H_
